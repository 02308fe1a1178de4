#!/usr/bin/env python
"""A large video upload through the real resumable endpoint, served by uvicorn (ASGI): time, hash check and
the server's memory.

Usage:
    bench/evidence_upload.py --size-mb 1024 [--chunk-mb 8] [--single-request-mb 256]

Builds a throw-away project directory (SQLite database, media and staging in a temporary
directory), migrates it, records a crime and issues a public upload link, then starts uvicorn
on the project's ASGI application. The anchor is the same server's resident memory at idle
(after one page has been served). The client sends ``--size-mb`` of MP4-headed data in
``--chunk-mb`` parts with the SHA-256 declared up front, finishes the form, and the server's
peak resident memory (VmHWM from /proc, and a 20 ms sampler) is compared with the anchor.
With ``--single-request-mb`` the same server also takes one no-JavaScript multipart POST of
that size, for comparison. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")
MB = 1024 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"

SETUP = """
from django.utils import timezone
from cases.models import Crime, crime_reference
from evidence import services
crime = Crime.objects.create(reference="CR-BENCH", reported_at=timezone.now())
crime.reference = crime_reference(crime.pk); crime.save(update_fields=["reference"])
from django.db import transaction
with transaction.atomic():
    issued = services.issue_upload_link(actor=None, crime=crime, recipient_name="Bench Stores Ltd", channel="email",
        recipient_email="bench@example.org", purpose="cctv", base_url="http://127.0.0.1/")
print("TOKEN", issued.token)
"""

VERIFY = """
from evidence.models import Exhibit
from django.core.files.storage import default_storage
for e in Exhibit.objects.order_by("id"):
    print("EXHIBIT", e.reference, e.size, e.sha256, e.content_type, default_storage.size(e.file.name))
"""


def _rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _uss_kb(pid: int) -> int:
    """Memory only this process holds (not the shared libraries it maps), from /proc/<pid>/smaps_rollup."""
    total = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1])
    return total


class Sampler(threading.Thread):
    """The server's resident (and unique) memory every 20 ms, keeping the highest seen."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.peak_uss_kb, self.running = pid, 0, 0, True

    def run(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, _rss_kb(self.pid))
            self.peak_uss_kb = max(self.peak_uss_kb, _uss_kb(self.pid))
            time.sleep(0.02)


def _blocks(total: int, chunk: int, seed: int):
    """Deterministic, incompressible bytes: one random block, each chunk stamped with its index."""
    base = random.Random(seed).randbytes(chunk)
    sent, index = 0, 0
    while sent < total:
        size = min(chunk, total - sent)
        block = (index.to_bytes(8, "big") + base[8:size]) if size > 8 else base[:size]
        if sent == 0:
            block = MP4_HEAD + block[len(MP4_HEAD):]
        yield block
        sent += size
        index += 1


def _manage(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True,
                          text=True, check=True)
    return done.stdout


def _wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("uvicorn did not start")


def _resumable(port: int, token: str, size: int, chunk: int, digest: str) -> tuple[str, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("POST", f"/upload/{token}/files/", headers={
        "Upload-Length": str(size), "Upload-Filename": "cam2.mp4", "Upload-Sha256": digest, "Content-Length": "0"})
    created = connection.getresponse()
    created.read()
    assert created.status == 201, created.status
    location = created.getheader("Location")
    started = time.perf_counter()
    offset = 0
    for block in _blocks(size, chunk, seed=7):
        connection.request("PATCH", location, body=block, headers={
            "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        answer = connection.getresponse()
        body = answer.read()
        assert answer.status == 204, (answer.status, body[:300])
        offset = int(answer.getheader("Upload-Offset"))
        if offset == size:
            assert answer.getheader("Upload-Sha256") == digest
    elapsed = time.perf_counter() - started
    upload_id = location.rstrip("/").rsplit("/", 1)[1]
    return upload_id, elapsed


def _finish(port: int, token: str, upload_id: str) -> None:
    # The page's form, as the uploader script posts it (the public form has no session, only the CSRF cookie).
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", f"/upload/{token}/")
    page = connection.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    csrf = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    from urllib.parse import urlencode

    body = urlencode({"csrfmiddlewaretoken": csrf, "upload_id": upload_id, "description": "Camera 2, 14:00 to 15:00",
                      "form_token": uuid.uuid4().hex})
    connection.request("POST", f"/upload/{token}/", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
        "Referer": f"http://127.0.0.1:{port}/upload/{token}/"})
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 302, answer.status


def _single_request(port: int, token: str, size: int) -> float:
    """One multipart POST of the whole file to the no-JavaScript form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", f"/upload/{token}/")
    page = connection.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    csrf = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    boundary = "----bench" + uuid.uuid4().hex
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{csrf}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nOne request\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"one.mp4\"\r\n"
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    started = time.perf_counter()
    connection.putrequest("POST", f"/upload/{token}/")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.putheader("Cookie", cookie)
    connection.putheader("Referer", f"http://127.0.0.1:{port}/upload/{token}/")
    connection.endheaders()
    connection.send(head)
    for block in _blocks(size, 8 * MB, seed=11):
        connection.send(block)
    connection.send(tail)
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 302, answer.status
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--chunk-mb", type=int, default=8)
    parser.add_argument("--single-request-mb", type=int, default=0)
    parser.add_argument("--port", type=int, default=8731)
    args = parser.parse_args()
    size, chunk = args.size_mb * MB, args.chunk_mb * MB

    with tempfile.TemporaryDirectory(prefix="fc-evidence-bench-") as workdir:
        env = {**os.environ, "FIRSTCONTACT_VAR_DIR": workdir, "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
               "FIRSTCONTACT_MODE": "demo", "DEBUG": "False", "LOG_LEVEL": "WARNING"}
        _manage(env, "migrate", "--noinput", "-v0")
        token = _manage(env, "shell", "-c", SETUP).split("TOKEN ")[1].split()[0]
        server = subprocess.Popen(
            [UVICORN, "firstcontact.asgi:application", "--host", "127.0.0.1", "--port", str(args.port),
             "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
        try:
            _wait_for(args.port)
            connection = http.client.HTTPConnection("127.0.0.1", args.port)
            connection.request("GET", f"/upload/{token}/")
            connection.getresponse().read()
            time.sleep(1)
            idle_kb, idle_uss_kb = _rss_kb(server.pid), _uss_kb(server.pid)

            hasher = hashlib.sha256()
            for block in _blocks(size, chunk, seed=7):
                hasher.update(block)
            digest = hasher.hexdigest()

            sampler = Sampler(server.pid)
            sampler.start()
            upload_id, upload_s = _resumable(args.port, token, size, chunk, digest)
            finish_started = time.perf_counter()
            _finish(args.port, token, upload_id)
            finish_s = time.perf_counter() - finish_started
            sampler.running = False
            sampler.join()
            peak_kb, peak_uss_kb = sampler.peak_kb, sampler.peak_uss_kb
            hwm_kb = _rss_kb(server.pid, "VmHWM")

            single = {}
            if args.single_request_mb:
                # A fresh link: the first one is spent.
                token2 = _manage(env, "shell", "-c", SETUP.replace('"CR-BENCH"', '"CR-BENCH2"')).split("TOKEN ")[1].split()[0]
                sampler = Sampler(server.pid)
                sampler.start()
                single_s = _single_request(args.port, token2, args.single_request_mb * MB)
                sampler.running = False
                sampler.join()
                single = {"single_request_mb": args.single_request_mb, "single_request_s": round(single_s, 1),
                          "single_request_peak_rss_mb": round(sampler.peak_kb / 1024, 1)}
        finally:
            server.terminate()
            server.wait(timeout=30)
        exhibits = [line.split() for line in _manage(env, "shell", "-c", VERIFY).splitlines() if line.startswith("EXHIBIT")]
        stored = exhibits[0]
        verified = stored[3] == digest and int(stored[2]) == size and int(stored[5]) == size

    result = {
        "bench": "evidence_upload", "size_mb": args.size_mb, "chunk_mb": args.chunk_mb,
        "upload_s": round(upload_s, 1), "throughput_mb_s": round(args.size_mb / upload_s, 1),
        "finish_s": round(finish_s, 2), "hash_verified": verified, "content_type": stored[4],
        "idle_rss_mb": round(idle_kb / 1024, 1), "peak_rss_mb": round(peak_kb / 1024, 1),
        "peak_over_idle_mb": round((peak_kb - idle_kb) / 1024, 1), "vm_hwm_mb": round(hwm_kb / 1024, 1),
        "idle_uss_mb": round(idle_uss_kb / 1024, 1), "peak_uss_mb": round(peak_uss_kb / 1024, 1),
        "peak_rss_under_200_mb": hwm_kb / 1024 < 200, **single,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
