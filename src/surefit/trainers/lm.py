"""Levenberg-Marquardt with variable projection, for small networks, K candidates at once.

MATLAB's trainlm idea, plus one classic refinement (Golub & Pereyra's variable
projection, with Kaufman's Jacobian): the output layer is linear, so for any
hidden weights its best value is a least-squares solve. Each step
  1. solves the output layer exactly from the current hidden features H (K, N, w+1),
  2. takes the Jacobian J of the prediction w.r.t. the hidden weights and, for the
     curvature only, projects out what the output layer can already do:
     A = J^T (I - Q Q^T) J, computed as J^T J - (Q^T J)^T (Q^T J),
  3. solves the damped Gauss-Newton system (A + lambda D) delta = -J^T r, with D
     Marquardt's diag(A) floored at min_scale of its largest entry,
  4. keeps the step where the loss fell (relaxing lambda), else raises lambda.
The floor and a tiny ridge in the output solve (nets.solve_output) are what let
log(x) with 20 tanh units go below 1e-6: without them every step near 5e-6 failed.
plan.py picks the floor by activation.
A `ridge` adds a weight penalty to what LM minimises (measured data): the output layer
is then a ridge solve and the curvature gains ridge * I; `Evidence` re-estimates the
ridge after every step (Bayesian regularisation).
Eliminating the linear weights removes the worst-conditioned directions of the
problem; on smooth targets it reaches errors several orders lower than plain LM
in the same number of steps. Cost O(N P^2 + P^3) per candidate and step.
Written here because no kept library solves a batch of K independent damped
least-squares problems on torch tensors (scipy's least_squares does one at a time).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ..nets import forward, jacobian, output_features, solve_output
from .base import Data, State, Stopping, track
from .ridge import Linearised, Penalised, Ridge, objective


@dataclass(kw_only=True)
class LMState(State):
    damping: torch.Tensor = field(repr=False)  # (K,) each candidate's Marquardt lambda
    ridge: torch.Tensor = field(repr=False)  # (K,) the weight penalty alpha / beta, 0: none
    gamma: torch.Tensor = field(repr=False)  # (K,) effective number of parameters (only if the ridge adapts)


@dataclass(frozen=True)
class LevenbergMarquardt(Penalised):
    damping: float = 1e-3  # initial lambda
    shrink: float = 0.3  # lambda *= shrink after a good step ...
    grow: float = 4.0  # ... and *= grow after a rejected one
    min_scale: float = 1e-3  # floor of Marquardt's scaling diag(J^T J), as a share of its largest entry
    ridge: Ridge = Ridge()
    stopping: Stopping = Stopping(max_steps=300, patience=20)

    def start(self, theta: torch.Tensor, data: Data) -> LMState:
        theta, ridge, loss = self.begin(theta, data)
        return LMState(theta=theta, loss=loss, damping=torch.full_like(loss, self.damping), ridge=ridge,
                       gamma=torch.full_like(loss, float(data.net.n_params)))

    def step(self, state: LMState, data: Data) -> LMState:
        theta, lam, ridge = state.theta, state.damping, state.ridge
        hidden = data.net.n_params - (data.net.widths[-2] + 1)  # theta[:, :hidden] is nonlinear
        r = forward(data.net, theta, data.X) - data.y  # (K, N)
        J = jacobian(data.net, theta, data.X)[..., :hidden]  # (K, N, hidden)
        H = output_features(data.net, theta, data.X)  # (K, N, w+1)
        Q = projector(H, ridge)  # (K, N, w+1)
        g = (r.unsqueeze(1) @ J).squeeze(1) + ridge[:, None] * theta[:, :hidden]  # the exact gradient, output solved
        JJ = gram(J)
        A = JJ - gram(Q.transpose(1, 2) @ J) + torch.diag_embed(ridge[:, None].expand(-1, hidden))  # Kaufman
        diag = A.diagonal(dim1=1, dim2=2)
        # Kaufman's J is near zero along directions whose curvature it leaves out; unfloored,
        # Marquardt's scaling would take huge steps along them and every step would fail.
        diag = diag.clamp_min(self.min_scale * diag.amax(-1, keepdim=True) + 1e-30)
        L, info = torch.linalg.cholesky_ex(A + torch.diag_embed(lam.unsqueeze(-1) * diag))
        delta = -torch.cholesky_solve(g.unsqueeze(-1), L).squeeze(-1)
        trial = theta.clone()
        trial[:, :hidden] += torch.nan_to_num(delta)
        trial = solve_output(data.net, trial, data.X, data.y, ridge)
        trial_loss = objective(data, trial, ridge)
        ok = state.active & (info == 0) & torch.isfinite(trial_loss) & (trial_loss < state.loss)
        state.theta = torch.where(ok.unsqueeze(-1), trial, theta)
        state.loss = torch.where(ok, trial_loss, state.loss)
        state.damping = torch.where(ok, lam * self.shrink, lam * self.grow).clamp(1e-12, 1e10)
        if self.ridge.adapts:
            J_all = torch.cat([J, H], dim=-1)  # (K, N, P): the output weights' columns are the features
            z = (J_all @ theta.unsqueeze(-1)).squeeze(-1) - r
            self.reestimate(state, data, ok, Linearised.of(J_all, z, full_gram(JJ, J, H)))
        state.step += 1
        return track(state, self.stopping, data)




def projector(H: torch.Tensor, ridge: torch.Tensor) -> torch.Tensor:
    """Q (K, N, w+1) with Q Q^T = H (H^T H + ridge I)^-1 H^T: what the output layer can do.
    Unregularised, Q is H's own; with a ridge, the top N rows of the Q of [H; sqrt(ridge) I]."""
    if not bool((ridge > 0).any()):
        return torch.linalg.qr(H).Q
    K, N, w = H.shape
    root = ridge.clamp_min(0).sqrt()[:, None, None] * torch.eye(w, dtype=H.dtype)
    return torch.linalg.qr(torch.cat([H, root], dim=1)).Q[:, :N]


def full_gram(JJ: torch.Tensor, J: torch.Tensor, H: torch.Tensor) -> torch.Tensor:
    """The Gauss-Newton matrix of every parameter, [J H]^T [J H] (K, P, P): the output
    weights' columns of the Jacobian are the features H themselves."""
    HJ = H.transpose(1, 2) @ J  # (K, w+1, hidden)
    return torch.cat([torch.cat([JJ, HJ.transpose(1, 2)], dim=2),
                      torch.cat([HJ, H.transpose(1, 2) @ H], dim=2)], dim=1)


def gram(M: torch.Tensor) -> torch.Tensor:
    """M^T M for each candidate: (K, N, P) -> (K, P, P).

    Through numpy, whose OpenBLAS was 2.4x faster than torch's MKL for these shapes
    on this project's machines (AMD EPYC, 1 thread), and the Gram is most of a step."""
    Mn = M.detach().numpy()
    return torch.from_numpy(Mn.transpose(0, 2, 1) @ Mn)
