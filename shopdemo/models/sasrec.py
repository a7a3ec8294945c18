"""SASRec: self-attentive sequential recommendation (Kang & McAuley, ICDM 2018).

A causal Transformer reads the session's clicks and scores every item against the same embeddings
it reads them with. Full softmax cross-entropy by default (Klenitskiy & Vasilev, RecSys 2023), so
the panel's softmax is a real distribution; the paper's sampled-negative BCE is an option.
Attention is written out, not fused, so the panel can show it, and a key-padding mask gives
padding exactly zero weight (popular ports leak attention onto padding).

Two additions to the paper, both learned: a repeat bias (a score offset for the item clicked k
clicks ago: with shared embeddings a click's state stays close to its own embedding, so plain
SASRec ranked the click just made first two times in three on rsc15, where a click never repeats
at once), and an empty-session state for cold start, fitted to sessions' first clicks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from shopdemo.models.base import ItemIndex, Prediction, top_k_prediction
from shopdemo.models.scoring import scoring

if TYPE_CHECKING:
    from shopdemo.data import SessionLog
    from shopdemo.models.sasrec_training import SASRecTask

LOSSES = ("ce", "bce")
SCORE_CHUNK = 512  # prefixes scored per forward pass in `score_next`


@dataclass
class SASRecConfig:
    """Hyper-parameters; defaults suit the simulated store (short sessions, ~1,200 items)."""

    max_len: int = 20  # clicks the model reads; older ones are dropped
    hidden: int = 64  # width of embeddings and blocks
    layers: int = 2  # self-attention blocks
    heads: int = 2  # attention heads per block (must divide hidden)
    dropout: float = 0.1  # on embeddings, attention weights and residual branches
    loss: str = "ce"  # "ce": full softmax cross-entropy; "bce": sampled negatives (paper)
    negatives: int = 1  # negatives per position for "bce", drawn uniformly over items
    lr: float = 3e-3  # Adam learning rate
    lr_decay: float = 1.0  # the learning rate is multiplied by this after every epoch
    weight_decay: float = 0.0  # Adam L2 penalty
    batch_size: int = 128  # training windows per mini-batch
    epochs: int = 10  # passes over the training windows
    patience: int = 3  # epochs without validation gain before early stopping
    windows: str = "all"  # "all": every target once; "last": each sequence's last max_len (paper)
    repeat_bias: bool = True  # learn a score offset for the item clicked k clicks ago

    def __post_init__(self) -> None:
        if self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} is not divisible by heads={self.heads}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        if self.windows not in ("all", "last"):
            raise ValueError(f"windows must be 'all' or 'last', got {self.windows!r}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"lr_decay must be in (0, 1], got {self.lr_decay}")
        if self.max_len < 1:
            raise ValueError(f"max_len must be positive, got {self.max_len}")


Config = SASRecConfig


class CausalSelfAttention(nn.Module):
    """Multi-head attention where a click sees itself and earlier real clicks, never padding."""

    def __init__(self, config: SASRecConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.query_key_value = nn.Linear(config.hidden, 3 * config.hidden)
        self.projection = nn.Linear(config.hidden, config.hidden)
        self.weight_dropout = nn.Dropout(config.dropout)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, seq, hidden) -> (batch, heads, seq, head_dim)."""
        batch, seq_len, hidden = x.shape
        return x.view(batch, seq_len, self.heads, hidden // self.heads).transpose(1, 2)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """`allowed` (batch, 1, seq, seq): query i may attend to key j. Returns output, weights."""
        batch, seq_len, hidden = x.shape
        query, key, value = map(self._split_heads, self.query_key_value(x).split(hidden, dim=2))
        scale = math.sqrt(hidden // self.heads)
        logits = query @ key.transpose(-2, -1) / scale  # (batch, heads, seq, seq)
        # A finite minimum, not -inf: a query with no allowed key (padding) must not become NaN.
        logits = logits.masked_fill(~allowed, torch.finfo(logits.dtype).min)
        # (batch, heads, seq, seq); re-zeroed so padding gets exactly 0, even in an empty row
        weights = torch.softmax(logits, dim=-1).masked_fill(~allowed, 0.0)
        mixed = self.weight_dropout(weights) @ value  # (batch, heads, seq, head_dim)
        mixed = mixed.transpose(1, 2).reshape(batch, seq_len, hidden)  # (batch, seq, hidden)
        return self.projection(mixed), weights


class FeedForward(nn.Module):
    """The paper's point-wise two-layer network, applied to each position alone."""

    def __init__(self, config: SASRecConfig) -> None:
        super().__init__()
        self.expand = nn.Linear(config.hidden, config.hidden)
        self.contract = nn.Linear(config.hidden, config.hidden)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.contract(self.dropout(functional.relu(self.expand(x))))  # (batch, seq, hidden)


class Block(nn.Module):
    """x + Dropout(g(LayerNorm(x))) around attention, then around the feed-forward (paper eq. 4)."""

    def __init__(self, config: SASRecConfig) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(config.hidden)
        self.attention = CausalSelfAttention(config)
        self.feed_forward_norm = nn.LayerNorm(config.hidden)
        self.feed_forward = FeedForward(config)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        attended, weights = self.attention(self.attention_norm(x), allowed)
        x = x + self.dropout(attended)  # (batch, seq, hidden)
        x = x + self.dropout(self.feed_forward(self.feed_forward_norm(x)))  # (batch, seq, hidden)
        return x, weights


class SASRec(nn.Module):
    """Item tokens (internal index + 1; 0 is padding) -> one state per position -> item scores."""

    def __init__(self, config: SASRecConfig, n_items: int) -> None:
        super().__init__()
        self.config = config
        self.n_items = n_items
        self.item_embedding = nn.Embedding(n_items + 1, config.hidden, padding_idx=0)
        # Positions count from the oldest click in the window (1, 2, ...; 0 = padding), so a
        # prefix scores the same alone as inside a longer session: training matches inference.
        self.position_embedding = nn.Embedding(config.max_len + 1, config.hidden, padding_idx=0)
        self.embedding_dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.final_norm = nn.LayerNorm(config.hidden)
        # The state of an empty session (cold start), learned from the sessions' first clicks.
        self.empty_state = nn.Parameter(torch.zeros(config.hidden))
        # repeat_bias[k]: added to the score of the item clicked k clicks ago (k = 0: the last).
        self.repeat_bias = nn.Parameter(torch.zeros(config.max_len)) if config.repeat_bias else None
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
            with torch.no_grad():
                module.weight[module.padding_idx].zero_()

    def forward(
        self, tokens: torch.Tensor, return_attention: bool = False
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """States (batch, seq, hidden) for left-padded `tokens` (batch, seq), and per-layer
        attention weights (batch, heads, seq, seq) when asked for."""
        real = tokens > 0  # (batch, seq)
        positions = torch.cumsum(real, dim=1) * real  # (batch, seq)
        x = self.item_embedding(tokens) * math.sqrt(self.config.hidden)  # (batch, seq, hidden)
        x = self.embedding_dropout(x + self.position_embedding(positions))  # (batch, seq, hidden)
        seq_len = tokens.shape[1]
        causal = torch.ones(seq_len, seq_len, dtype=torch.bool, device=tokens.device).tril()
        allowed = causal & real[:, None, None, :]  # (batch, 1, seq, seq)
        attention = []
        for block in self.blocks:
            x, weights = block(x, allowed)
            if return_attention:
                attention.append(weights)
        return self.final_norm(x), attention

    def _repeat_offsets(self, context: torch.Tensor) -> torch.Tensor:
        """(n, width) repeat bias of each context column; `context` is left-padded, newest last."""
        width = context.shape[1]
        ago = self.repeat_bias[:width].flip(0)  # (width,) newest last
        return ago.expand(context.shape) * (context > 0)  # (n, width)

    def item_scores(
        self, states: torch.Tensor, context: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(n, hidden) states -> (n, n_items) logits against the shared item embeddings.

        `context` (n, width): the tokens each state has read, left-padded, newest last; with
        the repeat bias on, an item clicked k clicks ago gets `repeat_bias[k]` added."""
        # Row 0 (padding) is left out of the product rather than sliced off the result: slicing
        # costs a copy of the (n, n_items) scores and of their gradient, ~20% of a training step.
        scores = states @ self.item_embedding.weight[1:].T  # (n, n_items)
        if self.repeat_bias is not None and context is not None:
            # Padding columns add an offset of exactly 0 (see _repeat_offsets) to item 0.
            columns = (context - 1).clamp(min=0)  # (n, width) internal index of each click
            scores = scores.scatter_add(1, columns, self._repeat_offsets(context))
        return scores

    def token_scores(
        self, states: torch.Tensor, tokens: torch.Tensor, context: torch.Tensor | None = None
    ) -> torch.Tensor:
        """(n, hidden) states, (n, m) item tokens -> (n, m) logits of just those items."""
        scores = (states[:, None] * self.item_embedding(tokens)).sum(-1)  # (n, m)
        if self.repeat_bias is not None and context is not None:
            clicked = tokens[:, :, None] == context[:, None, :]  # (n, m, width)
            scores = scores + (clicked * self._repeat_offsets(context)[:, None]).sum(-1)
        return scores

    def empty_scores(self) -> torch.Tensor:
        """(n_items,) logits of the first click of a session."""
        return self.item_scores(self.empty_state[None])[0]


@dataclass
class SASRecRecommender:
    """An eval-mode SASRec behind the `predict` contract (DESIGN.md): external ids at the edge."""

    module: SASRec
    item_ids: np.ndarray  # (n_items,) external id of each internal index
    meta: dict[str, Any] = field(default_factory=dict)  # loss, epochs, metrics, ... from training
    name: str = "sasrec"

    def __post_init__(self) -> None:
        self.index = ItemIndex(self.item_ids)
        self.item_ids = self.index.item_ids
        self.config = self.module.config

    def _tokens(self, prefixes: Sequence[np.ndarray]) -> torch.Tensor:
        """Left-padded (batch, width) tokens of the prefixes' last max_len clicks."""
        windows = [
            np.asarray(prefix, dtype=np.int64)[-self.config.max_len :] for prefix in prefixes
        ]
        width = max(1, max(len(window) for window in windows))
        tokens = np.zeros((len(windows), width), dtype=np.int64)
        for row, window in enumerate(windows):
            if len(window):
                tokens[row, width - len(window) :] = window + 1
        return torch.from_numpy(tokens)

    def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        """(batch, n_items) scores of the next click after each prefix (internal indices)."""
        scores = np.empty((len(prefixes), self.module.n_items), dtype=np.float32)
        with scoring(self.module):
            for start in range(0, len(prefixes), SCORE_CHUNK):
                chunk = prefixes[start : start + SCORE_CHUNK]
                tokens = self._tokens(chunk)  # (chunk, width)
                states, _ = self.module(tokens)  # (chunk, width, hidden)
                empty = torch.tensor([len(prefix) == 0 for prefix in chunk])
                last = torch.where(empty[:, None], self.module.empty_state, states[:, -1])
                scores[start : start + len(chunk)] = self.module.item_scores(last, tokens).numpy()
        return scores

    def predict(self, session: Sequence[int], k: int = 10, temperature: float = 1.0) -> Prediction:
        """Top-k after `session` (external ids, oldest first) with the panel's extras:
        "attention" (layers, heads, L, L) over the last L = min(len, max_len) known clicks, and
        "padded_input" (max_len,), the tokens the model read (internal index + 1, 0 = padding).
        An empty (or all-unknown) session gets the learned empty-session state."""
        known, unknown = self.index.encode(session)
        window = known[-self.config.max_len :]
        padded = np.zeros(self.config.max_len, dtype=np.int64)
        config = self.config
        if len(window) == 0:
            with scoring(self.module):
                scores = self.module.empty_scores().numpy()
            attention = np.zeros((config.layers, config.heads, 0, 0), dtype=np.float32)
        else:
            padded[config.max_len - len(window) :] = window + 1
            tokens = torch.from_numpy(padded)[None]  # (1, max_len)
            with scoring(self.module):
                states, weights = self.module(tokens, return_attention=True)
                scores = self.module.item_scores(states[:, -1], tokens)[0].numpy()
            length = len(window)
            attention = torch.stack([layer[0, :, -length:, -length:] for layer in weights]).numpy()
        extras = {"attention": attention, "padded_input": padded}
        return top_k_prediction(
            scores,
            self.item_ids,
            k,
            temperature,
            unknown=unknown,
            cold_start=len(window) == 0,
            extras=extras,
        )


def from_checkpoint(ckpt: dict[str, Any]) -> SASRecRecommender:
    """Rebuild the model `shopdemo.models.checkpoint.load_checkpoint` read."""
    config = SASRecConfig(**ckpt["config"])
    item_ids = np.asarray(ckpt["item_ids"], dtype=np.int64)
    module = SASRec(config, len(item_ids))
    module.load_state_dict(ckpt["state_dict"])
    return SASRecRecommender(module.eval(), item_ids, meta=dict(ckpt.get("meta", {})))


def build_task(config: SASRecConfig, train: SessionLog) -> SASRecTask:
    """The `TrainingTask` for `shopdemo.training.run_training` (see sasrec_training)."""
    from shopdemo.models.sasrec_training import SASRecTask  # late: it imports this module

    return SASRecTask(config, train)
