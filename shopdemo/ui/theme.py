"""Colours and fonts of the window in one place, so light/dark themes and projector font sizes
(issue #8) change one object instead of every widget.

Model colours come from the Okabe-Ito palette: they stay distinguishable for the common forms of
colour blindness, and the same colour marks a model everywhere (column header, bars, chips).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

MODEL_COLOURS = {  # Okabe-Ito: vermillion, blue, bluish green
    "gru4rec": "#D55E00",
    "sasrec": "#0072B2",
    "baseline": "#009E73",
}


@dataclass(frozen=True)
class Theme:
    """Everything a widget needs to paint itself consistently."""

    name: str  # "light" or "dark"
    window: str  # page background
    surface: str  # cards, tiles, list rows
    surface_alt: str  # headers, banners, hover
    border: str  # card outlines and separators
    text: str  # body text
    muted: str  # secondary text (prices' currency, captions)
    accent: str  # the shop's own colour: buttons, prices, the selection
    good: str  # rank went up, a hit on the scoreboard (green)
    bad: str  # rank went down, a miss (purple: red beside green fails for deuteranopes)
    on_accent: str = "#FFFFFF"  # text on accent-coloured buttons and chips
    base_point_size: float = 10.0  # body font size; presentation mode scales it
    model_colours: dict[str, str] = field(default_factory=lambda: dict(MODEL_COLOURS))

    def colour(self, role: str) -> QColor:
        return QColor(getattr(self, role))

    def model_colour(self, key: str) -> QColor:
        return QColor(self.model_colours.get(key, self.model_colours["baseline"]))

    def font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        """The body font scaled (titles use 1.3-1.6, captions 0.85)."""
        font = QFont(QApplication.font())
        font.setPointSizeF(self.base_point_size * scale)
        font.setBold(bold)
        return font


LIGHT = Theme(
    name="light",
    window="#F4F5F7",
    surface="#FFFFFF",
    surface_alt="#EBEDF0",
    border="#D5D8DD",
    text="#1F2328",
    muted="#5F6670",
    accent="#B4005A",
    good="#1A7F37",
    bad="#8E44AD",
)

DARK = Theme(
    name="dark",
    window="#1B1D21",
    surface="#26292E",
    surface_alt="#30343A",
    border="#454A52",
    text="#E8EAED",
    muted="#A5ABB3",
    accent="#FF6BA8",
    good="#3FB950",
    bad="#BC8CFF",
    on_accent="#1B1D21",  # the dark accent is light: dark text keeps 4.5:1 contrast
    model_colours={"gru4rec": "#F08A4B", "sasrec": "#56B4E9", "baseline": "#3CC4A0"},
)


BASE_POINT_SIZE = LIGHT.base_point_size  # body text at font scale 1.0
THEMES = {"light": LIGHT, "dark": DARK}


def themed(name: str, font_scale: float = 1.0) -> Theme:
    """The light or dark theme with its body text scaled (presentation mode, Ctrl+ / Ctrl-)."""
    return replace(THEMES[name], base_point_size=BASE_POINT_SIZE * font_scale)


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Set the application palette, base font and the few style-sheet rules widgets share."""
    palette = QPalette(theme.colour("surface"), theme.colour("window"))  # derives 3-D shades
    palette.setColor(QPalette.ColorRole.Window, theme.colour("window"))
    palette.setColor(QPalette.ColorRole.Base, theme.colour("surface"))
    palette.setColor(QPalette.ColorRole.AlternateBase, theme.colour("surface_alt"))
    palette.setColor(QPalette.ColorRole.Button, theme.colour("surface"))
    palette.setColor(QPalette.ColorRole.WindowText, theme.colour("text"))
    palette.setColor(QPalette.ColorRole.Text, theme.colour("text"))
    palette.setColor(QPalette.ColorRole.ButtonText, theme.colour("text"))
    palette.setColor(QPalette.ColorRole.PlaceholderText, theme.colour("muted"))
    palette.setColor(QPalette.ColorRole.Highlight, theme.colour("accent"))
    palette.setColor(QPalette.ColorRole.HighlightedText, theme.colour("on_accent"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, theme.colour("surface"))
    palette.setColor(QPalette.ColorRole.ToolTipText, theme.colour("text"))
    palette.setColor(QPalette.ColorRole.Link, theme.colour("accent"))
    app.setPalette(palette)
    font = QFont(app.font())
    font.setPointSizeF(theme.base_point_size)
    app.setFont(font)
    app.setStyleSheet(style_sheet(theme))


def style_sheet(theme: Theme) -> str:
    """Rules keyed on object names, so a widget opts in by `setObjectName`."""
    return f"""
    QWidget#header {{ background: {theme.surface}; border-bottom: 1px solid {theme.border}; }}
    QLabel#logo {{ color: {theme.accent}; font-weight: bold; }}
    QWidget#card, QFrame#card {{ background: {theme.surface}; border: 1px solid {theme.border};
        border-radius: 8px; }}
    QFrame#banner {{ background: {theme.surface_alt}; border-radius: 6px; }}
    QLabel#muted {{ color: {theme.muted}; }}
    QPushButton#primary {{ background: {theme.accent}; color: {theme.on_accent}; border: none;
        border-radius: 6px; padding: 6px 16px; font-weight: bold; }}
    QPushButton#primary:disabled {{ background: {theme.border}; }}
    QToolButton#chip {{ background: {theme.surface}; border: 1px solid {theme.border};
        border-radius: 12px; padding: 2px 10px; }}
    QToolButton#chip:checked {{ background: {theme.accent}; color: {theme.on_accent};
        border-color: {theme.accent}; }}
    QWidget#timeline {{ background: {theme.surface}; border-top: 1px solid {theme.border}; }}
    QToolButton#concept {{ color: {theme.accent}; background: {theme.surface_alt};
        border: 1px solid {theme.border}; border-radius: 9px; padding: 0px 6px;
        font-weight: bold; }}
    QToolButton#concept:hover, QToolButton#concept:focus {{ border-color: {theme.accent}; }}
    QSlider::groove:horizontal {{ height: 6px; background: {theme.border}; border-radius: 3px; }}
    QSlider::sub-page:horizontal {{ background: {theme.accent}; border-radius: 3px; }}
    QSlider::handle:horizontal {{ background: {theme.accent}; border: 2px solid {theme.surface};
        width: 14px; margin: -6px 0; border-radius: 9px; }}
    QSlider::handle:horizontal:focus {{ border-color: {theme.text}; }}
    QListView {{ background: transparent; border: 1px solid transparent; }}
    QListView:focus {{ border-color: {theme.accent}; }}
    QScrollBar:vertical {{ background: {theme.surface_alt}; width: 10px; margin: 0; }}
    QScrollBar:horizontal {{ background: {theme.surface_alt}; height: 10px; margin: 0; }}
    QScrollBar::handle {{ background: {theme.border}; border-radius: 5px; min-height: 24px;
        min-width: 24px; }}
    QScrollBar::handle:hover {{ background: {theme.muted}; }}
    QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
    QScrollBar::add-page, QScrollBar::sub-page {{ background: none; }}
    """
