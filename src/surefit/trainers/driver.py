"""The training loop: a trainer stepped until it is done, watched by observers.

An observer is called with the state at the start and after every step; the
history and the progress bar are observers, so the loop itself stays this short.
"""
from __future__ import annotations

import torch

from .base import Data, Trainer


def run(trainer: Trainer, theta: torch.Tensor, data: Data, observers=()):
    """The final state of `trainer` started from theta (K, P)."""
    state = trainer.init(theta, data)
    for observe in observers:
        observe.start(state)
    while trainer.done(state) is None:
        state = trainer.step(state, data)
        for observe in observers:
            observe(state)
    return state


def find(state, attribute: str):
    """The first state, from the outermost wrapper's inwards, that has `attribute` (or None)."""
    while state is not None and not hasattr(state, attribute):
        state = getattr(state, "inner", None)
    return state


def best_rmse(state, groups: int) -> torch.Tensor:
    """(G,) each group's best training relative RMSE (NaN counts as infinite)."""
    loss = torch.nan_to_num(state.loss.detach(), nan=float("inf"))
    return loss.view(groups, -1).min(1).values.sqrt()


class History:
    """Each group's best training relative RMSE after every step it took."""

    def __init__(self, groups: int):
        self.groups = groups
        self.per_group: list[list[float]] = [[] for _ in range(groups)]

    def start(self, state) -> None:
        self.active = [v is None for v in state.verdicts]

    def __call__(self, state) -> None:
        best = best_rmse(state, self.groups).tolist()
        for g in range(self.groups):
            if self.active[g]:  # it took this step
                self.per_group[g].append(best[g])
        self.active = [v is None for v in state.verdicts]


class ProgressObserver:
    """Moves a progress bar (progress.Progress) one step per step, noting the best error so far."""

    def __init__(self, bar, groups: int):
        self.bar, self.groups = bar, groups

    def start(self, state) -> None:
        pass

    def __call__(self, state) -> None:
        self.bar.advance(float(best_rmse(state, self.groups).min()))
