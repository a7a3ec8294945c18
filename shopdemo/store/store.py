"""`SessionStore`: the app's memory of anonymous sessions and the source of retraining data.

Each call is one short transaction on its own ORM session, so the store can be shared by the GUI
thread and a worker thread (file databases), and by several processes. Writes begin with the
SQLite write lock (BEGIN IMMEDIATE), so concurrent writers wait their turn instead of failing.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shopdemo.data.events import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.store.engine import (
    WRITE,
    create_store_engine,
    explain_errors,
    prepare_database,
    sqlite_file,
)
from shopdemo.store.fastpath import EventAppender, fetch_array
from shopdemo.store.records import (
    EventInfo,
    ImpressionInfo,
    SessionInfo,
    to_datetime,
    to_seconds,
)
from shopdemo.store.schema import (
    KINDS,
    ORIGINS,
    REC_SOURCE,
    SOURCES,
    EventRow,
    ImpressionRow,
    SessionRow,
)

log = logging.getLogger(__name__)


def check_choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ShopDemoError(f"unknown {what} {value!r}; use one of {', '.join(allowed)}")
    return value


def check_source(source: str) -> str:
    if source in SOURCES or REC_SOURCE.fullmatch(source):
        return source
    raise ShopDemoError(f"unknown event source {source!r}; use one of {', '.join(SOURCES)}")


def session_info(row: SessionRow) -> SessionInfo:
    return SessionInfo(
        number=row.number,
        uuid=row.uuid,
        visitor_id=row.visitor_id,
        origin=row.origin,
        started_at=to_datetime(row.started_at),
        last_event_at=to_datetime(row.last_event_at),
        event_count=row.event_count,
    )


def event_info(row: EventRow) -> EventInfo:
    return EventInfo(
        session_number=row.session_number,
        position=row.position,
        item_id=row.item_id,
        timestamp=to_datetime(row.timestamp),
        kind=row.kind,
        source=row.source,
    )


class SessionStore:
    """Sessions, events and impressions in any SQLAlchemy database (default: a SQLite file)."""

    def __init__(
        self,
        url: str | None = None,
        session_timeout_minutes: float = 30,
        busy_timeout_ms: int | None = None,
    ) -> None:
        """`busy_timeout_ms`: how long a write waits for another process's lock before it fails
        with a one-line ShopDemoError (default engine.BUSY_TIMEOUT_MS, 15 s)."""
        if url is None:
            from shopdemo.paths import default_db_url

            url = default_db_url()
        self.url = url
        self.session_timeout_minutes = session_timeout_minutes
        self.engine = create_store_engine(url, busy_timeout_ms)
        try:
            prepare_database(self.engine)
        except BaseException:
            self.engine.dispose()
            raise
        explain_errors(self.engine, busy_timeout_ms)
        self._writer = self.engine.execution_options(**WRITE)
        self._appender = EventAppender(self.engine)
        # Impressions are logged twice a click (one list per model) from the predictor's worker:
        # a Core insert built once costs a fraction of an ORM unit of work (fastpath.py).
        self._insert_impression = insert(ImpressionRow.__table__)

    # --- sessions ------------------------------------------------------------------------------

    def current_session(self, origin: str = "live", now: datetime | None = None) -> SessionInfo:
        """The latest session of `origin` unless it has been inactive too long; else a new one.

        A new session keeps the previous session's visitor id (same local visitor).
        """
        check_choice(origin, ORIGINS, "session origin")
        moment = to_seconds(now)
        with Session(self._writer) as session, session.begin():
            latest = session.scalars(
                select(SessionRow)
                .where(SessionRow.origin == origin)
                .order_by(SessionRow.number.desc())
                .limit(1)
            ).first()
            idle_seconds = moment - latest.last_event_at if latest else 0.0
            if latest is not None and idle_seconds <= self.session_timeout_minutes * 60:
                return session_info(latest)
            visitor = latest.visitor_id if latest else str(uuid.uuid4())
            return self._start(session, visitor, origin, moment)

    def new_visitor(self, origin: str = "live", now: datetime | None = None) -> SessionInfo:
        """A fresh random visitor id and a new session for it, at once."""
        check_choice(origin, ORIGINS, "session origin")
        with Session(self._writer) as session, session.begin():
            return self._start(session, str(uuid.uuid4()), origin, to_seconds(now))

    @staticmethod
    def _start(session: Session, visitor: str, origin: str, moment: float) -> SessionInfo:
        row = SessionRow(
            uuid=str(uuid.uuid4()),
            visitor_id=visitor,
            origin=origin,
            started_at=moment,
            last_event_at=moment,
            event_count=0,
        )
        session.add(row)
        session.flush()
        log.info("started session %d (%s)", row.number, origin)
        return session_info(row)

    def list_sessions(
        self, origin: str | None = None, limit: int | None = None
    ) -> list[SessionInfo]:
        """Sessions newest first, with their event counts."""
        query = select(SessionRow).order_by(SessionRow.number.desc()).limit(limit)
        if origin is not None:
            query = query.where(SessionRow.origin == origin)
        with Session(self.engine) as session:
            return [session_info(row) for row in session.scalars(query)]

    def load_session(self, session_number: int) -> tuple[SessionInfo, list[EventInfo]]:
        """One session and all its events in order."""
        with Session(self.engine) as session:
            row = session.get(SessionRow, session_number)
            if row is None:
                raise ShopDemoError(f"no session {session_number} in the store")
            events = session.scalars(
                select(EventRow)
                .where(EventRow.session_number == session_number)
                .order_by(EventRow.position)
            )
            return session_info(row), [event_info(event) for event in events]

    def delete_session(self, session_number: int) -> None:
        """Remove one session with its events and impressions."""
        with Session(self._writer) as session, session.begin():
            for table in (ImpressionRow, EventRow):
                session.execute(delete(table).where(table.session_number == session_number))
            gone = session.execute(delete(SessionRow).where(SessionRow.number == session_number))
            if gone.rowcount == 0:
                raise ShopDemoError(f"no session {session_number} in the store")
        log.info("deleted session %d", session_number)

    def purge(self) -> None:
        """Delete every session, event and impression, and compact the file (SQLite)."""
        with Session(self._writer) as session, session.begin():
            for table in (ImpressionRow, EventRow, SessionRow):
                session.execute(delete(table))
        if sqlite_file(self.engine) is not None:
            # VACUUM rewrites the file without the deleted pages; TRUNCATE empties the WAL.
            # The driver runs in autocommit mode (engine._on_connect), as VACUUM requires.
            with self.engine.connect() as connection:
                raw = connection.connection.dbapi_connection
                raw.execute("VACUUM")
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log.info("purged the store")

    # --- events --------------------------------------------------------------------------------

    def log_event(
        self,
        session_number: int,
        item_id: int,
        kind: str = "click",
        source: str = "browse",
        timestamp: datetime | None = None,
    ) -> EventInfo:
        """Append one event in one short transaction; its position is assigned here."""
        check_choice(kind, KINDS, "event kind")
        check_source(source)
        moment = to_seconds(timestamp)
        values = {
            "session_number": session_number,
            "item_id": int(item_id),
            "timestamp": moment,
            "kind": kind,
            "source": source,
        }
        with self._writer.connect() as connection, connection.begin():
            position = self._appender.append(connection, values)
            if position is None:
                raise ShopDemoError(f"no session {session_number} in the store")
        return EventInfo(**{**values, "position": position, "timestamp": to_datetime(moment)})

    def log_impressions(
        self,
        session_number: int,
        position: int,
        model: str,
        items: Sequence[int],
        probs: Sequence[float],
    ) -> None:
        """Record the top-k list `model` showed after `position` events of the session."""
        if len(items) != len(probs):
            raise ShopDemoError(f"{len(items)} items but {len(probs)} probabilities for {model}")
        values = {
            "session_number": session_number,
            "position": int(position),
            "model": model,
            "items": json.dumps([int(item) for item in items]),
            "probs": json.dumps([float(prob) for prob in probs]),
            "created_at": to_seconds(None),
        }
        try:
            with self._writer.connect() as connection, connection.begin():
                connection.execute(self._insert_impression, values)
        except IntegrityError:
            raise ShopDemoError(f"no session {session_number} in the store") from None

    def impressions(self, session_number: int) -> list[ImpressionInfo]:
        """Every list shown in a session, by position then in logging order."""
        query = (
            select(ImpressionRow)
            .where(ImpressionRow.session_number == session_number)
            .order_by(ImpressionRow.position, ImpressionRow.id)
        )
        with Session(self.engine) as session:
            return [
                ImpressionInfo(
                    session_number=row.session_number,
                    position=row.position,
                    model=row.model,
                    items=tuple(json.loads(row.items)),
                    probs=tuple(json.loads(row.probs)),
                    created_at=to_datetime(row.created_at),
                )
                for row in session.scalars(query)
            ]

    def event_count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(EventRow)) or 0

    # --- training data -------------------------------------------------------------------------

    def iter_sessions(
        self, kinds: Sequence[str] | None = ("click",), origins: Sequence[str] | None = None
    ) -> Iterator[tuple[SessionInfo, list[EventInfo]]]:
        """Every session with at least one event of `kinds` (None: all), oldest first.

        Reads one consistent snapshot; the events keep their positions in the full session.
        """
        sessions = select(SessionRow).order_by(SessionRow.number)
        events = select(EventRow).order_by(EventRow.session_number, EventRow.position)
        if origins is not None:
            sessions = sessions.where(SessionRow.origin.in_(origins))
            events = events.join(SessionRow).where(SessionRow.origin.in_(origins))
        if kinds is not None:
            events = events.where(EventRow.kind.in_(kinds))
        with Session(self.engine) as session, session.begin():
            infos = {row.number: session_info(row) for row in session.scalars(sessions)}
            group: list[EventInfo] = []
            for row in session.scalars(events.execution_options(yield_per=5_000)):
                if group and group[0].session_number != row.session_number:
                    yield infos[group[0].session_number], group
                    group = []
                group.append(event_info(row))
            if group:
                yield infos[group[0].session_number], group

    def training_log(
        self, kinds: Sequence[str] | None = ("click",), origins: Sequence[str] | None = None
    ) -> SessionLog:
        """The events of `kinds` as a SessionLog: session numbers, item ids, unix seconds."""
        query = select(EventRow.session_number, EventRow.item_id, EventRow.timestamp).order_by(
            EventRow.session_number, EventRow.position
        )
        if origins is not None:
            query = query.join(SessionRow).where(SessionRow.origin.in_(origins))
        if kinds is not None:
            query = query.where(EventRow.kind.in_(kinds))
        table = fetch_array(self.engine, query, [("session", "i8"), ("item", "i8"), ("time", "f8")])
        return SessionLog(
            np.ascontiguousarray(table["session"]),
            np.ascontiguousarray(table["item"]),
            np.ascontiguousarray(table["time"]),
        )

    # --- lifetime ------------------------------------------------------------------------------

    def integrity_check(self) -> str:
        """SQLite's own consistency check ('ok' when the file is sound)."""
        with self.engine.connect() as connection:
            return str(connection.execute(text("PRAGMA integrity_check")).scalar())

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
