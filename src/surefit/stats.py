"""Statistics for many seeds: success rates with Wilson intervals, error quartiles."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

Z95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval (low, high) for a binomial proportion.

    Unlike the normal approximation it stays inside [0, 1] and is not empty at
    0 or n successes, which is where a study of a reliable method lands.
    """
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, not {successes}/{trials}")
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def success_rate(errors: Sequence[float], tol: float) -> tuple[int, float]:
    """(successes, rate): how many errors are at most tol; NaN counts as a failure."""
    errors = np.asarray(errors, dtype=float)
    hits = int(np.sum(errors <= tol))
    return hits, hits / len(errors)


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile), linear between order statistics (numpy's default).

    A NaN error (a diverged fit) counts as infinite, so it raises the quartiles instead of vanishing.
    """
    v = np.sort(np.nan_to_num(np.asarray(values, dtype=float), nan=np.inf, posinf=np.inf))
    return tuple(_between(v, q * (len(v) - 1)) for q in (0.25, 0.5, 0.75))


def _between(v: np.ndarray, position: float) -> float:
    """v at a fractional index; exact at whole indices, so an infinite neighbour does not leak in."""
    lo = math.floor(position)
    t = position - lo
    if t == 0 or v[lo] == np.inf:
        return float(v[lo])
    return float(v[lo] + (v[lo + 1] - v[lo]) * t)
