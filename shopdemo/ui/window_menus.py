"""The window's menu bar: File (exports, copy panel), View (presentation mode, text size, theme,
colour map, keyboard focus) and Help (every concept card, the keyboard keys).

Every action lives on the window too, so its shortcut works in full screen and from any widget.
Other features add their own menus through `menus` (see `install_classroom_actions`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from shopdemo.ui.concept_card import CONCEPT_TITLES
from shopdemo.ui.settings import COLOUR_MAPS

if TYPE_CHECKING:
    from shopdemo.ui.main_window import MainWindow

KEYS_HELP = """<p><b>Keyboard</b></p><table cellspacing="6">
<tr><td><tt>F11</tt></td><td>presentation mode (full screen, large text); <tt>Esc</tt> leaves it</td></tr>
<tr><td><tt>Ctrl +</tt> / <tt>Ctrl -</tt> / <tt>Ctrl 0</tt></td><td>larger / smaller / default text</td></tr>
<tr><td><tt>Ctrl F</tt></td><td>search products</td></tr>
<tr><td><tt>Alt 1</tt></td><td>the product grid; arrow keys move, <tt>Enter</tt> opens</td></tr>
<tr><td><tt>Alt 2</tt> / <tt>Alt 3</tt></td><td>GRU4Rec's / SASRec's list; <tt>Enter</tt> clicks the recommendation</td></tr>
<tr><td><tt>Alt 4</tt></td><td>the temperature slider (arrow keys, Page Up / Down)</td></tr>
<tr><td><tt>Tab</tt> / <tt>Shift Tab</tt></td><td>next / previous control</td></tr>
<tr><td><tt>Ctrl N</tt></td><td>new visitor (an empty session)</td></tr>
<tr><td><tt>Ctrl Shift C</tt></td><td>copy the prediction panel as an image</td></tr>
<tr><td>right click on a chart</td><td>save it as PNG or SVG, or copy it</td></tr>
</table>"""


class WindowMenus:
    """Builds the menu bar of `window` and keeps the actions other code checks or toggles."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        bar = window.menuBar()
        self.menus: dict[str, QMenu] = {
            "file": bar.addMenu("&File"),
            "view": bar.addMenu("&View"),
            "help": bar.addMenu("&Help"),
        }
        self._file(self.menus["file"])
        self._view(self.menus["view"])
        self._help(self.menus["help"])

    def action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        keys: tuple[str | QKeySequence.StandardKey, ...] = (),
        checkable: bool = False,
    ) -> QAction:
        """An action in `menu` and on the window (so the shortcut works everywhere)."""
        action = QAction(text, self.window)
        if keys:
            action.setShortcuts([QKeySequence(key) for key in keys])
        action.setCheckable(checkable)
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        self.window.addAction(action)
        return action

    def _file(self, menu: QMenu) -> None:
        window = self.window
        self.action(menu, "Export session as CSV…", lambda: window.export_session_dialog("csv"))
        self.action(menu, "Export session as JSON…", lambda: window.export_session_dialog("json"))
        self.charts = menu.addMenu("Export chart")
        self.charts.aboutToShow.connect(self._fill_charts)
        self.copy_panel = self.action(
            menu, "Copy panel as image", window.copy_panel, ("Ctrl+Shift+C",)
        )
        menu.addSeparator()
        self.action(menu, "Quit", window.close, (QKeySequence.StandardKey.Quit, "Ctrl+Q"))

    def _fill_charts(self) -> None:
        self.charts.clear()
        for name, (chart, title) in self.window.charts().items():
            sub = self.charts.addMenu(title())
            for kind in ("png", "svg"):
                sub.addAction(
                    f"Save as {kind.upper()}…",
                    lambda c=chart, n=name, t=title, k=kind: self.window.save_chart(c, n, t(), k),
                )
            sub.addAction("Copy image", lambda c=chart, t=title: self.window.copy_chart(c, t()))

    def _view(self, menu: QMenu) -> None:
        window = self.window
        display = window.display
        self.presentation = self.action(
            menu, "Presentation mode", window.toggle_presentation, ("F11",), checkable=True
        )
        self.leave = self.action(
            menu, "Leave presentation mode", lambda: window.set_presenting(False), ("Esc",)
        )
        self.leave.setEnabled(False)
        self.action(menu, "Larger text", lambda: display.zoom(1), ("Ctrl++", "Ctrl+="))
        self.action(menu, "Smaller text", lambda: display.zoom(-1), ("Ctrl+-",))
        self.action(menu, "Default text size", display.reset_zoom, ("Ctrl+0",))
        menu.addSeparator()
        theme_menu = menu.addMenu("Theme")
        group = QActionGroup(theme_menu)
        self.themes: dict[str, QAction] = {}
        for name, text in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            action = self.action(
                theme_menu, text, lambda n=name: display.update(theme=n), checkable=True
            )
            group.addAction(action)
            self.themes[name] = action
        maps = menu.addMenu("Heatmap colours")
        group = QActionGroup(maps)
        self.colour_maps: dict[str, QAction] = {}
        for name in COLOUR_MAPS:
            action = self.action(
                maps,
                f"{name.capitalize()} (colour-blind safe)",
                lambda n=name: display.update(colour_map=n),
                checkable=True,
            )
            group.addAction(action)
            self.colour_maps[name] = action
        self.distribution = self.action(
            menu, "Softmax distribution plot", window.toggle_distribution, checkable=True
        )
        menu.addSeparator()
        focus = menu.addMenu("Go to")
        self.action(focus, "Search", window.focus_search, ("Ctrl+F",))
        self.action(focus, "Products", window.focus_products, ("Alt+1",))
        self.action(focus, "GRU4Rec recommendations", lambda: window.focus_list(0), ("Alt+2",))
        self.action(focus, "SASRec recommendations", lambda: window.focus_list(1), ("Alt+3",))
        self.action(focus, "Temperature", window.focus_temperature, ("Alt+4",))
        self.sync()

    def _help(self, menu: QMenu) -> None:
        concepts = menu.addMenu("Concepts")
        for key, title in CONCEPT_TITLES.items():
            self.action(concepts, title, lambda k=key: self.window.open_concept(k, ""))
        self.action(menu, "Keyboard…", self.window.show_keys)

    def sync(self) -> None:
        """Check marks that follow the display settings (after loading or a change)."""
        settings = self.window.display.settings
        self.themes[settings.theme].setChecked(True)
        self.colour_maps[settings.colour_map].setChecked(True)
        self.distribution.setChecked(settings.show_distribution)
        self.presentation.setChecked(self.window.display.presenting)
        self.leave.setEnabled(self.window.display.presenting)
