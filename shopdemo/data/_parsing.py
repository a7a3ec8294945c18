"""Fast, strict parsing of delimited text into numpy columns, with editor line numbers in errors.

The readers split a whole file at once and convert each column in one numpy call (ml-1m's 994k
lines read in about a second); only when a check fails do they scan value by value, so the
error still names the exact first bad line, counted from 1 with the header included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from shopdemo.errors import DataFormatError

INT_PATTERN = re.compile(r"-?[0-9]{1,18}")  # 18 digits always fit in int64
FLOAT_PATTERN = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISO_UTC_PATTERN = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z"
)

# Python datetime's range, years 1-9999: the store hands times out as datetimes, so a time
# outside it would be accepted on import and then break every read of that session.
MIN_TIME = -62_135_596_800.0  # 0001-01-01T00:00:00Z in unix seconds
MAX_TIME = 253_402_300_799.0  # 9999-12-31T23:59:59Z


@dataclass(frozen=True)
class TextLines:
    """The non-blank lines of a file and the 1-based line number of each."""

    path: str  # the file, as named in error messages
    lines: list[str]  # non-blank lines, without line endings
    numbers: np.ndarray  # (lines,) int64 1-based line number of each line in the file

    def error(self, index: int, problem: str) -> DataFormatError:
        return DataFormatError(self.path, int(self.numbers[index]), problem)

    def drop_first(self) -> TextLines:
        return TextLines(self.path, self.lines[1:], self.numbers[1:])


def read_lines(path: str | Path) -> TextLines:
    """Read a UTF-8 file (a BOM is ignored) into its non-blank lines; an empty file is an error."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataFormatError(name, None, "no such file") from None
    except OSError as exc:
        raise DataFormatError(name, None, f"cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFormatError(name, line, "not UTF-8 text") from None
    lines = text.split("\n")
    if "\r" in text:
        lines = [line.rstrip("\r") for line in lines]
    blank = [i for i, line in enumerate(lines) if not line or line.isspace()]
    if len(blank) == len(lines):
        raise DataFormatError(name, None, "empty file: no header and no events")
    if blank:
        keep = np.ones(len(lines), dtype=bool)
        keep[blank] = False
        numbers = np.flatnonzero(keep) + 1
        lines = [lines[i] for i in numbers - 1]
    else:
        numbers = np.arange(1, len(lines) + 1)
    return TextLines(name, lines, numbers.astype(np.int64))


def split_fields(
    text: TextLines, sep: str | None, n_fields: int, layout: str, hint: Callable[[str], str] = str
) -> list[list[str]]:
    """Split every line on `sep` (None: any whitespace) into exactly `n_fields` columns.

    `layout` describes the expected line in the error; `hint(problem)` may add advice for a line
    of the wrong shape (e.g. "this looks like the tsv layout").
    """
    if not text.lines:
        return [[] for _ in range(n_fields)]
    body = "\n".join(text.lines)
    if sep is None:
        tokens = body.split()
    else:
        tokens = body.replace("\n", sep).split(sep)
    counts = _fields_per_line(body, sep, len(text.lines))
    if len(tokens) == n_fields * len(text.lines) and bool(np.all(counts == n_fields)):
        return [tokens[column::n_fields] for column in range(n_fields)]
    for i, line in enumerate(text.lines):  # rare: find the first line of the wrong shape
        found = len(line.split(sep))
        if found != n_fields:
            problem = f"expected {layout}, found {found} field(s): {_show(line)}"
            raise text.error(i, hint(problem))
    raise text.error(0, f"expected {layout}")  # unreachable unless the counts disagree


def _fields_per_line(body: str, sep: str | None, n_lines: int) -> np.ndarray:
    """(lines,) number of fields on each line, counted on the UTF-8 bytes in one numpy pass.

    Multi-byte characters never contain ASCII bytes, so newline and separator bytes are exact;
    non-ASCII whitespace is not counted, and the caller then checks line by line.
    """
    raw = np.frombuffer(body.encode("utf-8"), dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    if sep is None:
        blank = np.isin(raw, np.frombuffer(b" \t\v\f\r\n", dtype=np.uint8))
        starts = ~blank
        starts[1:] &= blank[:-1]
        marks = np.flatnonzero(starts)
        extra = 0
    else:
        marks = np.flatnonzero(raw == ord(sep))
        extra = 1
    return np.bincount(np.searchsorted(newlines, marks), minlength=n_lines) + extra


def _show(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _first_mismatch(values: Sequence[str], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, value in enumerate(values) if pattern.fullmatch(value) is None), None)


def check_pattern(
    text: TextLines, values: Sequence[str], pattern: re.Pattern[str], what: str
) -> None:
    """Raise on the first value that does not fully match `pattern`."""
    bad = _first_mismatch(values, pattern)
    if bad is not None:
        raise text.error(bad, f"{what} {_show(values[bad])} is not {_DESCRIBE[pattern]}")


_DESCRIBE = {
    INT_PATTERN: "an integer (of at most 18 digits)",
    FLOAT_PATTERN: "a number",
    DATE_PATTERN: "a date (YYYY-MM-DD)",
    ISO_UTC_PATTERN: "an ISO 8601 UTC timestamp ending in Z (2014-04-07T10:51:09.277Z)",
}


_INT_CHARS = str.maketrans("", "", "0123456789-\n")
_FLOAT_CHARS = str.maketrans("", "", "0123456789-+.eE\n")


def _convert(
    text: TextLines,
    values: Sequence[str],
    allowed: dict,
    dtype: type,
    pattern: re.Pattern[str],
    what: str,
) -> np.ndarray:
    """One numpy conversion when every character is allowed, else a scan for the bad value."""
    joined = "\n".join(values)
    if not joined.translate(allowed):
        try:
            return np.array(values, dtype=np.str_).astype(dtype)
        except (ValueError, OverflowError):
            pass
    check_pattern(text, values, pattern, what)
    return np.array(values, dtype=np.str_).astype(dtype)


def int_column(text: TextLines, values: Sequence[str], what: str) -> np.ndarray:
    """(lines,) int64 from decimal integer strings; the first bad one raises with its line."""
    return _convert(text, values, _INT_CHARS, np.int64, INT_PATTERN, what)


def float_column(text: TextLines, values: Sequence[str], what: str) -> np.ndarray:
    """(lines,) float64 from plain decimal numbers (no nan, inf or underscores)."""
    numbers = _convert(text, values, _FLOAT_CHARS, np.float64, FLOAT_PATTERN, what)
    infinite = np.flatnonzero(~np.isfinite(numbers))
    if len(infinite):
        raise text.error(int(infinite[0]), f"{what} {_show(values[infinite[0]])} is out of range")
    return numbers


def check_time_range(
    text: TextLines, times: np.ndarray, values: Sequence[str], what: str
) -> np.ndarray:
    """`times` (unix seconds) unchanged, or raise on the first outside years 1-9999."""
    outside = np.flatnonzero((times < MIN_TIME) | (times > MAX_TIME))
    if len(outside):
        first = int(outside[0])
        raise text.error(first, f"{what} {_show(values[first])} is outside the years 1-9999")
    return times


def datetime_column(
    text: TextLines, values: Sequence[str], pattern: re.Pattern[str], what: str
) -> np.ndarray:
    """(lines,) float64 unix seconds from ISO dates or UTC timestamps (the 'Z' is required)."""
    check_pattern(text, values, pattern, what)
    stripped = [value.rstrip("Z") for value in values]
    try:
        stamps = np.array(stripped, dtype="datetime64[us]")
    except ValueError:
        for i, value in enumerate(stripped):
            try:
                np.datetime64(value, "us")
            except ValueError:
                raise text.error(i, f"{what} {_show(values[i])} is not a valid date") from None
        raise
    return stamps.astype(np.int64) / 1e6


def check_header(text: TextLines, sep: str, required: Sequence[str]) -> dict[str, int]:
    """Column index of each required name in the first line (case-insensitive, any order)."""
    header = text.lines[0]
    names = [name.strip().lower() for name in header.split(sep)]
    missing = [name for name in required if name.lower() not in names]
    if missing:
        sep_name = {"\t": "tab", ";": "semicolon", ",": "comma"}[sep]
        expected = sep.join(required).replace("\t", "<TAB>")
        looks_like_data = INT_PATTERN.fullmatch(header.split(sep)[0].strip()) is not None
        problem = "missing header line" if looks_like_data else "bad header"
        raise text.error(
            0, f"{problem}: expected {sep_name}-separated {expected!r}, found {_show(header)}"
        )
    return {name: names.index(name.lower()) for name in required}
