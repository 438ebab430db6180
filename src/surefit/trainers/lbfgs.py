"""L-BFGS with a backtracking (Armijo) line search, K candidates at once.

torch.optim.LBFGS treats all parameters as one vector, so K stacked candidates
would share one line search and one curvature memory and no longer train
independently; this version keeps a memory and a step length per candidate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .base import Data, Stopping, track
from .penalised import GREW, Penalised, PenalisedState, restart
from .ridge import Ridge, linearise, objective


@dataclass(kw_only=True)
class LBFGSState(PenalisedState):
    grad: torch.Tensor = field(repr=False)  # (K, P) the gradient at theta
    s: list[torch.Tensor] = field(default_factory=list, repr=False)  # the last steps, (K, P) each
    y: list[torch.Tensor] = field(default_factory=list, repr=False)  # and the gradient changes they made
    interval: int = 0  # steps between re-estimates of an adapting ridge, now
    next_refresh: int = 0  # and the step of the next


@dataclass(frozen=True)
class LBFGS(Penalised):
    memory: int = 20
    armijo: float = 1e-4
    max_halvings: int = 30
    ridge: Ridge = Ridge()
    refresh: int = 10  # steps between re-estimates of an adapting ridge while it moves; doubled once it settles
    stopping: Stopping = Stopping(max_steps=600, patience=60)

    def start(self, theta: torch.Tensor, data: Data) -> LBFGSState:
        ridge, weights, theta = self.ridge.start(data.net, theta.detach(), data.groups)
        loss, grad = value_and_grad(data, theta, ridge[:, None] * weights)
        return LBFGSState(theta=theta, loss=loss, grad=grad, ridge=ridge, weights=weights,
                          gamma=torch.full_like(loss, float(data.net.n_params)),
                          interval=self.refresh, next_refresh=self.refresh)

    def step(self, state: LBFGSState, data: Data) -> LBFGSState:
        theta, loss, g, penalty = state.theta, state.loss, state.grad, state.penalty
        d = -two_loop(g, state.s, state.y)
        uphill = (d * g).sum(-1) >= 0
        d = torch.where(uphill.unsqueeze(-1), -g, d)  # fall back to steepest descent
        slope = (d * g).sum(-1)  # (K,) < 0
        # The full step usually passes Armijo: try it with its gradient, backtrack only the rest.
        full = theta + d
        trial_loss, trial_g = value_and_grad(data, full, penalty)
        ok = state.active & torch.isfinite(trial_loss) & (trial_loss <= loss + self.armijo * slope)
        new_theta = torch.where(ok.unsqueeze(-1), full, theta)  # finished groups keep theirs
        new_loss, new_g = torch.where(ok, trial_loss, loss), torch.where(ok.unsqueeze(-1), trial_g, g)
        pending = state.active & ~ok
        if bool(pending.any()):
            new_theta = self.backtrack(data, penalty, theta, loss, d, slope, pending, new_theta)
            new_loss, new_g = value_and_grad(data, new_theta, penalty)
        s, y = new_theta - theta, new_g - g
        keep = ((s * y).sum(-1) > 1e-12).unsqueeze(-1)  # curvature pairs that keep H positive
        state.s = (state.s + [s * keep])[-self.memory:]
        state.y = (state.y + [y * keep])[-self.memory:]
        state.theta, state.loss, state.grad = new_theta, new_loss, new_g
        state.step += 1
        if self.ridge.adapts and state.step >= state.next_refresh:
            self._new_ridge(state, data)
        return track(state, self.stopping, data)

    def _new_ridge(self, state: LBFGSState, data: Data) -> None:
        """A new ridge (and inputs' shares) from the evidence. The penalty is quadratic, so the
        objective, its gradient and the curvature pairs move by exactly the change's share:
        nothing needs forgetting.
        Once no ridge moves by more than GREW, the next re-estimate waits twice as long: the
        linearisation (an eigendecomposition of up to EIGEN_ROWS^2) costs a hundred or more of
        the steps between (64,64 tanh, 3000 rows: 3.3 s against 0.02 s a step; 17 re-estimates in
        600 steps, 57 of the fit's 72 s). Linearising 1000 rows instead would be 3.5x faster, but
        cost 3-9% of the error against the truth on friedman1 (3000 rows, gamma ~450; 3 data seeds)."""
        N, theta, active = len(data.y), state.theta, state.active
        linear = linearise(data, theta, state.weights, self.ridge.columns(data.net))
        ridge, state.gamma = self.ridge.update(state.ridge, linear)
        weights = self.ridge.reweigh(data.net, state.weights, theta, ridge, linear)
        moved = active & (torch.maximum(ridge / state.ridge, state.ridge / ridge) > GREW)
        state.interval = self.refresh if bool(moved.any()) else 2 * state.interval
        state.next_refresh = state.step + state.interval
        grew = torch.where(active, ridge - state.ridge, 0.0)  # (K,) finished groups keep theirs
        weights = torch.where(active.unsqueeze(-1), weights, state.weights)
        change = grew[:, None] * weights + state.ridge[:, None] * (weights - state.weights)  # (K, P) each parameter's
        before, state.ridge, state.weights = state.ridge, state.ridge + grew, weights
        state.loss = state.loss + (change * theta.pow(2)).sum(-1) / N
        state.grad = state.grad + 2 * change * theta / N
        state.y = [y + 2 * change * s / N for s, y in zip(state.s, state.y)]
        restart(state, before, data.groups, factor=1.0)

    def carry(self, state: LBFGSState, source, picked: torch.Tensor, data: Data) -> LBFGSState:
        """As Penalised.carry, with the gradient taken afresh under the carried penalty."""
        state = super().carry(state, source, picked, data)
        _, state.grad = value_and_grad(data, state.theta, state.penalty)
        return state

    def forget(self, state: LBFGSState, theta: torch.Tensor, which: torch.Tensor, data: Data) -> LBFGSState:
        """The changed rows lose their curvature pairs (a zero pair is skipped) and get their gradient afresh."""
        state = super().forget(state, theta, which, data)
        keep = (~which).unsqueeze(-1).to(theta.dtype)
        _, grad = value_and_grad(data, theta, state.penalty)
        state.grad = torch.where(which.unsqueeze(-1), grad, state.grad)
        state.s, state.y = [s * keep for s in state.s], [y * keep for y in state.y]
        return state

    def backtrack(self, data, penalty, theta, loss, d, slope, pending, new_theta):
        """Halve each pending candidate's step until Armijo holds; one that never passes stays put."""
        t = torch.full_like(loss, 0.5)
        for _ in range(self.max_halvings):
            trial = theta + t.unsqueeze(-1) * d
            with torch.no_grad():
                trial_loss = objective(data, trial, penalty)
            ok = pending & torch.isfinite(trial_loss) & (trial_loss <= loss + self.armijo * t * slope)
            new_theta = torch.where(ok.unsqueeze(-1), trial, new_theta)
            pending = pending & ~ok
            if not bool(pending.any()):
                break
            t = t / 2
        return new_theta


def value_and_grad(data: Data, theta: torch.Tensor, penalty: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    theta = theta.detach().requires_grad_(True)
    loss = objective(data, theta, penalty)
    (grad,) = torch.autograd.grad(loss.sum(), theta)
    return loss.detach(), grad


def two_loop(g: torch.Tensor, S: list[torch.Tensor], Y: list[torch.Tensor]) -> torch.Tensor:
    """H g for the L-BFGS inverse-Hessian estimate, per candidate: g (K, P) -> (K, P)."""
    q, alphas = g.clone(), []
    rhos = [1 / (s * y).sum(-1, keepdim=True).clamp_min(1e-30) for s, y in zip(S, Y)]
    for s, y, rho in reversed(list(zip(S, Y, rhos))):
        a = rho * (s * q).sum(-1, keepdim=True)
        a = torch.where((s * y).sum(-1, keepdim=True) > 0, a, 0)  # skipped pairs are all zero
        q = q - a * y
        alphas.append(a)
    if S:
        s, y = S[-1], Y[-1]
        yy = (y * y).sum(-1, keepdim=True)
        gamma = torch.where(yy > 0, (s * y).sum(-1, keepdim=True) / yy.clamp_min(1e-30), 1.0)
        q = q * gamma
    for (s, y, rho), a in zip(zip(S, Y, rhos), reversed(alphas)):
        b = rho * (y * q).sum(-1, keepdim=True)
        b = torch.where((s * y).sum(-1, keepdim=True) > 0, b, 0)
        q = q + s * (a - b)
    return q
