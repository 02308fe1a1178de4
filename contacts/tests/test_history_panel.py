"""The history panel beside the call-taking form: repeats, household vulnerability, audit, fixed query count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import Action, AuditEntry
from contacts.models import IncidentType
from contacts.selectors import history_panel
from contacts.services import record_contact
from people.models import VulnerabilityKind, VulnerabilityMarker
from people.services import record_address, record_person


@pytest.fixture
def household(call_handler):
    address = record_address(number_or_name="7", street="Rowley Avenue", postcode="ST17 9AA", town="Stafford")
    today = timezone.localdate()
    adult = record_person(actor=call_handler, given_name="Jo", family_name="Reed", address=address,
                          date_of_birth=date(today.year - 40, 1, 1))
    child = record_person(actor=call_handler, given_name="Alfie", family_name="Reed", address=address,
                          date_of_birth=date(today.year - 6, 1, 1))
    VulnerabilityMarker.objects.create(person=adult, kind=VulnerabilityKind.MENTAL_HEALTH,
                                       from_date=today - timedelta(days=30), source="C000000001")
    return address, adult, child


def _contacts(actor, caller, address, ages_in_days):
    kind = IncidentType.objects.get(code="criminal-damage")
    for days in ages_in_days:
        record_contact(actor=actor, channel="101", incident_type=kind, caller=caller, address=address,
                       received_at=timezone.now() - timedelta(days=days))


def test_two_contacts_in_twelve_months_make_a_repeat_victim_and_location(call_handler, household):
    address, adult, _ = household
    _contacts(call_handler, adult, address, [10, 200, 400])  # the third is older than twelve months
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult, address=address)
    assert panel.total_contacts == 2
    assert panel.caller_count == 2
    assert panel.repeat_victim
    assert panel.repeat_location


def test_one_contact_is_not_a_repeat(call_handler, household):
    address, adult, _ = household
    _contacts(call_handler, adult, address, [10, 400])
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult, address=address)
    assert not panel.repeat_victim
    assert not panel.repeat_location


def test_the_repeat_threshold_is_a_setting(call_handler, household, settings):
    settings.REPEAT_INCIDENT_THRESHOLD = 3
    address, adult, _ = household
    _contacts(call_handler, adult, address, [10, 20])
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult, address=address)
    assert panel.threshold == 3
    assert not panel.repeat_victim


def test_everyone_at_the_address_is_shown_with_their_vulnerability_and_each_view_is_logged(call_handler, household):
    address, adult, child = household
    panel = history_panel(actor=call_handler, reason="Taking a 999 call", address=address)
    factors = {resident.person.given_name: resident.factors for resident in panel.residents}
    assert factors == {"Jo": ["Mental health"], "Alfie": ["Child"]}
    logged = AuditEntry.objects.filter(action=Action.CONSULTATION, reason="Taking a 999 call")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted([str(adult.pk), str(child.pk)])


def test_an_ended_marker_is_not_shown(call_handler, household):
    address, adult, _ = household
    VulnerabilityMarker.objects.filter(person=adult).update(to_date=timezone.localdate() - timedelta(days=1))
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult)
    assert panel.residents[0].factors == []


def test_staff_without_the_person_index_cannot_open_the_panel(outsider, household):
    address, adult, _ = household
    with pytest.raises(PermissionDenied):
        history_panel(actor=outsider, reason="Curious", caller=adult, address=address)
    assert not AuditEntry.objects.filter(action=Action.CONSULTATION).exists()


def test_a_reason_is_required(call_handler, household):
    with pytest.raises(PermissionDenied):
        history_panel(actor=call_handler, reason=" ", address=household[0])


@pytest.mark.parametrize("history", [3, 40])
def test_the_number_of_queries_does_not_grow_with_the_history(
    call_handler, household, history, django_assert_max_num_queries
):
    address, adult, child = household
    victim = IncidentType.objects.get(code="violence-without-injury")
    for day in range(history):
        record_contact(actor=call_handler, channel="999", incident_type=victim, caller=adult, address=address,
                       people=[(child, "witness")], received_at=timezone.now() - timedelta(days=day + 1))
    # Same ceiling whatever the history: memberships, addresses, markers, the counts, the
    # rows, their people, open crimes, DASH, MARAC, and the audit append.
    with django_assert_max_num_queries(15):
        panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult, address=address)
    assert panel.total_contacts == history
