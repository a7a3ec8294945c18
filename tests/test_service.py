"""The service without Qt: logging through the store, predictions, ranks and the scoreboard.

Ranks come from `FakeModel` (test_ui_support): after a click on x, GRU4Rec's fake puts x + 1
first, then x + 2, x, x + 3, x - 1, ...; SASRec's fake is centred on x + 2 instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from test_ui_support import FakeModel, click_events, make_service

from shopdemo.models.checkpoint import save_checkpoint
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig
from shopdemo.service import (
    BaselineJob,
    ShopService,
    TrainingJob,
    TrainingPlan,
    rank_of,
    score_of,
    vocabulary_problem,
)


def test_rank_of_counts_ties_conservatively() -> None:
    scores = np.array([3.0, 1.0, 3.0, 2.0])
    assert rank_of(scores, 0) == 2  # the other 3.0 ranks above it
    assert rank_of(scores, 3) == 3
    assert rank_of(scores, 1) == 4


def test_score_of_hand_computed() -> None:
    score = score_of([1, None, 4, 12], k=10)
    assert (score.targets, score.hits, score.last_rank) == (4, 2, 12)
    assert score.mrr == pytest.approx((1 + 0 + 0.25 + 0) / 4)
    assert score_of([], k=10).targets == 0


def test_clicks_and_cart_are_logged_with_their_source(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    service.record_click(500, "browse")
    service.record_click(501, "rec_sasrec")
    service.record_cart(501, "rec_sasrec")
    assert service.clicks == (500, 501)
    assert service.sources == ("browse", "rec_sasrec")
    assert click_events(service) == [
        (500, "click", "browse"),
        (501, "click", "rec_sasrec"),
        (501, "add_to_cart", "rec_sasrec"),
    ]
    service.close()


def test_new_visitor_starts_an_empty_session_and_resume_restores_clicks(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    first = service.session_number
    service.record_click(500, "search")
    assert service.new_visitor() != first
    assert service.clicks == ()
    service.record_click(700, "browse")
    service.close()
    again = make_service(tmp_path)  # reopening within 30 minutes resumes the live session
    assert again.resume() == (700,)
    assert again.sources == ("browse",)
    again.close()


def test_predict_cold_start_then_ranks_one_step_earlier(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    cold = service.predict((), k=5)
    assert cold.views["gru4rec"].prediction.cold_start
    assert cold.views["gru4rec"].prediction.items == [1, 2, 3, 4, 5]
    assert cold.views["gru4rec"].score.targets == 0

    state = service.predict((500, 501, 505), k=5)
    gru, sas = state.views["gru4rec"], state.views["sasrec"]
    assert gru.prediction.items == [506, 507, 505, 508, 504]
    assert sas.prediction.items == [507, 508, 506, 509, 505]
    # After 500 GRU4Rec ranked 501 first; after 501 it ranked 505 at: 502,503,501,504,500,505 -> 6.
    assert gru.click_ranks == [1, 6]
    assert sas.click_ranks == [3, 4]  # after 500: 502,503,501; after 501: 503,504,502,505
    assert (gru.score.hits, gru.score.targets) == (1, 2)
    assert gru.score.mrr == pytest.approx((1 / 1 + 0) / 2)
    assert sas.score.mrr == pytest.approx((1 / 3 + 1 / 4) / 2)
    # Rank of 506 one click earlier (after 501, GRU4Rec centred on 502): 502,503,501,504,500,505,
    # 499,506 -> 8.
    assert gru.previous_ranks[506] == 8
    assert state.shared == frozenset({505, 506, 507, 508})


def test_unknown_clicks_are_skipped_and_unranked(tmp_path: Path) -> None:
    ids = [p for p in range(1, 1222) if p != 600]
    service = make_service(tmp_path, item_ids=ids)
    state = service.predict((599, 600), k=3)
    view = state.views["gru4rec"]
    assert view.prediction.unknown == [600]
    assert view.click_ranks == [None]


def test_impressions_are_logged_once_per_model_and_position(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    service.record_click(500)
    state = service.predict(service.clicks, k=3, session_number=service.session_number, position=1)
    service.log_shown(state)
    service.log_shown(state)
    shown = service.store.impressions(service.session_number)
    assert sorted((i.model, i.position, i.items) for i in shown) == [
        ("gru4rec", 1, (501, 502, 500)),
        ("sasrec", 1, (502, 503, 501)),
    ]


def test_a_model_for_another_catalogue_is_refused(tmp_path: Path) -> None:
    service = make_service(tmp_path, models=())
    foreign = FakeModel("gru4rec", [1, 2, 99_999])
    problem, _ = vocabulary_problem(foreign, {1, 2, 3})
    assert "different catalogue" in problem and "99999" in problem
    slot = service.install("gru4rec", foreign, "x.pt")
    assert slot.model is None and "different catalogue" in slot.problem
    assert "gru4rec" not in service.predict((1,)).views
    half = FakeModel("gru4rec", [1])
    assert "knows only 1" in vocabulary_problem(half, {1, 2, 3})[0]


def save_random_gru(path: Path, item_ids: list[int]) -> None:
    config = GRU4RecConfig(layers=[8])
    module = GRU4Rec(config, len(item_ids))
    save_checkpoint(
        path,
        model="gru4rec",
        config={"layers": [8]},
        state_dict=module.state_dict(),
        item_ids=np.asarray(item_ids),
        meta={"loss": "cross-entropy"},
    )


def test_find_checkpoint_loads_fitting_and_explains_missing_or_foreign(tmp_path: Path) -> None:
    service = ShopService.open(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "models", load_models=False
    )
    model, origin, loss, problem = service.find_checkpoint("gru4rec")
    assert model is None and problem.startswith("no checkpoint at") and "gru4rec.pt" in problem
    save_random_gru(tmp_path / "models" / "gru4rec.pt", [p.id for p in service.catalog.products])
    model, origin, loss, problem = service.find_checkpoint("gru4rec")
    assert problem == "" and loss == "cross-entropy" and origin.endswith("gru4rec.pt")
    assert len(model.predict([1, 2], k=4).items) == 4
    save_random_gru(tmp_path / "models" / "gru4rec.pt", [1, 2, 50_000])
    assert "different catalogue" in service.find_checkpoint("gru4rec")[3]
    (tmp_path / "models" / "sasrec.pt").write_bytes(b"not a checkpoint")
    assert "not a readable checkpoint" in service.find_checkpoint("sasrec")[3]
    service.close()


def test_training_job_writes_a_checkpoint_or_nothing_when_cancelled(tmp_path: Path) -> None:
    torch.set_num_threads(1)
    service = make_service(tmp_path, models=())
    out = tmp_path / "trained" / "gru4rec.pt"
    plan = TrainingPlan("gru4rec", out, sessions=1500, epochs=1, seed=3)
    cancelled = TrainingJob(plan, service.catalog)
    assert list(cancelled.run(lambda: True)) == []
    assert cancelled.model is None and not out.exists()
    job = TrainingJob(plan, service.catalog)
    reports = list(job.run(lambda: False))
    assert [r.epoch for r in reports] == [1] and out.is_file()
    slot = service.install("gru4rec", job.model, str(out), "cross-entropy")
    assert slot.model is job.model and slot.problem == ""
    assert service.predict((1,), k=3).views["gru4rec"].prediction.items


def test_baseline_job_fits_a_third_column(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    service.set_baseline("markov")
    job = BaselineJob("markov", service.catalog, sessions=300, seed=1)
    list(job.run(lambda: False))
    service.install("markov", job.model, job.origin())
    assert [slot.key for slot in service.columns()] == ["gru4rec", "sasrec", "markov"]
    assert "markov" in service.predict((1,), k=3).views
    service.set_baseline(None)
    assert "markov" not in service.predict((1,), k=3).views


def test_top_k_matches_the_full_sort_including_ties() -> None:
    from shopdemo.models.base import top_k_prediction
    from shopdemo.service import top_k

    scores = np.array([1.0, 3.0, 2.0, 3.0, 2.0, 0.0])
    ids = np.array([10, 11, 12, 13, 14, 15])
    raw = top_k_prediction(scores, ids, 1)
    shown = top_k(raw, ids, 3, temperature=1.0)
    assert shown.items == [11, 13, 12]  # ties by position, as a stable sort gives
    exp = np.exp(scores - 3.0)
    assert shown.probs[0] == pytest.approx(1.0 / exp.sum())
    assert top_k(raw, ids, 10, 2.0).items == [11, 13, 12, 14, 10, 15]
