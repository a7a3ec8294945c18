"""Faults around the session store: each ends with an intact database and a one-line message.

A SIGKILLed import, a full database while logging, a full disk while exporting, a read-only
database (SQLite `mode=ro`: tests run as root, so file permissions would prove nothing) and a
database another process keeps locked past the busy timeout. RELIABILITY.md lists them all.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from sqlalchemy import event

from shopdemo.cli import main
from shopdemo.data import writers
from shopdemo.data.readers import read_sessions
from shopdemo.errors import ShopDemoError
from shopdemo.store import SessionStore, export_events, import_file
from shopdemo.store import engine as store_engine


def file_url(path: Path) -> str:
    return f"sqlite:///{path}"


def read_only_url(path: Path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def store_with_clicks(path: Path, items: list[int]) -> int:
    """A store file holding one live session with `items` clicked; returns the session number."""
    with SessionStore(file_url(path)) as store:
        session = store.current_session().number
        for item in items:
            store.log_event(session, item)
    return session


def clicks_of(store: SessionStore, session: int) -> list[int]:
    info, events = store.load_session(session)
    assert info.event_count == len(events)  # the count and the rows agree
    assert [event.position for event in events] == list(range(len(events)))
    return [event.item_id for event in events]


def one_error_line(err: str) -> str:
    """The CLI's error output is exactly one `shopdemo: error: ...` line, no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("shopdemo: error: ") and "Traceback" not in err
    return lines[0]


# --- SIGKILL during an import ------------------------------------------------------------------

IMPORTER = """
import os, sys, time
from shopdemo.store import SessionStore, import_file, transfer
url, path, wal = sys.argv[1:4]
real_insert = transfer.insert_columns

def insert_then_wait(connection, table, columns):
    # Pause inside the import's transaction once its uncommitted rows have reached the WAL file.
    real_insert(connection, table, columns)
    if table.__tablename__ == "events" and os.path.exists(wal) and os.path.getsize(wal) > 0:
        print("written", flush=True)
        time.sleep(600)

transfer.insert_columns = insert_then_wait
transfer.BATCH = 5_000
import_file(SessionStore(url), path)
print("committed", flush=True)
"""


def big_tsv(path: Path, events: int) -> Path:
    rows = "".join(
        f"{i // 10}\t{1 + (i * 7919) % 5000}\t{1_400_000_000 + i}\n" for i in range(events)
    )
    path.write_text("SessionId\tItemId\tTime\n" + rows)
    return path


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_sigkill_during_an_import_keeps_exactly_the_old_events(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    session = store_with_clicks(database, [7, 8, 9])
    wal = Path(f"{database}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # closing the store checkpointed it
    source = big_tsv(tmp_path / "big.tsv", 60_000)
    child = subprocess.Popen(
        [sys.executable, "-c", IMPORTER, file_url(database), str(source), str(wal)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO_ROOT,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == "written\n"  # rows of the import are in the WAL
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert wal.stat().st_size > 0  # the uncommitted frames are still on disk
    with SessionStore(file_url(database)) as store:
        assert store.integrity_check() == "ok"
        assert store.event_count() == 3
        assert [info.number for info in store.list_sessions()] == [session]
        assert clicks_of(store, session) == [7, 8, 9]
        # The store is usable: the same file imports in full, numbered after the old session.
        summary = import_file(store, source)
        assert (summary.events, summary.first_session) == (60_000, session + 1)
        assert store.event_count() == 60_003


# --- a full database while logging ------------------------------------------------------------


def cap_database_pages(store: SessionStore, extra_pages: int) -> None:
    """Simulate a full disk: SQLite refuses to grow the file past its current size + extra."""
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(store.engine, "connect")
    def cap(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + extra_pages}")

    store.engine.dispose()  # every later connection gets the cap


def test_full_database_refuses_the_click_that_does_not_fit(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    session = store_with_clicks(database, [1, 2])
    with SessionStore(file_url(database)) as store:
        cap_database_pages(store, extra_pages=1)
        acknowledged = [1, 2]
        with pytest.raises(ShopDemoError) as caught:
            for item in range(100, 10_000):  # one page holds far fewer clicks than this
                store.log_event(session, item)
                acknowledged.append(item)
        message = str(caught.value)
        assert "\n" not in message
        assert message.startswith(f"database {file_url(database)} is out of space")
        assert "database or disk is full" in message and "not saved" in message
        assert len(acknowledged) > 10  # it failed when the page filled up, not at once
        assert clicks_of(store, session) == acknowledged  # every earlier click, nothing extra
        assert store.integrity_check() == "ok"
        with pytest.raises(ShopDemoError, match="out of space"):  # still full, still clear
            store.log_event(session, 99_999)
        assert store.current_session().number == session  # reads still work
    with SessionStore(file_url(database)) as store:  # without the cap it grows again
        store.log_event(session, 10_001)
        assert clicks_of(store, session) == [*acknowledged, 10_001]


# --- a full disk while exporting ----------------------------------------------------------------


class FillingStream:
    """A text stream on a disk that fills up after `room` characters (OSError ENOSPC)."""

    def __init__(self, stream, room: int) -> None:  # noqa: ANN001
        self._stream = stream
        self._room = room

    def write(self, text: str) -> int:
        if len(text) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(text)
        return self._stream.write(text)

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._stream, name)

    def __enter__(self) -> FillingStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stream.close()


@pytest.fixture
def disk_with_room(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every file the writers open can take only 2,000 characters (a few dozen rows)."""
    real_fdopen = os.fdopen

    def small_fdopen(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        return FillingStream(real_fdopen(*args, **kwargs), room=2_000)

    monkeypatch.setattr(writers.os, "fdopen", small_fdopen)
    yield


@pytest.mark.parametrize("fmt", ["tsv", "csv", "jsonl"])
@pytest.mark.parametrize("previous", [True, False], ids=["over-old-file", "new-file"])
def test_full_disk_during_export_leaves_the_target_as_it_was(
    tmp_path: Path,
    fmt: str,
    previous: bool,
    disk_with_room: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = tmp_path / "shop.sqlite3"
    store_with_clicks(database, list(range(1, 501)))  # far more than 2,000 characters
    target = tmp_path / "exports" / f"log.{fmt}"
    target.parent.mkdir()
    if previous:
        target.write_bytes(b"the previous export\n")
    assert main(["export", "--out", str(target), "--format", fmt, "--db", file_url(database)]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert line == f"shopdemo: error: {target}: cannot write: No space left on device"
    assert sorted(path.name for path in target.parent.iterdir()) == (
        [target.name] if previous else []
    )
    if previous:
        assert target.read_bytes() == b"the previous export\n"
    with SessionStore(file_url(database)) as store:
        assert store.integrity_check() == "ok" and store.event_count() == 500


# --- a read-only database ---------------------------------------------------------------------


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_read_only_database_refuses_writes_in_one_line_and_still_reads(
    tmp_path: Path, journal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "shop.sqlite3"
    session = store_with_clicks(database, [4, 5, 6])
    with sqlite3.connect(database) as connection:  # a file copied from elsewhere may not be WAL
        connection.execute(f"PRAGMA journal_mode = {journal}")
    before = database.read_bytes()
    monkeypatch.chdir(tmp_path)
    with SessionStore(read_only_url(database)) as store:
        writes = [
            lambda: store.log_event(session, 7),
            lambda: store.new_visitor(),
            lambda: store.log_impressions(session, 3, "gru4rec", [1, 2], [0.6, 0.4]),
            lambda: store.delete_session(session),
        ]
        for write in writes:
            with pytest.raises(ShopDemoError) as caught:
                write()
            assert str(caught.value) == (
                f"database {read_only_url(database)} is read-only "
                "(attempt to write a readonly database): this change was not saved"
            )
        assert clicks_of(store, session) == [4, 5, 6]  # reads still work
        assert store.current_session().number == session  # resuming needs no write
        assert store.training_log().item_ids.tolist() == [4, 5, 6]
        export_events(store, tmp_path / "out.tsv")
        assert read_sessions(tmp_path / "out.tsv").item_ids.tolist() == [4, 5, 6]
        assert store.integrity_check() == "ok"
    assert database.read_bytes() == before  # not one byte written
    assert not (tmp_path / "file:").exists()  # the URI is not taken for a folder to create


def test_read_only_database_cli_import_is_one_line_and_export_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "shop.sqlite3"
    store_with_clicks(database, [4, 5, 6])
    source = tmp_path / "more.tsv"
    source.write_text("SessionId\tItemId\tTime\n1\t10\t100\n1\t11\t101\n")
    url = read_only_url(database)
    assert main(["import", str(source), "--db", url]) == 1
    assert one_error_line(capsys.readouterr().err) == (
        f"shopdemo: error: database {url} is read-only "
        "(attempt to write a readonly database): this change was not saved"
    )
    out = tmp_path / "out.tsv"
    assert main(["export", "--out", str(out), "--db", url]) == 0
    assert read_sessions(out).item_ids.tolist() == [4, 5, 6]
    with SessionStore(file_url(database)) as store:
        assert store.event_count() == 3 and store.integrity_check() == "ok"


# --- a database locked by another process -------------------------------------------------------

LOCKER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
connection.execute("INSERT INTO shopdemo_meta VALUES ('locker', 'uncommitted')")
print("locked", flush=True)
sys.stdin.readline()
connection.execute(sys.argv[2])
print("released", flush=True)
"""


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[tuple[Path, int, subprocess.Popen[str]]]:
    """A store file with clicks 1, 2, 3 whose write lock another process holds (BEGIN EXCLUSIVE).

    Writing a line to the child's stdin makes it ROLLBACK and exit.
    """
    database = tmp_path / "shop.sqlite3"
    session = store_with_clicks(database, [1, 2, 3])
    child = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(database), "ROLLBACK"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline() == "locked\n"
        yield database, session, child
    finally:
        with contextlib.suppress(BrokenPipeError):  # the test may have released it already
            child.stdin.write("go\n")
            child.stdin.flush()
        child.communicate(timeout=30)


def test_write_to_a_locked_database_fails_after_the_busy_timeout(
    locked: tuple[Path, int, subprocess.Popen[str]],
) -> None:
    database, session, child = locked
    with SessionStore(file_url(database), busy_timeout_ms=200) as store:
        with pytest.raises(ShopDemoError) as caught:
            store.log_event(session, 4)
        assert str(caught.value) == (
            f"database {file_url(database)} is locked by another program (waited 0.2 s): "
            "this change was not saved; try again when the other program has finished"
        )
        assert clicks_of(store, session) == [1, 2, 3]  # reads go on (WAL) during the lock
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == "released\n"
        store.log_event(session, 4)  # the same store writes once the lock is gone
        assert clicks_of(store, session) == [1, 2, 3, 4]
        assert store.integrity_check() == "ok"


def test_locked_database_cli_import_is_one_line_and_export_still_works(
    locked: tuple[Path, int, subprocess.Popen[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database, session, _child = locked
    monkeypatch.setattr(store_engine, "BUSY_TIMEOUT_MS", 200)
    source = tmp_path / "more.tsv"
    source.write_text("SessionId\tItemId\tTime\n1\t10\t100\n1\t11\t101\n")
    url = file_url(database)
    assert main(["import", str(source), "--db", url]) == 1
    assert one_error_line(capsys.readouterr().err) == (
        f"shopdemo: error: database {url} is locked by another program (waited 0.2 s): "
        "this change was not saved; try again when the other program has finished"
    )
    out = tmp_path / "out.tsv"  # opening to read needs no lock
    assert main(["export", "--out", str(out), "--db", url]) == 0
    assert read_sessions(out).item_ids.tolist() == [1, 2, 3]
    with SessionStore(url) as store:
        assert clicks_of(store, session) == [1, 2, 3] and store.integrity_check() == "ok"
