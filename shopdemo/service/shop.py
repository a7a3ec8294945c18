"""`ShopService`: one visitor's session, logged to the store, and every model's view of it.

The window calls only this: it logs what the visitor does (never SQL), asks every model for the
next click and keeps the bookkeeping a side-by-side comparison needs. `predict` is safe to call
from one worker thread while the GUI thread logs clicks.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shopdemo.service.panel import (
    MAIN_MODELS,
    TITLES,
    ModelSlot,
    ModelView,
    PanelState,
    PredictionCache,
    describe_loss,
    rank_of,
    score_of,
    top_k,
    vocabulary_problem,
)

if TYPE_CHECKING:
    from shopdemo.models.base import ItemIndex, NextItemModel, Prediction

log = logging.getLogger(__name__)

SHOWN_SESSIONS = 4  # sessions whose logged impressions are remembered (to log each list once)


class ShopService:
    """A visitor's session, logged to the store, and every model's view of it."""

    def __init__(
        self,
        catalog: Any,
        store: Any,
        slots: Sequence[ModelSlot] = (),
        models_dir: Path | None = None,
        origin: str = "live",
        fresh_session: bool = False,
    ) -> None:
        self.catalog = catalog
        self.origin = origin  # the store's session origin: live, or replay for snapshots
        self.store = store
        self.models_dir = models_dir  # where checkpoints trained in the app are written
        self.slots: dict[str, ModelSlot] = {slot.key: slot for slot in slots}
        self.baseline: ModelSlot | None = None  # the optional third column
        self._product_ids = {int(p.id) for p in catalog.products}
        self._indexes: dict[tuple[str, int], ItemIndex] = {}
        self._cache = PredictionCache()
        self._clicks: list[int] = []
        self._sources: list[str] = []  # how each click was made (browse, search, rec_<model>)
        self._cart: list[int] = []
        self._events = 0  # events logged in this session (all kinds): impressions' position
        # (position, model) of the impressions already logged, for the last few sessions only:
        # one marker per click and model for ever would grow without bound in a long lesson.
        self._shown: OrderedDict[int, set[tuple[int, str]]] = OrderedDict()
        info = (
            store.new_visitor(origin=origin)
            if fresh_session
            else store.current_session(origin=origin)
        )
        self._session_number, self._events = int(info.number), int(info.event_count)

    # -- the visitor ----------------------------------------------------------------------
    @property
    def session_number(self) -> int:
        return self._session_number

    @property
    def clicks(self) -> tuple[int, ...]:
        return tuple(self._clicks)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(self._sources)

    @property
    def cart(self) -> tuple[int, ...]:
        return tuple(self._cart)

    @property
    def events_logged(self) -> int:
        return self._events

    def resume(self) -> tuple[int, ...]:
        """Pick up the clicks the current live session already has (the app was closed)."""
        _, events = self.store.load_session(self._session_number)
        clicks = [e for e in events if e.kind == "click" and int(e.item_id) in self._product_ids]
        self._clicks = [int(e.item_id) for e in clicks]
        self._sources = [e.source for e in clicks]
        self._cart = [int(e.item_id) for e in events if e.kind == "add_to_cart"]
        self._events = len(events)
        return self.clicks

    def record_click(self, item_id: int, source: str = "browse") -> tuple[int, ...]:
        """Log a product click (opening its page) and return the session so far."""
        self.store.log_event(self._session_number, int(item_id), kind="click", source=source)
        self._clicks.append(int(item_id))
        self._sources.append(source)
        self._events += 1
        return self.clicks

    def record_cart(self, item_id: int, source: str = "browse") -> tuple[int, ...]:
        """Log an add-to-cart; it is not a click, so predictions do not change."""
        self.store.log_event(self._session_number, int(item_id), kind="add_to_cart", source=source)
        self._cart.append(int(item_id))
        self._events += 1
        return self.cart

    def new_visitor(self) -> int:
        """Start a fresh anonymous session; returns its number."""
        self._session_number = int(self.store.new_visitor(origin=self.origin).number)
        self._clicks, self._sources, self._cart, self._events = [], [], [], 0
        self._cache.clear()
        return self._session_number

    # -- the models -----------------------------------------------------------------------
    def columns(self) -> list[ModelSlot]:
        """Slots in panel order: the two main models, then the baseline if one is chosen."""
        return list(self.slots.values()) + ([self.baseline] if self.baseline else [])

    def install(
        self,
        key: str,
        model: NextItemModel | None,
        origin: str = "",
        loss: str = "",
        problem: str = "",
    ) -> ModelSlot:
        """Put a (new) model into a column; called on the GUI thread between predictions."""
        slot = self.baseline if self.baseline and self.baseline.key == key else self.slots.get(key)
        if slot is None:
            slot = ModelSlot(key, TITLES.get(key, key))
            self.slots[key] = slot
        if model is not None:
            vocab_problem, missing = vocabulary_problem(model, self._product_ids)
            problem = problem or vocab_problem
            slot.unknown_products = missing
            if vocab_problem:
                model = None
        slot.model, slot.problem, slot.origin, slot.loss = model, problem, origin, loss
        slot.generation += 1
        return slot

    def set_baseline(self, key: str | None) -> ModelSlot | None:
        """Choose the third column (None: off). Its model is fitted separately (`fit_baseline`)."""
        self.baseline = ModelSlot(key, TITLES.get(key, key), problem="fitting…") if key else None
        return self.baseline

    def predict(
        self,
        session: Sequence[int],
        k: int = 10,
        temperature: float = 1.0,
        session_number: int | None = None,
        position: int = 0,
    ) -> PanelState:
        """Every available model's view of `session`; safe to call from one worker thread."""
        session = tuple(int(item) for item in session)
        state = PanelState(
            session=session,
            k=int(k),
            temperature=float(temperature),
            session_number=session_number,
            position=int(position),
        )
        for slot in self.columns():
            model = slot.model
            if model is None:
                continue
            current = self._raw(slot, model, session)
            shown = top_k(current, model.item_ids, k, temperature)
            index = self._index(slot, model)
            previous_ranks: dict[int, int] = {}
            if session:
                before = self._raw(slot, model, session[:-1])
                previous_ranks = {
                    item: rank_of(before.scores, index.index_of(item)) for item in shown.items
                }
            click_ranks = [
                self._click_rank(slot, model, index, session, position)
                for position in range(1, len(session))
            ]
            ranked = -np.sort(-np.asarray(current.scores, dtype=np.float64))  # (n_items,)
            state.views[slot.key] = ModelView(
                slot.key, shown, previous_ranks, click_ranks, score_of(click_ranks, k), ranked
            )
        main = [set(state.views[key].prediction.items) for key in MAIN_MODELS if key in state.views]
        if len(main) == 2:
            state.shared = frozenset(main[0] & main[1])
        return state

    def _raw(self, slot: ModelSlot, model: NextItemModel, prefix: tuple[int, ...]) -> Prediction:
        key = (slot.key, slot.generation, prefix)
        cached = self._cache.get(key)
        if cached is None:
            cached = model.predict(list(prefix), k=1)
            self._cache.put(key, cached)
        return cached

    def _index(self, slot: ModelSlot, model: NextItemModel) -> ItemIndex:
        from shopdemo.models.base import ItemIndex

        key = (slot.key, slot.generation)
        if key not in self._indexes:
            self._indexes[key] = ItemIndex(model.item_ids)
        return self._indexes[key]

    def _click_rank(
        self,
        slot: ModelSlot,
        model: NextItemModel,
        index: ItemIndex,
        session: tuple[int, ...],
        position: int,
    ) -> int | None:
        item = session[position]
        if item not in index:
            return None
        before = self._raw(slot, model, session[:position])
        return rank_of(before.scores, index.index_of(item))

    def log_shown(self, state: PanelState) -> None:
        """Record each list the panel shows as an impression (once per model and position)."""
        if state.session_number is None:
            return
        logged = self._shown.get(state.session_number)
        if logged is None:
            logged = self._shown[state.session_number] = set()
            while len(self._shown) > SHOWN_SESSIONS:  # a late list of an older session is rare
                self._shown.popitem(last=False)
        for key, view in state.views.items():
            marker = (state.position, key)
            if marker in logged:
                continue
            logged.add(marker)
            self.store.log_impressions(
                state.session_number,
                state.position,
                key,
                view.prediction.items,
                view.prediction.probs,
            )

    def close(self) -> None:
        self.store.close()

    # -- opening and (re)training ---------------------------------------------------------
    @classmethod
    def open(
        cls,
        db_url: str | None = None,
        models_dir: str | Path | None = None,
        catalog: Any = None,
        load_models: bool = True,
        origin: str = "live",
        fresh_session: bool = False,
    ) -> ShopService:
        """The shipped catalogue, the store at `db_url` (default: the user's), and the
        checkpoints (unless `load_models` is False: the window then loads them in a worker)."""
        from shopdemo.catalog import load_catalog
        from shopdemo.store import SessionStore

        catalog = catalog if catalog is not None else load_catalog()
        store = SessionStore(db_url)
        slots = [ModelSlot(key, TITLES[key], problem="loading…") for key in MAIN_MODELS]
        service = cls(
            catalog, store, slots, Path(models_dir) if models_dir else None, origin, fresh_session
        )
        if load_models:
            for key in MAIN_MODELS:
                service.install(key, *service.find_checkpoint(key))
        return service

    def checkpoint_paths(self, key: str) -> list[Path]:
        """Where a model is looked for: --models DIR, else one trained (and accepted) in the app,
        then the shipped one: a teacher's retrained model must survive a restart."""
        if self.models_dir is not None:
            return [self.models_dir / f"{key}.pt"]
        from shopdemo.paths import assets_dir

        return [self.trained_dir() / f"{key}.pt", assets_dir() / "models" / f"{key}.pt"]

    def trained_dir(self) -> Path:
        """Where models trained in the app are written (never into the installed assets)."""
        if self.models_dir is not None:
            return self.models_dir
        from shopdemo.paths import data_dir

        return data_dir() / "models"

    def find_checkpoint(self, key: str) -> tuple[NextItemModel | None, str, str, str]:
        """(model, origin, loss name, problem) from the first checkpoint that fits the shop.

        Safe on a worker thread: it only reads files."""
        import torch

        from shopdemo.errors import ShopDemoError
        from shopdemo.models import load_model

        torch.set_num_threads(1)  # DESIGN.md: inference runs on one torch thread
        problems = []
        for path in self.checkpoint_paths(key):
            if not path.is_file():
                continue
            try:
                model = load_model(path)
            except ShopDemoError as exc:
                problems.append(str(exc))
                continue
            problem, _ = vocabulary_problem(model, self._product_ids)
            if problem:
                problems.append(f"{path}: {problem}")
                continue
            config = getattr(model, "config", None)
            loss = describe_loss(
                getattr(model, "meta", {}) or {}, {"loss": getattr(config, "loss", "")}
            )
            return model, str(path), loss, ""
        if not problems:
            problems.append(f"no checkpoint at {self.checkpoint_paths(key)[-1]}")
        return None, "", "", problems[0]
