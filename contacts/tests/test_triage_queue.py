"""The triage queue: contacts from every channel awaiting assessment, oldest first, with their channel."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from contacts.models import IncidentType
from contacts.selectors import awaiting_assessment
from contacts.services import assess_thrive, record_contact


def _contact(actor, channel, hours):
    return record_contact(actor=actor, channel=channel, incident_type=IncidentType.objects.get(code="shoplifting"),
                          received_at=timezone.now() - timedelta(hours=hours), location_text="Market Square")


def test_unassessed_contacts_of_every_channel_wait_oldest_first(call_handler, client):
    online = _contact(None, "online", 5)
    business = _contact(None, "business", 7)
    chat = _contact(call_handler, "chat", 1)
    done = _contact(call_handler, "101", 9)
    answers = {"threat": "low", "harm": "low", "risk": "low", "investigation": "none", "vulnerability": "none",
               "engagement": "advice"}
    assess_thrive(contact=done, actor=call_handler, answers=answers, rationales=dict.fromkeys(answers, "Because"))
    graded = _contact(call_handler, "999", 10)
    graded.grade = 1
    graded.save()
    rows, total = awaiting_assessment()
    assert [c.pk for c in rows] == [business.pk, online.pk, chat.pk] and total == 3
    client.force_login(call_handler)
    page = client.get(reverse("contacts:queue")).content.decode()
    table = page[page.index('data-testid="awaiting"'):]
    assert table.index(business.reference) < table.index(online.reference) < table.index(chat.reference)
    assert "Business report" in table and "Online report" in table and "Live chat" in table
    assert done.reference not in table.split("</table>")[0]
