"""Writing to the log: same transaction as the change, the s.62 rules, and storage that hashes back the same."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit import chain, selectors
from audit.models import AuditEntry, ChainHead
from audit.services import (
    NOT_IN_TRANSACTION,
    REASON_REQUIRED,
    RECIPIENTS_REQUIRED,
    PendingEntry,
    append_entries,
    record_entry,
    record_standalone,
    seal_pending,
)

from .helpers import write_entries


def walk() -> chain.Verification:
    """Chain what is staged, then verify the whole chain against its head."""
    seal_pending()
    return chain.verify_chain(selectors.chain_rows(), **_head())


def _head() -> dict:
    head = selectors.chain_head()
    return {"head_seq": head.seq, "head_hash": head.last_hash}


@pytest.mark.django_db(transaction=True)
def test_an_entry_outside_a_transaction_is_refused():
    """An audit entry must commit or fail with the change it records, so it needs the caller's transaction."""
    with pytest.raises(RuntimeError) as exc:
        record_entry(actor=None, action="collection", subject_type="people.person", subject_id="1")
    assert str(exc.value) == NOT_IN_TRANSACTION
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_entry_and_no_gap(call_handler):
    """The entry goes with its transaction; the next one takes the same seq, so the chain has no hole."""
    write_entries(2, actor=call_handler)

    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed), transaction.atomic():
        record_entry(actor=call_handler, action="alteration", subject_type="people.person", subject_id="9")
        raise ChangeFailed

    assert not AuditEntry.objects.filter(subject_id="9").exists()
    assert ChainHead.objects.get(pk=1).seq == 2
    write_entries(1, actor=call_handler, subject_id="10")
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert walk().ok


def test_an_entry_records_who_what_and_why(call_handler):
    with transaction.atomic():
        record_entry(
            actor=call_handler, action="consultation", subject_type="people.person", subject_id=42,
            person_id=42, reason="  Caller asked about a neighbour  ", detail={"fields": ["history"]},
        )
    entry = AuditEntry.objects.get()
    assert (entry.seq, entry.actor_id, entry.actor_label) == (1, call_handler.pk, "handler1")
    assert (entry.subject_type, entry.subject_id, entry.person_id) == ("people.person", "42", "42")
    assert entry.reason == "Caller asked about a neighbour"
    assert entry.prev_hash == chain.GENESIS_HASH
    assert ChainHead.objects.get(pk=1).last_hash == entry.entry_hash


@pytest.mark.parametrize("reason", ["", "   "])
@pytest.mark.parametrize("action", ["consultation", "disclosure"])
def test_consultation_and_disclosure_need_a_reason(db, action, reason):
    with pytest.raises(ValueError) as exc, transaction.atomic():
        record_entry(
            actor=None, action=action, subject_type="people.person", subject_id="1", reason=reason,
            recipients=["Victim Support"],
        )
    assert str(exc.value) == REASON_REQUIRED
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("recipients", [(), [""], ["  "]])
def test_a_disclosure_needs_its_recipients(db, recipients):
    with pytest.raises(ValueError) as exc, transaction.atomic():
        record_entry(
            actor=None, action="disclosure", subject_type="people.person", subject_id="1",
            reason="Referral to MARAC", recipients=recipients,
        )
    assert str(exc.value) == RECIPIENTS_REQUIRED


def test_a_disclosure_logs_its_recipients(db):
    with transaction.atomic():
        record_entry(
            actor=None, action="disclosure", subject_type="people.person", subject_id="1",
            reason="Referral to MARAC", recipients=["MARAC coordinator", " Victim Support "],
        )
    assert AuditEntry.objects.get().recipients == ["MARAC coordinator", "Victim Support"]


def test_recipients_given_as_one_string_are_refused(db):
    with pytest.raises(ValueError, match="list of names"), transaction.atomic():
        record_entry(
            actor=None, action="disclosure", subject_type="people.person", subject_id="1",
            reason="Referral", recipients="Victim Support",
        )


def test_an_unknown_action_is_refused_naming_those_accepted(db):
    with pytest.raises(ValueError, match="accepted: collection, alteration"), transaction.atomic():
        record_entry(actor=None, action="peek", subject_type="people.person", subject_id="1")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"subject_id": "9" * 65}, "subject_id must be 64 characters or fewer"),
        ({"subject_type": "x" * 61}, "subject_type must be 60 characters or fewer"),
        ({"person_id": "1" * 65}, "person_id must be 64 characters or fewer"),
        ({"reason": "a\x00b"}, "reason contains a NUL character"),
        ({"reason": "a\ud800b"}, "reason contains a lone surrogate"),
        ({"detail": {"score": 0.25}}, "detail.score is a decimal number"),
    ],
)
def test_content_the_database_would_change_is_refused_naming_the_field(db, kwargs, message):
    """SQLite would store it and PostgreSQL refuse it; either way the stored row would not match its hash."""
    arguments = {"actor": None, "action": "collection", "subject_type": "people.person", "subject_id": "1"}
    with pytest.raises(ValueError, match=message), transaction.atomic():
        record_entry(**(arguments | kwargs))


def test_a_batch_is_chained_in_order(db):
    with transaction.atomic():
        count = append_entries(
            PendingEntry(action="combination", subject_type="people.person", subject_id=str(n), person_id=str(n))
            for n in range(1, 8)
        )
    assert count == 7
    assert list(AuditEntry.objects.values_list("subject_id", flat=True)) == [str(n) for n in range(1, 8)]
    assert walk().ok


def test_record_standalone_opens_its_own_transaction(db):
    record_standalone(
        actor=None, action="consultation", subject_type="people.person", subject_id="3", reason="Welfare check"
    )
    assert AuditEntry.objects.get().reason == "Welfare check"


def test_entries_carry_the_source_and_request_id_of_the_request(client, dpo):
    client.force_login(dpo)
    client.get("/staff/audit/", headers={"X-Request-ID": "req-123"})
    entry = AuditEntry.objects.get()
    assert (entry.source, entry.request_id) == ("web", "req-123")


def test_an_unusable_request_id_is_replaced(client, dpo):
    """A caller's header is stored in every entry: one too long or odd is swapped for our own id."""
    client.force_login(dpo)
    response = client.get("/staff/audit/", headers={"X-Request-ID": "x" * 200})
    entry = AuditEntry.objects.get()
    assert len(entry.request_id) == 32 and entry.request_id != "x" * 200
    assert response["X-Request-ID"] == entry.request_id


# Every Unicode character except NUL and lone surrogates, which the writer refuses (tested above).
text_without_nul = st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reason=text_without_nul, label=text_without_nul.filter(lambda t: len(t) <= 150), key=text_without_nul)
def test_any_unicode_is_stored_and_read_back_with_the_same_hash(db, reason, label, key):
    """Whatever the database does to text and JSON, the row read back hashes to what was written."""
    with transaction.atomic():
        record_entry(
            actor=None, actor_label=label or "system", action="collection", subject_type="people.person",
            subject_id="1", reason=reason, detail={key: [reason, 1, None, True]},
        )
    result = walk()
    assert result.ok, result.problem
    assert AuditEntry.objects.order_by("-seq").first().reason == reason.strip()
