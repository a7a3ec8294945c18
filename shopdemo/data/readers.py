"""Readers for every session-file format of DESIGN.md "Data formats", all into one `SessionLog`.

`read_sessions` gives the click log the models train on; `read_events` also keeps each event's
kind (only RetailRocket has more than clicks), which the store's importer needs. Errors are
`DataFormatError`s naming the file and the 1-based line as an editor shows it, header included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopdemo.data import _parsing as parse
from shopdemo.data.events import SessionLog
from shopdemo.errors import DataFormatError, ShopDemoError

FORMATS = ("tsv", "yoochoose", "diginetica", "retailrocket", "sequences")
KINDS = ("view", "click", "add_to_cart", "purchase")  # the store's event kinds
RETAILROCKET_KINDS = {"view": "click", "addtocart": "add_to_cart", "transaction": "purchase"}
RETAILROCKET_GAP_SECONDS = 30 * 60  # a visitor's session ends after 30 minutes of inactivity


@dataclass(frozen=True)
class EventFile:
    """Every event a file holds, grouped like `SessionLog.from_arrays`, with its kind."""

    log: SessionLog  # all events, whatever their kind
    kinds: np.ndarray  # (events,) str kind of each event (one of KINDS), aligned with `log`

    def only(self, kinds: tuple[str, ...] = ("click",)) -> SessionLog:
        keep = np.isin(self.kinds, kinds)
        return SessionLog(self.log.session_ids[keep], self.log.item_ids[keep], self.log.times[keep])


def read_sessions(path: str | Path, fmt: str = "tsv") -> SessionLog:
    """The click log of a session file: for RetailRocket, its `view` events."""
    return read_events(path, fmt).only(("click",))


def read_events(path: str | Path, fmt: str = "tsv") -> EventFile:
    """Every event of a session file with its kind, grouped by session, time-sorted inside."""
    reader = _READERS.get(fmt)
    if reader is None:
        raise ShopDemoError(f"unknown session file format {fmt!r}; use one of {', '.join(FORMATS)}")
    return reader(parse.read_lines(path))


def _grouped(session_ids, item_ids, times, kinds=None) -> EventFile:  # noqa: ANN001
    """Sessions in order of first appearance, events stably sorted by time inside.

    The same order as `SessionLog.from_arrays`, applied to the kinds as well.
    """
    if kinds is None:
        kinds = np.full(len(item_ids), "click")
    if len(session_ids) == 0:
        empty = SessionLog.from_arrays([], [], [])
        return EventFile(empty, np.asarray(kinds, dtype=np.str_))
    _, first_index, inverse = np.unique(session_ids, return_index=True, return_inverse=True)
    session_rank = np.argsort(np.argsort(first_index, kind="stable"), kind="stable")[inverse]
    order = np.lexsort((np.arange(len(times)), times, session_rank))
    log = SessionLog(session_ids[order], item_ids[order], times[order])
    return EventFile(log, np.asarray(kinds)[order])


def _read_tsv(text: parse.TextLines) -> EventFile:
    columns = parse.check_header(text, "\t", ("SessionId", "ItemId", "Time"))
    body = text.drop_first()
    n_fields = len(text.lines[0].split("\t"))
    fields = parse.split_fields(body, "\t", n_fields, f"{n_fields} tab-separated fields")
    time = fields[columns["Time"]]
    return _grouped(
        parse.int_column(body, fields[columns["SessionId"]], "session id"),
        parse.int_column(body, fields[columns["ItemId"]], "item id"),
        parse.check_time_range(body, parse.float_column(body, time, "time"), time, "time"),
    )


def _tsv_hint(problem: str) -> str:
    return problem + " (this looks like the tsv layout: use --format tsv)"


def _read_yoochoose(text: parse.TextLines) -> EventFile:
    def hint(problem: str) -> str:
        return _tsv_hint(problem) if "\\t" in problem else problem

    layout = "4 comma-separated fields SessionId,Timestamp,ItemId,Category"
    session, stamp, item, _category = parse.split_fields(text, ",", 4, layout, hint)
    seconds = parse.datetime_column(text, stamp, parse.ISO_UTC_PATTERN, "timestamp")
    return _grouped(
        parse.int_column(text, session, "session id"),
        parse.int_column(text, item, "item id"),
        parse.check_time_range(text, seconds, stamp, "timestamp"),
    )


def _read_diginetica(text: parse.TextLines) -> EventFile:
    required = ("session_id", "user_id", "item_id", "timeframe", "eventdate")
    columns = parse.check_header(text, ";", required)
    body = text.drop_first()
    n_fields = len(text.lines[0].split(";"))
    fields = parse.split_fields(body, ";", n_fields, f"{n_fields} semicolon-separated fields")
    days = parse.datetime_column(
        body, fields[columns["eventdate"]], parse.DATE_PATTERN, "eventdate"
    )
    timeframe = fields[columns["timeframe"]]
    offset_ms = parse.int_column(body, timeframe, "timeframe")
    return _grouped(
        parse.int_column(body, fields[columns["session_id"]], "session id"),
        parse.int_column(body, fields[columns["item_id"]], "item id"),
        parse.check_time_range(body, days + offset_ms / 1000.0, timeframe, "timeframe"),
    )


def _read_retailrocket(text: parse.TextLines) -> EventFile:
    required = ("timestamp", "visitorid", "event", "itemid", "transactionid")
    columns = parse.check_header(text, ",", required)
    body = text.drop_first()
    n_fields = len(text.lines[0].split(","))
    fields = parse.split_fields(body, ",", n_fields, f"{n_fields} comma-separated fields")
    stamps = fields[columns["timestamp"]]
    stamps_ms = parse.int_column(body, stamps, "timestamp")
    visitors = parse.int_column(body, fields[columns["visitorid"]], "visitor id")
    items = parse.int_column(body, fields[columns["itemid"]], "item id")
    events = fields[columns["event"]]
    try:
        kinds = np.array([RETAILROCKET_KINDS[event] for event in events], dtype=np.str_)
    except KeyError:
        bad = next(i for i, event in enumerate(events) if event not in RETAILROCKET_KINDS)
        raise body.error(
            bad, f"event {events[bad]!r} is not one of view, addtocart, transaction"
        ) from None
    times = parse.check_time_range(body, stamps_ms / 1000.0, stamps, "timestamp")
    sessions = _cut_sessions(visitors, times, RETAILROCKET_GAP_SECONDS)
    order = np.lexsort((np.arange(len(times)), times, sessions))
    return _grouped(sessions[order], items[order], times[order], kinds[order])


def _cut_sessions(visitors: np.ndarray, times: np.ndarray, gap: float) -> np.ndarray:
    """(events,) session number per event: a visitor's next session starts after `gap` seconds.

    Sessions are numbered from 1 in order of their first event's time (then visitor id).
    """
    if len(visitors) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((times, visitors))  # by visitor, then time
    sorted_visitors, sorted_times = visitors[order], times[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (sorted_visitors[1:] != sorted_visitors[:-1]) | (np.diff(sorted_times) > gap)
    session_in_visitor_order = np.cumsum(starts) - 1  # (events,) 0-based, visitor-major
    start_index = np.flatnonzero(starts)
    chronological = np.lexsort((sorted_visitors[start_index], sorted_times[start_index]))
    number = np.empty(len(start_index), dtype=np.int64)
    number[chronological] = np.arange(1, len(start_index) + 1)
    sessions = np.empty(len(order), dtype=np.int64)
    sessions[order] = number[session_in_visitor_order]
    return sessions


def _read_sequences(text: parse.TextLines) -> EventFile:
    users, items = parse.split_fields(text, None, 2, "2 whitespace-separated fields 'user item'")
    user_ids = parse.int_column(text, users, "user id")
    item_ids = parse.int_column(text, items, "item id")
    return _grouped(user_ids, item_ids, _positions(user_ids))


def _positions(user_ids: np.ndarray) -> np.ndarray:
    """(events,) float64 0-based position of each line among its user's lines, in file order."""
    order = np.argsort(user_ids, kind="stable")
    sorted_users = user_ids[order]
    group_start = np.ones(len(order), dtype=bool)
    group_start[1:] = sorted_users[1:] != sorted_users[:-1]
    start_of_group = np.maximum.accumulate(np.where(group_start, np.arange(len(order)), 0))
    positions = np.empty(len(order), dtype=np.float64)
    positions[order] = np.arange(len(order)) - start_of_group
    return positions


_READERS = {
    "tsv": _read_tsv,
    "yoochoose": _read_yoochoose,
    "diginetica": _read_diginetica,
    "retailrocket": _read_retailrocket,
    "sequences": _read_sequences,
}

__all__ = ["FORMATS", "EventFile", "read_events", "read_sessions", "DataFormatError"]
