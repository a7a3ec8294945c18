"""The guided-scenario player: a caption bar across the top of the window that plays a scripted
session click by click (next / previous / auto-play), large enough to read on a projector.

It plays any `Playlist`: a bundled scenario, a teacher's file, or a past session from the history.
Each click goes through the window like a visitor's (source "replay", in a new replay session),
so both models' columns, the timeline and the scoreboard update as usual.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from shopdemo.errors import ShopDemoError
from shopdemo.scenarios import load_scenario, load_scenarios
from shopdemo.service.classroom_replay import (
    REPLAY_ORIGIN,
    REPLAY_SOURCE,
    Move,
    Playlist,
    Stepper,
    from_scenario,
)
from shopdemo.ui.theme import Theme

log = logging.getLogger(__name__)

SPEEDS = (1, 10)  # auto-play: seconds per step, slider range
DEFAULT_SPEED = 4


class ScenarioPlayer(QDockWidget):
    """Choose a playlist, then step through it; `step_shown` after every move."""

    step_shown = Signal(int)  # position now on screen (-1: the introduction)
    problem_shown = Signal(str)  # a one-line message (e.g. a malformed scenario file)

    def __init__(self, window: Any, theme: Theme, scenario_dir: Path | None = None) -> None:
        super().__init__("Guided scenario", window)
        self.setObjectName("scenario_player")
        self.window = window
        self.theme = theme
        self.stepper: Stepper | None = None
        self.setAllowedAreas(
            Qt.DockWidgetArea.TopDockWidgetArea | Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        body = QWidget(self)
        body.setObjectName("scenario_body")
        body.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.choice = QComboBox(body)
        self.choice.setAccessibleName("Scenario")
        self.choice.setMinimumContentsLength(24)
        self.open_button = QPushButton("Open file…", body)
        self.open_button.setToolTip("Play your own scenario (.toml or .json)")
        self.title = QLabel(body)
        self.step_label = QLabel(body)
        self.step_label.setAccessibleName("Step")
        self.previous_button = QPushButton("◀ Previous", body)
        self.previous_button.setToolTip("Previous step (Ctrl+Left, or Page Up here)")
        self.next_button = QPushButton("Next ▶", body)
        self.next_button.setObjectName("primary")
        self.next_button.setToolTip("Next step (Ctrl+Right, or Page Down here)")
        self.auto_button = QPushButton("Auto-play", body)
        self.auto_button.setCheckable(True)
        self.auto_button.setToolTip("Play the steps one after another")
        self.speed = QSlider(Qt.Orientation.Horizontal, body)
        self.speed.setRange(*SPEEDS)
        self.speed.setValue(DEFAULT_SPEED)
        self.speed.setAccessibleName("Auto-play seconds per step")
        self.speed.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 8)
        self.speed_label = QLabel(body)
        self.close_button = QPushButton("✕", body)
        self.close_button.setToolTip("Close the scenario bar (Ctrl+G)")
        self.close_button.setAccessibleName("Close the scenario bar")
        self.close_button.setFlat(True)
        self.caption = QLabel(body)
        self.caption.setObjectName("scenario_caption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setAccessibleName("Caption")
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        controls = QHBoxLayout()
        controls.setSpacing(10)
        controls.addWidget(self.choice)
        controls.addWidget(self.open_button)
        controls.addSpacing(12)
        controls.addWidget(self.title, 1)
        controls.addWidget(self.step_label)
        controls.addWidget(self.previous_button)
        controls.addWidget(self.next_button)
        controls.addSpacing(12)
        controls.addWidget(self.auto_button)
        controls.addWidget(self.speed)
        controls.addWidget(self.speed_label)
        controls.addWidget(self.close_button)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 6, 12, 8)
        layout.setSpacing(6)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        self.setWidget(body)
        self.setTitleBarWidget(QWidget(self))  # no title bar: every pixel for the panel

        for keys, slot in (("PgDown", self.next), ("PgUp", self.previous)):
            action = QAction(self)  # presenter remotes send Page Down / Page Up
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, step=slot: step())
            self.addAction(action)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._auto_step)
        self.choice.currentIndexChanged.connect(self._chosen)
        self.open_button.clicked.connect(self.ask_for_file)
        self.close_button.clicked.connect(self.close)
        self.previous_button.clicked.connect(self.previous)
        self.next_button.clicked.connect(self.next)
        self.auto_button.toggled.connect(self.set_auto_play)
        self.speed.valueChanged.connect(self._speed_changed)
        self.set_theme(theme)
        self._speed_changed(self.speed.value())
        self._load_folder(scenario_dir)

    # -- what to play ---------------------------------------------------------------------
    def _load_folder(self, folder: Path | None) -> None:
        from shopdemo.paths import assets_dir

        problems: list[str] = []
        try:
            found = load_scenarios(folder or assets_dir() / "scenarios", problems=problems)
        except ShopDemoError as exc:
            found, problems = [], [str(exc)]
        for scenario in found:
            self.add_playlist(from_scenario(scenario), select=False)
        if self.choice.count():
            self._chosen(self.choice.currentIndex())
        if problems:
            self.show_problem(problems[0])

    def add_playlist(self, playlist: Playlist, select: bool = True) -> None:
        """Offer `playlist` in the chooser (and switch to it)."""
        self.choice.addItem(playlist.title, playlist)
        self.choice.setItemData(
            self.choice.count() - 1, playlist.source, Qt.ItemDataRole.ToolTipRole
        )
        if select:
            self.choice.setCurrentIndex(self.choice.count() - 1)

    def ask_for_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a scenario", "", "Scenarios (*.toml *.json);;All files (*)"
        )
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> bool:
        """Load a teacher's scenario; a bad file shows the loader's one-line message."""
        try:
            scenario = load_scenario(path, self.window.catalog)
        except ShopDemoError as exc:
            self.show_problem(str(exc))
            return False
        self.add_playlist(from_scenario(scenario))
        return True

    def play(self, playlist: Playlist) -> None:
        """Show the dock with `playlist` at its introduction (history replays come here)."""
        self.add_playlist(playlist)
        self.show()
        self.raise_()

    def _chosen(self, index: int) -> None:
        playlist = self.choice.itemData(index)
        if not isinstance(playlist, Playlist):
            return
        self.set_auto_play(False)
        self.stepper = Stepper(playlist)
        self._show_step()

    # -- stepping -------------------------------------------------------------------------
    def next(self) -> None:
        if self.stepper is not None:
            self._apply(self.stepper.next(self.window.service.clicks))

    def previous(self) -> None:
        if self.stepper is not None:
            self._apply(self.stepper.previous(self.window.service.clicks))

    def go(self, step: int) -> None:
        if self.stepper is not None:
            self._apply(self.stepper.go(step, self.window.service.clicks))

    def _apply(self, move: Move | None) -> None:
        if move is None:
            return
        window = self.window
        if move.restart:  # a new visitor whose session the store marks as a replay
            service = window.service
            origin, service.origin = service.origin, REPLAY_ORIGIN
            try:
                window.new_visitor()
            finally:
                service.origin = origin
        for item in move.clicks:
            window.click_product(item, REPLAY_SOURCE)
        self._show_step()
        self.step_shown.emit(move.position)

    def set_auto_play(self, on: bool) -> None:
        if self.auto_button.isChecked() != on:
            self.auto_button.setChecked(on)  # comes back here through `toggled`
            return
        self.auto_button.setText("Pause" if on else "Auto-play")
        if on and self.stepper is not None and self.stepper.at_end:
            self.go(-1)
        if on:
            self.timer.start(self.speed.value() * 1000)
        else:
            self.timer.stop()

    def _auto_step(self) -> None:
        if self.stepper is None or self.stepper.at_end:
            self.set_auto_play(False)
            return
        self.next()
        if self.stepper.at_end:
            self.set_auto_play(False)

    def _speed_changed(self, seconds: int) -> None:
        self.speed_label.setText(f"{seconds} s/step")
        if self.timer.isActive():
            self.timer.start(seconds * 1000)

    # -- drawing --------------------------------------------------------------------------
    def _show_step(self) -> None:
        stepper = self.stepper
        if stepper is None:
            return
        playlist, position = stepper.playlist, stepper.position
        total = len(playlist.steps)
        self.title.setText(f"<b>{html.escape(playlist.title)}</b>")
        if position < 0:
            self.step_label.setText(f"Introduction · {total} steps")
            text = html.escape(playlist.description)
            self.next_button.setText("Start ▶")
        else:
            self.step_label.setText(f"Step {position + 1} of {total}")
            step = playlist.steps[position]
            name = self.window.describe(step.product_id)[0]
            visitor = "New visitor · " if step.new_session and position else ""
            text = (
                f"<span style='color:{self.theme.muted}'>{visitor}clicked: "
                f"{html.escape(name)}</span><br>{html.escape(step.caption)}"
            )
            self.next_button.setText("Next ▶" if not stepper.at_end else "End")
        self.caption.setText(text)
        self.previous_button.setEnabled(not stepper.at_start)
        self.next_button.setEnabled(not stepper.at_end)

    def show_problem(self, message: str) -> None:
        """A one-line problem in the caption bar and the status bar, never a traceback."""
        log.warning("scenario: %s", message)
        self.caption.setText(
            f"<span style='color:{self.theme.bad}'><b>Cannot play this scenario:</b> "
            f"{html.escape(message)}</span>"
        )
        self.window.statusBar().showMessage(message, 15000)
        self.problem_shown.emit(message)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.caption.setFont(theme.font(1.9))
        self.title.setFont(theme.font(1.2))
        self.step_label.setFont(theme.font(1.2, bold=True))
        self.caption.setStyleSheet(
            f"QLabel#scenario_caption {{ background: {theme.surface}; color: {theme.text};"
            f" border-left: 6px solid {theme.accent}; border-radius: 4px; padding: 8px 14px; }}"
        )
        self.widget().setStyleSheet(f"QWidget#scenario_body {{ background: {theme.surface_alt}; }}")
        self._show_step()

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.set_auto_play(False)
        super().closeEvent(event)
