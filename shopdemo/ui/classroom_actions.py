"""The classroom tools' entry points in the main window: a Classroom menu and toolbar for guided
scenarios, what-if editing, the session history and retraining from the shop's own log.

`install_classroom_actions(window)` is the one call the window makes; everything else is built
on first use, so a window that never opens a tool pays nothing for it.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from shopdemo.service.classroom_replay import Playlist
from shopdemo.ui.scenario_player import ScenarioPlayer
from shopdemo.ui.theme import Theme

log = logging.getLogger(__name__)


class ClassroomActions(QObject):
    """Owns the classroom menu, toolbar, the scenario dock and the three dialogs."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("classroom_actions")
        self.window = window
        self.player: ScenarioPlayer | None = None
        self.whatif: Any = None
        self.history: Any = None
        self.retrain: Any = None

        self.scenarios_action = self._action(
            "Guided scenarios", "Ctrl+G", "Play a scripted session step by step, with captions"
        )
        self.scenarios_action.setCheckable(True)
        self.scenarios_action.toggled.connect(self.show_player)
        self.whatif_action = self._action(
            "What if…", "Ctrl+I", "Edit a copy of this session and see both predictions change"
        )
        self.whatif_action.triggered.connect(self.open_whatif)
        self.history_action = self._action(
            "Session history…", "Ctrl+H", "Browse past sessions and replay one click by click"
        )
        self.history_action.triggered.connect(self.open_history)
        self.retrain_action = self._action(
            "Train from the shop's log…", "Ctrl+T", "Retrain a model on this shop's sessions"
        )
        self.retrain_action.triggered.connect(self.open_retrain)
        self.next_action = self._action("Next step", "Ctrl+Right", "Guided scenario: next step")
        self.next_action.triggered.connect(lambda: self.player and self.player.next())
        self.previous_action = self._action("Previous step", "Ctrl+Left", "Guided scenario: back")
        self.previous_action.triggered.connect(lambda: self.player and self.player.previous())
        self._enable_stepping(False)

        bar = window.menuBar()
        menu = QMenu("&Classroom", bar)
        menu.setObjectName("classroom_menu")
        menus = getattr(getattr(window, "menus", None), "menus", None)  # the window's own menus
        help_menu = menus.get("help") if isinstance(menus, dict) else None
        if help_menu is not None:  # File, View, Classroom, Help
            bar.insertMenu(help_menu.menuAction(), menu)
        else:
            bar.addMenu(menu)
        self.menu = menu
        for action in (self.scenarios_action, self.next_action, self.previous_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.whatif_action, self.history_action, self.retrain_action):
            menu.addAction(action)
        self.toolbar = QToolBar("Classroom", window)
        self.toolbar.setObjectName("classroom_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (
            self.scenarios_action,
            self.whatif_action,
            self.history_action,
            self.retrain_action,
        ):
            self.toolbar.addAction(action)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.toolbar.show()  # needed when installed into a window already on screen
        window.installEventFilter(self)

    def _action(self, text: str, shortcut: str, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
        action.setStatusTip(tip)
        self.window.addAction(action)  # shortcuts work while the menu bar is hidden (full screen)
        return action

    def _enable_stepping(self, on: bool) -> None:
        self.next_action.setEnabled(on)
        self.previous_action.setEnabled(on)

    # -- the tools ------------------------------------------------------------------------
    def ensure_player(self) -> ScenarioPlayer:
        if self.player is None:
            self.player = ScenarioPlayer(self.window, self.window.theme)
            self.window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, self.player)
            self.player.visibilityChanged.connect(self._player_visibility)
            self.player.hide()
        return self.player

    def show_player(self, on: bool = True) -> ScenarioPlayer:
        player = self.ensure_player()
        player.setVisible(on)
        return player

    def _player_visibility(self, visible: bool) -> None:
        if self.player is not None and not visible and not self.player.isHidden():
            return  # only tabbed away or minimised, still open
        self._enable_stepping(visible)
        self.scenarios_action.blockSignals(True)
        self.scenarios_action.setChecked(visible)
        self.scenarios_action.blockSignals(False)

    def play(self, playlist: Playlist) -> None:
        """Load `playlist` into the scenario player and show it (history replays)."""
        self.show_player(True).play(playlist)
        self._player_visibility(True)

    def open_whatif(self) -> Any:
        from shopdemo.ui.whatif_dialog import WhatIfDialog

        if self.whatif is None:
            self.whatif = WhatIfDialog(self.window, self.window.theme)
        self.whatif.take_session()
        return self._raise(self.whatif)

    def open_history(self) -> Any:
        from shopdemo.ui.history_dialog import HistoryDialog

        if self.history is None:
            self.history = HistoryDialog(self.window, self.window.theme)
            self.history.replay_requested.connect(self.play)
        self.history.refresh()
        return self._raise(self.history)

    def open_retrain(self) -> Any:
        from shopdemo.ui.retrain_dialog import RetrainDialog

        if self.retrain is None:
            self.retrain = RetrainDialog(self.window, self.window.theme)
        self.retrain.refresh()
        return self._raise(self.retrain)

    @staticmethod
    def _raise(dialog: Any) -> Any:
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def set_theme(self, theme: Theme) -> None:
        """New colours or text size; in presentation mode the toolbar gives its row to the
        panel (the Classroom menu and the shortcuts stay)."""
        presenting = bool(getattr(getattr(self.window, "display", None), "presenting", False))
        self.toolbar.setVisible(not presenting)
        for tool in (self.player, self.whatif, self.history, self.retrain):
            if tool is not None:
                tool.set_theme(theme)

    def shutdown(self) -> None:
        """Stop background work before the window goes (a running thread must not be freed)."""
        for tool in (self.whatif, self.retrain):
            if tool is not None:
                tool.shutdown()
        if self.player is not None:
            self.player.set_auto_play(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.shutdown()
        return False


def install_classroom_actions(window: Any) -> ClassroomActions:
    """Add the classroom menu and toolbar to `window` (once; later calls return the same)."""
    existing = window.findChild(ClassroomActions, "classroom_actions")
    return existing if existing is not None else ClassroomActions(window)
