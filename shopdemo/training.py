"""One training loop for every neural model: epochs of mini-batches, validation, early stopping.

A model contributes a `TrainingTask` (how to cut batches, how to compute the loss, which
optimiser); this loop owns everything else. It is a generator of `EpochReport`s so the CLI can
drive a progress bar and the GUI a live curve, and it checks `should_stop()` between batches so
both can cancel. No Qt here (STYLE.md: Orange's task pattern).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import torch

from shopdemo.data import SessionLog
from shopdemo.models.base import NextItemModel


@dataclass
class EpochReport:
    """What one finished epoch looked like; the last report of a run says why it ended."""

    epoch: int  # 1-based
    epochs: int  # planned number of epochs
    loss: float  # mean training loss over the epoch's targets
    seconds: float  # wall time of the epoch's training (validation excluded)
    targets_per_second: float
    valid: dict[str, float] = field(default_factory=dict)  # e.g. {"Recall@20": .., "MRR@20": ..}
    is_best: bool = False  # best validation criterion so far (always True without validation)
    stopped_early: bool = False  # patience ran out after this epoch
    cancelled: bool = False  # should_stop() was true during this epoch


class TrainingTask(Protocol):
    """The model-specific half of training."""

    module: torch.nn.Module
    # Optional `loss_is_sum = True`: `loss` returns the batch's summed loss instead of its mean
    # (GRU4Rec: its Adagrad normalises per-parameter gradients, which a mean shrinks below eps).
    # Optional `lr_decay = g`: the learning rate is multiplied by g after every epoch (SASRec).

    def batches(self, generator: torch.Generator) -> Iterator[Any]:
        """One epoch of mini-batches, shuffled with `generator`."""
        ...

    def loss(self, batch: Any) -> tuple[torch.Tensor, int]:
        """Mean (or, with `loss_is_sum`, summed) loss over the batch's targets, and their number."""
        ...

    def make_optimizer(self) -> torch.optim.Optimizer: ...

    def recommender(self) -> NextItemModel:
        """An eval-mode view of the current weights for validation."""
        ...


def default_criterion(metrics: dict[str, float]) -> float:
    """Early stopping weighs hit rate and the top of the ranking equally."""
    return metrics.get("Recall@20", 0.0) + metrics.get("MRR@20", 0.0)


def seed_everything(seed: int) -> torch.Generator:
    """Seed torch and numpy; return the generator the batchers draw from."""
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def run_training(
    task: TrainingTask,
    *,
    epochs: int,
    generator: torch.Generator,
    valid: SessionLog | None = None,
    train_log: SessionLog | None = None,
    patience: int = 3,
    should_stop: Callable[[], bool] = lambda: False,
    criterion: Callable[[dict[str, float]], float] = default_criterion,
    protocol: str = "next",
) -> Iterator[EpochReport]:
    """Train `task.module` in place, yielding one report per epoch.

    With `valid`, the best epoch's weights (by `criterion`) are restored when the run ends, and
    the run stops after `patience` epochs without improvement.
    """
    from shopdemo.evaluation import evaluate  # late: evaluation imports models, not training

    optimizer = task.make_optimizer()
    # Decaying the step size lets a run settle into the minimum it has found instead of
    # bouncing around it (SASRec on ML-1M: validation stalls by epoch ~15 at a constant rate).
    schedule = torch.optim.lr_scheduler.ExponentialLR(
        optimizer, gamma=getattr(task, "lr_decay", 1.0)
    )
    per_target = 1 if getattr(task, "loss_is_sum", False) else None
    best_score, best_state, waited = -np.inf, None, 0
    for epoch in range(1, epochs + 1):
        task.module.train()
        started = time.perf_counter()
        total_loss, total_targets, cancelled = 0.0, 0, False
        for batch in task.batches(generator):
            if should_stop():
                cancelled = True
                break
            optimizer.zero_grad(set_to_none=True)
            loss, n_targets = task.loss(batch)
            loss.backward()
            optimizer.step()
            total_loss += float(loss.detach()) * (per_target or n_targets)
            total_targets += n_targets
        seconds = time.perf_counter() - started
        if not cancelled:  # a cancelled run ends here (and may not have stepped at all)
            schedule.step()
        report = EpochReport(
            epoch=epoch,
            epochs=epochs,
            loss=total_loss / max(total_targets, 1),
            seconds=seconds,
            targets_per_second=total_targets / max(seconds, 1e-9),
            cancelled=cancelled,
        )
        task.module.eval()
        if valid is not None and not cancelled:
            result = evaluate(
                {"model": task.recommender()},
                valid,
                train=train_log,
                cutoffs=(20,),
                protocol=protocol,
            )
            report.valid = result.metrics["model"]
            score = criterion(report.valid)
            if score > best_score:
                best_score, waited = score, 0
                best_state = copy.deepcopy(task.module.state_dict())
                report.is_best = True
            else:
                waited += 1
                report.stopped_early = waited >= patience
        else:
            report.is_best = not cancelled
        yield report
        if cancelled or report.stopped_early:
            break
    if best_state is not None:
        task.module.load_state_dict(best_state)
    task.module.eval()
