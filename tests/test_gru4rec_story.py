"""The course's story on simulated shoppers: two power-tool clicks, then two baby items.

A visitor who usually buys power tools starts shopping for a baby gift; a session model must
follow the last clicks. Small model, a few thousand sessions, a few epochs: seconds per seed.
"""

from __future__ import annotations

import pytest
import torch

from shopdemo.catalog import load_catalog
from shopdemo.models.gru4rec import GRU4RecConfig, build_task
from shopdemo.simulator import simulate
from shopdemo.training import run_training, seed_everything


@pytest.fixture(autouse=True)
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.mark.parametrize("simulator_seed", [1, 2, 3])
def test_switches_to_baby_clothing_after_two_baby_clicks(simulator_seed: int) -> None:
    catalog = load_catalog()
    drill = catalog.in_department("Power Tools", "Drills")[0].id
    drill_bits = catalog.in_department("Power Tools", "Drill Bits")[0].id
    bodysuit = catalog.in_department("Baby Clothing", "Bodysuits")[0].id
    bib = catalog.in_department("Baby Clothing", "Bibs")[0].id
    log = simulate(catalog, 2500, seed=simulator_seed)
    config = GRU4RecConfig(layers=[64], epochs=3)  # the store's defaults, smaller and shorter
    task = build_task(config, log)
    for _ in run_training(task, epochs=config.epochs, generator=seed_everything(simulator_seed)):
        pass
    prediction = task.recommender().predict([drill, drill_bits, bodysuit, bib], k=10)
    departments = [catalog.get(item).department for item in prediction.items]
    assert departments[0] == "Baby Clothing", departments
    assert departments.count("Baby Clothing") >= 6, departments
    assert prediction.extras["update_gate"].shape == (1, 4, 64)
