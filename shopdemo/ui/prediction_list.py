"""One model's top-k list: rank, tile, name, probability bar, rank change, and the "both" mark.

A list model plus a delegate (not a widget per row), so a click re-fills ten rows in
microseconds. Bars share one scale across the columns (set by the panel), so a longer bar in
the GRU4Rec column really means a higher probability than a shorter one in the SASRec column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from shopdemo.ui.icons import IconCache
from shopdemo.ui.theme import Theme

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_EMS = 2.15  # row height in font heights: the name, and the bar under it
ELIDED_CACHE_SIZE = 2000  # elided names kept (product names x column widths)
LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT_MIDDLE = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ELIDE_RIGHT = Qt.TextElideMode.ElideRight
LIT_STATES = QStyle.StateFlag.State_MouseOver | QStyle.StateFlag.State_HasFocus
CHANGE_COLOURS = {"▲": "good", "▼": "bad", "n": "accent"}  # first character -> theme role


@dataclass(frozen=True)
class PredictionRow:
    rank: int  # 1-based position in this model's list
    item_id: int
    name: str
    icon: Path | None
    colour: str | None  # product colour (icon backdrop)
    prob: float  # softmax probability over the whole catalogue
    previous_rank: int | None  # rank one click earlier (None: no earlier prediction)
    shared: bool  # also in the other main model's top-k

    def change_text(self, k: int) -> str:
        if self.previous_rank is None:
            return ""
        if self.previous_rank > k:
            return "new"
        delta = self.previous_rank - self.rank
        return "=" if delta == 0 else (f"▲{delta}" if delta > 0 else f"▼{-delta}")

    def tooltip(self) -> str:
        lines = [f"{self.name} (item {self.item_id})", f"probability {percent(self.prob)}"]
        if self.previous_rank is not None:
            lines.append(f"rank one click earlier: {self.previous_rank}")
        if self.shared:
            lines.append("◆ both models recommend it")
        return "\n".join(lines)


def percent(prob: float) -> str:
    if prob >= 0.1:
        return f"{prob * 100:.0f}%"
    if prob >= 0.001:
        return f"{prob * 100:.1f}%"
    return "<0.1%"


class PredictionListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[PredictionRow] = []
        self.k = 10
        self.scale = 1.0  # probability that fills the whole bar

    def set_rows(self, rows: list[PredictionRow], k: int, scale: float) -> None:
        self.beginResetModel()
        self.rows, self.k, self.scale = list(rows), int(k), max(float(scale), 1e-9)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.rank}. {row.name}, {percent(row.prob)}"
        if role == ROW_ROLE:
            return row
        return None


class PredictionDelegate(QStyledItemDelegate):
    """Paints a row: rank | icon | name | bar with % | change | ◆.

    About 30 rows are painted per click, so what does not change between rows (colours, font
    measures, elided names) is computed once and kept."""

    def __init__(self, theme: Theme, icons: IconCache, colour_key: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme, self.icons, self.colour_key = theme, icons, colour_key
        self._colours: dict[str, QColor] = {}  # role -> colour of `_colours_theme`
        self._colours_theme: Theme | None = None
        self._measures: dict[str, tuple[QFontMetrics, int, int, int]] = {}  # font key -> ...
        self._elided: dict[tuple[str, int, str], str] = {}  # (name, width, font) -> text

    def pixel_ratio(self) -> float:
        """The view's device pixel ratio (asking the painter's device crashes PySide 6.12)."""
        view = self.parent()
        return view.devicePixelRatioF() if isinstance(view, QWidget) else 1.0

    def colour(self, role: str) -> QColor:
        """The theme's colour for `role` (a model key for the bars), kept per theme."""
        if self._colours_theme is not self.theme:
            self._colours, self._colours_theme = {}, self.theme
        found = self._colours.get(role)
        if found is None:
            model = role == "model"
            found = self.theme.model_colour(self.colour_key) if model else self.theme.colour(role)
            self._colours[role] = found
        return found

    def measures(self, font: QFont) -> tuple[QFontMetrics, int, int, int]:
        """(metrics, line height, width of "new" + 8, width of "100%" + 6) of `font`."""
        key = font.key()
        found = self._measures.get(key)
        if found is None:
            metrics = QFontMetrics(font)
            found = (
                metrics,
                metrics.height(),
                metrics.horizontalAdvance("new") + 8,
                metrics.horizontalAdvance("100%") + 6,
            )
            self._measures[key] = found
        return found

    def elided(self, name: str, width: int, font: QFont, metrics: QFontMetrics) -> str:
        key = (name, width, font.key())
        text = self._elided.get(key)
        if text is None:
            if len(self._elided) > ELIDED_CACHE_SIZE:
                self._elided.clear()
            text = self._elided[key] = metrics.elidedText(name, ELIDE_RIGHT, width)
        return text

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:  # noqa: N802
        height = QFontMetrics(option.font).height()
        return QSize(10 * height, round(height * ROW_EMS))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """rank | tile | name over a probability bar | rank change | ◆"""
        row: PredictionRow | None = index.data(ROW_ROLE)
        model = index.model()
        if row is None or not isinstance(model, PredictionListModel):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        top, height = rect.top(), rect.height()
        state = option.state
        if state & LIT_STATES:
            painter.fillRect(rect, self.colour("surface_alt"))
        if state & QStyle.StateFlag.State_HasFocus:  # the keyboard's row: Enter opens it
            painter.setPen(QPen(self.colour("accent"), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(1, 1, -1, -1))
        metrics, em, change_width, label_width = self.measures(option.font)
        x = rect.left() + 2
        painter.setPen(self.colour("muted"))
        painter.drawText(QRect(x, top, int(em * 1.2), height), RIGHT_MIDDLE, str(row.rank))
        x += int(em * 1.2) + 6
        icon = int(height * 0.84)
        self._paint_tile(painter, QRectF(x, top + (height - icon) / 2, icon, icon), row)
        x += icon + 8

        mark_width = int(em * 1.1)
        right = rect.right() - 2
        mark_rect = QRect(right - mark_width, top, mark_width, height)
        change_rect = QRect(mark_rect.left() - change_width, top, change_width, height)
        text_width = max(0, change_rect.left() - x - 6)
        name_rect = QRect(x, top + 2, text_width, em)
        painter.setPen(self.colour("text"))
        painter.drawText(
            name_rect, LEFT_MIDDLE, self.elided(row.name, text_width, option.font, metrics)
        )
        bar_rect = QRect(
            x, name_rect.bottom() + 2, text_width, rect.bottom() - name_rect.bottom() - 4
        )
        self._paint_bar(painter, bar_rect, row.prob / model.scale, percent(row.prob), label_width)
        change = row.change_text(model.k)
        painter.setPen(self.colour(CHANGE_COLOURS.get(change[:1], "muted")))
        painter.drawText(change_rect, RIGHT_MIDDLE, change)
        if row.shared:
            painter.setPen(self.colour("text"))
            painter.drawText(mark_rect, Qt.AlignmentFlag.AlignCenter, "◆")
        painter.restore()

    def _paint_tile(self, painter: QPainter, area: QRectF, row: PredictionRow) -> None:
        """The icon on its square tinted backdrop: one cached pixmap per icon, size, colour."""
        tile = self.icons.tile(
            row.icon,
            int(area.width()),
            row.colour,
            self.pixel_ratio(),
            row.name,
            icon_share=0.8,
            radius=0,  # square: the list has many, a rounded corner adds nothing at this size
        )
        painter.drawPixmap(int(area.left()), int(area.top()), tile)

    def _paint_bar(
        self, painter: QPainter, rect: QRect, fraction: float, label: str, label_width: int
    ) -> None:
        """A bar as long as the probability (shared scale), its value written after it."""
        track = QRectF(
            rect.left(),
            rect.center().y() - rect.height() * 0.32,
            max(rect.width() - label_width, 1),
            rect.height() * 0.64,
        )
        painter.fillRect(track, self.colour("surface_alt"))
        filled = QRectF(
            track.left(), track.top(), track.width() * min(max(fraction, 0.0), 1.0), track.height()
        )
        painter.fillRect(filled, self.colour("model"))
        painter.setPen(self.colour("text"))
        painter.drawText(
            QRectF(filled.right() + 4, rect.top() - 2, label_width, rect.height() + 4),
            LEFT_MIDDLE,
            label,
        )


class PredictionList(QListView):
    """The list view; choosing a row emits the product id. Exportable: `paint_chart` paints
    every row with the same delegate the view uses."""

    item_chosen = Signal(int)
    item_pointed = Signal(int)  # the row under the mouse or the keyboard's current row

    def __init__(self, theme: Theme, icons: IconCache, colour_key: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows = PredictionListModel(self)
        self.delegate = PredictionDelegate(theme, icons, colour_key, self)
        self.setModel(self.rows)
        self.setItemDelegate(self.delegate)
        self.setUniformItemSizes(True)
        self.setMouseTracking(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.clicked.connect(self._choose)
        self.entered.connect(self._point)

    @property
    def theme(self) -> Theme:
        return self.delegate.theme

    def set_theme(self, theme: Theme) -> None:
        self.delegate.theme = theme
        self.viewport().update()

    def set_rows(self, rows: list[PredictionRow], k: int, scale: float) -> None:
        """New rows, laid out now: a reset alone lays the list out on a zero timer, after the
        frame that paints the rest of the panel, so the lists would appear one frame late."""
        self.rows.set_rows(rows, k, scale)
        self.doItemsLayout()

    def row_height(self) -> int:
        return round(self.fontMetrics().height() * ROW_EMS)

    def sizeHint(self) -> QSize:  # noqa: N802
        """Room for all k rows; the column shrinks it (down to 4 rows) when space is short."""
        rows = max(self.rows.k, 4)
        return QSize(self.fontMetrics().height() * 16, self.row_height() * rows + 4)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().height() * 10, self.row_height() * 4)

    def chart_size(self) -> QSize:
        """Every row, as wide as the list is on screen (for PNG / SVG export)."""
        width = self.viewport().width() or self.width()
        return QSize(width, self.row_height() * max(self.rows.rowCount(), 1))

    def paint_chart(self, painter: QPainter, rect: QRect) -> None:
        """All rows into `rect`, painted by the view's own delegate."""
        painter.save()
        painter.setFont(self.font())
        height = self.row_height()
        for row in range(self.rows.rowCount()):
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            option.rect = QRect(rect.left(), rect.top() + row * height, rect.width(), height)
            option.state = QStyle.StateFlag.State_Enabled
            self.delegate.paint(painter, option, self.rows.index(row, 0))
        painter.restore()

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:  # noqa: N802
        super().currentChanged(current, previous)
        if current.isValid():
            self._point(current)

    def _point(self, index: QModelIndex) -> None:
        row: PredictionRow | None = index.data(ROW_ROLE)
        if row is not None:
            self.item_pointed.emit(row.item_id)

    def _choose(self, index: QModelIndex) -> None:
        row: PredictionRow | None = index.data(ROW_ROLE)
        if row is not None:
            self.item_chosen.emit(row.item_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._choose(self.currentIndex())
            return
        super().keyPressEvent(event)
