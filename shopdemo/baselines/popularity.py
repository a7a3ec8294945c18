"""Popularity baselines: the floor every session model must clear.

`pop` ignores the session; `spop` puts the items already in the session first (a visitor often
goes back to a product), by how often they were clicked there, then the most popular ones.
"""

from __future__ import annotations

import numpy as np

from shopdemo.baselines.base import CountBaseline


class Pop(CountBaseline):
    """Most popular items in training, whatever the session."""

    name = "pop"
    tie_weight = 0.0  # the counts are the popularity: nothing left to break ties with

    def weights(self, prefixes: list[np.ndarray]) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(prefixes), self.n_items))  # (batch, n_items)


class SessionPop(CountBaseline):
    """Items of this session by their count in it, then the most popular items."""

    name = "spop"

    def weights(self, prefixes: list[np.ndarray]) -> np.ndarray:
        rows = np.repeat(np.arange(len(prefixes)), [len(p) for p in prefixes])  # (clicks,)
        flat = np.concatenate(prefixes)  # (clicks,)
        counts = np.bincount(rows * self.n_items + flat, minlength=len(prefixes) * self.n_items)
        return counts.reshape(len(prefixes), self.n_items).astype(np.float64)
