"""What every count-based baseline shares: the item index, training popularity, the tie term.

A baseline computes non-negative *weights* per item (counts, rule weights, similarities) and
reports `log(weight + tie_weight * popularity)` as its scores. The log is monotone, so rankings
are those of the weights, broken by training popularity; and softmax(scores) is simply the
normalised weights (markov's probabilities are its transition frequencies), so the panel's
percentages mean something. With no evidence (empty prefix, unseen last item) only the
popularity term is left: the baseline falls back to most-popular.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopdemo.data import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.models.base import ItemIndex, Prediction, top_k_prediction

# Largest dense matrix a baseline builds for speed (float32 elements: 128 MiB).
DENSE_ELEMENTS = 2**25
# A dense float32 multiply-add costs ~0.02 ns, one sparse (row, col) pair 30-300 ns (measured on
# 2 cores): go dense when it needs fewer than this many multiply-adds per sparse pair.
DENSE_MACS_PER_PAIR = 1000


class CountBaseline(ABC):
    """Base class: fits the item index and popularity; subclasses supply `weights`."""

    name = "baseline"
    # Added to the weights times popularity (most popular item = 1). Must stay below the smallest
    # positive difference between two weights so it only ever breaks ties.
    tie_weight = 1e-6

    def __init__(self, train: SessionLog) -> None:
        if len(train) == 0:
            raise ShopDemoError(f"cannot fit the {self.name} baseline on an empty training log")
        item_ids, encoded = np.unique(train.item_ids, return_inverse=True)
        self.index = ItemIndex(item_ids)
        self.item_ids = self.index.item_ids  # (n_items,) external id of each internal index
        self.counts = np.bincount(encoded, minlength=len(item_ids)).astype(np.float64)
        self.popularity = self.counts / self.counts.max()  # (n_items,) in (0, 1]
        self.encoded = encoded.astype(np.int64)  # (events,) internal index of each train event
        self.offsets = train.offsets  # (sessions + 1,) session boundaries in `encoded`

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_sessions(self) -> int:
        return len(self.offsets) - 1

    def session_item_keys(self) -> np.ndarray:
        """Sorted keys session * n_items + item, each item once per training session."""
        session = np.repeat(np.arange(self.n_sessions), np.diff(self.offsets))  # (events,)
        return np.unique(session * self.n_items + self.encoded)

    def session_matrix(self, keys: np.ndarray, first: int, last: int) -> np.ndarray:
        """(last - first, n_items) float32 0/1 rows of training sessions first..last-1."""
        lo, hi = np.searchsorted(keys, [first * self.n_items, last * self.n_items])
        matrix = np.zeros((last - first, self.n_items), dtype=np.float32)
        part = keys[lo:hi]
        matrix[part // self.n_items - first, part % self.n_items] = 1.0
        return matrix

    @abstractmethod
    def weights(self, prefixes: list[np.ndarray]) -> np.ndarray:
        """(batch, n_items) non-negative evidence for each item after each prefix."""

    def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        """(batch, n_items) log-weights; an empty prefix gets the popularity ranking."""
        prefixes = [np.asarray(p, dtype=np.int64) for p in prefixes]
        if not prefixes:
            return np.zeros((0, self.n_items))
        weights = self.weights(prefixes)  # (batch, n_items)
        return np.log(weights + self.tie_weight * self.popularity)

    def predict(self, session: Sequence[int], k: int = 10, temperature: float = 1.0) -> Prediction:
        """Top-k after `session` (external ids, oldest first); unknown ids skipped."""
        known, unknown = self.index.encode(session)
        scores = self.score_next([known])[0]  # (n_items,)
        return top_k_prediction(
            scores, self.item_ids, k, temperature, unknown=unknown, cold_start=len(known) == 0
        )


def last_items(prefixes: list[np.ndarray]) -> np.ndarray:
    """(batch,) the last item of each prefix, -1 for an empty one."""
    return np.array([p[-1] if len(p) else -1 for p in prefixes], dtype=np.int64)


def ragged_positions(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten the ranges [start, start + length): (owner row, position) for every element."""
    owner = np.repeat(np.arange(len(starts)), lengths)  # (total,)
    first = np.cumsum(lengths) - lengths  # (rows,) where each range begins in the output
    positions = np.arange(int(lengths.sum())) - np.repeat(first - starts, lengths)  # (total,)
    return owner, positions


@dataclass(frozen=True)
class SparseRows:
    """A CSR-style sparse matrix in plain numpy: the item -> item tables of the rule baselines."""

    indptr: np.ndarray  # (n_rows + 1,) start of each row in `indices`/`values`
    indices: np.ndarray  # (nnz,) column of each stored value, sorted within a row
    values: np.ndarray  # (nnz,) float64 values

    @classmethod
    def from_pairs(
        cls, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_rows: int, n_cols: int
    ) -> SparseRows:
        """Sum the values of repeated (row, col) pairs."""
        keys = rows.astype(np.int64) * n_cols + cols  # (pairs,)
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        sums = np.bincount(inverse, weights=values, minlength=len(unique_keys))
        return cls.from_keys(unique_keys, sums, n_rows, n_cols)

    @classmethod
    def from_keys(
        cls, keys: np.ndarray, values: np.ndarray, n_rows: int, n_cols: int
    ) -> SparseRows:
        """From sorted unique keys row * n_cols + col and their values."""
        row_of = keys // n_cols
        indptr = np.searchsorted(row_of, np.arange(n_rows + 1))
        return cls(
            indptr.astype(np.int64), (keys % n_cols).astype(np.int64), values.astype(np.float64)
        )

    def dense_rows(self, rows: np.ndarray, n_cols: int) -> np.ndarray:
        """(len(rows), n_cols) those rows as a dense array; row -1 gives zeros."""
        valid = rows >= 0
        safe = np.where(valid, rows, 0)
        starts = self.indptr[safe]
        lengths = np.where(valid, self.indptr[safe + 1] - starts, 0)
        owner, positions = ragged_positions(starts, lengths)
        out = np.zeros((len(rows), n_cols))
        out[owner, self.indices[positions]] = self.values[positions]
        return out


@dataclass(frozen=True)
class DenseRows:
    """The same interface over a dense table, for small catalogues with dense co-occurrence."""

    table: np.ndarray  # (n_rows, n_cols) float32

    def dense_rows(self, rows: np.ndarray, n_cols: int) -> np.ndarray:
        """(len(rows), n_cols) those rows as float64; row -1 gives zeros."""
        out = self.table[np.maximum(rows, 0)].astype(np.float64)  # (batch, n_cols)
        out[rows < 0] = 0.0
        return out
