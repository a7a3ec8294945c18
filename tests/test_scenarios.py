"""Guided scenarios: the bundled lessons load and tell their story; a teacher's broken file
fails with one line naming the file, the step and (where the text shows it) the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopdemo.catalog import load_catalog
from shopdemo.errors import DataFormatError, ShopDemoError
from shopdemo.scenarios import (
    Scenario,
    Step,
    bundled_scenarios,
    load_scenario,
    load_scenarios,
)

DEFAULT_SASREC_MAX_LEN = 20  # SASRecConfig.max_len; the long session must overflow it

GOOD_TOML = """\
title = "Two clicks"
description = "A drill, then bits."

[[steps]]
click = "Bosk Pro Drill Driver 12V"
caption = "A drill, by name."

[[steps]]
click = 22
caption = "Drill bits, by id."
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def departments(scenario: Scenario) -> list[str]:
    catalog = load_catalog()
    return [catalog.get(step.product_id).department for step in scenario.steps]


def test_the_four_bundled_scenarios_load_in_file_order() -> None:
    scenarios = bundled_scenarios()
    assert [s.title for s in scenarios] == [
        "The gift shopper",
        "Cold start",
        "A long session",
        "Funnel: order matters",
    ]
    catalog = load_catalog()
    for scenario in scenarios:
        assert scenario.path.parent.name == "scenarios"
        assert len(scenario.steps) >= 2 and scenario.description
        for step in scenario.steps:
            assert catalog.get(step.product_id).id == step.product_id
            assert len(step.caption) > 30 and "\n" not in step.caption


def test_gift_shopper_goes_from_power_tools_to_baby_clothing() -> None:
    gift = bundled_scenarios()[0]
    deps = departments(gift)
    assert deps[:3] == ["Power Tools"] * 3
    assert set(deps[3:]) == {"Baby Clothing"}
    assert [s.product_id for s in gift.steps[:2]] == [9, 22]  # a drill, then drill bits


def test_cold_start_restarts_with_a_new_visitor() -> None:
    cold = bundled_scenarios()[1]
    assert [s.new_session for s in cold.steps] == [False, False, True, False]
    assert cold.session_at(1) == (295, 310)
    assert cold.session_at(2) == (570,)  # the new visitor's first click
    assert cold.session_at(3) == (570, 578)


def test_long_session_overflows_the_sasrec_window_across_departments() -> None:
    long = bundled_scenarios()[2]
    assert len(long.steps) > DEFAULT_SASREC_MAX_LEN + 2
    assert len(set(departments(long))) >= 8
    assert not any(step.new_session for step in long.steps)
    first = long.steps[0].product_id
    window = long.session_at(len(long.steps) - 1)[-DEFAULT_SASREC_MAX_LEN:]
    assert first not in window  # the drill has left SASRec's window by the end


def test_funnel_replays_the_same_products_reversed() -> None:
    funnel = bundled_scenarios()[3]
    forward = funnel.session_at(2)
    assert forward == (2, 19, 25)  # drill -> drill bits -> safety glasses
    assert funnel.session_at(5) == tuple(reversed(forward))
    catalog = load_catalog()
    assert [catalog.get(i).subcategory for i in forward] == [
        "Drills",
        "Drill Bits",
        "Safety Glasses",
    ]


def test_names_and_ids_both_resolve_in_toml_and_json(tmp_path: Path) -> None:
    from_toml = load_scenario(write(tmp_path, "a.toml", GOOD_TOML))
    data = {
        "title": "Two clicks",
        "description": "A drill, then bits.",
        "steps": [
            {"click": 1, "caption": "A drill, by id."},
            {"click": "Torqland Titanium Drill Bit Set 25-Piece", "caption": "Bits, by name."},
        ],
    }
    from_json = load_scenario(write(tmp_path, "b.json", json.dumps(data, indent=2)))
    assert [s.product_id for s in from_toml.steps] == [1, 22]
    assert [s.product_id for s in from_json.steps] == [1, 22]
    assert from_toml.steps[0] == Step(1, "A drill, by name.", False)
    assert from_toml.path == tmp_path / "a.toml"


def test_session_at_rejects_steps_out_of_range(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "a.toml", GOOD_TOML))
    assert scenario.session_at(0) == (1,)
    with pytest.raises(IndexError):
        scenario.session_at(2)


def replace(old: str, new: str) -> str:
    assert old in GOOD_TOML
    return GOOD_TOML.replace(old, new)


MALFORMED_TOML = [
    # (id, file text, expected problem text, expected line or None)
    ("syntax", replace('caption = "A drill, by name."', "caption = "), "not valid TOML", 6),
    ("missing title", replace('title = "Two clicks"\n', ""), "missing 'title'", None),
    (
        "title type",
        replace('title = "Two clicks"', "title = 3"),
        "'title' must be a string, got the number 3",
        1,
    ),
    ("empty description", replace('"A drill, then bits."', '"  "'), "'description' is empty", 2),
    (
        "unknown top key",
        GOOD_TOML.replace("\n[[steps]]", 'author = "me"\n\n[[steps]]', 1),
        "unknown key 'author' (allowed: title, description, steps)",
        3,
    ),
    ("missing steps", GOOD_TOML.split("[[steps]]")[0], "missing 'steps'", None),
    (
        "steps type",
        GOOD_TOML.split("[[steps]]")[0] + 'steps = "drill"\n',
        "'steps' must be a list",
        4,
    ),
    ("one step", GOOD_TOML.rsplit("[[steps]]", 1)[0], "'steps' needs at least 2 entries, got 1", 4),
    (
        "unknown id",
        replace("click = 22", "click = 99999"),
        "step 2: unknown product id 99999 (ids run from 1 to 1221)",
        9,
    ),
    (
        "unknown name",
        replace("Bosk Pro Drill Driver 12V", "Bosk Pro Drill Drvier 12V"),
        "step 1: unknown product name 'Bosk Pro Drill Drvier 12V' (did you mean 'Bosk Pro Drill Driver 12V'?)",
        5,
    ),
    (
        "wrong case",
        replace("Bosk Pro Drill Driver 12V", "bosk pro drill driver 12v"),
        "(did you mean 'Bosk Pro Drill Driver 12V'?)",
        5,
    ),
    (
        "quoted id",
        replace("click = 22", 'click = "22"'),
        "step 2: unknown product name '22' (write a product id as a number, without quotes)",
        9,
    ),
    (
        "click type",
        replace("click = 22", "click = 2.5"),
        "step 2: 'click' must be a product id (a whole number) or an exact product name, got the number 2.5",
        9,
    ),
    ("click bool", replace("click = 22", "click = true"), "got true/false", 9),
    ("missing click", replace("click = 22\n", ""), "step 2: missing 'click'", 8),
    ("empty caption", replace('"Drill bits, by id."', '""'), "step 2: 'caption' is empty", 10),
    (
        "missing caption",
        replace('caption = "Drill bits, by id."\n', ""),
        "step 2: missing 'caption'",
        8,
    ),
    (
        "unknown step key",
        replace('caption = "A drill, by name."', 'captoin = "A drill"'),
        "step 1: unknown key 'captoin' (allowed: click, caption, new_session)",
        6,
    ),
    (
        "new_session type",
        replace("click = 22", 'click = 22\nnew_session = "yes"'),
        "step 2: 'new_session' must be true or false, got a string",
        10,
    ),
]


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [case[1:] for case in MALFORMED_TOML],
    ids=[case[0] for case in MALFORMED_TOML],
)
def test_malformed_toml_gives_one_line_naming_file_and_problem(
    tmp_path: Path, text: str, problem: str, line: int | None
) -> None:
    path = write(tmp_path, "lesson.toml", text)
    with pytest.raises(DataFormatError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert message.startswith(where), message
    assert problem in message


def test_inline_toml_steps_still_name_the_step(tmp_path: Path) -> None:
    text = (
        'title = "t"\ndescription = "d"\nsteps = [\n  {click = 1, caption = "a"},\n'
        '  {click = 0, caption = "b"},\n]\n'
    )
    with pytest.raises(DataFormatError, match=r"lesson\.toml: step 2: unknown product id 0"):
        load_scenario(write(tmp_path, "lesson.toml", text))


MALFORMED_JSON = [
    ('{"title": "t",\n "description": "d",\n "steps": [1, 2],}', ":3: not valid JSON: ", None),
    ('[{"click": 1, "caption": "a"}]', ": the top level must be a table with title", None),
    (
        '{"title": "t", "description": "d", "steps": [1, 2]}',
        ": step 1: must be a table with 'click' and 'caption', got the number 1",
        None,
    ),
    (
        '{"title": "t",\n"description": "d",\n"colour": "red",\n"steps": []}',
        ":3: unknown key 'colour'",
        None,
    ),
    (
        '{"title": "t", "description": "d", "steps": [{"click": 1, "caption": "a"}, {"click": "Nothing", "caption": "b"}]}',
        ": step 2: unknown product name 'Nothing'",
        None,
    ),
]


@pytest.mark.parametrize(("text", "problem", "unused"), MALFORMED_JSON)
def test_malformed_json_gives_one_line_naming_file_and_problem(
    tmp_path: Path, text: str, problem: str, unused: None
) -> None:
    path = write(tmp_path, "lesson.json", text)
    with pytest.raises(DataFormatError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}{problem}"), message


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    yaml = write(tmp_path, "lesson.yaml", GOOD_TOML)
    with pytest.raises(DataFormatError, match=r"lesson\.yaml: a scenario file must end in"):
        load_scenario(yaml)
    binary = tmp_path / "lesson.toml"
    binary.write_bytes(b'title = "caf\xe9"\n')
    with pytest.raises(DataFormatError, match=r"lesson\.toml: not UTF-8 text"):
        load_scenario(binary)
    with pytest.raises(DataFormatError, match=r"missing\.toml: cannot read"):
        load_scenario(tmp_path / "missing.toml")


def test_a_folder_loads_by_name_and_can_collect_problems(tmp_path: Path) -> None:
    write(tmp_path, "2-second.toml", GOOD_TOML.replace("Two clicks", "Second"))
    write(
        tmp_path,
        "1-first.json",
        json.dumps(
            {
                "title": "First",
                "description": "d",
                "steps": [{"click": 3, "caption": "a"}, {"click": 4, "caption": "b"}],
            }
        ),
    )
    write(tmp_path, "notes.txt", "not a scenario")
    write(tmp_path, "3-broken.toml", replace("click = 22", "click = 0"))
    with pytest.raises(DataFormatError, match=r"3-broken\.toml:9: step 2: unknown product id 0"):
        load_scenarios(tmp_path)
    problems: list[str] = []
    loaded = load_scenarios(tmp_path, problems=problems)
    assert [s.title for s in loaded] == ["First", "Second"]
    assert len(problems) == 1 and "3-broken.toml:9: step 2" in problems[0]


def test_a_missing_folder_is_a_shopdemo_error(tmp_path: Path) -> None:
    with pytest.raises(ShopDemoError, match="no such scenario folder"):
        load_scenarios(tmp_path / "nowhere")
