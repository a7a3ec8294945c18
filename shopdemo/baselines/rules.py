"""Last-item rule baselines: an item -> item table, read at the session's last click.

`markov` counts which item followed which; `sr` (sequential rules, Ludewig & Jannach 2018) also
credits later items within a window of 10, weighted 1/gap; `cooc` counts in how many training
sessions two items occur together, order ignored. All three look only at the last click, which
on click logs is surprisingly hard to beat (the shared data README's reference points).
"""

from __future__ import annotations

import numpy as np

from shopdemo.baselines.base import (
    DENSE_ELEMENTS,
    DENSE_MACS_PER_PAIR,
    CountBaseline,
    DenseRows,
    SparseRows,
    last_items,
    ragged_positions,
)
from shopdemo.data import SessionLog

# Pairs generated per chunk while counting co-occurrences (bounds memory on long sequences).
PAIRS_PER_CHUNK = 4_000_000


class LastItemRules(CountBaseline):
    """Scores are the row of `self.rules` at the prefix's last item."""

    rules: SparseRows | DenseRows

    def weights(self, prefixes: list[np.ndarray]) -> np.ndarray:
        return self.rules.dense_rows(last_items(prefixes), self.n_items)  # (batch, n_items)

    def successor_pairs(self, gap: int) -> tuple[np.ndarray, np.ndarray]:
        """(from, to) internal indices of every pair of training events `gap` apart in a session."""
        session = np.repeat(np.arange(self.n_sessions), np.diff(self.offsets))  # (events,)
        same = session[:-gap] == session[gap:]  # (events - gap,)
        return self.encoded[:-gap][same], self.encoded[gap:][same]


class Markov(LastItemRules):
    """First-order Markov chain: counts of last item -> next item."""

    name = "markov"

    def __init__(self, train: SessionLog) -> None:
        super().__init__(train)
        sources, targets = self.successor_pairs(1)
        self.rules = SparseRows.from_pairs(
            sources, targets, np.ones(len(sources)), self.n_items, self.n_items
        )


class SequentialRules(LastItemRules):
    """Rules a -> b for b up to `window` clicks after a, each occurrence weighted 1/gap."""

    name = "sr"
    tie_weight = 1e-7  # weights are sums of 1/gap (gap <= 10): they differ by >= 1/2520

    def __init__(self, train: SessionLog, window: int = 10) -> None:
        super().__init__(train)
        self.window = window  # largest gap (in clicks) that still makes a rule
        sources, targets, values = [], [], []
        for gap in range(1, window + 1):
            source, target = self.successor_pairs(gap)
            sources.append(source)
            targets.append(target)
            values.append(np.full(len(source), 1.0 / gap))
        self.rules = SparseRows.from_pairs(
            np.concatenate(sources),
            np.concatenate(targets),
            np.concatenate(values),
            self.n_items,
            self.n_items,
        )


class Cooccurrence(LastItemRules):
    """Number of training sessions in which the last item and the candidate both occur."""

    name = "cooc"

    def __init__(self, train: SessionLog) -> None:
        super().__init__(train)
        keys = self.session_item_keys()
        lengths = np.bincount(keys // self.n_items, minlength=self.n_sessions)  # (sessions,)
        pairs = int((lengths.astype(np.int64) ** 2).sum())
        macs = self.n_items**2 * self.n_sessions
        if self.n_items**2 <= DENSE_ELEMENTS and macs < pairs * DENSE_MACS_PER_PAIR:
            self.rules = self._dense_counts(keys)  # long sequences (e.g. MovieLens users)
        else:
            self.rules = self._sparse_counts(keys, lengths)  # short click sessions

    def _dense_counts(self, keys: np.ndarray) -> DenseRows:
        """Sessions-by-items 0/1 matrix B, counts B^T B, block by block; diagonal removed."""
        table = np.zeros((self.n_items, self.n_items), dtype=np.float32)
        step = max(1, DENSE_ELEMENTS // (4 * self.n_items))
        for first in range(0, self.n_sessions, step):
            block = self.session_matrix(keys, first, min(first + step, self.n_sessions))
            table += block.T @ block  # (n_items, n_items)
        np.fill_diagonal(table, 0.0)
        return DenseRows(table)

    def _sparse_counts(self, keys: np.ndarray, lengths: np.ndarray) -> SparseRows:
        """Every ordered pair of distinct items per session, counted chunk by chunk."""
        n = self.n_items
        items = keys % n  # (distinct session-items,) grouped by session
        starts = np.cumsum(lengths) - lengths
        chunk_of = np.cumsum(lengths.astype(np.int64) ** 2) // PAIRS_PER_CHUNK  # (sessions,)
        all_keys, all_counts = [], []
        for chunk in np.unique(chunk_of):
            members = np.flatnonzero(chunk_of == chunk)
            owner, within = ragged_positions(np.zeros_like(members), lengths[members] ** 2)
            length = lengths[members][owner]  # (pairs,)
            first = items[starts[members][owner] + within // length]
            second = items[starts[members][owner] + within % length]
            distinct = first != second
            chunk_keys, chunk_counts = np.unique(
                first[distinct] * n + second[distinct], return_counts=True
            )
            all_keys.append(chunk_keys)
            all_counts.append(chunk_counts.astype(np.float64))
        merged, inverse = np.unique(np.concatenate(all_keys), return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate(all_counts), minlength=len(merged))
        return SparseRows.from_keys(merged, sums, n, n)
