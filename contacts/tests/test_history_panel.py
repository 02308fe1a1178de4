"""The history panel beside the call-taking form: repeats, household vulnerability, audit, fixed query count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.backends import RolePermissionBackend
from audit.models import Action, AuditEntry
from cases.models import Crime, CrimeStatus, OutcomeType
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


def _know_the_roles(user):
    """Load what each role allows, as a running server already has (accounts/backends.py)."""
    RolePermissionBackend().get_all_permissions(type(user).objects.get(pk=user.pk))


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
    _know_the_roles(call_handler)
    # Same ceiling whatever the history: the handler's roles (once per request), the people (with
    # their markers and what else they have on record), the contacts with their counts, and the
    # audit append in its savepoint.
    with django_assert_max_num_queries(6):
        panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult, address=address)
    assert panel.total_contacts == history


def test_rows_are_newest_first_with_the_roles_of_the_people_shown(call_handler, household):
    address, adult, child = household
    theft = IncidentType.objects.get(code="criminal-damage")
    older = record_contact(actor=call_handler, channel="101", incident_type=theft, caller=adult, address=address,
                           people=[(child, "witness")], received_at=timezone.now() - timedelta(days=30))
    newer = record_contact(actor=call_handler, channel="999", incident_type=theft, caller=adult,
                           location_text="Outside the station", received_at=timezone.now() - timedelta(days=2))
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult, address=address)
    assert [row.contact.reference for row in panel.rows] == [newer.reference, older.reference]
    assert panel.rows[1].roles == ["Jo Reed: Caller", "Alfie Reed: Witness"]
    assert panel.rows[0].roles == ["Jo Reed: Caller"]
    assert panel.rows[0].incident_type == theft.name
    local = timezone.localtime(newer.received_at)
    assert panel.rows[0].received_on == local.strftime("%d %b %Y").lstrip("0")
    # The contact in hand is not part of its own history.
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=adult, address=address,
                          exclude_contact=newer)
    assert [row.contact.reference for row in panel.rows] == [older.reference]
    assert (panel.total_contacts, panel.caller_count, panel.address_count) == (1, 1, 1)


def test_a_long_history_is_counted_in_full_and_shows_the_latest_rows(call_handler, household):
    address, adult, _ = household
    _contacts(call_handler, None, address, range(1, 41))
    panel = history_panel(actor=call_handler, reason="Contact C1", address=address)
    assert panel.total_contacts == 40
    assert panel.address_count == 40
    assert len(panel.rows) == 25
    assert panel.shown_more == 15
    received = [row.contact.received_at for row in panel.rows]
    assert received == sorted(received, reverse=True)
    assert panel.repeat_location and not panel.repeat_victim


def test_the_callers_home_elsewhere_and_its_household_are_shown_after_the_address_given(call_handler, household):
    address, adult, child = household
    elsewhere = record_address(number_or_name="2", street="Mill Lane", postcode="ST16 1AB", town="Stafford")
    today = timezone.localdate()
    caller = record_person(actor=call_handler, given_name="Sam", family_name="Cole", address=elsewhere,
                           date_of_birth=date(today.year - 80, 6, 1))
    partner = record_person(actor=call_handler, given_name="Pat", family_name="Cole", address=elsewhere)
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=caller, address=address)
    assert panel.address_ids == [address.pk, elsewhere.pk]
    relations = {r.person.full_name: (r.relation, r.factors) for r in panel.residents}
    assert relations == {
        "Sam Cole": ("Caller", ["Elderly"]), "Jo Reed": ("Lives at the address", ["Mental health"]),
        "Alfie Reed": ("Lives at the address", ["Child"]), "Pat Cole": ("Lives at the address", []),
    }
    assert panel.residents[0].person == caller
    logged = AuditEntry.objects.filter(action=Action.CONSULTATION, reason="Contact C1")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(
        str(p.pk) for p in (caller, adult, child, partner))


def test_an_empty_address_and_a_caller_with_no_home_still_show_their_history(call_handler):
    empty = record_address(number_or_name="Unit 4", street="Mill Lane", postcode="ST16 1AB", town="Stafford")
    drifter = record_person(actor=call_handler, given_name="Lee", family_name="Hart")
    _contacts(call_handler, drifter, empty, [5, 6])
    panel = history_panel(actor=call_handler, reason="Contact C1", caller=drifter, address=empty)
    assert [r.person for r in panel.residents] == [drifter]
    assert panel.address_ids == [empty.pk]
    assert (panel.total_contacts, panel.caller_count, panel.address_count) == (2, 2, 2)
    assert panel.repeat_victim and panel.repeat_location


def test_open_crimes_dash_and_marac_of_the_household_are_shown_and_closed_crimes_are_not(
    call_handler, household, django_assert_max_num_queries
):
    from cases.services import record_crime_from_contact
    from contacts.models import RiskChecklist
    from contacts.services import assess_dash

    address, adult, child = household
    # Nothing on record: the three lists are not read at all (roles, people, contacts, audit).
    _know_the_roles(call_handler)
    with django_assert_max_num_queries(6):
        panel = history_panel(actor=call_handler, reason="Contact C1", address=address)
    assert (panel.open_crimes, panel.dash_history, panel.marac_referrals) == ([], [], [])

    assault = IncidentType.objects.get(code="violence-without-injury")
    contact = record_contact(actor=call_handler, channel="999", incident_type=assault, caller=adult,
                             address=address, people=[(adult, "victim")], received_at=timezone.now())
    crime = record_crime_from_contact(contact=contact, actor=call_handler, victim=adult)
    checklist = RiskChecklist.objects.get(code="dash-24")
    answers = {q["code"]: "yes" for q in checklist.questions}
    dash = assess_dash(contact=contact, actor=call_handler, victim=adult, checklist=checklist, answers=answers)
    elsewhere = record_address(number_or_name="9", street="Mill Lane", postcode="ST16 1AB", town="Stafford")
    stranger = record_person(actor=call_handler, given_name="Kim", family_name="West", address=elsewhere)
    other = record_contact(actor=call_handler, channel="101", incident_type=assault, caller=stranger,
                           address=elsewhere, people=[(stranger, "victim")], received_at=timezone.now())
    record_crime_from_contact(contact=other, actor=call_handler, victim=stranger)

    panel = history_panel(actor=call_handler, reason="Contact C1", address=address)
    assert [c.pk for c in panel.open_crimes] == [crime.pk]
    assert [d.pk for d in panel.dash_history] == [dash.pk]
    assert [r.victim_id for r in panel.marac_referrals] == [adult.pk]
    html = render_to_string("contacts/_history_panel.html", {"panel": panel})
    assert crime.reference in html and "MARAC referral" in html

    Crime.objects.filter(pk=crime.pk).update(status=CrimeStatus.CLOSED, outcome=OutcomeType.objects.get(number=18))
    panel = history_panel(actor=call_handler, reason="Contact C1", address=address)
    assert panel.open_crimes == []


def test_an_open_crime_at_the_address_shows_when_its_victim_lives_elsewhere(call_handler, household):
    from cases.services import record_crime_from_contact

    address, adult, _ = household
    stranger = record_person(actor=call_handler, given_name="Kim", family_name="West")
    damage = IncidentType.objects.get(code="criminal-damage")
    contact = record_contact(actor=call_handler, channel="101", incident_type=damage, caller=stranger,
                             address=address, people=[(stranger, "victim")], received_at=timezone.now())
    crime = record_crime_from_contact(contact=contact, actor=call_handler, victim=stranger)
    panel = history_panel(actor=call_handler, reason="Contact C1", address=address)
    assert [c.pk for c in panel.open_crimes] == [crime.pk]
