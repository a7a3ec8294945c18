"""Synthetic shoppers: seeded click sessions on the ShopDemo catalogue that look like real logs.

Why: the models need a training log whose structure we know, so a teacher can say where the data
comes from and what a sequence model should pick up. The generative model, per session:

1. **Length** L ~ round(log-normal), clipped to [min_length, max_length]: most sessions have
   2-4 clicks, a few run past 20 (rsc15 after its usual filtering looks the same).
2. **Mission**: a department drawn from `department_mix`, then a starting sub-category: the
   head of one of its funnels (drills, phones, grills...) with `funnel_start_prob`, otherwise
   Zipf over the department's sub-categories in catalog.toml order.
3. **Clicks**: each next click (a) steps along the funnel (drill -> drill bits -> safety
   glasses) with `funnel_prob` when the current sub-category has a successor, else (b) drifts to
   another sub-category of the department, (c) revisits an earlier item of the mission, or
   (d) browses another item of the same sub-category. Items are drawn with Zipf popularity
   1/rank^item_zipf inside their sub-category; the ranking is fixed per sub-category (the
   shop's bestsellers do not depend on the seed). Never the same item twice in a row.
4. **Context switch**: a session of 4+ clicks changes mission once with `switch_prob`, at a
   uniform point leaving 2+ clicks on each side, and never goes back. A `gift_share` of the
   switches is the course's story, Power Tools -> Baby Clothing; the others go between two
   departments drawn from the mix. So recent clicks predict the next one better than old ones.
5. **Time**: sessions start `mean_arrival_gap_s` apart on average (exponential) from a fixed
   epoch; clicks are a log-normal think time apart, in whole seconds.

One `random.Random(seed)` drives everything, so a seed gives byte-identical output.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shopdemo.catalog import Catalog
from shopdemo.data.events import SessionLog
from shopdemo.errors import ShopDemoError


@dataclass(frozen=True)
class SimulatorConfig:
    """The knobs of the generative model (module docstring); defaults give the shipped data."""

    start_epoch: int = 1_704_067_200  # 2024-01-01 00:00 UTC: a fixed start keeps output identical
    mean_arrival_gap_s: float = 30.0  # mean seconds between two sessions' first clicks
    length_median: float = 3.6  # median session length in clicks (log-normal)
    length_sigma: float = 0.85  # log-normal spread of the length: larger gives a longer tail
    min_length: int = 2  # 1-click sessions are dropped in rsc15 preprocessing, so never made
    max_length: int = 60  # the longest session
    think_time_median_s: float = 35.0  # median seconds between two clicks (log-normal)
    think_time_sigma: float = 1.0  # spread of the think time
    max_think_time_s: int = 1_500  # longer pauses would end the session (30-minute rule)
    department_mix: tuple[tuple[str, float], ...] = (  # relative weight of a first mission
        ("Groceries", 14.0),
        ("Electronics", 12.0),
        ("Fashion", 10.0),
        ("Power Tools", 10.0),
        ("Baby Clothing", 8.0),
        ("Home", 7.0),
        ("Kitchen", 7.0),
        ("Toys", 6.0),
        ("Sports", 6.0),
        ("Garden", 5.0),
        ("Beauty", 5.0),
        ("Books", 4.0),
        ("Pet", 4.0),
        ("Office", 2.0),
    )
    subcategory_zipf: float = 0.8  # sub-category popularity 1/rank^s, rank = catalog.toml order
    item_zipf: float = 1.1  # item popularity 1/rank^s inside a sub-category (long tail)
    funnel_start_prob: float = 0.45  # a mission starts at a funnel head (drills, phones...)
    funnel_prob: float = 0.5  # per click: step to the funnel's next sub-category, if there is one
    drift_prob: float = 0.1  # otherwise: wander to another sub-category of the department
    revisit_prob: float = 0.08  # otherwise: click an earlier item of this mission again
    switch_prob: float = 0.35  # a session of 4+ clicks switches mission once, mid-way
    gift_share: float = 0.35  # share of switches that are the story's Power Tools -> Baby Clothing
    gift_from: str = "Power Tools"  # the shopper's usual department
    gift_to: str = "Baby Clothing"  # the gift they are shopping for
    switch_share_range: tuple[float, float] = (0.13, 0.24)  # expected share of switching sessions
    funnel_share_range: tuple[float, float] = (0.15, 0.30)  # expected share of funnel transitions


class _Shop:
    """The catalogue as the sampler needs it: cumulative Zipf weights for fast draws."""

    def __init__(self, catalog: Catalog, config: SimulatorConfig) -> None:
        self.items: dict[str, list[int]] = {}  # sub-category -> item ids, most popular first
        self.item_weights: dict[str, list[float]] = {}  # cumulative Zipf weights of those
        for department in catalog.departments:
            for name in department.subcategories:
                ids = [product.id for product in catalog.in_department(department.name, name)]
                random.Random(f"popularity/{name}").shuffle(ids)
                self.items[name] = ids
                self.item_weights[name] = _zipf(len(ids), config.item_zipf)
        self.subcategories = {d.name: list(d.subcategories) for d in catalog.departments}
        self.sub_weights = {
            d.name: _zipf(len(d.subcategories), config.subcategory_zipf)
            for d in catalog.departments
        }
        self.heads: dict[str, list[str]] = {d.name: [] for d in catalog.departments}
        self.successor: dict[str, str] = {}
        owner = {sub: d.name for d in catalog.departments for sub in d.subcategories}
        for chain in catalog.funnels:
            if chain[0] not in self.heads[owner[chain[0]]]:
                self.heads[owner[chain[0]]].append(chain[0])
            self.successor.update(itertools.pairwise(chain))
        self.subcategory_of = {p.id: p.subcategory for p in catalog.products}
        known = set(self.subcategories)
        mix = [(name, weight) for name, weight in config.department_mix if weight > 0]
        for name in [name for name, _ in mix] + [config.gift_from, config.gift_to]:
            if name not in known:
                raise ShopDemoError(f"simulator config: unknown department {name!r}")
        self.departments = [name for name, _ in mix]
        self.department_weights = list(itertools.accumulate(weight for _, weight in mix))


def _zipf(count: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / rank**exponent for rank in range(1, count + 1)))


class _Shopper:
    """One session's walk through the shop; every draw comes from the shared `rng`."""

    def __init__(self, shop: _Shop, config: SimulatorConfig, rng: random.Random) -> None:
        self.shop, self.config, self.rng = shop, config, rng

    def _draw(self, values: list, cumulative: list[float]):  # noqa: ANN202
        return values[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def department(self, exclude: str | None = None) -> str:
        while True:
            name = self._draw(self.shop.departments, self.shop.department_weights)
            if name != exclude:
                return name

    def start(self, department: str) -> str:
        heads = self.shop.heads[department]
        if heads and self.rng.random() < self.config.funnel_start_prob:
            return heads[int(self.rng.random() * len(heads))]
        return self._draw(self.shop.subcategories[department], self.shop.sub_weights[department])

    def item(self, subcategory: str, avoid: int) -> int:
        items, weights = self.shop.items[subcategory], self.shop.item_weights[subcategory]
        while True:
            item = self._draw(items, weights)
            if item != avoid:
                return item

    def session(self, length: int) -> list[int]:
        config, rng, shop = self.config, self.rng, self.shop
        switch_at = 0
        if length >= 4 and rng.random() < config.switch_prob:
            switch_at = rng.randint(2, length - 2)
            if rng.random() < config.gift_share:
                department, second = config.gift_from, config.gift_to
            else:
                department = self.department()
                second = self.department(exclude=department)
        else:
            department = self.department()
        subcategory = self.start(department)
        clicks = [self.item(subcategory, avoid=0)]
        mission_start = 0
        for position in range(1, length):
            last = clicks[-1]
            successor = shop.successor.get(subcategory)
            if position == switch_at:
                department, mission_start = second, position
                subcategory = self.start(department)
            elif successor and rng.random() < config.funnel_prob:
                subcategory = successor
            else:
                draw = rng.random()
                earlier = [item for item in clicks[mission_start:-1] if item != last]
                if draw < config.drift_prob:
                    subcategory = self._drift(department, subcategory, successor)
                elif draw < config.drift_prob + config.revisit_prob and earlier:
                    clicks.append(earlier[int(rng.random() * len(earlier))])
                    subcategory = shop.subcategory_of[clicks[-1]]
                    continue
            clicks.append(self.item(subcategory, avoid=last))
        return clicks

    def _drift(self, department: str, current: str, successor: str | None) -> str:
        names, weights = self.shop.subcategories[department], self.shop.sub_weights[department]
        if len(set(names) - {current, successor}) == 0:
            return current
        while True:
            name = self._draw(names, weights)
            if name not in (current, successor):
                return name


def simulate(
    catalog: Catalog,
    sessions: int,
    seed: int,
    config: SimulatorConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> SessionLog:
    """`sessions` synthetic sessions (ids 1..N, time-ordered) as one SessionLog.

    `progress(done)` is called every 1,000 sessions and at the end, for a progress bar.
    """
    config = config or SimulatorConfig()
    if sessions < 1:
        raise ShopDemoError(f"number of sessions must be at least 1, got {sessions}")
    rng = random.Random(seed)
    shopper = _Shopper(_Shop(catalog, config), config, rng)
    log_median = math.log(config.length_median)
    log_think = math.log(config.think_time_median_s)
    session_ids: list[int] = []
    item_ids: list[int] = []
    times: list[int] = []
    clock = config.start_epoch
    for session in range(1, sessions + 1):
        length = round(rng.lognormvariate(log_median, config.length_sigma))
        length = min(max(length, config.min_length), config.max_length)
        clicks = shopper.session(length)
        clock += round(rng.expovariate(1.0 / config.mean_arrival_gap_s))
        times.append(clock)
        moment = clock
        for _ in clicks[1:]:
            gap = round(rng.lognormvariate(log_think, config.think_time_sigma))
            moment += min(max(gap, 1), config.max_think_time_s)
            times.append(moment)
        session_ids.extend([session] * len(clicks))
        item_ids.extend(clicks)
        if progress is not None and (session % 1000 == 0 or session == sessions):
            progress(session)
    return SessionLog(
        np.asarray(session_ids, dtype=np.int64),
        np.asarray(item_ids, dtype=np.int64),
        np.asarray(times, dtype=np.float64),
    )


LENGTH_BUCKETS = ((2, 2), (3, 3), (4, 4), (5, 5), (6, 10), (11, 20), (21, 10**9))


@dataclass(frozen=True)
class SimulationStats:
    """What `simulate --stats` reports; computed from the log alone, so any TSV can be checked."""

    sessions: int
    clicks: int
    length_histogram: dict[str, int]  # bucket label ("2", "6-10", "21+") -> sessions
    department_mix: dict[str, float]  # department -> share of clicks, largest first
    switch_share: float  # sessions whose clicks span two or more departments
    gift_share: float  # sessions that start in gift_from and end in gift_to
    funnel_share: float  # consecutive clicks that step along a funnel (drill -> drill bits)
    repeats: int  # consecutive duplicate clicks (the simulator makes none)


def session_stats(log: SessionLog, catalog: Catalog, config: SimulatorConfig) -> SimulationStats:
    """Length histogram, department mix, switch, gift and funnel shares of a click log."""
    sub_names = [sub for department in catalog.departments for sub in department.subcategories]
    sub_index = {name: index for index, name in enumerate(sub_names)}
    dept_names = [department.name for department in catalog.departments]
    dept_index = {name: index for index, name in enumerate(dept_names)}
    size = max(product.id for product in catalog.products) + 1
    item_sub = np.full(size, -1, dtype=np.int64)  # (max id + 1,) sub-category index per item
    item_dept = np.full(size, -1, dtype=np.int64)  # (max id + 1,) department index per item
    for product in catalog.products:
        item_sub[product.id] = sub_index[product.subcategory]
        item_dept[product.id] = dept_index[product.department]
    successor = np.full(len(sub_names), -2, dtype=np.int64)  # -2: no successor, never matches
    for chain in catalog.funnels:
        for before, after in itertools.pairwise(chain):
            successor[sub_index[before]] = sub_index[after]
    if len(log) and (log.item_ids.min() < 1 or log.item_ids.max() >= size):
        raise ShopDemoError("the log has item ids that are not in the catalogue")

    offsets = log.offsets
    lengths = np.diff(offsets)  # (sessions,)
    histogram = {
        (f"{low}" if low == high else f"{low}+" if high > 10**6 else f"{low}-{high}"): int(
            ((lengths >= low) & (lengths <= high)).sum()
        )
        for low, high in LENGTH_BUCKETS
    }
    depts = item_dept[log.item_ids]  # (events,)
    subs = item_sub[log.item_ids]  # (events,)
    counts = np.bincount(depts, minlength=len(dept_names))
    mix = {dept_names[i]: counts[i] / max(len(log), 1) for i in np.argsort(-counts, kind="stable")}

    same = log.session_ids[1:] == log.session_ids[:-1]  # (events - 1,) pair inside a session
    funnel_steps = same & (successor[subs[:-1]] == subs[1:])
    changes = same & (depts[1:] != depts[:-1])
    session_of_pair = np.cumsum(~same)  # (events - 1,) session index of each pair
    switching = np.zeros(log.n_sessions, dtype=bool)
    switching[session_of_pair[changes]] = True
    first, last = depts[offsets[:-1]], depts[offsets[1:] - 1]
    gift = (
        switching & (first == dept_index[config.gift_from]) & (last == dept_index[config.gift_to])
    )
    repeats = same & (log.item_ids[1:] == log.item_ids[:-1])
    return SimulationStats(
        sessions=log.n_sessions,
        clicks=len(log),
        length_histogram=histogram,
        department_mix=mix,
        switch_share=float(switching.mean()) if log.n_sessions else 0.0,
        gift_share=float(gift.mean()) if log.n_sessions else 0.0,
        funnel_share=float(funnel_steps.sum() / max(same.sum(), 1)),
        repeats=int(repeats.sum()),
    )


def format_stats(stats: SimulationStats, config: SimulatorConfig) -> str:
    """The `--stats` report: plain text, one fact per line, ranges next to the measured shares."""
    lines = [
        f"sessions            {stats.sessions}",
        f"clicks              {stats.clicks}",
        f"mean length         {stats.clicks / max(stats.sessions, 1):.2f}",
        "session length      sessions  share",
    ]
    for label, count in stats.length_histogram.items():
        share = count / max(stats.sessions, 1)
        lines.append(f"  {label:>5} clicks     {count:8d}  {share:5.1%}  {'#' * round(share * 50)}")
    lines.append("department mix      share of clicks")
    for name, share in stats.department_mix.items():
        lines.append(f"  {name:<16}  {share:6.1%}")
    low, high = config.switch_share_range
    lines.append(f"switch rate         {stats.switch_share:.3f}  (configured {low:.2f}-{high:.2f})")
    lines.append(
        f"gift switches       {stats.gift_share:.3f}  ({config.gift_from} -> {config.gift_to})"
    )
    low, high = config.funnel_share_range
    lines.append(f"funnel share        {stats.funnel_share:.3f}  (configured {low:.2f}-{high:.2f})")
    lines.append(f"repeated clicks     {stats.repeats}")
    return "\n".join(lines)
