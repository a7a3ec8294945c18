"""Whole session files into and out of the store: `shopdemo import` and `shopdemo export`.

An import reads and checks the entire file first, then writes it in one transaction in batches:
a bad row aborts before the store is touched, and an interrupted write rolls back, so the store is
either unchanged or holds the whole file. Imported events are clicks from `browse` (RetailRocket
also brings add_to_cart and purchase); each imported session gets fresh random ids.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from tqdm import tqdm

from shopdemo.data.readers import read_events
from shopdemo.data.writers import write_csv, write_jsonl, write_tsv
from shopdemo.errors import ShopDemoError
from shopdemo.store.engine import WRITE
from shopdemo.store.fastpath import BATCH, insert_columns
from shopdemo.store.schema import KINDS, ORIGINS, EventRow, SessionRow
from shopdemo.store.store import SessionStore, check_choice

log = logging.getLogger(__name__)

IMPORT_SOURCE = "browse"  # how imported clicks are labelled: the file says nothing about it
EXPORT_COLUMNS = (
    "session_uuid",
    "session_number",
    "visitor_id",
    "origin",
    "position",
    "item_id",
    "time",  # unix seconds
    "timestamp",  # the same instant, ISO 8601 UTC
    "kind",
    "source",
)


@dataclass(frozen=True)
class ImportSummary:
    path: str  # the imported file
    sessions: int  # sessions added
    events: int  # events added (all kinds)
    first_session: int | None  # the session numbers given to them: first_session..last_session
    last_session: int | None


@dataclass(frozen=True)
class ExportSummary:
    path: str  # the written file
    fmt: str  # tsv, csv or jsonl
    sessions: int  # sessions with at least one exported event
    events: int  # events written
    kinds: tuple[str, ...] | None  # the exported kinds; None for all


def import_file(
    store: SessionStore,
    path: str | Path,
    fmt: str = "tsv",
    origin: str = "imported",
    progress: bool = False,
) -> ImportSummary:
    """Add every session of a file to the store, all or nothing."""
    check_choice(origin, ORIGINS, "session origin")
    events = read_events(path, fmt)  # the whole file is checked before the store is touched
    session_log = events.log
    offsets = session_log.offsets
    sizes = np.diff(offsets)  # (sessions,)
    n_sessions, n_events = len(sizes), len(session_log)
    positions = np.arange(n_events) - np.repeat(offsets[:-1], sizes)  # (events,)
    with store.engine.connect().execution_options(**WRITE) as connection, connection.begin():
        base = connection.scalar(select(func.coalesce(func.max(SessionRow.number), 0)))
        numbers = np.arange(base + 1, base + 1 + n_sessions)  # (sessions,)
        session_columns = {
            "number": numbers.tolist(),
            "uuid": [str(uuid.uuid4()) for _ in range(n_sessions)],
            "visitor_id": [str(uuid.uuid4()) for _ in range(n_sessions)],
            "origin": [origin] * n_sessions,
            "started_at": session_log.times[offsets[:-1]].tolist(),
            "last_event_at": session_log.times[offsets[1:] - 1].tolist(),
            "event_count": sizes.tolist(),
            "external_id": [str(sid) for sid in session_log.session_ids[offsets[:-1]].tolist()],
        }
        insert_columns(connection, SessionRow, session_columns)
        event_columns = {
            "session_number": np.repeat(numbers, sizes).tolist(),
            "position": positions.tolist(),
            "item_id": session_log.item_ids.tolist(),
            "timestamp": session_log.times.tolist(),
            "kind": events.kinds.tolist(),
            "source": [IMPORT_SOURCE] * n_events,
        }
        bar = tqdm(total=n_events, unit="event", desc="import", disable=not progress or None)
        with bar:
            for start in range(0, n_events, BATCH):
                batch = {
                    name: values[start : start + BATCH] for name, values in event_columns.items()
                }
                insert_columns(connection, EventRow, batch)
                bar.update(len(batch["position"]))
    log.info("imported %d events in %d sessions from %s", n_events, n_sessions, path)
    return ImportSummary(
        str(path),
        n_sessions,
        n_events,
        int(numbers[0]) if n_sessions else None,
        int(numbers[-1]) if n_sessions else None,
    )


def export_events(
    store: SessionStore,
    out: str | Path,
    fmt: str = "tsv",
    kinds: Sequence[str] | None = None,
    anonymize: bool = False,
    progress: bool = False,
) -> ExportSummary:
    """Write the store's events; TSV defaults to clicks, CSV / JSON Lines to every kind.

    `anonymize` replaces visitor and session UUIDs by fresh random ones, consistently within
    this one export and deliberately unseeded, so two exports cannot be linked through them.
    TSV carries neither, so it is unaffected.
    """
    check_choice(fmt, ("tsv", "csv", "jsonl"), "export format")
    if kinds is not None:
        kinds = tuple(check_choice(kind, KINDS, "event kind") for kind in kinds)
    if fmt == "tsv":
        kinds = kinds or ("click",)
        session_log = store.training_log(kinds=kinds)
        write_tsv(session_log, out)
        return ExportSummary(str(out), fmt, session_log.n_sessions, len(session_log), kinds)
    query = (
        select(
            SessionRow.uuid,
            SessionRow.number,
            SessionRow.visitor_id,
            SessionRow.origin,
            EventRow.position,
            EventRow.item_id,
            EventRow.timestamp,
            EventRow.kind,
            EventRow.source,
        )
        .join(SessionRow)
        .order_by(EventRow.session_number, EventRow.position)
    )
    count = select(func.count()).select_from(EventRow)
    if kinds is not None:
        query = query.where(EventRow.kind.in_(kinds))
        count = count.where(EventRow.kind.in_(kinds))
    sessions: set[int] = set()
    with store.engine.connect() as connection, connection.begin():
        total = connection.scalar(count) or 0
        result = connection.execution_options(yield_per=BATCH).execute(query)
        rows = _export_rows(result, sessions, anonymize)
        bar = tqdm(rows, total=total, unit="event", desc="export", disable=not progress or None)
        writer = write_csv if fmt == "csv" else write_jsonl
        written = writer(out, EXPORT_COLUMNS, bar)
    return ExportSummary(str(out), fmt, len(sessions), written, kinds)


def _export_rows(result, sessions: set[int], anonymize: bool) -> Iterator[tuple]:  # noqa: ANN001
    renamed: dict[str, str] = {}

    def rekey(value: str) -> str:
        if not anonymize:
            return value
        if value not in renamed:
            renamed[value] = str(uuid.uuid4())
        return renamed[value]

    for session_uuid, number, visitor, origin, position, item, seconds, kind, source in result:
        sessions.add(number)
        moment = datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
        time = int(seconds) if float(seconds).is_integer() else seconds
        yield (
            rekey(session_uuid),
            number,
            rekey(visitor),
            origin,
            position,
            item,
            time,
            moment,
            kind,
            source,
        )


def parse_kinds(text: str | None) -> tuple[str, ...] | None:
    """'click,purchase' -> ('click', 'purchase'); None stays None."""
    if text is None:
        return None
    kinds = tuple(kind.strip() for kind in text.split(",") if kind.strip())
    if not kinds:
        raise ShopDemoError("--kinds needs at least one kind, e.g. --kinds click,purchase")
    return tuple(check_choice(kind, KINDS, "event kind") for kind in kinds)
