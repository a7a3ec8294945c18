"""The session timeline: one chip per click, oldest first, each carrying how much SASRec's newest
position attends to it (the bar under the chip), so the class sees which clicks the prediction
relies on.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QScrollArea, QSizePolicy, QWidget

from shopdemo.ui.icons import IconCache
from shopdemo.ui.theme import Theme

EMPTY_TEXT = "No clicks yet: click a product to start the session."
FACE_CACHE_SIZE = 128  # chip faces kept (~30 KB each): a long session and the one before


@dataclass(frozen=True)
class Chip:
    item_id: int
    name: str
    icon: Path | None
    colour: str | None
    source: str  # browse, search, rec_<model>, replay


class ChipStrip(QWidget):
    """Paints the chips and arrows; its width grows with the session (it lives in a scroll area)."""

    def __init__(self, theme: Theme, icons: IconCache, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme, self.icons = theme, icons
        self.chips: list[Chip] = []
        self.weights: list[float | None] = []  # attention of the newest click to each chip
        self._faces: OrderedDict[tuple, QPixmap] = OrderedDict()  # chip faces, oldest use first
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Session timeline")

    def chip_size(self) -> QSize:
        em = self.fontMetrics().height()
        return QSize(em * 10, round(em * 3.1))

    def gap(self) -> int:
        return round(self.fontMetrics().height() * 1.5)

    def sizeHint(self) -> QSize:  # noqa: N802
        chip = self.chip_size()
        if not self.chips:
            return QSize(self.fontMetrics().horizontalAdvance(EMPTY_TEXT) + 16, chip.height() + 8)
        count = len(self.chips)
        return QSize(count * chip.width() + (count - 1) * self.gap() + 8, chip.height() + 8)

    def set_chips(self, chips: Sequence[Chip]) -> None:
        self.chips = list(chips)
        self.weights = [None] * len(self.chips)
        self.resize(self.sizeHint())
        self.updateGeometry()
        self.update()

    def set_weights(self, last_row: np.ndarray | None, positions: Sequence[int]) -> None:
        """Attention weights of the newest click over the clicks at 1-based `positions`."""
        self.weights = [None] * len(self.chips)
        if last_row is not None:
            for position, weight in zip(positions, last_row, strict=False):
                if 1 <= position <= len(self.chips):
                    self.weights[position - 1] = float(weight)
        self.update()

    def chip_rect(self, number: int) -> QRect:
        chip = self.chip_size()
        return QRect(4 + number * (chip.width() + self.gap()), 4, chip.width(), chip.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        theme = self.theme
        if not self.chips:
            painter.setPen(theme.colour("muted"))
            painter.drawText(
                self.rect().adjusted(4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, EMPTY_TEXT
            )
            return
        top_weight = max((w for w in self.weights if w is not None), default=0.0)
        small_font = theme.font(0.85)
        small = QFontMetrics(small_font)
        visible = event.rect().adjusted(-self.gap(), 0, self.gap(), 0)
        for number, chip in enumerate(self.chips):
            rect = self.chip_rect(number)
            if not rect.intersects(visible):
                continue  # a long session: paint only the chips in view
            newest = number == len(self.chips) - 1
            painter.drawPixmap(rect.topLeft(), self._chip_face(number, chip, newest, rect.size()))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setFont(small_font)
            self._paint_weight(painter, rect, self.weights[number], top_weight, small)
            painter.setFont(self.font())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _chip_face(self, number: int, chip: Chip, newest: bool, size: QSize) -> QPixmap:
        """Everything of a chip but its attention bar, and the arrow to the next chip, painted
        once and kept: a click repaints the strip twice (new chip, then its attention) and most
        chips never change."""
        theme, ratio, gap = self.theme, self.devicePixelRatioF(), self.gap()
        key = (number, chip, newest, size.width(), size.height(), gap, ratio, theme.name)
        key += (theme.base_point_size, self.font().key())
        face = self._faces.get(key)
        if face is not None:
            self._faces.move_to_end(key)
            return face
        width = size.width() + (0 if newest else gap)
        face = QPixmap(round(width * ratio), round(size.height() * ratio))
        face.setDevicePixelRatio(ratio)
        face.fill(Qt.GlobalColor.transparent)
        painter = QPainter(face)
        painter.setFont(self.font())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        em = metrics.height()
        small = QFontMetrics(theme.font(0.85))
        rect = QRect(0, 0, size.width(), size.height())
        painter.setPen(theme.colour("accent") if newest else theme.colour("border"))
        painter.setBrush(theme.colour("surface"))
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
        icon = int(em * 1.7)
        painter.drawPixmap(
            6,
            6,
            self.icons.tile(chip.icon, icon, chip.colour, ratio, chip.name, 0.8, radius=4),
        )
        text_left = 6 + icon + 6
        text_width = rect.right() - text_left - 6
        painter.setPen(theme.colour("text"))
        painter.drawText(
            QRect(text_left, 4, text_width, em),
            Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(chip.name, Qt.TextElideMode.ElideRight, text_width),
        )
        painter.setFont(theme.font(0.85))
        painter.setPen(theme.colour("muted"))
        painter.drawText(
            QRect(text_left, 4 + em, text_width, small.height()),
            Qt.AlignmentFlag.AlignLeft,
            f"#{number + 1} · {chip.source}",
        )
        if not newest:
            painter.setFont(self.font())
            painter.drawText(
                QRect(rect.right(), 0, gap, rect.height()), Qt.AlignmentFlag.AlignCenter, "→"
            )
        painter.end()
        self._faces[key] = face
        while len(self._faces) > FACE_CACHE_SIZE:
            self._faces.popitem(last=False)
        return face

    def _paint_weight(
        self, painter: QPainter, rect: QRect, weight: float | None, top: float, small: QFontMetrics
    ) -> None:
        if weight is None:
            return
        label = f"attn {weight:.2f}"
        label_width = small.horizontalAdvance(label) + 6
        track = QRectF(
            rect.left() + 6,
            rect.bottom() - small.height() * 0.75 - 4,
            rect.width() - 12 - label_width,
            small.height() * 0.5,
        )
        painter.fillRect(track, self.theme.colour("surface_alt"))
        fraction = weight / top if top > 0 else 0.0
        painter.fillRect(
            QRectF(track.left(), track.top(), track.width() * fraction, track.height()),
            self.theme.model_colour("sasrec"),
        )
        painter.setPen(self.theme.model_colour("sasrec"))
        painter.drawText(
            QRectF(
                track.right() + 4,
                track.center().y() - small.height() / 2,
                label_width,
                small.height(),
            ),
            Qt.AlignmentFlag.AlignLeft,
            label,
        )


class Timeline(QScrollArea):
    """The scrollable strip; always shows the newest click."""

    def __init__(self, theme: Theme, icons: IconCache, parent: Any = None) -> None:
        super().__init__(parent)
        self.strip = ChipStrip(theme, icons, self)
        self.setWidget(self.strip)
        self.setWidgetResizable(False)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802
        strip = self.strip.sizeHint()
        return QSize(strip.width(), strip.height() + self.horizontalScrollBar().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.strip.chip_size().width(), self.sizeHint().height())

    def set_chips(self, chips: Sequence[Chip]) -> None:
        self.strip.set_chips(chips)
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().maximum())
        self.ensureVisible(self.strip.width(), 0, 0, 0)

    def set_weights(self, last_row: np.ndarray | None, positions: Sequence[int]) -> None:
        self.strip.set_weights(last_row, positions)
