"""Save and return by an e-mailed link; track a report with a one-time code sent by e-mail or text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases.models import Crime, CrimeStatus, OutcomeType
from public.models import OnlineReport, ReportDraft, TrackingCode
from public.services import CODE_LOCKED, CODE_REFUSED

from .helpers import ANSWERS, answer, emails_to, link_in, question_url, send_report

pytestmark = pytest.mark.django_db


def test_save_and_return_keeps_every_answer_and_mails_a_link(client):
    client.get(reverse("public:start"))
    answer(client, "what")
    answer(client, "when")
    # Saved from a page with an answer not yet valid: that answer is kept as typed too.
    answer(client, "where", {"location": "", "postcode": "not a postcode"}, save_for_later="1")
    response = client.post(reverse("public:save"), {"email": "sam@example.org"})
    assert "We have sent a link to sam@example.org" in response.content.decode()
    draft = ReportDraft.objects.get()
    assert draft.token_hash not in emails_to("sam@example.org")[0].body
    link = link_in(emails_to("sam@example.org")[0], r"http\S+/report/resume/\S+/")
    # A new browser (no session) opens the link and carries on where the reporter stopped.
    client.cookies.clear()
    resumed = client.get(link[link.index("/report/"):])
    assert resumed.url == question_url("where")
    page = client.get(resumed.url).content.decode()
    assert 'value="not a postcode"' in page
    assert client.session["public_report"]["steps"]["when"]["time"] == ANSWERS["when"]()["time"]


def test_an_expired_or_unknown_link_opens_nothing(client):
    client.get(reverse("public:start"))
    answer(client, "what")
    client.post(reverse("public:save"), {"email": "sam@example.org"})
    ReportDraft.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    link = link_in(emails_to("sam@example.org")[0], r"/report/resume/\S+/")
    assert client.get(link).status_code == 404
    assert client.get(reverse("public:resume", args=["made-up"])).status_code == 404


def _ask_for_code(client, reference: str, detail: str = "priya@example.org"):
    return client.post(reverse("public:track"), {"reference": reference, "contact_detail": detail})


def _code_sent(address: str = "priya@example.org") -> str:
    message = [m for m in emails_to(address) if m.template == "track_code"][-1]
    return link_in(message, r"\b\d{6}\b")


def test_tracking_needs_the_code_sent_to_the_reporter_and_shows_the_status(client):
    reference = send_report(client)
    response = _ask_for_code(client, reference.lower())
    assert response.url == reverse("public:track-code")
    code = _code_sent()
    assert TrackingCode.objects.get().code_hash != code
    status = client.post(reverse("public:track-code"), {"code": code})
    assert status.url == reverse("public:track-status")
    page = client.get(status.url).content.decode()
    assert reference in page
    assert "We are recording your report as a crime." in page
    assert "Next update" in page and "By " in page
    report = OnlineReport.objects.get()
    assert AuditEntry.objects.filter(action=Action.CONSULTATION, person_id=str(report.reporter_id),
                                     subject_type="public.onlinereport").exists()
    # A code works once.
    client.cookies.clear()
    client.post(reverse("public:track"), {"reference": reference, "contact_detail": "someone@else.org"})
    again = client.post(reverse("public:track-code"), {"code": code})
    assert CODE_REFUSED in again.content.decode()


def test_tracking_shows_the_outcome_in_plain_words_and_no_next_update_when_closed(client):
    reference = send_report(client)
    crime = Crime.objects.get()
    outcome = OutcomeType.objects.get(number=18)
    Crime.objects.filter(pk=crime.pk).update(status=CrimeStatus.CLOSED, outcome=outcome, closed_at=timezone.now())
    _ask_for_code(client, reference)
    client.post(reverse("public:track-code"), {"code": _code_sent()})
    page = client.get(reverse("public:track-status")).content.decode()
    assert "The investigation has finished." in page
    assert outcome.name in page
    assert "we have finished dealing with your report" in page


def test_details_that_do_not_match_send_nothing_and_say_nothing(client):
    reference = send_report(client)
    before = len(emails_to("priya@example.org"))
    response = _ask_for_code(client, reference, "someone@else.org")
    assert response.url == reverse("public:track-code")
    unknown = _ask_for_code(client, "C999999999", "priya@example.org")
    assert unknown.url == reverse("public:track-code")
    assert len(emails_to("priya@example.org")) == before
    assert not TrackingCode.objects.exists()


def test_a_code_stops_working_after_too_many_wrong_tries_or_when_it_expires(client, settings):
    settings.PUBLIC_TRACK_CODE_ATTEMPTS = 3
    reference = send_report(client)
    _ask_for_code(client, reference)
    code = _code_sent()
    wrong = "000000" if code != "000000" else "111111"
    pages = [client.post(reverse("public:track-code"), {"code": wrong}).content.decode() for _ in range(3)]
    assert CODE_REFUSED in pages[0] and CODE_LOCKED in pages[2]
    assert TrackingCode.objects.get().attempts == 3
    assert CODE_LOCKED in client.post(reverse("public:track-code"), {"code": code}).content.decode()
    _ask_for_code(client, reference)
    fresh = _code_sent()
    TrackingCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert CODE_REFUSED in client.post(reverse("public:track-code"), {"code": fresh}).content.decode()


def test_a_reporter_who_gave_only_a_mobile_gets_the_code_by_text(client):
    reference = send_report(client, contact={"email": "", "phone": "07700 900 982"})
    response = _ask_for_code(client, reference, "+44 7700 900982")
    assert response.url == reverse("public:track-code")
    code = _code_sent("+447700900982")
    assert TrackingCode.objects.get().channel == "sms"
    assert client.post(reverse("public:track-code"), {"code": code}).url == reverse("public:track-status")


def test_the_reference_is_checked_for_its_format(client):
    response = client.post(reverse("public:track"), {"reference": "12345", "contact_detail": "a@b.org"})
    assert response.status_code == 400
    assert "C then 9 numbers" in response.content.decode()


def test_the_investigators_updates_and_the_agreed_next_update_are_shown(client, make_user):
    from cases.services import agree_update_plan, record_victim_update

    reference = send_report(client)
    crime = Crime.objects.get()
    investigator = make_user("investigator", username="inv5")
    agree_update_plan(crime=crime, actor=investigator, every_days=14, channel="phone")
    record_victim_update(crime=crime, actor=investigator, channel="phone",
                         message="We have asked the shop next door for their CCTV.")
    _ask_for_code(client, reference)
    client.post(reverse("public:track-code"), {"code": _code_sent()})
    page = client.get(reverse("public:track-status")).content.decode()
    assert "We have asked the shop next door for their CCTV." in page
    due = crime.investigation.__class__.objects.get(crime=crime).next_update_due_on
    assert due is not None
    assert f"{due:%-d %B %Y}" in page
