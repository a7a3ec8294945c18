"""Work that must not run on the GUI thread, and the signals that bring its results back.

`Predictor` runs the service's `predict` on one worker thread and hands back only the newest
answer (a fast clicker never sees an old panel). `ChartRenderer` paints a chart frame (the
softmax distribution after a click) into an image on another. `JobRunner` runs a Qt-free
generator job (training, fitting a baseline) Orange-style: the job yields reports, checks
`should_stop()`, and the runner re-emits reports as signals; widgets only react to those.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMetaObject,
    QObject,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QFontDatabase

from shopdemo.service import PanelState, ShopService

log = logging.getLogger(__name__)

IMPRESSION_DELAY_MS = 300  # impressions are written once clicking pauses this long
START_EVENT = QEvent.Type(QEvent.registerEventType())  # posted by `Predictor.request`


@dataclass(frozen=True)
class PredictionRequest:
    """What to predict, captured on the GUI thread at the moment of the click."""

    session: tuple[int, ...]  # clicks, oldest first
    k: int  # list length
    temperature: float  # softmax temperature
    session_number: int  # for the impressions log
    position: int  # events the session had when the lists were requested


class _PredictionWorker(QObject):
    computed = Signal(int, object)  # request id, PanelState
    failed = Signal(int, str)

    def __init__(self, service: ShopService, latest: Callable[[], int], defer_log: bool) -> None:
        super().__init__()
        self.service = service
        self.latest = latest
        self.defer_log = defer_log  # log impressions after a pause, not while the GUI paints
        self._pending: list[PanelState] = []
        self._timer: QTimer | None = None  # created on first use, in the worker's thread

    @Slot(int, object)
    def compute(self, request: int, ask: PredictionRequest) -> None:
        if request != self.latest():
            return  # a newer click is already queued: skip the stale one
        try:
            state = self.service.predict(
                ask.session, ask.k, ask.temperature, ask.session_number, ask.position
            )
        except Exception as exc:  # a broken model must not take the window down
            log.exception("prediction failed")
            self.failed.emit(request, f"{type(exc).__name__}: {exc}")
            return
        self.computed.emit(request, state)
        self._pending.append(state)
        if not self.defer_log:
            self.flush()
            return
        if self._timer is None:
            self._timer = QTimer()
            self._timer.setSingleShot(True)
            self._timer.setInterval(IMPRESSION_DELAY_MS)
            self._timer.timeout.connect(self.flush)
        self._timer.start()

    @Slot()
    def stop_timer(self) -> None:
        """Runs in the worker's thread: a timer may only be stopped and freed there."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @Slot()
    def flush(self) -> None:
        """Write the impressions of the lists shown since the last flush."""
        pending, self._pending = self._pending, []
        for state in pending:
            try:
                self.service.log_shown(state)
            except Exception:  # the panel is shown; a failed impression log is no reason to stop
                log.exception("impressions not logged")


class Predictor(QObject):
    """`request` a prediction; `predictions_ready` delivers the newest one on the GUI thread.

    With `threaded=False` the prediction runs inside `request` (snapshots, deterministic tests).
    Threaded, the worker starts after the repaint that the click already asked for: a posted
    event of the same low priority as Qt's repaint requests, so it queues behind them. Started
    at once, the model's Python work competes with that repaint for the interpreter lock (and,
    on a busy machine, for the CPU): measured on 2 shared cores, the GUI thread then spent ~3 ms
    more per click and the lists appeared no sooner.
    """

    predictions_ready = Signal(object)  # PanelState
    prediction_failed = Signal(str)
    _requested = Signal(int, object)

    def __init__(self, service: ShopService, threaded: bool = True, parent: Any = None) -> None:
        super().__init__(parent)
        self.service = service
        self.threaded = threaded
        self._latest = 0
        self._pending: tuple[int, PredictionRequest] | None = None  # posted, not yet started
        self._thread: QThread | None = None
        self._worker = _PredictionWorker(service, lambda: self._latest, defer_log=threaded)
        if threaded:
            self._thread = QThread()
            self._thread.setObjectName("shopdemo-predict")
            self._worker.moveToThread(self._thread)
            self._requested.connect(self._worker.compute)
            self._thread.start()
        self._worker.computed.connect(self._deliver)
        self._worker.failed.connect(lambda request, text: self.prediction_failed.emit(text))

    def request(self, session: tuple[int, ...], k: int, temperature: float = 1.0) -> int:
        self._latest += 1
        ask = PredictionRequest(
            tuple(session),
            int(k),
            float(temperature),
            self.service.session_number,
            self.service.events_logged,
        )
        if self.threaded:  # started once the window has painted what the click changed
            self._pending = (self._latest, ask)
            QCoreApplication.postEvent(
                self, QEvent(START_EVENT), Qt.EventPriority.LowEventPriority.value
            )
        else:
            self._worker.compute(self._latest, ask)
        return self._latest

    def event(self, event: QEvent) -> bool:
        """The posted start: hand the newest request to the worker thread."""
        if event.type() != START_EVENT:
            return super().event(event)
        pending, self._pending = self._pending, None
        if pending is not None and self._thread is not None:
            self._requested.emit(*pending)
        return True

    @Slot(int, object)
    def _deliver(self, request: int, state: object) -> None:
        if request == self._latest:
            self.predictions_ready.emit(state)

    def shutdown(self) -> None:
        """Stop the worker thread and write the impressions it still holds."""
        self._pending = None
        if self._thread is not None:
            QMetaObject.invokeMethod(
                self._worker, "stop_timer", Qt.ConnectionType.BlockingQueuedConnection
            )
            self._thread.quit()
            self._thread.wait()
            self._thread = None
        self._worker.flush()


class _RenderWorker(QObject):
    rendered = Signal(object, object)  # the frame's key, QImage (None: it failed)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._latest: Any = None  # the newest frame asked for; older ones are skipped

    def offer(self, frame: Any) -> None:  # GUI thread
        with self._lock:
            self._latest = frame

    @Slot()
    def render(self) -> None:
        with self._lock:
            frame, self._latest = self._latest, None
        if frame is None:
            return  # a newer request already took it
        try:
            image = frame.render()
        except Exception:  # the chart then paints itself on the GUI thread
            log.exception("chart not rendered")
            image = None
        self.rendered.emit(frame.key, image)


class ChartRenderer(QObject):
    """Renders chart frames (an object with `key` and `render() -> QImage`, e.g. `PlotFrame`)
    on one worker thread; `rendered(key, image)` arrives on the GUI thread, newest frame only.

    Painting into a QImage off the GUI thread is supported by Qt where its fonts are
    (`available()`); elsewhere the chart paints itself as before."""

    rendered = Signal(object, object)  # key, QImage
    _requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = QThread()
        self._thread.setObjectName("shopdemo-render")
        self._worker = _RenderWorker()
        self._worker.moveToThread(self._thread)
        self._requested.connect(self._worker.render)
        self._worker.rendered.connect(self.rendered)
        self._thread.start()

    @staticmethod
    def available() -> bool:
        check = getattr(QFontDatabase, "supportsThreadedFontRendering", None)
        return bool(check()) if check is not None else True

    def render(self, frame: Any) -> None:
        if self._thread is None:
            return
        self._worker.offer(frame)
        self._requested.emit()

    def shutdown(self) -> None:
        """Stop the thread (after the frame it is painting, if any)."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._thread = None


class _JobWorker(QObject):
    reported = Signal(object)
    finished_ok = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        job: Callable[[Callable[[], bool]], Iterator[Any]],
        result: Callable[[], Any],
        stop: threading.Event,
    ) -> None:
        super().__init__()
        self.job, self.result, self.stop = job, result, stop

    @Slot()
    def run(self) -> None:
        try:
            for report in self.job(self.stop.is_set):
                self.reported.emit(report)
            self.finished_ok.emit(None if self.stop.is_set() else self.result())
        except Exception as exc:  # report, never crash the window
            log.exception("background job failed")
            self.failed.emit(str(exc) or type(exc).__name__)


class JobRunner(QObject):
    """One background job on its own thread: `report_emitted` per yield, then one of
    `job_finished` (result, or None when cancelled) or `job_failed`."""

    report_emitted = Signal(object)
    job_finished = Signal(object)
    job_failed = Signal(str)

    def __init__(
        self,
        job: Callable[[Callable[[], bool]], Iterator[Any]],
        result: Callable[[], Any],
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._stop = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("shopdemo-job")
        self._worker = _JobWorker(job, result, self._stop)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.reported.connect(self.report_emitted)
        self._worker.finished_ok.connect(self._finish_ok)
        self._worker.failed.connect(self._fail)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self) -> None:
        """Stop the thread (after the job returned, or right away if it never started)."""
        self._thread.quit()
        self._thread.wait()

    def _finish_ok(self, result: object) -> None:
        self.wait()
        self.job_finished.emit(result)

    def _fail(self, text: str) -> None:
        self.wait()
        self.job_failed.emit(text)
