"""Early stopping around any trainer: validation rows, held out of training, decide when
each group stops and which point of its path it keeps (MATLAB's default for trainlm: stop
after 6 steps without a new best validation error; scikit-learn's n_iter_no_change).
The validation error, not the training error, then picks the best candidate.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..status import Status
from .base import Data, Trainer, WrappedState, Wrapper


@dataclass
class EarlyStoppingState(WrappedState):
    best: torch.Tensor  # (K,) each candidate's lowest validation loss so far
    kept: torch.Tensor  # (K, P) and its parameters there
    since: torch.Tensor  # (G,) steps since the group's best validation loss last fell


@dataclass(frozen=True)
class EarlyStopping(Wrapper):
    inner: Trainer
    patience: int = 6

    def init(self, theta: torch.Tensor, data: Data) -> EarlyStoppingState:
        inner = self.inner.init(theta, data)
        theta = self.inner.solution(inner)
        return EarlyStoppingState(inner, data.validation_losses(theta), theta.clone(),
                                  torch.zeros(data.groups, dtype=torch.long))

    def step(self, state: EarlyStoppingState, data: Data) -> EarlyStoppingState:
        active = state.active
        state.inner = self.inner.step(state.inner, data)
        theta = self.inner.solution(state.inner)
        loss = data.validation_losses(theta)
        better = active & (loss < state.best)
        state.best = torch.where(better, loss, state.best)
        state.kept = torch.where(better[:, None], theta, state.kept)
        fell = better.view(data.groups, -1).any(1)
        state.since = torch.where(fell, 0, state.since + 1)
        for g in torch.nonzero(state.since >= self.patience).flatten().tolist():
            if state.inner.verdicts[g] is None:  # the inner trainer leaves a decided group alone
                state.inner.verdicts[g] = Status.EARLY_STOPPED
        return state

    def solution(self, state: EarlyStoppingState) -> torch.Tensor:
        return state.kept

    def scores(self, state: EarlyStoppingState, data: Data) -> torch.Tensor:
        return state.best
