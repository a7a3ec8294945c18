"""Guided scenarios: scripted sessions a teacher plays click by click, with a caption per step.

A scenario is a small data file (TOML or JSON, read with tomllib/json, never executed), so a new
lesson needs no code. Products are named by id or exact name and resolved against the catalogue
when the file loads, so a typo fails at once with one line naming the file, the step and, where
the text shows it, the line, instead of halfway through a lesson.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopdemo.catalog import Catalog, load_catalog
from shopdemo.errors import DataFormatError, ShopDemoError
from shopdemo.paths import assets_dir

log = logging.getLogger(__name__)

SUFFIXES = (".toml", ".json")
TOP_KEYS = ("title", "description", "steps")
STEP_KEYS = ("click", "caption", "new_session")
MIN_STEPS = 2


@dataclass(frozen=True)
class Step:
    product_id: int  # catalogue id of the product clicked at this step
    caption: str  # what to look at in the panel after this click
    new_session: bool = False  # a new visitor: start an empty session before this click


@dataclass(frozen=True)
class Scenario:
    title: str
    description: str  # shown before the first step, while the session is still empty
    steps: tuple[Step, ...]  # at least MIN_STEPS
    path: Path  # the file it came from

    def session_at(self, step: int) -> tuple[int, ...]:
        """Product ids of the session on screen after `step` (0-based), oldest first."""
        if not 0 <= step < len(self.steps):
            raise IndexError(f"step {step} out of range 0..{len(self.steps) - 1}")
        start = max(i for i in range(step + 1) if i == 0 or self.steps[i].new_session)
        return tuple(s.product_id for s in self.steps[start : step + 1])


class _Problem(Exception):
    """One thing wrong with a scenario file, before the file name is attached."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


class _Lines:
    """Best-effort line numbers for messages: tomllib and json keep none once parsed."""

    def __init__(self, text: str, is_json: bool) -> None:
        self.lines = text.splitlines()
        self.is_json = is_json
        header = re.compile(r"\s*\[\[\s*steps\s*\]\]")
        self.step_starts = (
            []
            if is_json
            else [number for number, line in enumerate(self.lines, 1) if header.match(line)]
        )

    def step(self, index: int) -> int | None:
        """Line of the `[[steps]]` header of step `index` (TOML tables only)."""
        return self.step_starts[index] if index < len(self.step_starts) else None

    def key(self, key: str, step: int | None = None) -> int | None:
        """Line of `key = ...` at the top level, or inside step `step` (TOML tables)."""
        if self.is_json:
            if step is not None:
                return None
            pattern = re.compile(rf'"{re.escape(key)}"\s*:')
            bounds = (1, len(self.lines))
        elif step is None:
            pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
            first_table = next(
                (n for n, line in enumerate(self.lines, 1) if line.lstrip().startswith("[")),
                len(self.lines) + 1,
            )
            bounds = (1, first_table - 1)
        else:
            start = self.step(step)
            if start is None:
                return None
            nxt = self.step(step + 1)
            bounds = (start + 1, nxt - 1 if nxt is not None else len(self.lines))
            pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
        for number in range(bounds[0], bounds[1] + 1):
            text = self.lines[number - 1]
            if pattern.search(text) if self.is_json else pattern.match(text):
                return number
        return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _parse(path: Path, text: str) -> Any:
    """The file's data; a syntax error becomes a _Problem with the parser's line."""
    language = "JSON" if path.suffix.lower() == ".json" else "TOML"
    try:
        return _parse_text(language, text)
    except RecursionError:  # thousands of nested [ or {: the parsers recurse per level
        raise _Problem(f"not valid {language}: lists or tables nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise _Problem(f"not valid {language}: {str(exc).splitlines()[0][:120]}") from None


def _parse_text(language: str, text: str) -> Any:
    if language == "JSON":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise _Problem(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = re.search(r"\s*\(at line (\d+), column (\d+)\)\s*$", message)
        if where is None:
            raise _Problem(f"not valid TOML: {message}") from None
        detail = message[: where.start()]
        raise _Problem(
            f"not valid TOML: {detail} (column {where.group(2)})", int(where.group(1))
        ) from None


def _check_keys(
    table: dict[str, Any],
    allowed: tuple[str, ...],
    where: str,
    lines: _Lines,
    step: int | None = None,
) -> None:
    for key in table:
        if key not in allowed:
            line = lines.key(key, step) or (lines.step(step) if step is not None else None)
            raise _Problem(f"{where}unknown key {key!r} (allowed: {', '.join(allowed)})", line)


def _text(table: dict[str, Any], key: str, where: str, line: int | None) -> str:
    if key not in table:
        raise _Problem(f"{where}missing {key!r}", line)
    value = table[key]
    if not isinstance(value, str):
        raise _Problem(f"{where}{key!r} must be a string, got {_kind(value)}", line)
    if not value.strip():
        raise _Problem(f"{where}{key!r} is empty", line)
    return value.strip()


def _resolve(click: Any, catalog: Catalog, where: str, line: int | None) -> int:
    """The product id a step's `click` names (an id or an exact product name)."""
    if isinstance(click, bool) or not isinstance(click, int | str):
        raise _Problem(
            f"{where}'click' must be a product id (a whole number) or an exact "
            f"product name, got {_kind(click)}",
            line,
        )
    if isinstance(click, int):
        try:
            return catalog.get(click).id
        except KeyError:
            last = max(product.id for product in catalog.products)
            raise _Problem(
                f"{where}unknown product id {click} (ids run from 1 to {last})", line
            ) from None
    product = catalog.find_by_name(click)
    if product is not None:
        return product.id
    names = [product.name for product in catalog.products]
    folded = {name.casefold(): name for name in names}
    if click.strip().isdigit():
        hint = " (write a product id as a number, without quotes)"
    elif click.strip().casefold() in folded:
        hint = f" (did you mean {folded[click.strip().casefold()]!r}?)"
    else:
        close = difflib.get_close_matches(click, names, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise _Problem(f"{where}unknown product name {click!r}{hint}", line)


def _step(raw: Any, index: int, catalog: Catalog, lines: _Lines) -> Step:
    where = f"step {index + 1}: "
    line = lines.step(index)
    if not isinstance(raw, dict):
        raise _Problem(f"{where}must be a table with 'click' and 'caption', got {_kind(raw)}", line)
    _check_keys(raw, STEP_KEYS, where, lines, index)
    if "click" not in raw:
        raise _Problem(f"{where}missing 'click'", line)
    product_id = _resolve(raw["click"], catalog, where, lines.key("click", index) or line)
    caption = _text(raw, "caption", where, lines.key("caption", index) or line)
    new_session = raw.get("new_session", False)
    if not isinstance(new_session, bool):
        raise _Problem(
            f"{where}'new_session' must be true or false, got {_kind(new_session)}",
            lines.key("new_session", index) or line,
        )
    return Step(product_id, caption, new_session)


def _scenario(data: Any, path: Path, catalog: Catalog, lines: _Lines) -> Scenario:
    if not isinstance(data, dict):
        raise _Problem(
            f"the top level must be a table with {', '.join(TOP_KEYS)}, got {_kind(data)}"
        )
    _check_keys(data, TOP_KEYS, "", lines)
    title = _text(data, "title", "", lines.key("title"))
    description = _text(data, "description", "", lines.key("description"))
    steps = data.get("steps")
    if steps is None:
        raise _Problem("missing 'steps' (a list of {click, caption} entries)")
    if not isinstance(steps, list):
        raise _Problem(
            f"'steps' must be a list of {{click, caption}} entries, got {_kind(steps)}",
            lines.key("steps"),
        )
    if len(steps) < MIN_STEPS:
        raise _Problem(
            f"'steps' needs at least {MIN_STEPS} entries, got {len(steps)}",
            lines.key("steps") or lines.step(0),
        )
    parsed = tuple(_step(raw, index, catalog, lines) for index, raw in enumerate(steps))
    return Scenario(title, description, parsed, path)


def load_scenario(path: str | Path, catalog: Catalog | None = None) -> Scenario:
    """Read and check one scenario file; any problem is a one-line DataFormatError."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise DataFormatError(str(path), None, "a scenario file must end in .toml or .json")
    try:
        text = path.read_text(encoding="utf-8-sig")  # Windows editors may add a BOM
    except UnicodeDecodeError:
        raise DataFormatError(str(path), None, "not UTF-8 text") from None
    except OSError as exc:
        raise DataFormatError(str(path), None, f"cannot read: {exc.strerror or exc}") from None
    lines = _Lines(text, path.suffix.lower() == ".json")
    try:
        return _scenario(_parse(path, text), path, catalog or load_catalog(), lines)
    except _Problem as problem:
        raise DataFormatError(str(path), problem.line, problem.problem) from None


def load_scenarios(
    directory: str | Path, catalog: Catalog | None = None, problems: list[str] | None = None
) -> list[Scenario]:
    """Every .toml/.json scenario in `directory`, by file name.

    Without `problems` the first bad file raises; with a list, each bad file's one-line message
    is appended to it and the good files still load (a teacher's folder with one typo stays usable).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ShopDemoError(f"{folder}: no such scenario folder")
    catalog = catalog or load_catalog()
    scenarios = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
            continue
        try:
            scenarios.append(load_scenario(path, catalog))
        except DataFormatError as exc:
            if problems is None:
                raise
            log.warning("skipping scenario: %s", exc)
            problems.append(str(exc))
    return scenarios


def bundled_scenarios() -> list[Scenario]:
    """The scenarios that ship in assets/scenarios, in file-name order."""
    return load_scenarios(assets_dir() / "scenarios")
