"""The live scoreboard: for every model, where it ranked each actual click one step earlier,
and this session's hits@k and MRR@k so far (the evaluator's `next` protocol, live).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QWidget

from shopdemo.service import ModelSlot, PanelState, Score
from shopdemo.ui.concept_card import concept_button
from shopdemo.ui.theme import Theme


def rank_text(rank: int | None, k: int) -> str:
    if rank is None:
        return "unknown item"
    return f"#{rank}" + ("" if rank <= k else " (miss)")


class Scoreboard(QWidget):
    """One row per model: name | hits@k | MRR@k | rank of the latest click."""

    concept_requested = Signal(str)  # recall_mrr

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(8, 4, 8, 4)
        self.grid.setHorizontalSpacing(14)
        self.grid.setVerticalSpacing(2)
        self.title = QLabel("Scoreboard", self)
        self.title.setFont(theme.font(1.0, bold=True))
        self.help = concept_button("recall_mrr", self)
        self.help.clicked.connect(lambda: self.concept_requested.emit("recall_mrr"))
        title_row = QHBoxLayout()
        title_row.setSpacing(6)
        title_row.addWidget(self.title)
        title_row.addWidget(self.help)
        title_row.addStretch(1)
        self.grid.addLayout(title_row, 0, 0)
        for column, text in enumerate(("hits", "MRR", "last click was"), start=1):
            header = QLabel(text, self)
            header.setObjectName("muted")
            self.grid.addWidget(header, 0, column)
        self.labels: dict[str, list[QLabel]] = {}
        self.slots: list[ModelSlot] = []
        self.state: PanelState | None = None
        self.setAccessibleName("Scoreboard")

    def set_theme(self, theme: Theme) -> None:
        """Model names and hit/miss colours are rich text: write them again in `theme`."""
        self.theme = theme
        if self.slots:
            self.show_slots(self.slots)
        if self.state is not None:
            self.show_state(self.state)

    def show_slots(self, slots: list[ModelSlot]) -> None:
        self.slots = list(slots)
        for key in [key for key in self.labels if key not in {s.key for s in slots}]:
            for label in self.labels.pop(key):
                self.grid.removeWidget(label)
                label.deleteLater()
        for row, slot in enumerate(slots, start=1):
            labels = self.labels.get(slot.key)
            if labels is None:
                labels = [QLabel(self) for _ in range(4)]
                self.labels[slot.key] = labels
            for column, label in enumerate(labels):
                self.grid.addWidget(
                    label,
                    row,
                    column,
                    alignment=Qt.AlignmentFlag.AlignLeft
                    if column == 0
                    else Qt.AlignmentFlag.AlignRight,
                )
            colour = self.theme.model_colours.get(slot.key, self.theme.model_colours["baseline"])
            labels[0].setText(f"<b style='color:{colour}'>{slot.title}</b>")
            if slot.model is None:
                for label in labels[1:]:
                    label.setText("–")

    def show_state(self, state: PanelState) -> None:
        self.state = state
        for key, labels in self.labels.items():
            view = state.views.get(key)
            if view is None:
                continue
            self._show_score(labels, view.score, state.k)

    def _show_score(self, labels: list[QLabel], score: Score, k: int) -> None:
        if score.targets == 0:
            labels[1].setText(f"0/0 @{k}")
            labels[2].setText("–")
            labels[3].setText("needs 2 clicks")
            return
        labels[1].setText(f"{score.hits}/{score.targets} @{k}")
        labels[2].setText(f"{score.mrr:.2f}")
        colour = (
            self.theme.good
            if score.last_rank is not None and score.last_rank <= k
            else self.theme.bad
        )
        labels[3].setText(f"<span style='color:{colour}'>{rank_text(score.last_rank, k)}</span>")
        labels[1].setToolTip(f"clicks that were in this model's top {k} one step earlier")
        labels[2].setToolTip(f"mean reciprocal rank at {k} over {score.targets} clicks")
