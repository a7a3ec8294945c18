"""The shop's top bar: logo, search box, departments menu, cart count and "New visitor".

Search is debounced: the grid refreshes once typing pauses, not on every key stroke.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)

from shopdemo.ui.theme import Theme

SEARCH_DELAY_MS = 180


class HeaderBar(QWidget):
    search_changed = Signal(str)
    department_requested = Signal(str, str)  # department, subcategory ("" = all)
    home_requested = Signal()
    new_visitor_requested = Signal()

    def __init__(self, theme: Theme, departments: list[Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.logo = QToolButton(self)
        self.logo.setObjectName("logo")
        self.logo.setText("ShopDemo")
        self.logo.setFont(theme.font(1.5, bold=True))
        self.logo.setAutoRaise(True)
        self.logo.setStyleSheet(f"color: {theme.accent}; border: none;")
        self.logo.setAccessibleName("Home")
        self.logo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.logo.clicked.connect(self.home_requested)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search products by name…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search products")
        self.search.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 16)
        self.departments = QToolButton(self)
        self.departments.setText("Departments ▾")
        self.departments.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        self.departments.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.departments.setMenu(self._menu(departments))
        self.departments.setAccessibleName("Departments menu")
        self.departments.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.cart = QLabel(self)
        self.cart.setAccessibleName("Cart")
        self.session = QLabel(self)
        self.session.setObjectName("muted")
        self.new_visitor = QPushButton("New visitor", self)
        self.new_visitor.setToolTip("Start a fresh anonymous session (Ctrl+N)")
        self.new_visitor.setShortcut(QKeySequence("Ctrl+N"))
        self.new_visitor.setAccessibleName("New visitor")
        self.new_visitor.clicked.connect(self.new_visitor_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(12)
        layout.addWidget(self.logo)
        layout.addWidget(self.search, 2)
        layout.addWidget(self.departments)
        layout.addStretch(1)
        layout.addWidget(self.session)
        layout.addWidget(self.cart)
        layout.addWidget(self.new_visitor)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textEdited.connect(lambda _: self._timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.show_cart(0)

    def set_theme(self, theme: Theme) -> None:
        self.logo.setStyleSheet(f"color: {theme.accent}; border: none;")

    def _menu(self, departments: list[Any]) -> QMenu:
        menu = QMenu(self)
        for department in departments:
            sub_menu = menu.addMenu(department.name)
            sub_menu.addAction("All " + department.name).triggered.connect(
                lambda _=False, d=department.name: self.department_requested.emit(d, "")
            )
            for sub in department.subcategories:
                sub_menu.addAction(sub).triggered.connect(
                    lambda _=False, d=department.name, s=sub: self.department_requested.emit(d, s)
                )
        return menu

    def _search_now(self) -> None:
        self._timer.stop()
        self.search_changed.emit(self.search.text())

    def clear_search(self) -> None:
        self._timer.stop()
        self.search.clear()

    def show_cart(self, count: int) -> None:
        self.cart.setText(f"Cart: {count}")

    def show_session(self, number: int, clicks: int) -> None:
        self.session.setText(f"Session #{number} · {clicks} click{'s' if clicks != 1 else ''}")
