"""Ranking a batch of targets against full score rows, and summing the metrics at every cutoff.

Kept apart from `evaluation.py` (which decides *what* is a target) so the arithmetic the tests
check by hand sits in one short file. Everything is vectorised over the batch: the target's rank
is a count of scores above it (and equal to it, by tie mode), never a sort of the catalogue.
"""

from __future__ import annotations

import numpy as np

TIES = ("conservative", "optimistic", "median")
METRICS = ("Recall", "MRR", "NDCG", "Coverage", "Popularity")


def clean_scores(scores: np.ndarray) -> np.ndarray:
    """Float scores in which NaN and +-inf are -inf (a broken score never helps an item)."""
    if not np.issubdtype(scores.dtype, np.floating):
        scores = scores.astype(np.float64)
    finite = np.isfinite(scores)
    if not finite.all():
        scores = np.where(finite, scores, -np.inf)
    return scores


def target_ranks(scores: np.ndarray, targets: np.ndarray, ties: str) -> np.ndarray:
    """(batch,) 1-based rank of each target in its row; inf where the target is -1 (a miss).

    NaN entries (items excluded from the ranking) are neither above nor equal to anything.
    conservative: 1 + #greater + #equal others; optimistic: 1 + #greater; median: in between.
    """
    rows = np.arange(len(targets))
    has_target = targets >= 0
    target_scores = scores[rows, np.where(has_target, targets, 0)][:, None]  # (batch, 1)
    greater = (scores > target_scores).sum(axis=1)  # (batch,)
    equal_others = (scores == target_scores).sum(axis=1) - 1  # (batch,)
    if ties == "conservative":
        ranks = 1.0 + greater + equal_others
    elif ties == "optimistic":
        ranks = 1.0 + greater
    else:
        ranks = 1.0 + greater + equal_others / 2.0
    return np.where(has_target, ranks, np.inf)


def top_items(scores: np.ndarray, k: int) -> np.ndarray:
    """(batch, min(k, n_items)) indices of the k best scores per row, best first (NaN last)."""
    k = min(k, scores.shape[1])
    negated = -scores  # NaN stays NaN and sorts last
    if k < scores.shape[1]:
        candidates = np.argpartition(negated, k - 1, axis=1)[:, :k]  # (batch, k)
    else:
        candidates = np.tile(np.arange(scores.shape[1]), (len(scores), 1))
    order = np.argsort(np.take_along_axis(negated, candidates, axis=1), axis=1, kind="stable")
    return np.take_along_axis(candidates, order, axis=1)


class MetricSums:
    """Running sums for one model at every cutoff; `means` turns them into the reported metrics."""

    def __init__(
        self,
        cutoffs: tuple[int, ...],
        n_items: int,
        in_catalog: np.ndarray,
        popularity: np.ndarray | None,
    ) -> None:
        self.cutoffs = cutoffs
        self.in_catalog = in_catalog  # (n_items,) model items that belong to the training catalogue
        self.catalog_size = int(in_catalog.sum()) if len(in_catalog) else 0
        self.popularity = popularity  # (n_items,) training popularity / max, or None without train
        self.count = 0
        self.sums = {f"{m}@{k}": 0.0 for m in METRICS for k in cutoffs}
        self.recommended = {k: np.zeros(n_items, dtype=bool) for k in cutoffs}

    def add(self, ranks: np.ndarray, scores: np.ndarray) -> None:
        """Add one batch: the targets' ranks and the score rows (for top-k coverage/popularity)."""
        self.count += len(ranks)
        top = top_items(scores, max(self.cutoffs)) if scores.shape[1] else None
        for k in self.cutoffs:
            hit = ranks <= k
            self.sums[f"Recall@{k}"] += float(hit.sum())
            self.sums[f"MRR@{k}"] += float((1.0 / ranks[hit]).sum())
            self.sums[f"NDCG@{k}"] += float((1.0 / np.log2(ranks[hit] + 1.0)).sum())
            if top is not None:
                self.recommended[k][top[:, :k].ravel()] = True
                if self.popularity is not None:
                    self.sums[f"Popularity@{k}"] += float(self.popularity[top[:, :k]].mean(1).sum())

    def means(self) -> dict[str, float]:
        """Recall/MRR/NDCG/Popularity averaged over targets; Coverage over the catalogue."""
        result = {}
        for name, total in self.sums.items():
            metric, k = name.split("@")
            if metric == "Popularity" and self.popularity is None:
                continue
            if metric == "Coverage":
                covered = (self.recommended[int(k)] & self.in_catalog).sum()
                result[name] = float(covered / max(self.catalog_size, 1))
            else:
                result[name] = total / max(self.count, 1)
        return result
