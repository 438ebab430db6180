"""surefit with its defaults and only the seed's architecture: one surefit.fit per seed,
timed as a user waits for it (setup, candidates, training and choosing the best).
"""
from __future__ import annotations

import time

from surefit import fit

from problems import BenchProblem, Contestant, Record, one_by_one, score

NAME = "surefit: defaults"


def max_steps(effort: float) -> int | None:
    """The defaults in the real run; a few steps per trainer for --quick and the tests."""
    return None if effort >= 1 else max(2, round(100 * effort))


def fit_one(bp: BenchProblem, seed: int, effort: float) -> Record:
    start = time.perf_counter()
    result = fit(bp.problem, hidden=bp.hidden, activation=bp.activation, seed=seed,
                 max_steps=max_steps(effort))
    elapsed = time.perf_counter() - start
    return score(NAME, bp, seed, result.predict(bp.problem.X_eval), elapsed)


CONTESTANTS = [Contestant(NAME, "surefit", ("abs", "sqrt", "quad", "log", "logtanh"), one_by_one(fit_one))]
