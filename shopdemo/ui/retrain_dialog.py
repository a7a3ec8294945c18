"""Train from the shop's own log: retrain GRU4Rec or SASRec on the store's sessions plus simulated
ones in the background, with progress, a live loss / Recall curve and Cancel; then compare the
new model with the current one on the same held-out sessions and swap it in only on Accept.

The work is `service.classroom_retrain.RetrainJob` on a `JobRunner` thread; this dialog only
reacts to its signals, so the window stays usable (and clickable) while it trains.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from shopdemo.service import MAIN_MODELS, TITLES
from shopdemo.service.classroom_retrain import (
    HEADLINE,
    STORE_ORIGINS,
    RetrainData,
    RetrainJob,
    RetrainPlan,
    Verdict,
    accept,
    log_summary,
)
from shopdemo.ui.history_dialog import fit_to_text
from shopdemo.ui.retrain_chart import TrainingCurve
from shopdemo.ui.theme import Theme
from shopdemo.ui.workers import JobRunner

METRICS = ("Recall@20", "MRR@20", "NDCG@20")


class RetrainDialog(QDialog):
    """Idle -> training -> deciding (Accept / Keep current) -> idle; Cancel at any time."""

    epoch_reported = Signal(object)  # EpochReport
    verdict_ready = Signal(object)  # Verdict
    retrain_finished = Signal(str, bool)  # model key, whether the new model was swapped in

    def __init__(self, window: Any, theme: Theme) -> None:
        super().__init__(window)
        self.setWindowTitle("Train from the shop's log")
        self.window, self.theme = window, theme
        self.plan_defaults = RetrainPlan("gru4rec")  # tests shrink it (tiny models, seconds)
        self.runner: JobRunner | None = None
        self.job: RetrainJob | None = None
        self.key = "gru4rec"

        self.model_box = QComboBox(self)
        self.model_box.setAccessibleName("Model to retrain")
        for key in MAIN_MODELS:
            self.model_box.addItem(TITLES[key], key)
        self.data_label = QLabel(self)
        self.data_label.setWordWrap(True)
        self.simulated = QSpinBox(self)
        self.simulated.setRange(0, 200_000)
        self.simulated.setSingleStep(1000)
        self.simulated.setGroupSeparatorShown(True)
        self.simulated.setAccessibleName("Simulated sessions")
        self.epochs = QSpinBox(self)
        self.epochs.setRange(1, 50)
        self.epochs.setAccessibleName("Epochs")
        self.holdout_label = QLabel(self)
        self.holdout_label.setWordWrap(True)
        self.holdout_label.setObjectName("muted")
        form = QFormLayout()
        form.addRow("Model", self.model_box)
        form.addRow("The shop's log", self.data_label)
        form.addRow("Plus simulated sessions", self.simulated)
        form.addRow("Epochs", self.epochs)
        form.addRow("Held out", self.holdout_label)

        self.start_button = QPushButton("Start training", self)
        self.start_button.setObjectName("primary")
        self.cancel_button = QPushButton("Cancel", self)
        self.progress = QProgressBar(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.curve = TrainingCurve(theme, parent=self)
        self.results = QLabel(self)
        self.results.setTextFormat(Qt.TextFormat.RichText)
        self.results.setWordWrap(True)
        self.save_box = QCheckBox("Save it for the next launch", self)
        self.save_box.setChecked(True)
        self.accept_button = QPushButton("Use the new model", self)
        self.keep_button = QPushButton("Keep the current model", self)

        run_row = QHBoxLayout()
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.progress, 1)
        run_row.addWidget(self.cancel_button)
        decide_row = QHBoxLayout()
        decide_row.addWidget(self.save_box)
        decide_row.addStretch(1)
        decide_row.addWidget(self.keep_button)
        decide_row.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(run_row)
        layout.addWidget(self.status)
        layout.addWidget(self.curve, 1)
        layout.addWidget(self.results)
        layout.addLayout(decide_row)

        self.model_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.accept_button.clicked.connect(self.accept_new)
        self.keep_button.clicked.connect(self.keep_current)
        self.simulated.setValue(self.plan_defaults.simulated)
        self.epochs.setValue(self.plan_defaults.epochs)
        self.set_theme(theme)
        self._set_state("idle")
        fit_to_text(self, columns=60, lines=44)

    # -- state ----------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        """idle (ready to start), training, or deciding (a verdict waits for the user)."""
        self.state = state
        idle = state == "idle"
        for widget in (self.model_box, self.simulated, self.epochs):
            widget.setEnabled(idle)
        busy = self.key in getattr(self.window.jobs, "runners", {})
        self.start_button.setEnabled(idle and not busy)
        self.cancel_button.setEnabled(state == "training")
        self.progress.setVisible(state == "training")
        deciding = state == "deciding"
        self.accept_button.setVisible(deciding)
        self.keep_button.setVisible(deciding)
        self.save_box.setVisible(deciding)
        self.results.setVisible(deciding or bool(self.results.text()))

    def is_running(self) -> bool:
        return self.state == "training"

    def refresh(self) -> None:
        """Count the store's usable sessions for the chosen model (only while idle)."""
        if self.state != "idle":
            return
        self.key = self.model_box.currentData()
        sessions, clicks = log_summary(self.window.service.store, self.window.catalog)
        self.data_label.setText(
            f"{sessions:,} sessions with at least two clicks ({clicks:,} clicks) from "
            f"{', '.join(STORE_ORIGINS)} sessions; replays are left out (they repeat clicks)."
        )
        plan = self.plan_defaults
        self.holdout_label.setText(
            f"the newest {plan.test_share:.0%} of the shop's sessions, topped up with fresh "
            f"simulated ones to {plan.min_test:,}; the current and the new model are both scored "
            "on exactly these sessions (Recall@20, MRR@20, full ranking)."
        )
        busy = self.key in getattr(self.window.jobs, "runners", {})
        if busy:
            self.status.setText(f"{TITLES[self.key]} is already training in its column.")
        self._set_state("idle")

    def plan(self) -> RetrainPlan:
        return replace(
            self.plan_defaults,
            key=self.key,
            simulated=self.simulated.value(),
            epochs=self.epochs.value(),
        )

    # -- running --------------------------------------------------------------------------
    def start(self) -> None:
        if self.state != "idle":
            return
        self.key = self.model_box.currentData()
        plan = self.plan()
        current = self.window.service.slots[self.key].model
        self.job = RetrainJob(plan, self.window.service.store, self.window.catalog, current)
        self.curve.clear(plan.epochs, self.key)
        self.results.setText("")
        self.progress.setRange(0, plan.epochs)
        self.progress.setValue(0)
        self.progress.setFormat("preparing the data…")
        self.status.setText(
            f"Retraining {TITLES[self.key]}: reading the log, simulating… (you can close this "
            "window and keep using the shop; it comes back when training is done)"
        )
        self.runner = JobRunner(self.job.run, lambda: self.job, self)
        self.runner.report_emitted.connect(self._report)
        self.runner.job_finished.connect(self._finished)
        self.runner.job_failed.connect(self._failed)
        self._set_state("training")
        self.runner.start()

    def cancel(self) -> None:
        if self.runner is not None and self.state == "training":
            self.runner.cancel()
            self.status.setText("Cancelling after the current mini-batch…")

    def _report(self, report: object) -> None:
        if isinstance(report, RetrainData):
            self.status.setText(html.escape(report.describe().capitalize()) + ".")
        elif isinstance(report, Verdict):
            self.progress.setFormat("comparing…")
        elif hasattr(report, "epoch"):
            recall = report.valid.get("Recall@20") if report.valid else None
            self.curve.add_epoch(report.loss, recall)
            self.progress.setRange(0, report.epochs)
            self.progress.setValue(report.epoch)
            self.progress.setFormat(f"epoch {report.epoch}/{report.epochs}")
            extra = f", validation Recall@20 {recall:.3f}" if recall is not None else ""
            stop = " (no gain for a while: stopping early)" if report.stopped_early else ""
            self.status.setText(f"Epoch {report.epoch}: loss {report.loss:.3f}{extra}{stop}")
            self.epoch_reported.emit(report)

    def _finished(self, job: object) -> None:
        self._release_runner()
        if not isinstance(job, RetrainJob) or job.verdict is None or job.candidate is None:
            self.job = None
            self.status.setText(
                f"Cancelled: {TITLES[self.key]} stays as it was; nothing was written."
            )
            self._set_state("idle")
            self.retrain_finished.emit(self.key, False)
            return
        self.results.setText(self._verdict_html(job.verdict))
        self.accept_button.setEnabled(not job.verdict.problem)
        (self.accept_button if job.verdict.new_is_better else self.keep_button).setDefault(True)
        self.status.setText("Done. Use the new model, or keep the current one?")
        self._set_state("deciding")
        self.show()  # the dialog may have been closed while it trained
        self.raise_()
        self.verdict_ready.emit(job.verdict)

    def _failed(self, text: str) -> None:
        self._release_runner()
        self.job = None
        self.status.setText(f"Retraining failed: {html.escape(text)} (the current model stays)")
        self._set_state("idle")
        self.retrain_finished.emit(self.key, False)

    def _release_runner(self) -> None:
        if self.runner is not None:
            self.runner.deleteLater()
            self.runner = None

    def _verdict_html(self, verdict: Verdict) -> str:
        names = [name for name in ("current", "new") if name in verdict.metrics]
        header = "".join(f"<th align='right'>&nbsp;{name} model&nbsp;</th>" for name in names)
        rows = []
        for metric in METRICS:
            values = [verdict.metrics[name].get(metric, 0.0) for name in names]
            best = max(values)
            cells = "".join(
                f"<td align='right'>{'<b>' if v == best and len(values) > 1 else ''}{v:.3f}</td>"
                for v in values
            )
            rows.append(f"<tr><td>{metric}</td>{cells}</tr>")
        if verdict.problem:
            advice = f"<span style='color:{self.theme.bad}'>The new model cannot be used: it "
            advice += f"{html.escape(verdict.problem)}.</span>"
        elif "current" not in verdict.metrics:
            advice = "There is no current model to beat."
        else:
            better = verdict.new_is_better
            advice = (
                f"{' + '.join(HEADLINE)}: new {verdict.score('new'):.3f} vs current "
                f"{verdict.score('current'):.3f}: <b>the "
                f"{'new' if better else 'current'} model is better</b> on these sessions."
            )
        skipped = (
            f", {verdict.skipped:,} skipped (items unseen in training)" if verdict.skipped else ""
        )
        return (
            f"<table cellspacing='6'><tr><th></th>{header}</tr>{''.join(rows)}</table>"
            f"<p>On {verdict.targets:,} held-out clicks{skipped}. {advice}</p>"
        )

    # -- the decision ---------------------------------------------------------------------
    def accept_new(self) -> None:
        if self.state != "deciding" or self.job is None or self.job.candidate is None:
            return
        swapped, problem = accept(
            self.window.service, self.job.candidate, save=self.save_box.isChecked()
        )
        if swapped:
            self.window.jobs.models_changed.emit()  # the window redraws the panel with it
        self.status.setText(problem or f"{TITLES[self.key]} now uses the new model.")
        self.job = None
        self._set_state("idle")
        self.retrain_finished.emit(self.key, swapped)

    def keep_current(self) -> None:
        if self.state != "deciding":
            return
        self.job = None
        self.status.setText(f"Kept the current {TITLES[self.key]}; the new one was discarded.")
        self._set_state("idle")
        self.retrain_finished.emit(self.key, False)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.curve.set_theme(theme)
        self.status.setFont(theme.font(1.1))

    def shutdown(self) -> None:
        """Cancel a running job and wait for its thread (the window is closing)."""
        if self.runner is not None:
            self.runner.cancel()
            self.runner.wait()
            self.runner = None
