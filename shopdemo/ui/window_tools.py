"""The main window's classroom tools, kept apart from its shop wiring: presentation mode and
text size, theme changes, concept cards with live values, exports, and keyboard focus.

A mixin of `MainWindow` (it uses the window's service, panel, storefront and display); no
per-click work happens here except re-rendering an open concept card.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, QTimer
from PySide6.QtGui import QCursor, QFont, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QWidget

from shopdemo.errors import ShopDemoError
from shopdemo.ui.attention_view import AttentionView
from shopdemo.ui.chart_export import copy_chart, report, save_with_dialog
from shopdemo.ui.theme import Theme, apply_theme

log = logging.getLogger(__name__)

Charts = dict[str, tuple[QWidget, Callable[[], str]]]


FONT_EM = "shopdemo_font_em"  # a widget's explicit font size in body-text units


def explicit_fonts(root: QWidget, body_size: float) -> list[QWidget]:
    """Widgets under `root` with an explicitly set font (titles, big prices), each tagged
    once with its size relative to the body text it was made for (`body_size` points)."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            continue
        if widget.property(FONT_EM) is None and widget.font().pointSizeF() > 0:
            widget.setProperty(FONT_EM, widget.font().pointSizeF() / body_size)
        found.append(widget)
    return found


def resize_fonts(widgets: list[QWidget], body_size: float) -> None:
    """Give each tagged widget its font at the new body size. Absolute, not a ratio: a new
    application style sheet puts back the fonts widgets had when they were first polished."""
    for widget in widgets:
        em = widget.property(FONT_EM)
        if em is None:
            continue
        font = QFont(widget.font())
        if abs(font.pointSizeF() - em * body_size) > 1e-6:
            font.setPointSizeF(em * body_size)
            widget.setFont(font)


class WindowTools:
    """Mixed into `MainWindow`; everything the menus and the "?" buttons call."""

    # -- display --------------------------------------------------------------------------
    def _restore_display(self: Any) -> None:
        """Apply the loaded settings before the first prediction is requested."""
        settings = self.display.settings
        self.panel.k_box.setValue(settings.k)
        self.panel.set_temperature(settings.temperature)
        self.temperature = self.panel.temperature
        self.panel.set_colour_map(settings.colour_map)
        self.panel.distribution.set_scales(settings.log_rank, settings.log_prob)
        self.panel.distribution.setVisible(settings.show_distribution)

    def set_theme(self: Any, theme: Theme) -> None:
        """Colours and text size everywhere: the application palette, explicit fonts, and the
        widgets that paint themselves."""
        sized = explicit_fonts(self, self.theme.base_point_size)
        crumbs = self.storefront.nav.crumbs  # its links carry the accent inline
        crumbs.setText(crumbs.text().replace(self.theme.accent, theme.accent))
        self.theme = theme
        apply_theme(QApplication.instance(), theme)
        self.header.set_theme(theme)
        self.storefront.set_theme(theme)
        detail = self.storefront.detail
        detail.theme = theme  # the product page colours its price from its theme
        detail.price.setStyleSheet(f"color: {theme.accent};")
        self.panel.set_theme(theme)
        self.scoreboard.set_theme(theme)
        self.timeline.strip.theme = theme
        for view in self.findChildren(QAbstractItemView):
            view.doItemsLayout()  # tile and row sizes follow the font
        self._show_session()  # chip sizes follow the font; the chips lose their attention
        sasrec = self.panel.columns.get("sasrec")
        if sasrec is not None and isinstance(sasrec.explanation, AttentionView):
            sasrec.explanation.refresh()  # ... which the heatmap's last row gives back
        self.timeline.updateGeometry()
        QTimer.singleShot(0, self._scroll_timeline_to_end)  # once the new layout is in place
        self.menus.sync()
        classroom = getattr(self, "classroom", None)
        if classroom is not None:
            classroom.set_theme(theme)
        resize_fonts(sized, theme.base_point_size)  # last: the steps above may reset fonts

    def _scroll_timeline_to_end(self: Any) -> None:
        bar = self.timeline.horizontalScrollBar()
        bar.setValue(bar.maximum())

    def set_presenting(self: Any, presenting: bool) -> None:
        """Presentation mode: full screen with the presentation text size (F11, Esc)."""
        if presenting == self.display.presenting:
            return
        if presenting:
            self._shown_maximized = self.isMaximized()
            self._normal_geometry = self.geometry()
            screen = self.screen()
            if screen is not None:  # without a window manager (a kiosk, Xvfb) nobody resizes us
                self.setGeometry(screen.geometry())
            self.showFullScreen()
        elif getattr(self, "_shown_maximized", False):
            self.showMaximized()
        else:
            self.showNormal()
            if getattr(self, "_normal_geometry", None) is not None:
                self.setGeometry(self._normal_geometry)
        self.display.set_presenting(presenting)
        self.menus.sync()
        QTimer.singleShot(0, self._place_split_for_mode)  # once the new size has arrived

    def _place_split_for_mode(self: Any) -> None:
        from shopdemo.ui.main_window import PRESENTING_SHOP_SHARE, SHOP_SHARE

        self.place_split(PRESENTING_SHOP_SHARE if self.display.presenting else SHOP_SHARE)

    def toggle_presentation(self: Any) -> None:
        self.set_presenting(not self.display.presenting)

    def toggle_distribution(self: Any) -> None:
        shown = not self.display.settings.show_distribution
        self.panel.distribution.setVisible(shown)
        self.display.update(show_distribution=shown)
        self.menus.sync()

    def _k_changed(self: Any, k: int) -> None:
        self.display.update(k=k)
        self.refresh_predictions()

    def _temperature_changed(self: Any, temperature: float) -> None:
        self.temperature = temperature
        self.display.update(temperature=temperature)
        self.card.schedule_refresh()

    # -- concept cards --------------------------------------------------------------------
    def open_concept(self: Any, key: str, model: str = "") -> None:
        """Open card `key` next to the "?" that asked for it (or the mouse)."""
        focus = QApplication.focusWidget()
        if focus is not None and focus.property("concept"):
            near = focus.mapToGlobal(focus.rect().bottomLeft())
        else:
            near = QCursor.pos()
        self.card.show_concept(key, model, near)

    def concept_sources(self: Any) -> list[tuple[str, str]]:
        return [(slot.key, slot.title) for slot in self.service.columns() if slot.model]

    def render_concept(self: Any, key: str, model: str) -> str:
        """The card as rich text, with this session's values from `model`'s column."""
        from shopdemo.concepts import live_values, render_concept  # imports torch: on demand

        state = self.panel.state
        if state is None or state.session != self.service.clicks:
            live = live_values(
                self.catalog,
                self.service.clicks,
                model=model,
                k=self.panel.k,
                temperature=self.temperature,
            )
            return render_concept(key, live)
        view = state.views.get(model)
        live = live_values(
            self.catalog,
            state.session,
            view.prediction if view is not None else None,
            self.panel.item_ids.get(model) if view is not None else None,
            model=model,
            k=state.k,
            temperature=self.temperature,
            click_ranks=view.click_ranks if view is not None else None,
        )
        return render_concept(key, live)

    def show_keys(self: Any) -> None:
        from shopdemo.ui.window_menus import KEYS_HELP

        self.card.show_text("Keyboard", KEYS_HELP, QCursor.pos())

    # -- exports --------------------------------------------------------------------------
    def charts(self: Any) -> Charts:
        """The charts on screen now, by file-name stem, with their export titles."""
        found: Charts = {}
        for key, column in self.panel.columns.items():
            if column.list.isVisible() and column.list.rows.rowCount():
                found[f"{key}-list"] = (column.list, column.list_title)
            explanation = column.explanation
            if explanation is not None and explanation.isVisible():
                name = "attention" if key == "sasrec" else "update-gate"
                found[name] = (explanation.chart(), explanation.chart_title)
        if self.panel.distribution.isVisible():
            found["distribution"] = (self.panel.distribution.plot, self.panel.distribution_title)
        return found

    def save_chart(self: Any, chart: QWidget, name: str, title: str, kind: str) -> Path | None:
        return save_with_dialog(chart, name, title, kind)

    def copy_chart(self: Any, chart: QWidget, title: str) -> None:
        copy_chart(chart, title)
        report(self, "Chart copied to the clipboard")

    def copy_panel(self: Any) -> None:
        """The whole prediction panel as one image, for a slide."""
        QGuiApplication.clipboard().setPixmap(self.panel.grab())
        report(self, "Prediction panel copied to the clipboard")

    def export_session_dialog(self: Any, kind: str) -> Path | None:
        filters = {"csv": "CSV table (*.csv)", "json": "JSON document (*.json)"}
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        if not folder or not Path(folder).is_dir():
            folder = str(Path.home())
        suggested = Path(folder) / f"shopdemo-session-{self.service.session_number}.{kind}"
        path, _ = QFileDialog.getSaveFileName(self, "Export session", str(suggested), filters[kind])
        if not path:
            return None
        target = Path(path)
        if target.suffix.lower() != f".{kind}":
            target = target.with_name(target.name + f".{kind}")
        return self.export_session_to(target)

    def export_session_to(self: Any, path: str | Path) -> Path | None:
        from shopdemo.service.session_export import export_session

        try:
            written = export_session(self.service, path, self.panel.state, self.temperature)
        except ShopDemoError as exc:
            report(self, f"Export failed: {exc}")
            return None
        report(self, f"Session saved to {written}")
        return written

    # -- keyboard -------------------------------------------------------------------------
    def focus_search(self: Any) -> None:
        self.header.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.header.search.selectAll()

    def focus_products(self: Any) -> None:
        storefront = self.storefront
        view = (
            storefront.grid if storefront.pages.currentIndex() == 0 else storefront.detail.related
        )
        _focus_view(view)

    def focus_list(self: Any, position: int) -> None:
        columns = list(self.panel.columns.values())
        if position < len(columns):
            _focus_view(columns[position].list)

    def focus_temperature(self: Any) -> None:
        self.panel.softmax.slider.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _set_tab_order(self: Any) -> None:
        """Header -> shop -> panel controls -> each column -> distribution -> bottom bar."""
        header, panel = self.header, self.panel
        chain: list[QWidget] = [
            header.logo,
            header.search,
            header.departments,
            header.new_visitor,
            self.storefront.grid,
            self.storefront.detail.add_button,
            self.storefront.detail.related,
            panel.k_box,
            panel.baseline_box,
            panel.softmax.slider,
            panel.softmax.reset,
            panel.softmax.help,
        ]
        for column in panel.columns.values():
            chain.append(column.list)
            if column.padding_help is not None:
                chain.append(column.padding_help)
            if column.explanation is not None:
                chain.extend(column.explanation.focus_chain())
        distribution = panel.distribution
        chain += [distribution.help, distribution.log_rank, distribution.log_prob]
        chain += [self.session_help, self.scoreboard.help]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def install_classroom_hook(self: Any) -> None:
        """The Classroom menu and toolbar (scenarios, what-if, history, retraining)."""
        from shopdemo.ui.classroom_actions import install_classroom_actions  # builds lazily

        self.classroom = install_classroom_actions(self)


def _focus_view(view: QAbstractItemView) -> None:
    """Focus a list and give it a current row, so arrow keys and Enter work at once."""
    view.setFocus(Qt.FocusReason.ShortcutFocusReason)
    model = view.model()
    if not view.currentIndex().isValid() and model is not None and model.rowCount():
        view.setCurrentIndex(model.index(0, 0))
