"""Group commit: entries are staged with their change and chained after it commits, in batches."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction

from audit import chain, selectors
from audit.models import AuditEntry, ChainHead, StagedEntry
from audit.services import PendingEntry, append_entries, record_entry, seal_pending, staged_count

from .helpers import run_sql, write_entries


def _entry(subject_id: str) -> PendingEntry:
    return PendingEntry(action="collection", subject_type="people.person", subject_id=subject_id, person_id=subject_id)


def test_an_entry_waits_in_the_staging_table_until_sealed(db):
    """Inside a transaction that has not committed, the entry is staged and not yet in the chain."""
    write_entries(2)
    assert staged_count() == 2
    assert AuditEntry.chained.count() == 0
    assert ChainHead.objects.get(pk=1).seq == 0
    assert seal_pending() == 2
    assert staged_count() == 0
    assert list(AuditEntry.chained.values_list("seq", "subject_id")) == [(1, "1"), (2, "2")]


def test_reading_the_log_seals_first_so_nothing_committed_is_missed(db):
    write_entries(3)
    assert AuditEntry.objects.count() == 3
    assert staged_count() == 0


def test_sealing_keeps_the_order_entries_were_staged_in(db):
    with transaction.atomic():
        append_entries([_entry(str(n)) for n in range(1, 6)])
    with transaction.atomic():
        record_entry(actor=None, action="alteration", subject_type="people.person", subject_id="6")
    seal_pending(batch_size=2)  # three batches of at most two
    assert list(AuditEntry.chained.values_list("subject_id", flat=True)) == [str(n) for n in range(1, 7)]
    head = selectors.chain_head()
    assert chain.verify_chain(selectors.chain_rows(), head_seq=head.seq, head_hash=head.last_hash).ok


def test_an_entry_keeps_the_time_it_was_written_not_the_time_it_was_sealed(db):
    write_entries(1)
    staged_at = StagedEntry.objects.get().occurred_at
    seal_pending()
    assert AuditEntry.chained.get().occurred_at == staged_at


def test_a_rolled_back_change_leaves_nothing_staged(db):
    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed), transaction.atomic():
        record_entry(actor=None, action="alteration", subject_type="people.person", subject_id="9")
        raise ChangeFailed
    assert staged_count() == 0
    assert seal_pending() == 0


def test_a_seal_that_fails_part_way_leaves_every_entry_staged_and_the_chain_as_it_was(db, monkeypatch):
    write_entries(2)
    seal_pending()
    write_entries(3)
    calls = {"n": 0}
    real_hash = chain.entry_hash

    def crash_on_the_second(content):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("power cut")
        return real_hash(content)

    monkeypatch.setattr(chain, "entry_hash", crash_on_the_second)
    with pytest.raises(OSError):
        seal_pending()
    monkeypatch.setattr(chain, "entry_hash", real_hash)
    assert staged_count() == 3
    assert AuditEntry.chained.count() == 2
    assert ChainHead.objects.get(pk=1).seq == 2
    assert seal_pending() == 3
    assert list(AuditEntry.chained.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_bulk_loads_can_chain_at_once(db):
    with transaction.atomic():
        assert append_entries([_entry("1"), _entry("2")], chain_now=True) == 2
    assert staged_count() == 0
    assert AuditEntry.chained.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_commit_seals_its_entries_straight_after():
    """Outside a test's wrapping transaction, commit runs the seal: nothing is left waiting."""
    write_entries(3)
    assert staged_count() == 0
    assert list(AuditEntry.chained.values_list("seq", flat=True)) == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_validation_still_refuses_at_the_writer_not_at_the_sealer():
    with pytest.raises(ValueError, match="reason is required"), transaction.atomic():
        record_entry(actor=None, action="consultation", subject_type="people.person", subject_id="1")
    assert staged_count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sealer_that_finds_another_at_work_steps_aside_at_once():
    """With the head locked by one sealer, an after-commit seal returns without waiting; nothing is lost."""
    holding, release = threading.Event(), threading.Event()

    def other_sealer() -> None:
        try:
            with transaction.atomic():
                ChainHead.objects.select_for_update().get(pk=1)
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    write_entries(1)  # creates the head row and chains entry 1
    thread = threading.Thread(target=other_sealer)
    thread.start()
    assert holding.wait(10)
    try:
        write_entries(2)  # their after-commit seals find the lock taken and step aside
        assert staged_count() == 2
        assert seal_pending(wait=False) == 0
    finally:
        release.set()
        thread.join()
    assert seal_pending() == 2
    assert list(AuditEntry.chained.values_list("seq", flat=True)) == [1, 2, 3]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_stagedentry SET reason = 'Edited'", "DELETE FROM audit_stagedentry"]
)
def test_staged_entries_cannot_be_edited_or_removed_except_by_the_sealer(db, sql):
    write_entries(2)
    with pytest.raises(DatabaseError, match="wait to be chained"), transaction.atomic():
        run_sql(sql)
    assert staged_count() == 2
    assert seal_pending() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_server_process_seals_in_its_background_thread_not_in_the_request():
    """With the sealer thread running, a commit only wakes it; the thread chains the entries moments later."""
    from audit import sealer

    sealer.start()
    try:
        assert sealer.running()
        write_entries(3)
        deadline = time.monotonic() + 10
        while staged_count() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert staged_count() == 0
    finally:
        sealer.stop()
    assert not sealer.running()
    assert list(AuditEntry.chained.values_list("seq", flat=True)) == [1, 2, 3]
    # With the thread stopped, writers seal inline again.
    write_entries(1)
    assert staged_count() == 0
