"""Charts to PNG, SVG and the clipboard, from the same paint code the window uses.

A chart is any widget with `paint_chart(painter, rect)` (the heatmap, the gate strip, the
distribution plot, a probability list); its `paintEvent` calls the same method, so a slide shows
exactly what the class saw. PNGs are rendered at twice the screen resolution for projectors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QPoint, QRect, QSize, QStandardPaths, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QAbstractScrollArea, QFileDialog, QMainWindow, QMenu, QWidget

from shopdemo.errors import ShopDemoError

log = logging.getLogger(__name__)

PNG_SCALE = 2.0  # pixels per screen pixel in an exported PNG
FORMATS = ("png", "svg")


class Chart(Protocol):
    def paint_chart(self, painter: QPainter, rect: QRect) -> None: ...


def chart_size(chart: QWidget) -> QSize:
    """The chart's natural size: `chart_size()` where defined (lists: every row), else its size."""
    sized = getattr(chart, "chart_size", None)
    size = sized() if callable(sized) else chart.size()
    return QSize(max(size.width(), 1), max(size.height(), 1))


def _title_height(chart: QWidget, title: str) -> int:
    return round(chart.fontMetrics().height() * 1.8) if title else 0


def render_chart(painter: QPainter, chart: QWidget, title: str = "") -> None:
    """Background, optional title line, then the chart itself (painter in logical pixels)."""
    size = chart_size(chart)
    band = _title_height(chart, title)
    theme = getattr(chart, "theme", None)
    background = theme.colour("surface") if theme is not None else QColor("white")
    painter.fillRect(QRect(0, 0, size.width(), size.height() + band), background)
    if title:
        painter.save()
        font = theme.font(1.15, bold=True) if theme is not None else chart.font()
        painter.setFont(font)
        painter.setPen(theme.colour("text") if theme is not None else QColor("black"))
        painter.drawText(
            QRect(8, 0, size.width() - 16, band),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            title,
        )
        painter.restore()
    chart.paint_chart(painter, QRect(0, band, size.width(), size.height()))


def chart_image(chart: QWidget, title: str = "", scale: float = PNG_SCALE) -> QImage:
    size = chart_size(chart)
    height = size.height() + _title_height(chart, title)
    image = QImage(round(size.width() * scale), round(height * scale), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    dots_per_metre = round(chart.logicalDpiX() / 0.0254)  # text as large as on screen
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    render_chart(painter, chart, title)
    painter.end()
    return image


def export_chart(chart: QWidget, path: str | Path, title: str = "") -> Path:
    """Write `chart` as PNG or SVG, chosen by the file's suffix; returns the path."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ShopDemoError(
            f"{path}: charts export as .png or .svg, not {path.suffix or 'no suffix'}"
        )
    if not path.parent.is_dir():
        raise ShopDemoError(f"{path}: folder {path.parent} does not exist")
    if kind == "png":
        if not chart_image(chart, title).save(str(path), "PNG"):
            raise ShopDemoError(f"{path}: could not write the PNG")
        return path
    size = chart_size(chart)
    size.setHeight(size.height() + _title_height(chart, title))
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(0, 0), size))
    generator.setResolution(chart.logicalDpiX())
    generator.setTitle(title or "ShopDemo chart")
    generator.setDescription("Exported from ShopDemo")
    painter = QPainter()
    if not painter.begin(generator):
        raise ShopDemoError(f"{path}: could not write the SVG")
    render_chart(painter, chart, title)
    painter.end()
    if not path.is_file():
        raise ShopDemoError(f"{path}: could not write the SVG")
    return path


def copy_chart(chart: QWidget, title: str = "") -> None:
    QGuiApplication.clipboard().setImage(chart_image(chart, title))


def report(widget: QWidget, text: str) -> None:
    """A short message in the window's status bar (and the log)."""
    log.info("%s", text)
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, 6000)


def default_folder() -> str:
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return pictures if pictures and Path(pictures).is_dir() else str(Path.home())


def save_with_dialog(chart: QWidget, name: str, title: str = "", kind: str = "png") -> Path | None:
    """Ask where to save (PNG or SVG, by the chosen filter or typed suffix), then export."""
    filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
    chosen = [filters[kind]] + [text for key, text in filters.items() if key != kind]
    suggested = str(Path(default_folder()) / f"shopdemo-{name}.{kind}")
    path, used = QFileDialog.getSaveFileName(
        chart.window(), "Export chart", suggested, ";;".join(chosen)
    )
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in (".png", ".svg"):
        target = target.with_suffix(".svg" if "svg" in used else ".png")
    try:
        export_chart(chart, target, title)
    except ShopDemoError as exc:
        report(chart, f"Export failed: {exc}")
        return None
    report(chart, f"Saved {target}")
    return target


def install_context_menu(chart: QWidget, name: str, title: Callable[[], str]) -> None:
    """Right-click on a chart: save as PNG / SVG, or copy it for a slide."""

    def show_menu(position: QPoint) -> None:
        menu = QMenu(chart)
        menu.addAction("Save as PNG…", lambda: save_with_dialog(chart, name, title(), "png"))
        menu.addAction("Save as SVG…", lambda: save_with_dialog(chart, name, title(), "svg"))
        menu.addAction("Copy image", lambda: _copy(chart, title()))
        # scroll areas (the lists) report the position in their viewport's coordinates
        anchor = chart.viewport() if isinstance(chart, QAbstractScrollArea) else chart
        menu.exec(anchor.mapToGlobal(position))

    chart.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    chart.customContextMenuRequested.connect(show_menu)


def _copy(chart: QWidget, title: str) -> None:
    copy_chart(chart, title)
    report(chart, "Chart copied to the clipboard")


def is_chart(widget: Any) -> bool:
    return callable(getattr(widget, "paint_chart", None))
