"""Where am I in the shop: a breadcrumb (Home > department > subcategory) and subcategory chips.

It emits navigation requests; the storefront decides what to show, so the bar never needs to
know about products.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QLabel, QToolButton, QVBoxLayout, QWidget

from shopdemo.ui.flow_layout import FlowLayout
from shopdemo.ui.theme import Theme


class NavBar(QWidget):
    """Breadcrumb links plus one row of checkable chips for the current department."""

    home_requested = Signal()
    department_requested = Signal(str, str)  # department, subcategory ("" = all)

    def __init__(self, theme: Theme, parent: Any = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.crumbs = QLabel(self)
        self.crumbs.setTextFormat(Qt.TextFormat.RichText)
        self.crumbs.setWordWrap(True)
        self.crumbs.linkActivated.connect(self._follow)
        self.crumbs.setAccessibleName("Breadcrumb")
        self.chips = QWidget(self)
        self.chip_layout = FlowLayout(self.chips)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.setSpacing(6)
        layout.addWidget(self.crumbs)
        layout.addWidget(self.chips)
        self._department = ""
        self._subcategories: list[str] | None = None
        self._buttons: list[QToolButton] = []  # chip pool, in layout order; extras hidden
        self.show_path([])

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme

    def show_path(
        self, parts: list[str], subcategories: list[str] | None = None, current_sub: str = ""
    ) -> None:
        """parts: [] home, [dep], [dep, sub], or a final plain label (product, search)."""
        accent = self.theme.accent
        links = [f'<a href="home" style="color:{accent}; text-decoration:none">Home</a>']
        for depth, part in enumerate(parts):
            text = html.escape(part)
            if depth == len(parts) - 1:
                links.append(f"<b>{text}</b>")
            else:
                href = "dep:" + parts[0] if depth == 0 else f"sub:{parts[0]}|{part}"
                links.append(
                    f'<a href="{html.escape(href)}" style="color:{accent}; '
                    f'text-decoration:none">{text}</a>'
                )
        self.crumbs.setText(" &nbsp;›&nbsp; ".join(links))
        self._set_chips(parts[0] if parts else "", subcategories or [], current_sub)

    def _set_chips(self, department: str, subcategories: list[str], current: str) -> None:
        """Show the department's chips. Buttons are pooled and relabelled, never rebuilt: a new
        button costs a style polish and a deferred re-layout (~10 ms per department change)."""
        names = [""] + list(subcategories)
        self._department = department
        if list(subcategories) != self._subcategories:
            self._subcategories = list(subcategories)
            if self.chips.isHidden() == bool(subcategories):
                self.chips.setVisible(bool(subcategories))
            while len(self._buttons) < len(names):
                self._buttons.append(self._new_chip(len(self._buttons)))
            for position, button in enumerate(self._buttons):
                used = position < len(names)
                name = names[position] if used else ""
                text = (name or "All").replace("&", "&&")  # "&" would mark a shortcut
                if used and button.text() != text:
                    button.setText(text)
                    button.setAccessibleName(f"Subcategory {name or 'all'}")
                if button.isHidden() == used:  # (un)hiding re-lays the chips out: only on change
                    button.setVisible(used)
        checks = [
            position < len(names) and names[position] == current
            for position in range(len(self._buttons))
        ]
        if checks != [button.isChecked() for button in self._buttons]:
            self.group.setExclusive(False)  # lets a hidden chip drop its check too
            for button, checked in zip(self._buttons, checks, strict=True):
                button.setChecked(checked)
            self.group.setExclusive(True)

    def _new_chip(self, position: int) -> QToolButton:
        chip = QToolButton(self.chips)
        chip.setObjectName("chip")
        chip.setCheckable(True)
        chip.clicked.connect(lambda _=False: self._chip_clicked(position))
        self.group.addButton(chip)
        self.chip_layout.addWidget(chip)
        return chip

    def _chip_clicked(self, position: int) -> None:
        names = [""] + list(self._subcategories or [])
        if position < len(names):
            self.department_requested.emit(self._department, names[position])

    def chip_names(self) -> list[str]:
        count = len(self._subcategories) + 1 if self._subcategories is not None else 0
        return [button.text().replace("&&", "&") for button in self._buttons[:count]]

    def _follow(self, link: str) -> None:
        if link == "home":
            self.home_requested.emit()
        elif link.startswith("dep:"):
            self.department_requested.emit(link[4:], "")
        elif link.startswith("sub:"):
            department, _, sub = link[4:].partition("|")
            self.department_requested.emit(department, sub)
