"""Session-kNN (Jannach & Ludewig, RecSys 2017): recommend what similar past sessions contained.

The current session and each training session are item sets; similarity is cosine,
|a & b| / sqrt(|a| |b|). The `k` most similar training sessions vote for their items with their
similarity. With `recency=True` the current session's clicks are weighted by position
(linear, the last click weighs 1, as in V-SkNN), so the latest clicks decide the neighbours.
Equally similar neighbours: the more recent training session wins.
"""

from __future__ import annotations

import numpy as np

from shopdemo.baselines.base import (
    DENSE_ELEMENTS,
    DENSE_MACS_PER_PAIR,
    CountBaseline,
    ragged_positions,
)
from shopdemo.data import SessionLog


class SessionKNN(CountBaseline):
    """Cosine session-kNN over the `k` most similar training sessions."""

    name = "sknn"
    tie_weight = 1e-9  # votes are sums of cosines: keep the popularity term far below them

    def __init__(self, train: SessionLog, k: int = 100, recency: bool = False) -> None:
        super().__init__(train)
        self.k = k  # number of neighbour sessions that vote
        self.recency = recency  # weight the current session's clicks linearly by position
        n = self.n_items
        self.keys = self.session_item_keys()  # distinct (session, item), session-major
        self.session_items = self.keys % n  # (pairs,) items of each session, as a set
        self.session_size = np.bincount(self.keys // n, minlength=self.n_sessions)
        self.session_start = np.cumsum(self.session_size) - self.session_size
        by_item = np.argsort(self.session_items, kind="stable")
        self.item_sessions = (self.keys // n)[by_item]  # (pairs,) sessions of each item
        self.item_start = np.searchsorted(self.session_items[by_item], np.arange(n))
        self.item_size = np.bincount(self.session_items, minlength=n)  # (n_items,)
        ends = train.times[self.offsets[1:] - 1]  # (sessions,) time of each session's last click
        most_recent_first = np.argsort(-ends, kind="stable")
        self.recency_rank = np.argsort(most_recent_first, kind="stable")  # (sessions,) 0 = latest
        self._matrix: np.ndarray | None = None  # dense sessions x items 0/1, built on demand

    def weights(self, prefixes: list[np.ndarray]) -> np.ndarray:
        out = np.zeros((len(prefixes), self.n_items))  # (batch, n_items)
        step = max(1, DENSE_ELEMENTS // (4 * self.n_sessions))  # rows whose similarities fit
        for first in range(0, len(prefixes), step):
            out[first : first + step] = self._votes(prefixes[first : first + step])
        return out

    def _votes(self, prefixes: list[np.ndarray]) -> np.ndarray:
        """(rows, n_items) summed similarity of the k nearest sessions containing each item."""
        rows, n = len(prefixes), self.n_items
        row_of, items, click_weight = self._prefix_sets(prefixes)
        norm = np.sqrt(np.bincount(row_of, weights=click_weight**2, minlength=rows))  # (rows,)
        overlap = self._overlap(row_of, items, click_weight, rows)  # (rows, sessions)
        scale = np.where(norm > 0, 1.0 / np.maximum(norm, 1e-300), 0.0)
        similarity = overlap * scale[:, None] / np.sqrt(np.maximum(self.session_size, 1))
        voter, neighbour, weight = self._nearest(similarity)  # (rows * k,) each
        owner, positions = ragged_positions(
            self.session_start[neighbour], self.session_size[neighbour]
        )
        vote_keys = voter[owner] * n + self.session_items[positions]
        votes = np.bincount(vote_keys, weights=weight[owner], minlength=rows * n)
        return votes.reshape(rows, n)

    def _overlap(
        self, row_of: np.ndarray, items: np.ndarray, click_weight: np.ndarray, rows: int
    ) -> np.ndarray:
        """(rows, sessions) weighted count of each prefix's items in each training session."""
        pairs = int(self.item_size[items].sum())
        macs = rows * self.n_items * self.n_sessions
        if self.n_sessions * self.n_items <= DENSE_ELEMENTS and macs < pairs * DENSE_MACS_PER_PAIR:
            if self._matrix is None:  # long histories (MovieLens users): one matrix product
                self._matrix = self.session_matrix(self.keys, 0, self.n_sessions)
            prefix = np.zeros((rows, self.n_items), dtype=np.float32)
            prefix[row_of, items] = click_weight
            return (prefix @ self._matrix.T).astype(np.float64)  # (rows, sessions)
        owner, positions = ragged_positions(self.item_start[items], self.item_size[items])
        keys = row_of[owner] * self.n_sessions + self.item_sessions[positions]
        counts = np.bincount(keys, weights=click_weight[owner], minlength=rows * self.n_sessions)
        return counts.reshape(rows, self.n_sessions)

    def _nearest(self, similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, session, similarity) of the k most similar sessions (> 0) of each row.

        Among equally similar sessions the most recent wins.
        """
        rows, k = len(similarity), min(self.k, similarity.shape[1])
        candidates = similarity > 0  # (rows, sessions)
        if candidates.sum() > 4 * k * rows:  # dense rows: first drop what is below the k-th best
            kth = -np.partition(-similarity, k - 1, axis=1)[:, k - 1 : k]  # (rows, 1)
            candidates &= similarity >= kth
        row, session = np.nonzero(candidates)  # (pairs,) each
        value = similarity[row, session]
        order = np.lexsort((self.recency_rank[session], -value, row))
        row_first = np.searchsorted(row[order], np.arange(rows))  # (rows,)
        chosen = order[np.arange(len(order)) - row_first[row[order]] < k]
        return row[chosen], session[chosen], value[chosen]

    def _prefix_sets(self, prefixes: list[np.ndarray]) -> tuple[np.ndarray, ...]:
        """(row, item, weight) of each distinct item of each prefix; weight 1 or by recency."""
        lengths = np.array([len(p) for p in prefixes], dtype=np.int64)
        rows = np.repeat(np.arange(len(prefixes)), lengths)  # (clicks,)
        if len(rows) == 0:
            return rows, rows, np.zeros(0)
        flat = np.concatenate(prefixes)  # (clicks,)
        position = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        weight = (position + 1) / lengths[rows] if self.recency else np.ones(len(flat))
        # Keep one entry per (row, item): its latest click, which has the largest weight.
        keys = rows * self.n_items + flat
        order = np.lexsort((-weight, keys))
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys[order][1:] != keys[order][:-1]
        kept = order[first]
        return rows[kept], flat[kept], weight[kept]
