"""The temperature slider, and the softmax arithmetic behind it: probabilities are re-drawn from
the prediction's raw scores in the window, so dragging the slider never re-runs a model.

softmax(scores / T) keeps the order of the items for every T > 0, so the top-k list stays the
same while its probabilities sharpen (T < 1) or flatten (T > 1); that is what the class sees.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from shopdemo.ui.concept_card import concept_button
from shopdemo.ui.settings import MAX_TEMPERATURE, MIN_TEMPERATURE

STEPS_PER_DECADE = 100  # slider positions per factor of 10 in T (a 2.3 % step)


def softmax(scores: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(scores / T) in float64, stable for large scores (the same as the models')."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    scaled = np.asarray(scores, dtype=np.float64) / temperature  # (n_items,)
    scaled = scaled - scaled.max()
    weights = np.exp(scaled)
    return weights / weights.sum()


class SoftmaxCurve:
    """One prediction's probabilities over the whole catalogue, sorted best first.

    Sorting happens once per prediction and only when asked (the plot is hidden or the
    temperature is unchanged most of the time), unless `ranked` brings the scores already
    sorted (the service sorts them on the predictor's worker thread); a new temperature costs
    one exp per item."""

    def __init__(self, scores: np.ndarray, ranked: np.ndarray | None = None) -> None:
        self.scores = np.asarray(scores, dtype=np.float64)  # (n_items,) model order
        # (n_items,) scores, descending; sorted on first use when not given
        self._sorted: np.ndarray | None = None if ranked is None else np.asarray(ranked)
        self._order: np.ndarray | None = None  # (n_items,) model indices by rank
        self._temperature = math.nan
        self._probs = np.zeros(0)  # (n_items,) at _temperature, descending

    def __len__(self) -> int:
        return len(self.scores)

    def sorted_scores(self) -> np.ndarray:
        if self._sorted is None:
            self._sorted = -np.sort(-self.scores)  # (n_items,) descending
        return self._sorted

    def at(self, temperature: float) -> SoftmaxCurve:
        """A copy with its probabilities at `temperature` computed now (arrays shared, read
        only): another thread can paint from it while this one's cache moves on."""
        copy = SoftmaxCurve(self.scores, self.sorted_scores())
        copy._probs, copy._temperature = self.probs(temperature), temperature
        copy._order = self._order
        return copy

    def probs(self, temperature: float) -> np.ndarray:
        """(n_items,) probabilities at `temperature`, best first (cached for the last T)."""
        if temperature != self._temperature:
            self._probs = softmax(self.sorted_scores(), temperature)
            self._temperature = temperature
        return self._probs

    def order(self) -> np.ndarray:
        """(n_items,) model index at each rank (ties: lower index first, like the lists)."""
        if self._order is None:
            self._order = np.argsort(-self.scores, kind="stable")
        return self._order

    def rank_of(self, index: int) -> int:
        """1-based rank of the item at model `index`; conservative ties, as the scoreboard."""
        return int(np.count_nonzero(self.scores >= self.scores[index]))

    def top_mass(self, k: int, temperature: float) -> float:
        """Probability of the k best items together."""
        return float(self.probs(temperature)[: max(int(k), 0)].sum())


def slider_position(temperature: float) -> int:
    return round(math.log10(temperature) * STEPS_PER_DECADE)


def temperature_at(position: int) -> float:
    value = 10.0 ** (position / STEPS_PER_DECADE)
    return min(max(value, MIN_TEMPERATURE), MAX_TEMPERATURE)


class TemperatureControl(QWidget):
    """Label, a log-scale slider from 0.1 to 5 (T = 1 in the middle of the decade marks),
    the value, a reset button and the softmax card's "?"."""

    temperature_changed = Signal(float)
    concept_requested = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._temperature = 1.0
        self.label = QLabel("Temperature", self)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(slider_position(MIN_TEMPERATURE), slider_position(MAX_TEMPERATURE))
        self.slider.setSingleStep(5)
        self.slider.setPageStep(STEPS_PER_DECADE // 4)
        self.slider.setValue(0)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setTickInterval(STEPS_PER_DECADE)
        self.slider.setAccessibleName("Softmax temperature")
        self.slider.setToolTip(
            "Softmax temperature T: probabilities are softmax(score / T).\n"
            "T < 1 sharpens the distribution, T > 1 flattens it; the ranking never changes."
        )
        self.slider.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 8)
        self.value = QLabel(self)
        self.value.setMinimumWidth(self.fontMetrics().horizontalAdvance("T = 0.00 "))
        self.value.setAccessibleName("Temperature value")
        self.reset = QToolButton(self)
        self.reset.setText("T = 1")
        self.reset.setToolTip("Back to the model's own probabilities (T = 1)")
        self.reset.setAccessibleName("Reset temperature to 1")
        self.help = concept_button("softmax", self)
        self.help.clicked.connect(lambda: self.concept_requested.emit("softmax"))
        self.label.setBuddy(self.slider)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.value)
        layout.addWidget(self.reset)
        layout.addWidget(self.help)
        self.slider.valueChanged.connect(lambda position: self._set(temperature_at(position)))
        self.reset.clicked.connect(lambda: self.set_temperature(1.0))
        self._show_value()

    @property
    def temperature(self) -> float:
        return self._temperature

    def set_temperature(self, temperature: float) -> None:
        """Move the slider to `temperature` (exactly 1.0 stays 1.0) and announce it."""
        temperature = min(max(float(temperature), MIN_TEMPERATURE), MAX_TEMPERATURE)
        self.slider.blockSignals(True)
        self.slider.setValue(slider_position(temperature))
        self.slider.blockSignals(False)
        self._set(temperature)

    def _set(self, temperature: float) -> None:
        if temperature == self._temperature:
            return
        self._temperature = temperature
        self._show_value()
        self.temperature_changed.emit(temperature)

    def _show_value(self) -> None:
        self.value.setText(f"T = {self._temperature:.2f}")
