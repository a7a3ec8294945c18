"""The whole softmax distribution over the catalogue, best product first, one curve per model:
what the top-k list leaves out, and what the temperature does to all of it at once.

The top k are shaded, the uniform share 1/n is a dotted line, and the product under the mouse in
a recommendation list (or clicked here) is marked on every curve. The drawing itself is in
`distribution_paint`; after a click it runs on a worker thread when the window gives the plot a
`ChartRenderer`, and the widget draws the finished image.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from shopdemo.ui.distribution_axes import Curve, percent
from shopdemo.ui.distribution_paint import PlotFrame, PlotPainter
from shopdemo.ui.theme import Theme

REPAINT_DELAY_MS = 20  # after a click the lists paint first; the plot follows a frame later


class DistributionPlot(PlotPainter, QWidget):
    """Sorted probabilities per model; rank on x, probability on y (linear or log)."""

    item_marked = Signal(int)  # a product clicked on the plot

    def __init__(self, theme: Theme, describe: Callable[[int], Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.describe = describe  # item id -> (name, icon, colour)
        self.curves: list[Curve] = []
        self.temperature = 1.0
        self.k = 10
        self.log_rank = False
        self.log_prob = True
        self.marked: int | None = None  # external item id marked on every curve
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName("Softmax distribution over the catalogue")
        self.renderer: Any = None  # a `ChartRenderer` (worker thread), or None: paint here
        self._curves_shown = 0  # bumped per `set_curves`: part of what an image shows
        self._image: tuple[tuple, QImage] | None = None  # (view key, rendered image)
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(REPAINT_DELAY_MS)
        self._repaint.timeout.connect(self._render)

    # -- state ----------------------------------------------------------------------------
    def set_curves(self, curves: list[Curve], k: int, temperature: float) -> None:
        """A new click's distributions; painted in the next frame, not the lists' frame (the
        visitor waits for the lists; the plot costs ~2 ms), on the renderer's thread if any."""
        self.curves, self.k, self.temperature = list(curves), int(k), float(temperature)
        self._curves_shown += 1
        self._repaint.start()

    def set_renderer(self, renderer: Any) -> None:
        """Render after-click frames with `renderer` (`ChartRenderer`), or here (None)."""
        if self.renderer is not None:
            self.renderer.rendered.disconnect(self._rendered)
        self.renderer = renderer
        if renderer is not None:
            renderer.rendered.connect(self._rendered)

    def set_temperature(self, temperature: float) -> None:
        self.temperature = float(temperature)
        self.update()

    def set_scales(self, log_rank: bool, log_prob: bool) -> None:
        self.log_rank, self.log_prob = bool(log_rank), bool(log_prob)
        self.update()

    def set_marked(self, item_id: int | None) -> None:
        if item_id != self.marked:
            self.marked = item_id
            self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        em = self.fontMetrics().height()
        return QSize(em * 30, em * 7)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        em = self.fontMetrics().height()
        return QSize(em * 16, em * 5)

    # -- painting -------------------------------------------------------------------------
    def view_key(self) -> tuple:
        """What a paint of the plot depends on: an image rendered for another key is stale."""
        theme, font = self.theme, self.font()
        view = (self._curves_shown, self.k, self.temperature, self.log_rank, self.log_prob)
        looks = (self.marked, theme.name, theme.base_point_size, font.key())
        return (*view, *looks, self.width(), self.height(), self.devicePixelRatioF())

    def frame(self) -> PlotFrame:
        """A copy of everything the next paint reads, for a worker thread to render."""
        curves = [
            Curve(curve.key, curve.title, curve.softmax.at(self.temperature), curve.item_ids)
            for curve in self.curves
        ]
        marked_name = self.describe(self.marked)[0] if self.marked is not None else ""
        view = (self.temperature, self.k, self.log_rank, self.log_prob, self.marked)
        return PlotFrame(
            self.view_key(),
            curves,
            view,
            self.theme,
            self.font(),
            marked_name,
            self.size(),
            self.devicePixelRatioF(),
        )

    def _render(self) -> None:
        if self.renderer is None or not self.curves or not self.isVisible():
            self.update()  # painted here, in the next frame
            return
        self.renderer.render(self.frame())

    def _rendered(self, key: tuple, image: QImage | None) -> None:
        if key == self.view_key():  # still what the plot should show (None: paint it here)
            self._image = (key, image) if image is not None else None
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        if self._image is not None and self._image[0] == self.view_key():
            painter.drawImage(0, 0, self._image[1])  # rendered on the worker thread
        else:
            self._image = None
            self.paint_chart(painter, self.rect())
        painter.end()

    # -- the mouse ------------------------------------------------------------------------
    def item_at(self, x: float, y: float) -> int | None:
        """The product whose point is closest to (x, y), at the rank under x."""
        if not self.curves:
            return None
        axes = self.axes(self.rect())
        rank = axes.rank_at(x)
        best: tuple[float, int] | None = None
        for curve in self.curves:
            item = curve.item_at_rank(rank)
            if item is None:
                continue
            distance = abs(axes.y(float(curve.softmax.probs(self.temperature)[rank - 1])) - y)
            if best is None or distance < best[0]:
                best = (distance, item)
        return best[1] if best else None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        item = self.item_at(event.position().x(), event.position().y())
        if item is not None and event.button() == Qt.MouseButton.LeftButton:
            self.set_marked(item)
            self.item_marked.emit(item)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        axes = self.axes(self.rect())
        if not self.curves or not axes.area.contains(event.position()):
            QToolTip.hideText()
            return
        rank = axes.rank_at(event.position().x())
        lines = [f"rank {rank:,}"]
        for curve in self.curves:
            item = curve.item_at_rank(rank)
            if item is not None:
                prob = float(curve.softmax.probs(self.temperature)[rank - 1])
                lines.append(f"{curve.title}: {self.describe(item)[0]} · {percent(prob)}")
        QToolTip.showText(event.globalPosition().toPoint(), "\n".join(lines), self)
