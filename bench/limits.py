"""How close to the limit a fit is: references that do not come from any network trainer.

ReLU, one input: the best continuous piecewise-linear function with k free kinks, in the
least-squares sense on the held-out grid (free-knot least squares). For a 1-D ReLU network
k is its first layer's width: each first-layer unit puts one kink in the input; a deeper
layer adds kinks only where its units change sign, so for deep networks this is the
issue's reference ("45 free kinks reach 1.2e-4"), not a strict bound.
ReLU, two inputs, one layer: problems.best_relu_fit, the multi-start oracle of seed 001.

tanh (any smooth activation): "the Chebyshev limit", defined here as the relative RMSE on
the held-out points of the least-squares polynomial with at most as many coefficients as
the network has parameters: in one input, Chebyshev.fit of degree P - 1 (P coefficients);
in n inputs, the Chebyshev tensor products of total degree <= d, with d the largest whose
count C(d + n, n) is at most P. It says what classical approximation does with the same
budget of numbers. It is not a lower bound: a tanh network places its units where the
target bends and can beat it (log(x) on [0.01, 1], whose singularity sits just outside
the domain, is such a case).

Every limit is fitted on the held-out points themselves (the best its class can do on
the metric the tables report), with each input mapped to [-1, 1].
"""
from __future__ import annotations

import functools
import itertools
import math

import numpy as np
from numpy.polynomial import chebyshev
from scipy.optimize import least_squares
from threadpoolctl import threadpool_limits

from peer_cases import mlp_params
from problems import best_relu_fit

RANDOM_STARTS = 8  # besides the even and the curvature-based starts ...
JITTERED = 4  # ... and restarts near the best knots found,
COARSE = 1000  # on about this many of the points,
POLISHED = 3  # then the best few refined on all of them


# ---------------------------------------------------------------- free-knot piecewise-linear least squares

def basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """(n, k + 2): 1, x, and one hinge max(x - t, 0) per knot: every continuous PL function with these kinks."""
    return np.hstack([np.ones((len(x), 1)), x[:, None], np.maximum(x[:, None] - knots[None, :], 0)])


def _solve(x, y, knots):
    """Residual A c - y of the least-squares coefficients c, c, and an orthonormal basis Q of A's columns."""
    Q, R = np.linalg.qr(basis(x, knots))
    c = np.linalg.lstsq(R, Q.T @ y, rcond=None)[0]  # (k + 2) square: cheap, and safe when knots coincide
    return Q @ (Q.T @ y) - y, c, Q


def _residual(knots, x, y):
    return _solve(x, y, knots)[0]


def _jacobian(knots, x, y):
    """Variable projection (Kaufman): d r / d t_j = P_perp dA/dt_j c = -c_j P_perp step(x - t_j)."""
    _, c, Q = _solve(x, y, knots)
    D = -(x[:, None] > knots[None, :]).astype(float) * c[2:]  # (n, k)
    return D - Q @ (Q.T @ D)


def starts(x: np.ndarray, y: np.ndarray, k: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Even knots, knots spread by |f''|^(2/5) (the asymptotically best density for L2), random ones."""
    lo, hi = x[0], x[-1]
    even = np.linspace(lo, hi, k + 2)[1:-1]
    bend = np.abs(np.gradient(np.gradient(y, x), x)) ** 0.4 + 1e-12
    cdf = np.cumsum(bend) / bend.sum()
    curved = np.interp((np.arange(k) + 0.5) / k, cdf, x)
    return [even, curved] + [np.sort(rng.uniform(lo, hi, k)) for _ in range(RANDOM_STARTS)]


def _local(x, y, t0, tol):
    """(RMSE, knots) of a local least-squares fit of the knots from t0, x in [-1, 1]."""
    fit = least_squares(_residual, np.clip(t0, -1 + 1e-9, 1 - 1e-9), jac=_jacobian, bounds=(-1, 1),
                        args=(x, y), method="trf", xtol=tol, ftol=tol)
    return float(np.sqrt(np.mean(fit.fun ** 2))), fit.x


def free_knot_fit(x: np.ndarray, y: np.ndarray, k: int, seed: int = 0) -> tuple[float, np.ndarray]:
    """(relative RMSE, knots) of the best continuous PL fit with k kinks found from many starts:
    every start on at most COARSE points, the best few polished on all. x (n,) sorted, y (n,).
    One BLAS thread: the matrices are small, and a second thread only waits (10x slower on a busy machine)."""
    with threadpool_limits(1):
        return _free_knot_fit(x, y, k, seed)


def _free_knot_fit(x, y, k, seed):
    rng = np.random.default_rng(seed)
    u = 2 * (x - x[0]) / (x[-1] - x[0]) - 1  # [-1, 1]
    v = (y - y.mean()) / y.std()
    sub = np.unique(np.linspace(0, len(u) - 1, min(len(u), COARSE)).round().astype(int))
    coarse = [_local(u[sub], v[sub], t, 1e-8) for t in starts(u[sub], v[sub], k, rng)]
    best = min(coarse, key=lambda f: f[0])[1]
    coarse += [_local(u[sub], v[sub], best + rng.normal(0, 0.2 / (k + 1), k), 1e-8) for _ in range(JITTERED)]
    polished = [_local(u, v, t, 1e-12) for _, t in sorted(coarse, key=lambda f: f[0])[:POLISHED]]
    error, knots = min(polished, key=lambda f: f[0])
    return error, np.sort(x[0] + (knots + 1) * (x[-1] - x[0]) / 2)


# ---------------------------------------------------------------- the Chebyshev limit

def total_degree(n_inputs: int, budget: int) -> int:
    """The largest total degree d whose C(d + n, n) coefficients fit in the budget."""
    d = 0
    while math.comb(d + 1 + n_inputs, n_inputs) <= budget:
        d += 1
    return d


def chebyshev_fit(X: np.ndarray, y: np.ndarray, budget: int) -> tuple[float, int]:
    """(relative RMSE, degree) of the least-squares Chebyshev polynomial with at most `budget`
    coefficients. X (n, d) already in [-1, 1]^d."""
    n, d = X.shape
    if d == 1:
        deg = budget - 1
        fit = chebyshev.Chebyshev.fit(X[:, 0], y, deg, domain=[-1, 1])
        return float(np.sqrt(np.mean((fit(X[:, 0]) - y) ** 2)) / y.std()), deg
    deg = total_degree(d, budget)
    V = [chebyshev.chebvander(X[:, i], deg) for i in range(d)]  # d x (n, deg + 1)
    columns = [np.prod([V[i][:, p] for i, p in enumerate(powers)], axis=0)
               for powers in itertools.product(range(deg + 1), repeat=d) if sum(powers) <= deg]
    A = np.stack(columns, axis=1)
    c = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(np.sqrt(np.mean((A @ c - y) ** 2)) / y.std()), deg


# ---------------------------------------------------------------- the limit of a case's network

@functools.lru_cache(maxsize=None)
def limit(case) -> tuple[float, str] | None:
    """(relative RMSE, what it is) for the case's network, or None where none is defined here."""
    problem = case.problem
    X = 2 * (problem.X_eval - problem.X_eval.min(0)) / np.ptp(problem.X_eval, axis=0) - 1
    n_inputs, width = X.shape[1], case.hidden[0]
    if case.activation == "relu" and n_inputs == 1:
        order = np.argsort(X[:, 0])
        error, _ = free_knot_fit(X[order, 0], problem.y_eval[order], width)
        return error, f"best continuous piecewise-linear fit with {width} free kinks"
    if case.activation == "relu" and n_inputs == 2 and len(case.hidden) == 1:
        return best_relu_fit(problem, width), f"best {width}-unit ReLU network (multi-start least squares)"
    if case.activation == "relu":
        return None
    error, deg = chebyshev_fit(X, problem.y_eval, mlp_params(case))
    return error, f"Chebyshev least squares of total degree {deg} ({mlp_params(case)} parameters at most)"
