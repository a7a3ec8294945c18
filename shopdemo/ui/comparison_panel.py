"""The right half of the window: every model's next-click prediction side by side.

It turns a `PanelState` from the service into rows for the columns (names, icons, rank changes,
the "both" mark) and re-emits the columns' requests; it never talks to a model itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from shopdemo.service import BASELINES, TITLES, ModelSlot, PanelState
from shopdemo.ui.icons import IconCache
from shopdemo.ui.model_column import ModelColumn
from shopdemo.ui.prediction_list import PredictionRow
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
        self.baseline_box = QComboBox(self)
        self.baseline_box.setAccessibleName("Third column baseline")
        self.baseline_box.addItem("third column: off", "")
        for key in BASELINES:
            self.baseline_box.addItem(f"+ {TITLES[key]}", key)
        self.legend = QLabel(self)
        self.legend.setObjectName("muted")
        self.legend.setWordWrap(True)
        self.legend.setText(
            "bar: softmax probability over all products (longest = top) · ▲▼ "
            "rank change since the last click · ◆ both models"
        )
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.k_box)
        header.addWidget(self.baseline_box)
        self.columns_layout = QHBoxLayout()
        self.columns_layout.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.legend)
        layout.addLayout(self.columns_layout, 1)
        self.columns: dict[str, ModelColumn] = {}
        self.state: PanelState | None = None
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
                column.item_chosen.connect(self.item_chosen)
                column.train_requested.connect(self.train_requested)
                column.cancel_requested.connect(self.cancel_requested)
                self.columns[slot.key] = column
                self.columns_layout.insertWidget(position, column, 1)
            column.show_slot(slot)

    def show_state(self, state: PanelState) -> None:
        """Fill every column that has a view in `state`."""
        self.state = state
        tops = [view.prediction.probs[0] for view in state.views.values() if view.prediction.probs]
        scale = max(tops, default=1.0)
        names = [self.describe(item)[0] for item in state.session]
        for key, view in state.views.items():
            column = self.columns.get(key)
            if column is None:
                continue
            unknown = set(view.prediction.unknown)
            rows = []
            for rank, (item, prob) in enumerate(
                zip(view.prediction.items, view.prediction.probs, strict=True), start=1
            ):
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
            column.show_view(view, rows, state.k, scale, read, unknown_names)
        self.predictions_shown.emit(state)

    def show_training(self, key: str, text: str, done: int, total: int) -> None:
        column = self.columns.get(key)
        if column is not None:
            column.show_training(text, done, total)
