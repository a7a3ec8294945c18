"""In-code schema migrations: MIGRATIONS[v] upgrades a database from schema version v to v + 1.

Schema 1 is the first released layout, so there is nothing to migrate yet. A future change adds
its step here (plain SQL on the given connection, inside the one migration transaction) and
bumps `schema.SCHEMA_VERSION`; `engine.prepare_database` backs the file up first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from sqlalchemy import Connection

Migration = Callable[[Connection], None]

MIGRATIONS: Mapping[int, Migration] = MappingProxyType({})
