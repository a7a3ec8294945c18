"""Checkpoints: atomic write, round trip through `load_model`, one clear line for every problem."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

from shopdemo.errors import ShopDemoError
from shopdemo.models import check_vocabulary, load_model
from shopdemo.models.checkpoint import FORMAT, load_checkpoint, save_checkpoint
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig, GRU4RecRecommender

ITEMS = np.array([10, 20, 30, 40, 50], dtype=np.int64)


def save_gru4rec(path: os.PathLike[str], config: GRU4RecConfig | None = None) -> GRU4RecRecommender:
    config = config or GRU4RecConfig(layers=[4], elu_param=0.5)
    torch.manual_seed(0)
    module = GRU4Rec(config, len(ITEMS)).eval()
    with torch.no_grad():
        module.item_bias.normal_()
    from dataclasses import asdict

    save_checkpoint(
        path,
        model="gru4rec",
        config=asdict(config),
        state_dict=module.state_dict(),
        item_ids=ITEMS,
        meta={"loss": config.loss, "epochs": 3, "metrics": {"Recall@20": 0.5}},
    )
    return GRU4RecRecommender(module, ITEMS)


def test_round_trip_gives_the_same_predictions_and_metadata(tmp_path) -> None:  # noqa: ANN001
    original = save_gru4rec(tmp_path / "model.pt")
    loaded = load_model(tmp_path / "model.pt")
    assert loaded.name == "gru4rec"
    assert np.array_equal(loaded.item_ids, ITEMS)
    assert loaded.config == original.config
    for session in ([10, 30], [50], []):
        assert np.array_equal(loaded.predict(session).scores, original.predict(session).scores)
    assert loaded.meta["epochs"] == 3 and loaded.meta["metrics"] == {"Recall@20": 0.5}
    assert loaded.meta["shopdemo_version"] and loaded.meta["created"]


def test_checkpoint_is_a_plain_dict_that_loads_with_weights_only(tmp_path) -> None:  # noqa: ANN001
    save_gru4rec(tmp_path / "model.pt")
    raw = torch.load(tmp_path / "model.pt", weights_only=True)
    assert raw["format"] == FORMAT and raw["format_version"] == 1 and raw["model"] == "gru4rec"
    assert raw["item_ids"].dtype == torch.int64
    assert set(raw) == {
        "format",
        "format_version",
        "model",
        "config",
        "state_dict",
        "item_ids",
        "meta",
    }


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    save_gru4rec(tmp_path / "model.pt")
    before = (tmp_path / "model.pt").read_bytes()

    def broken_save(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        save_gru4rec(tmp_path / "model.pt")
    assert (tmp_path / "model.pt").read_bytes() == before  # the old checkpoint survives
    assert os.listdir(tmp_path) == ["model.pt"]


def one_line_error(path: os.PathLike[str]) -> str:
    with pytest.raises(ShopDemoError) as error:
        load_model(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    return message


def test_missing_file(tmp_path) -> None:  # noqa: ANN001
    assert "not found" in one_line_error(tmp_path / "nope.pt")


def test_not_a_torch_file(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "junk.pt").write_bytes(b"SessionId\tItemId\tTime\n1\t2\t3\n")
    assert "not a readable checkpoint" in one_line_error(tmp_path / "junk.pt")


def test_truncated_file(tmp_path) -> None:  # noqa: ANN001
    save_gru4rec(tmp_path / "model.pt")
    data = (tmp_path / "model.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    assert "not a readable checkpoint" in one_line_error(tmp_path / "cut.pt")


def test_foreign_torch_dict(tmp_path) -> None:  # noqa: ANN001
    torch.save({"state_dict": {}, "epoch": 3}, tmp_path / "other.pt")
    assert "not a ShopDemo checkpoint" in one_line_error(tmp_path / "other.pt")


def test_pickled_object_is_refused(tmp_path) -> None:  # noqa: ANN001
    torch.save(GRU4RecConfig(), tmp_path / "pickle.pt")  # weights_only refuses arbitrary classes
    assert "not a readable checkpoint" in one_line_error(tmp_path / "pickle.pt")


def test_wrong_format_version_and_unknown_model(tmp_path) -> None:  # noqa: ANN001
    save_gru4rec(tmp_path / "model.pt")
    raw = torch.load(tmp_path / "model.pt", weights_only=True)
    torch.save({**raw, "format_version": 99}, tmp_path / "future.pt")
    assert "version 99" in one_line_error(tmp_path / "future.pt")
    torch.save({**raw, "model": "bert4rec"}, tmp_path / "bert.pt")
    assert "unknown model kind 'bert4rec'" in one_line_error(tmp_path / "bert.pt")
    without_meta = {key: value for key, value in raw.items() if key != "meta"}
    torch.save(without_meta, tmp_path / "partial.pt")
    assert "lacks meta" in one_line_error(tmp_path / "partial.pt")


def test_weights_that_do_not_fit_the_config(tmp_path) -> None:  # noqa: ANN001
    save_gru4rec(tmp_path / "model.pt")
    raw = torch.load(tmp_path / "model.pt", weights_only=True)
    torch.save({**raw, "config": {**raw["config"], "layers": [8]}}, tmp_path / "wide.pt")
    assert "does not fit a gru4rec model" in one_line_error(tmp_path / "wide.pt")
    torch.save({**raw, "item_ids": torch.arange(7)}, tmp_path / "items.pt")
    assert "does not fit a gru4rec model" in one_line_error(tmp_path / "items.pt")
    torch.save({**raw, "item_ids": torch.tensor([10, 20, 20, 40, 50])}, tmp_path / "dup.pt")
    assert "repeat an item id" in one_line_error(tmp_path / "dup.pt")
    torch.save({**raw, "item_ids": [10, 20, 30, 40, 50]}, tmp_path / "list.pt")
    assert "1-d tensor" in one_line_error(tmp_path / "list.pt")
    torch.save({**raw, "config": {**raw["config"], "colour": "red"}}, tmp_path / "key.pt")
    assert "colour" in one_line_error(tmp_path / "key.pt")


def test_vocabulary_check(tmp_path) -> None:  # noqa: ANN001
    model = save_gru4rec(tmp_path / "model.pt")
    check_vocabulary(model, ITEMS)  # same items, same order: fine
    with pytest.raises(ShopDemoError, match="missing e.g. item 60"):
        check_vocabulary(model, np.array([10, 20, 30, 40, 50, 60]), where="store.sqlite3")
    with pytest.raises(ShopDemoError, match="different order"):
        check_vocabulary(model, ITEMS[::-1])


def test_load_checkpoint_returns_numpy_item_ids(tmp_path) -> None:  # noqa: ANN001
    save_gru4rec(tmp_path / "model.pt")
    ckpt = load_checkpoint(tmp_path / "model.pt")
    assert isinstance(ckpt["item_ids"], np.ndarray) and ckpt["item_ids"].dtype == np.int64
    with pytest.raises(ShopDemoError, match="unknown model kind"):
        save_checkpoint(
            tmp_path / "x.pt", model="bert4rec", config={}, state_dict={}, item_ids=ITEMS, meta={}
        )


def test_written_checkpoint_is_readable_by_everyone(tmp_path) -> None:  # noqa: ANN001
    import stat

    import numpy as np
    import torch

    from shopdemo.models.checkpoint import save_checkpoint

    target = tmp_path / "model.pt"
    save_checkpoint(target, model="gru4rec", config={}, state_dict={"w": torch.zeros(1)},
                    item_ids=np.array([1]), meta={})
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
