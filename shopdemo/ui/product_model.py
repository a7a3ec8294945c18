"""The grid's item model: products (or departments on the home page) as tiles.

Qt model/view instead of a hand-built widget per product: a department with a thousand products
costs one list model, and the view only paints the tiles that are visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

TILE_ROLE = Qt.ItemDataRole.UserRole + 1  # the Tile itself
KEY_ROLE = Qt.ItemDataRole.UserRole + 2  # product id (int) or department name (str)


def format_price(price: float) -> str:
    return f"${price:,.2f}"


@dataclass(frozen=True)
class Tile:
    """What one grid cell shows; built once from a product or a department."""

    key: int | str  # product id, or department name
    title: str  # product or department name
    subtitle: str  # price, or "N products"
    icon: Path | None  # SVG file
    colour: str | None  # tint of the icon's backdrop
    is_product: bool  # False for a department tile


def colour_of(catalog: Any, colour: str | None) -> str | None:
    """A product's colour name as #rrggbb when the catalogue knows it."""
    return getattr(catalog, "colours", {}).get(colour, colour) if colour else None


def product_tiles(
    products: Iterable[Any], catalog: Any, icon_paths: dict[str, Path] | None = None
) -> list[Tile]:
    """Tiles for catalogue products (icons and tints from the catalogue). `icon_paths` (icon
    file name -> path, kept by the caller) saves resolving the same icon's path per product:
    ~0.1 ms each, a dozen per product page."""
    paths = icon_paths if icon_paths is not None else {}
    tiles = []
    for product in products:
        icon = paths.get(product.icon)
        if icon is None:
            icon = paths[product.icon] = catalog.icon_path(product)
        tiles.append(
            Tile(
                int(product.id),
                product.name,
                format_price(product.price),
                icon,
                colour_of(catalog, getattr(product, "colour", None)),
                True,
            )
        )
    return tiles


def department_tiles(departments: Iterable[Any], catalog: Any) -> list[Tile]:
    tiles = []
    for department in departments:
        count = department.products
        count = count if isinstance(count, int) else len(count)
        tiles.append(
            Tile(
                department.name,
                department.name,
                f"{count} products",
                catalog.icon_path(department),
                None,
                False,
            )
        )
    return tiles


class ProductListModel(QAbstractListModel):
    """A flat list of tiles; `set_tiles` swaps the whole content (department or search change)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tiles: list[Tile] = []

    def set_tiles(self, tiles: Sequence[Tile]) -> None:
        self.beginResetModel()
        self._tiles = list(tiles)
        self.endResetModel()

    def tile(self, row: int) -> Tile:
        return self._tiles[row]

    def tiles(self) -> list[Tile]:
        return list(self._tiles)

    def row_of(self, key: int | str) -> int:
        """Row of the tile with this key, or -1."""
        for row, tile in enumerate(self._tiles):
            if tile.key == key:
                return row
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._tiles)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._tiles):
            return None
        tile = self._tiles[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return tile.title
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{tile.title}, {tile.subtitle}"
        if role == TILE_ROLE:
            return tile
        if role == KEY_ROLE:
            return tile.key
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
