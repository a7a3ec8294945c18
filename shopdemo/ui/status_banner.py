"""A column's message line: cold start, skipped unknown clicks, or a missing model with the offer
to train one in the background (progress and cancel).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout


class StatusBanner(QFrame):
    """Hidden when there is nothing to say."""

    train_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.train_button = QPushButton("Train in the background", self)
        self.train_button.setObjectName("primary")
        self.train_button.clicked.connect(self.train_requested)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self.cancel_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.show_message("")

    def show_message(self, html: str, offer_training: bool = False) -> None:
        self.text.setText(html)
        self.train_button.setVisible(offer_training)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.setVisible(bool(html))

    def show_progress(self, html: str, done: int, total: int) -> None:
        """Training is running: done of total epochs (total 0: busy, no count yet)."""
        self.text.setText(html)
        self.train_button.setVisible(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)
        self.progress.setFormat(f"epoch {done}/{total}" if total else "preparing…")
        self.cancel_button.setVisible(True)
        self.setVisible(True)
