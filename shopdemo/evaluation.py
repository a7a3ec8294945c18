"""The one evaluator (DESIGN.md "Evaluation protocol"): full ranking over all training items.

Every accuracy figure of the project comes from here, for baselines and neural models alike: it
only calls `score_next` on batches of prefixes, so it cannot tell them apart. Sampled negatives
are never used; they inflate metrics and can reorder models (Krichene & Rendle, KDD 2020).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from shopdemo.data import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.evaluation_metrics import TIES, MetricSums, clean_scores, target_ranks
from shopdemo.models.base import NextItemModel

log = logging.getLogger(__name__)

PROTOCOLS = ("next", "last")


@dataclass
class EvaluationResult:
    """Metrics of every model on the same targets, and how they were computed."""

    targets: int  # targets evaluated (their item is in the training catalogue)
    skipped: int  # targets skipped because their item is unknown to training
    ties: str  # conservative | optimistic | median
    protocol: str  # next | last
    cutoffs: tuple[int, ...]  # the K of every @K metric
    seconds: float  # wall time of the whole evaluation
    metrics: dict[str, dict[str, float]]  # model name -> {"Recall@20": .., "MRR@20": .., ...}
    model_seconds: dict[str, float] = field(default_factory=dict)  # model name -> its scoring time

    def to_json(self) -> dict:
        """The `shopdemo evaluate --json` object of DESIGN.md."""
        return {
            "targets": self.targets,
            "skipped": self.skipped,
            "ties": self.ties,
            "protocol": self.protocol,
            "models": self.metrics,
        }


@dataclass
class _Targets:
    """Which test events are targets and where their prefixes start (indices into the log)."""

    events: np.ndarray  # (targets,) index of each target event in the test log
    prefix_start: np.ndarray  # (targets,) index of the first event of its prefix
    skipped: int


def find_targets(test: SessionLog, protocol: str, catalog: np.ndarray) -> _Targets:
    """The protocol's targets whose item is in `catalog` (sorted ids), and how many were not."""
    offsets = test.offsets
    lengths = np.diff(offsets)  # (sessions,)
    session_start = np.repeat(offsets[:-1], lengths)  # (events,)
    if protocol == "next":
        events = np.flatnonzero(np.arange(len(test)) > session_start)
    else:
        events = offsets[1:][lengths >= 2] - 1
    known = np.isin(test.item_ids[events], catalog)
    return _Targets(events[known], session_start[events[known]], int((~known).sum()))


def map_items(external: np.ndarray, item_ids: np.ndarray) -> np.ndarray:
    """Internal index of each external id in `item_ids`, -1 where it is absent."""
    item_ids = np.asarray(item_ids, dtype=np.int64)
    if len(item_ids) == 0:
        return np.full(len(external), -1, dtype=np.int64)
    order = np.argsort(item_ids, kind="stable")
    slot = np.minimum(np.searchsorted(item_ids[order], external), len(item_ids) - 1)
    found = item_ids[order][slot] == external
    return np.where(found, order[slot], -1).astype(np.int64)


def evaluate(
    models: Mapping[str, NextItemModel],
    test: SessionLog,
    *,
    train: SessionLog | None = None,
    cutoffs: tuple[int, ...] = (1, 5, 10, 20),
    protocol: str = "next",
    ties: str = "conservative",
    exclude_seen: bool | None = None,
    batch_size: int = 256,
    progress: bool = False,
) -> EvaluationResult:
    """Full-ranking evaluation of every model on `test`, all on the same targets.

    The protocol, as documented in the README:
    - `next`: every event after the first of a test session is a target, predicted from the
      events before it in that session. `last`: the last event of each session (user) with at
      least two events is the target, predicted from all the others.
    - A target whose item is not in the training catalogue (`train`'s items, else the first
      model's) is skipped and counted. A model lacking a catalogue item counts it as a miss.
    - Prefix items a model does not know are dropped from its prefix. A prefix can become
      empty: the model then gets an empty array and must return its cold-start scores.
    - `exclude_seen` (default: on for `last`, off for `next`) takes the prefix's items out of
      the ranking, except the target itself.
    - NaN and +-inf scores count as -inf. Ties: conservative (equal scores rank above the
      target), optimistic, or median.
    - Coverage@K: share of the catalogue in at least one top-K list. Popularity@K: mean training
      popularity of the top-K items, popularity = count / count of the most popular item (only
      with `train`).
    """
    if protocol not in PROTOCOLS:
        raise ShopDemoError(f"unknown protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")
    if ties not in TIES:
        raise ShopDemoError(f"unknown tie mode {ties!r}; choose from {', '.join(TIES)}")
    cutoffs = tuple(sorted({int(k) for k in cutoffs}))
    if not cutoffs or cutoffs[0] < 1:
        raise ShopDemoError(f"cutoffs must be positive integers, got {cutoffs}")
    if train is None and not models:
        raise ShopDemoError("nothing to evaluate: no models and no training log")
    if exclude_seen is None:
        exclude_seen = protocol == "last"
    started = time.perf_counter()
    if train is not None:
        catalog, counts = np.unique(train.item_ids, return_counts=True)
        popularity = counts / counts.max() if len(counts) else counts.astype(np.float64)
    else:
        catalog, popularity = np.unique(next(iter(models.values())).item_ids), None
    targets = find_targets(test, protocol, catalog)
    n_batches = -(-len(targets.events) // batch_size)
    bar = tqdm(
        total=n_batches * len(models),
        desc="evaluate",
        unit="batch",
        disable=not progress,
        leave=False,
    )
    metrics, model_seconds = {}, {}
    with bar:
        for name, model in models.items():
            model_started = time.perf_counter()
            sums = _evaluate_model(
                model,
                test,
                targets,
                catalog,
                popularity,
                cutoffs,
                ties,
                exclude_seen,
                batch_size,
                bar,
            )
            metrics[name] = sums.means()
            model_seconds[name] = time.perf_counter() - model_started
    result = EvaluationResult(
        len(targets.events),
        targets.skipped,
        ties,
        protocol,
        cutoffs,
        time.perf_counter() - started,
        metrics,
        model_seconds,
    )
    log.info(
        "evaluated %s on %d targets (%d skipped, %s, %s ties) in %.1f s",
        ", ".join(models),
        result.targets,
        result.skipped,
        protocol,
        ties,
        result.seconds,
    )
    return result


def _evaluate_model(
    model: NextItemModel,
    test: SessionLog,
    targets: _Targets,
    catalog: np.ndarray,
    popularity: np.ndarray | None,
    cutoffs: tuple[int, ...],
    ties: str,
    exclude_seen: bool,
    batch_size: int,
    bar: tqdm,
) -> MetricSums:
    """Score every target's prefix with one model, batch by batch, and sum its metrics."""
    item_ids = np.asarray(model.item_ids, dtype=np.int64)
    n_items = len(item_ids)
    catalog_index = map_items(catalog, item_ids)  # (catalog,) model index of each catalogue item
    in_catalog = np.zeros(n_items, dtype=bool)
    in_catalog[catalog_index[catalog_index >= 0]] = True
    model_popularity = None
    if popularity is not None:
        model_popularity = np.zeros(n_items)
        model_popularity[catalog_index[catalog_index >= 0]] = popularity[catalog_index >= 0]
    sums = MetricSums(cutoffs, n_items, in_catalog, model_popularity)
    if len(targets.events) and catalog_index.max() < 0:
        log.warning("model %s knows none of the catalogue: every target is a miss", model.name)

    mapped = map_items(test.item_ids, item_ids)  # (events,) model index, -1 if unknown to it
    known_events = mapped[mapped >= 0]  # the test log with the model's unknown items dropped
    known_before = np.concatenate([[0], np.cumsum(mapped >= 0)])  # (events + 1,)
    starts = known_before[targets.prefix_start]  # (targets,) prefix bounds in known_events
    ends = known_before[targets.events]
    target_index = mapped[targets.events]  # (targets,) -1: the model lacks it, a miss
    for first in range(0, len(targets.events), batch_size):
        batch = slice(first, first + batch_size)
        prefixes = [known_events[a:b] for a, b in zip(starts[batch], ends[batch], strict=True)]
        scores = np.asarray(model.score_next(prefixes))
        if scores.shape != (len(prefixes), n_items):
            raise ShopDemoError(
                f"model {model.name} returned scores of shape {scores.shape}, "
                f"expected {(len(prefixes), n_items)}"
            )
        scores = clean_scores(scores)
        if exclude_seen:
            scores = _exclude_seen(scores, prefixes, target_index[batch])
        sums.add(target_ranks(scores, target_index[batch], ties), scores)
        bar.update(1)
    return sums


def _exclude_seen(
    scores: np.ndarray, prefixes: list[np.ndarray], targets: np.ndarray
) -> np.ndarray:
    """Take each prefix's items (but not the target) out of its row's ranking (NaN)."""
    rows = np.repeat(np.arange(len(prefixes)), [len(p) for p in prefixes])  # (clicks,)
    if len(rows) == 0:
        return scores
    items = np.concatenate(prefixes)  # (clicks,)
    drop = items != targets[rows]
    scores = np.array(scores, copy=True)
    scores[rows[drop], items[drop]] = np.nan
    return scores
