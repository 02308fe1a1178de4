"""``python manage.py verify_audit``: check the audit log's hash chain end to end."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from audit import chain, selectors, services


class _Tracked:
    """Passes rows through and remembers the last seq seen, to name the entry after it if a row cannot be read."""

    def __init__(self, rows: Iterable[dict[str, Any]]):
        self.rows = rows
        self.last_seq = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.last_seq = row["seq"]
            yield row


class Command(BaseCommand):
    help = (
        "Walk the audit log in order and check every entry's hash and link to the one before; "
        "record the result. Exits 0 if the chain is intact, 1 naming the first bad entry."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size", type=int, default=5000, help="Entries fetched from the database at a time (default 5000)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Never show the progress bar.")

    def handle(self, *args: Any, chunk_size: int, no_progress: bool, **options: Any) -> None:
        if chunk_size < 1:
            raise CommandError("--chunk-size must be a whole number of at least 1.")
        # Entries committed but not yet chained are chained first, so the walk covers them too.
        services.seal_pending()
        head = selectors.chain_head()
        with selectors.reading_snapshot():
            tracked = _Tracked(selectors.chain_rows(chunk_size=chunk_size))
            rows: Iterable[dict[str, Any]] = tracked
            if not no_progress and sys.stderr.isatty():
                rows = tqdm(tracked, total=head.seq, unit=" entries", unit_scale=True, desc="Verifying")
            try:
                walked = chain.walk_chain(rows, head=head)
            except (ValueError, TypeError, KeyError) as exc:
                # A row altered so far that it no longer parses (e.g. a naive timestamp) is still tampering.
                bad = tracked.last_seq
                walked = chain.Verification(False, max(bad - 1, 0), bad, f"entry {bad} cannot be read: {exc}")
        # Read after the walk: writers may have added entries meanwhile, but none may lie beyond this.
        result = chain.check_end(walked, head_after=selectors.chain_head())
        services.record_verification(result=result)
        if not result.ok:
            raise CommandError(
                f"Audit log broken: first bad entry is {result.first_bad_seq}: {result.problem}. "
                f"{result.checked} entries before it are intact.",
                returncode=1,
            )
        self.stdout.write(f"Audit log verified: {result.checked} entries, chain intact.")
