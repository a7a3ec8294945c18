"""Opening a database: the ShopDemo marker, the schema version, migrations and their backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from shopdemo.errors import ShopDemoError
from shopdemo.store import SessionStore
from shopdemo.store import engine as store_engine


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with SessionStore(url) as store:
        store.log_event(store.current_session().number, 42)
    with SessionStore(url) as store:
        assert store.training_log().item_ids.tolist() == [42]


def test_refuses_a_sqlite_file_that_is_not_shopdemos(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(ShopDemoError, match="is not a ShopDemo database .*invoices"):
        SessionStore(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:  # untouched
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master")]
    assert names == ["invoices"]


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes, not SQLite\n" * 200)
    with pytest.raises(ShopDemoError, match="cannot open database .*notes.txt"):
        SessionStore(f"sqlite:///{path}")


def test_refuses_a_database_from_a_newer_app(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    SessionStore(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE shopdemo_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ShopDemoError, match="newer ShopDemo \\(schema version 99; .* up to 1\\)"):
        SessionStore(f"sqlite:///{path}")


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(ShopDemoError, match="not a database URL"):
        SessionStore("not a url")


def add_note_column(connection: Connection) -> None:
    connection.execute(text("ALTER TABLE sessions ADD COLUMN note TEXT"))


def version_of(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        query = "SELECT value FROM shopdemo_meta WHERE key = 'schema_version'"
        return connection.execute(query).fetchone()[0]


def test_migration_backs_up_then_upgrades(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shop.sqlite3"
    with SessionStore(f"sqlite:///{path}") as store:
        store.log_event(store.current_session().number, 7)
    monkeypatch.setattr(store_engine, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(store_engine, "MIGRATIONS", {1: add_note_column})
    with SessionStore(f"sqlite:///{path}") as store:
        assert store.training_log().item_ids.tolist() == [7]
    assert version_of(path) == "2"
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(sessions)")]
    assert "note" in columns
    backups = list(tmp_path.glob("shop.sqlite3.v1-*.bak"))
    assert len(backups) == 1 and version_of(backups[0]) == "1"
    with sqlite3.connect(backups[0]) as connection:
        assert connection.execute("SELECT item_id FROM events").fetchall() == [(7,)]


def test_failed_migration_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "shop.sqlite3"
    SessionStore(f"sqlite:///{path}").close()

    def broken(connection: Connection) -> None:
        add_note_column(connection)
        connection.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(store_engine, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(store_engine, "MIGRATIONS", {1: broken})
    with pytest.raises(ShopDemoError, match="no such table"):
        SessionStore(f"sqlite:///{path}")
    assert version_of(path) == "1"
    with sqlite3.connect(path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(sessions)")]
    assert "note" not in columns
