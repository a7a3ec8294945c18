"""Background work in the window: training a missing model, cancelling it, the baseline column.

Real jobs on tiny simulated data, run on their worker threads; the tests wait for the signals.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from test_ui_support import make_service

from shopdemo.service import TrainingPlan
from shopdemo.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    torch.set_num_threads(1)
    service = make_service(tmp_path, models=("sasrec",))
    window = MainWindow(service, threaded=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    service.close()


def test_training_a_missing_model_in_the_background_swaps_it_in(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # noqa: ANN001
    out = tmp_path / "trained" / "gru4rec.pt"
    window.jobs.plans["gru4rec"] = TrainingPlan("gru4rec", out, sessions=1500, epochs=2, seed=5)
    column = window.panel.columns["gru4rec"]
    window.click_product(500)
    with qtbot.waitSignal(window.jobs.training_finished, timeout=60_000) as finished:
        column.banner.train_button.click()
        assert column.banner.cancel_button.isVisible()  # progress and cancel while it runs
    assert finished.args == ["gru4rec", True]
    assert out.is_file()
    assert window.service.slots["gru4rec"].model is not None
    assert len(column.list.rows.rows) == 10  # the new model predicts for the current session
    assert not column.banner.isVisible()


def test_cancelling_training_keeps_the_column_as_it_was(
    qtbot, window: MainWindow, tmp_path: Path
) -> None:  # noqa: ANN001
    out = tmp_path / "trained" / "gru4rec.pt"
    window.jobs.plans["gru4rec"] = TrainingPlan("gru4rec", out, sessions=3000, epochs=50, seed=5)
    column = window.panel.columns["gru4rec"]
    with qtbot.waitSignal(window.jobs.training_finished, timeout=60_000) as finished:
        column.banner.train_button.click()
        column.banner.cancel_button.click()
    assert finished.args == ["gru4rec", False]
    assert not out.exists() and window.service.slots["gru4rec"].model is None
    assert column.banner.train_button.isVisible()  # the offer is back


def test_the_baseline_column_is_off_by_default_and_can_be_added(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    assert list(window.panel.columns) == ["gru4rec", "sasrec"]
    window.jobs.baseline_sessions = 400
    window.click_product(500)
    box = window.panel.baseline_box
    box.setCurrentIndex(box.findData("markov"))
    assert list(window.panel.columns) == ["gru4rec", "sasrec", "markov"]
    qtbot.waitUntil(
        lambda: len(window.panel.columns["markov"].list.rows.rows) == 10, timeout=30_000
    )
    assert "markov" in window.scoreboard.labels
    box.setCurrentIndex(0)
    assert list(window.panel.columns) == ["gru4rec", "sasrec"]
    assert "markov" not in window.scoreboard.labels
