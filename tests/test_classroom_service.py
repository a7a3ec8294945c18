"""The classroom logic without Qt: what-if deltas and leave-one-out influence (hand-computed with
a counting model), the replay stepper, the history table and the retrain split and job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from test_ui_support import make_service

from shopdemo.catalog import load_catalog
from shopdemo.data import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.models.base import ItemIndex, Prediction, top_k_prediction
from shopdemo.scenarios import Step
from shopdemo.service.classroom_replay import (
    Move,
    Playlist,
    Stepper,
    from_history,
    history_rows,
)
from shopdemo.service.classroom_retrain import (
    RetrainJob,
    RetrainPlan,
    Verdict,
    accept,
    split_data,
    usable_sessions,
)
from shopdemo.service.classroom_whatif import (
    attention_per_click,
    gate_per_click,
    insert_click,
    move_click,
    remove_click,
    strongest,
    what_if,
    what_if_model,
)
from shopdemo.store import SessionStore


class CountModel:
    """Scores item j by log(1 + times j was clicked): softmax is then (1 + count_j) / total,
    so every probability below is a fraction computed by hand. Attention, if given, is the
    last row it reports for any session (as SASRec would, over the last len(row) clicks)."""

    def __init__(self, name: str, last_row: Sequence[float] = ()) -> None:
        self.name = name
        self.item_ids = np.array([1, 2, 3], dtype=np.int64)
        self.index = ItemIndex(self.item_ids)
        self.last_row = np.asarray(last_row, dtype=np.float64)

    def predict(self, session: Sequence[int], k: int = 10, temperature: float = 1.0) -> Prediction:
        known, unknown = self.index.encode(session)
        counts = np.bincount(known, minlength=3).astype(np.float64)
        extras = {}
        if len(self.last_row) and len(known):
            width = min(len(self.last_row), len(known))
            square = np.tile(
                self.last_row[-width:], (width, 1)
            )  # (L, L); only the last row matters
            extras["attention"] = square[None, None]  # (1, 1, L, L)
        return top_k_prediction(
            np.log1p(counts), self.item_ids, k, temperature, unknown=unknown, extras=extras
        )

    def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        return np.stack([np.log1p(np.bincount(p, minlength=3)) for p in prefixes])


# -- what-if ----------------------------------------------------------------------------------
def test_edits_work_on_a_copy() -> None:
    session = (10, 20, 30)
    assert remove_click(session, 1) == (10, 30)
    assert move_click(session, 0, 2) == (20, 30, 10)
    assert move_click(session, 2, 0) == (30, 10, 20)
    assert insert_click(session, 3, 40) == (10, 20, 30, 40)
    assert insert_click(session, 0, 40) == (40, 10, 20, 30)
    assert session == (10, 20, 30)
    with pytest.raises(IndexError):
        remove_click(session, 3)


def test_probability_changes_are_the_hand_computed_fractions() -> None:
    model = CountModel("gru4rec")
    # before [1, 1]: (3, 1, 1) / 5; after [2, 2, 3]: (1, 3, 2) / 6
    result = what_if_model("gru4rec", model, [1, 1], [2, 2, 3], k=2)
    rows = [(c.item, c.before, c.after, c.rank_before, c.rank_after) for c in result.changes]
    assert rows == [
        (2, pytest.approx(1 / 5), pytest.approx(3 / 6), 3, 1),  # 2 and 3 tie: both rank 3
        (3, pytest.approx(1 / 5), pytest.approx(2 / 6), 3, 2),
        (1, pytest.approx(3 / 5), pytest.approx(1 / 6), 1, 3),  # left the top 2
    ]
    assert [c.delta for c in result.changes] == pytest.approx([3 / 10, 2 / 15, -13 / 30])


def test_leave_one_out_influence_is_hand_computed() -> None:
    # [1, 1, 2]: p(1) = 3/6; without a "1": [1, 2] -> 2/5; without the "2": [1, 1] -> 3/5
    model = CountModel("sasrec", last_row=[0.2, 0.3, 0.5])
    result = what_if_model("sasrec", model, [1, 1, 2], [1, 1, 2], k=3)
    assert result.top_item == 1 and result.top_prob == pytest.approx(0.5)
    assert [e.without for e in result.effects] == pytest.approx([0.4, 0.4, 0.6])
    assert [e.influence for e in result.effects] == pytest.approx([0.1, 0.1, -0.1])
    assert [e.new_top for e in result.effects] == [1, 1, 1]
    assert [e.attention for e in result.effects] == pytest.approx([0.2, 0.3, 0.5])
    # The click SASRec looks at most is not the one that holds its top pick up.
    assert strongest(result.effects, "attention").position == 2
    assert strongest(result.effects, "influence").position == 0
    assert all(change.delta == 0 for change in result.changes)  # nothing edited


def test_temperature_flattens_the_probabilities() -> None:
    # T = 2 halves the log-counts: p is proportional to sqrt(1 + count).
    result = what_if_model("gru4rec", CountModel("gru4rec"), [1, 1, 2], [1, 1, 2], temperature=2)
    total = np.sqrt(3) + np.sqrt(2) + 1
    assert result.top_prob == pytest.approx(np.sqrt(3) / total)


def test_attention_lands_on_the_clicks_the_model_read() -> None:
    model = CountModel("sasrec", last_row=[0.25, 0.75])  # a window of two clicks
    session = [1, 99, 2, 3]  # 99 is unknown: skipped, so the window is the clicks 2 and 3
    prediction = model.predict(session)
    assert attention_per_click(prediction, session) == [None, None, 0.25, 0.75]
    gates = np.array([[[0.1, 0.3], [0.5, 0.7]]])  # (layers 1, L 2, hidden 2)
    gru = Prediction([], [], np.zeros(3), unknown=[99], extras={"update_gate": gates})
    assert gate_per_click(gru, [1, 99, 2]) == pytest.approx([0.2, None, 0.6])
    assert attention_per_click(gru, [1, 99, 2]) == [None, None, None]


def test_what_if_skips_missing_models_and_keeps_order() -> None:
    models = {"gru4rec": CountModel("gru4rec"), "sasrec": None, "pop": CountModel("pop")}
    assert list(what_if(models, [1], [1, 2])) == ["gru4rec", "pop"]


# -- replay -----------------------------------------------------------------------------------
def playlist() -> Playlist:
    steps = (Step(11, "a"), Step(12, "b"), Step(13, "c", new_session=True), Step(14, "d"))
    return Playlist("t", "intro", steps, "test")


def test_stepping_forward_adds_one_click_or_starts_a_new_session() -> None:
    stepper = Stepper(playlist())
    assert stepper.at_start and stepper.previous(()) is None
    assert stepper.next(()) == Move(0, True, (11,))  # every playlist starts a new session
    assert stepper.next((11,)) == Move(1, False, (12,))
    assert stepper.next((11, 12)) == Move(2, True, (13,))  # new_session step
    assert stepper.next((13,)) == Move(3, False, (14,))
    assert stepper.at_end and stepper.next((13, 14)) is None


def test_stepping_back_replays_the_earlier_session() -> None:
    stepper = Stepper(playlist())
    stepper.go(3, ())
    assert stepper.previous((13, 14)) == Move(2, True, (13,))
    assert stepper.previous((13,)) == Move(1, True, (11, 12))
    assert stepper.previous((11, 12)) == Move(0, True, (11,))
    assert stepper.previous((11,)) == Move(-1, True, ())
    assert stepper.go(9, ()) == Move(3, True, (13, 14))  # clipped to the last step


def test_a_session_changed_by_the_user_is_replayed_from_scratch() -> None:
    stepper = Stepper(playlist())
    stepper.next(())
    assert stepper.next((11, 500)) == Move(1, True, (11, 12))  # the visitor clicked 500 meanwhile


def make_store(tmp_path: Path) -> SessionStore:
    store = SessionStore(f"sqlite:///{tmp_path / 'history.sqlite3'}")
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    for origin, items in (("live", [5, 6, 7]), ("imported", [8, 9]), ("live", [])):
        number = store.new_visitor(origin=origin, now=when).number
        for item in items:
            store.log_event(number, item, source="search" if item == 6 else "browse")
        if items:
            store.log_event(number, items[0], kind="add_to_cart")
    return store


def test_history_lists_sessions_newest_first_with_click_counts(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    rows = history_rows(store)
    assert [(r.number, r.origin, r.clicks, r.events) for r in rows] == [
        (3, "live", 0, 0),
        (2, "imported", 2, 3),
        (1, "live", 3, 4),
    ]
    assert [r.number for r in history_rows(store, origin="live")] == [3, 1]
    assert [r.number for r in history_rows(store, origin="imported")] == [2]
    assert history_rows(store, origin="replay") == []
    store.close()


def test_a_past_session_becomes_a_playlist_of_its_clicks(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.log_event(1, 999_999, source="browse")  # not a product of this shop
    played = from_history(store, load_catalog(), 1)
    assert [step.product_id for step in played.steps] == [5, 6, 7]
    assert played.steps[1].caption.startswith("Click 2 of 3: ")
    assert "found by search" in played.steps[1].caption
    assert "1 click on a product this shop does not have is left out" in played.description
    with pytest.raises(ShopDemoError, match="session 3 has no clicks"):
        from_history(store, load_catalog(), 3)
    store.close()


# -- retraining -------------------------------------------------------------------------------
def log_of(sessions: dict[int, list[int]]) -> SessionLog:
    ids = [s for s, items in sessions.items() for _ in items]
    items = [i for s in sessions.values() for i in s]
    return SessionLog(np.array(ids), np.array(items), np.arange(len(items), dtype=float))


def test_usable_sessions_drop_unknown_items_and_single_clicks() -> None:
    log = log_of({1: [1, 2], 2: [3, 999], 3: [4, 5, 999]})
    kept = usable_sessions(log, {1, 2, 3, 4, 5})
    assert kept.session_ids.tolist() == [1, 1, 3, 3] and kept.item_ids.tolist() == [1, 2, 4, 5]


def test_the_split_holds_out_the_newest_store_sessions_and_extra_simulated_ones() -> None:
    store = log_of({s: [s, s + 1] for s in range(1, 6)})  # store sessions 1..5
    simulated = log_of({s: [100 + s, 200 + s] for s in range(1, 5)})  # simulated 1..4
    extra = log_of({s: [300 + s, 400 + s] for s in range(1, 3)})  # held-out simulated 1..2
    plan = RetrainPlan("gru4rec", test_share=0.2, valid_every=3)
    data = split_data(store, simulated, extra, plan)
    # Held out: store session 5 (the newest fifth) and both extra sessions. Ids are shifted
    # so nothing merges: simulated 1-4 become 7-10 (past the store's 5), extra 1-2 become 12-13.
    assert np.unique(data.test.session_ids).tolist() == [5, 12, 13]
    assert data.test.item_ids.tolist() == [5, 6, 301, 401, 302, 402]
    # The pool is store 1-4 then simulated 1-4 (ids 7-10); every third session validates.
    assert np.unique(data.valid.session_ids).tolist() == [3, 8]
    assert np.unique(data.train.session_ids).tolist() == [1, 2, 4, 7, 9, 10]
    counts = (data.store_train, data.store_test, data.simulated_train, data.simulated_test)
    assert counts == (4, 1, 4, 2)
    assert "4 of the shop's sessions + 4 simulated" in data.describe()


def test_the_verdict_adds_recall_and_mrr() -> None:
    metrics = {
        "current": {"Recall@20": 0.5, "MRR@20": 0.2},
        "new": {"Recall@20": 0.45, "MRR@20": 0.3},
    }
    assert Verdict(metrics, 10, 0).new_is_better
    assert not Verdict(metrics, 10, 0, problem="knows only 3 products").new_is_better
    assert Verdict({"new": {"Recall@20": 0.0}}, 10, 0).new_is_better  # nothing to beat


def tiny_plan(**changes: object) -> RetrainPlan:
    values = dict(
        key="gru4rec",
        simulated=600,
        min_test=60,
        epochs=2,
        seed=3,
        overrides={"layers": [16], "n_sample": 64, "batch_size": 32},
    )
    return RetrainPlan(**{**values, **changes})


def test_retraining_compares_both_models_on_the_same_held_out_sessions(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    for items in ([500, 501, 502], [600, 601]):
        service.new_visitor()
        for item in items:
            service.record_click(item)
    current = service.slots["gru4rec"].model
    job = RetrainJob(tiny_plan(), service.store, service.catalog, current)
    reports = list(job.run(lambda: False))
    data, epochs, verdict = reports[0], reports[1:-1], reports[-1]
    assert (data.store_train, data.store_test, data.simulated_test) == (1, 1, 59)
    assert [r.epoch for r in epochs] == [1, 2] and "Recall@20" in epochs[0].valid
    assert set(verdict.metrics) == {"current", "new"} and verdict.targets > 0
    assert verdict is job.verdict and job.candidate is not None
    assert service.slots["gru4rec"].model is current  # nothing swapped before accepting

    assert accept(service, job.candidate) == (True, "")
    assert service.slots["gru4rec"].model is job.candidate.model
    saved = tmp_path / "models" / "gru4rec.pt"
    from shopdemo.models import load_model

    reloaded = load_model(saved)
    assert (
        reloaded.predict([500, 501], k=5).items == job.candidate.model.predict([500, 501], 5).items
    )
    service.close()


def test_a_cancelled_retraining_leaves_no_candidate(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    job = RetrainJob(tiny_plan(epochs=50), service.store, service.catalog, None)
    reports = []
    for report in job.run(lambda: len(reports) >= 1):
        reports.append(report)
    assert reports[-1].cancelled and job.candidate is None and job.verdict is None
    service.close()
