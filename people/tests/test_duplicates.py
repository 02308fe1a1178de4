"""Duplicate persons: the job finds planted duplicates, a merge moves every link, undo restores exactly."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from faker import Faker

from audit.models import Action, AuditEntry
from cases.services import record_crime_from_contact
from contacts.models import ContactPerson, IncidentType
from contacts.selectors import find_callers
from contacts.services import record_contact
from people import duplicates
from people.models import (
    DuplicateCandidate,
    DuplicateRun,
    DuplicateStatus,
    HouseholdMembership,
    Person,
    PersonMerge,
    PersonName,
    PersonPhone,
    VulnerabilityMarker,
)
from people.selectors import search_people
from people.services import (
    add_phone,
    link_to_crime,
    move_person,
    record_address,
    record_other_name,
    record_person,
    record_vulnerability,
)


@pytest.fixture
def reviewer(make_user):
    return make_user("supervisor", username="sup1")


def _links_snapshot() -> set[tuple[str, int, int]]:
    """Every row anywhere that points at a person: (model, row id, person id)."""
    rows = set()
    for relation in duplicates._relations():
        model, field = relation.related_model, relation.field.attname
        for pk, person_id in model._default_manager.values_list("pk", field):
            if person_id is not None:
                rows.add((model._meta.label_lower, pk, person_id))
    return rows


@pytest.fixture
def pair(call_handler):
    """Two records of one woman, each with its own history: the kind of pair a reviewer merges."""
    home = record_address(number_or_name="4", street="Lichfield Road", town="Stafford", postcode="ST17 4JX")
    old = record_address(number_or_name="19", street="Foregate Street", town="Stafford", postcode="ST16 2PA")
    kept = record_person(actor=call_handler, given_name="Margaret", family_name="Oduya",
                         date_of_birth=date(1961, 3, 14), phone_e164="07700 900401", address=home)
    dup = record_person(actor=call_handler, given_name="Peggy", family_name="Oduyah",
                        date_of_birth=date(1961, 3, 14), phone_e164="07700 900402", email="peggy@example.org")
    move_person(actor=call_handler, person=dup, address=old, from_date=date(2010, 6, 1))
    move_person(actor=call_handler, person=dup, address=home, from_date=date(2024, 1, 5))
    record_other_name(actor=call_handler, person=dup, kind="former", given_name="Margaret", family_name="Lowe")
    add_phone(actor=call_handler, person=kept, number="07700 900401")
    add_phone(actor=call_handler, person=dup, number="07700 900401")  # the same phone the survivor holds
    record_vulnerability(actor=call_handler, person=dup, kind="elderly", from_date=date(2025, 2, 1),
                         source="Contact C000000001")
    received = timezone.now() - timedelta(days=3)
    contact = record_contact(
        actor=call_handler, channel="101", incident_type=IncidentType.objects.get(code="criminal-damage"),
        received_at=received, answered_at=received + timedelta(seconds=30), caller=dup,
        location_text="Outside the house", people=[(dup, "victim")],
    )
    crime = record_crime_from_contact(contact=contact, actor=call_handler, classification="58A")
    link_to_crime(actor=call_handler, person=dup, crime_reference=crime.reference, role="victim")
    candidate = DuplicateCandidate.objects.create(
        person_a=kept, person_b=dup, probability=0.97, match_weight=9.1,
        reasons=[{"field": "surname", "level": "very similar", "weight": 5.2, "agrees": True}],
    )
    return kept, dup, candidate


def test_merge_moves_every_link_to_the_survivor(reviewer, pair):
    kept, dup, candidate = pair
    before = _links_snapshot()
    on_dup = {(label, pk) for label, pk, pid in before if pid == dup.pk}
    assert {label for label, _ in on_dup} >= {
        "people.householdmembership", "people.personname", "people.personphone", "people.vulnerabilitymarker",
        "people.personlink", "contacts.contact", "contacts.contactperson",
    }

    merge = duplicates.merge_persons(actor=reviewer, survivor=kept, duplicate=dup, reason="Same NHS letter",
                                     candidate=candidate)

    after = _links_snapshot()
    still_on_dup = {(label, pk) for label, pk, pid in after if pid == dup.pk}
    # Only the phone the survivor already had stays behind (one number once per person).
    assert still_on_dup == {("people.personphone", PersonPhone.objects.get(person=dup).pk)}
    assert ContactPerson.objects.filter(person=kept, role="victim").exists()
    assert VulnerabilityMarker.objects.filter(person=kept, kind="elderly").exists()
    assert HouseholdMembership.objects.filter(person=kept, address__street="Foregate Street").exists()
    # The duplicate's own name, phone and e-mail are kept on the survivor.
    assert PersonName.objects.filter(person=kept, kind="alias", given_name="Peggy", family_name="Oduyah").exists()
    assert kept.phones.filter(number="+447700900402").exists()
    assert kept.emails.filter(address="peggy@example.org").exists()
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.MERGED and candidate.decided_by == reviewer
    assert dup.pk in duplicates.retired_person_ids()
    assert sum(len(ids) for ids in merge.moved.values()) == len(on_dup) - 1


def test_undo_restores_both_records_and_every_link_exactly(reviewer, pair):
    kept, dup, candidate = pair
    before = _links_snapshot()
    names_before = set(PersonName.objects.values_list("pk", flat=True))
    merge = duplicates.merge_persons(actor=reviewer, survivor=kept, duplicate=dup, reason="Same person",
                                     candidate=candidate)
    assert _links_snapshot() != before

    duplicates.undo_merge(actor=reviewer, merge=merge, reason="Twins: a different date of birth on the passport")

    assert _links_snapshot() == before
    assert set(PersonName.objects.values_list("pk", flat=True)) == names_before
    assert not kept.emails.exists()
    assert dup.pk not in duplicates.retired_person_ids()
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.PENDING
    with pytest.raises(ValidationError) as refused:
        duplicates.undo_merge(actor=reviewer, merge=merge, reason="again")
    assert "merge" in refused.value.message_dict


def test_merge_and_undo_are_audited_against_both_persons(reviewer, pair):
    kept, dup, candidate = pair
    merge = duplicates.merge_persons(actor=reviewer, survivor=kept, duplicate=dup, reason="Same person",
                                     candidate=candidate)
    combined = AuditEntry.objects.filter(action=Action.COMBINATION, subject_type="people.personmerge")
    assert sorted(combined.values_list("person_id", flat=True)) == sorted([str(kept.pk), str(dup.pk)])
    entry = combined.first()
    assert entry.actor_id == reviewer.pk and entry.reason == "Same person"
    assert entry.detail["survivor"] == kept.pk and entry.detail["duplicate"] == dup.pk

    duplicates.undo_merge(actor=reviewer, merge=merge, reason="Wrong person")
    undone = AuditEntry.objects.filter(action=Action.ALTERATION, subject_type="people.personmerge")
    assert sorted(undone.values_list("person_id", flat=True)) == sorted([str(kept.pk), str(dup.pk)])
    assert all(e.detail["undone"] for e in undone)


def test_merge_refuses_without_permission_reason_or_twice(call_handler, make_user, reviewer, pair):
    kept, dup, _ = pair
    with pytest.raises(PermissionDenied):
        duplicates.merge_persons(actor=call_handler, survivor=kept, duplicate=dup, reason="Same")
    with pytest.raises(ValidationError) as no_reason:
        duplicates.merge_persons(actor=reviewer, survivor=kept, duplicate=dup, reason="  ")
    assert "reason" in no_reason.value.message_dict
    crime_admin = make_user("crime-admin", username="cab1")
    duplicates.merge_persons(actor=crime_admin, survivor=kept, duplicate=dup, reason="Same")
    with pytest.raises(ValidationError) as twice:
        duplicates.merge_persons(actor=reviewer, survivor=dup, duplicate=kept, reason="Same")
    assert "survivor" in twice.value.message_dict
    assert PersonMerge.objects.count() == 1


def test_rejected_pair_leaves_the_queue_and_is_logged(reviewer, pair):
    _, _, candidate = pair
    assert duplicates.review_queue(actor=reviewer) == [candidate]
    duplicates.reject_duplicate(actor=reviewer, candidate=candidate, reason="Mother and daughter")
    assert duplicates.review_queue(actor=reviewer) == []
    assert AuditEntry.objects.filter(subject_type="people.duplicatecandidate", reason="Mother and daughter").exists()


def _seed_index(actor, *, persons: int, seed: int = 11) -> list[tuple[Person, Person]]:
    """A small index of distinct people, plus four of them entered a second time with typical errors."""
    fake = Faker("en_GB")
    Faker.seed(seed)
    rng = random.Random(seed)
    addresses = [
        record_address(number_or_name=str(rng.randint(1, 200)), street=fake.street_name(), town=fake.city(),
                       postcode=fake.postcode())
        for _ in range(persons // 3)
    ]
    made = []
    for _ in range(persons):
        made.append(record_person(
            actor=actor, given_name=fake.first_name(), family_name=fake.last_name(),
            date_of_birth=fake.date_between(date(1940, 1, 1), date(2008, 12, 31)),
            phone_e164=f"07700 9{rng.randint(0, 99999):05d}", address=rng.choice(addresses),
        ))
    planted = []
    for original, change in zip(made[:4], ("typo", "swap_dob", "nickname", "no_phone"), strict=True):
        given, family, dob, phone = original.given_name, original.family_name, original.date_of_birth, original.phone_e164
        if change == "typo":
            family = family[:2] + family[3:] if len(family) > 4 else family + "e"
        elif change == "swap_dob" and dob.day <= 12:
            dob = dob.replace(day=dob.month, month=dob.day)
        elif change == "nickname":
            given = given[:3]
        else:
            phone = ""
        address = original.memberships.first().address
        copy = record_person(actor=actor, given_name=given, family_name=family, date_of_birth=dob,
                             phone_e164=phone, address=address)
        planted.append((original, copy))
    return planted


def test_the_job_finds_planted_duplicates_in_a_small_index(call_handler, reviewer):
    planted = _seed_index(call_handler, persons=240)

    call_command("find_duplicate_persons", "--threads", "1")

    queued = {(c.person_a_id, c.person_b_id) for c in DuplicateCandidate.objects.all()}
    expected = {tuple(sorted((a.pk, b.pk))) for a, b in planted}
    assert expected <= queued
    # The queue is for duplicates, not for everyone: a handful of other pairs at most.
    assert len(queued - expected) <= 5
    run = DuplicateRun.objects.get()
    assert run.persons == 244
    assert run.weights["comparisons"]["surname"][0]["label"] == "exact"
    assert run.weights["comparisons"]["surname"][0]["m"] > run.weights["comparisons"]["surname"][0]["u"]
    assert duplicates.latest_weights() == run.weights
    first = DuplicateCandidate.objects.filter(person_a_id__in=[a.pk for a, _ in planted]).first()
    assert any(reason["agrees"] for reason in first.reasons), first.reasons
    assert AuditEntry.objects.filter(action=Action.CONSULTATION, subject_type="people.duplicaterun").exists()

    # A pair a reviewer rejected is not queued again; nothing is queued twice.
    rejected = DuplicateCandidate.objects.order_by("pk").first()
    duplicates.reject_duplicate(actor=reviewer, candidate=rejected, reason="Different people")
    again = duplicates.find_duplicate_persons(threads=1)
    assert again.queued == 0
    rejected.refresh_from_db()
    assert rejected.status == DuplicateStatus.REJECTED


def test_queue_page_needs_the_permission(client, call_handler, reviewer, pair):
    client.force_login(call_handler)
    assert client.get(reverse("duplicates:queue")).status_code == 403
    client.force_login(reviewer)
    page = client.get(reverse("duplicates:queue"))
    assert page.status_code == 200
    assert pair[0].reference in page.content.decode()
    assert "Surname (very similar)" in page.content.decode()


def test_reviewer_opens_a_pair_with_a_reason_and_merges_then_undoes(client, reviewer, pair):
    kept, dup, candidate = pair
    client.force_login(reviewer)
    url = reverse("duplicates:pair", args=[candidate.pk])
    refused = client.post(url, {"reason": ""})
    assert "Enter why you are looking at these records" in refused.content.decode()
    shown = client.post(url, {"reason": "Queue review"})
    assert "Peggy" in shown.content.decode() and "Margaret" in shown.content.decode()
    assert AuditEntry.objects.filter(action=Action.CONSULTATION, reason="Queue review").count() == 2

    missing = client.post(reverse("duplicates:merge", args=[candidate.pk]), {"survivor": str(kept.pk)})
    assert missing.status_code == 400
    assert "Enter what confirms they are the same person" in missing.content.decode()
    done = client.post(reverse("duplicates:merge", args=[candidate.pk]),
                       {"survivor": str(kept.pk), "reason": "Same date of birth and phone"})
    assert done.status_code == 302
    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.duplicate) == (kept, dup)

    page = client.get(reverse("duplicates:merges"))
    assert dup.reference in page.content.decode()
    undone = client.post(reverse("duplicates:undo", args=[merge.pk]), {"reason": "Twins"})
    assert undone.status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == reviewer


def test_the_command_refuses_a_threshold_outside_zero_to_one(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--review-probability"):
        call_command("find_duplicate_persons", "--review-probability", "1.5")
    assert not DuplicateRun.objects.exists()


def _found(actor, **kwargs) -> set[str]:
    return {r.reference for r in search_people(actor=actor, reason="Caller on 101", **kwargs)}


def test_search_leaves_out_a_record_merged_away_and_an_undo_brings_it_back(client, call_handler, reviewer, pair):
    """Page, API and the call-taking lookup all read search_people: each offers the survivor only."""
    kept, dup, candidate = pair
    # The phone both records hold (the retired one keeps its row: the survivor already had it).
    by_phone = {"phone": "07700 900401"}
    by_name = {"name": "Peggy Oduyah", "dob": date(1961, 3, 14)}
    assert _found(call_handler, **by_phone) == {kept.reference, dup.reference}
    assert dup.reference in _found(call_handler, **by_name)

    merge = duplicates.merge_persons(actor=reviewer, survivor=kept, duplicate=dup, reason="Same phone and dob",
                                     candidate=candidate)
    dup.refresh_from_db()
    assert dup.merged_into == kept
    assert _found(call_handler, **by_phone) == {kept.reference}
    # The old name now finds the survivor, through the alias the merge added.
    assert _found(call_handler, **by_name) == {kept.reference}
    client.force_login(call_handler)
    page = client.get("/staff/people/", {"name": "Peggy Oduyah", "reason": "Caller on 101"}).content.decode()
    assert kept.reference in page and dup.reference not in page
    api = client.get("/api/people/search", {"name": "Peggy Oduyah", "phone": "07700 900401", "reason": "Caller"})
    assert [row["reference"] for row in api.json()["results"]] == [kept.reference]
    callers = find_callers(actor=call_handler, reason="Caller on 101", query="07700 900401")
    assert [p.reference for p in callers] == [kept.reference]

    duplicates.undo_merge(actor=reviewer, merge=merge, reason="They are twins")
    dup.refresh_from_db()
    assert dup.merged_into is None
    assert _found(call_handler, **by_phone) == {kept.reference, dup.reference}
    assert dup.reference in _found(call_handler, **by_name)
    assert duplicates.retired_person_ids() == set()
