"""Opening a store database: engine settings, the ShopDemo marker, schema version and migrations.

One connect listener makes every SQLite connection safe for several processes (WAL, busy
timeout, synchronous=NORMAL, foreign keys). Opening creates an empty database, accepts a current
one, migrates an older one after backing it up, and refuses a newer or a foreign database.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from shopdemo.errors import ShopDemoError
from shopdemo.store.migrations import MIGRATIONS
from shopdemo.store.schema import APPLICATION, SCHEMA_VERSION, Base, MetaRow

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000  # how long a writer waits for another process's transaction
WRITE = {"shopdemo_write": True}  # execution option: begin with the write lock (BEGIN IMMEDIATE)


def display_url(url: str) -> str:
    """The URL as safe to print (password hidden)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine; None for memory databases and other servers."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
    # SQLAlchemy, not the driver, starts transactions (see _on_begin), so BEGIN IMMEDIATE works.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    # A write transaction takes the lock up front, so it waits (busy_timeout) instead of failing
    # when another process wrote after our first read; readers keep a consistent snapshot.
    write = connection.get_execution_options().get("shopdemo_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_store_engine(url: str) -> Engine:
    """An engine for `url` with the SQLite settings above; bad URLs become ShopDemoError."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ShopDemoError(f"not a database URL: {url!r} (e.g. sqlite:///shop.sqlite3)") from None
    options: dict = {}
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database in (None, "", ":memory:"):
        # One shared connection, or each pool connection would see its own empty database.
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif is_sqlite:
        folder = Path(parsed.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ShopDemoError(f"cannot create the folder of {url}: {exc.strerror}") from None
    try:
        engine = create_engine(parsed, **options)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ShopDemoError(f"cannot use database {display_url(url)}: {exc}") from None
    if is_sqlite:
        event.listen(engine, "connect", _on_connect)
        event.listen(engine, "begin", _on_begin)
    return engine


def prepare_database(engine: Engine) -> None:
    """Create, accept, or migrate the database behind `engine`; refuse what is not ours."""
    where = display_url(str(engine.url))
    try:
        version = _check_or_create(engine, where)
        if version < SCHEMA_VERSION:
            backup = _backup(engine, version)
            _migrate(engine, where, backup)
    except DBAPIError as exc:
        problem = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise ShopDemoError(f"cannot open database {where}: {problem}") from None


def _check_or_create(engine: Engine, where: str) -> int:
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        tables = set(inspect(connection).get_table_names())
        if not tables:
            Base.metadata.create_all(connection)
            connection.execute(
                MetaRow.__table__.insert(),
                [
                    {"key": "application", "value": APPLICATION},
                    {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                ],
            )
            log.info("created a new ShopDemo database at %s", where)
            return SCHEMA_VERSION
        return _version_of(connection, tables, where)


def _version_of(connection: Connection, tables: set[str], where: str) -> int:
    meta = {}
    if MetaRow.__tablename__ in tables:
        meta = {key: value for key, value in connection.execute(select(MetaRow.key, MetaRow.value))}
    if meta.get("application") != APPLICATION:
        shown = ", ".join(sorted(tables)[:5])
        raise ShopDemoError(
            f"{where} is not a ShopDemo database (it has tables {shown} but no ShopDemo marker); "
            "choose another --db"
        )
    version = int(meta.get("schema_version", "0"))
    if version > SCHEMA_VERSION:
        raise ShopDemoError(
            f"{where} was written by a newer ShopDemo (schema version {version}; this version "
            f"reads up to {SCHEMA_VERSION}): upgrade shopdemo or choose another --db"
        )
    return version


def _backup(engine: Engine, version: int) -> Path | None:
    """Copy a SQLite database beside itself before migrating (the online backup API)."""
    path = sqlite_file(engine)
    if path is None:
        log.warning("no automatic backup for %s: back it up before upgrading", engine.url)
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    with engine.connect() as connection:
        source = connection.connection.dbapi_connection
        target = sqlite3.connect(backup)
        try:
            source.backup(target)
        finally:
            target.close()
    log.info("backed up %s to %s before migrating", path, backup)
    return backup


def _migrate(engine: Engine, where: str, backup: Path | None) -> None:
    """Apply each step from the stored version up, in one transaction (all or nothing)."""
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        tables = set(inspect(connection).get_table_names())
        version = _version_of(connection, tables, where)  # another process may have migrated
        start = version
        while version < SCHEMA_VERSION:
            step = MIGRATIONS.get(version)
            if step is None:
                raise ShopDemoError(f"{where}: no migration from schema version {version}")
            step(connection)
            version += 1
        connection.execute(
            MetaRow.__table__.update()
            .where(MetaRow.key == "schema_version")
            .values(value=str(version))
        )
    if version != start:
        log.info("migrated %s from schema %d to %d (backup: %s)", where, start, version, backup)
