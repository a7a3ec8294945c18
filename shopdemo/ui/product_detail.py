"""One product's page: big icon, name, where it sits in the shop, price, colour, "Add to cart",
and a strip of more products from the same subcategory so a visitor can keep browsing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from shopdemo.ui.icons import IconCache
from shopdemo.ui.product_grid import ProductGrid
from shopdemo.ui.product_model import Tile, format_price
from shopdemo.ui.theme import Theme


class ProductPicture(QWidget):
    """The product's SVG on its tinted backdrop, as large as the space allows."""

    def __init__(self, icons: IconCache, parent: Any = None) -> None:
        super().__init__(parent)
        self.icons = icons
        self.tile: Tile | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_tile(self, tile: Tile) -> None:
        self.tile = tile
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        side = self.fontMetrics().height() * 10
        return QSize(side, side)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self.tile is None:
            return
        side = min(self.width(), self.height())
        pixmap = self.icons.tile(
            self.tile.icon, side, self.tile.colour, self.devicePixelRatioF(), self.tile.title
        )
        painter = QPainter(self)
        painter.drawPixmap((self.width() - side) // 2, 0, pixmap)  # cached: backdrop and icon
        painter.end()


class ProductDetail(QWidget):
    """The product page; "Add to cart" and the related strip report through signals."""

    cart_requested = Signal(int)  # product id
    related_chosen = Signal(object)  # Tile from the "more like this" strip

    def __init__(self, theme: Theme, icons: IconCache, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.product_id: int | None = None
        self.picture = ProductPicture(icons, self)
        self.name = QLabel(self)
        self.name.setWordWrap(True)
        self.name.setFont(theme.font(1.6, bold=True))
        self.place = QLabel(self)
        self.place.setObjectName("muted")
        self.price = QLabel(self)
        self.price.setFont(theme.font(1.5, bold=True))
        self.colour = QLabel(self)
        self.colour.setObjectName("muted")
        self.add_button = QPushButton("Add to cart", self)
        self.add_button.setObjectName("primary")
        self.add_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.add_button.clicked.connect(self._add)
        self.added = QLabel(self)
        self.related_title = QLabel(self)
        self.related_title.setFont(theme.font(1.1, bold=True))
        self.related = ProductGrid(theme, icons, self, scale=0.85)
        self.related.setAccessibleName("More like this")
        self.related.tile_chosen.connect(self.related_chosen)

        info = QVBoxLayout()
        info.setSpacing(8)
        for widget in (self.name, self.place, self.price, self.colour):
            info.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.added)
        buttons.addStretch(1)
        info.addLayout(buttons)
        info.addStretch(1)
        top = QGridLayout()
        top.addWidget(self.picture, 0, 0)
        top.addLayout(info, 0, 1)
        top.setColumnStretch(0, 2)
        top.setColumnStretch(1, 3)
        top.setHorizontalSpacing(20)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.related_title)
        layout.addWidget(self.related, 1)

    def show_product(self, product: Any, tile: Tile, related: list[Tile]) -> None:
        self.product_id = int(product.id)
        self.picture.set_tile(tile)
        self.name.setText(product.name)
        sub = getattr(product, "subcategory", "")
        self.place.setText(f"{product.department} › {sub}" if sub else product.department)
        self.price.setText(format_price(product.price))
        price_style = f"color: {self.theme.accent};"
        if self.price.styleSheet() != price_style:  # a new style sheet re-polishes the label
            self.price.setStyleSheet(price_style)
        colour = getattr(product, "colour", "")
        self.colour.setText(f"Colour: {colour}" if colour else "")
        self.added.setText("")
        self.related_title.setText(f"More in {sub or product.department}")
        self.related.tiles.set_tiles(related)
        self.related.doItemsLayout()  # now, not on a timer: the page paints once, complete
        self.related.scrollToTop()

    def show_cart_count(self, in_cart: int) -> None:
        self.added.setText(f"✓ In your cart ({in_cart})" if in_cart else "")

    def _add(self) -> None:
        if self.product_id is not None:
            self.cart_requested.emit(self.product_id)
