"""The timings selector other apps (demand) read contacts through: clock times only, filtered as asked."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from audit.models import AuditEntry
from contacts.models import IncidentType
from contacts.selectors import contact_timings
from contacts.services import record_contact


def _contact(actor, *, channel, minutes, grade=None):
    contact = record_contact(actor=actor, channel=channel, incident_type=IncidentType.objects.get(code="shoplifting"),
                             received_at=timezone.now() - timedelta(minutes=minutes), location_text="High Street")
    if grade is not None:
        type(contact).objects.filter(pk=contact.pk).update(grade=grade)
    return contact


def test_rows_carry_only_the_clock_columns_oldest_first(call_handler):
    later = _contact(call_handler, channel="101", minutes=5)
    earlier = _contact(call_handler, channel="999", minutes=50)
    rows = contact_timings()
    assert [r["reference"] for r in rows] == [earlier.reference, later.reference]
    assert set(rows[0]) == {"reference", "channel", "grade", "received_at", "answered_at", "closed_at"}
    assert rows[0]["channel"] == "999" and rows[0]["received_at"] == earlier.received_at


def test_rows_are_filtered_by_channel_grade_and_receipt_window(call_handler):
    now = timezone.now()
    old_101 = _contact(call_handler, channel="101", minutes=120)
    new_101 = _contact(call_handler, channel="101", minutes=5, grade=2)
    emergency = _contact(call_handler, channel="999", minutes=30, grade=1)
    _contact(call_handler, channel="999", minutes=20, grade=4)
    assert [r["reference"] for r in contact_timings(channels=["101"])] == [old_101.reference, new_101.reference]
    assert [r["reference"] for r in contact_timings(grades=(1, 2))] == [emergency.reference, new_101.reference]
    window = contact_timings(channels=["101", "999"], since=now - timedelta(minutes=60),
                             until=now - timedelta(minutes=10))
    assert [r["reference"] for r in window] == [emergency.reference, contact_timings(grades=(4,))[0]["reference"]]


def test_reading_timings_logs_no_consultation(call_handler):
    _contact(call_handler, channel="101", minutes=5)
    before = AuditEntry.objects.count()
    contact_timings()
    assert AuditEntry.objects.count() == before
