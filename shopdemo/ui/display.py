"""What the View menu controls, in one object: light/dark (or the system's scheme), text size,
presentation mode and the heatmap colour map; every change is saved at once.

Presentation mode has its own text size, so F11 on a projector jumps straight to the size the
class can read, and leaving it gives the desk size back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QGuiApplication

from shopdemo.ui.settings import (
    SCALE_STEP,
    UiSettings,
    load_settings,
    resolved_theme_name,
    save_settings,
)
from shopdemo.ui.theme import Theme, themed


class Display(QObject):
    """The display settings and presentation state; `changed` asks the window to re-apply."""

    changed = Signal()  # theme or text size
    colour_map_changed = Signal(str)

    def __init__(
        self, store: QSettings | None, forced_theme: str | None = None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.store = store  # None: defaults, nothing saved (tests, snapshots)
        self.settings = load_settings(store)
        if forced_theme is not None:
            self.settings = replace(self.settings, theme=forced_theme)
        self.presenting = False
        app = QGuiApplication.instance()
        if app is not None:
            QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    # -- reading --------------------------------------------------------------------------
    @property
    def font_scale(self) -> float:
        return self.settings.presentation_scale if self.presenting else self.settings.font_scale

    def theme_name(self) -> str:
        return resolved_theme_name(self.settings)

    def theme(self) -> Theme:
        return themed(self.theme_name(), self.font_scale)

    # -- changing -------------------------------------------------------------------------
    def update(self, **changes: Any) -> None:
        """Change settings (checked), save them, and tell the window what to redraw."""
        before = self.settings
        self.settings = replace(self.settings, **changes).checked()
        save_settings(self.store, self.settings)
        if self.settings.colour_map != before.colour_map:
            self.colour_map_changed.emit(self.settings.colour_map)
        looks = ("theme", "font_scale", "presentation_scale")
        if any(getattr(before, name) != getattr(self.settings, name) for name in looks):
            self.changed.emit()

    def set_presenting(self, presenting: bool) -> None:
        if presenting != self.presenting:
            self.presenting = presenting
            self.changed.emit()

    def zoom(self, steps: int) -> None:
        """Ctrl+ (1) / Ctrl- (-1): text one step larger or smaller, in the current mode."""
        scale = self.font_scale * SCALE_STEP**steps
        self.update(**{self._scale_name(): round(scale, 3)})

    def reset_zoom(self) -> None:
        """Ctrl+0: the default text size of the current mode."""
        name = self._scale_name()
        self.update(**{name: getattr(UiSettings(), name)})

    def _scale_name(self) -> str:
        return "presentation_scale" if self.presenting else "font_scale"

    def _scheme_changed(self) -> None:
        if self.settings.theme == "system":
            self.changed.emit()
