"""Revival around any trainer: dead units re-placed where the residual is largest.

Every `every` steps during the first half of the inner trainer's budget (later, a
revived unit would have too few steps left to be of use), dead units of the groups
still training are re-placed (monitor.revive: the network's function does not
change), and the inner trainer forgets what it had learned about the changed
candidates: L-BFGS's curvature pairs and Adam's moments belong to the old units.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..monitor import revive
from .base import Data, Trainer, WrappedState, Wrapper


@dataclass
class RevivalState(WrappedState):
    revived: torch.Tensor  # (G,) units re-placed so far in each group


@dataclass(frozen=True)
class Revival(Wrapper):
    inner: Trainer
    every: int = 20

    def init(self, theta: torch.Tensor, data: Data) -> RevivalState:
        return RevivalState(self.inner.init(theta, data), torch.zeros(data.groups, dtype=torch.long))

    def step(self, state: RevivalState, data: Data) -> RevivalState:
        inner = self.inner.step(state.inner, data)
        if inner.step % self.every == 0 and inner.step < self.inner.max_steps // 2:
            theta, counts = revive(data.net, inner.theta.detach(), data.X, data.y, data.gens, inner.active)
            if bool(counts.any()):
                inner = self.inner.forget(inner, theta, counts > 0, data)
                state.revived = state.revived + counts.view(data.groups, -1).sum(1)
        state.inner = inner
        return state
