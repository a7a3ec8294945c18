"""Long model work the window runs in the background, as Qt-free generator jobs (Orange's task
pattern): training a missing model on simulated sessions of this shop, fitting a baseline.
Each `run(should_stop)` yields progress reports and leaves its result in `model`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopdemo.models.base import NextItemModel

log = logging.getLogger(__name__)


def shop_config(key: str) -> dict[str, Any]:
    """The hyper-parameters tuned for the simulated store (assets/configs/<key>-shop.toml)."""
    import tomllib

    from shopdemo.paths import assets_dir

    path = assets_dir() / "configs" / f"{key}-shop.toml"
    if not path.is_file():
        return {}
    with open(path, "rb") as handle:
        return tomllib.load(handle)


@dataclass
class TrainingPlan:
    """A model trained in the app, on simulated sessions of this shop."""

    key: str  # gru4rec or sasrec
    out: Path  # checkpoint to write
    sessions: int = 12_000  # simulated training sessions
    epochs: int = 5  # passes over them
    seed: int = 1  # simulation and training seed


class TrainingJob:
    """A Qt-free training run: `run(should_stop)` yields `EpochReport`s; `model` is set at the
    end (None when cancelled). The checkpoint is written only after training finished."""

    def __init__(self, plan: TrainingPlan, catalog: Any) -> None:
        self.plan, self.catalog = plan, catalog
        self.model: NextItemModel | None = None

    def run(self, should_stop: Any) -> Any:
        import dataclasses
        import importlib

        from shopdemo.models import load_model
        from shopdemo.models.checkpoint import save_checkpoint
        from shopdemo.simulator import simulate
        from shopdemo.training import run_training, seed_everything

        plan = self.plan
        module = importlib.import_module(f"shopdemo.models.{plan.key}")
        train = simulate(self.catalog, plan.sessions, plan.seed)
        if should_stop():
            return
        config = module.Config(**{**shop_config(plan.key), "epochs": plan.epochs})
        generator = seed_everything(plan.seed)  # before build_task: seeds the initial weights
        task = module.build_task(config, train)
        for report in run_training(
            task, epochs=plan.epochs, generator=generator, should_stop=should_stop
        ):
            yield report
            if report.cancelled:
                return
        recommender = task.recommender()
        save_checkpoint(
            plan.out,
            model=plan.key,
            config=dataclasses.asdict(config),
            state_dict=task.module.state_dict(),
            item_ids=recommender.item_ids,
            meta={
                "loss": config.loss,
                "epochs": plan.epochs,
                "seed": plan.seed,
                "train": f"{plan.sessions} simulated sessions (in-app)",
            },
        )
        self.model = load_model(plan.out)
        log.info("trained %s in the app -> %s", plan.key, plan.out)


class BaselineJob:
    """Fits a count baseline on simulated sessions (seconds); same surface as `TrainingJob`."""

    def __init__(self, key: str, catalog: Any, sessions: int = 10_000, seed: int = 7) -> None:
        self.key, self.catalog, self.sessions, self.seed = key, catalog, sessions, seed
        self.model: NextItemModel | None = None

    def origin(self) -> str:
        return f"fitted on {self.sessions} simulated sessions (seed {self.seed})"

    def run(self, should_stop: Any) -> Any:
        from shopdemo.baselines import fit_baseline
        from shopdemo.simulator import simulate

        train = simulate(self.catalog, self.sessions, self.seed)
        if not should_stop():
            self.model = fit_baseline(self.key, train)
        yield from ()
