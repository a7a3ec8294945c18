"""The one exception type the command line turns into a one-line message.

Library code raises `ShopDemoError` (or a subclass) with a message that already names the file,
line or value at fault; the CLI prints it as `shopdemo: error: ...` and exits non-zero, no traceback.
"""

from __future__ import annotations


class ShopDemoError(Exception):
    """A problem the user can fix: bad input file, bad flag value, incompatible checkpoint."""


class DataFormatError(ShopDemoError):
    """A session file that cannot be read; the message names the file and line (1-based)."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")
        self.path = str(path)
        self.line = line
        self.problem = problem


class NotReadyError(ShopDemoError):
    """A command whose issue is not done yet: it says so and the CLI exits with status 2."""
