"""Concept cards in the window: the "?" buttons placed where a concept is visible, and the one
non-modal card they open, filled with this session's live values and refreshed after every click.

The text and the live numbers come from `shopdemo.concepts` (no Qt); it is imported only when a
card is first rendered, because it imports the models package (and torch) at import time.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

CONCEPT_TITLES = {  # the card titles of assets/concepts/cards.toml, in its order
    "session_vs_profile": "Session vs profile",
    "cold_start": "Cold start",
    "padding": "Padding",
    "softmax": "Softmax and temperature",
    "update_gate": "GRU update gate",
    "self_attention": "Self-attention",
    "causal_mask": "Causal mask",
    "recall_mrr": "Recall and MRR",
}
FIXED_MODEL = {  # cards about one model's internals always read that model's values
    "padding": "sasrec",
    "self_attention": "sasrec",
    "causal_mask": "sasrec",
    "update_gate": "gru4rec",
}
NO_MODEL = ("session_vs_profile",)  # cards about the session alone
REFRESH_DELAY_MS = 40  # a burst of clicks re-renders an open card once

Render = Callable[[str, str], str]  # (concept key, model key) -> Qt rich text


def concept_button(key: str, parent: QWidget, text: str = "?") -> QToolButton:
    """The small round "?" that opens the card `key`."""
    button = QToolButton(parent)
    button.setObjectName("concept")
    button.setText(text)
    title = CONCEPT_TITLES[key]
    button.setToolTip(f"What is this? {title}, with this session's numbers")
    button.setAccessibleName(f"Explain: {title}")
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setProperty("concept", key)
    return button


class ConceptCard(QWidget):
    """A tool window over the main window; one card at a time, re-rendered on `refresh`."""

    model_changed = Signal(str)

    def __init__(
        self,
        render: Render,
        models: Callable[[], list[tuple[str, str]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.render = render
        self.models = models  # (key, title) of the columns that have a model now
        self.key = ""
        self.model = ""
        self.setObjectName("conceptCard")
        self.setAccessibleName("Concept card")
        self.source_label = QLabel("Values from", self)
        self.source = QComboBox(self)
        self.source.setAccessibleName("Concept card: values from model")
        self.source_label.setBuddy(self.source)
        self.close_button = QPushButton("Close", self)
        self.close_button.setAccessibleName("Close the concept card")
        self.text = QTextBrowser(self)
        self.text.setOpenExternalLinks(False)
        self.text.setAccessibleName("Concept card text")
        top = QHBoxLayout()
        top.addWidget(self.source_label)
        top.addWidget(self.source)
        top.addStretch(1)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.source.currentIndexChanged.connect(self._source_chosen)

    def show_concept(self, key: str, model: str = "", near: QPoint | None = None) -> None:
        """Open (or switch) the card; `model` is the column it was opened from, if any."""
        self.key = key
        self.model = FIXED_MODEL.get(key, model)
        self.setWindowTitle(f"{CONCEPT_TITLES.get(key, key)} · ShopDemo")
        self._fill_sources()
        self.refresh()
        self._present(near)

    def show_text(self, title: str, html: str, near: QPoint | None = None) -> None:
        """A fixed text (the keyboard keys) in the same window; no live refresh."""
        self.key = ""
        self.setWindowTitle(f"{title} · ShopDemo")
        self.source.setVisible(False)
        self.source_label.setVisible(False)
        self.text.setHtml(html)
        self._present(near)

    def _present(self, near: QPoint | None) -> None:
        em = self.fontMetrics().height()
        if not self.isVisible():
            self.resize(em * 30, em * 28)
            if near is not None:
                self.move(self._placed(near))
        self.show()
        self.raise_()
        self.activateWindow()

    def _placed(self, near: QPoint) -> QPoint:
        """Top-left corner near `near` that keeps the card on the screen."""
        screen = QGuiApplication.screenAt(near) or QGuiApplication.primaryScreen()
        if screen is None:
            return near
        area = screen.availableGeometry()
        x = min(max(near.x() - self.width() // 2, area.left()), area.right() - self.width())
        y = min(max(near.y() + 12, area.top()), area.bottom() - self.height())
        return QPoint(x, y)

    def _fill_sources(self) -> None:
        fixed = self.key in FIXED_MODEL or self.key in NO_MODEL
        available = self.models()
        keys = [key for key, _ in available]
        if not fixed and self.model not in keys:
            self.model = "sasrec" if "sasrec" in keys else (keys[0] if keys else "")
        self.source.blockSignals(True)
        self.source.clear()
        for key, title in available:
            self.source.addItem(title, key)
        self.source.setCurrentIndex(max(self.source.findData(self.model), 0))
        self.source.blockSignals(False)
        self.source.setVisible(not fixed and len(available) > 0)
        self.source_label.setVisible(self.source.isVisibleTo(self))

    def _source_chosen(self) -> None:
        self.model = self.source.currentData() or ""
        self.refresh()
        self.model_changed.emit(self.model)

    def schedule_refresh(self) -> None:
        """The session or the temperature changed: re-render soon, if the card is open."""
        if self.isVisible() and self.key:
            self._timer.start()

    def refresh(self) -> None:
        if not self.key:
            return
        if self.key not in FIXED_MODEL and self.key not in NO_MODEL:
            self._fill_sources()  # a model may have arrived or gone since the card opened
        scroll = self.text.verticalScrollBar().value()
        self.text.setHtml(self.render(self.key, self.model))
        self.text.verticalScrollBar().setValue(scroll)

    def html(self) -> str:
        return self.text.toHtml()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._timer.stop()
        super().closeEvent(event)
