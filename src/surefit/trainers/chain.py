"""Trainers in turn: each stage starts where the one before stopped.

A group of candidates that converged in one stage stays done; the others go on
with the next stage (Adam's robust first steps, then L-BFGS's fast finish).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..status import Status
from .base import Data, Trainer, WrappedState


@dataclass
class ChainState(WrappedState):
    stage: int  # which stage runs; inner is its state
    before: int  # steps taken by the stages before it

    @property
    def step(self) -> int:
        return self.before + self.inner.step


@dataclass(frozen=True)
class Chain(Trainer):
    stages: tuple[Trainer, ...]

    def init(self, theta: torch.Tensor, data: Data) -> ChainState:
        return self._advance(ChainState(self.stages[0].init(theta, data), 0, 0), data)

    def step(self, state: ChainState, data: Data) -> ChainState:
        state.inner = self.stages[state.stage].step(state.inner, data)
        return self._advance(state, data)

    def done(self, state: ChainState) -> Status | None:
        return self.stages[state.stage].done(state.inner)

    def forget(self, state: ChainState, theta: torch.Tensor, which: torch.Tensor, data: Data) -> ChainState:
        state.inner = self.stages[state.stage].forget(state.inner, theta, which, data)
        return state

    def solution(self, state: ChainState) -> torch.Tensor:
        return self.stages[state.stage].solution(state.inner)

    def scores(self, state: ChainState, data: Data) -> torch.Tensor:
        return self.stages[state.stage].scores(state.inner, data)

    def _advance(self, state: ChainState, data: Data) -> ChainState:
        """Past every finished stage, while a later one has groups left to train."""
        while (self.stages[state.stage].done(state.inner) is not None and state.stage + 1 < len(self.stages)
               and not all(v is Status.CONVERGED for v in state.verdicts)):
            old = state.inner
            new = self.stages[state.stage + 1].init(old.theta.detach(), data)
            new.verdicts = [v if v is Status.CONVERGED else w for v, w in zip(old.verdicts, new.verdicts)]
            state = ChainState(new, state.stage + 1, state.before + old.step)
        return state

    @property
    def max_steps(self) -> int:
        return sum(stage.max_steps for stage in self.stages)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for stage in self.stages for name in stage.names)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for stage in self.stages for label in stage.labels)

    def stopped_by(self, **changes) -> "Chain":
        return Chain(tuple(stage.stopped_by(**changes) for stage in self.stages))
