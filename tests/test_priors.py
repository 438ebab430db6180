"""The other priors a fit of measured data is tried under, and the one generalised cross-validation
keeps (priors.py, run by fitting.fit_and_choose). Errors are measured against the noiseless truth."""
import numpy as np
import torch

import surefit
from surefit import fitting

from catalogue import noisy, noisy_sine, truth_error


def step(x):
    return np.where(x < 0.5, -1.0, 1.0)


def test_cross_validation_drops_the_penalty_where_the_data_show_no_noise(monkeypatch):
    """The unpenalised fit starts where the penalised fit's candidates ended (the per-unit fit
    afresh), and is kept: GCV of the penalised fit over the unpenalised one's measured 63x here
    (58x under the compatible kernels; the per-unit fit's 186x and 173x)."""
    starts, ends, run = [], [], fitting.run

    def spy(trainer, theta, data, observers):
        state = run(trainer, theta, data, observers)
        starts.append(theta.clone())
        ends.append(trainer.solution(state).clone())
        return state

    monkeypatch.setattr(fitting, "run", spy)
    result = surefit.fit(noisy_sine(0.0, seed=3), hidden=8, activation="tanh", holdout=0)
    assert len(starts) == 3 and torch.equal(starts[1], ends[0]) and not torch.equal(starts[2], ends[0])
    assert any(np.array_equal(result.model.theta, end.numpy()) for end in ends[1])
    assert result.effective_parameters is None and any("no weight penalty" in n for n in result.notes)


def test_the_unpenalised_fit_from_the_penalised_ends_finds_an_oscillation(monkeypatch):
    """8 tanh on sin(6x) + 1% noise: the penalty leads the candidates into the basin but holds them
    from its bottom; from its ends the unpenalised fit reaches it, from a fresh start it does not.
    Measured on this draw, error against the truth: 0.0067 against 0.34 (0.341 under the compatible
    kernels); data seeds 0-7: 0.0067-0.0095 against 0.007-0.34. Which of the two fits GCV keeps is
    close here (1.012x), so the test reads the unpenalised fit itself."""
    six, offered, choice = (lambda x: np.sin(6 * x)), [], fitting.gcv_choice
    monkeypatch.setattr(fitting, "gcv_choice",
                        lambda default, others: offered.append(others) or choice(default, others))
    X, y = noisy(six, 0.02, seed=1)
    surefit.fit((X, y), hidden=8, activation="tanh", holdout=0)
    (alternative, warm), _ = offered[0]
    assert alternative.warm and alternative.settings.alpha == 0
    fresh = surefit.fit((X, y), hidden=8, activation="tanh", holdout=0, alpha=0)
    assert truth_error(warm, six) < 0.02 and truth_error(warm, six) < 0.2 * truth_error(fresh, six)


def test_cross_validation_keeps_the_penalty_on_noisy_data():
    # the penalised fit's GCV measured at 0.55x the unpenalised one's here (0.57x under the compatible kernels)
    X, y = noisy_sine(0.3)
    result = surefit.fit((X, y), hidden=8, activation="tanh", holdout=0)
    assert result.effective_parameters is not None and not any("no weight penalty" in n for n in result.notes)


def test_too_few_points_per_parameter_get_no_unpenalised_fit(monkeypatch):
    # 60 points, 25 parameters: GCV at rho 3 could never prefer an unpenalised fit, so none is run
    priors, fit_once = [], fitting._fit_many
    monkeypatch.setattr(fitting, "_fit_many", lambda problem, settings, *rest, **start: priors.append(
        (settings.alpha, settings.unit_penalties)) or fit_once(problem, settings, *rest, **start))
    surefit.fit(noisy_sine(0.0, seed=3), hidden=8, activation="tanh", holdout=0)
    assert priors == [(None, None), (0.0, None), (None, True)]  # 200 points: all three fits
    priors.clear()
    result = surefit.fit(noisy_sine(0.0, seed=3, N=60), hidden=8, activation="tanh", holdout=0)
    assert priors == [(None, None), (None, True)] and result.effective_parameters is not None
    priors.clear()
    surefit.fit(noisy_sine(0.0, seed=3), hidden=8, activation="tanh", holdout=0, unit_penalties=False)
    assert priors == [(None, False), (0.0, None)]  # the settings chose the prior: no per-unit fit


def test_the_progress_bar_names_each_fit(monkeypatch):
    descriptions, bar = [], fitting.Progress
    monkeypatch.setattr(fitting, "Progress", lambda total, enabled, description: descriptions.append(description)
                        or bar(total, enabled, description))
    surefit.fit(noisy_sine(0.0, seed=3), hidden=8, activation="tanh", holdout=0)
    assert descriptions == ["training", "training without a weight penalty", "training with a penalty per unit"]


def test_a_penalty_per_unit_keeps_a_jump_sharp():
    """A step + 30% noise, 8 tanh: GCV prefers the fit with a penalty per hidden unit, which keeps
    the jump steep. The one-penalty fit's score is 1.42x the per-unit fit's here (1.49x under the
    compatible kernels; the unpenalised fit's 1.81x), and the error against the truth 0.26x its own
    (0.27x). On data seeds 0-5 the margin is 1.11-1.49x for tanh; for relu 0.91-1.33x, 1.005x on
    seed 3, and on seed 1 (this test's first draw) 1.15x but 1.03x under the compatible kernels,
    where one candidate ends elsewhere: a margin another CPU could cross, hence tanh here."""
    X, y = noisy(step, 0.3, seed=3)
    result = surefit.fit((X, y), hidden=8, activation="tanh", holdout=0)
    per_unit = surefit.fit((X, y), hidden=8, activation="tanh", holdout=0, unit_penalties=True)
    one = surefit.fit((X, y), hidden=8, activation="tanh", holdout=0, unit_penalties=False)
    assert np.array_equal(result.model.theta, per_unit.model.theta)
    assert any("a penalty per hidden unit" in n for n in result.notes)
    assert truth_error(result, step) < 0.5 * truth_error(one, step)


def test_a_smooth_target_keeps_one_penalty_for_every_weight():
    # 32 relu on sin(2x) + 10% noise: the per-unit fit prunes kinks the sine needs; its GCV score
    # measured at 1.95x the one-penalty fit's here under both kernels (1.86x and 1.30x on data seeds 1 and 2)
    X, y = noisy_sine(0.1)
    result = surefit.fit((X, y), hidden=32, activation="relu", holdout=0)
    one = surefit.fit((X, y), hidden=32, activation="relu", holdout=0, unit_penalties=False)
    assert np.array_equal(result.model.theta, one.model.theta)
    assert not any("per hidden unit" in n for n in result.notes)
