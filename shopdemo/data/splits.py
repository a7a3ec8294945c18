"""Leave-one-out splits of a `SessionLog`: cut the last events of every session or user.

The `last` protocol of DESIGN.md trains baselines on all but each user's last item and models on
all but the last two; both cuts are `drop_last`, so the evaluator and the trainers agree on them.
"""

from __future__ import annotations

import numpy as np

from shopdemo.data.events import SessionLog


def drop_last(log: SessionLog, n: int) -> SessionLog:
    """Every session (or user) without its last `n` events; sessions left empty are dropped."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0 or len(log) == 0:
        return log
    offsets = log.offsets
    lengths = np.diff(offsets)  # (sessions,)
    session_end = np.repeat(offsets[1:], lengths)  # (events,) end index of the event's session
    keep = np.arange(len(log)) < session_end - n  # (events,)
    return SessionLog(log.session_ids[keep], log.item_ids[keep], log.times[keep])
