"""Finding duplicate persons: a Splink model (DuckDB backend) trained on the index itself.

Pure: no Django. Takes data frames of person records, returns scored pairs, clusters and the
learned weights. The nightly duplicate job (``people.tasks``) and ``bench/linkage.py`` both call
``link_records``; the call-time scorer can read the same weights from ``export_weights``.

The rules it encodes:

* Weights are never hand-set. u (how often a level occurs among non-matches) comes from random
  sampling of record pairs; m (how often among matches) from expectation maximisation over
  several blocking rules, each leaving the compared fields free so that every m is estimated.
* Many blocking rules, each cheap, so that true pairs with errors in any one or two fields are
  still compared: recall lost at blocking cannot be won back by any model.
* Two thresholds: pairs at or above ``AUTO_LINK_PROBABILITY`` are the same person and are joined
  into clusters; pairs between ``REVIEW_PROBABILITY`` and that go to a person for review. Nothing
  below the review threshold is kept.
* Clusters grow by majority support, not bare connectivity: two groups join only if at least half
  of the record pairs between them score at or above the review threshold, so one wrong link
  cannot chain two people's records together.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jellyfish
import pandas as pd

from .nicknames import formal_name

# The canonical person columns the linkage reads; any may be absent or empty.
PERSON_COLUMNS = (
    "first_name",
    "surname",
    "dob",
    "gender",
    "postcode",
    "place",
    "street",
    "email",
    "phone",
    "identifier",
)

# Names of other data sets' columns that mean the same as a canonical column.
COLUMN_ALIASES = {
    "given_name": "first_name",
    "forename": "first_name",
    "family_name": "surname",
    "last_name": "surname",
    "date_of_birth": "dob",
    "postcode_fake": "postcode",
    "birth_place": "place",
    "city": "place",
    "town": "place",
    "suburb": "place",
    "address_1": "street",
    "phone_e164": "phone",
    "soc_sec_id": "identifier",
    "reference": "identifier",
}

# Automatic links must be right 99 times in 100 once clustered; a join pulls in every pair between
# two groups, so the single link needs far more certainty (one in a thousand on the model's own
# scale). Below that a person decides; the review floor keeps the queue to pairs worth a look.
AUTO_LINK_PROBABILITY = 0.999
REVIEW_PROBABILITY = 0.5
# Two groups of records join when at least this share of the pairs between them agree.
CLUSTER_SUPPORT = 0.5

log = logging.getLogger(__name__)


def _plain(text: Any) -> str | None:
    """Lower case, accents and punctuation removed, spaces collapsed; empty becomes None."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    value = unicodedata.normalize("NFKD", str(text))
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).lower()
    value = re.sub(r"[^\w@.+ ]+", " ", value)
    value = re.sub(r"\s+", " ", value).strip()
    return value or None


def _iso_date(text: Any) -> str | None:
    """A date of birth as YYYY-MM-DD text, from a date, ISO text or FEBRL's YYYYMMDD; else None."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    if hasattr(text, "isoformat"):
        return text.isoformat()[:10]
    value = str(text).strip()
    if re.fullmatch(r"\d{8}", value):
        value = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value[:10])
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _phonetic(name: str | None) -> str | None:
    return jellyfish.metaphone(name) or None if name else None


def prepare_records(frame: pd.DataFrame, *, id_column: str = "unique_id") -> pd.DataFrame:
    """Person records in the canonical columns, normalised, with the derived keys blocking uses.

    Columns named as in ``COLUMN_ALIASES`` are renamed; a canonical column already present wins.
    Names keep only their first word for the first name (middle names vary most between records).
    """
    source = frame.rename(columns={k: v for k, v in COLUMN_ALIASES.items() if v not in frame.columns})
    if id_column not in source.columns:
        raise ValueError(f"The person records need an identifier column called {id_column!r}.")
    out = pd.DataFrame({"unique_id": source[id_column].astype(str).to_numpy()})
    for column in PERSON_COLUMNS:
        values = source[column] if column in source.columns else pd.Series([None] * len(source))
        values = values.to_numpy()
        if column == "dob":
            out[column] = [_iso_date(v) for v in values]
        elif column == "postcode":
            out[column] = [(_plain(v) or "").replace(" ", "").upper() or None for v in values]
        elif column == "phone":
            out[column] = [re.sub(r"\D", "", str(v))[-10:] or None if _plain(v) else None for v in values]
        else:
            out[column] = [_plain(v) for v in values]
    out["first_name"] = [v.split(" ")[0] if v else None for v in out["first_name"]]
    out["first_initial"] = [v[0] if v else None for v in out["first_name"]]
    # The same families of pet names as the call-time scorer (people.nicknames): Peggy and Margaret agree.
    out["first_canonical"] = [formal_name(v) if v else None for v in out["first_name"]]
    out["first_phonetic"] = [_phonetic(v) for v in out["first_canonical"]]
    out["surname_phonetic"] = [_phonetic(v.replace(" ", "")) if v else None for v in out["surname"]]
    out["birth_year"] = [v[:4] if v else None for v in out["dob"]]
    # Day and month transposed: the commonest error in a typed date of birth.
    out["dob_swapped"] = [f"{v[:4]}-{v[8:10]}-{v[5:7]}" if v and int(v[8:10]) <= 12 else None for v in out["dob"]]
    return out


def columns_in_use(records: pd.DataFrame | Sequence[pd.DataFrame]) -> set[str]:
    """The canonical columns with at least one value (in every frame, for a link of two files)."""
    frames = [records] if isinstance(records, pd.DataFrame) else list(records)
    return {c for c in PERSON_COLUMNS if all(c in f.columns and f[c].notna().any() for f in frames)}


def _level(sql: str, label: str, *, tf: str | None = None, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


def _null(column: str) -> dict[str, Any]:
    return _level(f'"{column}_l" IS NULL OR "{column}_r" IS NULL', "null", null=True)


def _comparisons(present: set[str]) -> list[dict[str, Any]]:
    """The comparisons for the columns present: graded levels, most specific first."""
    comparisons: list[dict[str, Any]] = []
    if "first_name" in present:
        comparisons.append({
            "output_column_name": "first_name",
            "comparison_levels": [
                _null("first_name"),
                _level('"first_name_l" = "first_name_r"', "exact", tf="first_name"),
                _level('"first_canonical_l" = "first_canonical_r"', "same name by nickname"),
                _level('jaro_winkler_similarity("first_name_l", "first_name_r") >= 0.92', "very similar"),
                _level('"first_phonetic_l" = "first_phonetic_r"', "sounds alike"),
                _level('jaro_winkler_similarity("first_name_l", "first_name_r") >= 0.8', "similar"),
                _level('"first_name_l" = "surname_r" OR "surname_l" = "first_name_r"', "swapped with surname"),
                _level('"first_initial_l" = "first_initial_r"', "same initial"),
                _level("ELSE", "different"),
            ],
        })
    if "surname" in present:
        comparisons.append({
            "output_column_name": "surname",
            "comparison_levels": [
                _null("surname"),
                _level('"surname_l" = "surname_r"', "exact", tf="surname"),
                _level('jaro_winkler_similarity("surname_l", "surname_r") >= 0.92', "very similar"),
                _level('"surname_phonetic_l" = "surname_phonetic_r"', "sounds alike"),
                _level('jaro_winkler_similarity("surname_l", "surname_r") >= 0.8', "similar"),
                _level('"surname_l" = "first_name_r" OR "first_name_l" = "surname_r"', "swapped with first name"),
                _level("ELSE", "different"),
            ],
        })
    if "dob" in present:
        comparisons.append({
            "output_column_name": "dob",
            "comparison_levels": [
                _null("dob"),
                _level('"dob_l" = "dob_r"', "exact", tf="dob"),
                _level('"dob_swapped_l" = "dob_r"', "day and month swapped"),
                _level('damerau_levenshtein("dob_l", "dob_r") <= 1', "one character different"),
                _level('substr("dob_l", 1, 7) = substr("dob_r", 1, 7)', "same month and year"),
                _level('"birth_year_l" = "birth_year_r"', "same year"),
                _level(
                    'abs(try_cast("birth_year_l" AS INTEGER) - try_cast("birth_year_r" AS INTEGER)) <= 5',
                    "within five years",
                ),
                _level("ELSE", "different"),
            ],
        })
    if "postcode" in present:
        # UK postcodes: the outward code (district) is everything before the last three characters.
        district = 'substr("postcode_{s}", 1, length("postcode_{s}") - 3)'
        comparisons.append({
            "output_column_name": "postcode",
            "comparison_levels": [
                _null("postcode"),
                _level('"postcode_l" = "postcode_r"', "exact", tf="postcode"),
                _level('levenshtein("postcode_l", "postcode_r") <= 1', "one character different"),
                _level(
                    f"{district.format(s='l')} = {district.format(s='r')}"
                    ' AND substr("postcode_l", -3, 1) = substr("postcode_r", -3, 1)',
                    "same sector",
                ),
                _level(f"{district.format(s='l')} = {district.format(s='r')}", "same district"),
                _level("ELSE", "different"),
            ],
        })
    for column in ("place", "street"):
        if column in present:
            comparisons.append({
                "output_column_name": column,
                "comparison_levels": [
                    _null(column),
                    _level(f'"{column}_l" = "{column}_r"', "exact", tf=column),
                    _level(f'jaro_winkler_similarity("{column}_l", "{column}_r") >= 0.88', "similar"),
                    _level("ELSE", "different"),
                ],
            })
    for column in ("email", "phone", "identifier"):
        if column in present:
            comparisons.append({
                "output_column_name": column,
                "comparison_levels": [
                    _null(column),
                    _level(f'"{column}_l" = "{column}_r"', "exact", tf=column),
                    _level(f'damerau_levenshtein("{column}_l", "{column}_r") <= 2', "one or two typos"),
                    _level("ELSE", "different"),
                ],
            })
    if "gender" in present:
        comparisons.append({
            "output_column_name": "gender",
            "comparison_levels": [
                _null("gender"),
                _level('"gender_l" = "gender_r"', "same"),
                _level("ELSE", "different"),
            ],
        })
    return comparisons


def _block(*conditions: str) -> dict[str, str]:
    return {"blocking_rule": " AND ".join(conditions)}


def _eq(column: str) -> str:
    return f'l."{column}" = r."{column}"'


def prediction_blocking_rules(present: set[str]) -> list[dict[str, str]]:
    """Which pairs are compared at all: any one of these agreeing puts a pair in front of the model.

    Each rule pairs an error-prone field with a second one so that blocks stay small, and the set
    is chosen so that a true pair with one or two fields wrong or missing still meets some rule.
    """
    rules: list[dict[str, str]] = []
    names = {"first_name", "surname"} <= present
    if "dob" in present:
        rules.append(_block(_eq("dob")))
        rules.append(_block('l."dob_swapped" = r."dob"'))
    if names:
        # Also catches every pair with the same first name and surname: no separate rule for that.
        rules.append(_block(_eq("surname_phonetic"), _eq("first_initial")))
        rules.append(_block('l."first_name" = r."surname"', 'l."surname" = r."first_name"'))
    if names and "dob" in present:
        rules.append(_block(_eq("first_phonetic"), _eq("birth_year")))
        rules.append(_block(_eq("surname_phonetic"), _eq("birth_year")))
    if "postcode" in present:
        rules.append(_block(_eq("postcode")))
    if "place" in present and names:
        rules.append(_block(_eq("place"), _eq("first_phonetic")))
        rules.append(_block(_eq("place"), _eq("surname_phonetic")))
    if "street" in present and "surname" in present:
        rules.append(_block(_eq("street"), _eq("surname_phonetic")))
    for column in ("email", "phone", "identifier"):
        if column in present:
            rules.append(_block(_eq(column)))
    if not rules:
        raise ValueError("The person records have no name, date of birth, postcode or identifier to compare.")
    return rules


def training_blocking_rules(present: set[str]) -> list[str]:
    """Blocking rules for expectation maximisation: together they leave every comparison free once."""
    rules: list[str] = []
    if "dob" in present:
        rules.append(_eq("dob"))
    if {"first_name", "surname"} <= present:
        rules.append(f"{_eq('first_name')} AND {_eq('surname')}")
    # Dates of birth and names between them free every comparison; otherwise add what there is.
    for column in ("postcode", "identifier", "email", "phone"):
        if column in present and len(rules) < 2:
            rules.append(_eq(column))
    return rules


def build_settings(present: set[str], *, link_type: str = "dedupe_only") -> dict[str, Any]:
    """The Splink settings (as a plain dict) for the columns present."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "comparisons": _comparisons(present),
        "blocking_rules_to_generate_predictions": prediction_blocking_rules(present),
        "retain_intermediate_calculation_columns": False,
        # Needed for the gamma (level) columns the reasons are read from.
        "retain_matching_columns": True,
        "additional_columns_to_retain": [],
    }


@dataclass
class LinkageResult:
    """What a linkage run found: scored pairs, the auto-linked clusters and the trained weights."""

    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight, gamma_* columns
    clusters: dict[str, str]  # unique_id → cluster id (its smallest member) for auto links
    weights: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)

    def auto_links(self, threshold: float = AUTO_LINK_PROBABILITY) -> pd.DataFrame:
        return self.pairs[self.pairs["match_probability"] >= threshold]

    def review_pairs(
        self, low: float = REVIEW_PROBABILITY, high: float = AUTO_LINK_PROBABILITY
    ) -> pd.DataFrame:
        p = self.pairs["match_probability"]
        return self.pairs[(p >= low) & (p < high)]


def connected_components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each node of the edges mapped to its component's smallest member (union-find)."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for left, right in edges:
        a, b = find(left), find(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {node: find(node) for node in list(parent)}


def cluster_with_support(
    pairs: pd.DataFrame,
    *,
    auto_probability: float = AUTO_LINK_PROBABILITY,
    floor: float = REVIEW_PROBABILITY,
    support: float = CLUSTER_SUPPORT,
) -> dict[str, str]:
    """Records joined by sure links, strongest first, each join backed by most pairs across it.

    A join of two groups needs ``support`` of the pairs between them scored at or above ``floor``
    (pairs never compared count against). Returns each clustered record → its cluster's first id.
    """
    score = {
        (a, b): prob
        for a, b, prob in zip(pairs["unique_id_l"], pairs["unique_id_r"], pairs["match_probability"], strict=True)
    }

    def agrees(a: str, b: str) -> bool:
        return max(score.get((a, b), 0.0), score.get((b, a), 0.0)) >= floor

    sure = pairs[pairs["match_probability"] >= auto_probability].sort_values(
        "match_probability", ascending=False, kind="stable"
    )
    group_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for a, b in zip(sure["unique_id_l"], sure["unique_id_r"], strict=True):
        ga, gb = group_of.get(a, a), group_of.get(b, b)
        if ga == gb:
            continue
        left, right = members.get(ga, [a]), members.get(gb, [b])
        if len(left) * len(right) > 1:
            agreeing = sum(agrees(x, y) for x in left for y in right)
            if agreeing < support * len(left) * len(right):
                continue
        joined = left + right
        for record in right:
            group_of[record] = ga
        group_of[a] = ga
        members[ga] = joined
        members.pop(gb, None)
    return {record: group for group, records in members.items() for record in records}


def cluster_pairs(clusters: dict[str, str]) -> list[tuple[str, str]]:
    """Every pair of records that share a cluster: the links a clustering makes."""
    groups: dict[str, list[str]] = {}
    for record, group in clusters.items():
        groups.setdefault(group, []).append(record)
    return [(a, b) for records in groups.values() for i, a in enumerate(records) for b in records[i + 1 :]]


def _make_linker(frames: list[pd.DataFrame], settings: dict[str, Any], threads: int | None):
    import duckdb
    from splink import DuckDBAPI, Linker

    connection = duckdb.connect(":memory:")
    if threads:
        connection.execute(f"SET threads TO {int(threads)}")
    db_api = DuckDBAPI(connection=connection)
    tables = [db_api.register(f) for f in frames]
    return Linker(tables if len(tables) > 1 else tables[0], settings, log_level=logging.WARNING)


def link_records(
    records: pd.DataFrame | Sequence[pd.DataFrame],
    *,
    review_probability: float = REVIEW_PROBABILITY,
    auto_probability: float = AUTO_LINK_PROBABILITY,
    seed: int = 7,
    threads: int | None = None,
    max_u_pairs: float = 1e6,
) -> LinkageResult:
    """Train on the records themselves, score every blocked pair, cluster the sure links.

    ``records`` are frames from ``prepare_records``: one frame to find duplicates within,
    two to link one file to the other. Weights: u by random sampling, m and the prior by EM.
    """
    import time

    frames = [records] if isinstance(records, pd.DataFrame) else list(records)
    present = columns_in_use(frames)
    link_type = "dedupe_only" if len(frames) == 1 else "link_only"
    settings = build_settings(present, link_type=link_type)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    linker = _make_linker(frames, settings, threads)
    _train(linker, present, seed=seed, max_u_pairs=max_u_pairs)
    timings["train"] = time.perf_counter() - started
    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=review_probability)
    pairs = predictions.as_pandas_dataframe()
    timings["predict"] = time.perf_counter() - started
    keep = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    keep += [c for c in pairs.columns if c.startswith("gamma_")]
    pairs = pairs[keep]
    pairs = pairs[~different_people(pairs)].reset_index(drop=True)
    clusters = cluster_with_support(pairs, auto_probability=auto_probability, floor=review_probability)
    return LinkageResult(pairs=pairs, clusters=clusters, weights=export_weights(linker), seconds=timings)


# Splink numbers a comparison's levels from the last (ELSE, 0) up; -1 is "missing on one side".
_FIRST_NAME_AT_MOST_INITIAL = 1  # 0 different, 1 same initial only
_DOB_AT_MOST_SAME_YEAR = 2  # 0 more than five years apart, 1 within five years, 2 same year (-1 missing)
_DOB_FAR_APART = 0
# Contact details and identifiers: their exact level is the highest (2) of three.
_UNIQUE_COLUMNS = ("phone", "email", "identifier")
_EXACT = 2


def different_people(pairs: pd.DataFrame) -> pd.Series:
    """Pairs that are two people whatever else agrees, so never queued.

    * The first names differ (an initial at most) and both dates of birth are known and no closer
      than the same year. Members of one household share the address, often the surname, the
      landline and the e-mail domain; two records of one person almost never differ in both (a
      nickname, a slip or a swapped day and month all keep a higher level). A missing date is not
      held against a pair: on the 50k benchmark file that cost 0.05 of recall.
    * Below the automatic-link threshold only: the dates of birth are more than five years apart and
      no phone, e-mail or identifier agrees. Namesakes (two Samuel Smiths) agree on names by chance;
      a model trained on an index with few duplicates can learn that a far-off date is no evidence
      against, and queue every namesake. A pair the model is sure of keeps its link.
    """
    none = pd.Series(False, index=pairs.index)
    if "gamma_dob" not in pairs.columns:
        return none
    dob = pairs["gamma_dob"]
    household = none
    if "gamma_first_name" in pairs.columns:
        household = pairs["gamma_first_name"].between(0, _FIRST_NAME_AT_MOST_INITIAL) & dob.between(
            0, _DOB_AT_MOST_SAME_YEAR)
    shared = none
    for column in _UNIQUE_COLUMNS:
        if f"gamma_{column}" in pairs.columns:
            shared = shared | (pairs[f"gamma_{column}"] == _EXACT)
    unsure = pairs["match_probability"] < AUTO_LINK_PROBABILITY if "match_probability" in pairs.columns else ~none
    return household | ((dob == _DOB_FAR_APART) & ~shared & unsure)


def _train(linker: Any, present: set[str], *, seed: int, max_u_pairs: float) -> None:
    """u from random pairs; m by EM over blocking rules that, between them, free every field."""
    # The first of the blocking rules: pairs they find, over all pairs, with 80% of matches among them.
    prior_rules = [r["blocking_rule"] for r in prediction_blocking_rules(present)[:2]]
    if {"first_name", "surname"} <= present:
        prior_rules.append(f"{_eq('first_name')} AND {_eq('surname')}")
    prior_rules += [r["blocking_rule"] for r in prediction_blocking_rules(present)[2:3]]
    try:
        linker.training.estimate_probability_two_random_records_match(prior_rules, recall=0.8)
    except Exception:  # noqa: BLE001 - a tiny index can have no pairs under these rules: train the rest anyway
        log.warning("Could not estimate the prior from the blocking rules; Splink's default prior stays.")
    linker.training.estimate_u_using_random_sampling(max_pairs=max_u_pairs, seed=seed)
    for rule in training_blocking_rules(present):
        try:
            # Term frequencies still weight the predictions; leaving them out of EM's iterations makes it
            # several times faster for the same m values to two decimals.
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except ValueError as error:
            # A small index can leave a level with no pairs at all (m = 0); the other sessions still train it.
            log.warning("Expectation maximisation on %s stopped: %s", rule, error)


def export_weights(linker: Any) -> dict[str, Any]:
    """The trained model as plain data: prior and, per comparison level, m, u and the Bayes factor.

    The call-time scorer reads this: it decides which level a pair of fields falls in with its own
    code and adds up ``log2_bayes_factor``; the level labels name the same tests as here.
    """
    model = linker.misc.save_model_to_json()
    prior = model.get("probability_two_random_records_match")
    comparisons: dict[str, list[dict[str, Any]]] = {}
    for comparison in model["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m = level.get("m_probability")
            u = level.get("u_probability")
            factor = (m / u) if m and u else None
            levels.append({
                "label": level.get("label_for_charts"),
                "sql": level.get("sql_condition"),
                "m": m,
                "u": u,
                "bayes_factor": factor,
                "log2_bayes_factor": math.log2(factor) if factor else None,
            })
        comparisons[comparison["output_column_name"]] = levels
    return {
        "probability_two_random_records_match": prior,
        "prior_log2_odds": math.log2(prior / (1 - prior)) if prior and prior < 1 else None,
        "comparisons": comparisons,
        "auto_link_probability": AUTO_LINK_PROBABILITY,
        "review_probability": REVIEW_PROBABILITY,
    }


def pair_reasons(pair: dict[str, Any] | pd.Series, weights: dict[str, Any]) -> list[dict[str, Any]]:
    """Why a pair scored as it did: for each field, the level it fell in and that level's weight.

    ``pair`` carries the ``gamma_<field>`` columns Splink returns (-1 null, then levels counted up
    from the least similar); the labels and weights come from ``export_weights``.
    """
    reasons = []
    for column, levels in weights["comparisons"].items():
        gamma = pair.get(f"gamma_{column}")
        if gamma is None or (isinstance(gamma, float) and math.isnan(gamma)) or int(gamma) < 0:
            reasons.append({"field": column, "level": "missing on one side", "weight": 0.0, "agrees": None})
            continue
        # Splink numbers levels from the last (ELSE = 0) upwards.
        level = levels[len(levels) - 1 - int(gamma)]
        weight = level["log2_bayes_factor"] or 0.0
        reasons.append({"field": column, "level": level["label"], "weight": round(weight, 2), "agrees": weight > 0})
    return reasons


# Which of this model's levels stands for each level of the call-time scorer (people.matching.Weights).
CALL_TIME_LEVELS: dict[str, tuple[str, dict[str, str]]] = {
    "family": ("surname", {
        "exact": "exact", "typo": "very similar", "sounds_alike": "sounds alike", "similar": "similar",
        "disagree": "different",
    }),
    "given": ("first_name", {
        "exact": "exact", "nickname": "same name by nickname", "typo": "very similar", "sounds_alike": "sounds alike",
        # Not "initial": the scorer's is a name typed as an initial, Splink's two names sharing one.
        "similar": "similar", "disagree": "different",
    }),
    "dob": ("dob", {
        "exact": "exact", "day_month_swapped": "day and month swapped", "one_digit": "one character different",
        "month_year": "same month and year", "year": "same year", "disagree": "different",
    }),
    "phone": ("phone", {"exact": "exact", "disagree": "different"}),
    "postcode": ("postcode", {"exact": "exact", "sector": "same sector", "disagree": "different"}),
}


# No one field may move the call-time score by more than this (log2): a level seen a handful of times
# in training can come out at ±100 and would decide every search on its own.
CALL_TIME_WEIGHT_LIMIT = 20.0


def plausible_levels(values: dict[str, float]) -> dict[str, float]:
    """The learned levels of one field that have the shape evidence must have; empty if the field has not.

    Agreeing exactly must count for the match and disagreeing must not; a partial agreement must
    count for no more than exact agreement and no less than disagreement. An index with almost no
    duplicates can teach EM that "match" means "same household" (the surname's exact level comes out
    negative: the whole field is left out), and a level seen a handful of times can come out at
    -100 (that level alone is left out).
    """
    exact, disagree = values.get("exact"), values.get("disagree")
    if (exact is not None and exact <= 0) or (disagree is not None and disagree > 0):
        return {}
    upper = exact if exact is not None else CALL_TIME_WEIGHT_LIMIT
    lower = disagree if disagree is not None else -CALL_TIME_WEIGHT_LIMIT
    return {key: value for key, value in values.items() if lower <= value <= upper}


def call_time_weights(exported: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The learned weights in the shape of the call-time scorer's ``Weights`` (one model, two paths).

    Only levels this model learned (a field the index holds, a level seen in training) are given;
    the scorer keeps its own value for the rest, and for levels (or whole fields) whose learned
    weights are not plausible (``plausible_levels``). Each weight is held within ±``CALL_TIME_WEIGHT_LIMIT``.
    The prior is not carried over: Splink's is the chance that two index records match, the
    scorer's the chance that one record is the caller.
    """
    learned: dict[str, dict[str, float]] = {}
    for scorer_field, (column, levels) in CALL_TIME_LEVELS.items():
        by_label = {level["label"]: level["log2_bayes_factor"] for level in exported.get("comparisons", {}).get(column, [])}
        values = {
            key: round(max(-CALL_TIME_WEIGHT_LIMIT, min(CALL_TIME_WEIGHT_LIMIT, by_label[label])), 2)
            for key, label in levels.items() if by_label.get(label) is not None
        }
        kept = plausible_levels(values)
        if kept:
            learned[scorer_field] = kept
        if kept != values:
            log.warning("Learned weights for %s not used (not plausible): %s", column,
                        {k: v for k, v in values.items() if k not in kept})
    return learned
