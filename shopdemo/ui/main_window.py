"""The main window: the shop on the left, the live model comparison on the right, the session
timeline and scoreboard along the bottom, and the classroom tools around them (menus,
presentation mode, concept cards, exports).

Every user action goes the same way: a widget emits what happened, the window logs it through
the service (one short store transaction), updates the shop at once, and asks the `Predictor`
for the panel; the panel is redrawn when the worker's answer arrives.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from shopdemo.errors import ShopDemoError
from shopdemo.service import PanelState, ShopService
from shopdemo.ui.comparison_panel import ComparisonPanel
from shopdemo.ui.concept_card import ConceptCard, concept_button
from shopdemo.ui.display import Display
from shopdemo.ui.header_bar import HeaderBar
from shopdemo.ui.icons import IconCache
from shopdemo.ui.model_jobs import ModelJobs
from shopdemo.ui.scoreboard import Scoreboard
from shopdemo.ui.storefront import Storefront
from shopdemo.ui.theme import LIGHT, Theme, apply_theme
from shopdemo.ui.timeline import Chip, Timeline
from shopdemo.ui.window_menus import WindowMenus
from shopdemo.ui.window_tools import WindowTools
from shopdemo.ui.workers import ChartRenderer, Predictor

log = logging.getLogger(__name__)

SHOP_SHARE = 0.44  # of the window width, on first show
PRESENTING_SHOP_SHARE = 0.36  # in presentation mode the class looks at the panel
LAYOUT_ROUNDS = 4  # nested re-layouts settled before a frame (page, shop, splitter, window)


def settle_layouts() -> None:
    """Lay out now what the last change asked to re-lay out. A widget whose size hint changed
    (a product name that wraps onto a second line, a new chip in the timeline) asks its parent
    for a new layout with a posted event, queued behind the repaint already requested: the
    window would paint the old layout first and then everything that moved a second time."""
    for _ in range(LAYOUT_ROUNDS):  # a re-layout can ask the widget above it for another
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def freeze_long_lived() -> None:
    """Exempt everything alive now (Qt wrappers, torch modules, the catalogue) from the cyclic
    garbage collector's passes. With torch and the window loaded a full pass walks ~230,000
    objects: ~90 ms measured here, a freeze at some click every few hundred; after the freeze
    a full pass walks only what was made since (~1 ms). No collection first: measured, it
    found nothing to free and cost ~160 ms. Called once the models are in place (again after
    every swap: a replaced model's reference cycles, if it has any, then stay in memory)."""
    gc.freeze()


class MainWindow(WindowTools, QMainWindow):
    """Shop + comparison panel + timeline, wired to one `ShopService`.

    With `settings` (the app passes the user's) the theme, text size and softmax controls come
    from there and every change is saved; without, the window uses `theme` and saves nothing."""

    click_logged = Signal(int, str)  # product id, source
    cart_logged = Signal(int)
    visitor_changed = Signal(int)  # new session number
    panel_updated = Signal(object)  # the PanelState now on screen

    def __init__(
        self,
        service: ShopService,
        theme: Theme = LIGHT,
        threaded: bool = True,
        parent: Any = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.display = Display(settings, None if settings is not None else theme.name, self)
        if settings is not None:
            theme = self.display.theme()
            apply_theme(QApplication.instance(), theme)
        self.theme = theme
        self.catalog = service.catalog
        self.icons = IconCache()
        self._described: dict[int, tuple[str, Path | None, str | None]] = {}
        self._attention_wired = False
        self._icons: dict[str, Path] = {}  # icon file name -> path
        self._split_placed = False
        self.temperature = 1.0  # softmax temperature of the shown probabilities (the slider)
        self.setWindowTitle("ShopDemo: next-click predictions, GRU4Rec vs SASRec")

        self.header = HeaderBar(theme, list(self.catalog.departments), self)
        self.storefront = Storefront(self.catalog, theme, self.icons, self)
        self.panel = ComparisonPanel(theme, self.icons, self.describe, self)
        self.timeline = Timeline(theme, self.icons, self)
        self.scoreboard = Scoreboard(theme, self)
        self.predictor = Predictor(service, threaded=threaded, parent=self)
        threaded_charts = threaded and ChartRenderer.available()
        self.renderer = ChartRenderer(self) if threaded_charts else None  # the plot, off-thread
        self.jobs = ModelJobs(service, self.panel, self)

        self.panel.distribution.plot.set_renderer(self.renderer)
        self.split = QSplitter(Qt.Orientation.Horizontal, self)
        self.split.addWidget(self.storefront)
        self.split.addWidget(self.panel)
        self.split.setChildrenCollapsible(False)
        self.split.setStretchFactor(0, 9)
        self.split.setStretchFactor(1, 11)
        bottom = QWidget(self)
        bottom.setObjectName("timeline")
        bottom.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(10, 6, 10, 6)
        self.session_help = concept_button("session_vs_profile", bottom)
        bottom_layout.addWidget(self.session_help, 0, Qt.AlignmentFlag.AlignVCenter)
        bottom_layout.addWidget(self.timeline, 1)
        bottom_layout.addWidget(self.scoreboard)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.split, 1)
        layout.addWidget(bottom)
        self.setCentralWidget(central)
        self.card = ConceptCard(self.render_concept, self.concept_sources, self)
        self.menus = WindowMenus(self)
        self._restore_display()

        self.header.search_changed.connect(self.storefront.show_search)
        self.header.department_requested.connect(self._open_department)
        self.header.home_requested.connect(self._open_home)
        self.header.new_visitor_requested.connect(self.new_visitor)
        self.storefront.product_chosen.connect(self.click_product)
        self.storefront.cart_requested.connect(self.add_to_cart)
        self.panel.item_chosen.connect(self.click_product)
        self.panel.k_changed.connect(self._k_changed)
        self.panel.temperature_changed.connect(self._temperature_changed)
        self.panel.concept_requested.connect(self.open_concept)
        self.scoreboard.concept_requested.connect(lambda key: self.open_concept(key, ""))
        self.session_help.clicked.connect(lambda: self.open_concept("session_vs_profile", ""))
        self.display.changed.connect(lambda: self.set_theme(self.display.theme()))
        self.display.colour_map_changed.connect(self.panel.set_colour_map)
        self.panel.distribution.scales_changed.connect(
            lambda log_rank, log_prob: self.display.update(log_rank=log_rank, log_prob=log_prob)
        )
        self.panel.baseline_changed.connect(self.jobs.choose_baseline)
        self.jobs.models_changed.connect(self._models_changed)
        self.predictor.predictions_ready.connect(self._show_predictions)
        self.predictor.prediction_failed.connect(self._prediction_failed)
        self._models_changed()
        self._show_session()
        self._set_tab_order()
        self.install_classroom_hook()

    # -- look-ups -------------------------------------------------------------------------
    def describe(self, item_id: int) -> tuple[str, Path | None, str | None]:
        """Name, icon file and tint of a product (cached: the panel asks for ~30 per click)."""
        found = self._described.get(item_id)
        if found is None:
            try:
                product = self.catalog.get(int(item_id))
            except KeyError:
                found = (f"item {item_id}", None, None)
            else:
                colours = getattr(self.catalog, "colours", {})
                icon = self._icons.get(product.icon)
                if icon is None:  # one path per icon file: building paths is slow per product
                    icon = self._icons[product.icon] = self.catalog.icon_path(product)
                found = (product.name, icon, colours.get(product.colour, product.colour))
            self._described[item_id] = found
        return found

    # -- what the visitor does ------------------------------------------------------------
    def click_product(self, item_id: int, source: str = "browse") -> None:
        """Log the click, open the product page, ask for the next predictions."""
        try:
            self.service.record_click(item_id, source)
        except ShopDemoError as exc:
            log.error("click not logged: %s", exc)
            self.statusBar().showMessage(f"Could not log the click: {exc}", 8000)
            return
        self.storefront.show_product(item_id)
        self._show_session()
        self.click_logged.emit(int(item_id), source)
        self.refresh_predictions()
        settle_layouts()

    def add_to_cart(self, item_id: int) -> None:
        sources = self.service.sources
        source = sources[-1] if sources and self.service.clicks[-1] == item_id else "browse"
        try:
            cart = self.service.record_cart(item_id, source)
        except ShopDemoError as exc:
            self.statusBar().showMessage(f"Could not add to the cart: {exc}", 8000)
            return
        self.header.show_cart(len(cart))
        self.storefront.detail.show_cart_count(cart.count(item_id))
        self.cart_logged.emit(int(item_id))

    def new_visitor(self) -> None:
        """A fresh anonymous session: empty timeline, cold-start predictions."""
        number = self.service.new_visitor()
        self.header.clear_search()
        self.header.show_cart(0)
        self.storefront.show_home()
        self._show_session()
        self.visitor_changed.emit(number)
        self.refresh_predictions()

    def refresh_predictions(self) -> None:
        self.predictor.request(self.service.clicks, self.panel.k, self.temperature)

    # -- reactions ------------------------------------------------------------------------
    def _open_department(self, name: str, sub: str) -> None:
        self.header.clear_search()
        self.storefront.show_department(name, sub)

    def _open_home(self) -> None:
        self.header.clear_search()
        self.storefront.show_home()

    def _show_session(self) -> None:
        chips = []
        for item, source in zip(self.service.clicks, self.service.sources, strict=True):
            name, icon, colour = self.describe(item)
            chips.append(Chip(item, name, icon, colour, source))
        self.timeline.set_chips(chips)
        self.header.show_session(self.service.session_number, len(chips))

    def _models_changed(self) -> None:
        freeze_long_lived()
        slots = self.service.columns()
        self.panel.show_slots(slots)
        self.scoreboard.show_slots(slots)
        column = self.panel.columns.get("sasrec")
        if column is not None and not self._attention_wired:
            column.explanation.last_row_changed.connect(self._show_attention_on_chips)
            self._attention_wired = True
        self.refresh_predictions()

    def _show_predictions(self, state: PanelState) -> None:
        if state.session != self.service.clicks:
            return  # answered for a visitor or click that is gone already
        self.panel.show_state(state)
        self.scoreboard.show_state(state)
        if "sasrec" not in state.views:
            self.timeline.set_weights(None, [])
        self.card.schedule_refresh()
        settle_layouts()
        self.panel_updated.emit(state)

    def _show_attention_on_chips(self, last_row: Any) -> None:
        state = self.panel.state
        if state is None or "sasrec" not in state.views or last_row is None:
            self.timeline.set_weights(None, [])
            return
        unknown = set(state.views["sasrec"].prediction.unknown)
        read = [
            position for position, item in enumerate(state.session, start=1) if item not in unknown
        ]
        self.timeline.set_weights(last_row, read[-len(last_row) :])

    def _prediction_failed(self, text: str) -> None:
        self.statusBar().showMessage(f"Prediction failed: {text}", 8000)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._split_placed:  # size hints would give the panel everything
            self._split_placed = True
            self.place_split()

    def place_split(self, share: float = SHOP_SHARE) -> None:
        """Shop 44 %, panel 56 % of the width (36 / 64 % in presentation mode)."""
        width = self.split.width() or self.width()
        self.split.setSizes([round(width * share), round(width * (1 - share))])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.card.close()
        self.jobs.shutdown()
        self.predictor.shutdown()
        if self.renderer is not None:
            self.renderer.shutdown()
        if self.display.store is not None:
            self.display.store.sync()
        super().closeEvent(event)
