"""The shop's catalogue: ~1,200 invented products in 14 departments, the same on every machine.

Products come from name templates in `assets/catalog/catalog.toml`, expanded once with a fixed
seed into `assets/catalog/products.tsv` (stable ids 1..N) that ships with the package, so a saved
session or a trained model keeps meaning the same products. `python -m shopdemo.catalog`
regenerates the file; a test checks the shipped file is exactly what the generator gives.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shopdemo.errors import DataFormatError, ShopDemoError
from shopdemo.paths import assets_dir

TSV_HEADER = ("id", "name", "department", "subcategory", "price", "colour", "icon")
DEFAULT_TEMPLATE = "{brand} {adjective} {noun} {variant}"


@dataclass(frozen=True)
class Product:
    id: int  # stable id, 1..N; the item id in every session log
    name: str  # unique across the shop
    department: str
    subcategory: str
    price: float  # euros, two decimals
    colour: str  # a colour name; `Catalog.colour_hex` gives the tile tint
    icon: str  # SVG file name in assets/icons/


@dataclass(frozen=True)
class Department:
    name: str
    subcategories: tuple[str, ...]  # most popular first
    icon: str  # SVG file name in assets/icons/
    products: int  # number of products in the department


class Catalog:
    """Products, departments and funnels with the look-ups the store and the simulator need."""

    def __init__(
        self,
        products: list[Product],
        departments: list[Department],
        funnels: list[tuple[str, ...]],
        colours: dict[str, str],
    ) -> None:
        self.products = products
        self.departments = departments
        self.funnels = funnels  # ordered chains of complementary sub-categories
        self.colours = colours  # colour name -> "#rrggbb"
        self._by_id = {product.id: product for product in products}
        self._by_name = {product.name: product for product in products}
        self._departments = {department.name: department for department in departments}
        self._successor = {a: b for chain in funnels for a, b in itertools.pairwise(chain)}

    def get(self, product_id: int) -> Product:
        """The product with this id; KeyError if there is none."""
        return self._by_id[product_id]

    def find_by_name(self, name: str) -> Product | None:
        return self._by_name.get(name)

    def search(self, text: str, limit: int = 50) -> list[Product]:
        """Products whose name contains `text` (case-insensitive), in id order."""
        needle = text.casefold()
        hits = (product for product in self.products if needle in product.name.casefold())
        return list(itertools.islice(hits, limit))

    def department(self, name: str) -> Department:
        """The department called `name`; KeyError if there is none."""
        return self._departments[name]

    def in_department(self, department: str, subcategory: str | None = None) -> list[Product]:
        """Products of a department (or one of its sub-categories), in id order.

        KeyError for an unknown department or a sub-category it does not have: a typo in a
        name should fail loudly, not show an empty shelf.
        """
        known = self._departments[department]
        if subcategory is not None and subcategory not in known.subcategories:
            raise KeyError(f"{department!r} has no sub-category {subcategory!r}")
        return [
            product
            for product in self.products
            if product.department == department
            and (subcategory is None or product.subcategory == subcategory)
        ]

    def successor(self, subcategory: str) -> str | None:
        """The next sub-category in this one's funnel (drills -> drill bits), or None."""
        return self._successor.get(subcategory)

    def icon_path(self, product_or_department: Product | Department) -> Path:
        return assets_dir() / "icons" / product_or_department.icon

    def colour_hex(self, colour: str) -> str:
        return self.colours[colour]


def load_spec(path: Path | None = None) -> dict[str, Any]:
    """The parsed catalog.toml (departments, sub-categories, templates, funnels, colours)."""
    path = path or assets_dir() / "catalog" / "catalog.toml"
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DataFormatError(str(path), None, f"not valid TOML: {exc}") from exc


def _price(rng: random.Random, low: float, high: float) -> float:
    """A shop-like price between low and high: log-uniform, then ending in 9."""
    raw = low * (high / low) ** rng.random()
    if raw < 20:
        return round(math.floor(raw * 10) / 10 + 0.09, 2)  # 3.47 -> 3.49
    if raw < 200:
        return round(math.floor(raw) + 0.99, 2)  # 47.30 -> 47.99
    return round(math.floor(raw / 10) * 10 + 9.99, 2)  # 231.0 -> 239.99


def _field(sub: dict[str, Any], department: dict[str, Any], key: str, default: Any = None) -> Any:
    return sub.get(key, department.get(key, default))


def generate_products(spec: dict[str, Any]) -> list[Product]:
    """Expand the templates into products, deterministically, ids 1..N in spec order.

    Each sub-category draws from its own `random.Random("seed/department/sub-category")`, so
    editing one sub-category leaves the names and prices of all the others unchanged.
    """
    products: list[Product] = []
    for department in spec["department"]:
        for sub in department["subcategories"]:
            rng = random.Random(f"{spec['seed']}/{department['name']}/{sub['name']}")
            combos = list(
                itertools.product(
                    _field(sub, department, "brands"),
                    _field(sub, department, "adjectives"),
                    _field(sub, department, "nouns"),
                    _field(sub, department, "variants", [""]),
                )
            )
            count = _field(sub, department, "count")
            if count > len(combos):
                raise ShopDemoError(
                    f"catalog.toml: {sub['name']!r} wants {count} products but its templates "
                    f"give only {len(combos)} names"
                )
            template = _field(sub, department, "template", DEFAULT_TEMPLATE)
            low, high = sub["price"]
            drawn = []
            for brand, adjective, noun, variant in rng.sample(combos, count):
                text = template.format(brand=brand, adjective=adjective, noun=noun, variant=variant)
                name = re.sub(r"\s+", " ", text.replace("()", "")).strip()
                price = _price(rng, low, high)
                colour = rng.choice(_field(sub, department, "colours"))
                drawn.append((name, price, colour))
            icon = _field(sub, department, "icon")
            for name, price, colour in sorted(drawn):
                products.append(
                    Product(
                        len(products) + 1,
                        name,
                        department["name"],
                        sub["name"],
                        price,
                        colour,
                        icon,
                    )
                )
    _check_unique(products)
    return products


def _check_unique(products: list[Product]) -> None:
    seen: dict[str, Product] = {}
    for product in products:
        if product.name in seen:
            raise ShopDemoError(
                f"catalog.toml: product name {product.name!r} occurs in both "
                f"{seen[product.name].subcategory!r} and {product.subcategory!r}"
            )
        seen[product.name] = product


def products_tsv(products: list[Product]) -> str:
    """The text of products.tsv: a header, then one tab-separated row per product."""
    lines = ["\t".join(TSV_HEADER)]
    for p in products:
        row = (str(p.id), p.name, p.department, p.subcategory, f"{p.price:.2f}", p.colour, p.icon)
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"


def read_products_tsv(path: Path) -> list[Product]:
    """Parse products.tsv; a bad row raises DataFormatError naming the file and line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or tuple(lines[0].split("\t")) != TSV_HEADER:
        raise DataFormatError(str(path), 1, f"header must be {' '.join(TSV_HEADER)}")
    products = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(TSV_HEADER):
            raise DataFormatError(str(path), number, f"expected 7 fields, got {len(fields)}")
        try:
            product_id, price = int(fields[0]), float(fields[4])
        except ValueError:
            raise DataFormatError(
                str(path), number, f"bad id or price: {fields[0]!r}, {fields[4]!r}"
            ) from None
        if product_id != number - 1:
            raise DataFormatError(str(path), number, f"id {product_id} out of order")
        products.append(Product(product_id, fields[1], fields[2], fields[3], price, *fields[5:]))
    return products


def build_catalog(spec: dict[str, Any], products: list[Product]) -> Catalog:
    """Join the spec's departments, funnels and colours with the product rows; check they agree."""
    departments, owner = [], {}
    for department in spec["department"]:
        names = tuple(sub["name"] for sub in department["subcategories"])
        for name in names:
            if name in owner:
                raise ShopDemoError(f"catalog.toml: sub-category {name!r} appears twice")
            owner[name] = department["name"]
        count = sum(1 for product in products if product.department == department["name"])
        departments.append(Department(department["name"], names, department["icon"], count))
    funnels = [tuple(chain) for department in spec["department"] for chain in department["funnels"]]
    successors: dict[str, str] = {}
    for chain in funnels:
        for before, after in itertools.pairwise(chain):
            if before not in owner or after not in owner:
                raise ShopDemoError(f"catalog.toml: funnel {chain} names an unknown sub-category")
            if successors.setdefault(before, after) != after:
                raise ShopDemoError(f"catalog.toml: {before!r} has two funnel successors")
    colours = dict(spec["colours"])
    for product in products:
        if owner.get(product.subcategory) != product.department:
            raise ShopDemoError(f"products.tsv: product {product.id} has an unknown sub-category")
        if product.colour not in colours:
            raise ShopDemoError(f"products.tsv: product {product.id} colour {product.colour!r}")
    return Catalog(products, departments, funnels, colours)


@functools.cache
def load_catalog() -> Catalog:
    """The shipped catalogue (read once per process)."""
    folder = assets_dir() / "catalog"
    return build_catalog(
        load_spec(folder / "catalog.toml"), read_products_tsv(folder / "products.tsv")
    )


if __name__ == "__main__":
    target = assets_dir() / "catalog" / "products.tsv"
    rows = generate_products(load_spec())
    target.write_text(products_tsv(rows), encoding="utf-8")
    print(f"wrote {len(rows)} products to {target}")
