"""The plain, frozen records the store hands to the rest of the program (never live ORM rows).

Times are timezone-aware UTC datetimes; `time` gives the exact unix seconds stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def to_seconds(moment: datetime | None) -> float:
    """Unix seconds of `moment` (now when None); a naive datetime is taken as UTC."""
    if moment is None:
        moment = datetime.now(UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass(frozen=True)
class SessionInfo:
    """One anonymous visit."""

    number: int  # the session's integer id (what exports write as SessionId)
    uuid: str  # random UUID4 of the session
    visitor_id: str  # random UUID4 of the local visitor (no personal data)
    origin: str  # live / simulated / imported / replay
    started_at: datetime  # UTC
    last_event_at: datetime  # UTC; a live session resumes while this is recent
    event_count: int  # events logged in the session (all kinds)


@dataclass(frozen=True)
class EventInfo:
    """One logged event."""

    session_number: int  # SessionInfo.number
    position: int  # 0-based position in the session (all kinds counted)
    item_id: int  # catalogue item id
    timestamp: datetime  # UTC
    kind: str  # view / click / add_to_cart / purchase
    source: str  # browse / search / rec_<model> / replay

    @property
    def time(self) -> float:
        """Unix seconds (to the microsecond; exports read the exact stored value)."""
        return self.timestamp.timestamp()


@dataclass(frozen=True)
class ImpressionInfo:
    """What one model showed after `position` events of a session."""

    session_number: int  # SessionInfo.number
    position: int  # events in the session when the list was shown
    model: str  # gru4rec, sasrec, or a baseline's short name
    items: tuple[int, ...]  # top-k item ids, best first
    probs: tuple[float, ...]  # their probabilities
    created_at: datetime  # UTC
