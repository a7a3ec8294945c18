"""A matrix drawn as a heatmap with the session's clicks as row labels: the shared painter of
the attention heatmap (clicks x clicks) and the update-gate strip (clicks x hidden units).

Painting one scaled QImage instead of a rectangle per cell keeps a 50 x 100 strip at well under
a millisecond; cell values are written into the cells only when they are big enough to read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QImage, QLinearGradient, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from shopdemo.ui.colormap import array_to_image, colour_at, text_colour_on
from shopdemo.ui.theme import Theme


class MatrixPlot(QWidget):
    """Rows labelled with click names; columns labelled by `column_labels` (or none)."""

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.values = np.zeros((0, 0))
        self.row_labels: list[str] = []
        self.column_labels: list[str] = []
        self.vmax = 1.0
        self.colour_map = "viridis"
        self.square_cells = False  # attention: square cells; gates: stretch to the width
        self.empty_text = ""
        self._image: QImage | None = None
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._render_image()
        self.update()

    def set_colour_map(self, name: str) -> None:
        """viridis or cividis (colormap.py); redraws the cells."""
        if name != self.colour_map:
            self.colour_map = name
            self._render_image()
            self.update()

    def set_matrix(
        self,
        values: np.ndarray,
        row_labels: list[str],
        column_labels: list[str],
        vmax: float | None = None,
    ) -> None:
        """NaN marks a cell that does not exist (a masked future position)."""
        self.values = np.asarray(values, dtype=np.float64)
        self.row_labels, self.column_labels = list(row_labels), list(column_labels)
        finite = self.values[np.isfinite(self.values)]
        self.vmax = (
            float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
        )
        self.vmax = max(self.vmax, 1e-9)
        self._render_image()
        self.update()

    def _render_image(self) -> None:
        """The cells as one image; masked cells in a grey that suits the theme's background."""
        masked = (200, 200, 200) if self.theme.name == "light" else (78, 83, 91)
        self._image = (
            array_to_image(self.values, self.colour_map, self.vmax, masked)
            if self.values.size
            else None
        )

    def sizeHint(self) -> QSize:  # noqa: N802
        """Small on purpose: the top-k list above gets its rows first, the plot the rest."""
        em = self.fontMetrics().height()
        return QSize(em * 18, em * 6)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        em = self.fontMetrics().height()
        return QSize(em * 10, em * 5)

    # -- geometry -------------------------------------------------------------------------
    def label_width(self, width: int | None = None) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(label) for label in self.row_labels), default=0)
        return min(widest + 8, int((self.width() if width is None else width) * 0.34))

    def extra_width(self) -> int:
        """Room right of the matrix that a subclass paints in `paint_extras` (mean bars)."""
        return 0

    def right_margin(self) -> int:
        return self.extra_width() + self.fontMetrics().horizontalAdvance("0.00") + 24

    def matrix_rect(self, rect: QRect | None = None) -> QRect:
        """Where the cells go inside `rect` (default: the whole widget)."""
        rect = self.rect() if rect is None else rect
        em = self.fontMetrics().height()
        rows, cols = self.values.shape if self.values.ndim == 2 else (0, 0)
        top = em + 4 if self.column_labels else 2
        left = self.label_width(rect.width())
        width = max(1, rect.width() - left - self.right_margin())
        height = max(1, rect.height() - top - 4)
        if rows == 0 or cols == 0:
            return QRect(rect.left() + left, rect.top() + top, width, height)
        cell_h = height / rows
        cell_w = width / cols
        if self.square_cells:
            cell_w = cell_h = min(cell_w, cell_h, em * 4.0)
        else:
            cell_h = min(cell_h, em * 2.0)
        return QRect(rect.left() + left, rect.top() + top, int(cell_w * cols), int(cell_h * rows))

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        self.paint_chart(painter, self.rect())
        painter.end()

    def paint_chart(self, painter: QPainter, rect: QRect) -> None:
        """The whole plot into `rect`: the widget on screen, or an exported PNG / SVG."""
        painter.save()
        painter.setFont(self.font())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self._image is None:
            painter.setPen(self.theme.colour("muted"))
            painter.drawText(
                rect.adjusted(8, 8, -8, -8),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.empty_text,
            )
            painter.restore()
            return
        area = self.matrix_rect(rect)
        painter.drawImage(QRectF(area), self._image)  # one pixel per cell, scaled up unsmoothed
        self._paint_labels(painter, area, rect)
        self._paint_cell_values(painter, area)
        self._paint_colour_bar(painter, area, rect)
        self.paint_extras(painter, area)
        painter.restore()

    def paint_extras(self, painter: QPainter, area: QRect) -> None:
        """Subclasses draw what sits beside the matrix (mean bars, highlights)."""

    def _paint_labels(self, painter: QPainter, area: QRect, rect: QRect) -> None:
        metrics = self.fontMetrics()
        rows, cols = self.values.shape
        cell_h = area.height() / rows
        painter.setPen(self.theme.colour("text"))
        if cell_h >= metrics.height() * 0.8:
            for row, label in enumerate(self.row_labels):
                cell = QRect(
                    rect.left(),
                    int(area.top() + row * cell_h),
                    area.left() - rect.left() - 6,
                    int(cell_h),
                )
                painter.drawText(
                    cell,
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText(label, Qt.TextElideMode.ElideRight, cell.width()),
                )
        cell_w = area.width() / cols
        step = max(1, int(np.ceil(metrics.horizontalAdvance("99") / max(cell_w, 1e-9))))
        painter.setPen(self.theme.colour("muted"))
        for col, label in enumerate(self.column_labels):
            if col % step == 0 or col == cols - 1:
                cell = QRect(
                    int(area.left() + col * cell_w),
                    rect.top(),
                    int(cell_w),
                    area.top() - rect.top() - 2,
                )
                painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_cell_values(self, painter: QPainter, area: QRect) -> None:
        rows, cols = self.values.shape
        cell_w, cell_h = area.width() / cols, area.height() / rows
        metrics = QFontMetrics(self.theme.font(0.85))
        if cell_w < metrics.horizontalAdvance(".00") + 4 or cell_h < metrics.height():
            return
        painter.setFont(self.theme.font(0.85))
        for row in range(rows):
            for col in range(cols):
                value = self.values[row, col]
                if not np.isfinite(value):
                    continue
                painter.setPen(text_colour_on(value / self.vmax))
                text = f"{value:.2f}".lstrip("0") if value < 1 else "1"
                painter.drawText(
                    QRectF(area.left() + col * cell_w, area.top() + row * cell_h, cell_w, cell_h),
                    Qt.AlignmentFlag.AlignCenter,
                    text,
                )
        painter.setFont(self.font())

    def _paint_colour_bar(self, painter: QPainter, area: QRect, rect: QRect) -> None:
        metrics = self.fontMetrics()
        left = area.right() + self.extra_width() + 10
        room = max(rect.bottom() - area.top() - 4, metrics.height() * 2)
        bar = QRectF(left, area.top(), 8, min(max(area.height(), metrics.height() * 3), room))
        gradient = QLinearGradient(bar.bottomLeft(), bar.topLeft())
        for stop in np.linspace(0, 1, 6):
            gradient.setColorAt(float(stop), colour_at(float(stop), self.colour_map))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(gradient)
        painter.drawRect(bar)
        painter.setPen(self.theme.colour("muted"))
        painter.drawText(
            QRectF(left + 10, bar.top() - 2, 60, metrics.height()),
            Qt.AlignmentFlag.AlignLeft,
            f"{self.vmax:.2f}",
        )
        painter.drawText(
            QRectF(left + 10, bar.bottom() - metrics.height(), 60, metrics.height()),
            Qt.AlignmentFlag.AlignLeft,
            "0",
        )
