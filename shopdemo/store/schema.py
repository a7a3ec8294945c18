"""The store's tables as SQLAlchemy 2.x typed ORM classes: sessions, events, impressions, meta.

Times are unix seconds (UTC) in double columns, not DATETIME text: imported logs then round-trip
to the exact float they were read as, and the training export is a plain numeric scan.
`events` is append-only (a SQLite trigger refuses UPDATE); deleting a session deletes its rows.
"""

from __future__ import annotations

import re

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = 1  # bump with a migration in migrations.py whenever the tables change
APPLICATION = "shopdemo"  # the marker row that tells a ShopDemo database from any other

ORIGINS = ("live", "simulated", "imported", "replay")
KINDS = ("view", "click", "add_to_cart", "purchase")
SOURCES = ("browse", "search", "rec_gru4rec", "rec_sasrec", "replay")
REC_SOURCE = re.compile(r"rec_[a-z0-9_]{1,28}")  # a click on a recommendation: rec_<model name>


def _one_of(column: str, values: tuple[str, ...]) -> str:
    # An OR chain, not IN (...): SQLite builds an ephemeral table for IN on every inserted row,
    # which made bulk imports four times slower.
    return " OR ".join(f"{column} = '{value}'" for value in values)


class Base(DeclarativeBase):
    pass


class MetaRow(Base):
    """Key/value facts about the database itself: the application marker and schema version."""

    __tablename__ = "shopdemo_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))


class SessionRow(Base):
    """One anonymous visit: a random visitor id groups the visits of one local browser."""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint(_one_of("origin", ORIGINS), name="ck_sessions_origin"),
        Index("ix_sessions_origin_number", "origin", "number"),  # latest live session
    )

    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1, 2, ... (exports use it)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # random UUID4, stable on export
    visitor_id: Mapped[str] = mapped_column(String(36), index=True)  # random UUID4, local only
    origin: Mapped[str] = mapped_column(String(16))  # live / simulated / imported / replay
    started_at: Mapped[float] = mapped_column(Double)  # unix seconds, UTC
    last_event_at: Mapped[float] = mapped_column(Double)  # unix seconds; inactivity timeout
    event_count: Mapped[int] = mapped_column(Integer, default=0)  # also the next event position
    external_id: Mapped[str | None] = mapped_column(String(64))  # session id in an imported file


class EventRow(Base):
    """One user event at one position of a session; never updated once written."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(_one_of("kind", KINDS), name="ck_events_kind"),
        CheckConstraint(
            f"{_one_of('source', SOURCES)} OR source LIKE 'rec%'", name="ck_events_source"
        ),
        {"sqlite_with_rowid": False},  # stored in (session, position) order: no second index
    )

    session_number: Mapped[int] = mapped_column(
        ForeignKey("sessions.number", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, ... in the session
    item_id: Mapped[int] = mapped_column(BigInteger)  # external catalogue / dataset item id
    timestamp: Mapped[float] = mapped_column(Double)  # unix seconds, UTC
    kind: Mapped[str] = mapped_column(String(16))  # view / click / add_to_cart / purchase
    source: Mapped[str] = mapped_column(String(32))  # browse / search / rec_<model> / replay


class ImpressionRow(Base):
    """What one model showed after `position` events of a session (for click-through later)."""

    __tablename__ = "impressions"
    __table_args__ = (Index("ix_impressions_session_position", "session_number", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_number: Mapped[int] = mapped_column(ForeignKey("sessions.number", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # events in the session when it was shown
    model: Mapped[str] = mapped_column(String(64))  # gru4rec, sasrec, or a baseline name
    items: Mapped[str] = mapped_column(Text)  # JSON list of the top-k item ids, best first
    probs: Mapped[str] = mapped_column(Text)  # JSON list of their probabilities
    created_at: Mapped[float] = mapped_column(Double)  # unix seconds, UTC


event.listen(
    EventRow.__table__,
    "after_create",
    DDL(
        "CREATE TRIGGER events_append_only BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    ).execute_if(dialect="sqlite"),
)
