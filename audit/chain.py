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
    """A timestamp as UTC ISO 8601 with microseconds, the same whatever the database returns.

    Naive datetimes are refused: a log whose times depend on the server's clock zone cannot be
    re-hashed elsewhere.
    """
    if value.tzinfo is None:
        raise ValueError("Audit timestamps must be timezone-aware.")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def plain_json_problem(value: Any, where: str) -> str | None:
    """Say why ``value`` would not hash the same after a trip through the database, or None if it would.

    Accepted: text without NUL characters, whole numbers, true/false, null, lists and mappings
    with text keys. Floats are refused because PostgreSQL's jsonb rewrites some of them
    (1e20 comes back as a whole number), which would change the hash; NUL because PostgreSQL
    text cannot hold it; lone surrogates because they cannot be written as UTF-8 at all.
    """
    if value is None or isinstance(value, bool | int):
        return None
    if isinstance(value, str):
        if "\x00" in value:
            return f"{where} contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where} contains a lone surrogate, which is not valid Unicode text"
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = plain_json_problem(item, f"{where}[{index}]")
            if problem:
                return problem
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has a key that is not text ({key!r})"
            problem = plain_json_problem(key, f"{where} key") or plain_json_problem(item, f"{where}.{key}")
            if problem:
                return problem
        return None
    if isinstance(value, float):
        return f"{where} is a decimal number ({value!r}); store it as text or a whole number"
    return f"{where} is a {type(value).__name__}, which JSON cannot hold"


def canonical_bytes(content: Mapping[str, Any]) -> bytes:
    """The canonical serialisation that is hashed: the content fields only, sorted keys, no spaces, UTF-8."""
    missing = [f for f in CONTENT_FIELDS if f not in content]
    if missing:
        raise ValueError(f"Audit content lacks {missing}")
    data = {field: content[field] for field in CONTENT_FIELDS}
    if isinstance(data["occurred_at"], datetime):
        data["occurred_at"] = canonical_time(data["occurred_at"])
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an entry's canonical content, which includes the previous entry's hash."""
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


@dataclass(frozen=True)
class Verification:
    """The outcome of walking the chain: intact, or the first entry that is wrong and why."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""
    last_hash: str = GENESIS_HASH


@dataclass(frozen=True)
class Head:
    """What the writer last recorded: the number of entries and the hash of the last one."""

    seq: int
    last_hash: str


def _broken(checked: int, seq: int, problem: str, last_hash: str) -> Verification:
    return Verification(False, checked, seq, problem, last_hash)


def walk_chain(rows: Iterable[Mapping[str, Any]], *, head: Head | None = None) -> Verification:
    """Walk entries in ``seq`` order and report the first that breaks the chain.

    Each row needs the content fields plus ``entry_hash``. Seqs run 1, 2, 3… with no gap; each
    entry's ``prev_hash`` is the previous entry's hash; each stored hash matches the content.
    If ``head`` is given (read before the walk), the entry at ``head.seq`` must carry
    ``head.last_hash`` and the log must reach at least that far: this catches entries removed
    from the end, which leave an otherwise valid chain.
    """
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    for row in rows:
        seq = row["seq"]
        if seq > expected_seq:
            return _broken(
                checked, expected_seq,
                f"entry {expected_seq} is missing (the next entry found is {seq}): entries were deleted",
                prev,
            )
        if seq < expected_seq:
            return _broken(checked, seq, f"entry {seq} appears twice or out of order", prev)
        if row["prev_hash"] != prev:
            return _broken(
                checked, seq,
                f"entry {seq} does not follow entry {seq - 1} (its previous hash differs): "
                "entries were reordered, inserted or rewritten",
                prev,
            )
        if entry_hash(row) != row["entry_hash"]:
            return _broken(
                checked, seq, f"entry {seq} was altered (its content no longer matches its hash)", prev
            )
        if head is not None and seq == head.seq and row["entry_hash"] != head.last_hash:
            return _broken(
                checked, seq, f"entry {seq} is not the entry the writer recorded at that position", prev
            )
        prev = row["entry_hash"]
        expected_seq += 1
        checked += 1
    if head is not None and checked < head.seq:
        return _broken(
            checked, checked + 1,
            f"entry {checked + 1} is missing: the log ends at entry {checked} but the writer recorded "
            f"{head.seq} entries (entries removed from the end)",
            prev,
        )
    return Verification(True, checked, last_hash=prev)


def check_end(result: Verification, *, head_after: Head) -> Verification:
    """Check a walked chain against the head read after the walk: no entry may lie beyond it.

    Writers may commit while the log is walked, so the head read afterwards can be ahead of
    what the walk saw, never behind it. An entry beyond it was added outside the writer.
    """
    if not result.ok:
        return result
    if result.checked > head_after.seq:
        seq = head_after.seq + 1
        return _broken(
            result.checked, seq,
            f"entry {seq} lies beyond the last entry the writer recorded ({head_after.seq}): "
            "it was inserted outside the chain",
            result.last_hash,
        )
    if result.checked == head_after.seq and result.last_hash != head_after.last_hash:
        return _broken(
            result.checked, result.checked,
            f"entry {result.checked} is not the entry the writer recorded last",
            result.last_hash,
        )
    return result


def verify_chain(
    rows: Iterable[Mapping[str, Any]], *, head_seq: int | None = None, head_hash: str | None = None
) -> Verification:
    """Verify a complete, quiescent log (e.g. an export) against the head its writer recorded.

    With no writer running, the head before and after the walk is the same, so the log must
    end exactly at ``head_seq`` with ``head_hash``. Without a head, only the chain itself is checked.
    """
    if (head_seq is None) != (head_hash is None):
        raise ValueError("Give both head_seq and head_hash, or neither.")
    if head_seq is None or head_hash is None:
        return walk_chain(rows)
    head = Head(head_seq, head_hash)
    return check_end(walk_chain(rows, head=head), head_after=head)
