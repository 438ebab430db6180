"""noise_level: the model-free estimate against the noise that was added (the oracle)."""
import numpy as np
import pytest

import surefit.noise as noise
from surefit.noise import agreed, local_levels, noise_level, rms_level, uneven_levels, uneven_scatter


@pytest.mark.parametrize("sigma", [0.01, 0.1, 0.3])
def test_one_input_recovers_the_noise_within_15_percent(sigma):
    estimates = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-3, 3, 200)
        estimates.append(noise_level(x, np.sin(2 * x) + sigma * rng.standard_normal(200)))
    # 200 points: the estimate's own sampling error is about 1 / sqrt(2 * 200) = 5%; curvature adds a little
    assert abs(np.median(estimates) / sigma - 1) < 0.15


def test_exact_data_have_next_to_no_noise():
    x = np.random.default_rng(0).uniform(-1, 1, 500)
    assert noise_level(x, 3 * x + 1) < 1e-12  # a line leaves nothing
    assert noise_level(x, np.sin(2 * x)) < 1e-3  # a smooth curve leaves O(h^2 f'')
    assert noise_level(x, np.full(500, 2.0)) == 0.0


def test_repeated_inputs_do_not_break_it():
    x = np.repeat(np.linspace(0, 1, 50), 4)
    y = x + 0.1 * np.random.default_rng(1).standard_normal(len(x))
    assert 0.05 < noise_level(x, y) < 0.2


def test_two_inputs_within_30_percent():
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, (2000, 2))
    y = np.sin(2 * X[:, 0]) * X[:, 1] + 0.2 * rng.standard_normal(2000)
    assert abs(noise_level(X, y) / 0.2 - 1) < 0.3


@pytest.mark.parametrize("target", [lambda x: np.sin(6 * x), lambda x: np.where(x > 0.5, 1.0, -1.0)],
                         ids=["oscillating", "step"])
def test_oscillating_and_step_targets_under_little_noise(target):
    """1% noise: a line through neighbours leaves 2.5x (sin 6x) or 3x (a step) that much of the target
    in its pseudo-residuals; the cubic, trimmed of the few residuals that straddle the step, leaves
    none. Every one of 20 seeds within 30% (measured: 0.81 to 1.17)."""
    for seed in range(20):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-3, 3, 200)
        sigma = 0.01 * np.std(target(np.linspace(-3, 3, 10001)))
        assert abs(noise_level(x, target(x) + sigma * rng.standard_normal(200)) / sigma - 1) < 0.3, seed


def test_several_inputs_count_each_point_s_own_leverage():
    """A plane in 2-D leaves the local planes nothing but the noise: the estimate is sigma to within
    sampling error (20,000 points: ~1%). With the average leverage in place of each point's own it
    was 4% low (0.961)."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (20000, 2))
    y = X @ np.array([1.0, 2.0]) + rng.standard_normal(20000)
    assert abs(noise_level(X, y) - 1) < 0.025


def test_two_estimates_that_agree_are_averaged_and_one_far_above_the_other_is_not_taken():
    # 100 rows, 20 effective parameters: standard errors of the log 0.1 and 0.079, two of their ratio 0.255
    both = agreed(1.0, 1.2, 100, 20)  # log ratio 0.18: the two agree
    assert 1.0 < both < 1.2 and both == pytest.approx(np.exp((100 * 0 + 160 * np.log(1.2)) / 260))
    assert agreed(1.0, 1.4, 100, 20) == 1.0  # log ratio 0.34: one holds signal, the smaller is the noise
    assert agreed(1.4, 1.0, 100, 20) == 1.0
    assert agreed(0.0, 0.3, 100, 20) == 0.0  # exact data


def test_uneven_scatter_tells_noise_that_grows_from_noise_that_does_not():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 500)
    even = uneven_scatter(x, 0.1 * rng.standard_normal(500))
    p, rms, at = uneven_scatter(x, (0.02 + 0.1 * (x + 3)) * rng.standard_normal(500))  # 0.02 -> 0.62
    assert even[0] > 0.01 and even[1].max() < 1.5 * even[1].min()
    assert p < 1e-10 and rms[-1] > 5 * rms[0] and at[0] < -2 < 2 < at[-1]  # bins in x's order (measured 6.7x)
    assert uneven_scatter(x[:99], x[:99]) is None  # under 20 rows a bin: too few to tell


def bump(x):
    """Noise 0.02 growing to 0.32 about x = 1: most of its variance in a tenth of the rows."""
    return 0.02 + 0.3 * np.exp(-((x - 1) / 0.4) ** 2)


def step_up(x):
    return np.where(x < 0, 0.05, 0.2)


@pytest.mark.parametrize("target", [lambda x: np.sin(2 * x), lambda x: np.sin(6 * x), lambda x: np.sign(x - 0.5),
                                    lambda x: np.abs(x)], ids=["sin2x", "sin6x", "step", "kink"])
def test_even_noise_is_even_whatever_the_target(target):
    """Of 960 such data sets (4 targets, 3 noise levels, 100-2000 rows, 20 seeds) none was uneven (the
    bins' medians, not their RMS: a step spoils the few pseudo-residuals that straddle it)."""
    for seed in range(5):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-3, 3, 500)
        y = target(x) + 0.05 * rng.standard_normal(500)
        assert uneven_levels(x[:, None], y) is False, seed
        assert rms_level(x[:, None], y) == noise_level(x[:, None], y)  # the typical level, as before


@pytest.mark.parametrize("spread", [bump, step_up], ids=["bump", "step_up"])
def test_noise_that_changes_is_found_and_its_rms_recovered(spread):
    """The typical level is the quiet rows' (the bump: 0.54 of the RMS, measured median of 20 seeds at
    1000 rows); the RMS of the local levels is the RMS (measured 1.04 and 0.99)."""
    typical, rms = [], []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        x = rng.uniform(-3, 3, 1000)
        y = np.sin(2 * x) + spread(x) * rng.standard_normal(1000)
        truth = np.sqrt(np.mean(spread(x) ** 2))
        assert uneven_levels(x[:, None], y) is True, seed
        typical.append(noise_level(x[:, None], y) / truth)
        rms.append(rms_level(x[:, None], y) / truth)
    assert abs(np.median(rms) - 1) < 0.15 and np.median(rms) > np.median(typical)
    if spread is bump:
        assert np.median(typical) < 0.7


def test_local_levels_follow_the_noise_and_unevenness_is_not_told_with_several_inputs_or_few_rows():
    rng = np.random.default_rng(7)
    x = rng.uniform(-3, 3, 2000)
    y = np.sin(2 * x) + step_up(x) * rng.standard_normal(2000)
    quiet, loud = local_levels(x[:, None], y, np.array([[-2.0], [2.0]]))
    assert 0.035 < quiet < 0.07 and 0.14 < loud < 0.28  # 30 rows each: about +-20%
    assert uneven_levels(x[:90, None], y[:90]) is None  # under 20 pseudo-residuals a bin: too few to tell
    X = rng.uniform(-1, 1, (2000, 2))
    y = X[:, 0] + step_up(X[:, 0]) * rng.standard_normal(2000)
    assert uneven_levels(X, y) is None  # not told: the plain mean of noise_level is an RMS already


def test_local_levels_of_many_rows_taken_at_some_agree_with_every_row_s(monkeypatch):
    """Past LOCAL_WORK neighbours' values, each row takes the level of the nearest of the rows it was
    taken at (noise.local_statistic): 20,000 rows, noise 4x as large past x = 0, every row's against
    1,418 rows' (141 rows each): measured 1.0% apart at the median, both 1% under the noise there."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, (20_000, 1))
    sigma = np.where(X[:, 0] > 0, 0.2, 0.05)
    y = np.sin(2 * X[:, 0]) + sigma * rng.standard_normal(len(X))
    monkeypatch.setattr(noise, "LOCAL_WORK", 10 ** 9)
    every = local_levels(X, y, X)
    monkeypatch.setattr(noise, "LOCAL_WORK", 200_000)
    some = local_levels(X, y, X)
    assert np.median(np.abs(some / every - 1)) < 0.03
    for levels in (every, some):
        assert abs(np.median(levels / sigma) - 1) < 0.05
