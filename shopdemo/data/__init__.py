"""Session files in and out: every format of DESIGN.md "Data formats", as one `SessionLog` type."""

from shopdemo.data.events import SessionLog

__all__ = ["SessionLog"]
