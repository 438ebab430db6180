import math

import numpy as np
import pytest
from scipy.stats import binomtest

from surefit.stats import quartiles, success_rate, wilson


@pytest.mark.parametrize("k,n,low,high", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                           (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_matches_newcombe_1998(k, n, low, high):
    # Newcombe, Statistics in Medicine 17:857 (1998), Table I, method 3 (score, no continuity correction)
    assert wilson(k, n) == pytest.approx((low, high), abs=5e-5)


def test_wilson_by_hand():
    # 8 of 10: p = 0.8, z^2 = 3.841459; centre (0.8 + 0.192073) / 1.384146 = 0.716740,
    # half 1.959964 / 1.384146 * sqrt(0.016 + 0.009604) = 0.226578
    assert wilson(8, 10) == pytest.approx((0.490162, 0.943318), abs=2e-6)


def test_wilson_at_the_edges():
    # 0 successes: the interval is [0, z^2 / (n + z^2)], not empty as the normal approximation's is
    z2 = 1.959963984540054 ** 2
    assert wilson(0, 50) == pytest.approx((0.0, z2 / (50 + z2)))
    assert wilson(50, 50) == pytest.approx((50 / (50 + z2), 1.0))


@pytest.mark.parametrize("k,n", [(1, 3), (27, 100), (50, 100), (199, 200), (0, 7), (500, 500)])
def test_wilson_matches_scipy(k, n):
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert wilson(k, n) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_wilson_refuses_nonsense():
    with pytest.raises(ValueError):
        wilson(3, 2)
    with pytest.raises(ValueError):
        wilson(0, 0)


def test_success_rate_counts_nan_as_failure():
    assert success_rate([1e-4, 2e-3, math.nan, 1e-3], 1e-3) == (2, 0.5)


def test_quartiles_match_numpy_and_keep_nan_as_infinite():
    values = np.random.default_rng(0).lognormal(size=101)
    assert quartiles(values) == pytest.approx(tuple(np.quantile(values, [0.25, 0.5, 0.75])))
    q1, median, q3 = quartiles([1.0, 2.0, 3.0, math.nan, math.nan])
    assert (q1, median) == (2.0, 3.0) and q3 == math.inf
