"""GRU4Rec's update gate per click: how much of its memory each click overwrote.

In the paper's convention h_t = (1 - z_t) * h_(t-1) + z_t * candidate, so z = 1 replaces the past
and z = 0 keeps it. The strip shows z for every hidden unit (columns) at every click (rows); the
bar on the right is its mean per click, read as "this click overwrote 63% of the memory".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from shopdemo.ui.concept_card import concept_button
from shopdemo.ui.matrix_plot import MatrixPlot
from shopdemo.ui.theme import Theme


class GateStrip(MatrixPlot):
    """Clicks x hidden units, plus the mean per click as a labelled bar."""

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(theme, parent)
        self.empty_text = "Update gates appear after the first click."
        self.setAccessibleName("GRU4Rec update gate strip")

    def extra_width(self) -> int:
        return self.fontMetrics().horizontalAdvance("100%") + self.fontMetrics().height() * 3

    def paint_extras(self, painter: QPainter, area: QRect) -> None:
        rows = self.values.shape[0]
        if rows == 0:
            return
        means = np.nanmean(self.values, axis=1)  # (rows,) mean gate per click
        metrics = self.fontMetrics()
        cell_h = area.height() / rows
        left = area.right() + 8
        width = self.extra_width() - 10
        track_width = width - metrics.horizontalAdvance("100%") - 4
        colour = self.theme.model_colour("gru4rec")
        show_text = cell_h >= metrics.height() * 0.8
        for row, mean in enumerate(means):
            top = area.top() + row * cell_h
            track = QRectF(left, top + cell_h * 0.2, track_width, cell_h * 0.6)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.theme.colour("surface_alt"))
            painter.drawRect(track)
            painter.setBrush(colour)
            painter.drawRect(
                QRectF(track.left(), track.top(), track.width() * float(mean), track.height())
            )
            if show_text:
                painter.setPen(self.theme.colour("text"))
                painter.drawText(
                    QRectF(track.right() + 4, top, width - track_width, cell_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{mean * 100:.0f}%",
                )


class GateView(QWidget):
    """Title, a layer selector (for stacked GRUs) and the strip."""

    concept_requested = Signal(str)  # update_gate

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Update gate", self)
        self.title.setToolTip("GRU4Rec's update gate z at every click, for every hidden unit")
        self.title.setFont(theme.font(1.0, bold=True))
        self.layer = QComboBox(self)
        self.layer.setAccessibleName("GRU layer")
        self.caption = QLabel("bar: how much of the memory each click overwrote", self)
        self.caption.setToolTip(
            "h_t = (1 - z) * h_(t-1) + z * candidate. Columns are hidden "
            "units; z = 1 replaces the past, z = 0 keeps it."
        )
        self.caption.setObjectName("muted")
        self.caption.setWordWrap(True)
        self.strip = GateStrip(theme, self)
        self.help = concept_button("update_gate", self)
        self.help.clicked.connect(lambda: self.concept_requested.emit("update_gate"))
        controls = QHBoxLayout()
        controls.addWidget(self.title)
        controls.addWidget(self.help)
        controls.addStretch(1)
        controls.addWidget(self.layer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.strip, 1)
        self.gates = np.zeros((0, 0, 0))
        self.labels: list[str] = []
        self.positions: list[int] = []
        self.layer.currentIndexChanged.connect(self._redraw)

    def set_theme(self, theme: Theme) -> None:
        self.strip.set_theme(theme)

    def set_colour_map(self, name: str) -> None:
        self.strip.set_colour_map(name)

    def focus_chain(self) -> list[QWidget]:
        return [self.help, self.layer]

    def chart(self) -> MatrixPlot:
        return self.strip

    def chart_title(self) -> str:
        layer = f" ({self.layer.currentText()})" if self.layer.count() > 1 else ""
        return f"GRU4Rec update gate z per click{layer}"

    def set_gates(self, gates: np.ndarray | None, labels: list[str], positions: list[int]) -> None:
        """gates (layers, L, hidden) for the last L clicks (names and 1-based positions)."""
        self.gates = np.zeros((0, 0, 0)) if gates is None else np.asarray(gates)
        layers = self.gates.shape[0]
        if self.layer.count() != layers:
            self.layer.blockSignals(True)
            self.layer.clear()
            for number in range(layers):
                self.layer.addItem(f"layer {number + 1}", number)
            self.layer.setCurrentIndex(layers - 1)
            self.layer.blockSignals(False)
        self.layer.setVisible(layers > 1)
        self.labels, self.positions = list(labels), list(positions)
        self._redraw()

    def selected(self) -> np.ndarray:
        """(L, hidden) gate values of the chosen layer."""
        if self.gates.size == 0:
            return np.zeros((0, 0))
        return self.gates[max(self.layer.currentIndex(), 0)]

    def _redraw(self) -> None:
        values = self.selected()
        size = len(values)
        labels = (
            [
                f"{p}. {name}"
                for p, name in zip(self.positions[-size:], self.labels[-size:], strict=True)
            ]
            if size
            else []
        )
        self.strip.set_matrix(values if size else np.zeros((0, 0)), labels, [], vmax=1.0)
