"""Paints one shop tile: a card with the product's icon on a tinted backdrop, name and price.

Sizes derive from the font's height, so presentation mode's larger fonts grow the tiles with the
text instead of cutting it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from shopdemo.ui.icons import IconCache, tint_colour
from shopdemo.ui.product_model import TILE_ROLE, Tile
from shopdemo.ui.theme import Theme

LINES_CACHE_SIZE = 4000  # wrapped product names kept (names x tile widths)


def wrap_two_lines(metrics: QFontMetrics, text: str, width: int) -> list[str]:
    """Break text into at most two lines that fit `width`, eliding the second if needed."""
    words = text.split()
    first = ""
    while words and metrics.horizontalAdvance((first + " " + words[0]).strip()) <= width:
        first = (first + " " + words.pop(0)).strip()
    if not first:  # one very long word: elide it on one line
        return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)]
    if not words:
        return [first]
    rest = metrics.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
    return [first, rest]


class TileDelegate(QStyledItemDelegate):
    """Card painter for `ProductListModel` rows in an icon-mode list view."""

    def __init__(
        self, theme: Theme, icons: IconCache, parent: Any = None, scale: float = 1.0
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.icons = icons
        self.scale = scale  # 1.0 in the grid, smaller in the "more like this" grid
        self._frames: dict[tuple, QPixmap] = {}  # card outlines and backdrops (a few dozen)
        self._font_cache: dict[tuple[str, str], tuple[QFont, QFontMetrics, QFontMetrics]] = {}
        self._lines: dict[tuple[str, int, str], list[str]] = {}  # (title, width, font) -> lines

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self._frames.clear()
        self._font_cache.clear()

    def pixel_ratio(self) -> float:
        """The view's device pixel ratio (asking the painter's device crashes PySide 6.12)."""
        view = self.parent()
        return view.devicePixelRatioF() if isinstance(view, QWidget) else 1.0

    def _em(self, option: QStyleOptionViewItem) -> int:
        return QFontMetrics(option.font).height()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:  # noqa: N802
        em = self._em(option)
        width = round(9.5 * em * self.scale)
        icon = round(width * 0.62)
        return QSize(width, icon + round(4.6 * em) + 12)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Painted directly each time: 0.2 ms a tile, 4x less than rendering it into a cache."""
        tile: Tile | None = index.data(TILE_ROLE)
        if tile is None:
            return
        lit = bool(
            option.state & (QStyle.StateFlag.State_MouseOver | QStyle.StateFlag.State_HasFocus)
        )
        painter.save()
        self._paint_card(painter, option.rect, tile, option.font, lit)
        painter.restore()

    def _frame(self, size: QSize, backdrop: QRectF, colour: str | None, lit: bool) -> QPixmap:
        """The card's rounded outline and tinted icon backdrop, cached per size, tint and state:
        an antialiased rounded rectangle costs ~0.1-0.2 ms, a cached pixmap ~0.01 ms."""
        ratio = self.pixel_ratio()
        key = (size.width(), size.height(), colour, lit, self.theme.name, ratio)
        frame = self._frames.get(key)
        if frame is None:
            frame = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
            frame.setDevicePixelRatio(ratio)
            frame.fill(Qt.GlobalColor.transparent)
            painter = QPainter(frame)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            border = self.theme.colour("accent") if lit else self.theme.colour("border")
            painter.setPen(QPen(border, 2 if lit else 1))
            painter.setBrush(self.theme.colour("surface"))
            painter.drawRoundedRect(QRectF(3, 3, size.width() - 6, size.height() - 6), 8, 8)
            tint = tint_colour(colour)
            tint.setAlpha(46 if colour else 30)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(tint)
            painter.drawRoundedRect(backdrop, 6, 6)
            painter.end()
            self._frames[key] = frame
        return frame

    def _fonts(self, font: QFont) -> tuple[QFont, QFontMetrics, QFontMetrics]:
        """(bold title font, its metrics, metrics of `font`), kept per font and theme."""
        key = (font.key(), self.theme.name)
        found = self._font_cache.get(key)
        if found is None:
            title_font = self.theme.font(1.0, bold=True)
            title_font.setPointSizeF(font.pointSizeF())
            found = (title_font, QFontMetrics(title_font), QFontMetrics(font))
            self._font_cache[key] = found
        return found

    def _title_lines(self, title: str, metrics: QFontMetrics, width: int, font: QFont) -> list[str]:
        key = (title, width, font.key())
        lines = self._lines.get(key)
        if lines is None:
            if len(self._lines) > LINES_CACHE_SIZE:
                self._lines.clear()
            lines = self._lines[key] = wrap_two_lines(metrics, title, width)
        return lines

    def _paint_card(
        self, painter: QPainter, rect: QRect, tile: Tile, font: QFont, lit: bool
    ) -> None:
        theme = self.theme
        card = QRectF(rect).adjusted(3, 3, -3, -3)
        title_font, metrics, sub_font = self._fonts(font)
        em = sub_font.height()
        pad = max(6, em // 2)
        backdrop = QRectF(
            card.left() + pad,
            card.top() + pad,
            card.width() - 2 * pad,
            round(card.width() * 0.62) - pad,
        )
        painter.drawPixmap(
            rect.topLeft(),
            self._frame(
                rect.size(),
                backdrop.translated(-rect.left(), -rect.top()),
                tile.colour if tile.is_product else None,
                lit,
            ),
        )
        icon_size = int(min(backdrop.width(), backdrop.height()) * 0.78)
        ratio = self.pixel_ratio()
        pixmap = self.icons.pixmap(tile.icon, icon_size, ratio, tile.title)
        painter.drawPixmap(
            int(backdrop.center().x() - icon_size / 2),
            int(backdrop.center().y() - icon_size / 2),
            pixmap,
        )

        text_width = int(card.width() - 2 * pad)
        painter.setFont(title_font)
        painter.setPen(theme.colour("text"))
        top = int(backdrop.bottom() + pad * 0.8)
        for line in self._title_lines(tile.title, metrics, text_width, title_font):
            painter.drawText(
                QRect(int(card.left() + pad), top, text_width, metrics.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                line,
            )
            top += metrics.height()
        painter.setFont(font)
        painter.setPen(theme.colour("accent") if tile.is_product else theme.colour("muted"))
        bottom = int(card.bottom() - pad - sub_font.height())
        painter.drawText(
            QRect(int(card.left() + pad), bottom, text_width, sub_font.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            tile.subtitle,
        )


def tint_backdrop(colour: str | None) -> QColor:
    """The soft tinted backdrop colour used behind product icons elsewhere (detail view)."""
    tint = tint_colour(colour)
    tint.setAlpha(46)
    return tint
