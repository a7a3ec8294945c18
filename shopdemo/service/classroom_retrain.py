"""Retraining a model on the shop's own click log (plus simulated sessions), and a fair comparison
with the model in use: both are scored on the same held-out sessions before anything is swapped.

`RetrainJob.run(should_stop)` is a plain generator (Orange's task pattern): it yields a
`RetrainData` summary, one `EpochReport` per epoch, then a `Verdict`; the dialog's worker
re-emits them as signals. Nothing is written or swapped until the user accepts (`accept`).
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shopdemo.data import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.service.jobs import shop_config
from shopdemo.service.panel import TITLES, describe_loss, vocabulary_problem

log = logging.getLogger(__name__)

STORE_ORIGINS = ("live", "imported", "simulated")  # replays repeat clicks already in the log
HEADLINE = ("Recall@20", "MRR@20")  # what the verdict adds up (the trainers' early-stopping rule)
_FIELDS = ("session_ids", "item_ids", "times")
HOLDOUT_SEED = 7_919_000  # base seed of the simulated held-out sessions (see load_data)


@dataclass
class RetrainPlan:
    """What to retrain, on what, and how the comparison is held out."""

    key: str  # gru4rec or sasrec
    simulated: int = 10_000  # simulated sessions added to the store's own for training
    epochs: int = 5  # passes over the training sessions; the best validation epoch is kept
    seed: int = 1  # simulation, split and training seed
    test_share: float = 0.2  # newest share of the store's sessions held out for the comparison
    min_test: int = 500  # held-out sessions, topped up with unseen simulated ones up to this
    valid_every: int = 10  # every n-th training session validates (the live Recall curve)
    origins: tuple[str, ...] = STORE_ORIGINS  # which of the store's sessions to learn from
    overrides: dict[str, Any] = field(default_factory=dict)  # config fields over the tuned ones


@dataclass(frozen=True)
class RetrainData:
    """The three disjoint session sets, and where they came from."""

    train: SessionLog  # what the new model learns from
    valid: SessionLog  # validates each epoch (curve, best epoch)
    test: SessionLog  # held out: both models are compared on it
    store_train: int  # the store's sessions in train + valid
    store_test: int  # the store's sessions in test (the newest ones)
    simulated_train: int
    simulated_test: int

    def describe(self) -> str:
        return (
            f"training on {self.store_train:,} of the shop's sessions + "
            f"{self.simulated_train:,} simulated ({_sessions(self.valid):,} of them validate); "
            f"held out for the comparison: {self.store_test:,} of the shop's newest sessions + "
            f"{self.simulated_test:,} simulated"
        )


@dataclass(frozen=True)
class Verdict:
    """Both models on the same held-out targets."""

    metrics: dict[str, dict[str, float]]  # "current" (absent without a model) and "new"
    targets: int  # held-out clicks predicted
    skipped: int  # held-out clicks on items the new model never saw in training
    problem: str = ""  # why the new model cannot be used in the shop ("" when it can)

    def score(self, name: str) -> float:
        return sum(self.metrics[name].get(metric, 0.0) for metric in HEADLINE)

    @property
    def new_is_better(self) -> bool:
        if self.problem:
            return False
        return "current" not in self.metrics or self.score("new") > self.score("current")


@dataclass
class Candidate:
    """A freshly trained model waiting for the user's decision."""

    key: str  # gru4rec or sasrec
    config: Any  # the model's Config dataclass
    model: Any  # the recommender (predict contract)
    meta: dict[str, Any]  # written into the checkpoint on accept


def product_ids(catalog: Any) -> set[int]:
    return {int(product.id) for product in catalog.products}


def _sessions(log: SessionLog) -> int:
    return log.n_sessions if len(log) else 0


def _subset(log: SessionLog, keep: np.ndarray) -> SessionLog:
    return SessionLog(log.session_ids[keep], log.item_ids[keep], log.times[keep])


def usable_sessions(log: SessionLog, product_ids: set[int]) -> SessionLog:
    """Clicks on the shop's products, in sessions that still have two clicks (one target)."""
    if len(log) == 0:
        return log
    log = _subset(log, np.isin(log.item_ids, sorted(product_ids)))
    if len(log) == 0:
        return log
    lengths = np.diff(log.offsets)  # (sessions,)
    return _subset(log, np.repeat(lengths >= 2, lengths))


def log_summary(
    store: Any, catalog: Any, origins: tuple[str, ...] = STORE_ORIGINS
) -> tuple[int, int]:
    """(sessions, clicks) of the store that retraining would learn from."""
    usable = usable_sessions(store.training_log(("click",), origins), product_ids(catalog))
    return _sessions(usable), len(usable)


def _session_mask(log: SessionLog, chosen: np.ndarray) -> np.ndarray:
    """(events,) True for events of the sessions whose running number is in `chosen`."""
    lengths = np.diff(log.offsets)
    return np.repeat(np.isin(np.arange(len(lengths)), chosen), lengths)


def store_test_count(sessions: int, plan: RetrainPlan) -> int:
    """How many of the store's newest sessions are held out (none with fewer than two)."""
    return math.ceil(sessions * plan.test_share) if sessions >= 2 else 0


def split_data(
    store: SessionLog, simulated: SessionLog, extra_test: SessionLog, plan: RetrainPlan
) -> RetrainData:
    """Hold out the newest `test_share` of the store's sessions plus the simulated `extra_test`
    ones; validate on every `valid_every`-th session of the rest (store, then `simulated`).

    Session ids are shifted so the store's, `simulated` and `extra_test` never merge sessions."""
    store_count = _sessions(store)
    store_test = store_test_count(store_count, plan)
    store_test_mask = _session_mask(store, np.arange(store_count - store_test, store_count))
    shift = int(store.session_ids.max()) + 1 if len(store) else 0
    simulated = SessionLog(simulated.session_ids + shift, simulated.item_ids, simulated.times)
    shift = int(simulated.session_ids.max()) + 1 if len(simulated) else shift
    extra_test = SessionLog(extra_test.session_ids + shift, extra_test.item_ids, extra_test.times)

    def join(parts: list[SessionLog]) -> SessionLog:
        return SessionLog(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))

    pool = join([_subset(store, ~store_test_mask), simulated])
    every = max(2, int(plan.valid_every))
    valid_mask = _session_mask(pool, np.arange(_sessions(pool))[every - 1 :: every])
    return RetrainData(
        train=_subset(pool, ~valid_mask),
        valid=_subset(pool, valid_mask),
        test=join([_subset(store, store_test_mask), extra_test]),
        store_train=store_count - store_test,
        store_test=store_test,
        simulated_train=_sessions(simulated),
        simulated_test=_sessions(extra_test),
    )


class RetrainJob:
    """Train a fresh model on a snapshot of the log, then compare it with `current`.

    `candidate` and `verdict` are set at the end (both None when cancelled)."""

    def __init__(self, plan: RetrainPlan, store: Any, catalog: Any, current: Any) -> None:
        self.plan, self.store, self.catalog, self.current = plan, store, catalog, current
        self.candidate: Candidate | None = None
        self.verdict: Verdict | None = None

    def load_data(self) -> RetrainData:
        from shopdemo.simulator import simulate

        plan = self.plan
        clicks = self.store.training_log(("click",), plan.origins)
        store = usable_sessions(clicks, product_ids(self.catalog))
        extra = max(0, plan.min_test - store_test_count(_sessions(store), plan))
        empty = SessionLog(*(np.zeros(0, dtype=t) for t in ("i8", "i8", "f8")))
        simulated = simulate(self.catalog, plan.simulated, plan.seed) if plan.simulated else empty
        # The held-out simulated sessions come from their own seed: the shipped and the
        # in-app models train on small seeds, and a test session they saw would favour them.
        extra_test = simulate(self.catalog, extra, HOLDOUT_SEED + plan.seed) if extra else empty
        return split_data(store, simulated, extra_test, plan)

    def run(self, should_stop: Callable[[], bool]) -> Iterator[Any]:
        from shopdemo.evaluation import evaluate
        from shopdemo.training import run_training, seed_everything

        plan = self.plan
        data = self.load_data()
        yield data
        if len(data.train) == 0 or len(data.test) == 0:
            raise ShopDemoError(
                "not enough sessions: add simulated sessions or click around the shop first"
            )
        module = importlib.import_module(f"shopdemo.models.{plan.key}")
        values = {**shop_config(plan.key), **plan.overrides, "epochs": plan.epochs}
        config = module.Config(**values)
        task = module.build_task(config, data.train)
        epochs_run = 0
        for report in run_training(
            task,
            epochs=plan.epochs,
            generator=seed_everything(plan.seed),
            valid=data.valid if len(data.valid) else None,
            train_log=data.train,
            patience=config.patience,
            should_stop=should_stop,
        ):
            yield report
            if report.cancelled:
                return
            epochs_run = report.epoch
        if should_stop():
            return
        model = task.recommender()
        models = {"new": model} if self.current is None else {"current": self.current, "new": model}
        result = evaluate(models, data.test, train=data.train, cutoffs=(20,))
        meta = {
            "loss": config.loss,
            "epochs": epochs_run,
            "seed": plan.seed,
            "train": f"in-app retraining: {data.describe()}",
            "metrics": result.metrics["new"],
        }
        model.meta = dict(meta)
        self.candidate = Candidate(plan.key, config, model, meta)
        problem, _ = vocabulary_problem(model, product_ids(self.catalog))
        self.verdict = Verdict(result.metrics, result.targets, result.skipped, problem)
        log.info("retrained %s: %s", plan.key, result.metrics)
        yield self.verdict


def save_candidate(candidate: Candidate, path: Path) -> None:
    """Write the candidate as an ordinary checkpoint (atomically: old file or new, never half)."""
    from shopdemo.models.checkpoint import save_checkpoint

    save_checkpoint(
        path,
        model=candidate.key,
        config=dataclasses.asdict(candidate.config),
        state_dict=candidate.model.module.state_dict(),
        item_ids=candidate.model.item_ids,
        meta=candidate.meta,
    )


def accept(service: Any, candidate: Candidate, save: bool = True) -> tuple[bool, str]:
    """Swap the candidate into its column; with `save`, also write it where the app looks for
    models trained here. Returns (swapped, problem line or ""): a failed save still leaves the
    new model in use for this run; a model that does not fit the shop is never swapped in."""
    problem, _ = vocabulary_problem(candidate.model, product_ids(service.catalog))
    if problem:
        return False, f"the new model was not swapped in: it {problem}"
    path = Path(service.trained_dir()) / f"{candidate.key}.pt"
    origin = f"retrained in the app (not saved), {TITLES[candidate.key]}"
    if save:
        try:
            save_candidate(candidate, path)
            origin = str(path)
        except (OSError, ShopDemoError) as exc:
            problem = f"the new model is in use but could not be saved to {path}: {exc}"
            log.error(problem)
    loss = describe_loss(candidate.meta, {"loss": getattr(candidate.config, "loss", "")})
    service.install(candidate.key, candidate.model, origin, loss)
    return True, problem
