"""The classroom tools in the real window (pytest-qt, offscreen): the scenario player, what-if
editing, the session history and retraining from the shop's log.

The window runs over the fake models of test_ui_support: after a session ending in product x,
GRU4Rec's top pick is x + 1 and SASRec's x + 2, so expectations are computed by hand.
Retraining trains a real (tiny) GRU4Rec on its worker thread; the tests wait for its signals.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QModelIndex
from test_ui_support import click_events, make_service

from shopdemo.scenarios import bundled_scenarios
from shopdemo.service.classroom_retrain import RetrainPlan
from shopdemo.ui.classroom_actions import ClassroomActions, install_classroom_actions
from shopdemo.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    torch.set_num_threads(1)
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=False)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    yield window
    window.close()
    service.close()


@pytest.fixture
def actions(window: MainWindow) -> ClassroomActions:
    return install_classroom_actions(window)


def top_pick(window: MainWindow, key: str) -> int:
    return window.panel.columns[key].list.rows.rows[0].item_id


def session_origin(window: MainWindow) -> str:
    info, _ = window.service.store.load_session(window.service.session_number)
    return info.origin


# -- entry points -----------------------------------------------------------------------------
def test_installing_twice_gives_one_menu_and_toolbar(window: MainWindow) -> None:
    first = install_classroom_actions(window)
    assert install_classroom_actions(window) is first
    assert len(window.findChildren(ClassroomActions)) == 1
    texts = [action.text() for action in first.menu.actions() if action.text()]
    assert texts == [
        "Guided scenarios",
        "Next step",
        "Previous step",
        "What if…",
        "Session history…",
        "Train from the shop's log…",
    ]
    assert first.toolbar.isVisibleTo(window)


# -- guided scenarios -------------------------------------------------------------------------
def test_the_player_steps_forward_and_back_and_logs_replay_clicks(
    qtbot,
    window: MainWindow,
    actions: ClassroomActions,  # noqa: ANN001
) -> None:
    actions.scenarios_action.trigger()
    player = actions.player
    assert player.isVisible() and actions.next_action.isEnabled()
    scenario = bundled_scenarios()[0]
    assert player.choice.currentText() == scenario.title
    assert player.step_label.text().startswith("Introduction")
    with qtbot.waitSignal(player.step_shown, timeout=2000) as shown:
        player.next_button.click()
    assert shown.args == [0]
    assert window.service.clicks == scenario.session_at(0)
    assert session_origin(window) == "replay"
    assert scenario.steps[0].caption[:40] in player.caption.text()
    first_session = window.service.session_number
    actions.next_action.trigger()  # Ctrl+Right
    player.next()
    assert window.service.clicks == scenario.session_at(2)
    assert window.service.session_number == first_session  # forward adds one click
    assert click_events(window.service) == [
        (item, "click", "replay") for item in scenario.session_at(2)
    ]
    last = scenario.steps[2].product_id
    assert (top_pick(window, "gru4rec"), top_pick(window, "sasrec")) == (last + 1, last + 2)
    assert player.step_label.text() == f"Step 3 of {len(scenario.steps)}"

    player.previous_button.click()  # back: the log is append-only, so a new replay session
    assert window.service.clicks == scenario.session_at(1)
    assert window.service.session_number != first_session
    assert click_events(window.service) == [
        (item, "click", "replay") for item in scenario.session_at(1)
    ]
    assert top_pick(window, "gru4rec") == scenario.steps[1].product_id + 1
    _, old_events = window.service.store.load_session(first_session)
    assert len(old_events) == 3  # the earlier session is left as it was


def test_a_new_session_step_starts_a_new_visitor(
    window: MainWindow, actions: ClassroomActions
) -> None:
    player = actions.show_player()
    player.choice.setCurrentIndex(player.choice.findText("Cold start"))
    player.go(1)
    phone_session = window.service.session_number
    player.next()  # step 3 has new_session = true
    assert window.service.clicks == (player.stepper.playlist.steps[2].product_id,)
    assert window.service.session_number != phone_session
    assert session_origin(window) == "replay"
    assert "New visitor" in player.caption.text()


def test_auto_play_walks_to_the_end_and_stops(
    window: MainWindow, actions: ClassroomActions
) -> None:
    player = actions.show_player()
    player.choice.setCurrentIndex(player.choice.findText("Funnel: order matters"))
    steps = len(player.stepper.playlist.steps)
    player.speed.setValue(2)
    player.auto_button.click()
    assert player.timer.isActive() and player.timer.interval() == 2000
    for _ in range(steps):
        player.timer.timeout.emit()  # each tick is one step
    assert player.stepper.at_end and not player.auto_button.isChecked()
    assert not player.timer.isActive()
    assert window.service.clicks == player.stepper.playlist.session_at(steps - 1)


def test_a_malformed_teacher_file_shows_the_loaders_one_line(
    qtbot,
    window: MainWindow,
    actions: ClassroomActions,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    player = actions.show_player()
    bad = tmp_path / "my-lesson.toml"
    bad.write_text(
        'title = "x"\ndescription = "y"\n[[steps]]\nclick = 1\ncaption = "a"\n'
        '[[steps]]\nclick = 2\ncaptoin = "z"\n'
    )
    count = player.choice.count()
    with qtbot.waitSignal(player.problem_shown, timeout=1000) as problem:
        assert player.open_file(bad) is False
    message = problem.args[0]
    assert message.startswith(f"{bad}:8: step 2: unknown key 'captoin'") and "\n" not in message
    assert "unknown key" in player.caption.text() and "Traceback" not in player.caption.text()
    assert player.choice.count() == count

    good = tmp_path / "mine.json"
    good.write_text(
        '{"title": "Mine", "description": "d", "steps": [{"click": 500, "caption": "a"},'
        ' {"click": 501, "caption": "b"}]}'
    )
    assert player.open_file(good)
    assert player.choice.currentText() == "Mine"
    player.next()
    assert window.service.clicks == (500,)


# -- what-if ----------------------------------------------------------------------------------
def test_what_if_shows_the_hand_computed_effects_and_never_touches_the_log(
    window: MainWindow, actions: ClassroomActions
) -> None:
    for item in (500, 600, 700):
        window.click_product(item)
    dialog = actions.open_whatif()
    assert dialog.edited == (500, 600, 700)
    effects = dialog.results["gru4rec"].effects
    # The fakes read only the last click: after 700 GRU4Rec's top pick is 701 with
    # p = 1 / (1 + (e^-2 + e^-3) / (1 - e^-2)) (the score falls by 2 per item after 701 and
    # by 2d + 1 before it); without 700 the top pick moves to 601 and 701 drops to ~0.
    top = 1 / (1 + (math.exp(-2) + math.exp(-3)) / (1 - math.exp(-2)))
    assert dialog.results["gru4rec"].top_item == 701
    assert dialog.results["gru4rec"].top_prob == pytest.approx(top, abs=1e-6)
    assert [e.removal for e in effects] == pytest.approx([0, 0, -top], abs=1e-6)
    assert [e.new_top for e in effects] == [701, 701, 601]
    model = dialog.effects
    # The fake SASRec attends uniformly: attention says all three clicks matter equally.
    assert [model.index(row, 2).data() for row in range(3)] == ["0.33"] * 3
    assert model.index(2, 3).data() == f"{-top * 100:+.1f} pts"
    assert model.index(0, 3).data() == "0.0 pts"

    dialog.clicks.setCurrentRow(2)
    dialog.remove_selected()  # what if the visitor had not clicked 700?
    assert dialog.edited == (500, 600)
    change = dialog.change_models["gru4rec"].changes[0]
    assert (change.item, change.rank_after) == (601, 1)
    assert change.after == pytest.approx(top, abs=1e-6) and change.before < 1e-50
    assert dialog.change_models["gru4rec"].index(0, 3).data() == f"{top * 100:+.1f} pts"

    dialog.insert_product(123, at=0)
    dialog.move_selected(1)
    assert dialog.edited == (500, 123, 600)
    dialog.clicks.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)  # a drag to the top
    assert dialog.edited == (600, 500, 123)
    assert dialog.results["sasrec"].top_item == 125  # the fake SASRec: last click + 2
    assert window.service.clicks == (500, 600, 700)  # the shop's session is untouched
    assert len(click_events(window.service)) == 3


# -- history ----------------------------------------------------------------------------------
def test_history_filters_by_origin_and_replays_a_session(
    window: MainWindow, actions: ClassroomActions
) -> None:
    store = window.service.store
    imported = store.new_visitor(origin="imported").number
    for item in (300, 301, 302):
        store.log_event(imported, item)
    window.click_product(400)  # the live session
    dialog = actions.open_history()
    assert {row.origin for row in dialog.model.rows} == {"live", "imported"}
    dialog.origin.setCurrentIndex(dialog.origin.findData("imported"))
    assert [(row.number, row.clicks) for row in dialog.model.rows] == [(imported, 3)]
    dialog.origin.setCurrentIndex(dialog.origin.findData("replay"))
    assert dialog.model.rows == [] and not dialog.replay_button.isEnabled()
    dialog.origin.setCurrentIndex(dialog.origin.findData("imported"))
    assert dialog.selected_number() == imported and dialog.replay_button.isEnabled()

    dialog.replay_button.click()
    player = actions.player
    assert player.isVisible() and player.choice.currentText() == f"Replay of session {imported}"
    player.next()
    player.next()
    assert window.service.clicks == (300, 301)
    assert session_origin(window) == "replay" and window.service.session_number != imported
    assert top_pick(window, "sasrec") == 303
    dialog.origin.setCurrentIndex(dialog.origin.findData("replay"))
    assert [row.clicks for row in dialog.model.rows] == [2]


# -- retraining -------------------------------------------------------------------------------
def tiny(dialog, epochs: int) -> None:  # noqa: ANN001
    dialog.plan_defaults = RetrainPlan(
        "gru4rec", min_test=40, seed=2, overrides={"layers": [16], "n_sample": 64}
    )
    dialog.simulated.setValue(500)
    dialog.epochs.setValue(epochs)


def test_retraining_keeps_the_window_responsive_and_accept_swaps_the_model(
    qtbot,
    window: MainWindow,
    actions: ClassroomActions,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    current = window.service.slots["gru4rec"].model
    dialog = actions.open_retrain()
    tiny(dialog, epochs=2)
    epochs = []
    dialog.epoch_reported.connect(epochs.append)
    with qtbot.waitSignal(dialog.verdict_ready, timeout=90_000) as verdict:
        dialog.start_button.click()
        # start() returned before any epoch: the training runs on the worker thread, and the
        # GUI thread is free meanwhile: a visitor can keep clicking.
        assert dialog.is_running() and dialog.cancel_button.isEnabled() and epochs == []
        window.click_product(500)
        assert top_pick(window, "gru4rec") == 501  # still the current model's answer
        assert dialog.is_running()
    assert [report.epoch for report in epochs] == [1, 2]
    assert dialog.curve.losses == [report.loss for report in epochs]
    assert set(verdict.args[0].metrics) == {"current", "new"}
    assert window.service.slots["gru4rec"].model is current  # nothing swapped yet
    assert dialog.accept_button.isVisible() and dialog.keep_button.isVisible()
    assert "held-out clicks" in dialog.results.text()

    with qtbot.waitSignal(dialog.retrain_finished, timeout=5000) as finished:
        dialog.accept_button.click()
    assert finished.args == ["gru4rec", True]
    new = window.service.slots["gru4rec"].model
    assert new is not current and type(new).__name__ == "GRU4RecRecommender"
    assert (tmp_path / "models" / "gru4rec.pt").is_file()
    assert len(window.panel.columns["gru4rec"].list.rows.rows) == 10  # the panel uses it


def test_cancelling_retraining_leaves_the_current_model_in_place(
    qtbot,
    window: MainWindow,
    actions: ClassroomActions,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    current = window.service.slots["gru4rec"].model
    dialog = actions.open_retrain()
    tiny(dialog, epochs=50)
    with qtbot.waitSignal(dialog.retrain_finished, timeout=60_000) as finished:
        dialog.start_button.click()
        dialog.cancel_button.click()
    assert finished.args == ["gru4rec", False]
    assert window.service.slots["gru4rec"].model is current
    assert not (tmp_path / "models" / "gru4rec.pt").exists()
    assert dialog.start_button.isEnabled() and "Cancelled" in dialog.status.text()


def test_keeping_the_current_model_discards_the_new_one(
    qtbot,
    window: MainWindow,
    actions: ClassroomActions,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    current = window.service.slots["gru4rec"].model
    dialog = actions.open_retrain()
    tiny(dialog, epochs=1)
    with qtbot.waitSignal(dialog.verdict_ready, timeout=90_000):
        dialog.start_button.click()
    with qtbot.waitSignal(dialog.retrain_finished, timeout=5000) as finished:
        dialog.keep_button.click()
    assert finished.args == ["gru4rec", False]
    assert window.service.slots["gru4rec"].model is current
    assert not (tmp_path / "models" / "gru4rec.pt").exists()


def test_what_if_computes_off_the_gui_thread_in_the_threaded_window(
    qtbot,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    service = make_service(tmp_path)
    window = MainWindow(service, threaded=True)
    qtbot.addWidget(window)
    window.show()
    for item in (500, 600):
        window.click_product(item)
    actions = install_classroom_actions(window)
    actions.whatif_action.trigger()  # Ctrl+I
    dialog = actions.whatif
    qtbot.waitUntil(lambda: dialog.results.get("sasrec") is not None, timeout=10_000)
    dialog.clicks.setCurrentRow(1)
    with qtbot.waitSignal(dialog.results_ready, timeout=10_000) as ready:
        dialog.remove_selected()  # the last click: the top picks move back to 501 / 502
    assert ready.args[0]["gru4rec"].top_item == 501
    assert ready.args[0]["sasrec"].top_item == 502
    window.close()
    service.close()


def test_the_classroom_item_models_pass_the_model_tester(
    qtmodeltester,  # noqa: ANN001
    window: MainWindow,
    actions: ClassroomActions,
) -> None:
    for item in (500, 600):
        window.click_product(item)
    whatif = actions.open_whatif()
    qtmodeltester.check(whatif.change_models["sasrec"])
    qtmodeltester.check(whatif.effects)
    history = actions.open_history()
    qtmodeltester.check(history.model)
    assert whatif.effects.rowCount() == 2 and history.model.rowCount() == 1
