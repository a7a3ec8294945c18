"""Writers for session files: the TSV the models train on, and CSV / JSON Lines for exports.

Every write is atomic (a temporary file in the same folder, fsynced, then renamed over the
target), so an interrupted export never leaves half a file where a good one was. Times are
printed deterministically: whole seconds without decimals, otherwise the shortest exact repr.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from shopdemo.data.events import SessionLog
from shopdemo.errors import ShopDemoError

TSV_HEADER = ("SessionId", "ItemId", "Time")


def format_time(seconds: float) -> str:
    """'1396860669' for whole seconds, else the shortest repr that reads back exactly."""
    value = float(seconds)
    if not math.isfinite(value):
        raise ShopDemoError(f"cannot write time {value!r}: not a finite number")
    return str(int(value)) if value.is_integer() else repr(value)


@contextlib.contextmanager
def atomic_write(path: str | Path) -> Iterator[TextIO]:
    """A UTF-8 text handle whose content replaces `path` only if the block finishes."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ShopDemoError(f"{target}: folder {folder} does not exist")
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise ShopDemoError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_tsv(log: SessionLog, path: str | Path) -> None:
    """`SessionId<TAB>ItemId<TAB>Time` with integer session ids, one event per line."""
    with atomic_write(path) as stream:
        stream.write("\t".join(TSV_HEADER) + "\n")
        sessions = log.session_ids.tolist()
        items = log.item_ids.tolist()
        times = [format_time(t) for t in log.times.tolist()]
        for start in range(0, len(items), 100_000):  # bounded memory for the joined chunk
            end = start + 100_000
            rows = zip(sessions[start:end], items[start:end], times[start:end], strict=True)
            stream.write("".join(f"{s}\t{i}\t{t}\n" for s, i, t in rows))


def write_csv(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """A comma-separated file with a header row; returns the number of data rows written."""
    count = 0
    with atomic_write(path) as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_jsonl(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """One JSON object per line with the given keys; returns the number of lines written."""
    count = 0
    with atomic_write(path) as stream:
        for row in rows:
            record = dict(zip(columns, row, strict=True))
            stream.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count
