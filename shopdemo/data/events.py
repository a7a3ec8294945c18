"""`SessionLog`: a click log as three aligned numpy arrays, grouped by session in time order.

Every reader returns one and every trainer, evaluator and baseline consumes one, so the file
format never leaks past `shopdemo.data`. Arrays, not lists of objects: rsc15 has ~60k events and
the evaluator ranks them in batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SessionLog:
    """Events grouped by session (sessions in order of first appearance), time-sorted inside.

    For the `sequences` format a "session" is a user and `times` is the position in the sequence.
    """

    session_ids: np.ndarray  # (events,) int64 session (or user) id per event
    item_ids: np.ndarray  # (events,) int64 external item id per event
    times: np.ndarray  # (events,) float64 unix seconds (or position for sequences)

    def __post_init__(self) -> None:
        n = len(self.session_ids)
        if len(self.item_ids) != n or len(self.times) != n:
            raise ValueError("session_ids, item_ids and times must have the same length")

    @classmethod
    def from_arrays(cls, session_ids, item_ids, times) -> SessionLog:  # noqa: ANN001
        """Group by session (first appearance order) and sort by time inside, stably."""
        session_ids = np.asarray(session_ids, dtype=np.int64)
        item_ids = np.asarray(item_ids, dtype=np.int64)
        times = np.asarray(times, dtype=np.float64)
        if len(session_ids) == 0:
            return cls(session_ids, item_ids, times)
        _, first_index, inverse = np.unique(session_ids, return_index=True, return_inverse=True)
        session_rank = np.argsort(np.argsort(first_index, kind="stable"), kind="stable")[inverse]
        order = np.lexsort((np.arange(len(times)), times, session_rank))
        return cls(session_ids[order], item_ids[order], times[order])

    def __len__(self) -> int:
        return len(self.item_ids)

    @property
    def offsets(self) -> np.ndarray:
        """(sessions + 1,) start index of each session's events, then the total."""
        if len(self.session_ids) == 0:
            return np.zeros(1, dtype=np.int64)
        starts = np.flatnonzero(np.diff(self.session_ids)) + 1
        return np.concatenate([[0], starts, [len(self.session_ids)]]).astype(np.int64)

    @property
    def n_sessions(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_items(self) -> int:
        return len(np.unique(self.item_ids))

    def sessions(self) -> Iterator[tuple[int, np.ndarray]]:
        """Yield (session id, item ids oldest first) for every session."""
        offsets = self.offsets
        for start, end in zip(offsets[:-1], offsets[1:], strict=True):
            yield int(self.session_ids[start]), self.item_ids[start:end]

    def item_sequences(self) -> list[np.ndarray]:
        """The item ids of every session, oldest first."""
        offsets = self.offsets
        return [self.item_ids[s:e] for s, e in zip(offsets[:-1], offsets[1:], strict=True)]
