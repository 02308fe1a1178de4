"""A real SMTP server (aiosmtpd) for the SMTP sender's tests, run as its own process.

It runs apart from the test process because aiosmtpd imports the ``atpublic`` package under its
module name ``public``, which our own ``public`` app shadows on the project's import path; run as
a script, this directory (not the project root) heads ``sys.path``. Each message accepted is
written to the spool directory as ``<n>.json``; a file ``refuse_rcpt`` or ``defer_data`` in the
spool makes the server answer RCPT or DATA with that file's text, as a real server would refuse.

    python smtp_server.py --port 2525 --spool /tmp/spool
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller


class SpoolHandler:
    def __init__(self, spool: Path):
        self.spool = spool
        self.count = 0

    def _control(self, name: str) -> str | None:
        path = self.spool / name
        return path.read_text().strip() if path.exists() else None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        refusal = self._control("refuse_rcpt")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        deferral = self._control("defer_data")
        if deferral:
            return deferral
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": (envelope.original_content or envelope.content).decode("utf-8", "replace"),
        }
        partial = self.spool / f".{self.count}.tmp"
        partial.write_text(json.dumps(record))
        partial.rename(self.spool / f"{self.count}.json")
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--spool", type=Path, required=True)
    args = parser.parse_args()
    controller = Controller(SpoolHandler(args.spool), hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
