"""One model's column of the comparison panel: header, message banner, top-k list, and the
model's own explanation (SASRec attention, GRU4Rec update gates; nothing for a baseline).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from shopdemo.service import ModelSlot, ModelView
from shopdemo.ui.attention_view import AttentionView
from shopdemo.ui.chart_export import install_context_menu
from shopdemo.ui.concept_card import concept_button
from shopdemo.ui.gate_view import GateView
from shopdemo.ui.icons import IconCache
from shopdemo.ui.prediction_list import PredictionList, PredictionRow
from shopdemo.ui.status_banner import StatusBanner
from shopdemo.ui.theme import Theme


class ModelColumn(QFrame):
    """Shows a `ModelSlot` and, once it has a model, its `ModelView` after every click."""

    item_chosen = Signal(int, str)  # product id, source "rec_<key>"
    train_requested = Signal(str)  # slot key
    cancel_requested = Signal(str)
    concept_requested = Signal(str, str)  # concept key, this column's key
    item_pointed = Signal(int)  # product under the mouse / keyboard in the list

    def __init__(
        self, key: str, title: str, theme: Theme, icons: IconCache, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.key = key
        self.theme = theme
        colour_key = key if key in ("gru4rec", "sasrec") else "baseline"
        self.colour_key = colour_key
        self.title = QLabel(self)
        self.title.setFont(theme.font(1.35, bold=True))
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("muted")
        self.banner = StatusBanner(self)
        self.list = PredictionList(theme, icons, colour_key, self)
        self.list.setAccessibleName(f"{title} recommendations")
        self.list.item_chosen.connect(lambda item: self.item_chosen.emit(item, f"rec_{self.key}"))
        self.list.item_pointed.connect(self.item_pointed)
        install_context_menu(self.list, f"{key}-list", self.list_title)
        self.banner.text.linkActivated.connect(self._link)
        self.banner.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.banner.train_requested.connect(lambda: self.train_requested.emit(self.key))
        self.banner.cancel_requested.connect(lambda: self.cancel_requested.emit(self.key))
        self.explanation: AttentionView | GateView | None = None
        if key == "sasrec":
            self.explanation = AttentionView(theme, self)
        elif key == "gru4rec":
            self.explanation = GateView(theme, self)
        self.temperature = 1.0  # of the probabilities on screen (for export titles)
        self.padding_help = None
        if self.explanation is not None:
            self.explanation.concept_requested.connect(
                lambda concept: self.concept_requested.emit(concept, self.key)
            )
            name = "attention" if key == "sasrec" else "update-gate"
            install_context_menu(self.explanation.chart(), f"{name}", self.explanation.chart_title)

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addWidget(self.subtitle, 1, Qt.AlignmentFlag.AlignBottom)
        if key == "sasrec":  # the padded input is SASRec's: its card opens from its column
            self.padding_help = concept_button("padding", self, "? padding")
            self.padding_help.clicked.connect(lambda: self.concept_requested.emit("padding", key))
            header.addWidget(self.padding_help, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.list, 0 if self.explanation is not None else 1)
        if self.explanation is not None:
            layout.addWidget(self.explanation, 1)
        self.set_title(title)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.list.set_theme(theme)
        if self.explanation is not None:
            self.explanation.set_theme(theme)
        self.set_title(self.title.text())

    def set_colour_map(self, name: str) -> None:
        if self.explanation is not None:
            self.explanation.set_colour_map(name)

    def list_title(self) -> str:
        return (
            f"{self.title.text()}: top {self.list.rows.k} next-click probabilities "
            f"(T = {self.temperature:.2f})"
        )

    def _link(self, link: str) -> None:
        if link.startswith("concept:"):
            self.concept_requested.emit(link.removeprefix("concept:"), self.key)

    def set_title(self, title: str) -> None:
        self.title.setText(title)
        self.title.setStyleSheet(
            f"color: {self.theme.model_colours.get(self.colour_key, self.theme.text)};"
        )

    def show_slot(self, slot: ModelSlot) -> None:
        """A model arrived, vanished, or is being fitted; clears the list when there is none."""
        self.set_title(slot.title)
        self.subtitle.setText(f"loss: {slot.loss}" if slot.loss else "")
        tip = [slot.origin] if slot.origin else []
        if slot.model is not None and slot.unknown_products:
            tip.append(
                f"{slot.unknown_products} products never seen in training: never recommended"
            )
        self.subtitle.setToolTip("\n".join(tip))
        if self.explanation is not None:
            self.explanation.setVisible(slot.model is not None)  # nothing to explain yet
        if slot.model is None:
            self.list.rows.set_rows([], 10, 1.0)
            self.set_explanation_empty()
            title = html.escape(slot.title)
            if slot.problem in ("loading…", "fitting…"):
                self.banner.show_message(f"{title}: {slot.problem}")
                return
            offer = slot.key in ("gru4rec", "sasrec")
            text = html.escape(slot.problem or "not loaded")
            self.banner.show_message(f"<b>No {title} model:</b> {text}", offer)

    def show_view(
        self,
        view: ModelView,
        rows: list[PredictionRow],
        k: int,
        scale: float,
        read: list[tuple[int, str]],
        unknown_names: list[str],
    ) -> None:
        """One click's predictions; `read` holds the (1-based position, name) of every click the
        model read, oldest first (unknown clicks are skipped by the model)."""
        self.show_rows(rows, k, scale, self.temperature)
        prediction = view.prediction
        messages = []
        if prediction.cold_start:
            messages.append(
                "<b>Cold start:</b> no clicks yet. This is the model's output for an empty "
                "session. <a href='concept:cold_start'>What is a cold start?</a>"
            )
        if unknown_names:
            names = ", ".join(html.escape(name) for name in unknown_names[:3])
            more = f" and {len(unknown_names) - 3} more" if len(unknown_names) > 3 else ""
            messages.append(f"Skipped clicks this model does not know: {names}{more}.")
        self.banner.show_message("<br>".join(messages))
        positions = [position for position, _ in read]
        labels = [name for _, name in read]
        if isinstance(self.explanation, AttentionView):
            self.explanation.set_attention(prediction.extras.get("attention"), labels, positions)
        elif isinstance(self.explanation, GateView):
            self.explanation.set_gates(prediction.extras.get("update_gate"), labels, positions)

    def show_rows(
        self, rows: list[PredictionRow], k: int, scale: float, temperature: float
    ) -> None:
        """The list alone (a new temperature changes only the probabilities)."""
        self.temperature = temperature
        resized = k != self.list.rows.k
        self.list.set_rows(rows, k, scale)
        if resized:
            self.list.updateGeometry()

    def show_training(self, text: str, done: int, total: int) -> None:
        self.banner.show_progress(text, done, total)

    def set_explanation_empty(self) -> None:
        if isinstance(self.explanation, AttentionView):
            self.explanation.set_attention(None, [], [])
        elif isinstance(self.explanation, GateView):
            self.explanation.set_gates(None, [], [])

    def explanation_widget(self) -> QWidget | None:
        return self.explanation
