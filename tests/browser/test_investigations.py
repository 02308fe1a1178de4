"""Investigations in a real browser: the resolution queue and take next, a plan, a review, a victim update."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Investigation, InvestigationState
from cases.tests.factories import resolution_centre, routed_crime
from people.services import record_person, record_vulnerability
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def hanley(reference_data):
    return resolution_centre()


def _staff(make_user, hanley, role, username):
    user = make_user(role, username=username)
    user.teams.add(hanley)
    return user


def test_an_investigator_sees_the_queue_in_order_and_takes_the_next_crime(
    page, live_server, make_user, password, hanley
):
    """I should see the vulnerable victim's crime first, and "take next" should give me that one."""
    handler = make_user("call-handler", username="handler-inv")
    resolver = _staff(make_user, hanley, "resolution-investigator", "resolver-inv")
    plain = routed_crime(actor=handler, received_at=timezone.now() - timedelta(hours=5))
    elderly = record_person(actor=handler, given_name="Edna", family_name="Pike")
    record_vulnerability(actor=handler, person=elderly, kind="elderly", from_date=timezone.localdate(), source="test")
    vulnerable = routed_crime(actor=handler, victim=elderly, received_at=timezone.now() - timedelta(hours=1))
    services.queue_routed_crimes(actor=handler)

    sign_in(page, live_server.url, resolver.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Resolution queue").click()
    expect(page).to_have_title("Resolution queue: Hanley Resolution Centre – FirstContact")
    rows = page.get_by_test_id("resolution-queue").locator("tbody tr").all_inner_texts()
    assert rows[0].startswith(vulnerable.reference) and "Vulnerable" in rows[0]
    assert rows[1].startswith(plain.reference)
    assert_accessible(page)

    page.get_by_role("button", name="Take the next crime").click()
    expect(page).to_have_title(f"Investigation {vulnerable.reference} – FirstContact")
    assert page.get_by_text(f"{vulnerable.reference} is now yours").is_visible()
    assert "Contact the victim by" in page.get_by_test_id("first-contact").inner_text()
    assert "Edna Pike" in page.get_by_test_id("victim").inner_text()
    assert_accessible(page)
    inv = Investigation.objects.get(crime=vulnerable)
    assert inv.state == InvestigationState.ALLOCATED and inv.investigator == resolver

    # The workload table counts it against me.
    page.get_by_role("link", name="Resolution queue").first.click()
    workload = page.get_by_test_id("workload").inner_text()
    assert resolver.get_full_name() in workload


def test_a_plan_is_built_and_a_supervisor_reviews_it(page, live_server, make_user, password, hanley):
    """I should add lines of enquiry (a bad date named, what I typed kept), record contact, and get a review."""
    handler = make_user("call-handler", username="handler-plan")
    supervisor = _staff(make_user, hanley, "supervisor", "sup-plan")
    crime = routed_crime(actor=handler)
    services.queue_routed_crimes(actor=handler)
    services.allocate_investigation(crime=crime, actor=supervisor, investigator=supervisor)

    sign_in(page, live_server.url, supervisor.username, password)
    page.goto(f"{live_server.url}/staff/crimes/{crime.reference}/investigation/")
    page.get_by_text("Add a line of enquiry").click()
    enquiry = page.locator("form[action$='/investigation/enquiries/']")
    enquiry.get_by_label("Line of enquiry").fill("Get the shop's CCTV")
    enquiry.get_by_label("Day", exact=True).fill("31")
    enquiry.get_by_label("Month", exact=True).fill("2")
    enquiry.get_by_label("Year", exact=True).fill("2030")
    page.get_by_role("button", name="Add the line of enquiry").click()
    expect(page).to_have_title(f"Error: Investigation {crime.reference} – FirstContact")
    assert "Due by must be a real date" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Line of enquiry").input_value() == "Get the shop's CCTV"
    assert_accessible(page)
    enquiry.get_by_label("Day", exact=True).fill("28")
    page.get_by_role("button", name="Add the line of enquiry").click()
    assert page.get_by_text("Line of enquiry added", exact=True).is_visible()
    assert "Get the shop's CCTV" in page.get_by_test_id("enquiry").inner_text()

    page.get_by_text("Record a contact attempt").click()
    page.get_by_label("Video call").check()
    page.get_by_label("Spoke to the victim").check()
    page.get_by_role("button", name="Record the attempt").click()
    assert "Video call" in page.get_by_test_id("contact-attempts").inner_text()
    assert "Reached" in page.get_by_test_id("first-contact").inner_text()

    page.get_by_text("Review the investigation").click()
    page.get_by_label("Risk").fill("Low: the victim is safe and supported")
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("New actions (optional)").fill("Chase the CCTV by Friday")
    page.get_by_role("button", name="Record the review").click()
    assert page.get_by_text("Review recorded", exact=True).is_visible()
    review = page.get_by_test_id("review").inner_text()
    assert "On allocation" in review and "Chase the CCTV by Friday" in review
    assert (timezone.localdate() + timedelta(days=7)).strftime("%-d %b %Y") in review
    assert_accessible(page)
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "Supervisor review" in timeline and "Line of enquiry added" in timeline


def test_a_key_decision_is_told_to_the_victim_by_email_through_the_outbox(
    page, live_server, make_user, password, hanley
):
    """I should see the key decision's tell-by date, send the update by email, and see it kept on the case."""
    from notifications.models import Message

    handler = make_user("call-handler", username="handler-upd")
    resolver = _staff(make_user, hanley, "resolution-investigator", "resolver-upd")
    victim = record_person(actor=handler, given_name="Ama", family_name="Owusu", email="ama@example.org")
    crime = routed_crime(actor=handler, victim=victim)
    services.queue_routed_crimes(actor=handler)
    services.allocate_investigation(crime=crime, actor=make_user("supervisor", username="sup-upd"),
                                    investigator=resolver)
    services.record_decision(crime=crime, actor=resolver, kind="arrested", decision="Dean Marsh arrested",
                             rationale="Identified from CCTV")

    sign_in(page, live_server.url, resolver.username, password)
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Investigations").click()
    page.get_by_role("link", name="Victim updates", exact=True).click()
    expect(page).to_have_title("Victim updates due – FirstContact")
    assert crime.reference in page.get_by_test_id("decisions-due").inner_text()
    assert_accessible(page)

    page.get_by_test_id("decisions-due").get_by_role("link", name=crime.reference).click()
    page.get_by_text("Update the victim", exact=True).click()
    update = page.locator("form[action$='/investigation/updates/']")
    update.get_by_label("Email").check()
    update.get_by_role("button", name="Give the update").click()
    assert "Enter update for the victim" in page.locator(".govuk-error-summary").inner_text()
    update = page.locator("form[action$='/investigation/updates/']")
    assert update.get_by_label("Email").is_checked()
    update.get_by_label("Update for the victim").fill("The man we arrested has been interviewed.")
    page.get_by_role("button", name="Give the update").click()
    assert page.get_by_text("Update to the victim recorded", exact=True).is_visible()
    assert "The man we arrested has been interviewed." in page.get_by_test_id("victim-updates").inner_text()
    assert "Told" in page.get_by_test_id("decisions").inner_text()
    assert_accessible(page)
    message = Message.objects.get(template="victim_update")
    assert message.to == "ama@example.org" and crime.reference in message.subject
