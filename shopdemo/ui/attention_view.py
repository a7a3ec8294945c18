"""SASRec's self-attention over the session: which earlier clicks each click reads.

Rows are the clicks doing the reading (queries), columns the clicks being read (keys); the grey
upper triangle is the causal mask. The last row is what the next-click prediction is built from,
so its weights are also sent to the timeline chips.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from shopdemo.ui.concept_card import concept_button
from shopdemo.ui.matrix_plot import MatrixPlot
from shopdemo.ui.theme import Theme


def select_attention(attention: np.ndarray, layer: int, head: int) -> np.ndarray:
    """(L, L) weights of one layer/head; -1 means the mean over layers or heads."""
    chosen = attention.mean(axis=0) if layer < 0 else attention[layer]  # (heads, L, L)
    return chosen.mean(axis=0) if head < 0 else chosen[head]  # (L, L)


def with_causal_mask(weights: np.ndarray) -> np.ndarray:
    """NaN above the diagonal: a click cannot read the clicks after it."""
    masked = np.array(weights, dtype=np.float64)
    masked[np.triu_indices(len(masked), k=1)] = np.nan
    return masked


class AttentionHeatmap(MatrixPlot):
    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(theme, parent)
        self.square_cells = True
        self.empty_text = "Attention appears after the first click."
        self.setAccessibleName("SASRec attention heatmap")

    def paint_extras(self, painter: QPainter, area: Any) -> None:
        rows = self.values.shape[0]
        if rows == 0:
            return
        cell_h = area.height() / rows
        painter.setPen(QPen(self.theme.model_colour("sasrec"), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(area.left(), area.bottom() - cell_h + 1, area.width(), cell_h))


class AttentionView(QWidget):
    """Layer and head selectors over the heatmap."""

    last_row_changed = Signal(object)  # (L,) weights of the newest click, or None
    concept_requested = Signal(str)  # self_attention or causal_mask

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Attention", self)
        self.title.setToolTip("SASRec's self-attention over this session's clicks")
        self.title.setFont(theme.font(1.0, bold=True))
        self.layer = QComboBox(self)
        self.layer.setAccessibleName("Attention layer")
        self.head = QComboBox(self)
        self.head.setAccessibleName("Attention head")
        self.caption = QLabel("each row reads the columns · outlined row → prediction", self)
        self.caption.setToolTip(
            "Rows are the clicks doing the reading (queries), columns the "
            "clicks being read (keys). Grey: the causal mask (a click cannot "
            "read later clicks)."
        )
        self.caption.setObjectName("muted")
        self.caption.setWordWrap(True)
        self.heatmap = AttentionHeatmap(theme, self)
        self.attention_help = concept_button("self_attention", self)
        self.mask_help = concept_button("causal_mask", self, "? mask")
        self.attention_help.clicked.connect(lambda: self.concept_requested.emit("self_attention"))
        self.mask_help.clicked.connect(lambda: self.concept_requested.emit("causal_mask"))
        controls = QHBoxLayout()
        controls.addWidget(self.title)
        controls.addWidget(self.attention_help)
        controls.addWidget(self.mask_help)
        controls.addStretch(1)
        controls.addWidget(self.layer)
        controls.addWidget(self.head)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.heatmap, 1)
        self.attention = np.zeros((0, 0, 0, 0))
        self.labels: list[str] = []
        self.positions: list[int] = []
        self._fill_combo(self.layer, "layer", 0)
        self._fill_combo(self.head, "head", 0)
        self.layer.currentIndexChanged.connect(self._redraw)
        self.head.currentIndexChanged.connect(self._redraw)

    def set_theme(self, theme: Theme) -> None:
        self.heatmap.set_theme(theme)

    def set_colour_map(self, name: str) -> None:
        self.heatmap.set_colour_map(name)

    def refresh(self) -> None:
        """Redraw and announce the last row again (the timeline was rebuilt)."""
        self._redraw()

    def focus_chain(self) -> list[QWidget]:
        return [self.attention_help, self.mask_help, self.layer, self.head]

    def chart(self) -> MatrixPlot:
        return self.heatmap

    def chart_title(self) -> str:
        layer, head = self.layer.currentText(), self.head.currentText()
        return f"SASRec self-attention ({layer}, {head})"

    @staticmethod
    def _fill_combo(combo: QComboBox, noun: str, count: int) -> None:
        if combo.count() == count + 1:
            return
        keep = max(combo.currentIndex(), 0)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(f"all {noun}s", -1)
        combo.setItemData(0, f"mean over all {noun}s", Qt.ItemDataRole.ToolTipRole)
        for number in range(count):
            combo.addItem(f"{noun} {number + 1}", number)
        combo.setCurrentIndex(min(keep, count))
        combo.blockSignals(False)

    def set_attention(
        self, attention: np.ndarray | None, labels: list[str], positions: list[int]
    ) -> None:
        """attention (layers, heads, L, L) over the last L clicks, whose names and 1-based
        session positions are `labels` and `positions` (both length L)."""
        self.attention = np.zeros((0, 0, 0, 0)) if attention is None else np.asarray(attention)
        layers, heads = self.attention.shape[:2]
        self._fill_combo(self.layer, "layer", layers)
        self._fill_combo(self.head, "head", heads)
        self.labels, self.positions = list(labels), list(positions)
        self._redraw()

    def selected(self) -> np.ndarray:
        """(L, L) weights for the current layer/head choice."""
        if self.attention.size == 0:
            return np.zeros((0, 0))
        return select_attention(
            self.attention, int(self.layer.currentData()), int(self.head.currentData())
        )

    def _redraw(self) -> None:
        weights = self.selected()
        size = len(weights)
        labels = (
            [
                f"{p}. {name}"
                for p, name in zip(self.positions[-size:], self.labels[-size:], strict=True)
            ]
            if size
            else []
        )
        columns = [str(p) for p in self.positions[-size:]] if size else []
        self.heatmap.set_matrix(
            with_causal_mask(weights) if size else np.zeros((0, 0)), labels, columns
        )
        self.last_row_changed.emit(weights[-1].copy() if size else None)
