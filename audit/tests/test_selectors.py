"""Reading the log: searches by person and by user, and the stream verification walks."""

from __future__ import annotations

from django.db import transaction

from audit import chain, selectors
from audit.services import record_entry, seal_pending

from .helpers import write_entries


def test_entries_about_a_person_newest_first(make_user):
    handler = make_user("call-handler", username="reader")
    write_entries(3, actor=handler, person_id="8")
    write_entries(2, actor=handler, person_id="9")
    assert list(selectors.entries_about_person(8).values_list("seq", flat=True)) == [3, 2, 1]


def test_entries_by_a_user_include_those_logged_under_a_label_only(make_user):
    handler = make_user("call-handler", username="reader")
    write_entries(2, actor=handler)
    with transaction.atomic():
        # An entry from before the account existed in this database, known only by its label.
        record_entry(actor=None, actor_label="reader", action="collection", subject_type="people.person",
                     subject_id="3")
    write_entries(1, actor_label="someone-else")
    assert list(selectors.entries_by_user("reader").values_list("seq", flat=True)) == [3, 2, 1]
    assert not selectors.entries_by_user("nobody").exists()


def test_chain_head_before_anything_is_written_is_the_genesis(db):
    assert selectors.chain_head() == chain.Head(0, chain.GENESIS_HASH)


def test_chain_rows_carry_everything_the_hash_needs(db):
    write_entries(3)
    assert list(selectors.chain_rows()) == []  # staged, not chained yet
    assert seal_pending() == 3
    rows = list(selectors.chain_rows(chunk_size=2))
    assert [row["seq"] for row in rows] == [1, 2, 3]
    assert all(chain.entry_hash(row) == row["entry_hash"] for row in rows)
    assert selectors.chain_head() == chain.Head(3, rows[-1]["entry_hash"])
