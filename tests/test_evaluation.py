"""The evaluator on tiny logs whose ranks and metrics are worked out by hand in the comments.

A fake model returns fixed score rows per prefix, so every number below can be checked with
pencil and paper: ranks under each tie mode, skipped targets, NaN/inf handling, seen items.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from shopdemo.data import SessionLog
from shopdemo.data.splits import drop_last
from shopdemo.errors import ShopDemoError
from shopdemo.evaluation import evaluate, map_items
from shopdemo.models.base import NextItemModel, Prediction, top_k_prediction

ITEMS = np.array([10, 20, 30, 40, 50])


class FixedScores:
    """A model whose scores for each prefix (tuple of external ids) are given in advance."""

    name = "fixed"

    def __init__(
        self, rows: dict[tuple[int, ...], list[float]], item_ids: np.ndarray = ITEMS
    ) -> None:
        self.item_ids = np.asarray(item_ids)
        self.rows = rows
        self.seen: list[tuple[int, ...]] = []  # prefixes received, as external ids

    def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        out = []
        for prefix in prefixes:
            key = tuple(int(self.item_ids[i]) for i in prefix)
            self.seen.append(key)
            out.append(self.rows[key])
        return np.array(out, dtype=np.float64)

    def predict(self, session: Sequence[int], k: int = 10, temperature: float = 1.0) -> Prediction:
        return top_k_prediction(self.score_next([np.asarray(session)])[0], self.item_ids, k)


def log_of(*sessions: list[int]) -> SessionLog:
    """Sessions numbered 1.. in the given order, clicks one second apart."""
    sids = [s for s, items in enumerate(sessions, 1) for _ in items]
    items = [i for items in sessions for i in items]
    return SessionLog.from_arrays(sids, items, np.arange(len(items), dtype=float))


TRAIN = log_of([10, 20, 30, 40, 50])  # catalogue: the five items, each clicked once
# Session 1: targets 20 (after [10]) and 30 (after [10, 20]).
# Session 2: 99 is unknown to training -> that target is skipped; the target 50 is predicted from
# [40, 99], in which the model does not know 99 -> it receives [40].
# Session 3: a single click is never a target.
TEST = log_of([10, 20, 30], [40, 99, 50], [30])
ROWS = {
    # target 20 scores 0.5: one item above (10), two others equal (30, 40).
    (10,): [0.9, 0.5, 0.5, 0.5, 0.1],
    # target 30 is the best: rank 1 whatever the tie mode.
    (10, 20): [0.2, 0.3, 0.8, 0.1, 0.0],
    # NaN and +inf count as -inf, so target 50 (0.4) has nothing above it and ties with 20, 40.
    (40,): [np.nan, 0.4, np.inf, 0.4, 0.4],
}


def test_next_protocol_targets_skips_and_prefixes() -> None:
    model = FixedScores(ROWS)
    result = evaluate({"fixed": model}, TEST, train=TRAIN, cutoffs=(1, 3))
    assert (result.targets, result.skipped) == (3, 1)
    assert (result.protocol, result.ties, result.cutoffs) == ("next", "conservative", (1, 3))
    assert model.seen == [(10,), (10, 20), (40,)]  # 99 dropped from the last prefix


@pytest.mark.parametrize(
    ("ties", "expected"),
    [
        # conservative ranks 4, 1, 3 (1 + greater + equal others: 1+1+2, 1, 1+0+2)
        # Recall@1 = 1/3, Recall@3 = 2/3; MRR@3 = (1 + 1/3) / 3; NDCG@3 = (1 + 1/log2(4)) / 3
        (
            "conservative",
            {
                "Recall@1": 1 / 3,
                "Recall@3": 2 / 3,
                "MRR@1": 1 / 3,
                "MRR@3": (1 + 1 / 3) / 3,
                "NDCG@1": 1 / 3,
                "NDCG@3": (1 + 0.5) / 3,
            },
        ),
        # optimistic ranks 2, 1, 1 (1 + greater)
        # Recall@1 = 2/3, Recall@3 = 1; MRR@3 = (1/2 + 1 + 1) / 3; NDCG@3 = (1/log2(3) + 2) / 3
        (
            "optimistic",
            {
                "Recall@1": 2 / 3,
                "Recall@3": 1.0,
                "MRR@1": 2 / 3,
                "MRR@3": (0.5 + 2) / 3,
                "NDCG@1": 2 / 3,
                "NDCG@3": (1 / math.log2(3) + 2) / 3,
            },
        ),
        # median ranks 3, 1, 2 (1 + greater + equal/2: 1+1+1, 1, 1+0+1)
        # Recall@1 = 1/3, Recall@3 = 1; MRR@3 = (1/3 + 1 + 1/2) / 3;
        # NDCG@3 = (1/log2(4) + 1 + 1/log2(3)) / 3
        (
            "median",
            {
                "Recall@1": 1 / 3,
                "Recall@3": 1.0,
                "MRR@1": 1 / 3,
                "MRR@3": (1 / 3 + 1 + 0.5) / 3,
                "NDCG@1": 1 / 3,
                "NDCG@3": (0.5 + 1 + 1 / math.log2(3)) / 3,
            },
        ),
    ],
)
def test_tie_modes_by_hand(ties: str, expected: dict[str, float]) -> None:
    result = evaluate({"fixed": FixedScores(ROWS)}, TEST, train=TRAIN, cutoffs=(1, 3), ties=ties)
    metrics = result.metrics["fixed"]
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value), name
    assert result.ties == ties


def test_model_lacking_a_catalogue_target_counts_a_miss() -> None:
    # Same rows without item 50: the target 50 (session 2) is a miss, not skipped, so the
    # conservative ranks are 4, 1, miss -> Recall@3 = 1/3 and MRR@3 = (0 + 1 + 0) / 3.
    rows = {key: values[:4] for key, values in ROWS.items()}
    model = FixedScores(rows, item_ids=ITEMS[:4])
    result = evaluate({"fixed": model}, TEST, train=TRAIN, cutoffs=(3,))
    assert (result.targets, result.skipped) == (3, 1)
    assert result.metrics["fixed"]["Recall@3"] == pytest.approx(1 / 3)  # only the rank-1 target
    assert result.metrics["fixed"]["MRR@3"] == pytest.approx(1 / 3)


def test_empty_prefix_reaches_the_model_as_an_empty_array() -> None:
    # Session [99, 10]: 10 is a target; its prefix [99] is unknown, so the model gets [].
    model = FixedScores({(): [0.1, 0.9, 0.0, 0.0, 0.0]})
    result = evaluate({"fixed": model}, log_of([99, 10]), train=TRAIN, cutoffs=(1, 2))
    assert model.seen == [()]
    assert result.targets == 1
    # Target 10 scores 0.1: only 20 is above it -> rank 2.
    assert result.metrics["fixed"]["Recall@1"] == 0.0
    assert result.metrics["fixed"]["MRR@2"] == pytest.approx(0.5)


def test_last_protocol_excludes_seen_items_but_not_the_target() -> None:
    # User 1 [10, 20, 30]: target 30 after [10, 20]; scores 10:.9 20:.8 30:.5 40:.7 50:.1.
    #   seen excluded (default for last): only 40 is above -> rank 2; included: rank 4.
    # User 2 [10, 20, 10]: target 10 (seen before, but it is the target: kept) after [10, 20];
    #   scores 10:.5 20:.9 30:.6: excluded -> only 30 above, rank 2; included -> rank 3.
    test = log_of([10, 20, 30], [10, 20, 10])
    rows = {(10, 20): None}
    scores = iter([[0.9, 0.8, 0.5, 0.7, 0.1], [0.5, 0.9, 0.6, 0.1, 0.0]])

    class TwoRows(FixedScores):
        def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
            return np.array([next(scores) for _ in prefixes])

    excluded = evaluate(
        {"m": TwoRows(rows)}, test, train=TRAIN, cutoffs=(2, 3), protocol="last", batch_size=1
    )
    assert excluded.metrics["m"]["Recall@2"] == 1.0
    assert excluded.metrics["m"]["MRR@3"] == pytest.approx(0.5)  # (1/2 + 1/2) / 2
    scores = iter([[0.9, 0.8, 0.5, 0.7, 0.1], [0.5, 0.9, 0.6, 0.1, 0.0]])
    included = evaluate(
        {"m": TwoRows(rows)},
        test,
        train=TRAIN,
        cutoffs=(2, 3),
        protocol="last",
        exclude_seen=False,
        batch_size=1,
    )
    assert included.metrics["m"]["Recall@2"] == 0.0
    assert included.metrics["m"]["Recall@3"] == 0.5  # rank 4 and rank 3
    assert included.metrics["m"]["MRR@3"] == pytest.approx((0 + 1 / 3) / 2)


def test_coverage_and_popularity_by_hand() -> None:
    # Training counts 10:4 20:2 30:1 40:1 -> popularity (count / 4) 1.0, 0.5, 0.25, 0.25.
    train = log_of([10, 20], [10, 30], [40, 10, 20, 10])
    items = np.array([10, 20, 30, 40])
    # Two targets; the top lists are [10, 20, ...] and [30, 40, ...].
    model = FixedScores({(10,): [4.0, 3.0, 2.0, 1.0], (30,): [1.0, 0.0, 4.0, 3.0]}, items)
    result = evaluate({"m": model}, log_of([10, 20], [30, 40]), train=train, cutoffs=(1, 2))
    metrics = result.metrics["m"]
    assert metrics["Coverage@1"] == pytest.approx(2 / 4)  # {10, 30} of 4 items
    assert metrics["Coverage@2"] == pytest.approx(4 / 4)
    assert metrics["Popularity@1"] == pytest.approx((1.0 + 0.25) / 2)
    assert metrics["Popularity@2"] == pytest.approx(((1.0 + 0.5) / 2 + (0.25 + 0.25) / 2) / 2)
    assert metrics["Recall@1"] == 0.0  # both targets (20, 40) are second in their lists
    assert metrics["Recall@2"] == 1.0


def test_without_train_the_first_model_defines_the_catalogue() -> None:
    # Catalogue = the model's items: 99 unknown -> skipped; no popularity without training counts.
    result = evaluate({"fixed": FixedScores(ROWS)}, TEST, cutoffs=(3,))
    assert (result.targets, result.skipped) == (3, 1)
    assert "Popularity@3" not in result.metrics["fixed"]
    assert set(result.metrics["fixed"]) == {"Recall@3", "MRR@3", "NDCG@3", "Coverage@3"}


def test_every_metric_at_every_cutoff_and_json_layout() -> None:
    result = evaluate(
        {"a": FixedScores(ROWS), "b": FixedScores(ROWS)}, TEST, train=TRAIN, cutoffs=(3, 1)
    )
    assert result.cutoffs == (1, 3)
    expected = {
        f"{m}@{k}" for m in ("Recall", "MRR", "NDCG", "Coverage", "Popularity") for k in (1, 3)
    }
    assert set(result.metrics["a"]) == expected
    assert result.metrics["a"] == result.metrics["b"]
    assert set(result.model_seconds) == {"a", "b"}
    assert result.to_json() == {
        "targets": 3,
        "skipped": 1,
        "ties": "conservative",
        "protocol": "next",
        "models": result.metrics,
    }


def test_batch_size_does_not_change_results() -> None:
    one = evaluate({"m": FixedScores(ROWS)}, TEST, train=TRAIN, batch_size=1)
    many = evaluate({"m": FixedScores(ROWS)}, TEST, train=TRAIN, batch_size=1000)
    assert one.metrics == many.metrics


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ties": "random"}, "tie mode"),
        ({"protocol": "all"}, "protocol"),
        ({"cutoffs": (0, 5)}, "cutoffs"),
    ],
)
def test_bad_settings_are_one_line_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ShopDemoError, match=message):
        evaluate({"m": FixedScores(ROWS)}, TEST, train=TRAIN, **kwargs)


def test_wrong_score_shape_names_the_model() -> None:
    class Broken(FixedScores):
        def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
            return np.zeros((len(prefixes), 3))

    with pytest.raises(ShopDemoError, match="fixed returned scores of shape"):
        evaluate({"m": Broken(ROWS)}, TEST, train=TRAIN)


def test_fake_model_satisfies_the_protocol_and_map_items() -> None:
    assert isinstance(FixedScores(ROWS), NextItemModel)
    assert map_items(np.array([30, 99, 10]), np.array([30, 10, 20])).tolist() == [0, -1, 1]
    assert map_items(np.array([5]), np.array([], dtype=np.int64)).tolist() == [-1]


def test_drop_last_cuts_every_session_and_drops_empty_ones() -> None:
    log = log_of([1, 2, 3], [4], [5, 6])
    one = drop_last(log, 1)
    assert [s.tolist() for s in one.item_sequences()] == [[1, 2], [5]]
    assert one.session_ids.tolist() == [1, 1, 3]
    assert [s.tolist() for s in drop_last(log, 2).item_sequences()] == [[1]]
    assert drop_last(log, 0) is log
