"""Presentation mode, settings, softmax controls and the colour choices (issue #8, points 1-2).

The fake models of test_ui_support score the items after a click as 0, -2, -3, -4, ... (every
integer below -1), so the top probability at temperature T is 1 / (1 + sum_{j>=2} e^(-j/T)) =
1 / (1 + e^(-2/T) / (1 - e^(-1/T))): 0.823657 at T = 1, 0.979257 at T = 0.5, 0.516806 at T = 2.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRectF, QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget
from test_ui_support import click_events, make_service

from shopdemo.ui import settings as settings_module
from shopdemo.ui.colormap import colour_difference, contrast_ratio
from shopdemo.ui.display import Display
from shopdemo.ui.distribution_axes import Axes, Curve, nice_linear_ticks
from shopdemo.ui.main_window import MainWindow
from shopdemo.ui.settings import UiSettings, load_settings, open_settings, save_settings
from shopdemo.ui.softmax_controls import SoftmaxCurve, slider_position, softmax, temperature_at
from shopdemo.ui.theme import DARK, LIGHT

TOP_AT = {1.0: 0.823657, 0.5: 0.979257, 2.0: 0.516806}  # see the module docstring


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path: Path, qapp):  # noqa: ANN001, ANN201
    """No test may touch the real user config; the app's look is restored afterwards."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    font, palette, sheet = QApplication.font(), QApplication.palette(), qapp.styleSheet()
    yield
    qapp.setStyleSheet(sheet)
    QApplication.setPalette(palette)
    QApplication.setFont(font)


@pytest.fixture
def store(tmp_path: Path) -> QSettings:
    return open_settings(tmp_path / "ui.ini")


@pytest.fixture
def window(qtbot, tmp_path: Path, store: QSettings) -> MainWindow:  # noqa: ANN001
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=False, settings=store)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window
    window.close()
    service.close()


# -- softmax and temperature ---------------------------------------------------------------
def test_softmax_by_hand() -> None:
    scores = np.array([2.0, 1.0, 0.0])
    # e^2, e^1, e^0 = 7.389, 2.718, 1 (sum 11.107); at T = 0.5: e^4, e^2, 1 (sum 62.99)
    assert softmax(scores, 1.0) == pytest.approx([0.665241, 0.244728, 0.090031], abs=1e-6)
    assert softmax(scores, 0.5) == pytest.approx([0.866813, 0.117310, 0.015876], abs=1e-6)
    assert softmax(scores, 2.0) == pytest.approx([0.506480, 0.307196, 0.186324], abs=1e-6)
    assert softmax(np.array([1000.0, 999.0]), 1.0) == pytest.approx([0.731059, 0.268941], abs=1e-6)
    with pytest.raises(ValueError, match="positive"):
        softmax(scores, 0.0)


def test_softmax_curve_sorts_once_and_sums_the_top_k() -> None:
    curve = SoftmaxCurve(np.array([0.0, 2.0, 1.0]))
    assert curve.probs(1.0) == pytest.approx([0.665241, 0.244728, 0.090031], abs=1e-6)
    assert curve.top_mass(2, 1.0) == pytest.approx(0.909969, abs=1e-6)
    assert curve.order().tolist() == [1, 2, 0]
    assert [curve.rank_of(i) for i in range(3)] == [3, 1, 2]


def test_the_slider_is_logarithmic_from_0_1_to_5() -> None:
    assert slider_position(1.0) == 0 and temperature_at(0) == 1.0
    assert temperature_at(slider_position(0.1)) == pytest.approx(0.1)
    assert temperature_at(slider_position(5.0)) == 5.0  # 10^0.70 = 5.012, clamped
    assert temperature_at(-30) == pytest.approx(0.501187, abs=1e-6)  # 10^-0.3
    assert slider_position(0.5) - slider_position(0.25) == 30  # equal steps per factor


def test_temperature_redraws_probabilities_without_calling_the_models(
    window: MainWindow,
) -> None:
    window.click_product(500)
    rows = window.panel.columns["gru4rec"].list.rows
    assert rows.rows[0].prob == pytest.approx(TOP_AT[1.0], abs=1e-6)
    model = window.service.slots["gru4rec"].model
    calls = model.calls
    window.panel.softmax.set_temperature(0.5)
    assert [r.item_id for r in rows.rows[:3]] == [501, 502, 500]  # the ranking never changes
    assert rows.rows[0].prob == pytest.approx(TOP_AT[0.5], abs=1e-6)
    window.panel.softmax.set_temperature(2.0)
    assert rows.rows[0].prob == pytest.approx(TOP_AT[2.0], abs=1e-6)
    assert rows.rows[1].prob == pytest.approx(TOP_AT[2.0] * np.exp(-1.0), abs=1e-6)
    assert rows.scale == pytest.approx(TOP_AT[2.0], abs=1e-6)  # bars share the top's scale
    assert model.calls == calls  # re-drawn from pred.scores, no model run
    assert window.temperature == 2.0
    window.click_product(600)  # the next click is predicted at the slider's temperature
    assert rows.rows[0].item_id == 601
    assert rows.rows[0].prob == pytest.approx(TOP_AT[2.0], abs=1e-6)


def test_the_distribution_plot_follows_clicks_temperature_and_the_pointed_row(
    qtbot, window: MainWindow
) -> None:  # noqa: ANN001
    window.click_product(500)
    plot = window.panel.distribution.plot
    assert [curve.key for curve in plot.curves] == ["gru4rec", "sasrec"]
    assert plot.n_items() == len(window.catalog.products)
    gru = plot.curves[0].softmax
    assert gru.probs(1.0)[0] == pytest.approx(TOP_AT[1.0], abs=1e-6)
    window.panel.softmax.set_temperature(0.5)
    assert plot.temperature == 0.5
    # the top 10 hold 1 - (tail beyond rank 10): ranks 11.. have scores -11, -12, ...
    tail = np.exp(-22.0) / (1 - np.exp(-2.0)) * TOP_AT[0.5]
    assert gru.top_mass(10, 0.5) == pytest.approx(1 - tail, abs=1e-9)
    window.panel.columns["sasrec"].list.item_pointed.emit(503)
    assert plot.marked == 503
    image = plot.grab().toImage()
    assert not image.isNull() and image.width() == plot.width()


def test_axes_map_ranks_and_probabilities_to_pixels() -> None:
    assert nice_linear_ticks(0.27) == pytest.approx([0.0, 0.1, 0.2])
    assert nice_linear_ticks(1221.0) == [0, 500, 1000]
    curve = Curve("sasrec", "SASRec", SoftmaxCurve(np.log([0.5, 0.25, 0.125, 0.125])), None)
    area = QRectF(10, 0, 300, 100)  # x 10..310, y 0..100
    log_axes = Axes.fit([curve], 1.0, area, log_rank=True, log_prob=True)
    assert (log_axes.low, log_axes.high) == (-1.0, 0.0)  # 0.125 .. 0.5 -> 10^-1 .. 10^0
    assert log_axes.x(1) == 10 and log_axes.x(4) == 310 and log_axes.x(2) == pytest.approx(160)
    assert log_axes.y(1.0) == 0 and log_axes.y(0.1) == 100
    assert log_axes.rank_at(160) == 2 and log_axes.x_ticks() == [1]
    linear = Axes.fit([curve], 1.0, area, log_rank=False, log_prob=False)
    assert (linear.low, linear.high) == (0.0, 0.5)  # ticks 0, 0.2, 0.4 end below the top
    assert linear.x(2.5) == pytest.approx(160) and linear.y(0.25) == pytest.approx(50)


def test_clicking_the_plot_marks_the_product_at_that_rank(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.click_product(500)
    plot = window.panel.distribution.plot
    axes = plot.axes(plot.rect())
    # both fakes give their rank 1 p = 0.82, the same height: on a tie the first curve wins
    with qtbot.waitSignal(plot.item_marked) as marked:
        qtbot.mouseClick(plot, Qt.MouseButton.LeftButton, pos=QPoint(int(axes.x(1)) + 1, 2))
    assert marked.args == [501] and plot.marked == 501  # GRU4Rec's first pick


# -- settings ------------------------------------------------------------------------------
def test_settings_round_trip_through_the_ini_file(tmp_path: Path) -> None:
    wanted = UiSettings(
        theme="dark",
        font_scale=1.2,
        presentation_scale=1.8,
        colour_map="cividis",
        temperature=0.7,
        k=5,
        log_rank=False,
        log_prob=True,
        show_distribution=False,
    )
    first = open_settings(tmp_path / "ui.ini")
    save_settings(first, wanted)
    first.sync()
    assert load_settings(open_settings(tmp_path / "ui.ini")) == wanted


def test_bad_values_in_the_file_fall_back_or_are_clamped(store: QSettings) -> None:
    store.setValue("display/theme", "purple")
    store.setValue("display/font_scale", "huge")
    store.setValue("display/temperature", "100")
    store.setValue("display/k", "0")
    loaded = load_settings(store)
    assert (loaded.theme, loaded.font_scale, loaded.temperature, loaded.k) == (
        "system",
        1.0,
        5.0,
        1,
    )


def test_system_theme_follows_the_desktop_scheme(monkeypatch, store: QSettings) -> None:  # noqa: ANN001
    display = Display(store)
    assert display.settings.theme == "system"
    monkeypatch.setattr(settings_module, "system_prefers_dark", lambda: True)
    assert display.theme().name == "dark"
    monkeypatch.setattr(settings_module, "system_prefers_dark", lambda: False)
    assert display.theme().name == "light"
    display.update(theme="dark")  # forcing wins over the desktop
    assert display.theme().name == "dark"


def test_the_window_restores_and_saves_its_settings(
    qtbot, tmp_path: Path, store: QSettings
) -> None:  # noqa: ANN001
    save_settings(store, UiSettings(theme="dark", font_scale=1.2, k=4, temperature=0.5))
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=False, settings=store)
    qtbot.addWidget(window)
    assert window.theme.name == "dark" and window.theme.base_point_size == pytest.approx(12.0)
    assert QApplication.font().pointSizeF() == pytest.approx(12.0)
    assert window.panel.k == 4 and window.temperature == 0.5
    assert window.menus.themes["dark"].isChecked()
    window.menus.themes["light"].trigger()
    window.menus.colour_maps["cividis"].trigger()
    window.panel.k_box.setValue(7)
    assert window.theme.name == "light"
    assert window.panel.columns["sasrec"].explanation.heatmap.colour_map == "cividis"
    window.close()
    service.close()
    again = load_settings(open_settings(tmp_path / "ui.ini"))
    assert (again.theme, again.colour_map, again.k, again.font_scale) == (
        "light",
        "cividis",
        7,
        1.2,
    )


# -- presentation mode and text size -------------------------------------------------------
def test_f11_toggles_full_screen_with_the_presentation_text_size(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    title_size = window.panel.title.font().pointSizeF()
    assert window.menus.presentation.shortcut().toString() == "F11"
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert window.isFullScreen() and window.display.presenting
    assert window.theme.base_point_size == pytest.approx(13.0)  # 10 pt x 1.3
    assert QApplication.font().pointSizeF() == pytest.approx(13.0)
    assert window.panel.title.font().pointSizeF() == pytest.approx(title_size * 1.3)
    assert window.menus.presentation.isChecked()
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # Esc leaves presentation mode too
    assert not window.isFullScreen() and not window.display.presenting
    assert window.panel.title.font().pointSizeF() == pytest.approx(title_size)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    assert not window.isFullScreen()


def test_ctrl_plus_minus_and_zero_scale_the_text(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    title = window.panel.columns["gru4rec"].title
    size = title.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.display.settings.font_scale == pytest.approx(1.15)
    assert QApplication.font().pointSizeF() == pytest.approx(11.5)
    assert title.font().pointSizeF() == pytest.approx(size * 1.15)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.display.settings.font_scale == pytest.approx(1 / 1.15, abs=1e-3)
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.display.settings.font_scale == 1.0
    assert title.font().pointSizeF() == pytest.approx(size)


def test_switching_theme_in_presentation_mode_keeps_the_text_size(window: MainWindow) -> None:
    # A new application style sheet puts back the fonts widgets had when first polished; the
    # window must size its titles again afterwards.
    title = window.panel.title
    size = title.font().pointSizeF()
    window.set_presenting(True)
    window.menus.themes["dark"].trigger()
    assert title.font().pointSizeF() == pytest.approx(size * 1.3)
    window.menus.themes["light"].trigger()
    window.set_presenting(False)
    assert title.font().pointSizeF() == pytest.approx(size)


def test_dark_theme_reaches_the_painted_widgets(window: MainWindow) -> None:
    window.click_product(500)
    window.menus.themes["dark"].trigger()
    assert QApplication.palette().window().color().name() == DARK.window.lower()
    assert window.panel.columns["gru4rec"].list.theme.name == "dark"
    assert window.panel.distribution.plot.theme.name == "dark"
    assert window.timeline.strip.theme.name == "dark"
    heatmap = window.panel.columns["sasrec"].explanation.heatmap
    masked = heatmap._image.pixelColor(1, 0)  # above the diagonal: the causal mask
    assert masked.red() < 128  # a dark grey, not the light theme's (200, 200, 200)


# -- colour-blind safety -------------------------------------------------------------------
@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("vision", ["normal", "deuteranopia", "protanopia"])
def test_colours_stay_apart_for_colour_blind_viewers(theme, vision: str) -> None:  # noqa: ANN001
    models = theme.model_colours
    assert colour_difference(models["gru4rec"], models["sasrec"], vision) > 60
    assert colour_difference(models["gru4rec"], models["baseline"], vision) > 30
    assert colour_difference(theme.good, theme.bad, vision) > 40


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_text_contrast_meets_wcag_on_a_projector(theme) -> None:  # noqa: ANN001
    for role in ("text", "muted", "accent", "good", "bad"):
        assert contrast_ratio(getattr(theme, role), theme.surface) >= 4.5, role
    assert contrast_ratio(theme.on_accent, theme.accent) >= 4.5  # "Add to cart", chips
    for colour in theme.model_colours.values():  # bars and bold titles: 3:1 (WCAG non-text)
        assert contrast_ratio(colour, theme.surface) >= 3.0
    assert contrast_ratio("#FFFFFF", "#FF6BA8") < 4.5  # white on the dark accent would fail


def test_the_colour_blindness_check_catches_a_red_green_pair() -> None:
    red, green = "#B42318", "#0B7A3E"  # the old bad/good pair
    assert colour_difference(red, green) > 90
    assert colour_difference(red, green, "deuteranopia") < 30


# -- keyboard and accessibility ------------------------------------------------------------
def test_keyboard_reaches_a_recommendation_and_enter_clicks_it(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.click_product(500)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)  # SASRec's list
    sasrec = window.panel.columns["sasrec"].list
    assert sasrec.hasFocus() and sasrec.currentIndex().row() == 0
    qtbot.keyClick(sasrec, Qt.Key.Key_Down)
    assert sasrec.currentIndex().row() == 1
    assert window.panel.distribution.plot.marked == 503  # the keyboard's row is marked
    qtbot.keyClick(sasrec, Qt.Key.Key_Return)
    assert click_events(window.service)[-1] == (503, "click", "rec_sasrec")
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)  # the product grid
    assert window.storefront.detail.related.hasFocus()  # a product page: its "more" strip


def next_tab_stop(widget: QWidget) -> QWidget:
    """The next widget Tab reaches (skipping a control's own parts, e.g. a clear button)."""
    candidate = widget.nextInFocusChain()
    while widget.isAncestorOf(candidate) or not (candidate.focusPolicy() & Qt.FocusPolicy.TabFocus):
        candidate = candidate.nextInFocusChain()
    return candidate


def test_tab_order_runs_through_the_panel_controls(window: MainWindow) -> None:
    panel, header = window.panel, window.header
    assert next_tab_stop(header.search) is header.departments
    assert next_tab_stop(panel.baseline_box) is panel.softmax.slider
    assert next_tab_stop(panel.softmax.slider) is panel.softmax.reset
    assert next_tab_stop(panel.softmax.help) is panel.columns["gru4rec"].list


def test_every_control_has_an_accessible_name(window: MainWindow) -> None:
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSlider,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QScrollBar,
    )

    window.click_product(500)
    kinds = (QAbstractButton, QAbstractSlider, QAbstractSpinBox, QComboBox, QLineEdit)
    unnamed = []
    for widget in window.findChildren(QAbstractItemView) + [
        w for kind in kinds for w in window.findChildren(kind)
    ]:
        if not widget.isVisibleTo(window) or isinstance(widget, QScrollBar):
            continue  # popups not open, and the scroll bars that are part of a view
        if isinstance(widget.parent(), (QAbstractSpinBox, QComboBox)):
            continue  # the spin box's own editor: the spin box carries the name
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        if not (widget.accessibleName() or text.strip()):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []
    mine = [
        window.panel.softmax.slider,
        window.panel.softmax.reset,
        window.panel.distribution.log_rank,
        window.panel.distribution.log_prob,
        window.header.departments,
        window.header.new_visitor,
    ]
    assert all(widget.accessibleName() for widget in mine)
