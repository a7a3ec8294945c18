"""The window's display settings (theme, text size, colour map, softmax controls) and where they
persist: a `QSettings` INI file, so a teacher's projector setup survives a restart.

A bad or foreign value in the file falls back to its default instead of failing: the settings
file is user-editable and must never keep the app from starting.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication

log = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")
COLOUR_MAPS = ("viridis", "cividis")
MIN_SCALE, MAX_SCALE = 0.7, 3.0  # text size relative to the normal body font
SCALE_STEP = 1.15  # one Ctrl+ / Ctrl- press
MIN_TEMPERATURE, MAX_TEMPERATURE = 0.1, 5.0
GROUP = "display"


@dataclass
class UiSettings:
    """Everything the View menu and the softmax controls change."""

    theme: str = "system"  # "system" follows the desktop's light/dark scheme
    font_scale: float = 1.0  # text size in a normal window
    presentation_scale: float = 1.3  # text size in presentation mode (F11)
    colour_map: str = "viridis"  # heatmaps and the update-gate strip
    temperature: float = 1.0  # softmax temperature of the shown probabilities
    k: int = 10  # recommendations per column
    log_rank: bool = True  # distribution plot: logarithmic rank axis (head and tail both)
    log_prob: bool = False  # distribution plot: logarithmic probability axis (the long tail)
    show_distribution: bool = True  # the distribution plot under the columns

    def checked(self) -> UiSettings:
        """A copy with every value inside its allowed range (defaults for unknown names)."""
        default = UiSettings()
        return UiSettings(
            theme=self.theme if self.theme in THEMES else default.theme,
            font_scale=clamp(self.font_scale, MIN_SCALE, MAX_SCALE),
            presentation_scale=clamp(self.presentation_scale, MIN_SCALE, MAX_SCALE),
            colour_map=self.colour_map if self.colour_map in COLOUR_MAPS else default.colour_map,
            temperature=clamp(self.temperature, MIN_TEMPERATURE, MAX_TEMPERATURE),
            k=int(clamp(self.k, 1, 50)),
            log_rank=bool(self.log_rank),
            log_prob=bool(self.log_prob),
            show_distribution=bool(self.show_distribution),
        )


def clamp(value: float, low: float, high: float) -> float:
    return min(max(float(value), low), high)


def open_settings(path: str | Path | None = None) -> QSettings:
    """The INI file at `path`; else `$SHOPDEMO_HOME/settings.ini` when set (a shared classroom
    drive, the tests), else the user's own settings file."""
    home = os.environ.get("SHOPDEMO_HOME")
    if path is None and home:
        path = Path(home) / "settings.ini"
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "ShopDemo", "shopdemo")


def _read(store: QSettings, name: str, default: object) -> object:
    raw = store.value(f"{GROUP}/{name}", default)
    try:
        if isinstance(default, bool):  # INI files give back "true"/"false" strings
            return raw if isinstance(raw, bool) else str(raw).strip().lower() in ("true", "1")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        return str(raw)
    except (TypeError, ValueError):
        log.warning("settings: ignoring %s = %r (not a %s)", name, raw, type(default).__name__)
        return default


def load_settings(store: QSettings | None) -> UiSettings:
    """The saved settings (checked), or the defaults when there is no store."""
    if store is None:
        return UiSettings()
    default = UiSettings()
    values = {f.name: _read(store, f.name, getattr(default, f.name)) for f in fields(UiSettings)}
    return UiSettings(**values).checked()


def save_settings(store: QSettings | None, settings: UiSettings) -> None:
    """Into `store` (in memory: Qt writes the file soon after, and `sync` on close)."""
    if store is None:
        return
    for field in fields(UiSettings):
        store.setValue(f"{GROUP}/{field.name}", getattr(settings, field.name))


def system_prefers_dark() -> bool:
    """The desktop's colour scheme (Qt 6.5+); light when the platform does not say."""
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolved_theme_name(settings: UiSettings) -> str:
    """ "light" or "dark": the forced theme, or the system's scheme for "system"."""
    if settings.theme == "system":
        return "dark" if system_prefers_dark() else "light"
    return settings.theme
