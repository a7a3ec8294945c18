"""Playing a session click by click: guided scenarios, and past sessions from the store.

Both become a `Playlist` of captioned steps; a `Stepper` turns next / previous / jump into the
moves the window makes. The store's log is append-only, so stepping back never deletes a click:
it starts a new replay session and clicks the earlier steps again. No Qt here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from shopdemo.errors import ShopDemoError
from shopdemo.scenarios import Scenario, Step
from shopdemo.service.panel import TITLES

REPLAY_ORIGIN = "replay"  # the store origin of every session the player creates
REPLAY_SOURCE = "replay"  # and the source of every click it makes


@dataclass(frozen=True)
class Playlist:
    """What the player plays: a title, an introduction and at least one captioned click."""

    title: str
    description: str  # shown before the first step, while the session is empty
    steps: tuple[Step, ...]
    source: str  # the scenario file, or "session 12 of the store"

    def session_at(self, step: int) -> tuple[int, ...]:
        """Clicks on screen after `step` (0-based): from the last new session up to it."""
        if not 0 <= step < len(self.steps):
            raise IndexError(f"step {step} out of range 0..{len(self.steps) - 1}")
        start = max(i for i in range(step + 1) if i == 0 or self.steps[i].new_session)
        return tuple(s.product_id for s in self.steps[start : step + 1])


def from_scenario(scenario: Scenario) -> Playlist:
    return Playlist(scenario.title, scenario.description, scenario.steps, str(scenario.path))


def source_text(source: str) -> str:
    """How a click was made, in words for a caption."""
    if source.startswith("rec_"):
        key = source.removeprefix("rec_")
        return f"clicked in the {TITLES.get(key, key)} list"
    return {
        "browse": "found by browsing",
        "search": "found by search",
        "replay": "a replayed click",
    }.get(source, source)


def from_history(store: Any, catalog: Any, number: int) -> Playlist:
    """A past session of the store as a playlist (its clicks; other events are skipped)."""
    info, events = store.load_session(number)
    clicks, foreign = [], 0
    for event in events:
        if event.kind != "click":
            continue
        try:
            clicks.append((catalog.get(int(event.item_id)), event))
        except KeyError:
            foreign += 1
    if not clicks:
        raise ShopDemoError(f"session {number} has no clicks on this shop's products to replay")
    steps = []
    for position, (product, event) in enumerate(clicks, start=1):
        caption = (
            f"Click {position} of {len(clicks)}: {product.name} ({source_text(event.source)},"
            f" {local_time(event.timestamp, '%H:%M:%S')})."
        )
        steps.append(Step(int(product.id), caption))
    started = local_time(info.started_at, "%Y-%m-%d %H:%M")
    skipped = (
        f" {foreign} click{' on a product' if foreign == 1 else 's on products'} this shop does"
        f" not have {'is' if foreign == 1 else 'are'} left out."
        if foreign
        else ""
    )
    description = (
        f"Session {number} ({info.origin}), started {started}, {len(clicks)} clicks.{skipped} "
        "Press Next to replay it click by click through both models (as a new replay session; "
        "the original stays as it is)."
    )
    title = f"Replay of session {number}"
    return Playlist(title, description, tuple(steps), f"session {number} of the store")


def local_time(moment: datetime, pattern: str) -> str:
    return moment.astimezone().strftime(pattern)


@dataclass(frozen=True)
class Move:
    """What the window does to show a step."""

    position: int  # the step on screen afterwards (-1: the introduction, no clicks)
    restart: bool  # start a new replay session first
    clicks: tuple[int, ...]  # then click these products, oldest first


class Stepper:
    """Where the player is in a playlist, and how to get to another step."""

    def __init__(self, playlist: Playlist) -> None:
        self.playlist = playlist
        self.position = -1  # -1: before the first step

    @property
    def at_start(self) -> bool:
        return self.position < 0

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.playlist.steps) - 1

    def expected(self) -> tuple[int, ...]:
        """The clicks the session should have at the current position."""
        return self.playlist.session_at(self.position) if self.position >= 0 else ()

    def go(self, step: int, on_screen: Sequence[int]) -> Move:
        """Move to `step`. One step forward on an untouched session adds one click; anything
        else (back, a jump, a new visitor in the script, or a session the user clicked in
        meanwhile) replays the step's session from scratch."""
        step = max(-1, min(int(step), len(self.playlist.steps) - 1))
        untouched = tuple(int(item) for item in on_screen) == self.expected()
        forward = step == self.position + 1 and self.position >= 0
        if forward and untouched and not self.playlist.steps[step].new_session:
            move = Move(step, False, (self.playlist.steps[step].product_id,))
        else:
            move = Move(step, True, self.playlist.session_at(step) if step >= 0 else ())
        self.position = step
        return move

    def next(self, on_screen: Sequence[int]) -> Move | None:
        return None if self.at_end else self.go(self.position + 1, on_screen)

    def previous(self, on_screen: Sequence[int]) -> Move | None:
        return None if self.at_start else self.go(self.position - 1, on_screen)


# -- the session history ----------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryRow:
    """One past session, as the history table lists it."""

    number: int  # the store's session number
    origin: str  # live / simulated / imported / replay
    started: datetime  # UTC
    clicks: int  # click events
    events: int  # all events (clicks, add-to-cart, ...)


def history_rows(store: Any, origin: str | None = None, limit: int = 2000) -> list[HistoryRow]:
    """The newest `limit` sessions (of one origin, or all), newest first, with click counts."""
    sessions = store.list_sessions(origin=origin, limit=limit)
    if not sessions:
        return []
    clicks = store.training_log(("click",), origins=None if origin is None else (origin,))
    numbers, counts = np.unique(clicks.session_ids, return_counts=True)
    per_session = dict(zip(numbers.tolist(), counts.tolist(), strict=True))
    return [
        HistoryRow(
            int(info.number),
            info.origin,
            info.started_at,
            int(per_session.get(int(info.number), 0)),
            int(info.event_count),
        )
        for info in sessions
    ]
