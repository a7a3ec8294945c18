"""What keeps a click cheap on the GUI thread (issue #7 point 4), checked as behaviour: caches
return what they cached and tell colours, sizes and letters apart; pooled chips are reused and
hidden ones take no room; a click's layout is final before the first paint; lists paint in the
first pass of the event loop; the distribution arrives sorted; the worker starts after the
repaint and only for the newest click. Timings are printed by bench/bench_click.py, never
asserted here.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication
from test_ui_support import make_service

from shopdemo.catalog import load_catalog
from shopdemo.ui import icons as icons_module
from shopdemo.ui.icons import IconCache
from shopdemo.ui.main_window import MainWindow
from shopdemo.ui.nav_bar import NavBar
from shopdemo.ui.prediction_list import PredictionList, PredictionRow
from shopdemo.ui.theme import LIGHT
from shopdemo.ui.timeline import Chip, ChipStrip
from shopdemo.ui.workers import Predictor


@pytest.fixture
def icon_path() -> Path:
    catalog = load_catalog()
    return catalog.icon_path(catalog.products[0])


def corner(pixmap) -> tuple[int, int, int, int]:  # noqa: ANN001
    colour = pixmap.toImage().pixelColor(0, 0)
    return colour.red(), colour.green(), colour.blue(), colour.alpha()


def test_icon_tiles_are_cached_per_icon_size_and_colour(qtbot, icon_path: Path) -> None:  # noqa: ANN001
    icons = IconCache()
    red = icons.tile(icon_path, 40, "#ff0000", radius=0)
    assert icons.tile(icon_path, 40, "#ff0000", radius=0).cacheKey() == red.cacheKey()
    blue = icons.tile(icon_path, 40, "#0000ff", radius=0)
    assert blue.cacheKey() != red.cacheKey()
    # the square backdrop's corner is the product colour at alpha 46 (icon is centred, 80 %)
    assert corner(red) == (255, 0, 0, 46)
    assert corner(blue) == (0, 0, 255, 46)
    assert icons.tile(icon_path, 48, "#ff0000", radius=0).width() == 48
    assert icons.tile(icon_path, 40, "#ff0000", radius=0).cacheKey() == red.cacheKey()


def test_the_tile_cache_forgets_the_least_recently_used(
    qtbot, icon_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    monkeypatch.setattr(icons_module, "TILE_CACHE_SIZE", 2)
    icons = IconCache()
    red = icons.tile(icon_path, 40, "#ff0000").cacheKey()
    green = icons.tile(icon_path, 40, "#00ff00").cacheKey()
    assert icons.tile(icon_path, 40, "#ff0000").cacheKey() == red  # red is now the newest
    icons.tile(icon_path, 40, "#0000ff")  # evicts green, the least recently used
    assert icons.tile(icon_path, 40, "#ff0000").cacheKey() == red
    assert icons.tile(icon_path, 40, "#00ff00").cacheKey() != green  # painted again


def test_placeholders_show_their_own_letter(qtbot) -> None:  # noqa: ANN001
    icons = IconCache()
    apple = icons.pixmap(None, 32, 1.0, "Apple")
    assert icons.pixmap(None, 32, 1.0, "avocado").cacheKey() == apple.cacheKey()  # same "A"
    assert icons.pixmap(None, 32, 1.0, "Banana").cacheKey() != apple.cacheKey()


def test_nav_chips_are_reused_and_hidden_ones_take_no_room(qtbot) -> None:  # noqa: ANN001
    bar = NavBar(LIGHT)
    qtbot.addWidget(bar)
    bar.resize(300, 200)
    bar.show()
    bar.show_path(["Tools"], ["Drills", "Drill Bits", "Safety Glasses", "Saws", "Gloves"], "")
    pooled = list(bar._buttons)
    assert len(pooled) == 6
    bar.show_path(["Garden"], ["Seeds"], "Seeds")
    assert bar._buttons == pooled  # relabelled, not rebuilt
    assert bar.chip_names() == ["All", "Seeds"]
    assert [button.isHidden() for button in pooled] == [False, False, True, True, True, True]
    assert [button.isChecked() for button in pooled] == [False, True, False, False, False, False]
    fresh = NavBar(LIGHT)
    qtbot.addWidget(fresh)
    fresh.show_path(["Garden"], ["Seeds"], "Seeds")
    width = bar.chips.width()
    assert bar.chip_layout.heightForWidth(width) == fresh.chip_layout.heightForWidth(width)
    with qtbot.waitSignal(bar.department_requested) as request:
        pooled[1].click()
    assert request.args == ["Garden", "Seeds"]


class PaintCounter(QObject):
    def __init__(self, widget) -> None:  # noqa: ANN001
        super().__init__()
        self.paints = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        self.paints += event.type() == QEvent.Type.Paint
        return False


def test_a_prediction_list_paints_new_rows_in_the_first_pass(qtbot, icon_path: Path) -> None:  # noqa: ANN001
    view = PredictionList(LIGHT, IconCache(), "gru4rec")
    qtbot.addWidget(view)
    view.resize(300, 400)
    view.show()
    qtbot.waitExposed(view)
    rows = [
        PredictionRow(rank, 100 + rank, f"p{rank}", icon_path, "#2a9d9a", 0.1, None, False)
        for rank in range(1, 11)
    ]
    view.set_rows(rows, 10, 0.1)
    QApplication.processEvents()
    counter = PaintCounter(view.viewport())
    view.set_rows(rows[::-1], 10, 0.1)
    QApplication.processEvents()  # one pass: a reset alone would lay out first, paint next
    assert counter.paints == 1


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()
    service.close()


def test_a_click_lays_the_page_out_before_the_first_paint(window: MainWindow) -> None:
    catalog = window.catalog
    names = sorted(catalog.products, key=lambda product: len(product.name))
    for product in (names[0], names[-1], names[0]):  # one line, wrapped, one line again
        window.click_product(product.id)
        grid = window.storefront.detail.related
        before = (grid.geometry(), window.timeline.strip.geometry())
        QApplication.processEvents()
        assert (grid.geometry(), window.timeline.strip.geometry()) == before


def test_the_distribution_arrives_sorted_from_the_service(window: MainWindow) -> None:
    window.click_product(500)
    state = window.panel.state
    for key, view in state.views.items():
        scores = np.asarray(view.prediction.scores, dtype=np.float64)
        assert np.array_equal(view.ranked_scores, np.sort(scores)[::-1])
        assert window.panel.curves[key].sorted_scores() is view.ranked_scores  # not re-sorted


def test_the_window_exempts_long_lived_objects_from_full_collections(window: MainWindow) -> None:
    assert gc.get_freeze_count() > 0


def test_chip_faces_are_painted_once(qtbot) -> None:  # noqa: ANN001
    strip = ChipStrip(LIGHT, IconCache())
    qtbot.addWidget(strip)
    chips = [Chip(item, f"product {item}", None, "#2a9d9a", "browse") for item in (1, 2, 3)]
    strip.set_chips(chips)
    strip.grab()
    strip.grab()
    assert len(strip._faces) == 3
    strip.set_chips([*chips, Chip(4, "product 4", None, None, "rec_sasrec")])
    strip.set_weights(np.array([0.1, 0.2, 0.3, 0.4]), [1, 2, 3, 4])
    strip.grab()
    assert len(strip._faces) == 5  # the new chip, and chip 3 now with an arrow, no accent


def test_the_worker_starts_after_the_repaint_and_only_for_the_newest(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    service = make_service(tmp_path)
    asked: list[tuple[int, ...]] = []
    predict = service.predict
    service.predict = lambda session, *args: (
        asked.append(tuple(session))
        or predict(  # type: ignore[method-assign]
            session, *args
        )
    )
    predictor = Predictor(service, threaded=True)
    predictor.request((500,), 10)
    predictor.request((500, 501), 10)
    time.sleep(0.05)  # a worker started at once would have asked by now
    assert asked == []
    with qtbot.waitSignal(predictor.predictions_ready, timeout=5000) as ready:
        pass
    assert asked == [(500, 501)] and ready.args[0].session == (500, 501)
    predictor.shutdown()
    service.close()


def image_bytes(image) -> bytes:  # noqa: ANN001
    image = image.convertToFormat(image.Format.Format_ARGB32_Premultiplied)
    return bytes(image.constBits())[: image.sizeInBytes()]


def test_the_plot_rendered_off_the_gui_thread_equals_the_plot_painted_on_it(
    qtbot, tmp_path: Path
) -> None:  # noqa: ANN001
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=True)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    plot = window.panel.distribution.plot
    window.panel.columns["sasrec"].list.item_pointed.emit(503)  # the mark is painted too
    window.click_product(500)

    def rendered_now() -> bool:
        shown = window.panel.state is not None and window.panel.state.session == (500,)
        return shown and plot._image is not None and plot._image[0] == plot.view_key()

    qtbot.waitUntil(rendered_now, timeout=5000)
    rendered = plot._image[1]
    here = QImage(rendered.size(), QImage.Format.Format_ARGB32_Premultiplied)
    here.setDevicePixelRatio(rendered.devicePixelRatio())
    here.fill(Qt.GlobalColor.transparent)
    painter = QPainter(here)
    plot.paint_chart(painter, plot.rect())
    painter.end()
    assert image_bytes(rendered) == image_bytes(here)
    window.panel.softmax.set_temperature(0.5)  # the image is stale now: painted here instead
    plot.grab()
    assert plot._image is None
    window.close()
    service.close()
