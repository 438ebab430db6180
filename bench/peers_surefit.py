"""surefit with its defaults and only the seed's architecture.

Errors over many seeds come from fit_many (stacked seeds, bitwise identical to
single fits, and faster to run); the time per fit is what a user waits for:
single `surefit.fit` calls on seeds 0 .. TIMED_SEEDS-1, timed one by one. Those
single fits are also checked against the batched results for the same seeds.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Sequence

from surefit import FitSettings, fit
from surefit.fit import fit_many

from problems import BenchProblem, Contestant, Record, score

NAME = "surefit: defaults"
TIMED_SEEDS = 5  # single fits timed one by one
CHUNK = 8  # seeds stacked per fit_many call (memory grows with it)


def max_steps(effort: float) -> int | None:
    """The defaults in the real run; a few steps per trainer for --quick and the tests."""
    return None if effort >= 1 else max(2, round(100 * effort))


def fit_one(bp: BenchProblem, seed: int, effort: float) -> Record:
    start = time.perf_counter()
    result = fit(bp.problem, hidden=bp.hidden, activation=bp.activation, seed=seed,
                 max_steps=max_steps(effort))
    elapsed = time.perf_counter() - start
    return score(NAME, bp, seed, result.predict(bp.problem.X_eval), elapsed)


def run(bp: BenchProblem, seeds: Sequence[int], effort: float) -> list[Record]:
    settings = FitSettings(hidden=bp.hidden, activation=bp.activation, max_steps=max_steps(effort))
    batched = []
    for i in range(0, len(seeds), CHUNK):
        results = fit_many(bp.problem, settings, list(seeds[i:i + CHUNK]))
        batched += [score(NAME, bp, r.seed, r.predict(bp.problem.X_eval), None) for r in results]
    timed = {r.seed: r for r in (fit_one(bp, s, effort) for s in seeds if s < TIMED_SEEDS)}
    for r in batched:
        if r.seed in timed and timed[r.seed].relative_rmse != r.relative_rmse:
            raise RuntimeError(f"surefit on {bp.key}, seed {r.seed}: a single fit gave relative RMSE "
                               f"{timed[r.seed].relative_rmse:.6g}, the batched one {r.relative_rmse:.6g}")
    return [replace(r, time_s=timed[r.seed].time_s) if r.seed in timed else r for r in batched]


CONTESTANTS = [Contestant(NAME, "surefit", ("abs", "sqrt", "quad", "log", "logtanh"), run, chunk=CHUNK)]
