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


def in_rows_space(posterior: Posterior) -> bool:
    """Whether A^-1 is had cheaper through the rows (fewer of them than weights, every weight penalised)."""
    return len(posterior.inputs) < len(posterior.penalty) and bool((posterior.penalty > 0).all())


def work_per_row(posterior: Posterior) -> float:
    """Multiplications an error bar costs a row: P^2 in the weights' space, n (P + n) in the rows'."""
    n, P = len(posterior.inputs), len(posterior.penalty)
    return n * (P + n) if in_rows_space(posterior) else P * P


@dataclass(frozen=True)
class Factor:
    """A = c J^T J + D (J the Jacobian on the posterior's n rows, c = N / n, D = diag(penalty)), ready to
    give g^T A^-1 g: in the weights' space its Cholesky factor (P, P); in the rows' space, by Woodbury,
    A^-1 = D^-1 - D^-1 J^T (I / c + J D^-1 J^T)^-1 J D^-1, the factor (n, n) of the middle and J D^-1:
    64,64 relu on 200 rows, 100,000 error bars in 7.6 s against 43 s (one thread; half of it the
    Jacobians), and no (P, P) matrix of 150 MB."""
    L: torch.Tensor  # (P, P) or (n, n), lower triangular
    JD: torch.Tensor | None = None  # (n, P) J D^-1 in the rows' space; None in the weights'
    inverse_penalty: torch.Tensor | None = None  # (P,) D^-1 in the rows' space

    def quadratic(self, G: torch.Tensor) -> torch.Tensor:
        """(m,) g^T A^-1 g for each row g of G (m, P)."""
        if self.JD is None:
            return torch.linalg.solve_triangular(self.L, G.T, upper=False).pow(2).sum(0)  # |L^-1 g|^2
        prior = G.pow(2) @ self.inverse_penalty  # g^T D^-1 g
        told = torch.linalg.solve_triangular(self.L, self.JD @ G.T, upper=False).pow(2).sum(0)  # what the rows pin down
        return (prior - told).clamp(min=0)  # rounding can take a row the data pin down below 0


def posterior_factor(net, theta: np.ndarray, posterior: Posterior, rows_space: bool | None = None) -> Factor:
    """The posterior precision times sigma^2, A = c J^T J + diag(penalty) at theta (P,), factored
    (Factor) in the rows' space where in_rows_space, else the weights' (rows_space: either, forced)."""
    theta_t = torch.as_tensor(theta, dtype=torch.float64)[None]
    J = jacobian(net, theta_t, torch.as_tensor(posterior.inputs))[0]  # (n, P)
    penalty, c = torch.as_tensor(posterior.penalty), posterior.rows / J.shape[0]
    if in_rows_space(posterior) if rows_space is None else rows_space:
        JD = J / penalty
        return Factor(_cholesky(torch.eye(len(J), dtype=J.dtype) / c + JD @ J.T), JD, 1 / penalty)
    return Factor(_cholesky(J.T @ J * c + torch.diag(penalty)))


def _cholesky(A: torch.Tensor) -> torch.Tensor:
    eye = A.diagonal().max() * torch.eye(len(A), dtype=A.dtype)
    for jitter in JITTERS:
        factor, info = torch.linalg.cholesky_ex(A + jitter * eye)
        if info == 0:
            return factor
    raise SurefitError("the curvature of this fit's weights is not positive even with a jitter: no error bars")


def prediction_sd(net, theta: np.ndarray, factor: Factor, sigma: float, X: np.ndarray) -> np.ndarray:
    """(n,) the standard deviation of the network's prediction at the scaled inputs X (n, d), in
    scaled units: sigma * sqrt(g^T A^-1 g)."""
    theta_t = torch.as_tensor(theta, dtype=torch.float64)[None]
    out = []
    for start in range(0, len(X), CURVATURE_ROWS):  # (CURVATURE_ROWS, P) Jacobians at a time
        G = jacobian(net, theta_t, torch.as_tensor(X[start:start + CURVATURE_ROWS], dtype=torch.float64))[0]
        out.append(sigma * factor.quadratic(G).sqrt().numpy())
    return np.concatenate(out) if out else np.zeros(0)
