"""Product and department icons: SVG files rendered once per size and kept as pixmaps.

A delegate paints dozens of tiles per frame; parsing SVG each time would cost milliseconds, a
cached pixmap costs microseconds. The same goes for an icon on its tinted backdrop (an
antialiased rounded rectangle costs ~0.2 ms, more under load): `tile` keeps the two together per
icon, size and colour. A missing or broken file gets a lettered placeholder instead of an
exception, so a half-finished catalogue still shows a usable shop.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)

TILE_CACHE_SIZE = 512  # icon-on-backdrop pixmaps kept (~1-40 KB each)
BACKDROP_ALPHA = 46  # of the product colour behind an icon


def tint_colour(name: str | None, fallback: str = "#8A94A6") -> QColor:
    """The product's colour as a QColor (catalogue colours are names or #rrggbb)."""
    colour = QColor(name) if name else QColor()
    return colour if colour.isValid() else QColor(fallback)


class IconCache:
    """Pixmaps of SVG files by (path, pixel size, device pixel ratio), and of icons on their
    tinted backdrop by (path, size, colour, ratio, icon share, corner radius)."""

    def __init__(self) -> None:
        self._pixmaps: dict[tuple[str, int, float, str], QPixmap] = {}
        self._tiles: OrderedDict[tuple, QPixmap] = OrderedDict()  # least recently used first
        self._renderers: dict[str, QSvgRenderer | None] = {}

    def pixmap(self, path: Path | None, size: int, ratio: float = 1.0, label: str = "") -> QPixmap:
        key = (str(path), int(size), float(ratio), self._placeholder_letter(path, label))
        cached = self._pixmaps.get(key)
        if cached is None:
            cached = self._render(path, int(size), float(ratio), label)
            self._pixmaps[key] = cached
        return cached

    def tile(
        self,
        path: Path | None,
        side: int,
        colour: str | None,
        ratio: float = 1.0,
        label: str = "",
        icon_share: float = 0.72,
        radius: float = 12.0,
    ) -> QPixmap:
        """The icon (`icon_share` of `side`, centred) on a `side` x `side` backdrop of the
        product's colour, corners rounded by `radius` (0: square). Kept for the
        `TILE_CACHE_SIZE` last used (icon, size, colour) combinations."""
        key = (
            str(path),
            int(side),
            colour,
            float(ratio),
            float(icon_share),
            float(radius),
            self._placeholder_letter(path, label),
        )
        cached = self._tiles.get(key)
        if cached is not None:
            self._tiles.move_to_end(key)
            return cached
        side = max(1, int(side))
        cached = QPixmap(max(1, round(side * ratio)), max(1, round(side * ratio)))
        cached.setDevicePixelRatio(ratio)
        cached.fill(Qt.GlobalColor.transparent)
        painter = QPainter(cached)
        backdrop = tint_colour(colour)
        backdrop.setAlpha(BACKDROP_ALPHA)
        if radius > 0:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(backdrop)
            painter.drawRoundedRect(QRectF(0, 0, side, side), radius, radius)
        else:
            painter.fillRect(QRectF(0, 0, side, side), backdrop)
        icon = int(side * icon_share)
        offset = int(side / 2 - icon / 2)
        painter.drawPixmap(offset, offset, self.pixmap(path, icon, ratio, label))
        painter.end()
        self._tiles[key] = cached
        while len(self._tiles) > TILE_CACHE_SIZE:
            self._tiles.popitem(last=False)
        return cached

    def _placeholder_letter(self, path: Path | None, label: str) -> str:
        """The letter a placeholder shows ("" when the SVG renders: it does not depend on it)."""
        return "" if self._renderer(path) is not None else (label[:1] or "?").upper()

    def _renderer(self, path: Path | None) -> QSvgRenderer | None:
        key = str(path)
        if key not in self._renderers:
            renderer = None
            if path is not None and Path(path).is_file():
                renderer = QSvgRenderer(str(path))
                if not renderer.isValid():
                    log.warning("icon %s is not a valid SVG; using a placeholder", path)
                    renderer = None
            self._renderers[key] = renderer
        return self._renderers[key]

    def _render(self, path: Path | None, size: int, ratio: float, label: str) -> QPixmap:
        pixmap = QPixmap(max(1, round(size * ratio)), max(1, round(size * ratio)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer = self._renderer(path)
        if renderer is not None:
            renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
            renderer.render(painter, QRectF(0, 0, size, size))
        else:
            paint_placeholder(painter, QRectF(0, 0, size, size), label)
        painter.end()
        return pixmap


def paint_placeholder(painter: QPainter, rect: QRectF, label: str) -> None:
    """A grey rounded square with the first letter of the label."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#C9CED6"))
    painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), rect.width() * 0.18, rect.width() * 0.18)
    font = QFont(painter.font())
    font.setPixelSize(max(6, int(rect.height() * 0.45)))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#FFFFFF"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, (label[:1] or "?").upper())
