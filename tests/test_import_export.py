"""`shopdemo import` / `export`: all-or-nothing imports, exports that read back as they went in."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_file

from shopdemo.cli import main
from shopdemo.data.events import SessionLog
from shopdemo.data.readers import read_sessions
from shopdemo.store import SessionStore, export_events, import_file, transfer


def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.sqlite3'}"


def same_sessions(exported: SessionLog, original: SessionLog) -> None:
    """Same events in the same sessions, in order; only the session ids are renumbered."""
    assert (len(exported), exported.n_sessions) == (len(original), original.n_sessions)
    assert np.array_equal(exported.item_ids, original.item_ids)
    assert np.array_equal(exported.times, original.times)  # exact floats
    assert np.array_equal(exported.offsets, original.offsets)


def test_diginetica_sample_imports_and_exports_the_same_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = shared_file("raw", "diginetica-sample", "sample_train-item-views.csv")
    url = db_url(tmp_path)
    assert main(["import", "--format", "diginetica", str(path), "--db", url]) == 0
    assert "imported 12391 events in 2986 sessions" in capsys.readouterr().out
    out = tmp_path / "export.tsv"
    assert main(["export", "--out", str(out), "--db", url]) == 0
    assert "exported 12391 events in 2986 sessions" in capsys.readouterr().out
    exported = read_sessions(out)
    same_sessions(exported, read_sessions(path, "diginetica"))
    assert exported.session_ids[[0, -1]].tolist() == [1, 2986]  # integer session numbers


def test_yoochoose_raw_files_round_trip(tmp_path: Path) -> None:
    train = shared_file("raw", "yoochoose-100k", "yoochoose-clicks-100k_train_full.txt")
    test = shared_file("raw", "yoochoose-100k", "yoochoose-clicks-100k_test.txt")
    with SessionStore(db_url(tmp_path)) as store:
        first = import_file(store, train)  # TSV layout (see the data README)
        second = import_file(store, test)
        assert (first.first_session, second.first_session) == (1, first.sessions + 1)
        assert first.events + second.events == store.event_count() == 83_846
        for summary, path in ((first, train), (second, test)):
            out = tmp_path / f"{summary.first_session}.tsv"
            export_events(store, out)
            exported = read_sessions(out)
            keep = (exported.session_ids >= summary.first_session) & (
                exported.session_ids <= summary.last_session
            )
            part = SessionLog(
                exported.session_ids[keep], exported.item_ids[keep], exported.times[keep]
            )
            same_sessions(part, read_sessions(path))


def test_yoochoose_competition_layout_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "clicks.dat"
    path.write_text(
        "7,2014-04-07T10:51:09.277Z,214536502,0\n7,2014-04-07T10:54:09.868Z,214536500,0\n"
        "3,2014-04-06T18:00:00.000Z,214577561,S\n"
    )
    with SessionStore(db_url(tmp_path)) as store:
        import_file(store, path, "yoochoose")
        export_events(store, tmp_path / "out.tsv")
    same_sessions(read_sessions(tmp_path / "out.tsv"), read_sessions(path, "yoochoose"))


def broken_tsv(tmp_path: Path) -> Path:
    lines = ["SessionId\tItemId\tTime"] + [f"{i // 4}\t{100 + i}\t{1000 + i}" for i in range(999)]
    lines[499] = "124\t10x\t1499"  # line 500 of the file
    path = tmp_path / "broken.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_broken_line_aborts_the_import_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = db_url(tmp_path)
    good = tmp_path / "good.tsv"
    good.write_text("SessionId\tItemId\tTime\n1\t5\t10\n1\t6\t11\n")
    assert main(["import", str(good), "--db", url]) == 0
    capsys.readouterr()
    broken = broken_tsv(tmp_path)
    assert main(["import", str(broken), "--db", url]) == 1
    assert capsys.readouterr().err.strip() == (
        f"shopdemo: error: {broken}:500: item id '10x' is not an integer (of at most 18 digits)"
    )
    with SessionStore(url) as store:
        assert store.event_count() == 2 and len(store.list_sessions()) == 1


def test_an_interrupted_import_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.tsv"
    rows = [f"{i // 3}\t{i}\t{i}" for i in range(3000)]
    path.write_text("SessionId\tItemId\tTime\n" + "\n".join(rows) + "\n")
    calls = []
    real_insert = transfer.insert_columns

    def insert_then_fail(connection, table, columns) -> None:  # noqa: ANN001
        real_insert(connection, table, columns)
        calls.append(
            (table.__tablename__, len(columns["number" if "number" in columns else "position"]))
        )
        if len(calls) == 3:  # sessions, then two event batches were written
            raise KeyboardInterrupt

    monkeypatch.setattr(transfer, "BATCH", 1000)
    monkeypatch.setattr(transfer, "insert_columns", insert_then_fail)
    with SessionStore(db_url(tmp_path)) as store:
        with pytest.raises(KeyboardInterrupt):
            import_file(store, path)
        assert calls == [("sessions", 1000), ("events", 1000), ("events", 1000)]
        assert store.event_count() == 0 and store.list_sessions() == []


def test_retailrocket_kinds_survive_the_store(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "timestamp,visitorid,event,itemid,transactionid\n"
        "1000000,5,view,100,\n1600000,5,addtocart,100,\n2800000,5,view,101,\n"
        "2900000,5,transaction,100,8\n"
    )
    with SessionStore(db_url(tmp_path)) as store:
        import_file(store, path, "retailrocket")
        info, events = store.load_session(1)
        assert [(e.kind, e.source) for e in events] == [
            ("click", "browse"),
            ("add_to_cart", "browse"),
            ("click", "browse"),
            ("purchase", "browse"),
        ]
        assert info.origin == "imported"
        export_events(store, tmp_path / "clicks.tsv")
        bought = export_events(store, tmp_path / "bought.tsv", kinds=["purchase"])
    same_sessions(read_sessions(tmp_path / "clicks.tsv"), read_sessions(path, "retailrocket"))
    assert bought.events == 1
    assert (tmp_path / "bought.tsv").read_text().splitlines()[1] == "1\t100\t2900"


def two_visits(store: SessionStore) -> tuple[int, int]:
    first = store.new_visitor()
    store.log_event(first.number, 1)
    store.log_event(first.number, 2, "add_to_cart", "rec_gru4rec")
    second = store.current_session()  # same visitor, same session (within the timeout)
    later = store.new_visitor()
    store.log_event(later.number, 3, "view", "search")
    return second.number, later.number


def test_csv_and_jsonl_carry_every_column(tmp_path: Path) -> None:
    with SessionStore(db_url(tmp_path)) as store:
        a, b = two_visits(store)
        sessions = {s.number: s for s in store.list_sessions()}
        summary = export_events(store, tmp_path / "all.csv", "csv")
        export_events(store, tmp_path / "carts.jsonl", "jsonl", kinds=["add_to_cart"])
    assert (summary.events, summary.sessions, summary.kinds) == (3, 2, None)
    with open(tmp_path / "all.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == list(transfer.EXPORT_COLUMNS)
    assert [(r["session_number"], r["position"], r["item_id"], r["kind"]) for r in rows] == [
        (str(a), "0", "1", "click"),
        (str(a), "1", "2", "add_to_cart"),
        (str(b), "0", "3", "view"),
    ]
    assert rows[0]["session_uuid"] == sessions[a].uuid
    assert rows[2]["visitor_id"] == sessions[b].visitor_id
    assert rows[0]["timestamp"].endswith("Z") and rows[0]["origin"] == "live"
    lines = (tmp_path / "carts.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["source"] == "rec_gru4rec"


def test_anonymize_rekeys_visitors_consistently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = db_url(tmp_path)
    with SessionStore(url) as store:
        a, _ = two_visits(store)
        store.log_event(a, 4)
        real = {s.visitor_id for s in store.list_sessions()} | {
            s.uuid for s in store.list_sessions()
        }
    out = tmp_path / "anon.jsonl"
    args = ["export", "--out", str(out), "--format", "jsonl", "--anonymize", "--db", url]
    assert main(args) == 0
    assert "exported 4 events in 2 sessions" in capsys.readouterr().out
    records = [json.loads(line) for line in out.read_text().splitlines()]
    exported_ids = {r["visitor_id"] for r in records} | {r["session_uuid"] for r in records}
    assert len(exported_ids) == 4 and not real & exported_ids
    by_session = {r["session_number"]: r["visitor_id"] for r in records}
    assert len({r["visitor_id"] for r in records if r["session_number"] == a}) == 1
    assert len(set(by_session.values())) == 2  # two visitors stay two visitors


def test_export_kinds_flag_and_bad_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = db_url(tmp_path)
    with SessionStore(url) as store:
        two_visits(store)
    out = tmp_path / "views.tsv"
    assert main(["export", "--out", str(out), "--kinds", "view,click", "--db", url]) == 0
    assert "exported 2 events in 2 sessions" in capsys.readouterr().out
    assert main(["export", "--out", str(out), "--kinds", "like", "--db", url]) == 1
    assert "unknown event kind 'like'" in capsys.readouterr().err


def test_db_flag_before_the_command_is_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], private_home: Path
) -> None:
    good = tmp_path / "good.tsv"
    good.write_text("SessionId\tItemId\tTime\n1\t5\t10\n1\t6\t11\n")
    url = db_url(tmp_path)
    assert main(["--db", url, "import", str(good)]) == 0
    assert main(["--db", url, "export", "--out", str(tmp_path / "o.tsv")]) == 0
    assert "exported 2 events in 1 sessions" in capsys.readouterr().out
    assert not (private_home / "data" / "shopdemo.sqlite3").exists()  # not the default store
