"""The session store: every click in a SQL database through SQLAlchemy (only this package uses it).

`SessionStore` hands out plain frozen records (`SessionInfo`, `EventInfo`, `ImpressionInfo`);
`import_file` / `export_events` move whole session files in and out.
"""

from shopdemo.store.records import EventInfo, ImpressionInfo, SessionInfo
from shopdemo.store.store import SessionStore
from shopdemo.store.transfer import ExportSummary, ImportSummary, export_events, import_file

__all__ = [
    "EventInfo",
    "ExportSummary",
    "ImportSummary",
    "ImpressionInfo",
    "SessionInfo",
    "SessionStore",
    "export_events",
    "import_file",
]
