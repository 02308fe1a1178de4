"""The pure hash chain: canonical form, hashing, and what verification catches (no database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit import chain

WHEN = datetime(2026, 3, 27, 14, 5, 9, 123456, tzinfo=UTC)

plain_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def content(seq: int = 1, prev: str = chain.GENESIS_HASH, **overrides) -> dict:
    data = {
        "seq": seq,
        "occurred_at": WHEN,
        "action": "consultation",
        "actor_id": 7,
        "actor_label": "handler1",
        "subject_type": "people.person",
        "subject_id": "42",
        "person_id": "42",
        "reason": "Caller reports a concern for their neighbour",
        "recipients": [],
        "detail": {},
        "source": "web",
        "request_id": "abc",
        "prev_hash": prev,
    }
    data.update(overrides)
    return data


def build_chain(length: int) -> list[dict]:
    rows, prev = [], chain.GENESIS_HASH
    for seq in range(1, length + 1):
        row = content(seq, prev, subject_id=str(seq))
        row["entry_hash"] = chain.entry_hash(row)
        prev = row["entry_hash"]
        rows.append(row)
    return rows


def head_of(rows: list[dict]) -> dict:
    return {"head_seq": len(rows), "head_hash": rows[-1]["entry_hash"] if rows else chain.GENESIS_HASH}


@given(reason=st.text(), detail=st.dictionaries(st.text(), plain_json, max_size=5), label=st.text(max_size=150))
def test_canonical_form_survives_a_json_round_trip(reason, detail, label):
    """Any unicode text and nested detail hash the same after being stored as JSON and read back."""
    original = content(reason=reason, detail=detail, actor_label=label)
    stored = json.loads(chain.canonical_bytes(original))
    assert stored["reason"] == reason
    assert stored["detail"] == detail
    assert chain.canonical_bytes(stored) == chain.canonical_bytes(original)
    assert chain.entry_hash(stored) == chain.entry_hash(original)


@given(reason=st.text(min_size=1), other=st.text(min_size=1))
def test_a_different_reason_gives_a_different_hash(reason, other):
    if reason == other:
        return
    assert chain.entry_hash(content(reason=reason)) != chain.entry_hash(content(reason=other))


@given(offset=st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_the_same_instant_in_any_time_zone_hashes_the_same(offset):
    local = WHEN.astimezone(timezone(timedelta(minutes=offset)))
    assert chain.entry_hash(content(occurred_at=local)) == chain.entry_hash(content())


def test_canonical_form_is_sorted_compact_utf8():
    raw = chain.canonical_bytes(content(reason="Café – 𝔘"))
    assert raw.startswith(b'{"action":"consultation","actor_id":7,')
    assert b'", "' not in raw and b'": ' not in raw
    assert "Café – 𝔘".encode() in raw
    assert b'"occurred_at":"2026-03-27T14:05:09.123456Z"' in raw


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        chain.entry_hash(content(occurred_at=datetime(2026, 3, 27, 14, 5)))  # noqa: DTZ001


def test_content_lacking_a_field_is_refused():
    partial = content()
    del partial["prev_hash"]
    with pytest.raises(ValueError, match="prev_hash"):
        chain.canonical_bytes(partial)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"score": 0.5}, "detail.score is a decimal number"),
        ({"who": "a\x00b"}, "detail.who contains a NUL character"),
        ({1: "x"}, "detail has a key that is not text"),
        ({"when": WHEN}, "detail.when is a datetime"),
        ({"list": [1, 2.5]}, "detail.list[1] is a decimal number"),
    ],
)
def test_values_the_database_would_rewrite_are_named(value, expected):
    assert expected in chain.plain_json_problem(value, "detail")


def test_plain_values_pass():
    assert chain.plain_json_problem({"fields": ["name", "dob"], "count": 2, "merged": None, "ok": True}, "d") is None


def test_an_intact_chain_verifies():
    rows = build_chain(6)
    result = chain.verify_chain(rows, **head_of(rows))
    assert result.ok and result.checked == 6 and result.first_bad_seq is None


def test_an_empty_log_verifies_against_the_genesis_head():
    assert chain.verify_chain([], head_seq=0, head_hash=chain.GENESIS_HASH).ok


def test_an_altered_entry_is_named():
    rows = build_chain(5)
    head = head_of(rows)
    rows[2]["reason"] = "Nothing to see"
    result = chain.verify_chain(rows, **head)
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 3, 2)
    assert "altered" in result.problem


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link():
    rows = build_chain(5)
    head = head_of(rows)
    rows[2]["reason"] = "Nothing to see"
    rows[2]["entry_hash"] = chain.entry_hash(rows[2])
    result = chain.verify_chain(rows, **head)
    assert result.first_bad_seq == 4
    assert "does not follow entry 3" in result.problem


def test_a_deleted_middle_entry_is_named():
    rows = build_chain(5)
    head = head_of(rows)
    del rows[2]
    result = chain.verify_chain(rows, **head)
    assert result.first_bad_seq == 3
    assert "entry 3 is missing" in result.problem


def test_entries_deleted_from_the_end_are_caught_by_the_head():
    rows = build_chain(5)
    head = head_of(rows)
    result = chain.verify_chain(rows[:3], **head)
    assert result.first_bad_seq == 4
    assert "removed from the end" in result.problem


def test_without_a_head_a_truncated_chain_still_looks_whole():
    """Why the head matters: the chain alone cannot see entries cut from its end."""
    assert chain.verify_chain(build_chain(5)[:3]).ok


def test_swapped_entries_are_named():
    rows = build_chain(5)
    head = head_of(rows)
    rows[1]["seq"], rows[2]["seq"] = 3, 2
    rows[1], rows[2] = rows[2], rows[1]
    result = chain.verify_chain(rows, **head)
    assert result.first_bad_seq == 2
    assert "does not follow entry 1" in result.problem


def test_a_forged_entry_appended_beyond_the_head_is_named():
    rows = build_chain(5)
    head = head_of(rows)
    forged = content(6, rows[-1]["entry_hash"], reason="Forged")
    forged["entry_hash"] = chain.entry_hash(forged)
    result = chain.verify_chain([*rows, forged], **head)
    assert result.first_bad_seq == 6
    assert "inserted outside the chain" in result.problem


def test_a_repeated_seq_is_named():
    rows = build_chain(3)
    result = chain.verify_chain([rows[0], rows[1], rows[1], rows[2]])
    assert result.first_bad_seq == 2 and "twice or out of order" in result.problem


def test_a_head_that_moved_during_the_walk_is_accepted():
    """Writers may commit while the log is walked: entries between the two heads are fine."""
    rows = build_chain(8)
    walked = chain.walk_chain(rows, head=chain.Head(5, rows[4]["entry_hash"]))
    result = chain.check_end(walked, head_after=chain.Head(9, "f" * 64))
    assert result.ok and result.checked == 8


def test_the_entry_at_the_head_must_be_the_one_the_writer_recorded():
    rows = build_chain(5)
    result = chain.walk_chain(rows, head=chain.Head(3, "e" * 64))
    assert result.first_bad_seq == 3


def test_head_seq_without_head_hash_is_refused():
    with pytest.raises(ValueError, match="both"):
        chain.verify_chain([], head_seq=0)
