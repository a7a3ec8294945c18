"""The part every flat Qt table model here shares: fixed column headers and a row count.

Qt asks a table model for its shape through three methods; subclasses say only how many rows
they have (`row_count`) and what each cell shows (`data`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex


class HeaderedTableModel(QAbstractTableModel):
    """A flat table (no tree) whose columns are `HEADERS`."""

    HEADERS: tuple[str, ...] = ()

    def row_count(self) -> int:
        """How many rows the table has: none here; each table counts its own data."""
        return 0

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None
