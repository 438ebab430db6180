"""Levenberg-Marquardt for big networks: the damped Gauss-Newton system solved by conjugate
gradients, J^T J never formed.

lm.py forms Kaufman's A = J^T (I - Q Q^T) J, O(N P^2), and factors it, O(P^3): seconds a
step for a 45,45 network (2206 parameters). Conjugate gradients need only products
A v = J^T (u - Q Q^T u) with u = J v, each O(N P) from every layer's inputs h and backward
deltas d (the Jacobian's block of layer l is h_{l-1} x d_l):
    J v = sum over layers of ((h V + v_b) * d), summed over units,
    J^T u = per layer (h^T (u * d), sum of u * d),
so a step of m iterations costs O(m N P) and O(N units) memory. Preconditioned by the
damped diagonal diag(J^T J) (1 + lambda), Marquardt's scaling floored as in lm.py (the
Kaufman correction of the diagonal would cost w + 1 more products); stopped at a relative
residual CG_TOL or after CG_ITERATIONS. Started from zero, every iterate lowers the
damped model, so a truncated solve is still a descent step (Steihaug 1983).

Measured against L-BFGS, which networks above LM_MAX_PARAMS used before (data init, one
thread, loaded 2-core AMD EPYC, 3 seeds; relative RMSE on the training points):
x^2 + x, 45,45 relu (2206 parameters, 1000 points): 3e-4 after 0.1 s (L-BFGS: 0.6-2.8 s)
and 5-6e-5 after 56-76 steps (L-BFGS: 2.3-2.8e-4 after its 600); exp(sin(pi x) + y^2),
30,30 tanh (1051, 1000 random points): 1e-3 after 1.0 s, 4.9e-5 and 8.3e-5 after 300
steps, where L-BFGS stayed at 4.7e-3 after 600. (Factored LM reached 1e-4 in 2 s there:
near 1000 parameters forming A still pays; the switch stays at LM_MAX_PARAMS.)
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..nets import Pass, deltas, output_features
from .base import Data
from .lm import LevenbergMarquardt, LMState, projector

CG_ITERATIONS = 100
CG_TOL = 1e-4
NASH = 0.1


@dataclass(frozen=True)
class ConjugateGradientLM(LevenbergMarquardt):
    """LevenbergMarquardt whose damped system is solved by preconditioned conjugate gradients."""
    iterations: int = CG_ITERATIONS
    tol: float = CG_TOL

    def at_once(self, N: int, theta: torch.Tensor) -> bool:
        return True  # its memory is O(N units), not O(N P): no chunks needed

    def direction(self, state: LMState, data: Data, hidden: int, at_once: bool, penalty: torch.Tensor):
        theta, ridge = state.theta, penalty[:, :hidden]  # (K, hidden) fixed: plan refuses a ridge that adapts
        r = state.run.zs[-1].squeeze(-1) - data.y  # (K, N)
        J = Products(data.net, theta, data.X, state.run)
        H = output_features(data.net, theta, data.X, state.run)
        Q = projector(H, penalty[:, hidden:])  # what the output layer can do
        g = J.t(r) + ridge * theta[:, :hidden]
        D = self.scaling(J.diagonal())
        damped = state.damping.unsqueeze(-1) * D

        def A(v: torch.Tensor) -> torch.Tensor:  # (Kaufman's A + lambda D) v
            u = J(v)
            u = u - (Q @ (Q.transpose(1, 2) @ u.unsqueeze(-1))).squeeze(-1)
            return J.t(u) + (ridge + damped) * v

        delta = conjugate_gradients(A, -g, 1 / (D + damped + ridge), self.iterations, self.tol)
        return delta, torch.isfinite(delta).all(-1), None


class Products:
    """J v and J^T u for the hidden parameters of K candidates, from a forward pass."""

    def __init__(self, net, theta: torch.Tensor, X: torch.Tensor, run: Pass):
        self.inputs = [X.expand(theta.shape[0], *X.shape)] + run.hs[:-1]  # h_{l-1} (K, N, a)
        self.deltas = deltas(net, theta, run)[:-1]  # d out / d z_l (K, N, b) of the hidden layers
        self.shapes = [(h.shape[-1], d.shape[-1]) for h, d in zip(self.inputs, self.deltas)]

    def __call__(self, v: torch.Tensor) -> torch.Tensor:
        """J v: (K, hidden) -> (K, N)."""
        out, i = 0, 0
        for (a, b), h, d in zip(self.shapes, self.inputs, self.deltas):
            V, vb = v[:, i: i + a * b].reshape(-1, a, b), v[:, i + a * b: i + a * b + b]
            out = out + ((h @ V + vb.unsqueeze(1)) * d).sum(-1)
            i += a * b + b
        return out

    def t(self, u: torch.Tensor) -> torch.Tensor:
        """J^T u: (K, N) -> (K, hidden)."""
        parts = []
        for h, d in zip(self.inputs, self.deltas):
            ud = u.unsqueeze(-1) * d  # (K, N, b)
            parts += [(h.transpose(1, 2) @ ud).flatten(1), ud.sum(1)]
        return torch.cat(parts, dim=-1)

    def diagonal(self) -> torch.Tensor:
        """diag(J^T J) (K, hidden)."""
        parts = []
        for h, d in zip(self.inputs, self.deltas):
            d2 = d.pow(2)
            parts += [(h.pow(2).transpose(1, 2) @ d2).flatten(1), d2.sum(1)]
        return torch.cat(parts, dim=-1)


def conjugate_gradients(A, b: torch.Tensor, inverse_diagonal: torch.Tensor, iterations: int,
                        tol: float) -> torch.Tensor:
    """x (K, n) with A x ~ b for each candidate, by Jacobi-preconditioned conjugate gradients from
    zero. A candidate stops when its residual is below tol of |b|, or when the model
    q(x) = x^T A x / 2 - b^T x (= -b^T x / 2 on CG's iterates) fell by less than NASH of its
    value per iteration, times the iterations taken (Nash's truncation rule, 1985): the
    iterations go where they still pay. All stop after `iterations`."""
    x = torch.zeros_like(b)
    residual = b.clone()
    z = inverse_diagonal * residual
    p, rz = z.clone(), (residual * z).sum(-1)
    going = torch.ones(b.shape[0], dtype=torch.bool)
    q = torch.zeros_like(rz)
    for i in range(1, iterations + 1):
        Ap = A(p)
        alpha = torch.where(going, rz / (p * Ap).sum(-1).clamp_min(1e-300), 0.0)
        x = x + alpha.unsqueeze(-1) * p
        residual = residual - alpha.unsqueeze(-1) * Ap
        q, q_old = -0.5 * (b * x).sum(-1), q
        going &= (residual.norm(dim=-1) > tol * b.norm(dim=-1)) & (i * (q - q_old) < NASH * q)
        if not bool(going.any()):
            break
        z = inverse_diagonal * residual
        rz, rz_old = (residual * z).sum(-1), rz
        p = z + (rz / rz_old.clamp_min(1e-300)).unsqueeze(-1) * p
    return x
