"""The what-if dialog's two tables as Qt item models, the bar delegate they share, and the
summary line under them.

`ChangeModel`: one model's probabilities before and after the edit, per product.
`EffectModel`: per click of the edited session, SASRec's attention next to each model's
leave-one-out influence (what removing the click does to the top pick's probability).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from shopdemo.service import TITLES
from shopdemo.service.classroom_whatif import ClickEffect, ItemChange, ModelWhatIf, strongest
from shopdemo.ui.table_model import HeaderedTableModel, Index
from shopdemo.ui.theme import Theme

BAR_ROLE = Qt.ItemDataRole.UserRole + 1  # a value in [-1, 1] drawn as a bar behind the text
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 2  # the bar's colour (a model's)
Describe = Callable[[int], tuple[str, Any, Any]]


def percent(probability: float) -> str:
    value = probability * 100
    return f"{value:.1f} %" if value >= 0.1 or value == 0 else f"{value:.2f} %"


def points(delta: float) -> str:
    """A probability change in percentage points, signed."""
    value = delta * 100
    if abs(value) < 0.005:  # also -0.0 and float noise: no change
        return "0.0 pts"
    return f"{value:+.1f} pts" if abs(value) >= 0.1 else f"{value:+.2f} pts"


class ChangeModel(HeaderedTableModel):
    HEADERS = ("Product", "Before", "After", "Change", "Rank")

    def __init__(self, theme: Theme, describe: Describe, k: int = 10, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme, self.describe, self.k = theme, describe, k
        self.changes: list[ItemChange] = []
        self.scale = 1.0  # largest |change| in the table: the full bar

    def set_changes(self, changes: list[ItemChange], k: int) -> None:
        self.beginResetModel()
        self.changes, self.k = list(changes), k
        self.scale = max((abs(change.delta) for change in self.changes), default=0.0) or 1.0
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.changes)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        change, column = self.changes[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                self.describe(change.item)[0],
                percent(change.before),
                percent(change.after),
                points(change.delta),
                f"#{change.rank_before} → #{change.rank_after}",
            )[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 3 and abs(change.delta) >= 5e-4:
                return self.theme.colour("good" if change.delta > 0 else "bad")
            if change.rank_after > self.k:  # left the top-k
                return self.theme.colour("muted")
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == BAR_ROLE and column == 3:
            return change.delta / self.scale
        if role == COLOUR_ROLE and column == 3:
            return self.theme.colour("good" if change.delta > 0 else "bad")
        if role == Qt.ItemDataRole.ToolTipRole:
            left = " (left the top k)" if change.rank_after > self.k else ""
            return (
                f"{self.describe(change.item)[0]}: {percent(change.before)} → "
                f"{percent(change.after)}, rank {change.rank_before} → {change.rank_after}{left}"
            )
        return None


class EffectModel(HeaderedTableModel):
    """One row per click: attention (SASRec), update gate (GRU4Rec), and both influences."""

    HEADERS = (
        "#",
        "Clicked product",
        "SASRec attention",
        "SASRec: removing it",
        "GRU4Rec update gate",
        "GRU4Rec: removing it",
    )
    COLUMNS = (None, None, ("sasrec", "attention"), ("sasrec", "removal"))
    COLUMNS += (("gru4rec", "gate"), ("gru4rec", "removal"))

    def __init__(self, theme: Theme, describe: Describe, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme, self.describe = theme, describe
        self.session: tuple[int, ...] = ()
        self.results: dict[str, ModelWhatIf] = {}
        self.scales: dict[str, float] = {}

    def set_results(self, session: tuple[int, ...], results: dict[str, ModelWhatIf]) -> None:
        self.beginResetModel()
        self.session, self.results = tuple(session), dict(results)
        self.scales = {
            key: max((abs(e.influence) for e in result.effects), default=0.0) or 1.0
            for key, result in self.results.items()
        }
        self.endResetModel()

    def effect(self, key: str, row: int) -> ClickEffect | None:
        result = self.results.get(key)
        return result.effects[row] if result is not None and row < len(result.effects) else None

    def row_count(self) -> int:
        return len(self.session)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or role == Qt.ItemDataRole.DisplayRole:
            return super().headerData(section, orientation, role)
        spec = self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and spec is not None:
            key, field = spec
            result = self.results.get(key)
            top = self.describe(result.top_item)[0] if result else "the top pick"
            return {
                "attention": "Weight of this click in SASRec's last attention row (mean over "
                "layers and heads): where the prediction looks",
                "gate": "GRU4Rec's mean update gate z for this click: how much of the memory "
                "it overwrote (z = 1 replaces the past)",
                "removal": f"How the probability of the top pick ({top}) changes when this "
                "click is removed (leave-one-out): what the click actually does",
            }[field]
        if role == Qt.ItemDataRole.ForegroundRole and spec is not None:
            return self.theme.model_colour(spec[0])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        spec = self.COLUMNS[column]
        if spec is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(row + 1) if column == 0 else self.describe(self.session[row])[0]
            return None
        key, field = spec
        effect = self.effect(key, row)
        value = None if effect is None else getattr(effect, field)
        if role == Qt.ItemDataRole.DisplayRole:
            if effect is None:
                return "–"
            if value is None:
                return "not read"
            return points(value) if field == "removal" else f"{value:.2f}"
        if role == BAR_ROLE and value is not None:
            return value / self.scales[key] if field == "removal" else value
        if role == COLOUR_ROLE:
            return self.theme.model_colour(key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and effect is not None and field == "removal":
            new_top = self.describe(effect.new_top)[0]
            return f"Without this click the top pick would be {new_top} ({percent(effect.without)})"
        return None


class BarDelegate(QStyledItemDelegate):
    """Draws BAR_ROLE as a bar: from the left for [0, 1], from the middle for signed values."""

    def __init__(self, signed: bool, parent: Any = None) -> None:
        super().__init__(parent)
        self.signed = signed

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        value = index.data(BAR_ROLE)
        if value is not None:
            colour = QColor(index.data(COLOUR_ROLE) or QColor("#888888"))
            colour.setAlphaF(0.3)
            rect = QRectF(option.rect).adjusted(3, 4, -3, -4)
            value = max(-1.0, min(1.0, float(value)))
            if self.signed:
                middle = rect.center().x()
                width = rect.width() / 2 * abs(value)
                left = middle if value >= 0 else middle - width
                bar = QRectF(left, rect.top(), width, rect.height())
            else:
                bar = QRectF(rect.left(), rect.top(), rect.width() * max(value, 0.0), rect.height())
            painter.save()
            painter.fillRect(bar, colour)
            painter.restore()
        super().paint(painter, option, index)


def make_table(parent: Any, model: Any, bars: dict[int, bool], stretch: int) -> QTableView:
    """A read-only table over `model`; `bars` maps a column to signed (True) or [0, 1] bars."""
    view = QTableView(parent)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for column, signed in bars.items():
        view.setItemDelegateForColumn(column, BarDelegate(signed, view))
    return view


def summary_html(results: dict[str, ModelWhatIf], describe: Describe, theme: Theme) -> str:
    """One line per model: where it looks (or where its gate overwrites the memory), and which
    click's removal moves its top pick most."""
    lines = []
    for key, result in results.items():
        if not result.effects:
            continue
        parts = []
        looked = strongest(result.effects, "attention")
        if looked is not None:
            parts.append(
                f"looks hardest at click {looked.position + 1} "
                f"({html.escape(describe(looked.item)[0])}, attention {looked.attention:.2f})"
            )
        gated = strongest(result.effects, "gate")
        if gated is not None:
            parts.append(
                f"overwrites most of its memory at click {gated.position + 1} "
                f"({html.escape(describe(gated.item)[0])}, mean z {gated.gate:.2f})"
            )
        moved = strongest(result.effects, "influence")
        parts.append(
            f"removing click {moved.position + 1} ({html.escape(describe(moved.item)[0])}) "
            f"moves its top pick most ({points(moved.removal)})"
        )
        colour = theme.model_colours.get(key, theme.text)
        lines.append(f"<b style='color:{colour}'>{TITLES.get(key, key)}</b> " + "; ".join(parts))
    return "<br>".join(lines)
