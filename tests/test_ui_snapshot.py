"""`shopdemo snapshot`: a PNG of the requested size, made without touching the user's store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from shopdemo.catalog import load_catalog
from shopdemo.cli import main
from shopdemo.models.checkpoint import save_checkpoint
from shopdemo.models.gru4rec import GRU4Rec, GRU4RecConfig
from shopdemo.models.sasrec import SASRec, SASRecConfig


def write_random_models(folder: Path) -> None:
    """Tiny random-weight GRU4Rec and SASRec over the shipped catalogue."""
    ids = np.array([p.id for p in load_catalog().products])
    gru = GRU4RecConfig(layers=[8])
    save_checkpoint(
        folder / "gru4rec.pt",
        model="gru4rec",
        config={"layers": [8]},
        state_dict=GRU4Rec(gru, len(ids)).state_dict(),
        item_ids=ids,
        meta={},
    )
    sas = SASRecConfig(hidden=8, heads=2, layers=1, max_len=5)
    config = {"hidden": 8, "heads": 2, "layers": 1, "max_len": 5}
    save_checkpoint(
        folder / "sasrec.pt",
        model="sasrec",
        config=config,
        state_dict=SASRec(sas, len(ids)).state_dict(),
        item_ids=ids,
        meta={},
    )


def test_snapshot_writes_a_png_of_the_requested_size(
    qapp, tmp_path: Path, private_home: Path, capsys
) -> None:  # noqa: ANN001
    write_random_models(tmp_path / "models")
    out = tmp_path / "shots" / "story.png"
    status = main(
        [
            "snapshot",
            "--out",
            str(out),
            "--size",
            "1100x720",
            "--clicks",
            "1,15,106",
            "--models",
            str(tmp_path / "models"),
        ]
    )
    assert status == 0
    assert capsys.readouterr().out.strip() == str(out)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1100, 720)
    assert not list(private_home.rglob("*.sqlite3"))  # replayed into a temporary store only


def test_snapshot_without_models_still_renders(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "empty.png"
    assert main(["snapshot", "--out", str(out), "--models", str(tmp_path / "none")]) == 0
    assert QImage(str(out)).size().toTuple() == (1280, 800)


def test_snapshot_replays_into_a_given_store_as_replay(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    from shopdemo.store import SessionStore

    url = f"sqlite:///{tmp_path / 'mine.sqlite3'}"
    assert (
        main(
            [
                "snapshot",
                "--out",
                str(tmp_path / "a.png"),
                "--db",
                url,
                "--clicks",
                "Bosk Pro Drill Driver 12V,15",
                "--models",
                str(tmp_path / "none"),
            ]
        )
        == 0
    )
    with SessionStore(url) as store:
        replayed = store.list_sessions(origin="replay")
        assert len(replayed) == 1
        _, events = store.load_session(replayed[0].number)
    assert [(e.item_id, e.source) for e in events] == [(1, "replay"), (15, "replay")]


def test_snapshot_rejects_unknown_clicks_and_bad_sizes(qapp, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = str(tmp_path / "x.png")
    assert main(["snapshot", "--out", out, "--clicks", "1,999999"]) == 1
    assert "999999" in capsys.readouterr().err
    assert main(["snapshot", "--out", out, "--size", "wide"]) == 1
    assert "WIDTHxHEIGHT" in capsys.readouterr().err
