"""The one interface every trainer implements, and the shared stopping rules.

A trainer is a small frozen object holding its own settings, with
    init(theta, data) -> State     start from theta (K, P)
    step(state, data) -> State     one iteration for all K candidates at once
    done(state) -> Status | None   why it stopped, or None to go on
(optimistix's init / step / terminate). Trainers never loop themselves:
fit.py drives them, so monitoring and progress live in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import torch

from ..nets import NetSettings, forward


class Status(Enum):
    """Why training stopped, as a sentence."""
    CONVERGED = "converged: the training error reached the tolerance"
    STALLED = "stalled: the error stopped improving, so this is about the best this network reaches"
    MAX_STEPS = "stopped at the step limit while the error was still falling; more steps may help"
    DIVERGED = "diverged: the loss became infinite or NaN"
    CONSTANT = "the target is constant, so it was fitted exactly by the output bias alone"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Data:
    """Scaled training data and the network shape it is fitted with."""
    net: NetSettings
    X: torch.Tensor  # (N, d)
    y: torch.Tensor  # (N,)

    def losses(self, theta: torch.Tensor) -> torch.Tensor:
        """Mean squared error (K,) of each candidate in theta (K, P)."""
        return (forward(self.net, theta, self.X) - self.y).pow(2).mean(-1)


@dataclass
class State:
    theta: torch.Tensor  # (K, P)
    loss: torch.Tensor  # (K,) training MSE in scaled units: sqrt(loss) is the relative RMSE
    step: int = 0
    best: torch.Tensor | None = None  # (K,) lowest loss so far, for the stall rule
    since_best: torch.Tensor | None = None  # (K,) steps since a real improvement
    inner: Any = field(default=None, repr=False)  # the trainer's own memory


@dataclass(frozen=True)
class Stopping:
    """Stop at tolerance (on relative RMSE), at max_steps, or when every candidate stalls."""
    tol: float = 1e-7
    max_steps: int = 1000
    patience: int = 50  # steps without a relative improvement of `min_gain`
    min_gain: float = 1e-4

    def check(self, state: State) -> Status | None:
        finite = torch.isfinite(state.loss)
        if not finite.any():
            return Status.DIVERGED
        if state.loss[finite].min().sqrt() <= self.tol:
            return Status.CONVERGED
        if state.step >= self.max_steps:
            return Status.MAX_STEPS
        if bool((state.since_best >= self.patience).all()):
            return Status.STALLED
        return None


def track(state: State, stopping: Stopping) -> State:
    """Update the per-candidate stall counters after a step."""
    loss = torch.nan_to_num(state.loss, nan=float("inf"))
    if state.best is None:
        state.best, state.since_best = loss.clone(), torch.zeros_like(loss, dtype=torch.long)
        return state
    improved = loss < state.best * (1 - stopping.min_gain)
    state.since_best = torch.where(improved, 0, state.since_best + 1)
    state.best = torch.minimum(state.best, loss)
    return state


class Trainer:
    """Base of every trainer: subclasses are frozen dataclasses with a `stopping` field."""
    stopping: Stopping

    def init(self, theta: torch.Tensor, data: Data) -> State:
        raise NotImplementedError

    def step(self, state: State, data: Data) -> State:
        raise NotImplementedError

    def done(self, state: State) -> Status | None:
        return self.stopping.check(state)
