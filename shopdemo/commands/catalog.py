"""`shopdemo catalog`: list the shop's departments and sub-categories, or every product as JSON."""

from __future__ import annotations

import argparse
import json
from collections import Counter

from shopdemo.catalog import Catalog, load_catalog

NAME = "catalog"
HELP = "print the catalogue (a summary, or --json)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print products and departments as JSON"
    )


def catalog_json(catalog: Catalog) -> dict[str, list[dict[str, object]]]:
    """DESIGN.md's shape: products (id, name, department, subcategory, price), departments."""
    return {
        "products": [
            {
                "id": p.id,
                "name": p.name,
                "department": p.department,
                "subcategory": p.subcategory,
                "price": p.price,
            }
            for p in catalog.products
        ],
        "departments": [{"name": d.name, "products": d.products} for d in catalog.departments],
    }


def summary(catalog: Catalog) -> str:
    """One row per department: product count, then its sub-categories with their counts."""
    per_sub = Counter(product.subcategory for product in catalog.products)
    width = max(len(department.name) for department in catalog.departments)
    lines = [f"{'DEPARTMENT':<{width}}  PRODUCTS  SUB-CATEGORIES (products)"]
    for department in catalog.departments:
        entries = [f"{name} ({per_sub[name]})" for name in department.subcategories]
        wrapped = _wrap(entries, 96 - width - 12)
        lines.append(f"{department.name:<{width}}  {department.products:>8}  {wrapped[0]}")
        lines.extend(" " * (width + 12) + rest for rest in wrapped[1:])
    lines.append("")
    lines.append("FUNNELS (complements, in order)")
    lines.extend("  " + " -> ".join(chain) for chain in catalog.funnels)
    lines.append("")
    subcategories = sum(len(department.subcategories) for department in catalog.departments)
    lines.append(
        f"{len(catalog.products)} products in {len(catalog.departments)} departments, "
        f"{subcategories} sub-categories, {len(catalog.funnels)} funnels"
    )
    return "\n".join(lines)


def _wrap(entries: list[str], width: int) -> list[str]:
    """Join entries with ", " into lines of at most `width`, never splitting an entry."""
    lines = [""]
    for entry in entries:
        if lines[-1] and len(lines[-1]) + len(entry) + 2 > width:
            lines[-1] += ","
            lines.append("")
        lines[-1] += f", {entry}" if lines[-1] else entry
    return lines


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog()
    print(json.dumps(catalog_json(catalog)) if args.json else summary(catalog))
    return 0
