"""The one place that wires the store, the catalogue and the models together for the window.

No Qt here (DESIGN.md): the window, the bench, `shopdemo snapshot` and the tests all drive the
same service; the window only adds threads and painting on top.
"""

from shopdemo.service.jobs import BaselineJob, TrainingJob, TrainingPlan, shop_config
from shopdemo.service.panel import (
    BASELINES,
    MAIN_MODELS,
    TITLES,
    ModelSlot,
    ModelView,
    PanelState,
    Score,
    describe_loss,
    rank_of,
    score_of,
    top_k,
    vocabulary_problem,
)
from shopdemo.service.shop import ShopService

__all__ = [
    "BASELINES",
    "MAIN_MODELS",
    "TITLES",
    "BaselineJob",
    "ModelSlot",
    "ModelView",
    "PanelState",
    "Score",
    "ShopService",
    "TrainingJob",
    "TrainingPlan",
    "describe_loss",
    "rank_of",
    "score_of",
    "shop_config",
    "top_k",
    "vocabulary_problem",
]
