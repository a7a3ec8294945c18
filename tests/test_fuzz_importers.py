"""Bad input, generated: every reader and the store's import either parse or say which file is bad.

Hypothesis feeds the five readers random text, random bytes, and real-looking files that are
truncated or hit by a stray character; the one allowed failure is a DataFormatError naming the
file (and the line, within the file). A failed import leaves the store's event count unchanged,
and a successful one can be read back and exported. Also: foreign and random files as the
database. Seeded (derandomize) so CI sees the same cases every run.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopdemo.cli import main
from shopdemo.data.readers import FORMATS, read_sessions
from shopdemo.errors import DataFormatError, ShopDemoError
from shopdemo.store import SessionStore, export_events, import_file

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HEADERS = {
    "tsv": "SessionId\tItemId\tTime\n",
    "diginetica": "session_id;user_id;item_id;timeframe;eventdate\n",
    "retailrocket": "timestamp,visitorid,event,itemid,transactionid\n",
}
# Pieces the formats are made of, so random text often gets past the header and into the rows.
PIECES = [*"0123456789", *"\t,; \n\r-+.eEZT:x\x00\x1c\x85\u2028\u3000é"] + [
    *HEADERS.values(),
    "view",
    "addtocart",
    "transaction",
    "2014-04-07T10:51:09.277Z",
    "0000-01-01T00:00:00Z",
    "2016-02-30",
    "1e400",
    "nan",
    "9" * 19,
    "-1e15",
]
random_text = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="shopdemo-fuzz-") as name:
        yield Path(name)


def check_read(path: Path, fmt: str) -> int | None:
    """Clicks read, or None after a DataFormatError that names the file and a line inside it."""
    try:
        return len(read_sessions(path, fmt))
    except DataFormatError as exc:
        check_message(exc, path)
        return None


def check_message(exc: DataFormatError, path: Path) -> None:
    message = str(exc)
    assert exc.path == str(path) and "\n" not in message
    lines_in_file = path.read_bytes().count(b"\n") + 1
    if exc.line is None:
        assert message.startswith(f"{path}: ")
    else:
        assert 1 <= exc.line <= lines_in_file
        assert message.startswith(f"{path}:{exc.line}: ")


@FUZZ
@given(text=random_text)
@pytest.mark.parametrize("fmt", FORMATS)
def test_random_text_parses_or_names_the_file_and_line(folder: Path, fmt: str, text: str) -> None:
    path = folder / f"random.{fmt}"
    path.write_text(text, encoding="utf-8")
    check_read(path, fmt)


@FUZZ
@given(data=st.binary(max_size=200))
@pytest.mark.parametrize("fmt", FORMATS)
def test_random_bytes_parse_or_name_the_file(folder: Path, fmt: str, data: bytes) -> None:
    path = folder / f"bytes.{fmt}"
    path.write_bytes(data)
    check_read(path, fmt)


# --- real-looking files, then damaged ----------------------------------------------------------

events_strategy = st.lists(
    st.tuples(
        st.integers(1, 40),  # session (or visitor, or user)
        st.integers(1, 10**6),  # item
        st.integers(1_390_000_000, 1_450_000_000),  # unix seconds
        st.sampled_from(["view", "view", "addtocart", "transaction"]),  # RetailRocket's event
    ),
    min_size=1,
    max_size=30,
)


def render(fmt: str, events: list[tuple[int, int, int, str]]) -> str:
    """The events in `fmt`'s layout (DESIGN.md "Data formats")."""
    lines = []
    for session, item, seconds, kind in events:
        moment = datetime.fromtimestamp(seconds, UTC)
        if fmt == "tsv":
            lines.append(f"{session}\t{item}\t{seconds}.5")
        elif fmt == "yoochoose":
            lines.append(f"{session},{moment:%Y-%m-%dT%H:%M:%S}.277Z,{item},0")
        elif fmt == "diginetica":
            lines.append(f"{session};;{item};{seconds % 86_400 * 1000};{moment:%Y-%m-%d}")
        elif fmt == "retailrocket":
            lines.append(f"{seconds * 1000},{session},{kind},{item},")
        else:
            lines.append(f"{session} {item}")
    return HEADERS.get(fmt, "") + "\n".join(lines) + "\n"


@st.composite
def damaged_files(draw: st.DrawFn) -> tuple[str, int, str, str]:
    """(format, clicks in the intact text, intact text, damaged text).

    The damaged text is the intact one cut short, and maybe with one character replaced.
    """
    fmt = draw(st.sampled_from(FORMATS))
    events = draw(events_strategy)
    clicks = sum(fmt != "retailrocket" or kind == "view" for *_, kind in events)
    intact = render(fmt, events)
    damaged = intact[: draw(st.integers(0, len(intact)))]
    if damaged and draw(st.booleans()):
        where = draw(st.integers(0, len(damaged) - 1))
        damaged = damaged[:where] + draw(st.sampled_from(PIECES)) + damaged[where + 1 :]
    return fmt, clicks, intact, damaged


@FUZZ
@given(case=damaged_files())
def test_truncated_and_damaged_files_parse_or_name_the_line(
    folder: Path, case: tuple[str, int, str, str]
) -> None:
    fmt, clicks, intact, damaged = case
    path = folder / f"intact.{fmt}"
    path.write_text(intact, encoding="utf-8")
    assert check_read(path, fmt) == clicks  # the generator writes valid files
    path.write_text(damaged, encoding="utf-8")
    check_read(path, fmt)


@pytest.fixture(scope="module")
def fuzz_store(folder: Path) -> Iterator[SessionStore]:
    """A store holding one live session with three clicks, shared by the import examples."""
    with SessionStore(f"sqlite:///{folder / 'fuzz.sqlite3'}") as store:
        session = store.current_session().number
        for item in (1, 2, 3):
            store.log_event(session, item)
        yield store


@settings(FUZZ, max_examples=50)
@given(case=damaged_files())
def test_import_is_all_or_nothing_and_what_it_takes_reads_back(
    folder: Path, fuzz_store: SessionStore, case: tuple[str, int, str, str]
) -> None:
    fmt, _clicks, _intact, damaged = case
    path = folder / f"import.{fmt}"
    path.write_text(damaged, encoding="utf-8")
    before = fuzz_store.event_count()
    try:
        summary = import_file(fuzz_store, path, fmt)
    except DataFormatError as exc:
        check_message(exc, path)
        assert fuzz_store.event_count() == before
        return
    assert fuzz_store.event_count() == before + summary.events
    if summary.sessions:  # every imported session reads back and exports (times in range)
        for number in (summary.first_session, summary.last_session):
            _info, events = fuzz_store.load_session(number)
            assert events and all(event.source == "browse" for event in events)
    export_events(fuzz_store, folder / "export.csv", "csv")


@pytest.mark.parametrize(
    ("fmt", "text", "line", "problem"),
    [
        ("tsv", "SessionId\tItemId\tTime\n1\t2\t3\n1\t2\t1e20\n", 3, "time '1e20' is outside"),
        ("yoochoose", "1,0000-01-01T00:00:00Z,5,0\n", 1, "timestamp '0000-01-01T00:00:00Z'"),
        (
            "diginetica",
            HEADERS["diginetica"] + "1;;5;9999999999999999;2016-01-01\n",
            2,
            "timeframe",
        ),
        (
            "retailrocket",
            HEADERS["retailrocket"] + "-99999999999999999,1,view,5,\n",
            2,
            "timestamp",
        ),
        ("sequences", "1 2\n1 two\n", 2, "item id 'two' is not an integer"),
    ],
)
def test_cli_import_of_a_bad_file_is_one_line_and_changes_nothing(
    tmp_path: Path,
    fmt: str,
    text: str,
    line: int,
    problem: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with SessionStore(url) as store:
        store.log_event(store.current_session().number, 42)
    path = tmp_path / f"bad.{fmt}"
    path.write_text(text)
    assert main(["import", "--format", fmt, str(path), "--db", url]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"shopdemo: error: {path}:{line}: ") and problem in err
    assert "\n" not in err
    with SessionStore(url) as store:
        assert store.event_count() == 1 and store.integrity_check() == "ok"


# --- files given as the database -----------------------------------------------------------------


def test_cli_refuses_a_foreign_sqlite_database_without_touching_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "invoices.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
        connection.execute("INSERT INTO invoices VALUES (1, 9.5)")
    connection.close()
    before = path.read_bytes()
    source = tmp_path / "clicks.tsv"
    source.write_text("SessionId\tItemId\tTime\n1\t2\t3\n")
    for command in (["import", str(source)], ["export", "--out", str(tmp_path / "o.tsv")]):
        assert main([*command, "--db", f"sqlite:///{path}"]) == 1
        err = capsys.readouterr().err.strip()
        assert err == (
            f"shopdemo: error: sqlite:///{path} is not a ShopDemo database (it has tables "
            "invoices but no ShopDemo marker); choose another --db"
        )
    assert path.read_bytes() == before
    assert not (tmp_path / "o.tsv").exists()


@settings(FUZZ, max_examples=40)
@given(data=st.binary(min_size=1, max_size=4096), sqlite_header=st.booleans())
def test_random_bytes_as_the_database_are_refused_and_left_alone(
    folder: Path, data: bytes, sqlite_header: bool
) -> None:
    path = folder / "random.sqlite3"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    if sqlite_header:  # past SQLite's first check: a damaged database rather than a stranger
        data = b"SQLite format 3\x00" + data
    path.write_bytes(data)
    with pytest.raises(ShopDemoError) as caught:
        SessionStore(f"sqlite:///{path}").close()
    assert str(caught.value).startswith(f"cannot open database sqlite:///{path}: ")
    assert "\n" not in str(caught.value)
    assert path.read_bytes() == data
