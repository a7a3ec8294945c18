"""GRU4Rec: a recurrent network that reads a session click by click and scores the next item.

Hidasi et al., "Session-based Recommendations with Recurrent Neural Networks" (ICLR 2016), and
Hidasi & Karatzoglou, "Recurrent Neural Networks with Top-k Gains for Session-based
Recommendations" (CIKM 2018). Written from the papers and the documented behaviour of the
official implementation (its code's licence forbids reuse). Training lives in gru4rec_training.
"""

from __future__ import annotations

import itertools
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
    from shopdemo.models.gru4rec_training import GRU4RecTask

LOSSES = ("cross-entropy", "bpr-max")
OPTIMIZERS = ("adagrad", "adam")
SCORE_CHUNK = 1024  # prefixes scored per pass in `score_next`


@dataclass
class GRU4RecConfig:
    """Hyper-parameters (names follow the official implementation); defaults suit the store."""

    layers: list[int] = field(default_factory=lambda: [100])  # units per GRU layer (all equal)
    constrained_embedding: bool = True  # embed inputs with the output item matrix (shared)
    embedding: int = 0  # size of a separate input embedding when not constrained (0: layer size)
    dropout_embedding: float = 0.0  # dropout on the input embedding
    dropout_hidden: float = 0.3  # dropout on each GRU layer's output
    elu_param: float = 0.0  # alpha of an ELU on the scores; 0 keeps them linear
    loss: str = "cross-entropy"  # "cross-entropy" (softmax) or "bpr-max" (ranking)
    bpreg: float = 1.0  # bpr-max: weight of the score regulariser on negatives
    logq: float = 1.0  # cross-entropy: weight of the logQ correction of sampled scores
    n_sample: int = 512  # extra negatives shared by the mini-batch (0: in-batch only)
    sample_alpha: float = 0.5  # extra negatives are drawn ~ popularity ** sample_alpha
    sample_store: int = 1_000_000  # item ids drawn ahead at once (the official "sample store")
    batch_size: int = 64  # sessions side by side in a session-parallel mini-batch
    optimizer: str = "adagrad"  # "adagrad" (Adagrad with Nesterov momentum) or "adam"
    learning_rate: float = 0.05  # step size of the optimiser
    momentum: float = 0.0  # adagrad: Nesterov momentum (0 disables it)
    shuffle: bool = False  # shuffle sessions each epoch (the reference keeps time order)
    epochs: int = 10  # passes over the training sessions
    patience: int = 3  # epochs without validation gain before early stopping

    def __post_init__(self) -> None:
        self.layers = [int(size) for size in self.layers]
        if not self.layers or min(self.layers) < 1:
            raise ValueError(
                f"layers must be a non-empty list of positive sizes, got {self.layers}"
            )
        if len(set(self.layers)) > 1:  # states stack into (layers, batch, hidden) for the panel
            raise ValueError(f"all GRU layers must have the same size, got {self.layers}")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        for name in ("dropout_embedding", "dropout_hidden"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        if self.learning_rate <= 0 or not 0.0 <= self.momentum < 1.0:
            raise ValueError("learning_rate must be positive and momentum in [0, 1)")
        if self.batch_size < 1 or self.n_sample < 0 or self.epochs < 0:
            raise ValueError("batch_size must be positive and n_sample, epochs not negative")

    @property
    def input_size(self) -> int:
        """Width of what the first GRU layer reads."""
        if self.constrained_embedding:
            return self.layers[-1]
        return self.embedding or self.layers[0]


Config = GRU4RecConfig


def _uniform_(tensor: torch.Tensor, fan_in: int, fan_out: int) -> torch.Tensor:
    """The official initialisation: uniform in +-sqrt(6 / (fan_in + fan_out))."""
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return nn.init.uniform_(tensor, -bound, bound)


class GRUCell(nn.Module):
    """One GRU step that returns its update gate, in the paper's convention:

    r = sigmoid(x W_r + h U_r + b_r), z = sigmoid(x W_z + h U_z + b_z),
    candidate = tanh(x W_c + (r * h) U_c + b_c), h_new = (1 - z) * h + z * candidate,
    so z = 1 overwrites the past and z = 0 keeps it.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.input_weight = nn.Parameter(torch.empty(input_size, 3 * hidden_size))  # [r|z|c]
        self.gate_weight = nn.Parameter(torch.empty(hidden_size, 2 * hidden_size))  # [r|z]
        self.candidate_weight = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias = nn.Parameter(torch.zeros(3 * hidden_size))
        for block in self.input_weight.data.split(hidden_size, dim=1):
            _uniform_(block, input_size, hidden_size)
        for block in self.gate_weight.data.split(hidden_size, dim=1):
            _uniform_(block, hidden_size, hidden_size)
        _uniform_(self.candidate_weight.data, hidden_size, hidden_size)

    def forward(
        self, inputs: torch.Tensor, hidden: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        size = self.hidden_size
        projected = torch.addmm(self.bias, inputs, self.input_weight)  # (batch, 3 * hidden)
        gates = torch.sigmoid(projected[:, : 2 * size] + hidden @ self.gate_weight)  # (batch, 2h)
        reset, update = gates[:, :size], gates[:, size:]  # (batch, hidden) each
        candidate = torch.tanh(projected[:, 2 * size :] + (reset * hidden) @ self.candidate_weight)
        new_hidden = hidden + update * (candidate - hidden)  # = (1 - z) * h + z * candidate
        return new_hidden, update


class GRU4Rec(nn.Module):
    """Item embedding -> GRU layers -> dot product with output item vectors + item bias."""

    def __init__(self, config: GRU4RecConfig, n_items: int) -> None:
        super().__init__()
        self.config = config
        self.n_items = n_items
        width = config.layers[-1]
        self.item_vectors = nn.Parameter(_uniform_(torch.empty(n_items, width), n_items, width))
        self.item_bias = nn.Parameter(torch.zeros(n_items, 1))
        if config.constrained_embedding:
            self.input_vectors = None  # inputs are embedded with item_vectors
        else:
            size = config.input_size
            self.input_vectors = nn.Parameter(_uniform_(torch.empty(n_items, size), n_items, size))
        sizes = [config.input_size, *config.layers]
        self.cells = nn.ModuleList(GRUCell(inp, out) for inp, out in itertools.pairwise(sizes))
        self.embedding_dropout = nn.Dropout(config.dropout_embedding)
        self.hidden_dropout = nn.Dropout(config.dropout_hidden)
        self.sparse_grad = False  # row-sparse gradients for the item tables (Adagrad)

    def initial_hidden(self, batch: int) -> torch.Tensor:
        """Zeros of (layers, batch, hidden): the state before a session's first click."""
        return torch.zeros(len(self.cells), batch, self.config.layers[-1])

    def step(
        self, items: torch.Tensor, hidden: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One click per row: (output (batch, hidden), new hidden, update gates (layers, batch, hidden))."""
        table = self.item_vectors if self.input_vectors is None else self.input_vectors
        layer_input = self.embedding_dropout(
            functional.embedding(items, table, sparse=self.sparse_grad)  # (batch, input)
        )
        new_hidden, gates = [], []
        for layer, cell in enumerate(self.cells):
            state, update = cell(layer_input, hidden[layer])  # (batch, hidden) each
            new_hidden.append(state)
            gates.append(update)
            layer_input = self.hidden_dropout(state)
        return layer_input, torch.stack(new_hidden), torch.stack(gates)

    def scores(self, output: torch.Tensor, items: torch.Tensor | None = None) -> torch.Tensor:
        """Scores (batch, len(items)) of `items` (default: all items) after the final activation."""
        if items is None:
            weights, bias = self.item_vectors, self.item_bias.squeeze(1)  # (n_items, hidden)
        else:
            weights = functional.embedding(items, self.item_vectors, sparse=self.sparse_grad)
            bias = functional.embedding(items, self.item_bias, sparse=self.sparse_grad).squeeze(1)
        scores = torch.addmm(bias, output, weights.T)  # (batch, len(items))
        if self.config.elu_param > 0:
            scores = functional.elu(scores, alpha=self.config.elu_param)
        return scores


@dataclass(frozen=True)
class SessionState:
    """A live session after some clicks: the kept hidden state plus what the panel shows."""

    hidden: torch.Tensor  # (layers, 1, hidden) state after the last known click
    items: tuple[int, ...] = ()  # internal indices of the known clicks
    unknown: tuple[int, ...] = ()  # external ids the model skipped
    update_gates: tuple[np.ndarray, ...] = ()  # per known click: (layers, hidden)
    hiddens: tuple[np.ndarray, ...] = ()  # per known click: (layers, hidden)


class GRU4RecRecommender:
    """The `NextItemModel` view of a trained network, with an incremental live-session path."""

    name = "gru4rec"

    def __init__(self, module: GRU4Rec, item_ids: np.ndarray, meta: dict[str, Any] | None = None):
        self.module = module
        self.index = ItemIndex(item_ids)
        self.item_ids = self.index.item_ids
        self.meta = dict(meta or {})
        self.config = module.config

    def start_session(self) -> SessionState:
        return SessionState(hidden=self.module.initial_hidden(1))

    def advance(self, state: SessionState, item: int) -> SessionState:
        """The state after one more click: one GRU step from the kept hidden state."""
        if int(item) not in self.index:
            return SessionState(
                state.hidden,
                state.items,
                (*state.unknown, int(item)),
                state.update_gates,
                state.hiddens,
            )
        index = self.index.index_of(item)
        with scoring(self.module):
            _, hidden, gates = self.module.step(torch.tensor([index]), state.hidden)
        return SessionState(
            hidden=hidden,
            items=(*state.items, index),
            unknown=state.unknown,
            update_gates=(*state.update_gates, gates[:, 0].numpy().copy()),
            hiddens=(*state.hiddens, hidden[:, 0].numpy().copy()),
        )

    def prediction(self, state: SessionState, k: int = 10, temperature: float = 1.0) -> Prediction:
        """Top-k after the clicks `state` has seen, with the update gates and hidden states."""
        with scoring(self.module):
            scores = self.module.scores(state.hidden[-1])[0].numpy()  # (n_items,)
        layers, width = len(self.config.layers), self.config.layers[-1]
        extras = {
            "update_gate": _stack_steps(state.update_gates, layers, width),  # (layers, L, hidden)
            "hidden": _stack_steps(state.hiddens, layers, width),  # (layers, L, hidden)
        }
        return top_k_prediction(
            scores,
            self.item_ids,
            k,
            temperature,
            unknown=state.unknown,
            cold_start=not state.items,
            extras=extras,
        )

    def predict(self, session: Sequence[int], k: int = 10, temperature: float = 1.0) -> Prediction:
        """Replay the whole session (oldest first) through the network, then rank."""
        known, unknown = self.index.encode(session)
        hidden = self.module.initial_hidden(1)
        gates, hiddens = [], []
        with scoring(self.module):
            for index in torch.from_numpy(known).view(-1, 1):
                _, hidden, update = self.module.step(index, hidden)
                gates.append(update[:, 0].numpy().copy())
                hiddens.append(hidden[:, 0].numpy().copy())
        state = SessionState(
            hidden, tuple(int(i) for i in known), tuple(unknown), tuple(gates), tuple(hiddens)
        )
        return self.prediction(state, k, temperature)

    def score_next(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        """(batch, n_items) scores after each prefix; shorter prefixes stop updating their rows."""
        out = np.empty((len(prefixes), len(self.item_ids)), dtype=np.float32)
        with scoring(self.module):
            for start in range(0, len(prefixes), SCORE_CHUNK):
                chunk = prefixes[start : start + SCORE_CHUNK]
                out[start : start + len(chunk)] = self._score_chunk(chunk)
        return out

    def _score_chunk(self, prefixes: Sequence[np.ndarray]) -> np.ndarray:
        lengths = np.array([len(prefix) for prefix in prefixes])
        order = np.argsort(-lengths, kind="stable")  # longest first: active rows are a prefix
        padded = np.zeros((len(prefixes), int(lengths.max())), dtype=np.int64)
        for row, prefix_index in enumerate(order):
            padded[row, : lengths[prefix_index]] = prefixes[prefix_index]
        items = torch.from_numpy(padded)  # (batch, max_len), zero-padded on the right
        hidden = self.module.initial_hidden(len(prefixes))  # (layers, batch, hidden)
        sorted_lengths = lengths[order]
        for position in range(items.shape[1]):
            active = int((sorted_lengths > position).sum())  # rows whose prefix is this long
            _, stepped, _ = self.module.step(items[:active, position], hidden[:, :active])
            hidden = torch.cat([stepped, hidden[:, active:]], dim=1)  # padding leaves rows as-is
        scores = self.module.scores(hidden[-1]).numpy()  # (batch, n_items), sorted order
        unsorted = np.empty_like(scores)
        unsorted[order] = scores
        return unsorted


def _stack_steps(steps: tuple[np.ndarray, ...], layers: int, width: int) -> np.ndarray:
    """Per-click (layers, hidden) arrays -> (layers, L, hidden), also for L = 0."""
    if not steps:
        return np.zeros((layers, 0, width), dtype=np.float32)
    return np.stack(steps, axis=1)


def from_checkpoint(ckpt: dict[str, Any]) -> GRU4RecRecommender:
    """Rebuild the model that `shopdemo.models.checkpoint.load_checkpoint` read."""
    config = GRU4RecConfig(**ckpt["config"])
    item_ids = np.asarray(ckpt["item_ids"], dtype=np.int64)
    module = GRU4Rec(config, len(item_ids))
    module.load_state_dict(ckpt["state_dict"])
    return GRU4RecRecommender(module.eval(), item_ids, meta=ckpt.get("meta"))


def build_task(config: GRU4RecConfig, train: SessionLog) -> GRU4RecTask:
    """The `TrainingTask` for `shopdemo.training.run_training` (see gru4rec_training)."""
    from shopdemo.models.gru4rec_training import GRU4RecTask

    return GRU4RecTask(config, train)
