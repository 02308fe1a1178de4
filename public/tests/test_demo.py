"""The demo's online reporting: safe to run twice, and a newcomer sees reports in triage and a flagged series."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Contact
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
    assert first == second == (2, 10, 10, 2, 3)
    assert set(SeriesLink.objects.values_list("basis", flat=True)) == {"vehicle", "offender"}
    assert Contact.objects.filter(channel="online", grade__isnull=True).count() == 5
    output = capsys.readouterr().out
    assert "jo.patel@cornershops.example" in output and "firstcontact-demo" in output
    assert authenticate_business_user(email="jo.patel@cornershops.example", password="firstcontact-demo")


def test_the_demo_command_needs_demo_mode(settings):
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("seed_online_reports", "--demo")
