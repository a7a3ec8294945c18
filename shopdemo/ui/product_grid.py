"""The product grid: a QListView in icon mode over `ProductListModel`, painted by `TileDelegate`.

It only reports which tile was chosen (mouse click, or Enter on the focused tile); what a click
means (log it, open the product) is decided by the storefront.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyleOptionViewItem

from shopdemo.ui.icons import IconCache
from shopdemo.ui.product_model import TILE_ROLE, ProductListModel, Tile
from shopdemo.ui.theme import Theme
from shopdemo.ui.tile_delegate import TileDelegate


class ProductGrid(QListView):
    """Tiles in rows that reflow with the width; one strip (no wrapping) when `strip=True`."""

    tile_chosen = Signal(object)  # the Tile

    def __init__(
        self,
        theme: Theme,
        icons: IconCache,
        parent: Any = None,
        strip: bool = False,
        scale: float = 1.0,
    ) -> None:
        super().__init__(parent)
        self.tiles = ProductListModel(self)
        self.delegate = TileDelegate(theme, icons, self, scale=scale)
        self.setModel(self.tiles)
        self.setItemDelegate(self.delegate)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setSpacing(6)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setFrameShape(QListView.Shape.NoFrame)
        if strip:
            self.setFlow(QListView.Flow.LeftToRight)
            self.setWrapping(False)
            self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Products" if not strip else "More like this")
        self.clicked.connect(self._choose)
        self._strip = strip

    def set_theme(self, theme: Theme) -> None:
        self.delegate.set_theme(theme)
        self.viewport().update()

    def tile_size(self) -> QSize:
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        return self.delegate.sizeHint(option, QModelIndex())

    def sizeHint(self) -> QSize:  # noqa: N802
        if self._strip:
            tile = self.tile_size()
            return QSize(tile.width() * 3, tile.height() + 2 * self.spacing() + 4)
        return super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint() if self._strip else super().minimumSizeHint()

    def _choose(self, index: QModelIndex) -> None:
        tile: Tile | None = index.data(TILE_ROLE)
        if tile is not None:
            self.tile_chosen.emit(tile)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._choose(self.currentIndex())
            return
        super().keyPressEvent(event)
