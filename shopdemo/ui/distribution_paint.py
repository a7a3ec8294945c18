"""Painting the softmax distribution plot, apart from its widget: the same code paints the
widget, an exported PNG / SVG, and a `PlotFrame` that a worker thread renders after a click
(the plot costs ~2 ms a paint; the GUI thread then only draws the finished image).

Curves are drawn from the cached sorted probabilities with a point every few pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPolygonF

from shopdemo.ui.distribution_axes import Axes, Curve, percent
from shopdemo.ui.theme import Theme

PIXELS_PER_POINT = 3  # curve resolution: a smooth decreasing curve needs no more


class PlotPainter:
    """The plot's drawing. The class it is mixed into provides the state below, and `font()`
    and `fontMetrics()` to draw with (a widget's own, or a frame's copy)."""

    curves: list[Curve]
    temperature: float
    k: int
    log_rank: bool
    log_prob: bool
    marked: int | None  # external item id marked on every curve
    theme: Theme
    describe: Callable[[int], Any]  # item id -> (name, icon, colour)

    def n_items(self) -> int:
        return max((len(curve.softmax) for curve in self.curves), default=0)

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


class PlotFrame(PlotPainter):
    """Everything one paint of the plot reads, copied on the GUI thread (curves frozen at the
    temperature, the font, the marked product's name), so that a worker thread can render it
    while the widget lives on. `key` says which state of the widget the image shows."""

    def __init__(
        self,
        key: tuple,
        curves: list[Curve],
        view: tuple[float, int, bool, bool, int | None],
        theme: Theme,
        font: QFont,
        marked_name: str,
        size: QSize,
        ratio: float,
    ) -> None:
        self.key = key
        self.curves = curves
        self.temperature, self.k, self.log_rank, self.log_prob, self.marked = view
        self.theme = theme
        self._font = QFont(font)
        self._marked_name = marked_name
        self.size, self.ratio = QSize(size), float(ratio)

    def font(self) -> QFont:
        return self._font

    def fontMetrics(self) -> QFontMetrics:  # noqa: N802
        return QFontMetrics(self._font)

    def describe(self, item_id: int) -> tuple[str, None, None]:
        return self._marked_name, None, None

    def render(self) -> QImage:
        """The plot as the widget would paint it, at the widget's device pixel ratio."""
        image = QImage(
            max(1, round(self.size.width() * self.ratio)),
            max(1, round(self.size.height() * self.ratio)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(self.ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.paint_chart(painter, QRect(0, 0, self.size.width(), self.size.height()))
        painter.end()
        return image
