"""`shopdemo train` and `shopdemo recommend` end to end on tiny files (seconds, no shared data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from shopdemo.cli import main
from shopdemo.models import load_model

PATHS = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11], [12, 13, 14]]


@pytest.fixture(autouse=True)
def restore_threads():
    """`train --threads` sets torch's global thread count: put it back for the next test."""
    previous = torch.get_num_threads()
    yield
    torch.set_num_threads(previous)


def write_tsv(path: Path, repeats: int) -> Path:
    lines = ["SessionId\tItemId\tTime"]
    session, clock = 0, 1_700_000_000
    for _ in range(repeats):
        for items in PATHS:
            session += 1
            for item in items:
                clock += 7
                lines.append(f"{session}\t{item}\t{clock}")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


SMALL = "layers = [12]\nbatch_size = 4\nn_sample = 6\nepochs = 25\nlearning_rate = 0.1\n"


def test_train_then_recommend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write_tsv(tmp_path / "train.tsv", repeats=6)
    valid = write_tsv(tmp_path / "valid.tsv", repeats=1)
    config = write_config(tmp_path / "small.toml", SMALL)
    out = tmp_path / "models" / "g.pt"
    code = main(
        [
            "train",
            "--model",
            "gru4rec",
            "--train",
            str(train),
            "--valid",
            str(valid),
            "--config",
            str(config),
            "--epochs",
            "20",
            "--seed",
            "3",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert captured.out.startswith(f"wrote {out}: gru4rec, 14 items")
    assert "train gru4rec" in captured.err and "epoch" in captured.err  # tqdm bar on stderr
    model = load_model(out)
    assert model.config.epochs == 20 and model.config.layers == [12]  # the flag beat the file
    meta = model.meta
    assert meta["seed"] == 3 and meta["loss"] == "cross-entropy" and meta["protocol"] == "next"
    assert 1 <= meta["epochs"] <= 20 and len(meta["history"]) == meta["epochs"]
    assert meta["metrics"]["Recall@20"] == 1.0  # 14 items: every target is in the top 20
    assert meta["train_file"].endswith("train.tsv")

    assert main(["recommend", "--model", str(out), "5", "6", "--k", "3"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0] == "gru4rec (cross-entropy loss)"
    assert text[2].split()[:2] == ["1", "7"]  # 5 -> 6 -> 7 every time

    assert main(["recommend", "--model", str(out), "99", "9", "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["items"][0] == 10 and result["unknown"] == [99] and not result["cold_start"]
    assert len(result["probs"]) == 10 and result["probs"] == sorted(result["probs"], reverse=True)


def test_recommend_reports_unknown_items_and_cold_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = write_tsv(tmp_path / "train.tsv", repeats=2)
    out = tmp_path / "g.pt"
    assert (
        main(
            [
                "train",
                "--model",
                "gru4rec",
                "--train",
                str(train),
                "--epochs",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["recommend", "--model", str(out), "77", "88"]) == 0
    captured = capsys.readouterr()
    assert "unknown items (skipped): 77 88" in captured.err
    assert "cold start" in captured.out


def test_sequences_train_with_leave_one_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [f"{user} {item}" for user in range(1, 31) for item in PATHS[user % 4]]
    (tmp_path / "seq.txt").write_text("\n".join(lines) + "\n")
    config = write_config(tmp_path / "small.toml", SMALL)
    out = tmp_path / "g.pt"
    code = main(
        [
            "train",
            "--model",
            "gru4rec",
            "--format",
            "sequences",
            "--train",
            str(tmp_path / "seq.txt"),
            "--config",
            str(config),
            "--epochs",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    model = load_model(out)
    assert model.meta["protocol"] == "last" and "Recall@20" in model.meta["metrics"]
    assert 4 not in model.item_ids and 8 not in model.item_ids  # last items are held out
    assert (
        main(
            [
                "train",
                "--model",
                "gru4rec",
                "--format",
                "sequences",
                "--train",
                str(tmp_path / "seq.txt"),
                "--valid",
                str(tmp_path / "seq.txt"),
                "--out",
                str(out),
            ]
        )
        == 1
    )
    assert "--valid does not apply" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("epochs = 2\nlayer = [10]\n", "unknown setting 'layer'"),
        ("epochs = 'ten'\n", "epochs should be int, got 'ten'"),
        ("loss = 'top1'\n", "loss must be one of"),
        ("momentum = 1.5\n", "momentum in [0, 1)"),
        ("epochs = [\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    train = write_tsv(tmp_path / "train.tsv", repeats=1)
    config = write_config(tmp_path / "bad.toml", text)
    code = main(
        [
            "train",
            "--model",
            "gru4rec",
            "--train",
            str(train),
            "--config",
            str(config),
            "--out",
            str(tmp_path / "g.pt"),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1
    assert err[0].startswith(f"shopdemo: error: {config}") and message in err[0]
    assert not (tmp_path / "g.pt").exists()


def test_missing_config_and_bad_threads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write_tsv(tmp_path / "train.tsv", repeats=1)
    base = ["train", "--model", "gru4rec", "--train", str(train), "--out", str(tmp_path / "g.pt")]
    assert main([*base, "--config", str(tmp_path / "none.toml")]) == 1
    assert "config file not found" in capsys.readouterr().err
    assert main([*base, "--threads", "0"]) == 1
    assert "--threads must be at least 1" in capsys.readouterr().err


def test_shipped_configs_are_valid() -> None:
    from shopdemo.commands.train import load_config
    from shopdemo.models.gru4rec import GRU4RecConfig
    from shopdemo.paths import assets_dir

    shop = load_config(GRU4RecConfig, str(assets_dir() / "configs" / "gru4rec-shop.toml"), {})
    assert shop == GRU4RecConfig()  # the file documents the defaults
    rsc15 = load_config(GRU4RecConfig, str(assets_dir() / "configs" / "gru4rec-rsc15.toml"), {})
    assert rsc15.loss == "bpr-max" and rsc15.layers == [224]
