"""Error bars of a network fitted to measured data: how far its prediction may be from the truth.

MacKay (1992, "A practical Bayesian framework for backpropagation networks", section 3): under
the Bayesian regularisation that chose the penalty, the weights' posterior is, to second
order about the fit theta, Gaussian with precision A = (J^T J + diag(penalty)) / sigma^2 (J the
network's Jacobian on the training rows, the penalty each parameter's ridge, sigma the noise
level, all in scaled units: Gauss-Newton's curvature, as the trainers take it). A prediction
f(x) then has the variance g^T A^-1 g, g = df(x)/dtheta: small where the data pin the network
down, larger between far-apart rows and beyond them. New measurements at x scatter by
sigma^2 more. Measured (/tmp/s30/bars.py, the noisy benchmark's data, 4-6 data seeds): the share of a
dense grid where the truth lies within 2 standard deviations of the fit, median: sin(2x) at 10% /
30% noise, 8 tanh, 0.95 / 0.97; sin(6x) at 10% 0.91; a triangle wave at 10%, 8 relu, 0.98; a step
at 30%, 8 tanh, 0.99; 64,64 tanh on sin(2x) at 10% 0.94, 64,64 relu at 30% 0.84.
Written here because no kept library linearises a torch network's posterior.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .errors import SurefitError
from .nets import jacobian

CURVATURE_ROWS = 2000  # rows J^T J is summed over, scaled to all N: a sum over many rows, it needs no more
JITTERS = (1e-12, 1e-9, 1e-6)  # of A's largest diagonal entry, added in turn until A factors: where no penalty
# holds a direction (an unpenalised fit with more weights than rows) A is singular, and those directions' error bars
# are as large as the jitter leaves them: nothing pins them down


@dataclass(frozen=True)
class Posterior:
    """What a fit's error bars need beside its weights, in scaled units: kept with the model, so a
    saved model has them too (store.py)."""
    inputs: np.ndarray  # (n, d) the training rows J^T J is summed over, at most CURVATURE_ROWS
    rows: int  # N, every training row: the sum is scaled to them
    penalty: np.ndarray  # (P,) each parameter's ridge
    sigma: float  # the noise level

    @classmethod
    def of(cls, X: np.ndarray, penalty: np.ndarray, sigma: float) -> "Posterior":
        """From the scaled training inputs X (N, d): every row, or CURVATURE_ROWS evenly spaced."""
        rows = slice(None) if len(X) <= CURVATURE_ROWS else np.linspace(0, len(X) - 1, CURVATURE_ROWS).astype(int)
        return cls(np.ascontiguousarray(X[rows], dtype=np.float64), len(X), np.array(penalty, dtype=np.float64),
                   float(sigma))


def posterior_factor(net, theta: np.ndarray, posterior: Posterior) -> torch.Tensor:
    """(P, P) the Cholesky factor of J^T J + diag(penalty) at theta (P,) over the posterior's
    training rows: the posterior precision times sigma^2."""
    theta_t = torch.as_tensor(theta, dtype=torch.float64)[None]
    J = jacobian(net, theta_t, torch.as_tensor(posterior.inputs))[0]  # (n, P)
    A = J.T @ J * (posterior.rows / J.shape[0]) + torch.diag(torch.as_tensor(posterior.penalty))
    eye = A.diagonal().max() * torch.eye(len(A), dtype=A.dtype)
    for jitter in JITTERS:
        factor, info = torch.linalg.cholesky_ex(A + jitter * eye)
        if info == 0:
            return factor
    raise SurefitError("the curvature of this fit's weights is not positive even with a jitter: no error bars")


def prediction_sd(net, theta: np.ndarray, factor: torch.Tensor, sigma: float, X: np.ndarray) -> np.ndarray:
    """(n,) the standard deviation of the network's prediction at the scaled inputs X (n, d), in
    scaled units: sigma * sqrt(g^T (J^T J + diag(penalty))^-1 g)."""
    theta_t = torch.as_tensor(theta, dtype=torch.float64)[None]
    out = []
    for start in range(0, len(X), CURVATURE_ROWS):  # (CURVATURE_ROWS, P) Jacobians at a time
        G = jacobian(net, theta_t, torch.as_tensor(X[start:start + CURVATURE_ROWS], dtype=torch.float64))[0]
        half = torch.linalg.solve_triangular(factor, G.T, upper=False)  # (P, n): L^-1 g
        out.append(sigma * half.pow(2).sum(0).sqrt().numpy())
    return np.concatenate(out) if out else np.zeros(0)


def training_leverage(net, theta: np.ndarray, posterior: Posterior) -> np.ndarray | None:
    """(N,) each training row's leverage, the hat matrix's diagonal J A^-1 J^T (A = J^T J +
    diag(penalty)), in the space of the rows: K (I + K)^-1 with K = J diag(penalty)^-1 J^T, O(N^2 P)
    where (g^T A^-1 g row by row, as the error bars go) is O(P^3): 64,64 on 200 rows, 4 s against
    0.1. None where it does not apply: the posterior keeps a subsample of the rows, there are more
    rows than weights, or a weight goes unpenalised."""
    X, penalty = posterior.inputs, posterior.penalty
    if posterior.rows != len(X) or len(X) >= len(penalty) or not (penalty > 0).all():
        return None
    theta_t = torch.as_tensor(theta, dtype=torch.float64)[None]
    J = jacobian(net, theta_t, torch.as_tensor(X))[0]  # (N, P)
    K = (J / torch.as_tensor(penalty)) @ J.T  # (N, N)
    return torch.linalg.solve(torch.eye(len(K), dtype=K.dtype) + K, K).diagonal().numpy().copy()
