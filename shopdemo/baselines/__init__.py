"""Count-based baselines with the models' `predict` surface, so the panel can show one too.

Each is a few lines of counting; together they tell how much a neural model really adds. All
break ties among their own scores by training popularity (see `base.CountBaseline`).
"""

from __future__ import annotations

import inspect

from shopdemo.baselines.base import CountBaseline
from shopdemo.baselines.popularity import Pop, SessionPop
from shopdemo.baselines.rules import Cooccurrence, Markov, SequentialRules
from shopdemo.baselines.sknn import SessionKNN
from shopdemo.data import SessionLog
from shopdemo.errors import ShopDemoError
from shopdemo.models.base import NextItemModel

CLASSES: dict[str, type[CountBaseline]] = {
    cls.name: cls for cls in (Pop, SessionPop, Markov, SequentialRules, Cooccurrence, SessionKNN)
}
BASELINES = ("pop", "spop", "markov", "sr", "cooc", "sknn")


def fit_baseline(name: str, train: SessionLog, **options: object) -> NextItemModel:
    """Fit baseline `name` on `train`; options go to its class (e.g. sknn: k=50, recency=True)."""
    cls = CLASSES.get(name)
    if cls is None:
        raise ShopDemoError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
    accepted = set(inspect.signature(cls.__init__).parameters) - {"self", "train"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ShopDemoError(
            f"baseline {name!r} has no option {unknown[0]!r}"
            f" (options: {', '.join(sorted(accepted)) or 'none'})"
        )
    return cls(train, **options)


__all__ = ["BASELINES", "CountBaseline", "fit_baseline"]
