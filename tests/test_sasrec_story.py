"""The course's story on simulated shoppers: a power-tool buyer who starts clicking baby clothes.

After "power tool, power tool, baby item, baby item" SASRec must switch to baby clothing and its
attention must show why: the last click looks more at the baby clicks than at the power tools.
Three simulator seeds; the shop's default model, 3,000 sessions and 5 epochs keep it to seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from shopdemo.catalog import load_catalog
from shopdemo.models.sasrec import SASRecConfig, build_task
from shopdemo.simulator import simulate
from shopdemo.training import run_training, seed_everything


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """Train and score on one torch thread, as the app does (and fast on a shared CI machine)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def most_clicked(items: np.ndarray, department: set[int], count: int) -> list[int]:
    """The `count` most clicked items of a department, most clicked first."""
    ids, clicks = np.unique(items[np.isin(items, list(department))], return_counts=True)
    return [int(item) for item in ids[np.argsort(-clicks, kind="stable")[:count]]]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_baby_clicks_take_over_from_power_tools(seed: int) -> None:
    catalog = load_catalog()
    log = simulate(catalog, sessions=3000, seed=seed)
    config = SASRecConfig(epochs=5)  # the shop defaults, fewer epochs
    generator = seed_everything(seed)
    task = build_task(config, log)
    for _ in run_training(task, epochs=config.epochs, generator=generator):
        pass
    recommender = task.recommender()

    department_of = {product.id: product.department for product in catalog.products}
    tools = most_clicked(
        log.item_ids, {i for i, d in department_of.items() if d == "Power Tools"}, 2
    )
    baby = most_clicked(
        log.item_ids, {i for i, d in department_of.items() if d == "Baby Clothing"}, 2
    )
    prediction = recommender.predict(tools + baby, k=10)

    departments = [department_of[item] for item in prediction.items]
    assert departments[0] == "Baby Clothing"
    assert departments.count("Baby Clothing") >= 6
    last_row = prediction.extras["attention"][-1, :, -1, :].mean(axis=0)  # (4,) over the clicks
    np.testing.assert_allclose(last_row.sum(), 1.0, rtol=1e-6)
    assert last_row[2:].sum() > last_row[:2].sum()
