#!/usr/bin/env python
"""An evidential package with 100 exhibits and 5 statements: time to build its PDF, and to stream its zip.

Usage:
    bench/evidence_package.py [--exhibits 100] [--statements 5] [--repeats 3]

Runs in a throw-away SQLite database and media directory. Exhibits are 320x240 PNG photos made by
``evidence.samples``, received through ``receive_file`` (hashed, referenced, custody logged).
The anchor, measured in the same run, is WeasyPrint rendering one statement alone (the
fixed cost of a PDF). The goal is a package in under 10 s. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exhibits", type=int, default=100)
    parser.add_argument("--statements", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="fc-package-bench-")
    os.environ.update({"FIRSTCONTACT_VAR_DIR": workdir, "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
                       "FIRSTCONTACT_MODE": "demo", "DEBUG": "False", "LOG_LEVEL": "WARNING",
                       "DJANGO_SETTINGS_MODULE": "firstcontact.settings"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from cases.models import Crime, crime_reference
    from evidence import samples, services

    crime = Crime.objects.create(reference="CR-BENCH", reported_at=timezone.now(), summary="Shoplifting, benchmark.")
    crime.reference = crime_reference(crime.pk)
    crime.save(update_fields=["reference"])
    started = time.perf_counter()
    for number in range(args.exhibits):
        photo = samples.png(320, 240, seed=number)
        services.receive_file(
            actor=None, description=f"Photograph {number + 1} of the scene", produced_by="Sam Patel",
            file=io.BytesIO(photo), filename=f"IMG_{number:04d}.png", size=len(photo), crime=crime,
        )
    receive_s = time.perf_counter() - started
    words = "I saw a man take two bottles from the shelf by the till and leave without paying. " * 25
    statement_times = []
    for number in range(args.statements):
        begun = time.perf_counter()
        services.take_statement(
            crime=crime, actor=None,
            details=services.StatementDetails(maker_name=f"Witness {number + 1}", body=words,
                                              signature=f"Witness {number + 1}", declaration_accepted=True),
        )
        statement_times.append(time.perf_counter() - begun)

    package_times, zip_times, zip_bytes, pdf_bytes = [], [], 0, 0
    for repeat in range(args.repeats):
        begun = time.perf_counter()
        package = services.produce_evidential_package(
            crime=crime, recipient="CPS Direct", reason=f"Benchmark {repeat}", actor=None
        )
        package_times.append(time.perf_counter() - begun)
        pdf_bytes = package.pdf.size
        begun = time.perf_counter()
        zip_bytes = sum(len(part) for part in services.package_zip_stream(package=package, actor=None))
        zip_times.append(time.perf_counter() - begun)

    package_s = statistics.median(package_times)
    anchor_s = statistics.median(statement_times)
    print(json.dumps({
        "bench": "evidence_package", "exhibits": args.exhibits, "statements": args.statements,
        "receive_100_s": round(receive_s, 2), "package_median_s": round(package_s, 2),
        "package_runs_s": [round(t, 2) for t in package_times], "pdf_kb": round(pdf_bytes / 1024),
        "anchor_one_statement_pdf_s": round(anchor_s, 2), "package_over_anchor": round(package_s / anchor_s, 1),
        "zip_median_s": round(statistics.median(zip_times), 2), "zip_mb": round(zip_bytes / 1024 / 1024, 1),
        "under_10_s": package_s < 10,
    }))


if __name__ == "__main__":
    main()
