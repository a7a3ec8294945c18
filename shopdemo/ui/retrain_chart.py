"""A small live chart for retraining: training loss (left axis) and validation Recall@20 (right
axis) per epoch, so the class sees the loss fall while the metric that matters rises or stalls.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from shopdemo.ui.theme import Theme


class TrainingCurve(QWidget):
    """`add_epoch(loss, recall)` after each epoch; `clear(epochs)` before a run."""

    def __init__(self, theme: Theme, key: str = "gru4rec", parent: Any = None) -> None:
        super().__init__(parent)
        self.theme, self.key = theme, key
        self.epochs = 1  # planned: the x axis runs 1..epochs
        self.losses: list[float] = []
        self.recalls: list[float | None] = []
        self.setAccessibleName("Training curve: loss and Recall@20 per epoch")
        self.setMinimumHeight(self.fontMetrics().height() * 10)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, self.fontMetrics().height() * 14)

    def clear(self, epochs: int, key: str | None = None) -> None:
        self.epochs, self.losses, self.recalls = max(1, epochs), [], []
        self.key = key or self.key
        self.update()

    def add_epoch(self, loss: float, recall: float | None) -> None:
        self.losses.append(float(loss))
        self.recalls.append(None if recall is None else float(recall))
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        theme, metrics = self.theme, self.fontMetrics()
        line = metrics.height()
        painter.fillRect(self.rect(), theme.colour("surface"))
        left_width = metrics.horizontalAdvance("0.000") + 12
        right_width = metrics.horizontalAdvance("100 %") + 12
        area = QRectF(
            left_width,
            line * 2.0,
            self.width() - left_width - right_width,
            self.height() - line * 4,
        )
        loss_colour, recall_colour = theme.model_colour(self.key), theme.colour("good")
        painter.setPen(loss_colour)
        painter.drawText(QPointF(area.left(), line * 1.2), "● training loss")
        painter.setPen(recall_colour)
        legend = "● Recall@20 on validation sessions"
        painter.drawText(
            QPointF(area.right() - metrics.horizontalAdvance(legend), line * 1.2), legend
        )
        painter.setPen(QPen(theme.colour("border"), 1))
        painter.drawRect(area)
        if not self.losses:
            painter.setPen(theme.colour("muted"))
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "The curve appears after epoch 1.")
            return

        def x_of(epoch: int) -> float:
            return area.left() + area.width() * (epoch - 1) / max(self.epochs - 1, 1)

        low, high = min(self.losses), max(self.losses)
        span = (high - low) or max(abs(high), 1.0)
        low, high = low - span * 0.1, high + span * 0.1
        recalls = [r for r in self.recalls if r is not None]
        top = min(1.0, max(recalls, default=0.0) * 1.2) or 1.0
        painter.setPen(theme.colour("muted"))
        for fraction in (0.0, 0.5, 1.0):
            y = area.bottom() - area.height() * fraction
            loss_text = f"{low + (high - low) * fraction:.3f}"
            painter.drawText(
                QRectF(0, y - line / 2, left_width - 6, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                loss_text,
            )
            painter.drawText(
                QRectF(area.right() + 6, y - line / 2, right_width, line),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{top * fraction * 100:.0f} %",
            )
        for epoch in range(1, self.epochs + 1):
            step = max(1, self.epochs // 10)
            if epoch % step == 0 or epoch == 1:
                painter.drawText(
                    QRectF(x_of(epoch) - 20, area.bottom() + 2, 40, line),
                    Qt.AlignmentFlag.AlignHCenter,
                    str(epoch),
                )
        painter.drawText(
            QRectF(area.left(), area.bottom() + line, area.width(), line),
            Qt.AlignmentFlag.AlignHCenter,
            "epoch",
        )
        loss_points = [
            QPointF(x_of(i + 1), area.bottom() - area.height() * (loss - low) / (high - low))
            for i, loss in enumerate(self.losses)
        ]
        recall_points = [
            QPointF(x_of(i + 1), area.bottom() - area.height() * recall / top)
            for i, recall in enumerate(self.recalls)
            if recall is not None
        ]
        for points, colour, style in (
            (loss_points, loss_colour, Qt.PenStyle.SolidLine),
            (recall_points, recall_colour, Qt.PenStyle.DashLine),
        ):
            painter.setPen(QPen(colour, 2.5, style))
            painter.drawPolyline(QPolygonF(points))
            painter.setBrush(colour)
            painter.setPen(Qt.PenStyle.NoPen)
            for point in points:
                painter.drawEllipse(point, 4, 4)
            painter.setBrush(Qt.BrushStyle.NoBrush)
