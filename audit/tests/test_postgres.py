"""PostgreSQL only: the triggers refuse changes to the log, and concurrent writers keep one chain."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction

from audit import chain, selectors
from audit.models import AuditEntry
from audit.services import record_entry, seal_pending, staged_count

from .helpers import run_sql, write_entries

pytestmark = pytest.mark.postgres

THREADS = 8
TRANSACTIONS_EACH = 50


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET reason = 'Routine check' WHERE seq = 2",
        "DELETE FROM audit_auditentry WHERE seq = 2",
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_trigger_refuses_update_and_delete(entries, sql):
    before = list(AuditEntry.objects.values_list("seq", "reason", "entry_hash"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        run_sql(sql)
    assert list(AuditEntry.objects.values_list("seq", "reason", "entry_hash")) == before


def test_the_orm_cannot_change_or_delete_an_entry_either(entries):
    entry = AuditEntry.objects.get(seq=3)
    entry.reason = "Changed"
    with pytest.raises(DatabaseError, match="UPDATE refused"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="DELETE refused"), transaction.atomic():
        AuditEntry.objects.filter(seq=3).delete()
    assert AuditEntry.objects.get(seq=3).reason == ""


def test_inserting_is_still_allowed(db):
    write_entries(2)
    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_a_single_unbroken_chain():
    """8 threads, each on its own connection, append 50 transactions each: one chain, seqs 1..400."""
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(number: int) -> None:
        try:
            start.wait()
            for index in range(TRANSACTIONS_EACH):
                with transaction.atomic():
                    record_entry(
                        actor=None, actor_label=f"writer{number}", action="collection",
                        subject_type="people.person", subject_id=f"{number}-{index}", person_id=str(number),
                    )
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    assert errors == []
    seal_pending()  # whatever the after-commit seals left for the next one
    assert staged_count() == 0
    head = selectors.chain_head()
    result = chain.verify_chain(selectors.chain_rows(), head_seq=head.seq, head_hash=head.last_hash)
    assert result.ok, result.problem
    assert result.checked == THREADS * TRANSACTIONS_EACH == 400
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 401))
    for number in range(THREADS):
        assert AuditEntry.objects.filter(actor_label=f"writer{number}").count() == TRANSACTIONS_EACH
    print(f"\n{THREADS * TRANSACTIONS_EACH} audited transactions from {THREADS} threads in {elapsed:.2f} s")
