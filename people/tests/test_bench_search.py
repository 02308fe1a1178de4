"""The search benchmark's own parts: generated persons carry their search columns, and each query has one slip."""

from __future__ import annotations

import random
from datetime import date

import pytest
from rapidfuzz.distance import Levenshtein

from bench import search as bench
from people import matching
from people.nicknames import are_nicknames
from people.services import record_person


def test_a_typo_is_one_slip_and_keeps_the_first_letter_mostly():
    rng = random.Random(1)
    for word in ("Smith", "Robertson", "Ng", "Okonkwo"):
        for _ in range(50):
            slipped = bench.typo(word, rng)
            # A transposition is two Levenshtein edits; every other slip is one.
            assert slipped != word or len(word) < 3
            assert 1 <= Levenshtein.distance(word, slipped) <= 2


def test_generated_persons_carry_the_search_columns_the_services_would_write():
    rows = list(bench.generate_rows(300, seed=3, start_id=1))
    assert [r[0] for r in rows] == list(range(1, 301))
    columns = dict(zip(bench.COLUMNS, rows[17], strict=True))
    assert columns["reference"] == "P00000018"
    assert columns["family_norm"] == matching.fold(columns["family_name"])
    assert columns["given_key"] == matching.phonetic_key(matching.fold(columns["given_name"]))
    assert rows == list(bench.generate_rows(300, seed=3, start_id=1))


@pytest.mark.django_db
def test_queries_are_drawn_from_the_index_with_one_slip_of_each_kind(call_handler):
    for i in range(60):
        record_person(actor=call_handler, given_name=("Robert", "Margaret", "William")[i % 3],
                      family_name=f"Fletcher{'x' * (i % 7)}", date_of_birth=date(1960 + i % 30, 1 + i % 12, 1 + (i * 5) % 28),
                      phone_e164=f"07700 900{i:03d}")
    queries = bench.make_queries(30, seed=2)
    assert {kind for kind, _, _ in queries} == set(bench.KINDS)
    for kind, reference, params in queries:
        assert reference.startswith("P")
        if kind == "phone_format":
            assert params["phone"].startswith("07700 ") and "dob" not in params
        if kind == "nickname":
            given = params["name"].split()[0].lower()
            assert given not in {"robert", "margaret", "william"}


@pytest.mark.django_db
def test_name_only_queries_carry_a_name_with_one_slip_and_nothing_else(call_handler):
    for i in range(20):
        record_person(actor=call_handler, given_name=("Robert", "Margaret")[i % 2], family_name="Fletcher",
                      date_of_birth=date(1960 + i, 1, 1), phone_e164=f"07700 900{i:03d}")
    queries = bench.make_name_only_queries(12, seed=2)
    assert len(queries) == 12
    assert {kind for kind, _, _ in queries} == set(bench.NAME_ONLY_KINDS)
    for kind, _reference, params in queries:
        assert set(params) == {"name"}
        given, family = params["name"].split(" ", 1)
        if kind == "family_typo":
            assert given in {"Robert", "Margaret"} and 1 <= Levenshtein.distance(family, "Fletcher") <= 2
        elif kind == "given_typo":
            assert family == "Fletcher" and given not in {"Robert", "Margaret"}
        else:
            assert family == "Fletcher" and (are_nicknames(given.lower(), "robert")
                                             or are_nicknames(given.lower(), "margaret"))


def test_a_nickname_drawn_for_a_person_does_not_depend_on_the_queries_before_it():
    options = ["bill", "billy", "will", "liam"]
    assert bench._pick_nickname(options, 4, 1234) == bench._pick_nickname(list(options), 4, 1234)
    assert {bench._pick_nickname(options, 4, pk) for pk in range(40)} == {"Bill", "Billy", "Will", "Liam"}
