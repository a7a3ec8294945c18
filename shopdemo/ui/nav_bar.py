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
        if (department, subcategories) == (self._department, self._subcategories):
            for button, name in zip(self.group.buttons(), [""] + subcategories, strict=True):
                button.setChecked(name == current)  # same chips: a click costs no re-layout
            return
        self._subcategories = list(subcategories)
        for button in self.group.buttons():
            self.group.removeButton(button)
            button.hide()
            button.deleteLater()
        while self.chip_layout.count():
            self.chip_layout.takeAt(0)
        self._department = department
        self.chips.setVisible(bool(subcategories))
        for name in [""] + list(subcategories):
            chip = QToolButton(self.chips)
            chip.setObjectName("chip")
            chip.setText((name or "All").replace("&", "&&"))  # "&" would mark a shortcut
            chip.setCheckable(True)
            chip.setChecked(name == current)
            chip.setAccessibleName(f"Subcategory {name or 'all'}")
            chip.clicked.connect(
                lambda _=False, sub=name: self.department_requested.emit(self._department, sub)
            )
            self.group.addButton(chip)
            self.chip_layout.addWidget(chip)

    def chip_names(self) -> list[str]:
        return [button.text().replace("&&", "&") for button in self.group.buttons()]

    def _follow(self, link: str) -> None:
        if link == "home":
            self.home_requested.emit()
        elif link.startswith("dep:"):
            self.department_requested.emit(link[4:], "")
        elif link.startswith("sub:"):
            department, _, sub = link[4:].partition("|")
            self.department_requested.emit(department, sub)
