"""The checkpoints in assets/models/ load, fit the shipped catalogue and tell the gift story.

They are what `shopdemo` opens with; a change to a model's config or the catalogue that breaks
them must fail here, not in front of a class.
"""

from __future__ import annotations

import pytest

from shopdemo.catalog import load_catalog
from shopdemo.models import load_model
from shopdemo.paths import assets_dir

MODELS = ["gru4rec", "sasrec"]
# The gift shopper of assets/scenarios/01-gift-shopper.toml: drill, drill bits, bodysuit, bib.
STORY = [9, 22, 110, 127]


@pytest.mark.parametrize("kind", MODELS)
def test_shipped_checkpoint_fits_the_catalogue(kind: str) -> None:
    model = load_model(assets_dir() / "models" / f"{kind}.pt")
    catalog_ids = sorted(product.id for product in load_catalog().products)
    assert model.name == kind
    assert sorted(int(item) for item in model.item_ids) == catalog_ids
    assert model.meta["loss"] in ("cross-entropy", "ce")  # the panel shows true probabilities


@pytest.mark.parametrize("kind", MODELS)
def test_shipped_checkpoint_switches_to_baby_clothing(kind: str) -> None:
    catalog = load_catalog()
    assert [catalog.get(item).department for item in STORY] == [
        "Power Tools", "Power Tools", "Baby Clothing", "Baby Clothing"]
    model = load_model(assets_dir() / "models" / f"{kind}.pt")
    pred = model.predict(STORY, k=10)
    departments = [catalog.get(item).department for item in pred.items]
    assert departments[0] == "Baby Clothing"
    assert departments.count("Baby Clothing") >= 6
    assert pred.probs == sorted(pred.probs, reverse=True) and 0.0 < sum(pred.probs) <= 1.0
