"""The shop side of the window: home (departments), a department's grid, search results, and a
product's page, with the breadcrumb above them.

It reads the catalogue but logs nothing itself: choosing a product emits `product_chosen` with
the source ("browse" or "search") and the window logs it through the service, then calls
`show_product`. Recommendations reach the same `show_product` from the panel.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from shopdemo.ui.icons import IconCache
from shopdemo.ui.nav_bar import NavBar
from shopdemo.ui.product_detail import ProductDetail
from shopdemo.ui.product_grid import ProductGrid
from shopdemo.ui.product_model import Tile, department_tiles, product_tiles
from shopdemo.ui.theme import Theme

SEARCH_LIMIT = 200  # results shown for a search; the grid scrolls
RELATED_LIMIT = 12  # tiles in the product page's "more in ..." strip


class Storefront(QWidget):
    """Navigation and pages of the shop."""

    product_chosen = Signal(int, str)  # product id, source ("browse" or "search")
    cart_requested = Signal(int)  # product id

    def __init__(self, catalog: Any, theme: Theme, icons: IconCache, parent: Any = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        self.nav = NavBar(theme, self)
        self.caption = QLabel(self)
        self.caption.setObjectName("muted")
        self.grid = ProductGrid(theme, icons, self)
        self.detail = ProductDetail(theme, icons, self)
        self.pages = QStackedWidget(self)
        grid_page = QWidget(self)
        grid_layout = QVBoxLayout(grid_page)
        grid_layout.setContentsMargins(12, 0, 12, 0)
        grid_layout.addWidget(self.caption)
        grid_layout.addWidget(self.grid, 1)
        self.pages.addWidget(grid_page)
        self.pages.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)

        self._shelves: dict[
            tuple[str, str], list[Any]
        ] = {}  # the catalogue scans; it never changes
        self._tiles: dict[int, Tile] = {}  # one tile per product, built on first show
        self._icon_paths: dict[str, Any] = {}  # icon file name -> path, for building tiles
        self.mode = "home"  # home, department, search or product
        self._back: tuple[str, str] = ("", "")  # department and subcategory to return to
        self.grid.tile_chosen.connect(self._tile_chosen)
        self.detail.related_chosen.connect(self._related_chosen)
        self.detail.cart_requested.connect(self.cart_requested)
        self.nav.home_requested.connect(self.show_home)
        self.nav.department_requested.connect(self.show_department)
        self.show_home()

    def set_theme(self, theme: Theme) -> None:
        for widget in (self.nav, self.grid, self.detail.related):
            widget.set_theme(theme)

    # -- pages ----------------------------------------------------------------------------
    def show_home(self) -> None:
        self.mode = "home"
        self.nav.show_path([])
        departments = list(self.catalog.departments)
        self.caption.setText(
            f"{len(departments)} departments · {len(self.catalog.products)} products"
        )
        self.grid.tiles.set_tiles(department_tiles(departments, self.catalog))
        self.pages.setCurrentIndex(0)
        self.grid.scrollToTop()

    def show_department(self, name: str, sub: str = "") -> None:
        self.mode = "department"
        self._back = (name, sub)
        products = self.shelf(name, sub)
        department = next((d for d in self.catalog.departments if d.name == name), None)
        subcategories = list(getattr(department, "subcategories", []) or [])
        self.nav.show_path([name, sub] if sub else [name], subcategories, sub)
        self.caption.setText(f"{len(products)} products")
        self.grid.tiles.set_tiles(self.tiles_of(products))
        self.pages.setCurrentIndex(0)
        self.grid.scrollToTop()

    def show_search(self, text: str) -> None:
        text = text.strip()
        if not text:
            self.show_department(*self._back) if self._back[0] else self.show_home()
            return
        self.mode = "search"
        results = list(self.catalog.search(text, SEARCH_LIMIT))
        self.nav.show_path([f"Search “{text}”"])
        self.caption.setText(
            f"{len(results)} results" if results else f"No product name contains “{text}”."
        )
        self.grid.tiles.set_tiles(self.tiles_of(results))
        self.pages.setCurrentIndex(0)
        self.grid.scrollToTop()

    def show_product(self, item_id: int) -> None:
        product = self.catalog.get(int(item_id))
        if product is None:
            return
        self.mode = "product"
        sub = getattr(product, "subcategory", "") or ""
        self._back = (product.department, sub)
        department = next(
            (d for d in self.catalog.departments if d.name == product.department), None
        )
        subcategories = list(getattr(department, "subcategories", []) or [])
        self.nav.show_path(
            [product.department, sub, product.name] if sub else [product.department, product.name],
            subcategories,
            sub,
        )
        siblings = [p for p in self.shelf(product.department, sub) if int(p.id) != int(product.id)][
            :RELATED_LIMIT
        ]
        tile = self.tiles_of([product])[0]
        self.detail.show_product(product, tile, self.tiles_of(siblings))
        self.pages.setCurrentIndex(1)

    def tiles_of(self, products: list[Any]) -> list[Tile]:
        missing = [p for p in products if int(p.id) not in self._tiles]
        for tile in product_tiles(missing, self.catalog, self._icon_paths):
            self._tiles[int(tile.key)] = tile
        return [self._tiles[int(p.id)] for p in products]

    def shelf(self, department: str, sub: str = "") -> list[Any]:
        """Products of a department (or sub-category), cached: a product page needs them per
        click. The first call files every product in one pass (a scan of the catalogue per
        sub-category costs ~1 ms each at 10,000 products)."""
        key = (department, sub)
        if not self._shelves:
            for product in self.catalog.products:
                self._shelves.setdefault((product.department, ""), []).append(product)
                sub_of = getattr(product, "subcategory", "") or ""
                if sub_of:
                    self._shelves.setdefault((product.department, sub_of), []).append(product)
        if key not in self._shelves:  # unknown names: the catalogue says what is wrong
            self._shelves[key] = list(self.catalog.in_department(department, sub or None))
        return self._shelves[key]

    # -- choices --------------------------------------------------------------------------
    def _tile_chosen(self, tile: Tile) -> None:
        if not tile.is_product:
            self.show_department(str(tile.key))
            return
        self.product_chosen.emit(int(tile.key), "search" if self.mode == "search" else "browse")

    def _related_chosen(self, tile: Tile) -> None:
        self.product_chosen.emit(int(tile.key), "browse")
