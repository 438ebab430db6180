"""The cases of the peers' benchmark (bench/peers_run.py): targets, training points, networks.

A Case has what problems.BenchProblem has (key, title, problem, hidden, activation,
tolerance), so peers_surefit and peers_sklearn fit it unchanged and problems.score
scores it: relative RMSE on the case's held-out points against the exact function.
Every contestant trains on the same `problem.X, problem.y`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.special import j0
from sklearn.datasets import make_friedman1

from surefit import Problem, from_function
from surefit.network import NetSettings

from problems import PROBLEMS, Record

OSCILLATING_POINTS = 20_000  # torch-LM's README benchmark: linspace(-1, 1, 20000)
KAN_POINTS = 1000  # pykan's create_dataset: 1000 train (and 1000 test) points, uniform on [-1, 1]^n
SCALING_POINTS = (1_000, 10_000, 100_000, 1_000_000)
FRIEDMAN_ROWS = 20_000


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    f: Callable  # one numpy array per variable -> values
    domain: tuple[str, ...]  # "x=lo:hi" per variable
    points: int
    sampling: str  # grid (linspace, as torch-LM's example) | random (uniform, as pykan's create_dataset)
    hidden: tuple[int, ...]
    activation: str
    tolerance: float  # success: relative RMSE on the held-out points at most this

    @functools.cached_property
    def problem(self) -> Problem:
        """Training points (data seed 0 for everyone) and surefit's dense held-out grid."""
        return from_function(self.f, list(self.domain), points=self.points, sampling=self.sampling, seed=0)


@dataclass(frozen=True)
class Friedman(Case):
    """make_friedman1 without noise: 10 inputs uniform on [0, 1], 5 of them used. A grid
    of 10 inputs is too coarse to score on, so the held-out points are another uniform draw."""

    @functools.cached_property
    def problem(self) -> Problem:
        X, y = make_friedman1(n_samples=self.points, n_features=10, noise=0.0, random_state=0)
        X_eval, y_eval = make_friedman1(n_samples=self.points, n_features=10, noise=0.0, random_state=1)
        return Problem(X, y, X_eval, y_eval, tuple(f"x{i + 1}" for i in range(10)), ((0.0, 1.0),) * 10,
                       self.title, f"{len(X_eval):,} held-out uniform points")


@dataclass(frozen=True)
class PeerRecord(Record):
    """A Record with what these tables add: the network's size, the time cap, the memory."""
    table: str = ""
    params: int | None = None
    timed_out: bool = False  # killed at the time cap: counted as a failure, time_s is the cap
    added_mb: float | None = None  # peak RSS of the fit's process above its RSS when the fit began
    cpu_s: float | None = None  # CPU time of the fit's process (fit, predict and score), one thread
    error: str = ""  # the exception of a fit that crashed (a failure)


def mlp_params(case) -> int:
    """Weights and biases of a dense network of the case's shape with one linear output."""
    return NetSettings(case.problem.n_inputs, tuple(case.hidden), case.activation).n_params


def _oscillating(key: str, title: str, f: Callable) -> Case:
    return Case(key, f"{title} on linspace(-1, 1, {OSCILLATING_POINTS:,})", f, ("x=-1:1",),
                OSCILLATING_POINTS, "grid", (20,), "tanh", 1e-3)


def _kan(key: str, title: str, f: Callable, domain: tuple[str, ...], hidden: tuple[int, ...]) -> Case:
    return Case(key, f"{title}, {KAN_POINTS} uniform points on [-1, 1]^{len(domain)} (pykan's create_dataset)",
                f, domain, KAN_POINTS, "random", hidden, "tanh", 1e-3)


def _scaling(n: int) -> Case:
    return Case(f"sin2x_{n:.0e}".replace("+0", ""), f"sin(2x) on {n:,} uniform points on [-3, 3]",
                lambda x: np.sin(2 * x), ("x=-3:3",), n, "random", (20,), "tanh", 1e-3)


CASES: dict[str, Case] = {c.key: c for c in [
    _oscillating("sinc", "sinc(10x) (normalised, torch.sinc)", lambda x: np.sinc(10 * x)),
    _oscillating("sin5", "sin(5x)", lambda x: np.sin(5 * x)),
    _oscillating("sin10", "sin(10x)", lambda x: np.sin(10 * x)),
    _oscillating("sin20", "sin(20x)", lambda x: np.sin(20 * x)),
    _oscillating("chirp", "sin(20x^2)", lambda x: np.sin(20 * x ** 2)),
    _oscillating("j0", "J0(20x)", lambda x: j0(20 * x)),
    _kan("expsin", "exp(sin(pi x) + y^2)", lambda x, y: np.exp(np.sin(np.pi * x) + y ** 2),
         ("x=-1:1", "y=-1:1"), (5, 5)),
    # 17,17 tanh: 375 parameters, as many as KAN [2,5,1] holds after its grid extension to 20
    _kan("expsin375", "exp(sin(pi x) + y^2)", lambda x, y: np.exp(np.sin(np.pi * x) + y ** 2),
         ("x=-1:1", "y=-1:1"), (17, 17)),
    _kan("xy", "x y", lambda x, y: x * y, ("x=-1:1", "y=-1:1"), (32,)),
    _kan("j0kan", "J0(20x)", lambda x: j0(20 * x), ("x=-1:1",), (32,)),
    *[_scaling(n) for n in SCALING_POINTS],
    Friedman("friedman1", f"friedman1 without noise, {FRIEDMAN_ROWS:,} rows of 10 inputs", None, (),
             FRIEDMAN_ROWS, "random", (64,), "tanh", 1e-2),
]}

# The seed problems (problems.py) run as they are in the first benchmark.
ALL = {**{k: PROBLEMS[k] for k in ("abs", "sqrt", "quad", "log", "logtanh")}, **CASES}

TABLES: dict[str, tuple[str, ...]] = {
    "oscillating": ("sinc", "sin5", "sin10", "sin20", "chirp", "j0"),
    "seeds": ("abs", "sqrt", "log", "logtanh"),
    "pykan": ("expsin", "expsin375", "xy", "j0kan"),
    "limits": ("quad",),  # every other case's limit is printed beside its own table
    "scaling": (*(c.key for c in CASES.values() if c.key.startswith("sin2x")), "friedman1"),
}
