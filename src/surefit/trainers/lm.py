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
  4. keeps the step where the loss fell and no ReLU unit turned around (nets.turned_around),
     relaxing lambda, else raises lambda.
The trial's forward pass is kept for the next step's Jacobian: one pass a step.
The floor and a tiny ridge in the output solve (nets.solve_output) are what let
log(x) with 20 tanh units go below 1e-6: without them every step near 5e-6 failed.
plan.py picks the floor by activation.
A `ridge` adds a weight penalty to what LM minimises (measured data): the output layer
is then a ridge solve (with its share of the ridge, ridge.py) and the curvature gains
ridge * I; `Evidence` re-estimates the ridge after every step (Bayesian regularisation).
Eliminating the linear weights removes the worst-conditioned directions of the
problem; on smooth targets it reaches errors several orders lower than plain LM
in the same number of steps. Cost O(N P^2 + P^3) per candidate and step; memory
O(N P) when the rows fit in one chunk, else the step's sums are taken chunk by chunk
(rows.py) in O(rows P + P^2).
Written here because no kept library solves a batch of K independent damped
least-squares problems on torch tensors (scipy's least_squares does one at a time).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ..nets import Pass, forward_pass, jacobian, output_features, solve_output, turned_around, with_output
from .base import Data, Stopping, track
from .penalised import Penalised, PenalisedState
from .ridge import Linearised, Ridge, objective, penalised
from .rows import chunk_rows, chunks, gram, output_solved, sum_rows, tsqr


@dataclass(kw_only=True)
class LMState(PenalisedState):
    damping: torch.Tensor = field(repr=False)  # (K,) each candidate's Marquardt lambda
    run: Pass | None = field(default=None, repr=False)  # theta's forward pass, if kept (nets.Pass)


@dataclass(frozen=True)
class LevenbergMarquardt(Penalised):
    damping: float = 1e-3  # initial lambda
    shrink: float = 0.3  # lambda *= shrink after a good step ...
    grow: float = 4.0  # ... and *= grow after a rejected one
    min_scale: float = 1e-3  # floor of Marquardt's scaling diag(J^T J), as a share of its largest entry
    ridge: Ridge = Ridge()
    stopping: Stopping = Stopping(max_steps=300, patience=20)

    def start(self, theta: torch.Tensor, data: Data) -> LMState:
        fields = self.begin(theta, data)
        return LMState(damping=torch.full_like(fields["loss"], self.damping), **fields)

    def step(self, state: LMState, data: Data) -> LMState:
        theta, lam, penalty = state.theta, state.damping, state.penalty
        hidden = data.net.n_params - (data.net.widths[-2] + 1)  # theta[:, :hidden] is nonlinear
        at_once = self.at_once(len(data.y), theta)
        if at_once:
            state.run = state.run or forward_pass(data.net, theta, data.X)
        delta, solved, linear = self.direction(state, data, hidden, at_once, penalty)
        trial = theta.clone()
        trial[:, :hidden] += torch.nan_to_num(delta)
        if at_once:
            trial, trial_loss, run = trial_at_once(data, trial, penalty)
        else:
            trial = output_solved(data.net, trial, data.X, data.y, penalty)
            trial_loss, run = objective(data, trial, penalty), None
        # a step that turns a ReLU unit around left the region where the linear model holds (its
        # active side flipped): abs(x + 0.3), 2 units, 5 of 200 single networks failed so
        ok = state.active & solved & torch.isfinite(trial_loss) & (trial_loss < state.loss)
        ok &= ~turned_around(data.net, theta, trial)
        state.theta = torch.where(ok.unsqueeze(-1), trial, theta)
        state.loss = torch.where(ok, trial_loss, state.loss)
        state.damping = torch.where(ok, lam * self.shrink, lam * self.grow).clamp(1e-12, 1e10)
        state.run = None if run is None else kept(ok, run, state.run)
        if self.ridge.adapts:
            self.reestimate(state, data, ok, linear)
            state.run = None  # the output layer moved with the ridge
        state.step += 1
        return track(state, self.stopping, data)

    def at_once(self, N: int, theta: torch.Tensor) -> bool:
        """Whether a step takes all N rows at once (else its sums go chunk by chunk, rows.py)."""
        return N <= chunk_rows(*theta.shape)

    def direction(self, state: LMState, data: Data, hidden: int, at_once: bool, penalty: torch.Tensor):
        """(the damped Gauss-Newton step (K, hidden), whether it was solved (K,), the linearised
        network if the ridge adapts, else None), from Kaufman's A formed and factored; penalty
        (K, P) each parameter's ridge (PenalisedState.penalty)."""
        weights = state.weights if self.ridge.adapts else None
        p = self.ridge.columns(data.net)
        if at_once:
            g, A, linear = system(data, state.theta, penalty, hidden, state.run, weights, p)
        else:
            g, A, linear = system_by_chunks(data, state.theta, penalty, hidden, weights, p)
        D = self.scaling(A.diagonal(dim1=1, dim2=2))
        L, info = torch.linalg.cholesky_ex(A + torch.diag_embed(state.damping.unsqueeze(-1) * D))
        return -torch.cholesky_solve(g.unsqueeze(-1), L).squeeze(-1), info == 0, linear

    def scaling(self, diag: torch.Tensor) -> torch.Tensor:
        """Marquardt's D (K, n) from the curvature's diagonal, floored at min_scale of its largest
        entry. Kaufman's J is near zero along directions whose curvature it leaves out; unfloored,
        the scaling would take huge steps along them and every step would fail."""
        return diag.clamp_min(self.min_scale * diag.amax(-1, keepdim=True) + 1e-30)

    def forget(self, state: LMState, theta: torch.Tensor, which: torch.Tensor, data: Data) -> LMState:
        state.run = None
        return super().forget(state, theta, which, data)


def system(data: Data, theta, penalty, hidden: int, run: Pass, weights, p: int = 0):
    """(gradient g (K, hidden), Kaufman's A (K, hidden, hidden), the linearised network if the
    ridge adapts (weights (K, P) given, ridge.py), with the loadings of theta's first p parameters,
    else None) at theta, whose output layer is solved, from all rows at once. penalty (K, P): each
    parameter's ridge."""
    r = run.zs[-1].squeeze(-1) - data.y  # (K, N)
    J = jacobian(data.net, theta, data.X, run)[..., :hidden]  # (K, N, hidden)
    H = output_features(data.net, theta, data.X, run)  # (K, N, w+1)
    Q = projector(H, penalty[:, hidden:])  # (K, N, w+1)
    g = (r.unsqueeze(1) @ J).squeeze(1) + penalty[:, :hidden] * theta[:, :hidden]  # the exact gradient, output solved
    JJ = gram(J)
    A = JJ - gram(Q.transpose(1, 2) @ J) + torch.diag_embed(penalty[:, :hidden])  # Kaufman
    if weights is None:
        return g, A, None
    J_all = torch.cat([J, H], dim=-1)  # (K, N, P): the output weights' columns are the features
    z = (J_all @ theta.unsqueeze(-1)).squeeze(-1) - r
    G = weighted_gram(JJ, H.transpose(1, 2) @ J, H.transpose(1, 2) @ H, weights)
    return g, A, Linearised.of(J_all * weights.rsqrt()[:, None, :], z, G, p)


def system_by_chunks(data: Data, theta, penalty, hidden: int, weights, p: int = 0):
    """system(), its sums taken over chunks of rows (rows.py): Q^T J = R^-T (H^T J), with R
    the tall-skinny QR of H (and of diag(sqrt(penalty)) below it, as projector's Q)."""
    net, K = data.net, theta.shape[0]

    def part(rows: slice):
        X, y = data.X[rows], data.y[rows]
        run = forward_pass(net, theta, X)
        r = run.zs[-1].squeeze(-1) - y
        J = jacobian(net, theta, X, run)[..., :hidden]
        H = output_features(net, theta, X, run)
        sums = [H, (r.unsqueeze(1) @ J).squeeze(1), gram(J), H.transpose(1, 2) @ J]
        if weights is not None:
            J_all = torch.cat([J, H], dim=-1)
            z = (J_all @ theta.unsqueeze(-1)).squeeze(-1) - r
            sums += [gram(H), (z.unsqueeze(1) @ J_all).squeeze(1), z.pow(2).sum(-1)]
        return sums

    R, parts = None, []
    for rows in chunks(len(data.y), chunk_rows(K, net.n_params)):
        H, *sums = part(rows)
        R = tsqr([H] if R is None else [R, H])
        parts.append(sums)
    Jr, JJ, HJ, *rest = sum_rows(parts)
    if bool((penalty > 0).any()):
        R = tsqr([R, torch.diag_embed(penalty[:, hidden:].clamp_min(0).sqrt())])
    QJ = torch.linalg.solve_triangular(R.transpose(1, 2), HJ, upper=False)  # Q^T J (K, w+1, hidden)
    g = Jr + penalty[:, :hidden] * theta[:, :hidden]
    A = JJ - gram(QJ) + torch.diag_embed(penalty[:, :hidden])
    if weights is None:
        return g, A, None
    HH, Jz, zz = rest
    G = weighted_gram(JJ, HJ, HH, weights)
    return g, A, Linearised.of_sums(G, Jz * weights.rsqrt(), zz, len(data.y), p)


def trial_at_once(data: Data, trial, penalty):
    """(trial with its output layer solved, its objective, its forward pass): one pass where
    solve_output and objective would take two, with the same result bit for bit."""
    run = forward_pass(data.net, trial, data.X)
    trial = solve_output(data.net, trial, data.X, data.y, penalty, H=output_features(data.net, trial, data.X, run))
    run = with_output(data.net, trial, run)
    losses = (run.zs[-1].squeeze(-1) - data.y).pow(2).mean(-1)
    return trial, penalised(losses, trial, penalty, len(data.y)), run


def kept(ok: torch.Tensor, new: Pass, old: Pass) -> Pass:
    """The pass of the candidates where they now stand: new where ok (K,), else old."""
    pick = lambda a, b: torch.where(ok[:, None, None], a, b)  # noqa: E731
    return Pass([pick(a, b) for a, b in zip(new.zs, old.zs)], [pick(a, b) for a, b in zip(new.hs, old.hs)])


def projector(H: torch.Tensor, penalty: torch.Tensor) -> torch.Tensor:
    """Q (K, N, w+1) with Q Q^T = H (H^T H + diag(penalty))^-1 H^T: what the output layer can do,
    penalty (K, w+1) its parameters' ridges. Unregularised, Q is H's own; with a ridge, the top
    N rows of the Q of [H; diag(sqrt(penalty))]."""
    if not bool((penalty > 0).any()):
        return torch.linalg.qr(H).Q
    N = H.shape[1]
    root = torch.diag_embed(penalty.clamp_min(0).sqrt())
    return torch.linalg.qr(torch.cat([H, root], dim=1)).Q[:, :N]


def weighted_gram(JJ: torch.Tensor, HJ: torch.Tensor, HH: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """The Gauss-Newton matrix of every parameter, [J H]^T [J H] (K, P, P), from J^T J, H^T J
    and H^T H (the output weights' columns of the Jacobian are the features H themselves), in
    the coordinates where every penalty weight (K, P) is 1 (ridge.py)."""
    s = weights.rsqrt()
    G = torch.cat([torch.cat([JJ, HJ.transpose(1, 2)], dim=2), torch.cat([HJ, HH], dim=2)], dim=1)
    return G * s[:, :, None] * s[:, None, :]
