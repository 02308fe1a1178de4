"""The hash chain behind the audit log: canonical form, hashing and verification.

Pure Python, no Django: an auditor can check an exported log with this module alone.
Each entry's hash is SHA-256 over the canonical JSON of its content, and the
content includes the previous entry's hash, so altering, deleting, inserting or
reordering any entry breaks the chain at that point (DPA 2018 s.62 asks for logs;
the chain makes them tamper-evident).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

# The fields that make up an entry's content, in no particular order (the JSON is key-sorted).
CONTENT_FIELDS = (
    "seq",
    "occurred_at",
    "action",
    "actor_id",
    "actor_label",
    "subject_type",
    "subject_id",
    "person_id",
    "reason",
    "recipients",
    "detail",
    "source",
    "request_id",
    "prev_hash",
)


def canonical_time(value: datetime) -> str:
    """A timestamp as UTC ISO 8601 with microseconds, the same whatever the database returns."""
    if value.tzinfo is None:
        raise ValueError("Audit timestamps must be timezone-aware.")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(content: Mapping[str, Any]) -> bytes:
    """The canonical serialisation that is hashed: sorted keys, no spaces, UTF-8."""
    missing = [f for f in CONTENT_FIELDS if f not in content]
    if missing:
        raise ValueError(f"Audit content lacks {missing}")
    data = {field: content[field] for field in CONTENT_FIELDS}
    if isinstance(data["occurred_at"], datetime):
        data["occurred_at"] = canonical_time(data["occurred_at"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(
    rows: Iterable[Mapping[str, Any]], *, head_seq: int | None = None, head_hash: str | None = None
) -> Verification:
    """Walk entries in ``seq`` order and report the first that breaks the chain.

    Each row needs the content fields plus ``entry_hash``. ``head_seq`` and
    ``head_hash`` (what the writer last recorded) catch entries deleted from the end.
    """
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            missing = "missing" if seq > expected_seq else "repeated or out of order"
            return Verification(False, checked, seq, f"entry {seq} found where {expected_seq} was expected ({missing})")
        if row["prev_hash"] != prev:
            return Verification(False, checked, seq, f"entry {seq} does not follow entry {seq - 1} (previous hash differs)")
        if entry_hash(row) != row["entry_hash"]:
            return Verification(False, checked, seq, f"entry {seq} was altered (its content no longer matches its hash)")
        prev = row["entry_hash"]
        expected_seq += 1
        checked += 1
    if head_seq is not None and head_seq != checked:
        return Verification(
            False, checked, checked + 1 if head_seq > checked else head_seq,
            f"the log ends at entry {checked} but the writer recorded {head_seq} entries (entries removed from the end)",
        )
    if head_hash is not None and checked and head_hash != prev:
        return Verification(False, checked, checked, f"entry {checked} differs from the one the writer last recorded")
    return Verification(True, checked)
