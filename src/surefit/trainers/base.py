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
    LINEAR = "solved exactly: with no hidden layer the network is linear, and least squares gives its optimum"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Data:
    """Scaled training data, the network shape, and how many independent fits are stacked.

    theta (K, P) holds `groups` fits of K // groups candidates each, side by side
    (a study of many seeds trains them all at once); each group stops on its own.
    """
    net: NetSettings
    X: torch.Tensor  # (N, d)
    y: torch.Tensor  # (N,)
    groups: int = 1

    def losses(self, theta: torch.Tensor) -> torch.Tensor:
        """Mean squared error (K,) of each candidate in theta (K, P)."""
        return (forward(self.net, theta, self.X) - self.y).pow(2).mean(-1)


@dataclass
class State:
    theta: torch.Tensor  # (K, P)
    loss: torch.Tensor  # (K,) training MSE in scaled units: sqrt(loss) is the relative RMSE
    step: int = 0
    best: torch.Tensor | None = None  # (G,) each group's best loss at its last real improvement
    since_best: torch.Tensor | None = None  # (G,) steps since then
    verdicts: list[Status | None] | None = None  # per group: why it stopped, None while training
    inner: Any = field(default=None, repr=False)  # the trainer's own memory

    @property
    def active(self) -> torch.Tensor:
        """(K,) True for candidates whose group is still training; trainers leave the rest as they are."""
        undecided = torch.tensor([v is None for v in self.verdicts])
        return undecided.repeat_interleave(self.loss.shape[0] // len(self.verdicts))


@dataclass(frozen=True)
class Stopping:
    """Stop at tolerance (on relative RMSE), at max_steps, or when the group's best loss
    has not fallen by a share `min_gain` within `patience` steps."""
    tol: float = 1e-7
    max_steps: int = 1000
    patience: int = 50
    min_gain: float = 1e-2

    def check(self, loss: torch.Tensor, since_best: int, step: int) -> Status | None:
        """The verdict for one group of candidates, or None to go on."""
        finite = torch.isfinite(loss)
        if not finite.any():
            return Status.DIVERGED
        if loss[finite].min().sqrt() <= self.tol:
            return Status.CONVERGED
        if step >= self.max_steps:
            return Status.MAX_STEPS
        if since_best >= self.patience:
            return Status.STALLED
        return None


def track(state: State, stopping: Stopping, data: Data) -> State:
    """After init or a step: update each group's stall counter and verdict."""
    loss = torch.nan_to_num(state.loss.detach(), nan=float("inf")).view(data.groups, -1)  # (G, K/G)
    group_best = loss.min(dim=1).values
    if state.best is None:
        state.best, state.since_best = group_best, torch.zeros(data.groups, dtype=torch.long)
        state.verdicts = state.verdicts or [None] * data.groups
    else:
        improved = group_best < state.best * (1 - stopping.min_gain)
        state.since_best = torch.where(improved, 0, state.since_best + 1)
        state.best = torch.where(improved, group_best, state.best)
    state.verdicts = [v if v is not None else stopping.check(loss[g], int(state.since_best[g]), state.step)
                      for g, v in enumerate(state.verdicts)]
    return state


class Trainer:
    """Base of every trainer: subclasses are frozen dataclasses with a `stopping` field."""
    stopping: Stopping

    def init(self, theta: torch.Tensor, data: Data) -> State:
        raise NotImplementedError

    def step(self, state: State, data: Data) -> State:
        raise NotImplementedError

    def done(self, state: State) -> Status | None:
        """None while any group trains; then the first group's verdict (fit_many reads them all)."""
        return None if None in state.verdicts else state.verdicts[0]
