"""What the comparison panel is made of, computed without Qt: model slots, one model's view
after a click (top-k, ranks one click earlier, the session's scoreboard) and the cache of raw
predictions that makes a click cost one model call per model.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # the models package imports torch: seconds the window should not wait for
    from shopdemo.models.base import NextItemModel, Prediction

MAIN_MODELS = ("gru4rec", "sasrec")
BASELINES = ("pop", "spop", "markov", "sr", "cooc", "sknn")
TITLES = {
    "gru4rec": "GRU4Rec",
    "sasrec": "SASRec",
    "pop": "Most popular",
    "spop": "Session popularity",
    "markov": "Markov chain",
    "sr": "Sequential rules",
    "cooc": "Co-occurrence",
    "sknn": "Session kNN",
}
LOSS_NAMES = {
    "ce": "full cross-entropy",
    "bce": "sampled BCE",
    "bpr-max": "BPR-max",
    "bpr_max": "BPR-max",
    "top1-max": "TOP1-max",
    "cross-entropy": "cross-entropy",
}
CACHE_SIZE = 512  # predictions kept per service (prefixes x models); one session needs ~2n


@dataclass
class ModelSlot:
    """One column of the panel: a model, or the reason there is none yet."""

    key: str  # gru4rec, sasrec, or a baseline's short name
    title: str  # column header
    model: NextItemModel | None = None  # None while missing, mismatched or still training
    problem: str = ""  # one line for the panel when `model` is None
    origin: str = ""  # checkpoint path, or how a baseline was fitted
    loss: str = ""  # training loss the checkpoint records (the panel names it)
    generation: int = 0  # bumped on every swap so cached predictions never outlive a model
    unknown_products: int = 0  # catalogue products the model cannot recommend


@dataclass(frozen=True)
class Score:
    """A model's scoreboard for the session so far (next-click protocol of DESIGN.md)."""

    targets: int  # clicks after the first: each was predicted from the clicks before it
    hits: int  # of those, how many were in the model's top-k one step earlier
    mrr: float  # mean reciprocal rank at k (0 for a miss)
    last_rank: int | None  # rank of the latest click one step earlier (None: unknown item)


@dataclass
class ModelView:
    """What one column shows after one click."""

    key: str
    prediction: Prediction  # top-k at the panel's k and temperature
    previous_ranks: dict[int, int]  # shown item -> its rank one click earlier (empty at start)
    click_ranks: list[int | None]  # per click from the 2nd: its rank one step earlier
    score: Score
    # (n_items,) the prediction's scores, best first: the distribution plot's curve, sorted
    # here (on the predictor's worker thread) rather than on the GUI thread; None: not sorted
    ranked_scores: np.ndarray | None = None


@dataclass
class PanelState:
    """Everything the comparison panel needs for one session prefix."""

    session: tuple[int, ...]  # clicks, oldest first
    k: int  # list length
    temperature: float  # softmax temperature of the shown probabilities
    views: dict[str, ModelView] = field(default_factory=dict)  # by slot key, panel order
    shared: frozenset[int] = frozenset()  # items in the top-k of both main models
    session_number: int | None = None  # the store's session the lists were shown in
    position: int = 0  # events the session had when the lists were shown


def rank_of(scores: np.ndarray, index: int) -> int:
    """1-based rank of item `index`, conservative ties (equal scores rank above it)."""
    return int(np.count_nonzero(scores >= scores[index]))


def top_k(raw: Prediction, item_ids: np.ndarray, k: int, temperature: float) -> Prediction:
    """`raw` re-ranked at the panel's k and temperature, from its full score vector.

    Same result as `models.base.top_k_prediction` but a partial sort: at 10k items this is the
    difference between ~1 ms and ~0.2 ms per model and click."""
    from shopdemo.models.base import Prediction, softmax

    scores = np.asarray(raw.scores)
    k = max(0, min(int(k), len(scores)))
    head = np.arange(len(scores))
    if (
        0 < k < len(scores)
    ):  # the k best; among ties at the cut the lowest indices, as a stable sort
        cut = np.partition(-scores, k - 1)[k - 1]
        above = np.flatnonzero(-scores < cut)
        head = np.concatenate([above, np.flatnonzero(-scores == cut)[: k - len(above)]])
    top = head[np.lexsort((head, -scores[head]))][:k]
    probs = softmax(scores, temperature)
    return Prediction(
        items=[int(item_ids[i]) for i in top],
        probs=[float(probs[i]) for i in top],
        scores=scores,
        unknown=list(raw.unknown),
        cold_start=raw.cold_start,
        extras=raw.extras,
    )


def score_of(click_ranks: Sequence[int | None], k: int) -> Score:
    reciprocal = [1.0 / r if r is not None and r <= k else 0.0 for r in click_ranks]
    return Score(
        targets=len(click_ranks),
        hits=sum(1 for r in click_ranks if r is not None and r <= k),
        mrr=float(np.mean(reciprocal)) if reciprocal else 0.0,
        last_rank=click_ranks[-1] if click_ranks else None,
    )


def describe_loss(meta: dict[str, Any], config: dict[str, Any]) -> str:
    loss = str(meta.get("loss") or config.get("loss") or "")
    return LOSS_NAMES.get(loss, loss)


def vocabulary_problem(model: NextItemModel, product_ids: set[int]) -> tuple[str, int]:
    """(problem or "", catalogue products the model does not know) for a loaded model."""
    known = {int(item) for item in model.item_ids}
    foreign = known - product_ids
    missing = len(product_ids - known)
    if foreign:
        return (
            f"trained for a different catalogue: {len(foreign)} of its {len(known)} items "
            f"are not in this shop (e.g. item {min(foreign)})",
            missing,
        )
    if missing > len(product_ids) / 2:
        return (f"knows only {len(known)} of the shop's {len(product_ids)} products", missing)
    return "", missing


class PredictionCache:
    """Thread-safe LRU of raw predictions by (slot key, generation, session prefix)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._entries: OrderedDict[tuple[str, int, tuple[int, ...]], Prediction] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, tuple[int, ...]]) -> Prediction | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: tuple[str, int, tuple[int, ...]], value: Prediction) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
