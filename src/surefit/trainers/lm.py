"""Levenberg-Marquardt for small networks (MATLAB's trainlm idea), K candidates at once.

Each step solves the damped Gauss-Newton system
    (J^T J + lambda * diag(J^T J)) delta = -J^T r
per candidate, accepts the step where the loss fell (and relaxes lambda), and
otherwise raises lambda. The cost is O(N P^2 + P^3) per candidate, so it suits
networks of up to several hundred parameters, where it reaches errors that
first-order methods only approach after many thousands of steps.
Written here because no kept library solves a batch of K independent damped
least-squares problems on torch tensors (scipy's least_squares does one at a time).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..nets import forward, jacobian
from .base import Data, State, Stopping, Trainer, track


@dataclass(frozen=True)
class LevenbergMarquardt(Trainer):
    damping: float = 1e-3  # initial lambda
    shrink: float = 0.3  # lambda *= shrink after a good step ...
    grow: float = 4.0  # ... and *= grow after a rejected one
    stopping: Stopping = Stopping(max_steps=600, patience=30)

    def init(self, theta: torch.Tensor, data: Data) -> State:
        state = State(theta=theta, loss=data.losses(theta))
        state.inner = torch.full_like(state.loss, self.damping)
        return track(state, self.stopping, data)

    def step(self, state: State, data: Data) -> State:
        theta, lam = state.theta, state.inner
        r = forward(data.net, theta, data.X) - data.y  # (K, N)
        J = jacobian(data.net, theta, data.X)  # (K, N, P)
        JT = J.transpose(1, 2)
        A, g = JT @ J, (JT @ r.unsqueeze(-1)).squeeze(-1)  # (K, P, P), (K, P)
        diag = A.diagonal(dim1=1, dim2=2)
        diag = diag.clamp_min(1e-9 * diag.amax(-1, keepdim=True) + 1e-30)
        L, info = torch.linalg.cholesky_ex(A + torch.diag_embed(lam.unsqueeze(-1) * diag))
        delta = -torch.cholesky_solve(g.unsqueeze(-1), L).squeeze(-1)
        trial = theta + torch.nan_to_num(delta)
        trial_loss = data.losses(trial)
        ok = state.active & (info == 0) & torch.isfinite(trial_loss) & (trial_loss < state.loss)
        state.theta = torch.where(ok.unsqueeze(-1), trial, theta)
        state.loss = torch.where(ok, trial_loss, state.loss)
        state.inner = torch.where(ok, lam * self.shrink, lam * self.grow).clamp(1e-12, 1e10)
        state.step += 1
        return track(state, self.stopping, data)
