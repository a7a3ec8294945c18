"""The distribution plot with its header: title, the softmax card's "?", and the two axis
switches (log rank shows head and tail together; log probability shows the long tail).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from shopdemo.ui.concept_card import concept_button
from shopdemo.ui.distribution_plot import DistributionPlot
from shopdemo.ui.theme import Theme


class DistributionView(QWidget):
    """Title, the two axis switches, the softmax card's "?", and the plot."""

    scales_changed = Signal(bool, bool)  # log rank, log probability
    concept_requested = Signal(str)

    def __init__(self, theme: Theme, describe: Callable[[int], Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Softmax over the whole catalogue", self)
        self.title.setFont(theme.font(1.0, bold=True))
        self.caption = QLabel("best first · shaded: the top k", self)
        self.caption.setToolTip(
            "x: every product of the catalogue by its rank; y: its softmax probability.\n"
            "The shaded part is what the top-k list shows; the rest is the long tail."
        )
        self.caption.setObjectName("muted")
        self.caption.setWordWrap(True)  # a narrow window wraps it instead of growing
        self.log_rank = QCheckBox("log rank", self)
        self.log_rank.setAccessibleName("Distribution: logarithmic rank axis")
        self.log_prob = QCheckBox("log probability", self)
        self.log_prob.setAccessibleName("Distribution: logarithmic probability axis")
        self.log_prob.setToolTip("Shows the long tail: probabilities far below 1%")
        self.help = concept_button("softmax", self)
        self.help.clicked.connect(lambda: self.concept_requested.emit("softmax"))
        self.plot = DistributionPlot(theme, describe, self)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.title)
        header.addWidget(self.help)
        header.addWidget(self.caption, 1)
        header.addWidget(self.log_rank)
        header.addWidget(self.log_prob)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        self.log_rank.toggled.connect(self._scales)
        self.log_prob.toggled.connect(self._scales)

    def set_scales(self, log_rank: bool, log_prob: bool) -> None:
        for box, value in ((self.log_rank, log_rank), (self.log_prob, log_prob)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)
        self.plot.set_scales(log_rank, log_prob)

    def _scales(self) -> None:
        self.plot.set_scales(self.log_rank.isChecked(), self.log_prob.isChecked())
        self.scales_changed.emit(self.log_rank.isChecked(), self.log_prob.isChecked())

    def set_theme(self, theme: Theme) -> None:
        self.plot.set_theme(theme)
