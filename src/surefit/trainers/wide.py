"""Levenberg-Marquardt for wide networks: more parameters P than training points N.

lm.py's step solves a P x P system, O(P^3): for a 64,64 network (4353 parameters) that is
seconds a step. With N < P the same damped Gauss-Newton step lives in the N-dimensional
space of the data points (the Woodbury identity): with c = ridge + lambda,
    (J^T J + c I)^-1 g = (g - J^T (J J^T + c I)^-1 J g) / c,
so a step costs O(N^2 P + N^3). The damping is Levenberg's (c I): Marquardt's scaling
diag(J^T J) would break the identity. The step is taken in the coordinates theta * sqrt(weight),
where the penalty is ridge I for every parameter (the output layer's share, ridge.py). After
each step the output layer is re-solved exactly for the new hidden weights (nets.solve_output,
with the ridge), as in lm.py.
J J^T also gives the Gauss-Newton matrix's non-zero eigenvalues, which is all an adapting
ridge (ridge.Evidence) needs. Cost per step and candidate: O(N^2 P + N^3).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ..nets import forward, jacobian, solve_output
from .base import Data, Stopping, track
from .penalised import Penalised, PenalisedState, restart
from .ridge import Linearised, Ridge, objective


@dataclass(kw_only=True)
class WideState(PenalisedState):
    damping: torch.Tensor = field(repr=False)  # (K,) Levenberg's lambda


@dataclass(frozen=True)
class WideLevenbergMarquardt(Penalised):
    damping: float = 1e-3  # initial lambda, as a share of the largest eigenvalue of J J^T
    shrink: float = 0.3
    grow: float = 4.0
    ridge: Ridge = Ridge()
    stopping: Stopping = Stopping(max_steps=300, patience=20)

    def start(self, theta: torch.Tensor, data: Data) -> WideState:
        fields = self.begin(theta, data)
        fields["gamma"] = fields["gamma"].clamp_max(len(data.y))
        return WideState(damping=torch.full_like(fields["loss"], self.damping), **fields)

    def step(self, state: WideState, data: Data) -> WideState:
        theta, ridge, weights = state.theta, state.ridge, state.weights  # weights (K, P)
        root = weights.sqrt()  # the step is taken where the penalty is ridge I
        r = forward(data.net, theta, data.X) - data.y  # (K, N)
        J = jacobian(data.net, theta, data.X) / root[:, None, :]  # (K, N, P)
        JJ = J @ J.transpose(1, 2)  # (K, N, N)
        scale = JJ.diagonal(dim1=1, dim2=2).amax(-1)  # (K,) so lambda is relative to the data's curvature
        g = (r.unsqueeze(1) @ J).squeeze(1) + ridge[:, None] * theta * root  # (K, P)
        c = (ridge + state.damping * scale).clamp_min(1e-300)  # (K,)
        eye = torch.eye(JJ.shape[-1], dtype=JJ.dtype)
        L, info = torch.linalg.cholesky_ex(JJ + c[:, None, None] * eye)
        u = torch.cholesky_solve((J @ g.unsqueeze(-1)), L)  # (K, N, 1)
        delta = -(g - (J.transpose(1, 2) @ u).squeeze(-1)) / c[:, None] / root
        penalty = state.penalty
        trial = solve_output(data.net, theta + torch.nan_to_num(delta), data.X, data.y, penalty)
        trial_loss = objective(data, trial, penalty)
        ok = state.active & (info == 0) & torch.isfinite(trial_loss) & (trial_loss < state.loss)
        state.theta = torch.where(ok.unsqueeze(-1), trial, theta)
        state.loss = torch.where(ok, trial_loss, state.loss)
        state.damping = torch.where(ok, state.damping * self.shrink, state.damping * self.grow).clamp(1e-15, 1e10)
        if self.ridge.adapts:
            z = (J @ (theta * root).unsqueeze(-1)).squeeze(-1) - r  # the linearised network's pseudo-targets
            before = state.ridge
            self.reestimate(state, data, ok, Linearised.of_points(JJ, z, J[..., :self.ridge.columns(data.net)]))
            restart(state, before, data.groups)
        state.step += 1
        return track(state, self.stopping, data)
