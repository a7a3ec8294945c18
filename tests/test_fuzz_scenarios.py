"""Bad input, generated: the scenario loader loads a file or says which file (and line) is bad.

A teacher writes scenario files by hand, so every kind of mistake must end in one line naming
the file, never a traceback halfway through a lesson. Hypothesis feeds `load_scenario` random
text built from TOML and JSON pieces, random bytes, the bundled scenarios truncated or hit by a
stray character, and well-formed documents whose fields hold values of random types. The only
failure allowed is a DataFormatError naming the file. Seeded (derandomize), like the importers.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopdemo.catalog import Catalog, load_catalog
from shopdemo.errors import DataFormatError
from shopdemo.paths import assets_dir
from shopdemo.scenarios import MIN_STEPS, Scenario, load_scenario

FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BUNDLED = sorted((assets_dir() / "scenarios").glob("*.toml"))
SUFFIXES = st.sampled_from([".toml", ".json"])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="shopdemo-fuzz-scenarios-") as name:
        yield Path(name)


def load_or_name_the_file(path: Path, catalog: Catalog) -> Scenario | None:
    """The scenario, or None after checking the one-line DataFormatError that names `path`."""
    try:
        scenario = load_scenario(path, catalog)
    except DataFormatError as error:
        message = str(error)
        assert "\n" not in message and "\r" not in message, message
        assert error.path == str(path) and message.startswith(f"{path}"), message
        if error.line is not None:  # a line inside the file; \r\n, \r and \n each end a line
            data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            lines = data.count(b"\n") + 1
            assert 1 <= error.line <= lines, (error.line, lines, message)
        return None
    assert len(scenario.steps) >= MIN_STEPS and scenario.title and scenario.description
    for step in scenario.steps:
        assert catalog.get(step.product_id).id == step.product_id and step.caption.strip()
    return scenario


# Pieces scenario files are made of, so random text often parses and reaches the checks.
PIECES = [
    *"0123456789 \n\t=[]{}\",:.-'#\\",
    "title",
    "description",
    "steps",
    "click",
    "caption",
    "new_session",
    "true",
    "false",
    "null",
    "[[steps]]\n",
    'title = "T"\n',
    'description = "D"\n',
    "click = 295\n",
    'click = "Pixelon Silicone Phone Case"\n',
    'caption = "C"\n',
    '{"title": "T", "description": "D", "steps": [',
    '{"click": 1, "caption": "c"}',
    '"""',
    "nan",
    "inf",
    "1e400",
    "9" * 25,
    "9" * 4400,  # past Python's limit for converting digits to an int
    "[" * 1200,  # with a few of these, deeper than the parsers can recurse
    "a = {b = " * 400,
    "\x00",
    "\ufeff",
    "\u2028",
    "é",
]
random_text = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@FUZZ
@given(text=random_text, suffix=SUFFIXES)
def test_random_text_loads_or_names_the_file(
    text: str, suffix: str, folder: Path, catalog: Catalog
) -> None:
    path = folder / f"random{suffix}"
    path.write_text(text, encoding="utf-8")
    load_or_name_the_file(path, catalog)


@FUZZ
@given(data=st.binary(max_size=400), suffix=SUFFIXES)
def test_random_bytes_load_or_name_the_file(
    data: bytes, suffix: str, folder: Path, catalog: Catalog
) -> None:
    path = folder / f"bytes{suffix}"
    path.write_bytes(data)
    load_or_name_the_file(path, catalog)


def as_json(path: Path) -> str:
    import tomllib

    return json.dumps(tomllib.loads(path.read_text(encoding="utf-8")), indent=1)


@FUZZ
@given(
    source=st.sampled_from(BUNDLED),
    as_json_file=st.booleans(),
    cut=st.floats(0, 1),
    stray=st.one_of(st.none(), st.tuples(st.floats(0, 1), st.sampled_from(PIECES))),
)
def test_truncated_or_damaged_bundled_scenarios_load_or_name_the_line(
    source: Path,
    as_json_file: bool,
    cut: float,
    stray: tuple[float, str] | None,
    folder: Path,
    catalog: Catalog,
) -> None:
    text = as_json(source) if as_json_file else source.read_text(encoding="utf-8")
    intact = load_scenario(source, catalog)
    damaged = text[: round(cut * len(text))]
    if stray is not None:
        where = round(stray[0] * len(damaged))
        damaged = damaged[:where] + stray[1] + damaged[where:]
    path = folder / f"damaged{'.json' if as_json_file else '.toml'}"
    path.write_text(damaged, encoding="utf-8")
    scenario = load_or_name_the_file(path, catalog)
    if damaged == text:  # nothing was cut or added: it must load, as the original does
        assert scenario is not None and scenario.steps == intact.steps


# Values of every type TOML and JSON can hold, for any field.
scalars = st.one_of(
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.integers(-3, 1300),  # around the catalogue's ids
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["Pixelon Silicone Phone Case", "pixelon silicone phone case", "295", " "]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


# Documents near a good one: each part is right nine times in ten, else a value of any type or
# an unknown key, so many files load and every check of the loader is reached.
def mostly(good: st.SearchStrategy) -> st.SearchStrategy:
    return st.sampled_from(range(10)).flatmap(lambda roll: values if roll == 7 else good)


def sometimes_extra(table: st.SearchStrategy, key: str) -> st.SearchStrategy:
    extra = st.tuples(st.sampled_from(range(10)), values)
    return st.tuples(table, extra).map(lambda t: {**t[0], key: t[1][1]} if t[1][0] == 7 else t[0])


good_click = st.sampled_from([1, 295, 1221, "Pixelon Silicone Phone Case"])
step = sometimes_extra(
    st.fixed_dictionaries(
        {"click": mostly(good_click), "caption": mostly(st.sampled_from(["Look", " c "]))},
        optional={"new_session": mostly(st.booleans())},
    ),
    "extra",
)
full_documents = sometimes_extra(
    st.fixed_dictionaries(
        {
            "title": mostly(st.sampled_from([" A lesson ", "T"])),
            "description": mostly(st.just("What to watch")),
            "steps": mostly(st.lists(mostly(step), min_size=2, max_size=4)),
        }
    ),
    "lesson",
)
any_documents = st.dictionaries(
    st.sampled_from(["title", "description", "steps", "lesson"]), values, max_size=4
)
documents = st.one_of(full_documents, full_documents, full_documents, any_documents)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def to_toml(document: dict) -> str:
    """The document as TOML, `steps` as [[steps]] tables when it is a list of tables."""
    lines = [f"{toml_value(key)} = {toml_value(value)}" for key, value in document.items()
             if key != "steps" or not (isinstance(value, list) and value and all(isinstance(s, dict) for s in value))]  # fmt: skip
    if len(lines) < len(document):
        for step in document["steps"]:
            lines.append("[[steps]]")
            lines += [f"{toml_value(key)} = {toml_value(value)}" for key, value in step.items()]
    return "\n".join(lines) + "\n"


@FUZZ
@given(document=documents, suffix=SUFFIXES)
def test_fields_of_random_types_load_or_name_the_file(
    document: dict, suffix: str, folder: Path, catalog: Catalog
) -> None:
    path = folder / f"typed{suffix}"
    text = json.dumps(document) if suffix == ".json" else to_toml(document)
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    scenario = load_or_name_the_file(path, catalog)
    if scenario is not None:  # what loaded is what the file said
        assert scenario.title == document["title"].strip()
        assert len(scenario.steps) == len(document["steps"])


def test_a_good_document_in_both_languages_loads(folder: Path, catalog: Catalog) -> None:
    """The generators above can produce a loadable file: the assertions do get exercised."""
    document = {
        "title": " T ",
        "description": "D",
        "steps": [
            {"click": 295, "caption": "c"},
            {"click": "Pixelon Silicone Phone Case", "caption": "d", "new_session": True},
        ],
    }
    for suffix, text in ((".json", json.dumps(document)), (".toml", to_toml(document))):
        path = folder / f"good{suffix}"
        path.write_text(text, encoding="utf-8")
        scenario = load_or_name_the_file(path, catalog)
        assert scenario is not None and scenario.title == "T"
        assert [step.product_id for step in scenario.steps] == [
            295,
            catalog.find_by_name("Pixelon Silicone Phone Case").id,
        ]
        assert scenario.steps[1].new_session


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("deep.json", "[" * 50_000 + "]" * 50_000, "deep.json: not valid JSON: lists or tables nested too deeply"),
        ("deep.toml", "a = " + "[" * 50_000 + "]" * 50_000, "deep.toml: not valid TOML: lists or tables nested too deeply"),
        ("digits.json", '{"title": ' + "9" * 5_000 + "}", "digits.json: not valid JSON: Exceeds the limit (4300 digits)"),
        ("bom.toml", '\ufefftitle = 5\n', "bom.toml:1: 'title' must be a string, got the number 5"),
    ],
)  # fmt: skip
def test_what_the_fuzzing_found(
    folder: Path, catalog: Catalog, name: str, text: str, expected: str
) -> None:
    """Thousands of nested brackets and 5,000-digit numbers raised RecursionError / ValueError
    tracebacks; a UTF-8 byte-order mark (Windows editors) made a good TOML file unreadable."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFormatError) as error:
        load_scenario(path, catalog)
    assert str(error.value).startswith(f"{folder}/{expected}")
