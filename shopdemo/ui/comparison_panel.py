"""The right half of the window: every model's next-click prediction side by side, the
temperature slider, and the softmax distribution over the whole catalogue under the columns.

It turns a `PanelState` from the service into rows for the columns (names, icons, rank changes,
the "both" mark) and re-emits the columns' requests; it never talks to a model itself. A new
temperature re-draws the probabilities from the scores already on screen (no model call).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from shopdemo.service import BASELINES, TITLES, ModelSlot, PanelState
from shopdemo.ui.chart_export import install_context_menu
from shopdemo.ui.distribution_axes import Curve
from shopdemo.ui.distribution_view import DistributionView
from shopdemo.ui.icons import IconCache
from shopdemo.ui.model_column import ModelColumn
from shopdemo.ui.prediction_list import PredictionRow
from shopdemo.ui.softmax_controls import SoftmaxCurve, TemperatureControl
from shopdemo.ui.theme import Theme

Describe = Callable[[int], tuple[str, Path | None, str | None]]  # id -> name, icon, colour
MAX_K = 50


class ComparisonPanel(QWidget):
    """Header with k and the optional baseline, then one `ModelColumn` per model."""

    item_chosen = Signal(int, str)  # product id, source rec_<model>
    k_changed = Signal(int)
    baseline_changed = Signal(str)  # "" = off
    train_requested = Signal(str)
    cancel_requested = Signal(str)
    predictions_shown = Signal(object)  # the PanelState now on screen
    temperature_changed = Signal(float)
    concept_requested = Signal(str, str)  # concept key, model key ("" outside a column)

    def __init__(
        self, theme: Theme, icons: IconCache, describe: Describe, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.theme, self.icons, self.describe = theme, icons, describe
        self.title = QLabel("Next-click predictions", self)
        self.title.setFont(theme.font(1.5, bold=True))
        self.k_box = QSpinBox(self)
        self.k_box.setRange(1, MAX_K)
        self.k_box.setValue(10)
        self.k_box.setPrefix("top ")
        self.k_box.setAccessibleName("Number of recommendations (k)")
        self.k_box.setToolTip("How many recommendations each model shows (also the k of hits@k)")
        self.baseline_box = QComboBox(self)
        self.baseline_box.setAccessibleName("Third column baseline")
        self.baseline_box.addItem("third column: off", "")
        for key in BASELINES:
            self.baseline_box.addItem(f"+ {TITLES[key]}", key)
        self.legend = QLabel(self)
        self.legend.setObjectName("muted")
        self.legend.setWordWrap(True)
        self.legend.setFont(theme.font(0.85))
        self.legend.setText(
            "bar: probability over all products · ▲▼ rank change since the last click · "
            "◆ in both lists"
        )
        self.softmax = TemperatureControl(self)
        self.distribution = DistributionView(theme, describe, self)
        install_context_menu(self.distribution.plot, "distribution", self.distribution_title)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.k_box)
        header.addWidget(self.baseline_box)
        controls = QHBoxLayout()  # the slider shares the legend's row: no extra height
        controls.setSpacing(16)
        controls.addWidget(self.softmax, 1)
        controls.addWidget(self.legend, 1)
        self.columns_layout = QHBoxLayout()
        self.columns_layout.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addLayout(controls)
        layout.addLayout(self.columns_layout, 1)
        layout.addWidget(self.distribution)
        self.columns: dict[str, ModelColumn] = {}
        self.item_ids: dict[str, Any] = {}  # slot key -> the model's item ids (score order)
        self.curves: dict[str, SoftmaxCurve] = {}  # slot key -> this state's distribution
        self.state: PanelState | None = None
        self.temperature = 1.0
        self.colour_map = "viridis"
        self.softmax.temperature_changed.connect(self.set_temperature)
        self.softmax.concept_requested.connect(lambda key: self.concept_requested.emit(key, ""))
        self.distribution.concept_requested.connect(
            lambda key: self.concept_requested.emit(key, "")
        )
        self.k_box.valueChanged.connect(self.k_changed)
        self.baseline_box.currentIndexChanged.connect(
            lambda _: self.baseline_changed.emit(self.baseline_box.currentData() or "")
        )

    @property
    def k(self) -> int:
        return self.k_box.value()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for column in self.columns.values():
            column.set_theme(theme)
        self.distribution.set_theme(theme)

    def set_colour_map(self, name: str) -> None:
        self.colour_map = name
        for column in self.columns.values():
            column.set_colour_map(name)

    def distribution_title(self) -> str:
        count = self.distribution.plot.n_items()
        return f"Softmax over all {count:,} products, best first (T = {self.temperature:.2f})"

    def set_temperature(self, temperature: float) -> None:
        """Re-draw every probability at `temperature` from the scores on screen."""
        if self.softmax.temperature != temperature:
            self.softmax.set_temperature(temperature)  # comes back here through the signal
            return
        self.temperature = float(temperature)
        if self.state is not None:
            rows, scale = self._rows(self.state)
            for key, column in self.columns.items():
                if key in rows:
                    column.show_rows(rows[key], self.state.k, scale, self.temperature)
        self.distribution.plot.set_temperature(self.temperature)
        self.temperature_changed.emit(self.temperature)

    def show_slots(self, slots: list[ModelSlot]) -> None:
        """Make the columns match the slots (adds/removes the baseline column)."""
        wanted = [slot.key for slot in slots]
        for key in [key for key in self.columns if key not in wanted]:
            column = self.columns.pop(key)
            self.columns_layout.removeWidget(column)
            column.deleteLater()
        for position, slot in enumerate(slots):
            column = self.columns.get(slot.key)
            if column is None:
                column = ModelColumn(slot.key, slot.title, self.theme, self.icons, self)
                column.set_colour_map(self.colour_map)
                column.item_chosen.connect(self.item_chosen)
                column.concept_requested.connect(self.concept_requested)
                column.item_pointed.connect(self.distribution.plot.set_marked)
                column.train_requested.connect(self.train_requested)
                column.cancel_requested.connect(self.cancel_requested)
                self.columns[slot.key] = column
                self.columns_layout.insertWidget(position, column, 1)
            column.show_slot(slot)
            self.item_ids[slot.key] = slot.model.item_ids if slot.model is not None else None

    def show_state(self, state: PanelState) -> None:
        """Fill every column that has a view in `state`."""
        self.state = state
        self.curves = {  # sorted by the service on the worker thread
            key: SoftmaxCurve(view.prediction.scores, view.ranked_scores)
            for key, view in state.views.items()
        }
        rows_by_key, scale = self._rows(state)
        names = [self.describe(item)[0] for item in state.session]
        for key, view in state.views.items():
            column = self.columns.get(key)
            if column is None:
                continue
            unknown = set(view.prediction.unknown)
            read = [
                (position, name)
                for position, (item, name) in enumerate(
                    zip(state.session, names, strict=True), start=1
                )
                if item not in unknown
            ]
            unknown_names = [
                name for item, name in zip(state.session, names, strict=True) if item in unknown
            ]
            column.temperature = self.temperature
            column.show_view(view, rows_by_key[key], state.k, scale, read, unknown_names)
        self.distribution.plot.set_curves(
            [
                Curve(key, self.columns[key].title.text(), curve, self.item_ids.get(key))
                for key, curve in self.curves.items()
                if key in self.columns
            ],
            state.k,
            self.temperature,
        )
        self.predictions_shown.emit(state)

    def _rows(self, state: PanelState) -> tuple[dict[str, list[PredictionRow]], float]:
        """Each view's rows at the panel's temperature, and the bar scale they share."""
        rows_by_key: dict[str, list[PredictionRow]] = {}
        for key, view in state.views.items():
            items = view.prediction.items
            if self.temperature == state.temperature or key not in self.curves:
                probs = list(view.prediction.probs)
            else:  # ranking is the same at every T: the k best of the sorted distribution
                probs = self.curves[key].probs(self.temperature)[: len(items)].tolist()
            rows = []
            for rank, (item, prob) in enumerate(zip(items, probs, strict=True), start=1):
                name, icon, colour = self.describe(item)
                rows.append(
                    PredictionRow(
                        rank,
                        item,
                        name,
                        icon,
                        colour,
                        prob,
                        view.previous_ranks.get(item),
                        item in state.shared,
                    )
                )
            rows_by_key[key] = rows
        tops = [rows[0].prob for rows in rows_by_key.values() if rows]
        return rows_by_key, max(tops, default=1.0)

    def show_training(self, key: str, text: str, done: int, total: int) -> None:
        column = self.columns.get(key)
        if column is not None:
            column.show_training(text, done, total)
