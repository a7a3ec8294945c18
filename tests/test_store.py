"""The session store's API: sessions, events, impressions, training data, delete and purge."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from shopdemo.errors import ShopDemoError
from shopdemo.store import EventInfo, SessionInfo, SessionStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    with SessionStore(f"sqlite:///{tmp_path / 'shop.sqlite3'}") as opened:
        yield opened


def test_default_url_is_a_file_in_the_user_data_dir(private_home: Path) -> None:
    with SessionStore() as store:
        store.log_event(store.current_session().number, 7)
    assert (private_home / "data" / "shopdemo.sqlite3").is_file()


def test_sqlite_settings_come_from_the_connect_listener(store: SessionStore) -> None:
    with store.engine.connect() as connection:
        values = [
            connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        ]
    assert values == ["wal", 1, 1, 15_000]  # synchronous 1 = NORMAL


def test_current_session_resumes_until_the_timeout(store: SessionStore) -> None:
    first = store.current_session(now=T0)
    assert (first.origin, first.event_count, first.started_at) == ("live", 0, T0)
    store.log_event(first.number, 11, timestamp=T0 + timedelta(minutes=10))
    resumed = store.current_session(now=T0 + timedelta(minutes=39))  # 29 min after the click
    assert resumed.number == first.number and resumed.event_count == 1
    later = store.current_session(now=T0 + timedelta(minutes=41))  # 31 min idle: a new session
    assert later.number != first.number
    assert later.visitor_id == first.visitor_id  # same local visitor
    assert later.uuid != first.uuid


def test_timeout_is_configurable_and_origins_are_separate(tmp_path: Path) -> None:
    with SessionStore(f"sqlite:///{tmp_path / 'a.db'}", session_timeout_minutes=1) as store:
        live = store.current_session(now=T0)
        assert store.current_session(now=T0 + timedelta(seconds=59)).number == live.number
        assert store.current_session(now=T0 + timedelta(seconds=61)).number != live.number
        replay = store.current_session(origin="replay", now=T0)
        assert replay.origin == "replay" and replay.number not in (live.number,)
        with pytest.raises(ShopDemoError, match="unknown session origin 'web'"):
            store.current_session(origin="web")


def test_new_visitor_starts_a_session_at_once(store: SessionStore) -> None:
    first = store.current_session(now=T0)
    fresh = store.new_visitor()
    assert fresh.number != first.number and fresh.visitor_id != first.visitor_id
    assert store.current_session().number == fresh.number  # the newest live session resumes


def test_log_event_assigns_positions_and_loads_back(store: SessionStore) -> None:
    session = store.current_session(now=T0)
    logged = [
        store.log_event(session.number, 5, timestamp=T0),
        store.log_event(session.number, 6, "add_to_cart", "search", T0 + timedelta(seconds=3)),
        store.log_event(session.number, 7, "click", "rec_sasrec", T0 + timedelta(seconds=9)),
    ]
    assert [event.position for event in logged] == [0, 1, 2]
    info, events = store.load_session(session.number)
    assert events == logged
    assert isinstance(info, SessionInfo) and isinstance(events[0], EventInfo)
    assert dataclasses.is_dataclass(info) and not hasattr(info, "_sa_instance_state")
    assert (info.event_count, info.last_event_at) == (3, T0 + timedelta(seconds=9))
    assert [(e.item_id, e.kind, e.source) for e in events] == [
        (5, "click", "browse"),
        (6, "add_to_cart", "search"),
        (7, "click", "rec_sasrec"),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.number = 99  # type: ignore[misc]


def test_log_event_checks_its_arguments(store: SessionStore) -> None:
    number = store.current_session().number
    assert store.log_event(number, 1, source="rec_cooc").source == "rec_cooc"  # baseline column
    with pytest.raises(ShopDemoError, match="unknown event kind 'like'"):
        store.log_event(number, 1, kind="like")
    with pytest.raises(ShopDemoError, match="unknown event source 'email'"):
        store.log_event(number, 1, source="email")
    with pytest.raises(ShopDemoError, match="no session 999"):
        store.log_event(999, 1)
    assert store.event_count() == 1


def test_a_clock_going_backwards_does_not_rewind_last_event_at(store: SessionStore) -> None:
    number = store.current_session(now=T0).number
    store.log_event(number, 1, timestamp=T0 + timedelta(minutes=5))
    store.log_event(number, 2, timestamp=T0 + timedelta(minutes=1))
    assert store.load_session(number)[0].last_event_at == T0 + timedelta(minutes=5)


def test_events_are_append_only(store: SessionStore) -> None:
    store.log_event(store.current_session().number, 1)
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as connection:
        connection.execute(text("UPDATE events SET item_id = 2"))
    assert [e.item_id for e in store.load_session(1)[1]] == [1]


def test_impressions_round_trip(store: SessionStore) -> None:
    number = store.current_session().number
    store.log_impressions(number, 0, "gru4rec", [3, 1, 2], [0.5, 0.25, 0.125])
    store.log_impressions(number, 0, "sasrec", [1], [0.9])
    shown = store.impressions(number)
    assert [(i.model, i.items, i.probs) for i in shown] == [
        ("gru4rec", (3, 1, 2), (0.5, 0.25, 0.125)),
        ("sasrec", (1,), (0.9,)),
    ]
    with pytest.raises(ShopDemoError, match="2 items but 1 probabilities"):
        store.log_impressions(number, 1, "gru4rec", [1, 2], [0.5])
    with pytest.raises(ShopDemoError, match="no session 42"):
        store.log_impressions(42, 0, "gru4rec", [1], [1.0])


def fill(store: SessionStore) -> list[int]:
    """Three sessions: live (clicks + a purchase), live (a view only), imported (clicks)."""
    a = store.new_visitor(now=T0).number
    store.log_event(a, 10, timestamp=T0)
    store.log_event(a, 11, "purchase", timestamp=T0 + timedelta(seconds=1))
    store.log_event(a, 12, timestamp=T0 + timedelta(seconds=2))
    b = store.new_visitor(now=T0).number
    store.log_event(b, 20, "view", timestamp=T0)
    c = store.new_visitor(origin="imported", now=T0).number
    store.log_event(c, 30, timestamp=T0 + timedelta(seconds=5))
    store.log_event(c, 31, timestamp=T0 + timedelta(seconds=6))
    return [a, b, c]


def test_list_sessions_newest_first_with_counts(store: SessionStore) -> None:
    a, b, c = fill(store)
    assert [(s.number, s.event_count) for s in store.list_sessions()] == [(c, 2), (b, 1), (a, 3)]
    assert [s.number for s in store.list_sessions(origin="live")] == [b, a]
    assert [s.number for s in store.list_sessions(limit=1)] == [c]


def test_iter_sessions_and_training_log_filter_kinds_and_origins(store: SessionStore) -> None:
    a, b, c = fill(store)
    clicked = [(s.number, [e.item_id for e in events]) for s, events in store.iter_sessions()]
    assert clicked == [(a, [10, 12]), (c, [30, 31])]  # b has no click; positions keep gaps
    assert [e.position for e in next(store.iter_sessions())[1]] == [0, 2]
    everything = list(store.iter_sessions(kinds=None, origins=["live"]))
    assert [(s.number, len(events)) for s, events in everything] == [(a, 3), (b, 1)]
    log = store.training_log()
    assert log.session_ids.tolist() == [a, a, c, c]
    assert log.item_ids.tolist() == [10, 12, 30, 31]
    start = T0.timestamp()
    assert np.array_equal(log.times, [start, start + 2, start + 5, start + 6])
    assert store.training_log(origins=["imported"]).item_ids.tolist() == [30, 31]
    assert len(store.training_log(kinds=["add_to_cart"])) == 0


def test_delete_session_and_purge(store: SessionStore) -> None:
    a, b, c = fill(store)
    store.log_impressions(a, 1, "gru4rec", [1], [1.0])
    store.delete_session(a)
    assert [s.number for s in store.list_sessions()] == [c, b]
    assert store.event_count() == 3 and store.impressions(a) == []
    with pytest.raises(ShopDemoError, match=f"no session {a}"):
        store.delete_session(a)
    store.purge()
    assert store.list_sessions() == [] and store.event_count() == 0
    assert store.integrity_check() == "ok"
    fresh = store.current_session()  # still usable after a purge
    assert store.log_event(fresh.number, 1).position == 0


def test_memory_database_works_across_calls() -> None:
    with SessionStore("sqlite://") as store:
        number = store.current_session().number
        store.log_event(number, 3)
        assert store.training_log().item_ids.tolist() == [3]
