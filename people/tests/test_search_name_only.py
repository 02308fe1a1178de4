"""Search by name alone on PostgreSQL: names like the one typed come from the list of distinct names."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from people.models import NamePart, Person
from people.selectors import MAX_CANDIDATES, search_people
from people.services import record_other_name, record_person

REASON = "Caller on 101 about a burglary"

pytestmark = pytest.mark.postgres


def refs(results):
    return [r.reference for r in results]


def test_a_common_near_namesake_does_not_crowd_out_the_person_meant(call_handler):
    """'Jon Smyth' shares more trigrams with Joe Smith than with John Smith; John Smith is still offered."""
    for i in range(MAX_CANDIDATES + 10):
        record_person(actor=call_handler, given_name="Joe", family_name="Smith", date_of_birth=date(1950 + i % 40, 1, 1 + i % 28))
    john = record_person(actor=call_handler, given_name="John", family_name="Smith", date_of_birth=date(1971, 5, 9))
    results = search_people(actor=call_handler, reason=REASON, name="Jon Smyth", limit=10)
    # Before, both name branches filled the candidates with Joe Smiths and John was never scored.
    assert john.reference in refs(results)


def test_one_typo_finds_the_person_without_a_date_either_way_round(call_handler):
    meant = record_person(actor=call_handler, given_name="Priyanka", family_name="Ramaswamy", date_of_birth=date(1990, 2, 3))
    record_person(actor=call_handler, given_name="Priya", family_name="Ramsay", date_of_birth=date(1988, 7, 1))
    for name in ("Priyanka Ramaswmy", "Pryanka Ramaswamy", "Ramaswamy Priyamka"):
        assert search_people(actor=call_handler, reason=REASON, name=name)[0].reference == meant.reference, name


def test_a_single_name_with_a_typo_finds_family_and_given_names_like_it(call_handler):
    family = record_person(actor=call_handler, given_name="Alan", family_name="Featherstone", date_of_birth=date(1960, 1, 1))
    given = record_person(actor=call_handler, given_name="Featherstone", family_name="Brown", date_of_birth=date(1961, 1, 1))
    record_person(actor=call_handler, given_name="Alan", family_name="Brown", date_of_birth=date(1962, 1, 1))
    found = refs(search_people(actor=call_handler, reason=REASON, name="Featherstnoe"))
    assert set(found[:2]) == {family.reference, given.reference}


def test_names_written_any_way_join_the_list_and_are_searchable(call_handler):
    """The trigger adds names from the services, from other names, from updates and from raw inserts (COPY loads)."""
    person = record_person(actor=call_handler, given_name="Margaret", family_name="Hughes", date_of_birth=date(1950, 6, 1))
    record_other_name(actor=call_handler, person=person, kind="former", given_name="Margaret", family_name="Onions")
    Person.objects.filter(pk=person.pk).update(given_norm="peggy")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_person (reference, given_name, family_name, gender, phone_e164, email, created_at, "
            "updated_at, given_norm, family_norm, given_key, family_key) VALUES ('P99000001', 'Zebedee', "
            "'Quartermaine', 'male', '', '', now(), now(), 'zebedee', 'quartermaine', '', '')"
        )
    parts = set(NamePart.objects.values_list("kind", "norm"))
    assert {("f", "hughes"), ("f", "onions"), ("g", "margaret"), ("g", "peggy"), ("f", "quartermaine"),
            ("g", "zebedee")} <= parts
    assert search_people(actor=call_handler, reason=REASON, name="Margaret Onoins")[0].reference == person.reference
    assert search_people(actor=call_handler, reason=REASON, name="Zebedee Quartermain")[0].reference == "P99000001"


def test_a_date_of_birth_still_comes_first_among_name_only_candidates(call_handler):
    """A date given that finds no one close by name still puts persons born that day first in the name branch."""
    for i in range(MAX_CANDIDATES + 5):
        record_person(actor=call_handler, given_name="Tom", family_name="Jones", date_of_birth=date(1950 + i % 40, 3, 1 + i % 28))
    meant = record_person(actor=call_handler, given_name="Tom", family_name="Jones", date_of_birth=date(1999, 12, 31))
    other_day = record_person(actor=call_handler, given_name="Zara", family_name="Okafor", date_of_birth=date(1999, 12, 31))
    results = search_people(actor=call_handler, reason=REASON, name="Tom Jnoes", dob=date(1999, 12, 31))
    assert results[0].reference == meant.reference
    assert other_day.reference in refs(results)
