"""Reporting online: one question a page, nothing lost, one report per journey, and into the triage queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from cases.models import Crime
from contacts.models import Contact, ContactPerson
from people.models import Person
from public.models import OnlineReport

from .helpers import answer, emails_to, question_url, submission_key, walk_to_check

pytestmark = pytest.mark.django_db


def test_the_start_page_says_call_999_in_danger_and_signposts_fraud(client):
    page = client.get(reverse("public:start")).content.decode()
    assert "If you are in danger, or a crime is happening now, call 999." in page
    assert reverse("public:fraud") in page
    assert "Exit this page" in page
    fraud = answer(client, "what", {"kind": "fraud"})
    assert fraud.url == reverse("public:fraud")
    assert "Report Fraud" in client.get(fraud.url).content.decode()


def test_the_public_home_page_links_to_reporting_online(client):
    assert reverse("public:start") in client.get("/").content.decode()


def test_a_whole_report_lands_in_the_triage_queue_as_an_online_contact(client):
    check = walk_to_check(client)
    assert check.status_code == 200
    page = check.content.decode()
    assert "Blue Raleigh bicycle" in page and "ST16 2DH" in page and "350.00" in page
    key = submission_key(client)
    sent = client.post(reverse("public:check"), {"submission_key": key})
    assert sent.url == reverse("public:done")
    report = OnlineReport.objects.select_related("contact__incident_type").get()
    contact = report.contact
    assert contact.channel == "online" and contact.grade is None
    assert contact.incident_type.code == "other-theft"
    assert "Blue Raleigh bicycle" in contact.summary
    assert contact.location_text == "Car park behind the library, Stafford, ST16 2DH"
    assert report.offender_description.startswith("Man in his twenties")
    # The reporter is in the person index, as caller and victim, and the crime is open on the NCRS clock.
    person = Person.objects.get(family_name="Sharma")
    assert set(ContactPerson.objects.filter(contact=contact).values_list("role", flat=True)) == {"caller", "victim"}
    assert Crime.objects.get(contact=contact).victim == person
    assert AuditEntry.objects.filter(action=Action.COLLECTION, person_id=str(person.pk)).exists()
    assert AuditEntry.objects.filter(actor_label="public:online-report").exists()
    done = client.get(sent.url).content.decode()
    assert contact.reference in done
    assert len(emails_to("priya@example.org")) == 1
    assert contact.reference in emails_to("priya@example.org")[0].subject
    # Triage officers open it where they assess calls.
    assert f"/staff/contacts/{contact.reference}/" == reverse("contacts:detail", args=[contact.reference])


def test_a_repeated_submit_creates_one_report(client):
    walk_to_check(client)
    key = submission_key(client)
    first = client.post(reverse("public:check"), {"submission_key": key})
    second = client.post(reverse("public:check"), {"submission_key": key})
    assert first.url == second.url == reverse("public:done")
    assert OnlineReport.objects.count() == Contact.objects.count() == Crime.objects.count() == 1
    assert Person.objects.count() == 1


def test_a_second_report_by_the_same_person_is_matched_to_their_record(client):
    walk_to_check(client)
    client.post(reverse("public:check"), {"submission_key": submission_key(client)})
    walk_to_check(client)
    client.post(reverse("public:check"), {"submission_key": submission_key(client)})
    assert OnlineReport.objects.count() == 2
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(action=Action.COMBINATION).count() == 1


def test_a_validation_error_names_the_field_and_keeps_every_answer(client):
    client.get(reverse("public:start"))
    answer(client, "what")
    response = answer(client, "when", {"date_day": "31", "date_month": "2", "date_year": "2026", "time": "25:00"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Date must be a real date" in page
    assert "Enter the time in 24-hour format, like 14:30" in page
    assert 'value="31"' in page and 'value="25:00"' in page
    # Going elsewhere and coming back still shows what was typed.
    again = client.get(question_url("when")).content.decode()
    assert 'value="31"' in again and 'value="25:00"' in again


def test_the_contact_page_needs_an_email_or_a_mobile(client):
    client.get(reverse("public:start"))
    answer(client, "what")
    response = answer(client, "contact", {"email": "", "phone": ""})
    assert response.status_code == 400
    assert "Enter an e-mail address or a mobile number so we can contact you" in response.content.decode()
    bad = answer(client, "contact", {"email": "", "phone": "12345"})
    assert "Enter a UK mobile number, like 07700 900 982" in bad.content.decode()


def test_a_road_collision_with_injuries_is_sent_to_the_phone(client):
    client.get(reverse("public:start"))
    answer(client, "what", {"kind": "road_collision"})
    response = answer(client, "injured", {"injured": "yes"})
    assert response.url == reverse("public:call-us")


def test_a_collision_checks_the_other_vehicles_registration(client):
    client.get(reverse("public:start"))
    answer(client, "what", {"kind": "road_collision"})
    response = answer(client, "vehicle", {"registration": "NOT A PLATE", "stopped": "no"})
    assert response.status_code == 400
    assert "Enter the vehicle registration as it is on the number plate" in response.content.decode()
    assert answer(client, "vehicle", {"registration": "ab12cde", "stopped": "no"}).status_code == 302


def test_anti_social_behaviour_is_recorded_as_its_nsir_type(client):
    client.get(reverse("public:start"))
    for step in ("what", "when", "where", "description", "suspect", "name", "contact"):
        answer(client, step, {"kind": "asb"} if step == "what" else None)
    # The journey asks who is affected (not what was stolen) before the answers can be checked.
    response = client.get(reverse("public:check"))
    assert response.url == question_url("affected")
    answer(client, "affected", {"asb_category": "environmental"})
    client.post(reverse("public:check"), {"submission_key": submission_key(client)})
    assert Contact.objects.get().incident_type.code == "asb-environmental"
    assert not Crime.objects.exists()


def test_a_robot_filling_the_hidden_field_is_refused_and_nothing_is_stored(client):
    walk_to_check(client)
    response = client.post(reverse("public:check"), {"submission_key": submission_key(client), "fc_website": "http://spam"})
    assert response.status_code == 400
    assert not OnlineReport.objects.exists()


def test_submitting_too_often_from_one_address_is_slowed_down(client, settings):
    settings.PUBLIC_REPORTS_PER_MINUTE = 2
    from django.core.cache import caches

    caches["ratelimit"].clear()
    statuses = [client.post(reverse("public:check"), {"submission_key": "x"}).status_code for _ in range(4)]
    assert statuses[:2] == [302, 302]
    assert statuses[2:] == [429, 429]
    caches["ratelimit"].clear()


def test_a_time_later_today_is_refused_on_the_page_naming_the_time(client):
    from datetime import timedelta

    from django.utils import timezone

    client.get(reverse("public:start"))
    answer(client, "what")
    now = timezone.localtime()
    later = now + timedelta(minutes=2)
    if later.date() != now.date():
        pytest.skip("two minutes before midnight: no later time today")
    response = answer(client, "when", {"date_day": str(now.day), "date_month": str(now.month),
                                       "date_year": str(now.year), "time": f"{later:%H:%M}"})
    assert response.status_code == 400
    assert "The time it happened must be in the past" in response.content.decode()


def test_a_triage_officer_opens_the_report_where_calls_are_assessed(client, make_user):
    from .helpers import send_report

    reference = send_report(client)
    client.force_login(make_user("triage-officer", username="triage7"))
    queue = client.get(reverse("contacts:queue")).content.decode()
    assert reference in queue
    page = client.get(reverse("contacts:detail", args=[reference]))
    assert page.status_code == 200
    assert "Blue Raleigh bicycle" in page.content.decode()
