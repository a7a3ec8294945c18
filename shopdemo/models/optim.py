"""Adagrad with Nesterov momentum, the optimiser GRU4Rec's reference settings are tuned for.

torch's Adagrad has no momentum. Item tables get row-sparse gradients (only the items a step
touched), and only those rows are updated, so a step costs the same for 2k items or 500k.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch


class AdagradMomentum(torch.optim.Optimizer):
    """accumulator += g^2; step = lr * g / sqrt(accumulator + eps);
    velocity = momentum * velocity + step; parameter -= momentum * velocity + step (Nesterov).
    """

    def __init__(
        self,
        params: Iterable[torch.nn.Parameter],
        lr: float = 0.05,
        momentum: float = 0.0,
        eps: float = 1e-6,
    ) -> None:
        if lr <= 0 or not 0.0 <= momentum < 1.0 or eps <= 0:
            raise ValueError(
                f"need lr > 0, 0 <= momentum < 1, eps > 0 (got {lr}, {momentum}, {eps})"
            )
        super().__init__(params, {"lr": lr, "momentum": momentum, "eps": eps})

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, momentum, eps = group["lr"], group["momentum"], group["eps"]
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if not state:
                    state["accumulator"] = torch.zeros_like(param)
                    if momentum > 0:
                        state["velocity"] = torch.zeros_like(param)
                if param.grad.is_sparse:
                    self._sparse_update(param, state, lr, momentum, eps)
                else:
                    self._dense_update(param, state, lr, momentum, eps)
        return loss

    @staticmethod
    def _dense_update(
        param: torch.Tensor, state: dict, lr: float, momentum: float, eps: float
    ) -> None:
        grad = param.grad
        accumulator = state["accumulator"].addcmul_(grad, grad)
        scale = accumulator.add(eps).sqrt_()
        if momentum > 0:
            step = grad.div(scale).mul_(lr)
            velocity = state["velocity"].mul_(momentum).add_(step)
            param.sub_(step.add_(velocity, alpha=momentum))
        else:
            param.addcdiv_(grad, scale, value=-lr)

    @staticmethod
    def _sparse_update(
        param: torch.Tensor, state: dict, lr: float, momentum: float, eps: float
    ) -> None:
        grad = param.grad.coalesce()  # duplicate rows summed
        rows, values = grad.indices()[0], grad.values()  # (touched,), (touched, ...)
        accumulator = state["accumulator"].index_select(0, rows).addcmul_(values, values)
        state["accumulator"].index_copy_(0, rows, accumulator)
        step = values.div(accumulator.add_(eps).sqrt_())
        if momentum > 0:
            step.mul_(lr)
            velocity = state["velocity"].index_select(0, rows).mul_(momentum).add_(step)
            state["velocity"].index_copy_(0, rows, velocity)
            param.index_add_(0, rows, step.add_(velocity, alpha=momentum), alpha=-1.0)
        else:
            param.index_add_(0, rows, step, alpha=-lr)
