"""Background model work for the window: loading checkpoints, training a missing model, fitting
the optional baseline. Each runs as a Qt-free job from the service on a `JobRunner` thread; the
finished model is swapped in here, on the GUI thread, and `models_changed` tells the window.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QThread, Signal

from shopdemo.service import BaselineJob, ShopService, TrainingJob, TrainingPlan
from shopdemo.ui.comparison_panel import ComparisonPanel
from shopdemo.ui.workers import JobRunner

log = logging.getLogger(__name__)


class ModelJobs(QObject):
    """At most one job per column; cancelling leaves the current model in place."""

    models_changed = Signal()
    training_finished = Signal(str, bool)  # slot key, whether a new model was installed

    def __init__(self, service: ShopService, panel: ComparisonPanel, parent: Any = None) -> None:
        super().__init__(parent)
        self.service, self.panel = service, panel
        self.runners: dict[str, JobRunner] = {}
        self.plans: dict[str, TrainingPlan] = {}  # overridable (tests train tiny models)
        self.baseline_sessions = 10_000  # simulated sessions a baseline is fitted on
        panel.train_requested.connect(self.train)
        panel.cancel_requested.connect(self.cancel)

    # -- checkpoints ----------------------------------------------------------------------
    def load_checkpoints(self) -> None:
        """Read the checkpoints off the GUI thread (torch import and weights take a second)."""
        found: dict[str, Any] = {}

        def job(should_stop: Any) -> Any:
            for key in list(self.service.slots):
                found[key] = self.service.find_checkpoint(key)
            yield from ()

        def install(_: object) -> None:
            for key, (model, origin, loss, problem) in found.items():
                if key not in self.runners:
                    self.service.install(key, model, origin, loss, problem)
            self.models_changed.emit()

        self._start("checkpoints", job, lambda: None, install)

    # -- training -------------------------------------------------------------------------
    def plan_for(self, key: str) -> TrainingPlan:
        return self.plans.get(key) or TrainingPlan(key, self.service.trained_dir() / f"{key}.pt")

    def train(self, key: str) -> None:
        if key in self.runners:
            return
        training = TrainingJob(self.plan_for(key), self.service.catalog)
        title = self.service.slots[key].title
        self.panel.show_training(key, f"Training {html.escape(title)} on simulated sessions…", 0, 0)

        def report(epoch_report: Any) -> None:
            self.panel.show_training(
                key,
                f"Training {html.escape(title)}: loss {epoch_report.loss:.3f}",
                epoch_report.epoch,
                epoch_report.epochs,
            )

        def finished(model: Any) -> None:
            slot = self.service.slots[key]
            if model is not None:
                self.service.install(key, model, str(training.plan.out), self._loss(model))
            self.models_changed.emit()
            self.training_finished.emit(key, model is not None and slot.model is model)

        self._start(key, training.run, lambda: training.model, finished, report)

    def cancel(self, key: str) -> None:
        runner = self.runners.get(key)
        if runner is not None:
            runner.cancel()

    # -- the third column -----------------------------------------------------------------
    def choose_baseline(self, key: str) -> None:
        previous = self.service.baseline.key if self.service.baseline else None
        if previous and previous in self.runners:
            self.cancel(previous)
        self.service.set_baseline(key or None)
        self.models_changed.emit()
        if not key:
            return
        job = BaselineJob(key, self.service.catalog, sessions=self.baseline_sessions)

        def finished(model: Any) -> None:
            baseline = self.service.baseline
            if model is not None and baseline is not None and baseline.key == key:
                self.service.install(key, model, job.origin(), "counting, no training")
                self.models_changed.emit()

        self._start(key, job.run, lambda: job.model, finished)

    # -- plumbing -------------------------------------------------------------------------
    def _start(self, key: str, job: Any, result: Any, finished: Any, report: Any = None) -> None:
        runner = JobRunner(job, result, self)
        self.runners[key] = runner

        def done(value: object) -> None:
            self.runners.pop(key, None)
            finished(value)
            runner.deleteLater()

        def failed(text: str) -> None:
            self.runners.pop(key, None)
            log.error("%s job failed: %s", key, text)
            slot = self.service.slots.get(key) or self.service.baseline
            if slot is not None and slot.model is None:
                slot.problem = f"failed: {text}"
            self.models_changed.emit()
            runner.deleteLater()

        if report is not None:
            runner.report_emitted.connect(report)
        runner.job_finished.connect(done)
        runner.job_failed.connect(failed)
        runner.start()

    @staticmethod
    def _loss(model: Any) -> str:
        from shopdemo.service import describe_loss

        config = getattr(model, "config", None)
        return describe_loss(
            getattr(model, "meta", {}) or {}, {"loss": getattr(config, "loss", "")}
        )

    def busy(self) -> bool:
        return bool(self.runners)

    def wait_all(self) -> None:
        """Block until every job has finished and its result is installed (snapshots, tests)."""
        application = QCoreApplication.instance()
        while self.runners:
            application.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            QThread.msleep(5)

    def shutdown(self) -> None:
        for runner in list(self.runners.values()):
            runner.cancel()
        for runner in list(self.runners.values()):
            runner.wait()
        self.runners.clear()
