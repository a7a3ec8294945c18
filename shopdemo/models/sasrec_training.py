"""SASRec's half of training: sessions cut into left-padded windows, and the loss over them.

Every real position of a window is a target (the click after it), so one pass over the windows
sees every next-click target once. The shared loop in `shopdemo.training` does the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional

from shopdemo.data import SessionLog
from shopdemo.models.base import ItemIndex
from shopdemo.models.sasrec import SASRec, SASRecConfig, SASRecRecommender


@dataclass
class Windows:
    """Training windows: inputs and their next-click targets, aligned position by position."""

    inputs: np.ndarray  # (windows, max_len) tokens, internal index + 1, left-padded with 0
    targets: np.ndarray  # (windows, max_len) token of the next click, 0 = no target here
    first: np.ndarray  # (windows,) token of the session's first click, 0 = not a session start


def make_windows(sequences: list[np.ndarray], max_len: int, mode: str) -> Windows:
    """Cut token sequences into windows of at most `max_len` inputs.

    "all": a sequence longer than max_len + 1 becomes overlapping windows, half a window apart;
    each target is scored once, in the window where it has at least max_len / 2 clicks of context.
    "last": only each sequence's last max_len + 1 clicks, as in the paper.
    """
    step = max(1, max_len // 2)
    inputs, targets, first = [], [], []
    for tokens in sequences:
        n_inputs = len(tokens) - 1  # the last click is nobody's input
        if mode == "last" or n_inputs <= max_len:
            ends = [max(n_inputs, 0)]
        else:
            ends = list(range(max_len, n_inputs, step)) + [n_inputs]
        scored_until = 0  # inputs before this index already had their target scored
        for window_number, end in enumerate(ends):
            start = max(0, end - max_len)
            row_inputs = np.zeros(max_len, dtype=np.int64)
            row_targets = np.zeros(max_len, dtype=np.int64)
            width = end - start
            row_inputs[max_len - width :] = tokens[start:end]
            row_targets[max_len - width :] = tokens[start + 1 : end + 1]
            already = max(0, scored_until - start)  # leading positions an earlier window scored
            row_targets[max_len - width : max_len - width + already] = 0
            scored_until = end
            inputs.append(row_inputs)
            targets.append(row_targets)
            first.append(tokens[0] if window_number == 0 and len(tokens) else 0)
    return Windows(
        inputs=np.asarray(inputs, dtype=np.int64).reshape(-1, max_len),
        targets=np.asarray(targets, dtype=np.int64).reshape(-1, max_len),
        first=np.asarray(first, dtype=np.int64),
    )


@dataclass
class Batch:
    """One mini-batch of windows, cut to the widest real window in it."""

    inputs: torch.Tensor  # (batch, width) tokens, width <= max_len (all-padding columns cut)
    targets: torch.Tensor  # (batch, width) next-click tokens, 0 = none
    first: torch.Tensor  # (batch,) first-click tokens for the empty state, 0 = none
    negatives: torch.Tensor | None  # (batch, width, negatives) sampled tokens for "bce"


class SASRecTask:
    """The `TrainingTask` of SASRec: windows, loss, Adam, and an eval-mode recommender."""

    def __init__(self, config: SASRecConfig, train: SessionLog) -> None:
        self.config = config
        self.index = ItemIndex(np.unique(train.item_ids))
        self.item_ids = self.index.item_ids
        sequences = [self.index.encode(items)[0] + 1 for items in train.item_sequences()]
        self.windows = make_windows(sequences, config.max_len, config.windows)
        self.module = SASRec(config, len(self.index))
        self.lr_decay = config.lr_decay  # read by the shared loop's schedule

    def batches(self, generator: torch.Generator) -> Iterator[Batch]:
        order = torch.randperm(len(self.windows.first), generator=generator).numpy()
        size = self.config.batch_size
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            inputs = self.windows.inputs[rows]
            width = max(1, int((inputs > 0).sum(axis=1).max()))
            negatives = None
            if self.config.loss == "bce":
                shape = (len(rows), width, self.config.negatives)
                negatives = torch.randint(1, self.module.n_items + 1, shape, generator=generator)
            yield Batch(
                inputs=torch.from_numpy(inputs[:, -width:]),
                targets=torch.from_numpy(self.windows.targets[rows][:, -width:]),
                first=torch.from_numpy(self.windows.first[rows]),
                negatives=negatives,
            )

    def loss(self, batch: Batch) -> tuple[torch.Tensor, int]:
        """Mean loss over the batch's next-click targets plus its session starts.

        "bce" draws negatives uniformly over all items (one may rarely be the target itself)."""
        states, _ = self.module(batch.inputs)  # (batch, width, hidden)
        scored = batch.targets > 0  # (batch, width)
        picked = states[scored]  # (targets, hidden)
        wanted = batch.targets[scored]  # (targets,) tokens
        context = None
        if self.module.repeat_bias is not None:
            context = self._contexts(batch.inputs)[scored]  # (targets, width)
        if self.config.loss == "ce":
            logits = self.module.item_scores(picked, context)  # (targets, n_items)
            total = functional.cross_entropy(logits, wanted - 1, reduction="sum")
        else:
            sampled = batch.negatives[scored]  # (targets, negatives)
            tokens = torch.cat([wanted[:, None], sampled], dim=1)  # (targets, 1 + negatives)
            logits = self.module.token_scores(picked, tokens, context)  # (targets, 1 + negatives)
            total = -(
                functional.logsigmoid(logits[:, 0]).sum()
                + functional.logsigmoid(-logits[:, 1:]).sum()
            )
        starts = batch.first[batch.first > 0] - 1  # (sessions starting here,) internal indices
        if len(starts):
            # The empty state learns the first-click distribution with full cross-entropy (for
            # "bce" too: it is shown as a distribution) without moving the items (detached), so
            # cold start costs the main model no accuracy.
            empty_logits = (
                self.module.empty_state @ self.module.item_embedding.weight[1:].detach().T
            )
            empty_logits = empty_logits.expand(len(starts), -1)  # (starts, n_items)
            total = total + functional.cross_entropy(empty_logits, starts, reduction="sum")
        n_targets = int(scored.sum()) + len(starts)
        return total / max(n_targets, 1), n_targets

    @staticmethod
    def _contexts(inputs: torch.Tensor) -> torch.Tensor:
        """(batch, width, width): for each position, the clicks up to it, right-aligned."""
        width = inputs.shape[1]
        columns = torch.arange(width)
        source = columns[None, :] - (width - 1 - columns)[:, None]  # (width, width) input column
        return inputs[:, source.clamp(min=0)] * (source >= 0)  # (batch, width, width)

    def make_optimizer(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(
            self.module.parameters(),
            lr=self.config.lr,
            betas=(0.9, 0.98),
            weight_decay=self.config.weight_decay,
        )

    def recommender(self) -> SASRecRecommender:
        return SASRecRecommender(self.module, self.item_ids)
