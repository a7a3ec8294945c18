"""Opening a store database: engine settings, the ShopDemo marker, schema version and migrations.

One connect listener makes every SQLite connection safe for several processes (busy timeout,
synchronous=NORMAL, foreign keys); WAL goes on once the file is known to be ours. Opening creates
an empty database, accepts a current one, migrates an older one after backing it up, and refuses
a newer or a foreign database without changing it. Once open, a locked, read-only or full
database is a one-line ShopDemoError (`explain_errors`), never a traceback.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.pool import StaticPool

from shopdemo.errors import ShopDemoError
from shopdemo.store.migrations import MIGRATIONS
from shopdemo.store.schema import APPLICATION, SCHEMA_VERSION, Base, MetaRow

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000  # how long a writer waits for another process's transaction
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
WRITE = {"shopdemo_write": True}  # execution option: begin with the write lock (BEGIN IMMEDIATE)


def display_url(url: str) -> str:
    """The URL as safe to print (password hidden)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    shown = parsed.render_as_string(hide_password=True)
    # SQLite URLs have no password; unquote so that a `file:` URI prints as typed, not file%3A.
    return unquote(shown) if parsed.get_backend_name() == "sqlite" else shown


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine; None for memory databases and other servers."""
    return _sqlite_path(engine.url)


def _sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, plain or `file:` URI (`sqlite:///file:x.db?mode=ro&uri=true`)."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    database = url.database
    if str(url.query.get("uri", "")).lower() in ("true", "1") and database.startswith("file:"):
        parsed = urlparse(database)
        if parsed.path in ("", ":memory:") or "mode=memory" in parsed.query:
            return None
        return Path(unquote(parsed.path))
    return Path(database)


def _on_connect(busy_timeout_ms: int) -> Callable[..., None]:
    def configure(dbapi_connection, _record) -> None:  # noqa: ANN001
        # SQLAlchemy, not the driver, starts transactions (_on_begin), so BEGIN IMMEDIATE works.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return configure


def _on_begin(connection: Connection) -> None:
    # A write transaction takes the lock up front, so it waits (busy_timeout) instead of failing
    # when another process wrote after our first read; readers keep a consistent snapshot.
    write = connection.get_execution_options().get("shopdemo_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_store_engine(url: str, busy_timeout_ms: int | None = None) -> Engine:
    """An engine for `url` with the SQLite settings above; bad URLs become ShopDemoError.

    `busy_timeout_ms` (default BUSY_TIMEOUT_MS): how long a write waits for another's lock.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ShopDemoError(f"not a database URL: {url!r} (e.g. sqlite:///shop.sqlite3)") from None
    options: dict = {}
    is_sqlite = parsed.get_backend_name() == "sqlite"
    path = _sqlite_path(parsed)
    if is_sqlite and path is None:
        # One shared connection, or each pool connection would see its own empty database.
        options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif is_sqlite:
        folder = path.expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ShopDemoError(f"cannot create the folder of {url}: {exc.strerror}") from None
    try:
        engine = create_engine(parsed, **options)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ShopDemoError(f"cannot use database {display_url(url)}: {exc}") from None
    if is_sqlite:
        timeout = BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        event.listen(engine, "connect", _on_connect(timeout))
        event.listen(engine, "begin", _on_begin)
    return engine


def explain_errors(engine: Engine, busy_timeout_ms: int | None = None) -> None:
    """From now on, database failures the user can act on are one-line ShopDemoErrors.

    A locked, read-only or full database raises e.g. "database X is locked by another program
    (waited 15 s): this change was not saved" instead of a traceback. Constraint violations
    (IntegrityError) stay as they are for the store's own messages. The failed statement's
    transaction is rolled back as usual. Called once the database is open: opening failures
    keep prepare_database's "cannot open database" messages.
    """
    where = display_url(str(engine.url))
    timeout = (BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms) / 1000

    def translate(context: ExceptionContext) -> None:
        error = context.sqlalchemy_exception
        if not isinstance(error, OperationalError) and type(error) is not DatabaseError:
            return
        original = context.original_exception
        problem = str(original).splitlines()[0] if str(original) else type(original).__name__
        raise ShopDemoError(database_problem(where, problem, timeout)) from None

    event.listen(engine, "handle_error", translate)


def database_problem(where: str, problem: str, timeout_seconds: float) -> str:
    """What went wrong with the database at `where`, and what to do, in one line."""
    lowered = problem.lower()
    if "locked" in lowered or "busy" in lowered:
        return (
            f"database {where} is locked by another program (waited {timeout_seconds:g} s): "
            "this change was not saved; try again when the other program has finished"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return f"database {where} is read-only ({problem}): this change was not saved"
    if "full" in lowered:
        return (
            f"database {where} is out of space ({problem}): this change was not saved; "
            "free some disk space"
        )
    return f"database {where} failed: {problem}"


def prepare_database(engine: Engine) -> None:
    """Create, accept, or migrate the database behind `engine`; refuse what is not ours.

    A refused file is left byte for byte as it was: WAL mode (which SQLite records in the file)
    is switched on only once the database is known to be ShopDemo's.
    """
    where = display_url(str(engine.url))
    _refuse_other_files(sqlite_file(engine), where)
    try:
        version = _check_or_create(engine, where)
        if version < SCHEMA_VERSION:
            backup = _backup(engine, version)
            _migrate(engine, where, backup)
        _use_wal(engine, where)
    except (DBAPIError, sqlite3.Error) as exc:
        original = exc.orig if isinstance(exc, DBAPIError) and exc.orig else exc
        problem = str(original).splitlines()[0] if str(original) else type(original).__name__
        raise ShopDemoError(f"cannot open database {where}: {problem}") from None


def _refuse_other_files(path: Path | None, where: str) -> None:
    # SQLite takes a 1-byte file for an empty database and would overwrite it with ours.
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb") as stream:
        header = stream.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ShopDemoError(
            f"cannot open database {where}: file is not a database (no SQLite header); "
            "choose another --db"
        )


def _use_wal(engine: Engine, where: str) -> None:
    """WAL lets readers go on while one process writes; the file remembers the mode."""
    if sqlite_file(engine) is None:
        return
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection  # autocommit: no open transaction
        if raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            return
        try:
            raw.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc):
                raise
            log.info("%s is read-only: reading it in its own journal mode", where)


def _check_or_create(engine: Engine, where: str) -> int:
    # Look first without the write lock: opening an existing store to read it must not wait
    # for (or fail on) another process's long write, and a read-only database has no lock.
    with engine.connect() as connection, connection.begin():
        tables = set(inspect(connection).get_table_names())
        if tables:
            return _version_of(connection, tables, where)
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        tables = set(inspect(connection).get_table_names())  # another process may have created it
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
