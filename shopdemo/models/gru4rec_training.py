"""How GRU4Rec learns: session-parallel mini-batches, popularity-sampled negatives, its two losses.

These are the features third-party ports tend to miss (Hidasi & Czapp, RecSys 2023): each step
moves every session in the batch one click ahead and back-propagates through that step only, the
other targets of the batch plus one shared set of extra items (drawn ahead in a large store,
~ popularity ** alpha) are the negatives, and BPR-max weights its negatives by their softmax.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional

from shopdemo.data import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.models.base import ItemIndex
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig, GRU4RecRecommender
from shopdemo.models.optim import AdagradMomentum


@dataclass
class Step:
    """One session-parallel step: every active row feeds one click and predicts the next."""

    inputs: torch.Tensor  # (batch,) internal item index clicked now
    targets: torch.Tensor  # (batch,) internal item index clicked next
    carry: torch.Tensor | None  # (batch,) previous-step row each row continues; None: same rows
    reset: torch.Tensor  # (batch,) bool: the row starts a new session (zero hidden state)
    negatives: torch.Tensor | None  # (n_sample,) extra negatives shared by the batch


def session_parallel_steps(
    starts: np.ndarray, ends: np.ndarray, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray | None, np.ndarray]]:
    """Event positions of each step, (positions, carry, reset), sessions taken in the given order.

    `starts`/`ends` bound each session's events (end exclusive, at least two events). A row whose
    session ends takes the next session and is reset. When no sessions are left the batch shrinks
    instead of dropping the tail (the reference stops there; we train every click).
    """
    rows = min(batch_size, len(starts))
    position = starts[:rows].copy()  # (rows,) event each row feeds now
    end = ends[:rows].copy()  # (rows,) one past the last event of the row's session
    next_session = rows
    reset = np.ones(rows, dtype=bool)
    carry = None
    while len(position):
        yield position, carry, reset
        position = position + 1
        finished = np.flatnonzero(position + 1 >= end)  # rows with no target left
        reset = np.zeros(len(position), dtype=bool)
        carry = None
        if len(finished):
            refill = finished[: len(starts) - next_session]
            taken = slice(next_session, next_session + len(refill))
            position[refill], end[refill] = starts[taken], ends[taken]
            reset[refill] = True
            next_session += len(refill)
            if len(refill) < len(finished):  # out of sessions: drop the rows that ended
                carry = np.setdiff1d(np.arange(len(position)), finished[len(refill) :])
                position, end, reset = position[carry], end[carry], reset[carry]


class NegativeSampler:
    """Extra negatives ~ popularity ** alpha, drawn `store` ids at a time for speed."""

    def __init__(self, counts: np.ndarray, alpha: float, n_sample: int, store: int) -> None:
        weights = np.asarray(counts, dtype=np.float64) ** alpha
        self.probability = torch.from_numpy(weights / weights.sum())  # (n_items,)
        self.cumulative = torch.cumsum(self.probability, 0)
        self.cumulative[-1] = 1.0 + 1e-9  # searchsorted never runs past the last item
        self.n_sample = n_sample
        self.rows = max(1, store // max(n_sample, 1))  # steps served by one draw
        self.store = torch.empty(0, n_sample, dtype=torch.int64)
        self.next_row = 0

    def draw(self, generator: torch.Generator) -> torch.Tensor:
        """The next step's (n_sample,) negatives; refills the store with `generator` when empty."""
        if self.next_row >= len(self.store):
            uniform = torch.rand(self.rows, self.n_sample, generator=generator, dtype=torch.float64)
            self.store = torch.searchsorted(self.cumulative, uniform)  # (rows, n_sample)
            self.next_row = 0
        self.next_row += 1
        return self.store[self.next_row - 1]


def cross_entropy_loss(scores: torch.Tensor, log_q: torch.Tensor | None = None) -> torch.Tensor:
    """Softmax cross-entropy summed over rows, row i's target being column i; `log_q`
    (columns,) is subtracted from the scores first."""
    if log_q is not None:
        scores = scores - log_q  # (batch, columns): the sampled softmax becomes unbiased
    targets = torch.arange(scores.shape[0])
    return functional.cross_entropy(scores, targets, reduction="sum")


def bpr_max_loss(
    scores: torch.Tensor, targets: torch.Tensor, counts: torch.Tensor, bpreg: float
) -> torch.Tensor:
    """BPR-max (CIKM 2018) summed over rows: -log sum_j s_j sigmoid(r_i - r_j) + bpreg *
    sum_j s_j r_j^2, with s = softmax over the row's negatives' scores r_j.

    Columns are distinct items; `counts` (columns,) says how often each was drawn as a candidate
    (in-batch target or extra sample), so a repeated negative weighs as much as its copies would,
    at a fraction of the cost. Row i's target is column targets[i], minus that one occurrence.
    """
    rows = torch.arange(scores.shape[0])
    positive = scores[rows, targets]  # (batch,)
    negative_counts = counts.expand(scores.shape[0], -1).clone()  # (batch, columns)
    negative_counts[rows, targets] -= 1
    weights = torch.softmax(scores + negative_counts.log(), dim=1)  # (batch, columns)
    ranking = (weights * torch.sigmoid(positive.unsqueeze(1) - scores)).sum(dim=1)  # (batch,)
    regulariser = (weights * scores.square()).sum(dim=1)  # (batch,)
    per_row = -torch.log(ranking + 1e-24) + bpreg * regulariser  # (batch,)
    return per_row[negative_counts.sum(dim=1) > 0].sum()  # a lone row has nothing to rank


class GRU4RecTask:
    """The `TrainingTask` of GRU4Rec; keeps the batch's hidden state between steps.

    Losses are summed over the mini-batch: per-target gradients of a mean (~1e-5) sit below
    Adagrad's sqrt(eps), where it degenerates into plain SGD (measured on train_tr/valid).
    """

    loss_is_sum = True

    def __init__(self, config: GRU4RecConfig, train: SessionLog) -> None:
        self.config = config
        self.index = ItemIndex(np.unique(train.item_ids))
        self.item_ids = self.index.item_ids
        encoded, _ = self.index.encode(train.item_ids)
        offsets = train.offsets
        lengths = np.diff(offsets)
        starts = offsets[:-1][lengths >= 2]  # one-click sessions have no target
        first_time = train.times[starts]
        by_time = np.argsort(first_time, kind="stable")  # oldest session first
        self.items = torch.from_numpy(encoded)  # (events,)
        self.starts = starts[by_time]  # (sessions,) first event of each trainable session
        self.ends = (starts + lengths[lengths >= 2])[by_time]  # (sessions,) one past its last
        if len(self.starts) == 0:
            raise ShopDemoError("GRU4Rec needs at least one session of two or more clicks")
        counts = np.bincount(encoded, minlength=len(self.index)).astype(np.float64)
        self.module = GRU4Rec(config, len(self.index))
        self.module.sparse_grad = config.optimizer == "adagrad"
        self.sampler = None
        if config.n_sample > 0:
            self.sampler = NegativeSampler(
                counts, config.sample_alpha, config.n_sample, config.sample_store
            )
        self.log_popularity = torch.from_numpy(np.log(counts / counts.sum())).float()  # (n_items,)
        self.hidden = self.module.initial_hidden(0)

    @property
    def n_sessions(self) -> int:
        return len(self.ends)

    def batches(self, generator: torch.Generator) -> Iterator[Step]:
        if self.config.shuffle:
            order = torch.randperm(self.n_sessions, generator=generator).numpy()
        else:
            order = np.arange(self.n_sessions)
        self.hidden = self.module.initial_hidden(min(self.config.batch_size, self.n_sessions))
        steps = session_parallel_steps(self.starts[order], self.ends[order], self.config.batch_size)
        for positions, carry, reset in steps:
            positions = torch.from_numpy(positions)
            yield Step(
                inputs=self.items[positions],
                targets=self.items[positions + 1],
                carry=None if carry is None else torch.from_numpy(carry),
                reset=torch.from_numpy(reset),
                negatives=None if self.sampler is None else self.sampler.draw(generator),
            )

    def loss(self, batch: Step) -> tuple[torch.Tensor, int]:
        hidden = self.hidden if batch.carry is None else self.hidden[:, batch.carry]
        hidden = hidden.masked_fill(batch.reset.view(1, -1, 1), 0.0)  # (layers, batch, hidden)
        output, hidden, _ = self.module.step(batch.inputs, hidden)
        self.hidden = hidden.detach()  # back-propagate through this step only
        columns = batch.targets
        if batch.negatives is not None:
            columns = torch.cat([batch.targets, batch.negatives])  # (batch + n_sample,)
        if self.config.loss == "bpr-max":
            distinct, column_of = torch.unique(columns, return_inverse=True)  # popular items repeat
            scores = self.module.scores(output, distinct)  # (batch, distinct)
            counts = torch.bincount(column_of, minlength=len(distinct)).float()  # (distinct,)
            targets = column_of[: len(batch.targets)]  # (batch,)
            return bpr_max_loss(scores, targets, counts, self.config.bpreg), len(batch.targets)
        scores = self.module.scores(output, columns)  # (batch, batch + n_sample)
        log_q = None
        if self.config.logq > 0:
            log_q = self.config.logq * self._log_q(batch)
        return cross_entropy_loss(scores, log_q), len(batch.targets)

    def _log_q(self, batch: Step) -> torch.Tensor:
        """Log chance of each column's item to be a candidate: popularity for the batch's own
        targets, the sampler's distribution for the extra negatives."""
        in_batch = self.log_popularity[batch.targets]
        if batch.negatives is None:
            return in_batch
        return torch.cat([in_batch, self.sampler.probability[batch.negatives].log().float()])

    def make_optimizer(self) -> torch.optim.Optimizer:
        params = self.module.parameters()
        if self.config.optimizer == "adam":
            return torch.optim.Adam(params, lr=self.config.learning_rate)
        return AdagradMomentum(params, lr=self.config.learning_rate, momentum=self.config.momentum)

    def recommender(self) -> GRU4RecRecommender:
        return GRU4RecRecommender(self.module, self.item_ids)
