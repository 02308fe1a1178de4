"""The call-time scorer on its own: each trap a caller's description can fall into."""

from __future__ import annotations

from datetime import date

import pytest

from people import matching
from people.matching import Candidate, Name, PartialDate, Query, fold, rank, score, split_name
from people.nicknames import are_nicknames

ROBERT = Candidate("robert", (Name("robert", "smith"),), date(1984, 3, 5), ("7700900123",), ("ST162DH",))
RACHEL = Candidate("rachel", (Name("rachel", "smithson"),), date(1991, 7, 22), (), ("ST162DH",))
OTHERS = [
    Candidate("roberta", (Name("roberta", "smith"),), date(1986, 3, 5)),
    Candidate("richard", (Name("richard", "smyth"),), date(1984, 3, 15)),
    Candidate("bob-jones", (Name("bob", "jones"),), date(1984, 3, 5)),
    RACHEL,
]


def best(query: Query, *others: Candidate) -> str:
    return rank(query, [*OTHERS, *others, ROBERT], limit=1)[0].key


def test_fold_strips_accents_case_apostrophes_and_hyphens():
    assert fold("  José  O'Brien-SMITH ") == "jose obrien smith"
    assert fold("Jose\u0301") == "jose"  # an accent typed as a separate combining mark
    assert fold("Zoë") == fold("ZOE") == "zoe"


@pytest.mark.parametrize(("typed", "folded"), [("Дмитрий", "dmitriy"), ("Ελένη", "eleni"), ("Łukasz", "lukasz")])
def test_other_scripts_are_transliterated(typed, folded):
    assert fold(typed) == folded


def test_a_name_typed_in_cyrillic_finds_the_latin_record():
    ivanov = Candidate("ivanov", (Name("dmitry", "ivanov"),), date(1979, 11, 2))
    query = Query.build(name="Дмитрий Иванов", dob=date(1979, 11, 2))
    match = score(query, ivanov)
    assert match.score >= 95
    assert {r.field for r in match.reasons if r.agrees} >= {"family_name", "given_name", "date_of_birth"}


def test_split_name_reads_surname_first_after_a_comma():
    assert split_name("SMITH, Bob") == ("bob", "smith")
    assert split_name("Mary Ann Jones") == ("mary ann", "jones")
    assert split_name("Jones") == ("", "jones")
    assert split_name("Amanda Rose-Mann") == ("amanda", "rose mann")


def test_one_typo_in_the_surname_still_finds_the_person():
    query = Query.build(name="Robert Smiht", dob=date(1984, 3, 5))
    assert best(query) == "robert"
    level = {r.field: r.level for r in score(query, ROBERT).reasons}
    assert level["family_name"] == "typo"


def test_one_typo_in_the_given_name_still_finds_the_person():
    assert best(Query.build(name="Robret Smith", dob=date(1984, 3, 5))) == "robert"


def test_nicknames_stand_for_the_formal_name():
    assert are_nicknames("bob", "robert") and are_nicknames("peggy", "margaret")
    assert not are_nicknames("bob", "margaret")
    match = score(Query.build(name="Bob Smith", dob=date(1984, 3, 5)), ROBERT)
    assert ("given_name", "nickname") in {(r.field, r.level) for r in match.reasons}
    assert best(Query.build(name="Bob Smith", dob=date(1984, 3, 5))) == "robert"
    margaret = Candidate("margaret", (Name("margaret", "hughes"),), date(1950, 6, 1))
    assert best(Query.build(name="Peggy Hughes", dob=date(1950, 6, 1)), margaret) == "margaret"


def test_names_typed_the_other_way_round():
    query = Query.build(name="Smith Robert", dob=date(1984, 3, 5))
    assert best(query) == "robert"
    assert any(r.level == "swapped" for r in score(query, ROBERT).reasons)


def test_day_and_month_swapped_agree_but_less_than_exact():
    swapped = score(Query.build(name="Robert Smith", dob=date(1984, 5, 3)), ROBERT)
    exact = score(Query.build(name="Robert Smith", dob=date(1984, 3, 5)), ROBERT)
    assert ("date_of_birth", "day_month_swapped") in {(r.field, r.level) for r in swapped.reasons}
    assert exact.weight > swapped.weight
    assert best(Query.build(name="Robert Smith", dob=date(1984, 5, 3))) == "robert"


def test_partial_dates_of_birth():
    year = score(Query.build(name="Robert Smith", dob=PartialDate(1984)), ROBERT)
    month_year = score(Query.build(name="Robert Smith", dob=PartialDate(1984, 3)), ROBERT)
    wrong_month = score(Query.build(name="Robert Smith", dob=PartialDate(1984, 4)), ROBERT)
    assert year.weight < month_year.weight
    assert "date_of_birth" in wrong_month.disagreeing
    assert "date_of_birth" in month_year.agreeing


def test_a_different_date_of_birth_counts_against():
    match = score(Query.build(name="Robert Smith", dob=date(1962, 10, 30)), ROBERT)
    assert "date_of_birth" in match.disagreeing
    assert match.score < score(Query.build(name="Robert Smith"), ROBERT).score


def test_phonetic_spellings():
    assert matching.sounds_alike("stephens", "stevens") and matching.sounds_alike("smith", "smyth")
    # Spelt as heard, several letters apart: Kathryn Pharewether for Catherine Fairweather.
    catherine = Candidate("cath", (Name("catherine", "fairweather"),), date(1970, 1, 9))
    match = score(Query.build(name="Kathryn Pharewether", dob=date(1970, 1, 9)), catherine)
    assert {(r.field, r.level) for r in match.reasons} >= {("family_name", "sounds_alike"), ("given_name", "sounds_alike")}
    found = rank(Query.build(name="Kathryn Pharewether", dob=date(1970, 1, 9)), [*OTHERS, catherine], limit=1)
    assert found[0].key == "cath"
    assert found[0].score >= 90


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "(07700) 900-123", "00447700900123"])
def test_phone_numbers_typed_any_way_agree(typed):
    match = score(Query.build(phone=typed), ROBERT)
    assert ("phone", "exact") in {(r.field, r.level) for r in match.reasons}


def test_other_names_are_searched_and_named_in_the_reasons():
    married = Candidate("jane", (Name("jane", "clarke"), Name("jane", "ahmed", "former")), date(1988, 2, 14))
    match = score(Query.build(name="Jane Ahmed", dob=date(1988, 2, 14)), married)
    assert match.score >= 95
    assert any(r.level == "former" for r in match.reasons)


def test_postcode_and_sector():
    exact = score(Query.build(name="Robert Smith", postcode="st16 2dh"), ROBERT)
    sector = score(Query.build(name="Robert Smith", postcode="ST16 2XY"), ROBERT)
    elsewhere = score(Query.build(name="Robert Smith", postcode="B1 1AA"), ROBERT)
    assert exact.weight > sector.weight > elsewhere.weight


def test_score_is_0_to_100_and_fields_missing_on_either_side_count_for_nothing():
    no_phone = Candidate("x", (Name("robert", "smith"),), date(1984, 3, 5))
    with_phone_query = score(Query.build(name="Robert Smith", dob=date(1984, 3, 5), phone="01632 960001"), no_phone)
    without = score(Query.build(name="Robert Smith", dob=date(1984, 3, 5)), no_phone)
    assert with_phone_query.weight == without.weight
    assert 0 <= without.score <= 100


def test_weights_can_be_replaced():
    heavy_phone = matching.with_weights(phone={"exact": 30.0, "disagree": -1.0})
    query = Query.build(name="Jane Jones", phone="07700 900123")
    assert score(query, ROBERT, heavy_phone).weight > score(query, ROBERT).weight


# --- the order of given-name levels: exact, then one letter off, then a pet name ----------------

def _smiths(*given_names: str) -> list[Candidate]:
    """Namesakes but for the given name, none with anything else that could tell them apart."""
    return [Candidate(g, (Name(fold(g), "smith"),), date(1980, 1, 1)) for g in given_names]


def _order(typed: str, *given_names: str, weights: matching.Weights = matching.DEFAULT_WEIGHTS) -> list[str]:
    query = Query.build(name=f"{typed} Smith")
    return [m.key for m in rank(query, _smiths(*given_names), limit=len(given_names), weights=weights)]


def test_jon_finds_john_before_jonathan_and_jon_before_both():
    # Listed first on purpose: the scorer keeps the given order among equal weights.
    assert _order("Jon", "Jonathan", "John", "Jon") == ["Jon", "John", "Jonathan"]
    level = {r.field: r.level for r in score(Query.build(name="Jon Smith"), _smiths("John")[0]).reasons}
    assert level["given_name"] == "close"


@pytest.mark.parametrize(("typed", "close", "pet"), [
    ("Joanne", "Joanna", "Jo"),       # both in one family and one letter apart: a spelling, not a pet name
    ("Micheal", "Michael", "Mick"),   # two letters swapped count as one slip
    ("Sophie", "Sophia", "Soph"),     # Sophia is the formal name Sophie is short for
    ("Jonathon", "Jonathan", "Jon"),  # a name the table does not know, one letter from one it does
])
def test_one_slip_spellings_rank_above_nicknames(typed, close, pet):
    assert _order(typed, pet, close) == [close, pet]


@pytest.mark.parametrize(("typed", "formal", "other"), [
    ("Bill", "William", "Jill"),      # one letter off, but the first letter: two names
    ("Tom", "Thomas", "Tim"),         # one letter off, but two names the table knows apart
    ("Dan", "Daniel", "Dean"),         # one letter off, same first letter, but Dan is a name of its own
    ("Rose", "Rosemary", "Ross"),
    ("Peggy", "Margaret", "Penny"),
    ("Bob", "Robert", "Rob"),         # Rob is a pet name of Robert too: ties with it, not above
    ("Rose", "Rosemary", "Rosie"),    # two pet forms of one name, one letter apart: still a tie, not above
])
def test_true_nicknames_still_rank_above_other_names_near_in_spelling(typed, formal, other):
    assert _order(typed, formal, other)[0] == formal


def test_jon_is_in_johns_family_but_stays_jonathans_for_the_duplicate_job():
    from people.nicknames import formal_name

    assert are_nicknames("jon", "john") and are_nicknames("jon", "jonathan")
    assert formal_name("jon") == "jonathan" and formal_name("john") == "john"


def test_learned_weights_cannot_put_a_nickname_above_the_name_or_one_slip_of_it():
    # A duplicate run on a small index can learn a nickname as strong as the name itself.
    learned = matching.learned_weights({"given": {"exact": 6.0, "nickname": 6.0, "typo": 2.0}})
    given = learned.given
    assert given["exact"] == 6.0 and given["typo"] == 2.0
    assert given["exact"] > given["close"] > given["nickname"]
    assert _order("Jon", "Jonathan", "John", "Jon", weights=learned) == ["Jon", "John", "Jonathan"]
    # Already in order: nothing moves.
    assert matching.ordered_given(matching.DEFAULT_WEIGHTS.given) == matching.DEFAULT_WEIGHTS.given
