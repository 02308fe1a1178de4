"""``verify_audit`` finds every kind of tampering and names the first bad entry (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import ManagementUtility, call_command
from django.db import connection

from audit import chain
from audit.models import AuditEntry, VerificationRun

from .helpers import run_sql, tampering, verify, write_entries


def test_an_intact_log_verifies_and_the_run_is_recorded(entries):
    code, out, _ = verify()
    assert code == 0
    assert out.strip() == "Audit log verified: 5 entries, chain intact."
    run = VerificationRun.objects.get()
    assert (run.ok, run.checked, run.first_bad_seq) == (True, 5, None)


def test_an_empty_log_verifies(db):
    code, out, _ = verify()
    assert (code, out.strip()) == (0, "Audit log verified: 0 entries, chain intact.")


def test_a_reason_changed_by_raw_sql_is_named(entries):
    with tampering():
        run_sql("UPDATE audit_auditentry SET reason = %s WHERE seq = 3", ["Routine check"])
    code, _, message = verify()
    assert code == 1
    assert "first bad entry is 3" in message and "altered" in message
    run = VerificationRun.objects.get()
    assert (run.ok, run.first_bad_seq, run.checked) == (False, 3, 2)


def test_a_row_deleted_from_the_middle_is_named(entries):
    with tampering():
        run_sql("DELETE FROM audit_auditentry WHERE seq = 3")
    code, _, message = verify()
    assert code == 1
    assert "first bad entry is 3" in message and "missing" in message


def test_a_row_deleted_from_the_end_is_named(entries):
    with tampering():
        run_sql("DELETE FROM audit_auditentry WHERE seq = 5")
    code, _, message = verify()
    assert code == 1
    assert "first bad entry is 5" in message and "removed from the end" in message


def test_rows_reordered_by_swapping_seq_are_named(entries):
    with tampering():
        # Through a spare value, because seq is unique.
        run_sql("UPDATE audit_auditentry SET seq = -1 WHERE seq = 2")
        run_sql("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
        run_sql("UPDATE audit_auditentry SET seq = 3 WHERE seq = -1")
    code, _, message = verify()
    assert code == 1
    assert "first bad entry is 2" in message and "does not follow entry 1" in message


def _forged(seq: int, prev_hash: str, *, valid_hash: bool) -> AuditEntry:
    content = {
        "seq": seq, "occurred_at": AuditEntry.objects.get(seq=1).occurred_at, "action": "consultation",
        "actor_id": None, "actor_label": "intruder", "subject_type": "people.person", "subject_id": "99",
        "person_id": "99", "reason": "Forged", "recipients": [], "detail": {}, "source": "web",
        "request_id": "", "prev_hash": prev_hash,
    }
    digest = chain.entry_hash(content) if valid_hash else "b" * 64
    return AuditEntry(**content, entry_hash=digest)


def test_a_row_inserted_out_of_chain_is_named(entries):
    """A row added by hand, not by the writer, with a made-up link to the one before."""
    _forged(6, "a" * 64, valid_hash=False).save()
    code, _, message = verify()
    assert code == 1
    assert "first bad entry is 6" in message and "does not follow entry 5" in message


def test_a_perfectly_forged_row_appended_at_the_end_is_caught_by_the_head(entries):
    """Even a row with a correct link and hash is caught: the writer never recorded it."""
    last = AuditEntry.objects.get(seq=5)
    _forged(6, last.entry_hash, valid_hash=True).save()
    code, _, message = verify()
    assert code == 1
    assert "first bad entry is 6" in message and "inserted outside the chain" in message


def test_a_row_inserted_in_the_middle_by_renumbering_is_named(entries):
    """Shift entries 3–5 up by one and slip a forged entry 3 in, linked correctly to entry 2."""
    with tampering():
        for seq in (5, 4, 3):
            run_sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [seq + 1, seq])
    _forged(3, AuditEntry.objects.get(seq=2).entry_hash, valid_hash=True).save()
    code, _, message = verify()
    assert code == 1
    # The forged entry hashes correctly; the old entry 3, now at 4, no longer follows it.
    assert "first bad entry is 4" in message


def test_a_later_valid_verification_follows_a_failed_one_on_the_page(entries):
    with tampering():
        run_sql("UPDATE audit_auditentry SET reason = %s WHERE seq = 1", ["x"])
    verify()
    with tampering():
        run_sql("UPDATE audit_auditentry SET reason = %s WHERE seq = 1", [""])
    verify()
    assert [run.ok for run in VerificationRun.objects.order_by("pk")] == [False, True]


def test_verification_streams_in_small_chunks(db):
    """Chunked reading gives the same answer as one fetch (memory stays flat at millions of rows)."""
    write_entries(23)
    call_command("verify_audit", "--no-progress", "--chunk-size", "4")
    assert VerificationRun.objects.get().checked == 23


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_1_and_names_the_entry_on_stderr(capsys):
    """What an operator or CI sees: exit status 1 and the first bad entry on standard error."""
    write_entries(4)
    with tampering():
        run_sql("UPDATE audit_auditentry SET action = %s WHERE seq = 2", ["erasure"])
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "verify_audit", "--no-progress"]).execute()
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert "first bad entry is 2" in captured.err
    assert "verified" not in captured.out
    connection.close()
