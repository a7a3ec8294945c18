"""SASRec: causality, the padding mask, the attention extras, training and checkpoints.

Small random-weight models check the wiring (a later click never moves an earlier prediction,
padding gets exactly zero attention); tiny datasets check that training through the shared loop
learns, is seeded, and survives a checkpoint.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict

import numpy as np
import pytest
import torch

from shopdemo.cli import main
from shopdemo.commands.train import load_config
from shopdemo.data import SessionLog
from shopdemo.models import load_model
from shopdemo.models.checkpoint import save_checkpoint
from shopdemo.models.sasrec import SASRec, SASRecConfig, SASRecRecommender, build_task
from shopdemo.models.sasrec_training import make_windows
from shopdemo.paths import assets_dir
from shopdemo.training import run_training, seed_everything


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Train and score on one torch thread, as the app does (and fast on a shared CI machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def random_model(n_items: int = 30, **overrides: object) -> SASRec:
    torch.manual_seed(0)
    config = SASRecConfig(**{"max_len": 8, "hidden": 16, "layers": 2, "heads": 2, **overrides})
    return SASRec(config, n_items).eval()


def log_of(sessions: list[list[int]]) -> SessionLog:
    session_ids = [number for number, items in enumerate(sessions) for _ in items]
    items = [item for session in sessions for item in session]
    return SessionLog.from_arrays(session_ids, items, np.arange(len(items), dtype=np.float64))


def train(sessions: list[list[int]], seed: int = 0, **overrides: object) -> SASRecRecommender:
    config = SASRecConfig(
        **{
            "max_len": 6,
            "hidden": 32,
            "layers": 1,
            "heads": 2,
            "dropout": 0.0,
            "lr": 1e-2,
            "batch_size": 4,
            "epochs": 60,
            **overrides,
        }
    )
    generator = seed_everything(seed)
    task = build_task(config, log_of(sessions))
    reports = list(run_training(task, epochs=config.epochs, generator=generator))
    assert reports[-1].loss < reports[0].loss
    return task.recommender()


TINY = [[10, 20, 30, 40], [50, 60, 70], [10, 20, 30, 40], [80, 90, 50, 60]]


def test_a_later_click_never_changes_an_earlier_state() -> None:
    model = random_model()
    tokens = torch.tensor([[0, 0, 3, 7, 1, 12, 5, 9]])
    changed = tokens.clone()
    changed[0, 6] = 22
    with torch.no_grad():
        states, _ = model(tokens)
        changed_states, _ = model(changed)
    assert torch.equal(states[0, :6], changed_states[0, :6])
    assert not torch.allclose(states[0, 6:], changed_states[0, 6:])


def test_a_prefix_scores_the_same_alone_as_inside_a_longer_session() -> None:
    # Positions count from the oldest click, so training's every-position targets match inference.
    model = random_model()
    with torch.no_grad():
        whole, _ = model(torch.tensor([[0, 0, 3, 7, 1, 12, 5, 9]]))
        prefix, _ = model(torch.tensor([[0, 0, 0, 0, 0, 3, 7, 1]]))
        narrow, _ = model(torch.tensor([[3, 7, 1]]))
    torch.testing.assert_close(whole[0, 4], prefix[0, -1])
    torch.testing.assert_close(narrow[0, -1], prefix[0, -1])


def test_padding_gets_exactly_zero_attention_and_never_nan() -> None:
    model = random_model()
    tokens = torch.tensor([[0, 0, 0, 4, 8, 15, 16, 23], [0, 0, 0, 0, 0, 0, 0, 0]])
    with torch.no_grad():
        states, attention = model(tokens, return_attention=True)
    assert not torch.isnan(states).any()
    for weights in attention:  # (batch, heads, seq, seq)
        assert weights.shape == (2, 2, 8, 8)
        assert torch.all(weights[0, :, :, :3] == 0)  # no query looks at padding
        assert torch.all(weights[1] == 0)  # a query with nothing to see attends to nothing
        assert torch.all(weights[0].triu(diagonal=1) == 0)  # nor at later clicks
        torch.testing.assert_close(weights[0, :, 3:].sum(-1), torch.ones(2, 5))


def test_predict_returns_the_panels_attention_and_padded_input() -> None:
    item_ids = np.arange(100, 130)
    recommender = SASRecRecommender(random_model(), item_ids)
    prediction = recommender.predict([105, 999, 107, 110], k=5)
    assert prediction.unknown == [999]
    assert not prediction.cold_start
    attention = prediction.extras["attention"]
    assert attention.shape == (2, 2, 3, 3)  # (layers, heads, L, L), the unknown id skipped
    np.testing.assert_allclose(attention.sum(-1), 1.0, rtol=1e-6)
    assert np.all(np.triu(attention, k=1) == 0)
    np.testing.assert_array_equal(prediction.extras["padded_input"], [0, 0, 0, 0, 0, 6, 8, 11])
    assert len(prediction.items) == 5
    assert prediction.probs == sorted(prediction.probs, reverse=True)


def test_a_long_session_keeps_its_last_max_len_clicks() -> None:
    recommender = SASRecRecommender(random_model(), np.arange(30))
    session = list(range(12))
    long = recommender.predict(session)
    last = recommender.predict(session[-8:])
    assert long.extras["attention"].shape == (2, 2, 8, 8)
    np.testing.assert_array_equal(long.extras["padded_input"], np.arange(4, 12) + 1)
    np.testing.assert_allclose(long.scores, last.scores, rtol=1e-5)


def test_score_next_batches_match_predict() -> None:
    recommender = SASRecRecommender(random_model(), np.arange(30))
    prefixes = [np.array([3]), np.array([4, 8, 15, 16, 23, 1, 2, 5, 9, 11]), np.array([7, 7])]
    scores = recommender.score_next(prefixes)
    assert scores.shape == (3, 30)
    for row, prefix in enumerate(prefixes):
        np.testing.assert_allclose(
            scores[row], recommender.predict(prefix.tolist()).scores, rtol=1e-5, atol=1e-6
        )


def test_repeat_bias_adds_a_learned_offset_by_how_many_clicks_ago() -> None:
    model = random_model()
    recommender = SASRecRecommender(model, np.arange(30))
    plain = recommender.score_next([np.array([4, 9, 4, 7])])[0]
    with torch.no_grad():
        model.repeat_bias.copy_(torch.tensor([-5.0, 2.0, 0.5, 0.25, 0, 0, 0, 0]))
    biased = recommender.score_next([np.array([4, 9, 4, 7])])[0]
    offset = np.zeros(30)
    offset[7] = -5.0  # the click just made
    offset[4] = 2.0 + 0.25  # one and three clicks ago
    offset[9] = 0.5
    np.testing.assert_allclose(biased - plain, offset, atol=1e-5)


@pytest.mark.parametrize("loss", ["ce", "bce"])
def test_training_scores_every_position_as_inference_scores_its_prefix(loss: str) -> None:
    config = SASRecConfig(max_len=5, hidden=16, dropout=0.0, loss=loss)
    torch.manual_seed(0)
    task = build_task(config, log_of([[3, 4, 3, 5, 6, 4, 7, 3, 8], [5, 6]]))
    with torch.no_grad():
        task.module.repeat_bias.copy_(torch.arange(5.0) + 1)
    task.module.eval()
    recommender = task.recommender()
    for batch in task.batches(torch.Generator().manual_seed(0)):
        with torch.no_grad():
            states, _ = task.module(batch.inputs)  # (batch, width, hidden)
            contexts = task._contexts(batch.inputs)  # (batch, width, width)
        for row, position in zip(*np.nonzero(batch.targets.numpy()), strict=True):
            tokens = batch.inputs[row, : position + 1].numpy()
            expected = recommender.score_next([tokens[tokens > 0] - 1])[0]
            target = batch.targets[row, position : position + 1]
            with torch.no_grad():
                full = task.module.item_scores(
                    states[row, position][None], contexts[row, position][None]
                )
                single = task.module.token_scores(
                    states[row, position][None], target[None], contexts[row, position][None]
                )
            np.testing.assert_allclose(full[0].numpy(), expected, rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(single[0, 0], expected[target[0] - 1], rtol=1e-5, atol=1e-5)


def test_cold_start_uses_the_empty_session_state() -> None:
    recommender = SASRecRecommender(random_model(), np.arange(30))
    for session in ([], [999]):
        prediction = recommender.predict(session, k=3)
        assert prediction.cold_start
        assert prediction.extras["attention"].shape == (2, 2, 0, 0)
        assert np.all(prediction.extras["padded_input"] == 0)
        assert np.all(np.isfinite(prediction.scores))


def test_windows_score_each_target_once_with_context() -> None:
    tokens = np.arange(1, 12)  # 11 clicks: 10 targets, max_len 4 -> windows half a window apart
    windows = make_windows([tokens, np.array([5, 6])], max_len=4, mode="all")
    np.testing.assert_array_equal(
        windows.inputs, [[1, 2, 3, 4], [3, 4, 5, 6], [5, 6, 7, 8], [7, 8, 9, 10], [0, 0, 0, 5]]
    )
    np.testing.assert_array_equal(
        windows.targets, [[2, 3, 4, 5], [0, 0, 6, 7], [0, 0, 8, 9], [0, 0, 10, 11], [0, 0, 0, 6]]
    )
    np.testing.assert_array_equal(windows.first, [1, 0, 0, 0, 5])
    last = make_windows([tokens], max_len=4, mode="last")
    np.testing.assert_array_equal(last.inputs, [[7, 8, 9, 10]])
    np.testing.assert_array_equal(last.targets, [[8, 9, 10, 11]])


@pytest.mark.parametrize("loss", ["ce", "bce"])
def test_overfits_a_tiny_dataset(loss: str) -> None:
    recommender = train(TINY, loss=loss, negatives=8)
    assert recommender.predict([10, 20, 30]).items[0] == 40
    assert recommender.predict([80, 90]).items[0] == 50
    assert recommender.predict([80, 90, 50]).items[0] == 60
    if loss == "ce":  # only full cross-entropy makes the softmax a probability worth reading
        assert recommender.predict([10, 20, 30]).probs[0] > 0.8
        cold = recommender.predict([])
        assert cold.cold_start and cold.items[0] == 10  # half the sessions start with item 10


def test_same_seed_same_weights_other_seed_other_weights() -> None:
    first = train(TINY, seed=3, epochs=3).module.state_dict()
    again = train(TINY, seed=3, epochs=3).module.state_dict()
    other = train(TINY, seed=4, epochs=3).module.state_dict()
    assert all(torch.equal(first[name], again[name]) for name in first)
    assert not all(torch.equal(first[name], other[name]) for name in first)


def test_checkpoint_round_trip(tmp_path) -> None:  # noqa: ANN001
    trained = train(TINY, epochs=5)
    path = tmp_path / "sasrec.pt"
    save_checkpoint(
        path,
        model="sasrec",
        config=asdict(trained.config),
        state_dict=trained.module.state_dict(),
        item_ids=trained.item_ids,
        meta={"loss": "ce"},
    )
    loaded = load_model(path)
    assert loaded.name == "sasrec"
    np.testing.assert_array_equal(loaded.item_ids, trained.item_ids)
    before, after = trained.predict([50, 60], k=4), loaded.predict([50, 60], k=4)
    assert before.items == after.items
    np.testing.assert_allclose(before.scores, after.scores)
    np.testing.assert_allclose(before.extras["attention"], after.extras["attention"])


def test_config_rejects_heads_that_do_not_divide_hidden() -> None:
    with pytest.raises(ValueError, match="divisible"):
        SASRecConfig(hidden=10, heads=3)


def test_lr_decay_multiplies_the_learning_rate_after_every_epoch() -> None:
    config = SASRecConfig(max_len=6, hidden=16, layers=1, batch_size=4, lr=0.01, lr_decay=0.5)
    task = build_task(config, log_of(TINY))
    optimizers: list[torch.optim.Optimizer] = []
    make_optimizer = task.make_optimizer
    task.make_optimizer = lambda: optimizers.append(make_optimizer()) or optimizers[0]
    reports = list(run_training(task, epochs=3, generator=seed_everything(0)))
    assert len(reports) == 3
    assert optimizers[0].param_groups[0]["lr"] == pytest.approx(0.01 * 0.5**3)
    with pytest.raises(ValueError, match="lr_decay"):
        SASRecConfig(lr_decay=0.0)


def test_shipped_configs_load_and_the_shop_file_documents_the_defaults() -> None:
    def shipped(name: str) -> SASRecConfig:
        return load_config(SASRecConfig, str(assets_dir() / "configs" / name), {})

    assert shipped("sasrec-shop.toml") == SASRecConfig()
    assert shipped("sasrec-rsc15.toml").loss == "ce"
    assert shipped("sasrec-ml1m.toml").max_len == 200


def test_train_and_recommend_from_the_command_line(tmp_path, capsys) -> None:  # noqa: ANN001
    lines = ["SessionId\tItemId\tTime"]
    for number, session in enumerate(TINY * 3):
        lines += [
            f"{number}\t{item}\t{1_700_000_000 + 60 * number + i}" for i, item in enumerate(session)
        ]
    (tmp_path / "train.tsv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "sasrec.pt"
    flags = ["--train", str(tmp_path / "train.tsv"), "--valid", str(tmp_path / "train.tsv")]
    code = main(["train", "--model", "sasrec", *flags, "--epochs", "2", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    model = load_model(out)
    assert model.meta["loss"] == "ce" and model.meta["protocol"] == "next"
    assert "Recall@20" in model.meta["metrics"]
    capsys.readouterr()
    assert main(["recommend", "--model", str(out), "10", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["items"]) == 9 and result["probs"] == sorted(result["probs"], reverse=True)


def test_sequences_train_on_all_but_each_users_last_two(tmp_path, capsys) -> None:  # noqa: ANN001
    lines = [f"{user} {item}" for user in range(1, 13) for item in TINY[user % 4]]
    (tmp_path / "seq.txt").write_text("\n".join(lines) + "\n")
    out = tmp_path / "sasrec.pt"
    flags = ["--format", "sequences", "--train", str(tmp_path / "seq.txt"), "--epochs", "2"]
    assert main(["train", "--model", "sasrec", *flags, "--out", str(out)]) == 0, (
        capsys.readouterr().err
    )
    model = load_model(out)
    assert model.meta["protocol"] == "last" and "Recall@20" in model.meta["metrics"]
    assert 40 not in model.item_ids and 70 not in model.item_ids  # the last two are held out
