"""The catalogue: shipped file == generator output, the story's departments, icons, look-ups, CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from shopdemo.catalog import (
    build_catalog,
    generate_products,
    load_catalog,
    load_spec,
    products_tsv,
    read_products_tsv,
)
from shopdemo.cli import main
from shopdemo.errors import DataFormatError, ShopDemoError
from shopdemo.paths import assets_dir

REQUIRED = [
    "Power Tools",
    "Baby Clothing",
    "Groceries",
    "Electronics",
    "Books",
    "Toys",
    "Garden",
    "Sports",
    "Kitchen",
    "Beauty",
    "Pet",
    "Fashion",
]
SVG = "{http://www.w3.org/2000/svg}svg"


def test_shipped_products_are_exactly_what_the_generator_makes() -> None:
    shipped = (assets_dir() / "catalog" / "products.tsv").read_text(encoding="utf-8")
    assert products_tsv(generate_products(load_spec())) == shipped


def test_size_ids_and_names() -> None:
    catalog = load_catalog()
    assert len(catalog.products) >= 1000
    assert [p.id for p in catalog.products] == list(range(1, len(catalog.products) + 1))
    assert len({p.name for p in catalog.products}) == len(catalog.products)
    assert all(p.price > 0 and round(p.price * 100) % 10 == 9 for p in catalog.products)
    assert all(p.colour in catalog.colours for p in catalog.products)


def test_departments_include_the_story_and_everyday_ones() -> None:
    catalog = load_catalog()
    names = [d.name for d in catalog.departments]
    assert len(names) >= 12 and set(REQUIRED) <= set(names)
    for department in catalog.departments:
        assert len(department.subcategories) >= 5
        assert department.products == len(catalog.in_department(department.name))
    assert sum(d.products for d in catalog.departments) == len(catalog.products)


def test_funnels_are_ordered_chains_of_known_subcategories() -> None:
    catalog = load_catalog()
    for chain in [
        ("Drills", "Drill Bits", "Safety Glasses"),
        ("Phones", "Phone Cases", "Screen Protectors"),
        ("Bodysuits", "Bibs", "Baby Socks"),
        ("Grills", "Charcoal", "Grill Tools"),
    ]:
        assert chain in catalog.funnels
    assert catalog.successor("Drills") == "Drill Bits"
    assert catalog.successor("Safety Glasses") is None
    assert len(catalog.funnels) >= 2 * len(catalog.departments)


def test_every_icon_exists_and_is_svg() -> None:
    catalog = load_catalog()
    icons = {catalog.icon_path(d) for d in catalog.departments}
    assert len(icons) == len(catalog.departments)  # one distinct icon per department
    icons |= {catalog.icon_path(p) for p in catalog.products}
    for path in icons:
        root = ElementTree.parse(path).getroot()
        assert root.tag == SVG and root.get("viewBox") == "0 0 64 64", path


def test_lookups() -> None:
    catalog = load_catalog()
    first = catalog.get(1)
    assert (first.department, first.subcategory) == ("Power Tools", "Drills")
    assert catalog.find_by_name(first.name) is first
    assert catalog.find_by_name("No Such Thing") is None
    with pytest.raises(KeyError):
        catalog.get(len(catalog.products) + 1)
    bits = catalog.search("DRILL BIT SET")
    assert bits and all(p.subcategory == "Drill Bits" for p in bits)
    assert bits == catalog.in_department("Power Tools", "Drill Bits")
    assert len(catalog.search("a", limit=7)) == 7
    with pytest.raises(KeyError):
        catalog.in_department("Power Tools", "Bibs")
    assert catalog.icon_path(first).name == "drill.svg"
    assert load_catalog() is catalog


def test_bad_products_row_names_file_and_line(tmp_path: Path) -> None:
    lines = (assets_dir() / "catalog" / "products.tsv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(".", ",", 1)  # the price of product 2 becomes "48,99"
    bad = tmp_path / "products.tsv"
    bad.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"products\.tsv:3: bad id or price"):
        read_products_tsv(bad)


def test_generator_refuses_more_products_than_names() -> None:
    spec = load_spec()
    spec["department"][0]["subcategories"][0] = {
        "name": "Drills",
        "nouns": ["Drill"],
        "brands": ["Bosk"],
        "adjectives": ["Pro"],
        "variants": ["12V", "18V"],
        "count": 3,
        "price": [10, 20],
    }
    with pytest.raises(ShopDemoError, match="wants 3 products but its templates give only 2"):
        generate_products(spec)


def test_funnel_with_two_successors_is_refused() -> None:
    spec = load_spec()
    spec["department"][0]["funnels"].append(["Drills", "Tool Cases"])
    with pytest.raises(ShopDemoError, match="'Drills' has two funnel successors"):
        build_catalog(spec, load_catalog().products)


def test_cli_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"products", "departments"}
    assert all(
        set(p) == {"id", "name", "department", "subcategory", "price"} for p in data["products"]
    )
    assert all(set(d) == {"name", "products"} for d in data["departments"])
    assert data["products"][0] == {
        "id": 1,
        "name": load_catalog().get(1).name,
        "department": "Power Tools",
        "subcategory": "Drills",
        "price": load_catalog().get(1).price,
    }
    assert sum(d["products"] for d in data["departments"]) == len(data["products"])


def test_cli_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    catalog = load_catalog()
    assert "Drills -> Drill Bits -> Safety Glasses" in out
    assert f"{len(catalog.products)} products in {len(catalog.departments)} departments" in out
    assert all(d.name in out for d in catalog.departments)
