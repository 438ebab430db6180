"""The benchmark's problems: the four seed problems (plus issue 2's tanh row), one data set each.

Every contestant trains on the same `problem.X, problem.y` (or, where the
user's own setup drew fresh samples every step, on fresh uniform samples from
the same domain) and is scored the same way: relative RMSE (RMSE / std of the
target) on surefit's dense held-out grid `problem.X_eval`, with a success
threshold per problem taken from issue 2's "Done means" table.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from scipy.optimize import least_squares

from surefit import Expression, Problem, from_function
from surefit.result import metrics

SQRT_MARGIN = 1.05  # issue 2: within 5% of the best 3-unit fit
SQRT_ROTATIONS = 12  # multi-start least squares for that best fit: symmetric starts ...
SQRT_RANDOM = 12  # ... and random ones,
SQRT_STRIDE = 4  # on a coarser grid (every 4th line of the held-out grid: same symmetry),
SQRT_POLISHED = 4  # then the best few refined on the whole grid


@dataclass(frozen=True)
class BenchProblem:
    key: str  # abs | sqrt | quad | log | logtanh
    expression: str
    domain: tuple[str, ...]  # "x=lo:hi" per variable
    points: int
    sampling: str
    hidden: tuple[int, ...]  # the seed's own architecture
    activation: str
    title: str

    @functools.cached_property
    def problem(self) -> Problem:
        """Training points and the held-out grid; data seed 0 for everyone."""
        return from_function(self.expression, list(self.domain), points=self.points,
                             sampling=self.sampling, seed=0)

    @property
    def bounds(self) -> np.ndarray:
        """(d, 2) low and high per input."""
        return np.array(self.problem.domain)

    def target(self, X: np.ndarray) -> np.ndarray:
        """The exact function on inputs X (n, d) -> (n,)."""
        return Expression(self.expression)(*X.T)

    @functools.cached_property
    def tolerance(self) -> float:
        """Success means relative RMSE on the held-out grid at most this."""
        if self.key == "sqrt":
            return SQRT_MARGIN * best_relu_fit(self.problem, self.hidden[0])
        return TOLERANCES[self.key]


TOLERANCES = {"abs": 1e-3, "quad": 1e-3, "log": 2e-3, "logtanh": 1e-6}

PROBLEMS = {p.key: p for p in [
    BenchProblem("abs", "abs(x)", ("x=-1000:1000",), 400, "grid", (2,), "relu",
                 "abs(x) on [-1000, 1000], 400 points (seed 000)"),
    BenchProblem("sqrt", "sqrt(x**2 + y**2)", ("x=-1:1", "y=-1:1"), 2000, "random", (3,), "relu",
                 "sqrt(x^2 + y^2) on [-1, 1]^2, 2000 uniform points (seed 001)"),
    BenchProblem("quad", "x**2 + x", ("x=1:1000",), 1000, "grid", (45, 45), "relu",
                 "x^2 + x on 1..1000, 1000 points (seed 002)"),
    BenchProblem("log", "log(x)", ("x=0.01:1",), 1000, "grid", (50, 10), "relu",
                 "log(x) on [0.01, 1], 1000 points (surefit's default; seed 003)"),
    BenchProblem("logtanh", "log(x)", ("x=0.01:1",), 1000, "grid", (20,), "tanh",
                 "log(x) on [0.01, 1], 1000 points, 20 tanh units (issue 2)"),
]}


@dataclass(frozen=True)
class Record:
    """One fit of one contestant on one problem with one seed."""
    contestant: str
    problem: str
    seed: int
    relative_rmse: float
    max_error: float
    time_s: float | None  # None: trained in a batch, not timed on its own
    success: bool


def score(contestant: str, bp: BenchProblem, seed: int, predictions: np.ndarray,
          time_s: float | None) -> Record:
    """A Record for predictions (n_eval,) on bp.problem.X_eval; NaN counts as failure."""
    m = metrics(bp.problem.y_eval, np.asarray(predictions, dtype=float).reshape(-1))
    rel = m["relative_rmse"] if np.isfinite(m["relative_rmse"]) else float("inf")
    return Record(contestant, bp.key, seed, rel, m["max_error"], time_s, rel <= bp.tolerance)


@dataclass(frozen=True)
class Contestant:
    """A row of the benchmark: how one setup trains, and on which problems."""
    name: str
    family: str  # keras | sklearn | surefit
    problems: tuple[str, ...]
    run: Callable[[BenchProblem, Sequence[int], float], list[Record]]  # (problem, seeds, effort)
    max_seeds: int | None = None  # slow peers run fewer seeds; RESULTS.md says so
    note: str = ""  # how it differs from the thread's code, if at all


def one_by_one(fit_one: Callable[[BenchProblem, int, float], Record]):
    """A Contestant.run from a function that fits one seed."""
    def run(bp: BenchProblem, seeds: Sequence[int], effort: float) -> list[Record]:
        return [fit_one(bp, seed, effort) for seed in seeds]
    return run


def scaled(count: int, effort: float) -> int:
    """Epochs, steps or iterations at `effort` (1.0 in the real run, less for --quick)."""
    return max(1, round(count * effort))


def best_relu_fit(problem: Problem, width: int) -> float:
    """The lowest relative RMSE on the held-out grid of any one-layer ReLU net of `width`
    units over 2 inputs: an oracle independent of surefit. scipy's Levenberg-Marquardt
    from many starts on a coarser grid, the best few polished on all of it.
    Starts: evenly spaced normals at rotations swept over one period (the best fits have
    them about 120 degrees apart, and the square domain makes the rotation matter), and
    random normals; kinks through the middle; the output layer by linear least squares."""
    rng = np.random.default_rng(0)
    X, y = problem.X_eval, problem.y_eval
    side = int(round(np.sqrt(len(X))))  # the grid is side x side, row-major: keep every 4th line
    sub = np.arange(len(X)).reshape(side, side)[::SQRT_STRIDE, ::SQRT_STRIDE].ravel()
    rotations = np.arange(SQRT_ROTATIONS) * (2 * np.pi / width) / SQRT_ROTATIONS
    angles = [r + 2 * np.pi * np.arange(width) / width for r in rotations]
    angles += [rng.uniform(0, 2 * np.pi, width) for _ in range(SQRT_RANDOM)]
    fits = sorted((least_squares(_residual, _start(a, X[sub], y[sub]), jac=_jacobian,
                                 args=(X[sub], y[sub], width), method="lm") for a in angles),
                  key=lambda fit: fit.cost)
    polished = [least_squares(_residual, fit.x, jac=_jacobian, args=(X, y, width), method="lm",
                              xtol=1e-15, ftol=1e-15, gtol=1e-15) for fit in fits[:SQRT_POLISHED]]
    return min(float(np.sqrt(np.mean(fit.fun ** 2)) / y.std()) for fit in polished)


def _start(angles: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Unit normals at `angles`, zero biases, the output layer solved by least squares."""
    W = np.stack([np.cos(angles), np.sin(angles)])  # (2, width)
    A = np.hstack([np.maximum(X @ W, 0), np.ones((len(X), 1))])
    out = np.linalg.lstsq(A, y, rcond=None)[0]
    return np.concatenate([W.ravel(), np.zeros(len(angles)), out])


def _unpack(theta: np.ndarray, width: int):
    W = theta[:2 * width].reshape(2, width)  # (2, width)
    b, a, c = theta[2 * width:3 * width], theta[3 * width:4 * width], theta[-1]
    return W, b, a, c


def _residual(theta, X, y, width):
    W, b, a, c = _unpack(theta, width)
    return np.maximum(X @ W + b, 0) @ a + c - y


def _jacobian(theta, X, y, width):
    W, b, a, c = _unpack(theta, width)
    z = X @ W + b  # (n, width)
    on = (z > 0) * a  # d out / d z
    dW = (X[:, :, None] * on[:, None, :]).reshape(len(X), -1)  # (n, 2*width), row-major like W
    return np.hstack([dW, on, np.maximum(z, 0), np.ones((len(X), 1))])
