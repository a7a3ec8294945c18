"""Session file readers and writers: every DESIGN.md format, its error rules and round trips."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_file

from shopdemo.data.events import SessionLog
from shopdemo.data.readers import read_events, read_sessions
from shopdemo.data.writers import atomic_write, format_time, write_csv, write_jsonl, write_tsv
from shopdemo.errors import DataFormatError, ShopDemoError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def as_lists(log: SessionLog) -> tuple[list[int], list[int], list[float]]:
    return log.session_ids.tolist(), log.item_ids.tolist(), log.times.tolist()


def error_of(path: Path, fmt: str) -> DataFormatError:
    with pytest.raises(DataFormatError) as caught:
        read_sessions(path, fmt)
    return caught.value


# --- tsv ---------------------------------------------------------------------------------------


def test_tsv_reads_groups_and_sorts(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.tsv", "SessionId\tItemId\tTime\n9\t5\t20.5\n2\t7\t3\n9\t6\t10\n2\t8\t4.25\n"
    )
    assert as_lists(read_sessions(path)) == ([9, 9, 2, 2], [6, 5, 7, 8], [10.0, 20.5, 3.0, 4.25])


def test_tsv_header_columns_in_any_order_extra_columns_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.tsv", "Time\tItemId\tUser\tSessionId\r\n1.5\t11\tx\t4\r\n0.5\t12\ty\t4\r\n"
    )
    assert as_lists(read_sessions(path)) == ([4, 4], [12, 11], [0.5, 1.5])


def test_tsv_bad_item_id_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.tsv", "SessionId\tItemId\tTime\n1\t5\t1\n1\tshoe\t2\n")
    error = error_of(path, "tsv")
    assert (error.path, error.line) == (str(path), 3)
    assert str(error) == f"{path}:3: item id 'shoe' is not an integer (of at most 18 digits)"


def test_line_numbers_count_blank_lines_and_the_header(tmp_path: Path) -> None:
    path = write(tmp_path, "a.tsv", "SessionId\tItemId\tTime\n1\t5\t1\n\n1\t6\t2\n1\t7\t2.x\n")
    error = error_of(path, "tsv")
    assert error.line == 5 and "time '2.x' is not a number" in str(error)


def test_tsv_wrong_field_count_and_non_finite_time(tmp_path: Path) -> None:
    short = write(tmp_path, "short.tsv", "SessionId\tItemId\tTime\n1\t5\t1\n1\t6\n")
    assert error_of(short, "tsv").line == 3
    huge = write(tmp_path, "huge.tsv", "SessionId\tItemId\tTime\n1\t5\t1e999\n")
    assert error_of(huge, "tsv").line == 2
    loose = write(tmp_path, "loose.tsv", "SessionId\tItemId\tTime\n1\t1_000\t1\n")
    assert error_of(loose, "tsv").line == 2


def test_integer_ids_reject_overflow_and_accept_negative(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.tsv", "SessionId\tItemId\tTime\n-3\t7\t1\n1\t99999999999999999999\t2\n"
    )
    assert error_of(path, "tsv").line == 3


def test_empty_file_and_missing_header(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.tsv", "\n\n")
    error = error_of(empty, "tsv")
    assert error.line is None and "empty file" in str(error)
    headless = write(tmp_path, "headless.tsv", "1\t5\t1.0\n")
    error = error_of(headless, "tsv")
    assert error.line == 1 and "missing header line" in str(error)


def test_header_only_is_an_empty_log(tmp_path: Path) -> None:
    path = write(tmp_path, "a.tsv", "SessionId\tItemId\tTime\n")
    log = read_sessions(path)
    assert len(log) == 0 and log.n_sessions == 0


def test_missing_file_non_utf8_and_unknown_format(tmp_path: Path) -> None:
    assert "no such file" in str(error_of(tmp_path / "nope.tsv", "tsv"))
    binary = tmp_path / "b.tsv"
    binary.write_bytes(b"SessionId\tItemId\tTime\n1\t2\t3\n\xff\xfe\n")
    assert error_of(binary, "tsv").line == 3
    with pytest.raises(ShopDemoError, match="unknown session file format 'csv'"):
        read_sessions(binary, "csv")


# --- yoochoose ---------------------------------------------------------------------------------


def test_yoochoose_iso_timestamps(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "clicks.dat",
        "1,2014-04-07T10:54:09.868Z,214536500,0\n1,2014-04-07T10:51:09.277Z,214536502,0\n"
        "2,2014-04-06T00:00:00.000Z,214662742,S\n",
    )
    first = datetime(2014, 4, 7, 10, 51, 9, 277000, tzinfo=UTC).timestamp()
    assert as_lists(read_sessions(path, "yoochoose")) == (
        [1, 1, 2],
        [214536502, 214536500, 214662742],
        [first, first + 180.591, datetime(2014, 4, 6, tzinfo=UTC).timestamp()],
    )


def test_yoochoose_bad_rows(tmp_path: Path) -> None:
    no_zone = write(
        tmp_path, "a.dat", "1,2014-04-07T10:51:09.277Z,5,0\n1,2014-04-07T10:52:00,6,0\n"
    )
    error = error_of(no_zone, "yoochoose")
    assert error.line == 2 and "ending in Z" in str(error)
    bad_month = write(tmp_path, "b.dat", "1,2014-04-07T10:51:09Z,5,0\n1,2014-13-07T10:52:00Z,6,0\n")
    assert error_of(bad_month, "yoochoose").line == 2
    tsv_layout = write(tmp_path, "c.dat", "SessionId\tItemId\tTime\n1\t5\t1\n")
    error = error_of(tsv_layout, "yoochoose")
    assert error.line == 1 and "use --format tsv" in str(error)


# --- diginetica --------------------------------------------------------------------------------

DIGINETICA = (
    "session_id;user_id;item_id;timeframe;eventdate\n"
    "1;NA;81766;526309;2016-05-09\n"
    "1;NA;31331;1031018;2016-05-09\n"
    "1;NA;9654;75848;2016-05-09\n"
    "7;12;40;1000;2016-05-10"
)


def test_diginetica_time_is_eventdate_plus_timeframe_sorted_in_session(tmp_path: Path) -> None:
    log = read_sessions(write(tmp_path, "views.csv", DIGINETICA), "diginetica")
    midnight = datetime(2016, 5, 9, tzinfo=UTC).timestamp()
    next_day = datetime(2016, 5, 10, tzinfo=UTC).timestamp()
    assert as_lists(log) == (
        [1, 1, 1, 7],
        [9654, 81766, 31331, 40],
        [midnight + 75.848, midnight + 526.309, midnight + 1031.018, next_day + 1.0],
    )


def test_diginetica_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path, "views.csv", DIGINETICA.replace("31331", "3x"))
    error = error_of(path, "diginetica")
    assert error.line == 3 and "item id '3x'" in str(error)
    header = write(tmp_path, "h.csv", "session;item\n1;2\n")
    assert "bad header" in str(error_of(header, "diginetica"))


# --- retailrocket ------------------------------------------------------------------------------

RETAILROCKET = (
    "timestamp,visitorid,event,itemid,transactionid\n"
    "1000000,5,view,100,\n"
    "1600000,5,addtocart,100,\n"
    "1000000,9,view,300,\n"
    "2800000,5,view,101,\n"  # 1,200 s after the add-to-cart: same session
    "4700000,5,view,102,\n"  # 1,900 s later: a new session
    "4800000,5,transaction,102,77\n"
)


def test_retailrocket_cuts_sessions_after_30_minutes_and_keeps_kinds(tmp_path: Path) -> None:
    events = read_events(write(tmp_path, "events.csv", RETAILROCKET), "retailrocket")
    # sessions numbered by start time, then visitor: visitor 5 (1), visitor 9 (2), visitor 5 (3)
    assert as_lists(events.log) == (
        [1, 1, 1, 2, 3, 3],
        [100, 100, 101, 300, 102, 102],
        [1000.0, 1600.0, 2800.0, 1000.0, 4700.0, 4800.0],
    )
    assert events.kinds.tolist() == ["click", "add_to_cart", "click", "click", "click", "purchase"]
    clicks = read_sessions(write(tmp_path, "events.csv", RETAILROCKET), "retailrocket")
    assert as_lists(clicks) == (
        [1, 1, 2, 3],
        [100, 101, 300, 102],
        [1000.0, 2800.0, 1000.0, 4700.0],
    )


def test_retailrocket_bad_event(tmp_path: Path) -> None:
    path = write(tmp_path, "events.csv", RETAILROCKET.replace("addtocart", "wishlist"))
    error = error_of(path, "retailrocket")
    assert error.line == 3 and "'wishlist'" in str(error)


# --- sequences ---------------------------------------------------------------------------------


def test_sequences_time_is_position_per_user(tmp_path: Path) -> None:
    path = write(tmp_path, "seq.txt", "3 10\n3 11\n1 12\n3 10\n1 13\n")
    assert as_lists(read_sessions(path, "sequences")) == (
        [3, 3, 3, 1, 1],
        [10, 11, 10, 12, 13],
        [0.0, 1.0, 2.0, 0.0, 1.0],
    )


def test_sequences_bad_rows(tmp_path: Path) -> None:
    three = write(tmp_path, "a.txt", "1 2\n1 3\n1 4 5\n")
    error = error_of(three, "sequences")
    assert error.line == 3 and "found 3 field(s)" in str(error)
    word = write(tmp_path, "b.txt", "1 2\nbob 3\n")
    assert "user id 'bob'" in str(error_of(word, "sequences"))


# --- writers -----------------------------------------------------------------------------------


def test_format_time_is_deterministic_and_exact() -> None:
    assert [format_time(t) for t in (5.0, 0.1, 1396860669.277, -2.0)] == [
        "5",
        "0.1",
        "1396860669.277",
        "-2",
    ]
    with pytest.raises(ShopDemoError):
        format_time(float("nan"))


def test_tsv_round_trip(tmp_path: Path) -> None:
    log = SessionLog.from_arrays([4, 4, 1], [10, 11, 12], [1396860669.277, 1396860670.0, 0.125])
    path = tmp_path / "out.tsv"
    write_tsv(log, path)
    assert path.read_text() == (
        "SessionId\tItemId\tTime\n4\t10\t1396860669.277\n4\t11\t1396860670\n1\t12\t0.125\n"
    )
    assert as_lists(read_sessions(path)) == as_lists(log)


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    path = write(tmp_path, "keep.tsv", "old content\n")
    with pytest.raises(RuntimeError), atomic_write(path) as stream:
        stream.write("half a new file")
        raise RuntimeError("interrupted")
    assert path.read_text() == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.tsv"]
    with pytest.raises(ShopDemoError, match="does not exist"):
        write_tsv(SessionLog.from_arrays([], [], []), tmp_path / "missing" / "x.tsv")


def test_csv_and_jsonl(tmp_path: Path) -> None:
    rows = [("a", 1, "x,y"), ("b", 2, 'say "hi"')]
    assert write_csv(tmp_path / "o.csv", ["k", "n", "text"], rows) == 2
    assert (tmp_path / "o.csv").read_text() == 'k,n,text\na,1,"x,y"\nb,2,"say ""hi"""\n'
    assert write_jsonl(tmp_path / "o.jsonl", ["k", "n", "text"], rows) == 2
    assert (tmp_path / "o.jsonl").read_text().splitlines()[
        1
    ] == '{"k":"b","n":2,"text":"say \\"hi\\""}'


# --- the shared real files (skipped when absent) -----------------------------------------------


def test_real_rsc15_counts_and_round_trip(tmp_path: Path) -> None:
    log = read_sessions(shared_file("rsc15-100k", "train.tsv"))
    assert (len(log), log.n_sessions, log.n_items) == (51_155, 14_079, 2_217)
    write_tsv(log, tmp_path / "copy.tsv")
    again = read_sessions(tmp_path / "copy.tsv")
    for name in ("session_ids", "item_ids", "times"):
        assert np.array_equal(getattr(again, name), getattr(log, name))


def test_real_yoochoose_raw_files() -> None:
    train = read_sessions(
        shared_file("raw", "yoochoose-100k", "yoochoose-clicks-100k_train_full.txt")
    )
    test = read_sessions(shared_file("raw", "yoochoose-100k", "yoochoose-clicks-100k_test.txt"))
    assert len(train) + len(test) == 83_846
    sessions = np.union1d(train.session_ids, test.session_ids)
    items = np.union1d(train.item_ids, test.item_ids)
    assert (len(sessions), len(items)) == (21_210, 2_933)


def test_real_diginetica_sample() -> None:
    path = shared_file("raw", "diginetica-sample", "sample_train-item-views.csv")
    log = read_sessions(path, "diginetica")
    assert (len(log), log.n_sessions, log.n_items) == (12_391, 2_986, 7_139)
    for _, times in zip(range(50), np.split(log.times, log.offsets[1:-1]), strict=False):
        assert np.all(np.diff(times) >= 0)


def test_real_ml1m_sequences() -> None:
    log = read_sessions(shared_file("ml-1m", "ml-1m-approx.txt"), "sequences")
    assert (len(log), log.n_sessions, log.n_items) == (994_083, 6_040, 3_416)
    assert log.times[:3].tolist() == [0.0, 1.0, 2.0]


def test_writing_over_a_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(ShopDemoError, match="taken: cannot write"):
        write_tsv(SessionLog.from_arrays([1], [2], [3.0]), tmp_path / "taken")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
