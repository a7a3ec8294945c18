"""Scales of the softmax distribution plot: rank on x (linear or log), probability on y (linear
or log), the tick marks, and the data each curve carries. Fitted once per paint, vectorised, so
a curve of ~300 points costs no Python loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF

from shopdemo.ui.softmax_controls import SoftmaxCurve

MAX_DECADES = 12  # the log axis shows at most 1 .. 1e-12 below the top probability


@dataclass
class Curve:
    """One model's distribution after the current click."""

    key: str  # slot key: gru4rec, sasrec or a baseline
    title: str  # legend text
    softmax: SoftmaxCurve  # the prediction's scores, sorted on demand
    item_ids: np.ndarray | None  # (n_items,) external ids aligned with the scores

    def colour_key(self) -> str:
        return self.key if self.key in ("gru4rec", "sasrec") else "baseline"

    def index_of(self, item_id: int) -> int | None:
        """The model's index of product `item_id`, or None if it does not know it."""
        if self.item_ids is None:
            return None
        found = np.flatnonzero(self.item_ids == item_id)
        return int(found[0]) if found.size else None

    def item_at_rank(self, rank: int) -> int | None:
        if self.item_ids is None or not 1 <= rank <= len(self.softmax):
            return None
        return int(self.item_ids[self.softmax.order()[rank - 1]])


def nice_linear_ticks(top: float, count: int = 4) -> list[float]:
    """0 and round steps up to `top` (e.g. 0.27 -> 0, 0.1, 0.2)."""
    if top <= 0:
        return [0.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(top / step + 1e-9) + 1)]


def percent(prob: float) -> str:
    if prob >= 0.1:
        return f"{prob * 100:.0f}%"
    if prob >= 0.001:
        return f"{prob * 100:.1f}%"
    return f"{prob:.1e}"


def power_label(power: int) -> str:
    return {0: "100%", -1: "10%", -2: "1%", -3: "0.1%"}.get(power, f"1e{power}")


@dataclass
class Axes:
    """Data -> pixels for one paint of the plot."""

    area: QRectF  # the plotting rectangle, in the painter's coordinates
    n_items: int  # ranks run from 1 to n_items
    log_rank: bool
    log_prob: bool
    low: float  # bottom of the probability axis (log10 of it when log_prob)
    high: float  # top of the probability axis (log10 of it when log_prob)

    @classmethod
    def fit(
        cls,
        curves: list[Curve],
        temperature: float,
        area: QRectF,
        log_rank: bool,
        log_prob: bool,
    ) -> Axes:
        shown = [curve.softmax.probs(temperature) for curve in curves if len(curve.softmax)]
        top = max((float(probs[0]) for probs in shown), default=1.0)
        n_items = max((len(probs) for probs in shown), default=2)
        if not log_prob:
            ticks = nice_linear_ticks(top)
            return cls(area, n_items, log_rank, log_prob, 0.0, max(ticks[-1], top, 1e-12))
        bottom = min((float(probs[-1]) for probs in shown), default=top)
        high = math.ceil(math.log10(max(top, 1e-300)))
        low = math.floor(math.log10(max(bottom, 1e-300)))
        low = min(max(low, high - MAX_DECADES), high - 1)
        return cls(area, n_items, log_rank, log_prob, float(low), float(high))

    def xs(self, ranks: np.ndarray) -> np.ndarray:
        """Pixel x of each rank."""
        span = max(self.n_items, 2)
        if self.log_rank:
            fraction = np.log(np.maximum(ranks, 1.0)) / math.log(span)
        else:
            fraction = (ranks - 1) / (span - 1)
        return self.area.left() + self.area.width() * np.clip(fraction, 0.0, 1.0)

    def x(self, rank: float) -> float:
        return float(self.xs(np.asarray([rank], dtype=np.float64))[0])

    def rank_at(self, x: float) -> int:
        span = max(self.n_items, 2)
        fraction = min(max((x - self.area.left()) / max(self.area.width(), 1.0), 0.0), 1.0)
        return int(round(span**fraction if self.log_rank else 1 + fraction * (span - 1)))

    def ys(self, probs: np.ndarray) -> np.ndarray:
        """Pixel y of each probability."""
        values = np.asarray(probs, dtype=np.float64)
        if self.log_prob:
            values = np.log10(np.maximum(values, 10.0**self.low))
        fraction = np.clip((values - self.low) / max(self.high - self.low, 1e-12), 0.0, 1.0)
        return self.area.bottom() - fraction * self.area.height()

    def y(self, prob: float) -> float:
        return float(self.ys(np.asarray([prob]))[0])

    def sample_ranks(self, n_items: int, points: int) -> np.ndarray:
        """Whole ranks spread evenly over the x axis (every rank of the head on a log axis)."""
        fraction = np.linspace(0.0, 1.0, max(points, 2))
        span = max(self.n_items, 2)
        sampled = span**fraction if self.log_rank else 1 + fraction * (span - 1)
        return np.unique(np.clip(np.round(sampled), 1, n_items).astype(np.int64))

    def y_ticks(self, room: int) -> list[tuple[float, str]]:
        """(probability, label) for at most about `room` ticks."""
        if not self.log_prob:
            return [(value, f"{value * 100:g}%") for value in nice_linear_ticks(self.high)]
        step = max(1, math.ceil((self.high - self.low) / max(room, 1)))
        powers = range(int(self.high), int(self.low) - 1, -step)
        return [(10.0**power, power_label(power)) for power in powers]

    def x_ticks(self) -> list[int]:
        if self.log_rank:
            return [10**power for power in range(int(math.log10(max(self.n_items, 1))) + 1)]
        ticks = nice_linear_ticks(float(self.n_items), 4)
        return [1] + [int(tick) for tick in ticks[1:] if tick <= self.n_items]
