"""The whole softmax distribution over the catalogue, best product first, one curve per model:
what the top-k list leaves out, and what the temperature does to all of it at once.

The top k are shaded, the uniform share 1/n is a dotted line, and the product under the mouse in
a recommendation list (or clicked here) is marked on every curve. Curves are drawn from the
cached sorted probabilities with a point every few pixels: about 1 ms a curve.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from shopdemo.ui.distribution_axes import Axes, Curve, percent
from shopdemo.ui.theme import Theme

PIXELS_PER_POINT = 3  # curve resolution: a smooth decreasing curve needs no more
REPAINT_DELAY_MS = 20  # after a click the lists paint first; the plot follows a frame later


class DistributionPlot(QWidget):
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
        self._repaint = QTimer(self)
        self._repaint.setSingleShot(True)
        self._repaint.setInterval(REPAINT_DELAY_MS)
        self._repaint.timeout.connect(self.update)

    # -- state ----------------------------------------------------------------------------
    def set_curves(self, curves: list[Curve], k: int, temperature: float) -> None:
        """A new click's distributions; painted in the next frame, not the lists' frame (the
        visitor waits for the lists; the plot costs ~3 ms)."""
        self.curves, self.k, self.temperature = list(curves), int(k), float(temperature)
        self._repaint.start()

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

    def n_items(self) -> int:
        return max((len(curve.softmax) for curve in self.curves), default=0)

    def sizeHint(self) -> QSize:  # noqa: N802
        em = self.fontMetrics().height()
        return QSize(em * 30, em * 7)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        em = self.fontMetrics().height()
        return QSize(em * 16, em * 5)

    def axes(self, rect: QRect) -> Axes:
        """The scales for painting into `rect` (room left for labels and the legend)."""
        metrics = self.fontMetrics()
        em = metrics.height()
        left = metrics.horizontalAdvance("1e-12") + 12
        area = QRectF(
            rect.left() + left,
            rect.top() + em * 1.4,
            max(rect.width() - left - em, 10),
            max(rect.height() - em * 2.8, 10),
        )
        return Axes.fit(self.curves, self.temperature, area, self.log_rank, self.log_prob)

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        self.paint_chart(painter, self.rect())
        painter.end()

    def paint_chart(self, painter: QPainter, rect: QRect) -> None:
        """Everything the plot shows, into `rect` (the widget, or an exported image)."""
        painter.save()
        painter.setFont(self.font())
        if not self.curves:
            painter.setPen(self.theme.colour("muted"))
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                "The distribution appears when a model is loaded.",
            )
            painter.restore()
            return
        axes = self.axes(rect)
        self._paint_axes(painter, axes)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)  # the curves only: it costs
        for curve in self.curves:
            self._paint_curve(painter, curve, axes)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self._paint_k_and_uniform(painter, axes)
        self._paint_legend(painter, rect, axes)
        if self.marked is not None:
            self._paint_marked(painter, axes)
        painter.restore()

    def _paint_axes(self, painter: QPainter, axes: Axes) -> None:
        theme, area = self.theme, axes.area
        metrics = self.fontMetrics()
        painter.setPen(QPen(theme.colour("border"), 1))
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        painter.drawLine(area.bottomLeft(), area.topLeft())
        for value, label in axes.y_ticks(int(area.height() / (metrics.height() * 1.2))):
            y = axes.y(value)
            painter.setPen(QPen(theme.colour("surface_alt"), 1))
            painter.drawLine(QPointF(area.left() + 1, y), QPointF(area.right(), y))
            painter.setPen(theme.colour("muted"))
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, area.left() - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        for rank in axes.x_ticks():
            painter.drawText(
                QRectF(axes.x(rank) - 40, area.bottom() + 2, 80, metrics.height()),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                f"{rank:,}",
            )

    def _paint_curve(self, painter: QPainter, curve: Curve, axes: Axes) -> None:
        probs = curve.softmax.probs(self.temperature)  # (n_items,) descending
        if len(probs) == 0:
            return
        # whole ranks where they really are (no staircase at the head of a log axis), a point
        # every PIXELS_PER_POINT pixels: wide antialiased lines cost per point
        ranks = axes.sample_ranks(len(probs), int(axes.area.width() / PIXELS_PER_POINT))
        xs = axes.xs(ranks.astype(float)).tolist()
        ys = axes.ys(probs[ranks - 1])  # (points,)
        colour = self.theme.model_colour(curve.colour_key())
        head = ranks <= self.k
        if head.any():  # the top k, shaded under the curve
            shade = QColor(colour)
            shade.setAlpha(60)
            head_x = [x for x, inside in zip(xs, head, strict=True) if inside]
            bottom = axes.area.bottom()
            polygon = QPolygonF(
                [QPointF(head_x[0], bottom)]
                + list(map(QPointF, head_x, ys[head].tolist()))
                + [QPointF(head_x[-1], bottom)]
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(shade)
            painter.drawPolygon(polygon)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, 2))
        painter.drawPolyline(QPolygonF(list(map(QPointF, xs, ys.tolist()))))

    def _paint_k_and_uniform(self, painter: QPainter, axes: Axes) -> None:
        metrics, area = self.fontMetrics(), axes.area
        muted = self.theme.colour("muted")
        painter.setPen(QPen(muted, 1, Qt.PenStyle.DashLine))
        x = axes.x(self.k + 0.5)
        painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.setPen(muted)
        label = f"top {self.k}"
        painter.drawText(
            QRectF(x + 4, area.top(), metrics.horizontalAdvance(label) + 8, metrics.height()),
            Qt.AlignmentFlag.AlignLeft,
            label,
        )
        n_items = self.n_items()
        y = axes.y(1.0 / max(n_items, 1))
        if self.log_prob or y < area.bottom() - 2:  # on a linear axis it sits on the floor
            painter.setPen(QPen(muted, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            label = f"uniform 1/{n_items:,}"
            width = metrics.horizontalAdvance(label) + 4
            painter.setPen(muted)
            painter.drawText(
                QRectF(area.right() - width, y - metrics.height(), width, metrics.height()),
                Qt.AlignmentFlag.AlignRight,
                label,
            )

    def _paint_legend(self, painter: QPainter, rect: QRect, axes: Axes) -> None:
        metrics = self.fontMetrics()
        x, top = axes.area.left(), rect.top() + 2
        square = metrics.height() * 0.6
        for curve in self.curves:
            mass = curve.softmax.top_mass(self.k, self.temperature)
            text = f"{curve.title}: top {self.k} hold {mass * 100:.0f}%"
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.theme.model_colour(curve.colour_key()))
            painter.drawRect(QRectF(x, top + (metrics.height() - square) / 2, square, square))
            x += square + 4
            painter.setPen(self.theme.colour("text"))
            width = metrics.horizontalAdvance(text) + 2
            painter.drawText(
                QRectF(x, top, width, metrics.height()), Qt.AlignmentFlag.AlignLeft, text
            )
            x += width + metrics.height()
        painter.setPen(self.theme.colour("muted"))
        painter.drawText(
            QRectF(rect.left(), top, rect.width() - 4, metrics.height()),
            Qt.AlignmentFlag.AlignRight,
            f"T = {self.temperature:.2f}",
        )

    def _paint_marked(self, painter: QPainter, axes: Axes) -> None:
        """A dot on every curve at the marked product, and one line naming its places."""
        font = self.theme.font(0.9)
        metrics = QFontMetrics(font)
        painter.setFont(font)
        lines = []
        for curve in self.curves:
            index = curve.index_of(self.marked)
            if index is None:
                continue
            rank = curve.softmax.rank_of(index)
            prob = float(curve.softmax.probs(self.temperature)[rank - 1])
            painter.setPen(QPen(self.theme.colour("text"), 1.5))
            painter.setBrush(self.theme.model_colour(curve.colour_key()))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawEllipse(QPointF(axes.x(rank), axes.y(prob)), 5, 5)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            lines.append(f"{curve.title} #{rank:,} · {percent(prob)}")
        if not lines:
            return
        text = f"{self.describe(self.marked)[0]}: " + " · ".join(lines)
        area = axes.area
        width = min(metrics.horizontalAdvance(text) + 24, int(area.width()))
        box = QRectF(
            area.right() - width, area.top() + metrics.height() * 1.2, width, metrics.height() + 4
        )
        painter.setPen(QPen(self.theme.colour("border"), 1))
        painter.setBrush(self.theme.colour("surface"))
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(self.theme.colour("text"))
        painter.drawText(
            box.adjusted(6, 0, -6, 0),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, int(box.width()) - 12),
        )

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
