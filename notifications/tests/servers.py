"""Real servers the sender tests talk to: an SMTP server (aiosmtpd, in its own process) and a local HTTP server that
implements GOV.UK Notify's documented send endpoints, including its JWT authorisation."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server in its own process (see ``smtp_server.py``), with what it accepted."""

    def __init__(self, spool: Path):
        self.spool = spool
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("smtp_server.py")), "--port", str(self.port),
             "--spool", str(spool)],
            stdout=subprocess.PIPE, text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            self.stop()
            raise RuntimeError("The test SMTP server did not start.")

    def refuse_recipients(self, reply: str | None) -> None:
        self._control("refuse_rcpt", reply)

    def defer_data(self, reply: str | None) -> None:
        self._control("defer_data", reply)

    def _control(self, name: str, reply: str | None) -> None:
        path = self.spool / name
        if reply:
            path.write_text(reply)
        else:
            path.unlink(missing_ok=True)

    @property
    def received(self) -> list[dict[str, Any]]:
        mails = []
        for path in sorted(self.spool.glob("*.json"), key=lambda p: int(p.stem)):
            record = json.loads(path.read_text())
            record["message"] = message_from_bytes(record["data"].encode(), policy=policy.default)
            mails.append(record)
        return mails

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()


@dataclass
class NotifyRequest:
    path: str
    body: dict[str, Any]
    claims: dict[str, Any]


@dataclass
class LocalNotify:
    """GOV.UK Notify's POST /v2/notifications/{email,sms}, as its API documentation describes them.

    Every request must carry ``Authorization: Bearer <JWT>`` signed HS256 with the API key's secret,
    its ``iss`` the service id and its ``iat`` within 30 seconds of now; otherwise 403, as Notify does.
    ``fail_with`` makes the next requests fail with that status and Notify's error body.
    """

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    requests: list[NotifyRequest] = field(default_factory=list)
    fail_with: list[int] = field(default_factory=list)
    port: int = 0

    @property
    def api_key(self) -> str:
        return f"firstcontact_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _check_token(self, header: str) -> tuple[dict[str, Any] | None, str]:
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return None, "Unauthorized: authentication token must be provided"
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.InvalidTokenError as error:
            return None, f"Invalid token: signature, api token not found ({error})"
        if claims.get("iss") != self.service_id:
            return None, "Invalid token: service id is not the right format"
        if abs(time.time() - int(claims.get("iat", 0))) > 30:
            return None, "Error: Your system clock must be accurate to within 30 seconds"
        return claims, ""

    def handle(self, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, Any]]:
        claims, problem = self._check_token(headers.get("Authorization", ""))
        if claims is None:
            return 403, {"status_code": 403, "errors": [{"error": "AuthError", "message": problem}]}
        body = json.loads(raw or b"{}")
        self.requests.append(NotifyRequest(path=path, body=body, claims=claims))
        if self.fail_with:
            status = self.fail_with.pop(0)
            kind = {400: "BadRequestError", 429: "RateLimitError", 500: "Exception"}.get(status, "Error")
            return status, {"status_code": status, "errors": [{"error": kind, "message": f"Local Notify says {status}"}]}
        kind = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}.get(path)
        if kind is None:
            return 404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "Not found"}]}
        recipient = body.get("email_address" if kind == "email" else "phone_number")
        if not recipient or not body.get("template_id"):
            missing = "email_address" if kind == "email" else "phone_number"
            return 400, {"status_code": 400, "errors": [
                {"error": "ValidationError", "message": f"{missing} or template_id is a required property"}]}
        notification_id = str(uuid.uuid4())
        personalisation = body.get("personalisation") or {}
        content: dict[str, Any] = {"body": personalisation.get("body", "")}
        if kind == "email":
            content.update(subject=personalisation.get("subject", ""), from_email="force@notifications.service.gov.uk")
        else:
            content.update(from_number="FORCE")
        return 201, {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": content,
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {"id": body["template_id"], "version": 1, "uri": f"{self.base_url}/v2/template/{body['template_id']}"},
            "scheduled_for": None,
        }

    def serve(self) -> ThreadingHTTPServer:
        notify = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, payload = notify.handle(self.path, self.headers, raw)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server
