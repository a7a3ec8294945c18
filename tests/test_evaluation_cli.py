"""`shopdemo evaluate` end to end on tiny TSV files written by the tests (values by hand)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shopdemo.cli import main
from shopdemo.commands import evaluate as evaluate_command


def write_tsv(path: Path, sessions: list[list[int]]) -> Path:
    lines = ["SessionId\tItemId\tTime"]
    clock = 0
    for sid, items in enumerate(sessions, 1):
        for item in items:
            clock += 1
            lines.append(f"{sid}\t{item}\t{clock}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["evaluate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_layout_and_pop_values_by_hand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Training counts 10:3 20:2 30:1 (popularity 1, 2/3, 1/3).
    train = write_tsv(tmp_path / "train.tsv", [[10, 20], [10, 30], [10, 20]])
    # Test [20, 10, 40]: target 10 after [20]; target 40 is unknown to training -> skipped.
    test = write_tsv(tmp_path / "test.tsv", [[20, 10, 40]])
    out = run_json(
        capsys, "--train", str(train), "--test", str(test), "--baselines", "pop", "--cutoffs", "1,2"
    )
    assert set(out) == {"targets", "skipped", "ties", "protocol", "models"}
    assert (out["targets"], out["skipped"], out["ties"], out["protocol"]) == (
        1,
        1,
        "conservative",
        "next",
    )
    pop = out["models"]["pop"]
    # pop ranks 10 first: a hit at 1. Its top-1 is {10} (1 of 3 items, popularity 1); its
    # top-2 is {10, 20} (2 of 3, mean popularity (1 + 2/3) / 2).
    assert pop == pytest.approx(
        {
            "Recall@1": 1.0,
            "Recall@2": 1.0,
            "MRR@1": 1.0,
            "MRR@2": 1.0,
            "NDCG@1": 1.0,
            "NDCG@2": 1.0,
            "Coverage@1": 1 / 3,
            "Coverage@2": 2 / 3,
            "Popularity@1": 1.0,
            "Popularity@2": 5 / 6,
        }
    )


def test_last_protocol_on_the_same_file_fits_on_all_but_the_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Baselines fit on [10, 20], [10], [20, 10]: counts 10:3 20:2; 30 only ever comes last.
    # Targets: 30 (skipped: unknown to training), 20 after [10], 30 (skipped).
    data = write_tsv(tmp_path / "seq.tsv", [[10, 20, 30], [10, 20], [20, 10, 30]])
    args = [
        "--train",
        str(data),
        "--test",
        str(data),
        "--baselines",
        "pop",
        "--cutoffs",
        "1",
        "--protocol",
        "last",
    ]
    out = run_json(capsys, *args)
    assert (out["targets"], out["skipped"], out["protocol"]) == (1, 2, "last")
    # Seen items excluded by default: 10 is out of the ranking, so 20 is first.
    assert out["models"]["pop"]["Recall@1"] == 1.0
    # --include-seen: 10 (more popular) ranks above 20.
    assert run_json(capsys, *args, "--include-seen")["models"]["pop"]["Recall@1"] == 0.0


def test_sequences_format_defaults_to_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "seq.txt"
    data.write_text("1 10\n1 20\n1 30\n2 10\n2 20\n2 30\n3 10\n3 20\n", encoding="utf-8")
    out = run_json(
        capsys,
        "--train",
        str(data),
        "--test",
        str(data),
        "--format",
        "sequences",
        "--baselines",
        "markov",
    )
    # Fit on 1: [10, 20], 2: [10, 20], 3: [10]; targets 30 (skipped), 30 (skipped), 20 after [10].
    assert (out["protocol"], out["targets"], out["skipped"]) == ("last", 1, 2)
    assert out["models"]["markov"]["Recall@1"] == 1.0  # 10 -> 20 twice


def test_default_is_all_six_baselines_in_an_aligned_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    train = write_tsv(tmp_path / "train.tsv", [[1, 2, 3], [2, 3], [3, 1, 2], [4, 1]])
    test = write_tsv(tmp_path / "test.tsv", [[1, 2, 3], [4, 1]])
    assert main(["evaluate", "--train", str(train), "--test", str(test), "--ties", "median"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("3 targets, 0 skipped, protocol next, ties median")
    header, rows = lines[1], lines[2:]
    assert [row.split()[0] for row in rows] == ["pop", "spop", "markov", "sr", "cooc", "sknn"]
    assert header.split()[:3] == ["model", "Recall@1", "Recall@5"] and "seconds" in header
    assert len({len(line) for line in [header, *rows]}) == 1  # aligned columns


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--baselines", "pop,gru"], "unknown baseline 'gru'"),
        (["--cutoffs", "5,x"], "--cutoffs"),
        (["--cutoffs", "0"], "positive"),
    ],
)
def test_bad_flags_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    data = write_tsv(tmp_path / "d.tsv", [[1, 2]])
    assert main(["evaluate", "--train", str(data), "--test", str(data), *extra]) == 1
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_checkpoint_names_get_the_file_stem_only_when_types_repeat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Fake:
        def __init__(self, name: str) -> None:
            self.name, self.item_ids = name, np.array([1])

    kinds = {"a.pt": "gru4rec", "b.pt": "gru4rec", "c.pt": "sasrec"}
    import shopdemo.models

    monkeypatch.setattr(shopdemo.models, "load_model", lambda path: Fake(kinds[Path(path).name]))
    names = evaluate_command.load_checkpoints(["x/a.pt", "y/b.pt", "c.pt"], threads=1)
    assert list(names) == ["gru4rec:a", "gru4rec:b", "sasrec"]
