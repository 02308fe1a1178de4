"""Resolution queues, allocation, take next, the plan, reviews, Victims' Code updates and bureau tasks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Action, AuditEntry
from cases import rules, selectors, services
from cases.models import (
    BureauTaskStatus,
    ContactResult,
    CrimeStatus,
    DecisionKind,
    EnquiryStatus,
    Investigation,
    InvestigationState,
    Reopening,
)
from people.models import PersonLink
from people.services import record_person, record_vulnerability

from .factories import routed_crime


def events(crime, event):
    return AuditEntry.objects.filter(subject_type="cases.crime", subject_id=str(crime.pk), detail__event=event)


def test_routed_crimes_queue_once_and_in_the_order_that_matters(call_handler, hanley):
    plain = routed_crime(actor=call_handler)
    vulnerable_victim = record_person(actor=call_handler, given_name="Edna", family_name="Pike")
    record_vulnerability(actor=call_handler, person=vulnerable_victim, kind="elderly", from_date=date(2020, 1, 1),
                         source="test")
    vulnerable = routed_crime(actor=call_handler, victim=vulnerable_victim)
    hate = routed_crime(actor=call_handler, incident_code="public-order", classification="9B")

    assert services.queue_routed_crimes(actor=call_handler) == 3
    assert services.queue_routed_crimes(actor=call_handler) == 0  # a rerun queues nothing twice

    order = [inv.crime.reference for inv in selectors.resolution_queue(hanley)]
    # The vulnerable victim first; then the hate crime, whose enhanced rights bring its contact deadline forward.
    assert order == [vulnerable.reference, hate.reference, plain.reference]
    hate_inv = Investigation.objects.get(crime=hate)
    assert hate_inv.enhanced_rights and hate_inv.contact_due_on == rules.add_working_days(timezone.localdate(), 1)
    assert Investigation.objects.get(crime=plain).contact_due_on == rules.add_working_days(timezone.localdate(), 5)
    assert events(plain, "queued").count() == 1
    assert events(plain, "victims_code_assessed").get().action == Action.CONSULTATION


def test_solvability_breaks_ties_in_the_queue(call_handler, supervisor, hanley):
    first = routed_crime(actor=call_handler)
    second = routed_crime(actor=call_handler)
    for crime in (first, second):
        services.queue_for_resolution(crime=crime, actor=call_handler, team=hanley)
    services.assess_solvability(crime=second, actor=supervisor, factors=["cctv", "witness"])
    assert [i.crime_id for i in selectors.resolution_queue(hanley)] == [second.pk, first.pk]
    with pytest.raises(ValidationError):
        services.assess_solvability(crime=first, actor=supervisor, factors=["hunch"])


def test_take_next_gives_two_investigators_different_crimes(call_handler, resolver, make_user, hanley):
    other = make_user("resolution-investigator", username="ravi")
    crimes = [routed_crime(actor=call_handler) for _ in range(2)]
    services.queue_routed_crimes(actor=call_handler)
    mine = services.take_next(actor=resolver, team=hanley)
    theirs = services.take_next(actor=other, team=hanley)
    assert {mine.crime_id, theirs.crime_id} == {c.pk for c in crimes}
    assert services.take_next(actor=resolver, team=hanley) is None
    mine.refresh_from_db()
    assert mine.state == InvestigationState.ALLOCATED and mine.investigator == resolver
    assert mine.next_review_due_on == timezone.localdate()  # reviewed on allocation
    assert mine.crime.status == CrimeStatus.UNDER_INVESTIGATION
    assert [w.open for w in selectors.team_workload(hanley)] == [1]


def test_someone_who_cannot_investigate_is_not_allocated(call_handler, supervisor, make_user, hanley):
    crime = routed_crime(actor=call_handler)
    with pytest.raises(ValidationError) as error:
        services.allocate_investigation(crime=crime, actor=supervisor, investigator=make_user("analyst"))
    assert "investigator" in error.value.message_dict


def test_plan_contact_review_and_timeline(call_handler, resolver, supervisor, hanley):
    crime = routed_crime(actor=call_handler)
    services.queue_routed_crimes(actor=call_handler)
    services.allocate_investigation(crime=crime, actor=supervisor, investigator=resolver)

    services.record_contact_attempt(crime=crime, actor=resolver, method="phone", result="no_answer")
    attempt = services.record_contact_attempt(crime=crime, actor=resolver, method="video", result=ContactResult.SPOKE,
                                              form_token="tok-1")
    again = services.record_contact_attempt(crime=crime, actor=resolver, method="video", result="spoke",
                                            form_token="tok-1")
    assert again.pk == attempt.pk and crime.contact_attempts.count() == 2
    assert Investigation.objects.get(crime=crime).first_contacted_at is not None

    with pytest.raises(ValidationError) as error:
        services.add_enquiry(crime=crime, actor=resolver, title="", due_on=timezone.localdate() - timedelta(days=1))
    assert set(error.value.message_dict) == {"title", "due_on"}
    enquiry = services.add_enquiry(crime=crime, actor=resolver, title="Get the shop's CCTV", owner=resolver,
                                   due_on=timezone.localdate() + timedelta(days=3))
    with pytest.raises(ValidationError):
        services.update_enquiry(enquiry=enquiry, actor=resolver, status=EnquiryStatus.DONE)
    services.update_enquiry(enquiry=enquiry, actor=resolver, status=EnquiryStatus.DONE, result="Footage seized")

    with pytest.raises(PermissionDenied):
        services.record_review(crime=crime, actor=resolver, risk="Low", quality="good")
    first = services.record_review(crime=crime, actor=supervisor, risk="Low", quality="good")
    assert first.kind == "allocation" and first.next_review_on == timezone.localdate() + timedelta(days=7)
    second = services.record_review(crime=crime, actor=supervisor, risk="Low", quality="requires_improvement",
                                    new_actions="Trace the suspect's car")
    assert second.next_review_on == timezone.localdate() + timedelta(days=28)
    assert Investigation.objects.get(crime=crime).next_review_due_on == second.next_review_on

    kinds = [event.kind for event in selectors.case_timeline(crime)]
    assert kinds[0] == "reported"
    for expected in ("queued", "allocated", "victim_contact", "enquiry", "enquiry_finished", "review"):
        assert expected in kinds


def test_a_suspect_is_linked_through_the_person_index_and_logged(call_handler, resolver):
    crime = routed_crime(actor=call_handler)
    suspect = record_person(actor=call_handler, given_name="Dean", family_name="Marsh")
    with pytest.raises(ValidationError) as error:
        services.link_suspect(crime=crime, actor=resolver, person_reference="P99999999", reason="Seen on CCTV")
    assert "person_reference" in error.value.message_dict
    services.link_suspect(crime=crime, actor=resolver, person_reference=suspect.reference, reason="Seen on CCTV")
    services.link_suspect(crime=crime, actor=resolver, person_reference=suspect.reference, reason="Seen on CCTV")
    assert crime.suspects.count() == 1
    assert PersonLink.objects.filter(person=suspect, crime_reference=crime.reference, role="suspect").exists()
    assert AuditEntry.objects.filter(person_id=str(suspect.pk), action=Action.CONSULTATION).exists()
    assert AuditEntry.objects.filter(person_id=str(suspect.pk), action=Action.COMBINATION).exists()


def test_key_decisions_are_due_in_working_days_and_an_update_tells_them(call_handler, resolver):
    crime = routed_crime(actor=call_handler)
    services.queue_routed_crimes(actor=call_handler)
    general = services.record_decision(crime=crime, actor=resolver, kind=DecisionKind.GENERAL,
                                       decision="Prioritise CCTV", rationale="Best evidence")
    key = services.record_decision(crime=crime, actor=resolver, kind=DecisionKind.SUSPECT_ARRESTED,
                                   decision="Dean Marsh arrested", rationale="Identified on CCTV")
    assert general.tell_victim_by is None
    assert key.tell_victim_by == rules.add_working_days(timezone.localdate(), 5)
    services.set_enhanced_rights(crime=crime, actor=resolver, enhanced=True, reason="Victim intimidated")
    enhanced_key = services.record_decision(crime=crime, actor=resolver, kind=DecisionKind.CHARGED,
                                            decision="Charged with theft", rationale="CPS advice")
    assert enhanced_key.tell_victim_by == rules.add_working_days(timezone.localdate(), 1)
    with pytest.raises(ValidationError):
        services.set_enhanced_rights(crime=crime, actor=resolver, enhanced=False, reason="")

    services.agree_update_plan(crime=crime, actor=resolver, every_days=14, channel="phone")
    update = services.record_victim_update(crime=crime, actor=resolver, channel="phone",
                                           message="Told of the arrest and charge", form_token="u-1")
    services.record_victim_update(crime=crime, actor=resolver, channel="phone", message="again", form_token="u-1")
    assert crime.victim_updates.count() == 1
    assert set(update.decisions.values_list("pk", flat=True)) == {key.pk, enhanced_key.pk}
    assert Investigation.objects.get(crime=crime).next_update_due_on == timezone.localdate() + timedelta(days=14)
    entry = AuditEntry.objects.get(action=Action.DISCLOSURE, detail__event="victim_update")
    assert entry.person_id == str(crime.victim_id) and entry.recipients


def test_an_email_update_needs_an_email_address(call_handler, resolver):
    crime = routed_crime(actor=call_handler)
    with pytest.raises(ValidationError) as error:
        services.record_victim_update(crime=crime, actor=resolver, channel="email", message="News")
    assert error.value.message_dict["channel"] == ["The victim has no email address recorded; choose another channel."]


def test_reopening_keeps_the_outcome_and_is_audited(call_handler, supervisor):
    crime = routed_crime(actor=call_handler)
    services.queue_routed_crimes(actor=call_handler)
    services.close_crime(crime=crime, actor=supervisor, outcome=18)
    assert Investigation.objects.get(crime=crime).state == InvestigationState.FINISHED
    with pytest.raises(ValidationError):
        services.reopen_crime(crime=crime, actor=supervisor, reason=" ")
    services.reopen_crime(crime=crime, actor=supervisor, reason="New CCTV came in")
    crime.refresh_from_db()
    assert crime.status == CrimeStatus.UNDER_INVESTIGATION and crime.outcome is None
    assert Reopening.objects.get(crime=crime).previous_outcome.number == 18
    assert events(crime, "reopened").get().detail["previous_outcome"] == 18
    with pytest.raises(ValidationError):
        services.reopen_crime(crime=crime, actor=supervisor, reason="again")


def test_bureau_tasks_are_taken_once_and_reported_back(call_handler, resolver, make_user):
    crime = routed_crime(actor=call_handler)
    bureau = make_user("crime-admin", username="cleo")
    task = services.request_bureau_task(crime=crime, actor=resolver, kind="victim_letter",
                                        instructions="Send the victim the crime reference letter", form_token="t-1")
    assert services.request_bureau_task(crime=crime, actor=resolver, kind="victim_letter", instructions="x",
                                        form_token="t-1").pk == task.pk
    with pytest.raises(ValidationError):
        services.complete_bureau_task(task=task, actor=bureau, result="Sent")
    services.take_bureau_task(task=task, actor=bureau)
    with pytest.raises(ValidationError):
        services.take_bureau_task(task=task, actor=make_user("crime-admin", username="cleo2"))
    done = services.complete_bureau_task(task=task, actor=bureau, result="Letter sent first class")
    assert done.status == BureauTaskStatus.DONE
    assert "bureau_task_done" in [e.kind for e in selectors.case_timeline(crime)]


def test_overdue_reviews_and_updates_show_per_supervisor_and_team(call_handler, resolver, supervisor, hanley):
    crime = routed_crime(actor=call_handler)
    services.queue_routed_crimes(actor=call_handler)
    services.allocate_investigation(crime=crime, actor=supervisor, investigator=resolver)
    later = timezone.localdate() + timedelta(days=2)
    assert [i.crime_id for i in selectors.overdue_reviews(today=later)] == [crime.pk]
    grouped = selectors.overdue_reviews_by(today=later)
    assert grouped["team"] == [("Hanley Resolution Centre", 1)]
    assert grouped["supervisor"][0][1] == 1
    due = selectors.victims_code_due(today=later + timedelta(days=10))
    assert [i.crime_id for i in due.updates_overdue] == [crime.pk]


def test_an_email_update_goes_out_through_the_outbox(call_handler, resolver):
    from notifications.models import Message

    victim = record_person(actor=call_handler, given_name="Ama", family_name="Owusu", email="ama@example.org")
    crime = routed_crime(actor=call_handler, victim=victim)
    update = services.record_victim_update(crime=crime, actor=resolver, channel="email",
                                           message="We have seized the shop's CCTV.")
    message = Message.objects.get(reference=update.outbox_reference)
    assert message.to == "ama@example.org" and message.person_id == victim.pk
    assert message.subject == f"An update on your crime report {crime.reference}"
    assert "We have seized the shop's CCTV." in message.body and "Hello Ama" in message.body


def test_a_letter_update_becomes_a_bureau_task(call_handler, resolver):
    from people.services import move_person, record_address

    victim = record_person(actor=call_handler, given_name="Ama", family_name="Owusu")
    crime = routed_crime(actor=call_handler, victim=victim)
    with pytest.raises(ValidationError):
        services.record_victim_update(crime=crime, actor=resolver, channel="letter", message="Your case is closed.")
    home = record_address(number_or_name="12", street="High Street", postcode="ST16 2DH", town="Stafford")
    move_person(actor=call_handler, person=victim, address=home, from_date=date(2020, 1, 1))
    services.record_victim_update(crime=crime, actor=resolver, channel="letter", message="Your case is closed.")
    task = crime.bureau_tasks.get()
    assert task.kind == "victim_letter" and "Your case is closed." in task.instructions


def test_opening_the_plan_of_a_closed_crime_puts_it_in_no_list(call_handler, supervisor):
    crime = routed_crime(actor=call_handler)
    services.close_crime(crime=crime, actor=supervisor, outcome=18)
    inv = services.ensure_investigation(crime=crime, actor=supervisor)
    assert inv.state == InvestigationState.FINISHED
