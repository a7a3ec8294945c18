"""Concept cards: short explanations filled with the numbers of the session on screen.

A definition is easier to believe next to this visitor's own padded tensor or update gates, so
each card is a fixed text (assets/concepts/cards.toml, Qt rich text) plus a live section computed
here from plain arrays. No Qt: the window shows the returned HTML, tests read it as a string, and
any missing piece (no clicks yet, the other model's column) gives a sentence instead of an error.
"""

from __future__ import annotations

import functools
import html
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from shopdemo.catalog import Catalog
from shopdemo.errors import ShopDemoError
from shopdemo.models.base import Prediction, softmax
from shopdemo.paths import assets_dir

NO_LIVE = "<p><i>Click a product to see live values from this session.</i></p>"
SHOWN_TOP = 20  # most rows a top-k table shows, whatever k is


@dataclass(frozen=True)
class Concept:
    key: str  # stable name the panel opens the card by, e.g. "update_gate"
    title: str
    text_template: str  # Qt rich text with one {live} placeholder for the session's values


@dataclass
class LiveValues:
    """The current session's numbers, as far as they exist; every field may be missing."""

    model: str = ""  # column the card was opened from: "gru4rec", "sasrec" or "" (neither)
    session_items: list[str] | None = None  # names of all clicks, oldest first (the timeline)
    session_departments: list[str] | None = None  # their departments, aligned with session_items
    read_items: list[str] | None = None  # names of the clicks the model read (unknown skipped)
    padded_input: np.ndarray | None = None  # (max_len,) SASRec tokens, item index + 1, 0 = padding
    attention: np.ndarray | None = None  # (layers, heads, L, L) SASRec weights, rows sum to 1
    update_gate: np.ndarray | None = None  # (layers, L, hidden) GRU4Rec z per click
    scores: np.ndarray | None = None  # (n_items,) raw scores of the current prediction
    item_labels: list[str] | None = None  # (n_items,) product names aligned with scores
    temperature: float = 1.0  # the panel's softmax temperature
    k: int = 10  # list length, also the cutoff of Recall@k and MRR@k
    click_ranks: list[int | None] | None = None  # per click from the 2nd: rank one click earlier

    def model_items(self) -> list[str] | None:
        return self.read_items if self.read_items is not None else self.session_items


def live_values(
    catalog: Catalog,
    session: Sequence[int],
    prediction: Prediction | None = None,
    item_ids: Sequence[int] | None = None,
    *,
    model: str = "",
    k: int = 10,
    temperature: float = 1.0,
    click_ranks: Sequence[int | None] | None = None,
) -> LiveValues:
    """LiveValues from what the panel already has: the clicks, one model's Prediction (its
    extras), the model's item ids (to name the scores) and the scoreboard's ranks."""

    products = {product.id: product for product in catalog.products}

    def name(item: int) -> str:
        product = products.get(int(item))
        return product.name if product is not None else f"item {int(item)}"

    unknown = set(prediction.unknown) if prediction is not None else set()
    extras = prediction.extras if prediction is not None else {}
    return LiveValues(
        model=model,
        session_items=[name(item) for item in session],
        session_departments=[
            products[item].department if item in products else "unknown" for item in session
        ],
        read_items=[name(item) for item in session if int(item) not in unknown],
        padded_input=extras.get("padded_input"),
        attention=extras.get("attention"),
        update_gate=extras.get("update_gate"),
        scores=prediction.scores if prediction is not None else None,
        item_labels=[name(item) for item in item_ids] if item_ids is not None else None,
        temperature=temperature,
        k=k,
        click_ranks=list(click_ranks) if click_ranks is not None else None,
    )


def _e(text: object) -> str:
    return html.escape(str(text), quote=False)


def _pct(share: float) -> str:
    percent = 100.0 * share
    if percent >= 1:
        return f"{percent:.1f}%"
    return f"{percent:.2g}%" if percent >= 0.001 else "below 0.001%"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f'<table cellspacing="4"><tr>{head}</tr>{body}</table>'


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def _n(count: int, word: str) -> str:
    """'1 click', '3 clicks'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _labels(names: list[str] | None, length: int) -> list[str]:
    """Names for the last `length` clicks the model read, or click numbers if unknown."""
    if names is not None and len(names) >= length:
        return names[len(names) - length :]
    return [f"click {i + 1}" for i in range(length)]


def _live_session(live: LiveValues) -> str:
    items = live.session_items
    if items is None:
        return NO_LIVE
    if not items:
        return _p("No clicks yet: both models see an empty session (cold start).")
    recent = " &rarr; ".join(_e(name) for name in items[-5:])
    text = _p(f"This session has {_n(len(items), 'click')}; the latest: {recent}.")
    if live.session_departments:
        counts = Counter(live.session_departments)
        spread = ", ".join(f"{_e(dep)} {count}" for dep, count in counts.items())
        text += _p(
            f"Departments: {spread}. The latest click is in "
            f"<b>{_e(live.session_departments[-1])}</b>."
        )
    return text + _p(
        "These clicks are all the models know about this visitor: no login and "
        "no history from earlier visits."
    )


def _top_rows(
    scores: np.ndarray, probs: np.ndarray, labels: list[str] | None, count: int
) -> list[list[object]]:
    order = np.argsort(-scores, kind="stable")[:count]
    return [
        [
            rank + 1,
            labels[i] if labels is not None else f"item #{i}",
            f"{float(scores[i]):.2f}",
            _pct(float(probs[i])),
        ]
        for rank, i in enumerate(order)
    ]


def _live_cold_start(live: LiveValues) -> str:
    if live.session_items is None:
        return NO_LIVE
    if live.session_items:
        return _p(
            f"This session has {_n(len(live.session_items), 'click')}, so it is past cold "
            "start; a new visitor (an empty session) shows the cold-start list again."
        )
    text = _p(
        "<b>Zero clicks</b>: the list on screen is the cold-start list, the same for "
        "every new visitor."
    )
    if live.scores is not None:
        scores = np.asarray(live.scores, dtype=np.float64)  # (n_items,)
        rows = _top_rows(scores, softmax(scores, live.temperature), live.item_labels, 5)
        text += _table(["rank", "product", "score", "probability"], rows)
    return text


def _tensor(tokens: np.ndarray) -> str:
    parts = [str(int(token)) for token in tokens]
    if len(parts) > 40:
        parts = parts[:3] + ["&hellip;"] + parts[-20:]
    return "<tt>[" + " ".join(parts) + "]</tt>"


def _live_padding(live: LiveValues) -> str:
    if live.padded_input is None:
        if live.update_gate is None and live.model != "gru4rec":
            return NO_LIVE
        clicks = live.update_gate.shape[1] if live.update_gate is not None else None
        read = f" It has read {_n(clicks, 'click')}, one at a time." if clicks is not None else ""
        return _p(
            "GRU4Rec needs no padding." + read + " Open this card from the SASRec column "
            "to see SASRec's padded input."
        )
    tokens = np.asarray(live.padded_input).astype(np.int64)  # (max_len,)
    real = int(np.count_nonzero(tokens))
    text = _p(f"SASRec's input now: {_tensor(tokens)}")
    if real == 0:
        return text + _p(
            f"All {len(tokens)} positions are padding: with zero clicks SASRec "
            "does not read this input and uses its learned empty-session state."
        )
    text += _p(
        f"<tt>max_len</tt> = {len(tokens)}: {_n(len(tokens) - real, 'position')} of padding "
        f"(0, no click) and {_n(real, 'click')}, the newest last."
    )
    names = live.model_items()
    if names is not None and len(names) > real:
        text += _p(f"The oldest {_n(len(names) - real, 'click')} no longer fit in the window.")
    shown = min(real, 5)
    rows = list(zip(tokens[-shown:].tolist(), _labels(names, real)[-shown:], strict=True))
    return text + _table(["token", "product (last clicks)"], rows)


def _live_softmax(live: LiveValues) -> str:
    if live.scores is None:
        return NO_LIVE
    scores = np.asarray(live.scores, dtype=np.float64)  # (n_items,)
    probs = softmax(scores, live.temperature)
    k = max(1, min(int(live.k), len(scores)))
    rows = _top_rows(scores, probs, live.item_labels, min(k, SHOWN_TOP))
    top_mass = float(np.sort(probs)[::-1][:k].sum())
    text = _p(f"Temperature T = {live.temperature:g}, over {len(scores)} products:")
    text += _table(["rank", "product", "score", "probability"], rows)
    text += _p(
        f"The top {k} together get {_pct(top_mass)}; the remaining "
        f"<b>{_pct(1.0 - top_mass)}</b> is spread over the other "
        f"{_n(len(scores) - k, 'product')}. A uniform guess "
        f"would give each product {_pct(1.0 / len(scores))}."
    )
    if live.temperature != 1.0:
        plain = float(softmax(scores, 1.0).max())
        text += _p(
            f"At T = 1 the top product would get {_pct(plain)} instead of "
            f"{_pct(float(probs.max()))}."
        )
    return text


def _direct_shares(gate: np.ndarray) -> np.ndarray:
    """(L,) mean over units of z_i * prod_{j>i} (1 - z_j): click i's weight in h now."""
    later = np.ones(gate.shape[1])  # (hidden,) product of (1 - z) after the current click
    shares = np.empty(gate.shape[0])
    for step in range(gate.shape[0] - 1, -1, -1):
        shares[step] = float(np.mean(gate[step] * later))
        later = later * (1.0 - gate[step])
    return shares


def _live_update_gate(live: LiveValues) -> str:
    gate = live.update_gate
    if gate is None:
        if live.model == "sasrec":
            return _p(
                "SASRec has no update gate (it keeps no state between clicks): open this "
                "card from the GRU4Rec column."
            )
        return NO_LIVE
    gate = np.asarray(gate, dtype=np.float64)  # (layers, L, hidden)
    layers, length, hidden = gate.shape
    if length == 0:
        return _p("No clicks yet, so no gate values: the state is still <tt>h_0 = 0</tt>.")
    means = gate.mean(axis=2)  # (layers, L)
    shares = _direct_shares(gate[-1])  # (L,)
    names = _labels(live.model_items(), length)
    header = (
        ["#", "click"]
        + [f"mean z{f' (layer {n + 1})' if layers > 1 else ''}" for n in range(layers)]
        + ["direct share now"]
    )
    rows = [
        [
            step + 1,
            names[step],
            *(f"{means[n, step]:.2f}" for n in range(layers)),
            _pct(float(shares[step])),
        ]
        for step in range(length)
    ]
    overwritten = int(np.count_nonzero(gate[-1, -1] > 0.5))
    strongest = int(np.argmax(means[-1]))
    text = _p(
        f"The latest click (<b>{_e(names[-1])}</b>): mean z = {means[-1, -1]:.2f}; "
        f"{overwritten} of {hidden} units have z &gt; 0.5 and mostly overwrite the past."
    )
    text += _table(header, rows)
    if length > 1:
        text += _p(
            f"The click that overwrote most: {_e(names[strongest])} (mean z "
            f"{means[-1, strongest]:.2f}). The first click's direct share is now "
            f"{_pct(float(shares[0]))}."
        )
    return text


def _attention_or_note(live: LiveValues) -> np.ndarray | str:
    if live.attention is None:
        if live.model == "gru4rec":
            return _p(
                "GRU4Rec has no attention: it reads each click once, into its state. "
                "Open this card from the SASRec column."
            )
        return NO_LIVE
    attention = np.asarray(live.attention, dtype=np.float64)  # (layers, heads, L, L)
    if attention.shape[-1] == 0:
        return _p(
            "No clicks yet: there is nothing to attend to, so SASRec shows its learned "
            "empty-session prediction."
        )
    return attention


def _live_self_attention(live: LiveValues) -> str:
    attention = _attention_or_note(live)
    if isinstance(attention, str):
        return attention
    layers, heads, length, _ = attention.shape
    names = _labels(live.model_items(), length)
    last_row = attention[-1, :, -1, :]  # (heads, L): what the prediction is built from
    mean_row = last_row.mean(axis=0)  # (L,)
    order = np.argsort(-mean_row, kind="stable")[:5]
    rows = [[names[i], _pct(float(mean_row[i]))] for i in order]
    text = _p(
        f"Last row of the last layer (layer {layers}), mean over {_n(heads, 'head')}; it sums "
        f"to {mean_row.sum():.2f}:"
    )
    text += _table(["click", "attention"], rows)
    per_head = "; ".join(
        f"head {h + 1} looks most at {_e(names[int(np.argmax(last_row[h]))])} "
        f"({_pct(float(last_row[h].max()))})"
        for h in range(heads)
    )
    return text + _p(per_head + ".")


def _live_causal_mask(live: LiveValues) -> str:
    attention = _attention_or_note(live)
    if isinstance(attention, str):
        return attention
    length = attention.shape[-1]
    above = np.triu(np.ones((length, length), dtype=bool), k=1)  # (L, L) the future
    leak = float(attention[..., above].max()) if above.any() else 0.0
    text = _p(
        f"This session's heatmap is {length} x {length}: {_n(int(above.sum()), 'cell')} above "
        f"the diagonal are masked, and the largest weight there, over all layers and "
        f"heads, is {leak:.3f}. The first click's row puts "
        f"{float(attention[-1, :, 0, 0].mean()):.2f} on itself."
    )
    if length <= 8:
        mean = attention[-1].mean(axis=0)  # (L, L) last layer, mean over heads
        names = _labels(live.model_items(), length)
        rows = [
            [f"{r + 1} {names[r][:24].rstrip()}"]
            + ["\u2013" if c > r else f"{mean[r, c]:.2f}" for c in range(length)]
            for r in range(length)
        ]
        header = ["row looks at \u2192"] + [str(c + 1) for c in range(length)]
        text += _p("Last layer, mean over heads (\u2013 = masked):")
        text += _table(header, rows)
    return text


def _live_recall_mrr(live: LiveValues) -> str:
    ranks = live.click_ranks
    if ranks is None:
        return NO_LIVE
    if not ranks:
        return _p("No scored clicks yet: scoring starts with the second click.")
    k = int(live.k)
    names = live.session_items[1:] if live.session_items is not None else None
    labels = (
        names
        if names is not None and len(names) == len(ranks)
        else [f"click {i + 2}" for i in range(len(ranks))]
    )
    terms = [1.0 / rank if rank is not None and rank <= k else 0.0 for rank in ranks]
    hits = [term > 0 for term in terms]
    rows = [
        [
            i + 2,
            labels[i],
            "unknown" if rank is None else rank,
            "yes" if term else "no",
            f"{term:.3g}",
        ]
        for i, (rank, term) in enumerate(zip(ranks, terms, strict=True))
    ]
    text = _table(["click", "product", "rank before", f"in top {k}", "1/rank"], rows)
    n, recall, mrr = len(ranks), sum(hits) / len(ranks), sum(terms) / len(ranks)
    sum_text = " + ".join(f"{term:.3g}" for term in terms) if n <= 10 else "sum"
    return text + _p(
        f"<b>Recall@{k}</b> = {sum(hits)}/{n} = {recall:.3f}; "
        f"<b>MRR@{k}</b> = ({sum_text}) / {n} = {mrr:.3f}."
    )


LIVE: dict[str, Callable[[LiveValues], str]] = {
    "session_vs_profile": _live_session,
    "cold_start": _live_cold_start,
    "padding": _live_padding,
    "softmax": _live_softmax,
    "update_gate": _live_update_gate,
    "self_attention": _live_self_attention,
    "causal_mask": _live_causal_mask,
    "recall_mrr": _live_recall_mrr,
}


@functools.cache
def concepts() -> dict[str, Concept]:
    """The shipped cards by key, in the file's order; checked against the live renderers."""
    path = assets_dir() / "concepts" / "cards.toml"
    try:
        cards = tomllib.loads(path.read_text(encoding="utf-8"))["card"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise ShopDemoError(f"{path}: cannot read the concept cards ({exc})") from None
    found = {
        card["key"]: Concept(card["key"], card["title"], card["text"].strip()) for card in cards
    }
    if set(found) != set(LIVE):
        raise ShopDemoError(f"{path}: cards {sorted(found)} do not match {sorted(LIVE)}")
    for concept in found.values():
        if concept.text_template.count("{live}") != 1:
            raise ShopDemoError(f"{path}: card {concept.key!r} needs exactly one {{live}}")
    return found


def render_concept(key: str, live: LiveValues | None = None) -> str:
    """The card `key` as Qt rich text, its live section filled from `live` (or a hint)."""
    cards = concepts()
    if key not in cards:
        raise ShopDemoError(f"unknown concept {key!r} (known: {', '.join(cards)})")
    concept = cards[key]
    section = LIVE[key](live if live is not None else LiveValues())
    body = concept.text_template.replace("{live}", "<p><b>In this session</b></p>" + section)
    return f"<p><b>{_e(concept.title)}</b></p>\n{body}"
