"""The core issue's "done means": the four seed problems (and log(x) with 20 tanh units)
reach their tolerance on 20 fixed seeds each, with default settings and only the
seed's architecture given. Errors are measured against the exact function on the
held-out grid (FitResult.metrics). bench/ runs the same problems over many more seeds.
"""
from __future__ import annotations

import pytest

import surefit

# the best 3-unit ReLU fit of the cone: relative RMSE 0.1132 on the held-out grid
# (kink normals 120 degrees apart; see bench/problems.py); the issue allows 5% above it
CONE_OPTIMUM = 0.1132

PROBLEMS = {
    "abs": (("abs(x)", "-1000:1000"), dict(points=400, hidden=2), 1e-3),
    "cone": (("sqrt(x**2 + y**2)", ["x=-1:1", "y=-1:1"]), dict(hidden=3), 1.05 * CONE_OPTIMUM),
    "quadratic": (("x**2 + x", "1:1000"), dict(points=1000, hidden=(45, 45)), 1e-3),
    "log-relu": (("log(x)", "0.01:1"), dict(hidden=(50, 10)), 2e-3),
    "log-tanh": (("log(x)", "0.01:1"), dict(hidden=20, activation="tanh"), 1e-6),
}
SEEDS = range(20)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", PROBLEMS)
def test_seed_problem_reaches_its_tolerance(name, seed):
    (target, domain), args, tol = PROBLEMS[name]
    result = surefit.fit(target, domain, seed=seed, **args)
    assert result.metrics["relative_rmse"] <= tol, f"{name} seed {seed}: {result.sentence}"
