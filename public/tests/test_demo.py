"""The demo's online reporting: safe to run twice; a newcomer sees reports in triage, a flagged series and an online review."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from cases.selectors import open_review_requests
from contacts.models import Contact
from notifications.models import Message
from public.models import BusinessAccount, BusinessUser, OnlineReport, SeriesLink
from public.services import authenticate_business_user

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_the_same_demo(settings, capsys):
    settings.DEMO = True
    call_command("seed_online_reports", "--demo")
    first = (BusinessAccount.objects.count(), OnlineReport.objects.count(), Contact.objects.count(),
             SeriesLink.objects.count(), BusinessUser.objects.count())
    call_command("seed_online_reports", "--demo")
    second = (BusinessAccount.objects.count(), OnlineReport.objects.count(), Contact.objects.count(),
              SeriesLink.objects.count(), BusinessUser.objects.count())
    assert first == second == (2, 11, 11, 2, 3)
    assert set(SeriesLink.objects.values_list("basis", flat=True)) == {"vehicle", "offender"}
    assert Contact.objects.filter(channel="online", grade__isnull=True).count() == 5
    # One victim asked online for a review; it waits in the supervisors' queue, and only once.
    [waiting] = open_review_requests()
    assert (waiting.channel, waiting.status, waiting.outcome.number) == ("online", "received", 21)
    assert waiting.crime.victim.email == "kwame.asante@example.org"
    # The victim was sent the receipt an online request gets, once for the two runs.
    [receipt] = Message.objects.filter(template="right_to_review_receipt")
    assert (receipt.to, receipt.reference) == ("kwame.asante@example.org", waiting.receipt_reference)
    output = capsys.readouterr().out
    assert "1 request for a review sent online" in output
    assert "jo.patel@cornershops.example" in output and "firstcontact-demo" in output
    assert authenticate_business_user(email="jo.patel@cornershops.example", password="firstcontact-demo")


def test_the_demo_command_needs_demo_mode(settings):
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("seed_online_reports", "--demo")
