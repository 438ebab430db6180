"""A catalogue of target functions shared by the tests (optimistix's tests/helpers.py idea).

Each entry is a target, its domain, a small network that can represent it, and the
held-out relative RMSE that Levenberg-Marquardt from the data-aware init reaches
on it with the default candidates: smooth, kinked, multi-input, constant, noisy
(measured), and oscillating targets. The exact function is the oracle for every metric.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from scipy.special import j0

from surefit.expression import Expression
from surefit.problem import Problem


@dataclass(frozen=True)
class Target:
    name: str
    target: str | Callable  # an expression, or a callable of one array per variable
    domain: str
    hidden: tuple[int, ...]
    activation: str
    tol: float  # held-out relative RMSE that LM + data init reaches
    points: int | None = None
    sampling: str | None = None
    constant: bool = False
    noise: float = 0.0  # standard deviation of noise on the training targets (measured data)

    def exact(self, X: np.ndarray) -> np.ndarray:
        """The oracle: the target's true values at X (n, d)."""
        f = self.target if callable(self.target) else Expression(self.target)
        return f(*X.T)

    def fit_args(self) -> dict:
        return dict(hidden=self.hidden, activation=self.activation, points=self.points,
                    sampling=self.sampling, noise=self.noise)


def sin3(x):
    return np.sin(3 * x)


def sinc10(x):
    return np.sinc(10 * x)  # sin(10 pi x) / (10 pi x): torch-LM's example, 20 rises and falls on [-1, 1]


def sin_of(k: float) -> Callable:
    def f(x):
        return np.sin(k * x)
    f.__name__ = f"sin{k:g}x"
    return f


def chirp(x):
    return np.sin(20 * x ** 2)  # its frequency grows to 40 at the ends: 13 rises and falls


def bessel(x):
    return j0(20 * x)  # swings that shrink like 1 / sqrt(x) away from the middle


CATALOGUE = [
    # two ReLU units make |x| exactly, but 400 grid points leave the kink anywhere in
    # (-0.0025, 0.0025): exact on the training points, ~1e-4 off on the held-out grid
    Target("abs", "abs(x)", "-1:1", (2,), "relu", 1e-3),
    Target("square", "x**2", "-1:1", (8,), "tanh", 1e-5),
    Target("sin3x", sin3, "-2:2", (10,), "tanh", 1e-3),
    # no 3-unit ReLU net makes a cone: the best one (kink normals ~120 degrees apart,
    # near-zero biases) has relative RMSE ~0.109 on uniform samples, ~0.114 on the
    # held-out grid, whose corners weigh more
    Target("cone", "sqrt(x**2 + y**2)", "-1:1", (3,), "relu", 0.12),
    # on a grid, so no corner of the cube is without training points
    Target("plane", "2*x1 - x2 + 0.5*x3", "-1:1", (4,), "relu", 1e-6, sampling="grid"),
    Target("constant", "0*x + 3", "-1:1", (2,), "relu", 0.0, constant=True),
    # measured data: 200 samples with noise 0.1 (sd of sin 2x: 0.7); the fit averages the noise out
    # (Bayesian regularisation), to ~0.03 of the spread against the exact function, never into it
    Target("noisy_sine", "sin(2*x)", "-3:3", (8,), "tanh", 0.08, points=200, noise=0.1),
    # oscillating targets on 400 grid points, with about one tanh unit per rise and fall (2k / pi of
    # sin(kx) on [-1, 1]) or a few more; LM reached (150 steps, seeds 0-2) sinc 1.1e-5, sin 5x
    # 3.9e-7, 10x 3.8e-5, 20x 4.4e-4, the chirp 4.5e-4, J0 2.0e-6: tolerances about 10x above
    Target("sinc", sinc10, "-1:1", (20,), "tanh", 1e-4, points=400),
    Target("sin5x", sin_of(5), "-1:1", (8,), "tanh", 1e-5, points=400),
    Target("sin10x", sin_of(10), "-1:1", (12,), "tanh", 5e-4, points=400),
    Target("sin20x", sin_of(20), "-1:1", (20,), "tanh", 5e-3, points=400),
    Target("chirp", chirp, "-1:1", (20,), "tanh", 5e-3, points=400),
    Target("j0", bessel, "-1:1", (20,), "tanh", 1e-4, points=400),
]
BY_NAME = {t.name: t for t in CATALOGUE}


# ---------------------------------------------------------------- measured data: noisy samples, the truth's error

GRID = np.linspace(-3, 3, 2001)  # where a fit of noisy samples on [-3, 3] is held against the truth


def sine(x):
    return np.sin(2 * x)


def noisy(truth, sigma, seed=0, N=200):
    """N random points on [-3, 3] and truth there plus Gaussian noise sigma."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, (N, 1))
    return X, truth(X[:, 0]) + sigma * rng.standard_normal(N)


def noisy_sine(sigma, seed=0, N=200):
    return noisy(sine, sigma, seed, N)


def truth_error(result, truth=sine):
    return float(np.sqrt(np.mean((result.predict(GRID) - truth(GRID)) ** 2)))


class Step:
    """A stand-in network: the step sign(x - at), as a fit that placed a jump at `at` would be."""
    posterior = None  # no error bars: plain residuals

    def __init__(self, at: float):
        self.at = at

    def predict(self, X) -> np.ndarray:
        return np.sign(np.asarray(X, dtype=float)[:, 0] - self.at)


def step_gap(peak: bool = False) -> Problem:
    """Training rows every 0.02 on [-1, 1], held-out rows halfway between them, 5% noise; the
    target jumps at 0.015, inside the gap (0, 0.02) that the held-out row at 0.01 lies in (peak:
    it is +1 on (0.005, 0.025) only, a spike one training row wide)."""
    rng = np.random.default_rng(0)
    x, x_eval = np.linspace(-1, 1, 101), np.linspace(-0.99, 0.99, 100)
    truth = (lambda t: np.where((t > 0.005) & (t < 0.025), 1.0, -1.0)) if peak else (lambda t: np.sign(t - 0.015))
    return Problem(x[:, None], truth(x) + 0.05 * rng.standard_normal(101), x_eval[:, None],
                   truth(x_eval) + 0.05 * rng.standard_normal(100), ("x",), None, "data", "100 held-out rows",
                   measured=True)

