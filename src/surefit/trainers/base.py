"""The one interface every trainer implements, and the shared stopping rules.

A trainer is a small frozen object holding its own settings, with
    init(theta, data) -> State     start from theta (K, P)
    step(state, data) -> State     one iteration for all K candidates at once
    done(state) -> Status | None   why it stopped, or None to go on
    forget(state, theta, which, data) -> State
                                   go on from theta, which differs from state.theta in the rows
                                   `which` (K,), forgetting what was learned about those rows
(optimistix's init / step / terminate). Trainers never loop themselves: driver.run does,
and wrappers (chain.py, revival.py) compose them. Each trainer's State subclass holds
its own memory; every state has theta, loss, step and each group's verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import torch

from ..nets import NetSettings, forward
from ..status import Status
from .rows import chunk_rows, chunks


@dataclass(frozen=True)
class Data:
    """Scaled training data, the network shape, and how many independent fits are stacked.

    theta (K, P) holds `groups` fits of K // groups candidates each, side by side
    (a study of many seeds trains them all at once); each group stops on its own and
    draws its random numbers (initialisation, then revival) from its own generator.
    """
    net: NetSettings
    X: torch.Tensor  # (N, d)
    y: torch.Tensor  # (N,)
    groups: int = 1
    gens: tuple[torch.Generator, ...] = ()  # one per group
    X_val: torch.Tensor | None = None  # (M, d) validation rows, held out of X, for early stopping
    y_val: torch.Tensor | None = None  # (M,)

    def losses(self, theta: torch.Tensor) -> torch.Tensor:
        """Mean squared error (K,) of each candidate in theta (K, P), over chunks of rows if need be."""
        N, rows = len(self.y), chunk_rows(*theta.shape)
        if N <= rows:
            return (forward(self.net, theta, self.X) - self.y).pow(2).mean(-1)
        return sum((forward(self.net, theta, self.X[r]) - self.y[r]).pow(2).sum(-1) for r in chunks(N, rows)) / N

    def subsample(self, rows: int) -> "Data":
        """The same problem on `rows` of the training rows, drawn with one fixed generator (the
        same for every seed, so stacked seeds share their data), in their original order."""
        if rows >= len(self.y):
            return self
        keep = torch.randperm(len(self.y), generator=torch.Generator().manual_seed(0))[:rows].sort().values
        return replace(self, X=self.X[keep], y=self.y[keep])

    def validation_losses(self, theta: torch.Tensor) -> torch.Tensor:
        """Mean squared error (K,) on the validation rows."""
        return (forward(self.net, theta, self.X_val) - self.y_val).pow(2).mean(-1)


@dataclass
class State:
    theta: torch.Tensor  # (K, P)
    loss: torch.Tensor  # (K,) training MSE in scaled units: sqrt(loss) is the relative RMSE
    step: int = 0
    best: torch.Tensor | None = None  # (G,) each group's best loss at its last real improvement
    since_best: torch.Tensor | None = None  # (G,) steps since then
    verdicts: list[Status | None] | None = None  # per group: why it stopped, None while training

    @property
    def active(self) -> torch.Tensor:
        """(K,) True for candidates whose group is still training; trainers leave the rest as they are."""
        return still_training(self.verdicts, self.loss.shape[0])


def still_training(verdicts: list[Status | None], K: int) -> torch.Tensor:
    """(K,) True for the candidates of the groups with no verdict yet (K // G candidates a group)."""
    undecided = torch.tensor([v is None for v in verdicts])
    return undecided.repeat_interleave(K // len(verdicts))


@dataclass
class WrappedState:
    """A wrapper's state: its inner trainer's state, seen through."""
    inner: State

    theta = property(lambda self: self.inner.theta)
    loss = property(lambda self: self.inner.loss)
    step = property(lambda self: self.inner.step)
    verdicts = property(lambda self: self.inner.verdicts)
    active = property(lambda self: self.inner.active)


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
    groups = data.groups
    loss = torch.nan_to_num(state.loss.detach(), nan=float("inf")).view(groups, -1)  # (G, K/G)
    group_best = loss.min(dim=1).values
    if state.best is None:
        state.best, state.since_best = group_best, torch.zeros(groups, dtype=torch.long)
        state.verdicts = state.verdicts or [None] * groups
    else:
        improved = group_best < state.best * (1 - stopping.min_gain)
        state.since_best = torch.where(improved, 0, state.since_best + 1)
        state.best = torch.where(improved, group_best, state.best)
    state.verdicts = [v if v is not None else stopping.check(loss[g], int(state.since_best[g]), state.step)
                      for g, v in enumerate(state.verdicts)]
    return state


class Trainer:
    """Base of every trainer: subclasses are frozen dataclasses with a `stopping` field.

    A plain trainer implements start() (its State at theta, before any verdict) and step();
    init() adds the verdicts. Wrappers override init() too.
    """
    stopping: Stopping

    def init(self, theta: torch.Tensor, data: Data) -> State:
        return track(self.start(theta, data), self.stopping, data)

    def start(self, theta: torch.Tensor, data: Data) -> State:
        raise NotImplementedError

    def step(self, state: State, data: Data) -> State:
        raise NotImplementedError

    def done(self, state: State) -> Status | None:
        """None while any group trains; then the first group's verdict (fit_many reads them all)."""
        return None if None in state.verdicts else state.verdicts[0]

    def forget(self, state: State, theta: torch.Tensor, which: torch.Tensor, data: Data) -> State:
        """Go on from theta. A trainer that keeps no memory of earlier steps just takes it."""
        state.theta = theta
        return state

    def carry(self, state: State, source: State, picked: torch.Tensor, data: Data) -> State:
        """Go on from state with what another run of this trainer learned besides theta (`source`,
        of which the candidates `picked` are these): here, nothing."""
        return state

    def solution(self, state: State) -> torch.Tensor:
        """The candidates' final parameters theta (K, P)."""
        return state.theta.detach()

    def scores(self, state: State, data: Data) -> torch.Tensor:
        """(K,) what picks the best candidate of each group, lowest first: here, the training loss."""
        return data.losses(self.solution(state))

    @property
    def picks_by_evidence(self) -> bool:
        """Whether scores() is the evidence (a penalty the data choose), not the training loss."""
        return False

    @property
    def max_steps(self) -> int:
        return self.stopping.max_steps

    @property
    def names(self) -> tuple[str, ...]:
        """The trainers that run, in order: what a plan asks of its trainer."""
        return (type(self).__name__,)

    @property
    def labels(self) -> tuple[str, ...]:
        """The names as reports show them (Subsample adds the rows each ran on)."""
        return self.names

    def stopped_by(self, **changes) -> "Trainer":
        """The same trainer with some of its stopping rules changed (tol=..., max_steps=...)."""
        return replace(self, stopping=replace(self.stopping, **changes))


class Wrapper(Trainer):
    """Base of trainers that add to an `inner` one (revival, early stopping): everything they do
    not change, they leave to it. Their states are WrappedStates."""
    inner: Trainer

    def done(self, state: WrappedState) -> Status | None:
        return self.inner.done(state.inner)

    def forget(self, state: WrappedState, theta: torch.Tensor, which: torch.Tensor, data: Data) -> WrappedState:
        state.inner = self.inner.forget(state.inner, theta, which, data)
        return state

    def solution(self, state: WrappedState) -> torch.Tensor:
        return self.inner.solution(state.inner)

    def scores(self, state: WrappedState, data: Data) -> torch.Tensor:
        return self.inner.scores(state.inner, data)

    @property
    def max_steps(self) -> int:
        return self.inner.max_steps

    @property
    def names(self) -> tuple[str, ...]:
        return self.inner.names

    @property
    def labels(self) -> tuple[str, ...]:
        return self.inner.labels

    def stopped_by(self, **changes) -> "Wrapper":
        return replace(self, inner=self.inner.stopped_by(**changes))
