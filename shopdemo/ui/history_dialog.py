"""The session history: past sessions from the store in a table (filter by origin), and a replay
of the chosen one, click by click through both models, in the scenario player.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from shopdemo.errors import ShopDemoError
from shopdemo.service.classroom_replay import HistoryRow, from_history, history_rows, local_time
from shopdemo.ui.table_model import HeaderedTableModel, Index
from shopdemo.ui.theme import Theme

ORIGIN_CHOICES = ("live", "simulated", "imported", "replay")  # the store's session origins
LIMIT = 2000  # newest sessions listed
SORT_ROLE = Qt.ItemDataRole.UserRole


def fit_to_text(dialog: QDialog, columns: int, lines: int) -> None:
    """Size a dialog in characters and lines of its font (presentation text is larger), never
    beyond the screen."""
    metrics = dialog.fontMetrics()
    width, height = metrics.horizontalAdvance("x") * columns * 2, metrics.height() * lines
    screen = dialog.screen()
    if screen is not None:
        free = screen.availableGeometry()
        width, height = min(width, free.width()), min(height, free.height())
    dialog.resize(width, height)


class HistoryModel(HeaderedTableModel):
    HEADERS = ("Session", "Origin", "Started", "Clicks", "Events")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[HistoryRow] = []

    def set_rows(self, rows: list[HistoryRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"#{row.number}",
                row.origin,
                local_time(row.started, "%Y-%m-%d %H:%M:%S"),
                str(row.clicks),
                str(row.events),
            )[column]
        if role == SORT_ROLE:
            return (row.number, row.origin, row.started.timestamp(), row.clicks, row.events)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class HistoryDialog(QDialog):
    """Browse, filter and pick a session; `replay_requested` hands its playlist to the player."""

    replay_requested = Signal(object)  # Playlist

    def __init__(self, window: Any, theme: Theme) -> None:
        super().__init__(window)
        self.setWindowTitle("Session history")
        self.window, self.theme = window, theme
        self.origin = QComboBox(self)
        self.origin.setAccessibleName("Filter by origin")
        self.origin.addItem("all origins", None)
        for origin in ORIGIN_CHOICES:
            self.origin.addItem(origin, origin)
        self.count = QLabel(self)
        self.count.setObjectName("muted")
        self.refresh_button = QPushButton("Refresh", self)
        self.model = HistoryModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Past sessions")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the start time
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.replay_button = QPushButton("Replay click by click", self)
        self.replay_button.setObjectName("primary")
        self.close_button = QPushButton("Close", self)

        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show", self))
        filters.addWidget(self.origin)
        filters.addWidget(self.count, 1)
        filters.addWidget(self.refresh_button)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.replay_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.preview)
        layout.addLayout(buttons)

        self.origin.currentIndexChanged.connect(lambda _: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        self.table.doubleClicked.connect(lambda _: self.replay_selected())
        self.replay_button.clicked.connect(self.replay_selected)
        self.close_button.clicked.connect(self.close)
        fit_to_text(self, columns=60, lines=30)

    def refresh(self) -> None:
        """Read the sessions (of the chosen origin) from the store again."""
        origin = self.origin.currentData()
        rows = history_rows(self.window.service.store, origin=origin, limit=LIMIT)
        self.model.set_rows(rows)
        shown = f"{len(rows):,} session{'s' if len(rows) != 1 else ''}"
        self.count.setText(shown + (f" (the newest {LIMIT:,})" if len(rows) == LIMIT else ""))
        if rows:
            self.table.selectRow(0)
        self._selected()

    def selected_number(self) -> int | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.model.rows[self.proxy.mapToSource(indexes[0]).row()].number

    def _selected(self) -> None:
        number = self.selected_number()
        row = next((r for r in self.model.rows if r.number == number), None)
        self.replay_button.setEnabled(row is not None and row.clicks > 0)
        if row is None:
            self.preview.setText("No sessions here yet." if not self.model.rows else "")
            return
        _, events = self.window.service.store.load_session(row.number)
        names = [self.window.describe(e.item_id)[0] for e in events if e.kind == "click"]
        more = f" … (+{len(names) - 8})" if len(names) > 8 else ""
        self.preview.setText(" → ".join(names[:8]) + more if names else "(no clicks)")

    def replay_selected(self) -> None:
        number = self.selected_number()
        if number is None:
            return
        try:
            playlist = from_history(self.window.service.store, self.window.catalog, number)
        except ShopDemoError as exc:
            self.preview.setText(str(exc))
            return
        self.replay_requested.emit(playlist)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
