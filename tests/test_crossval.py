"""crossval.py: which fits are cross-validated against L-BFGS, the folds, and the choice."""
from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np
import pytest

import surefit
from surefit.crossval import (FOLDS, MAX_ROWS, MIN_ROWS, REPEATS, cv_choice, fits_its_rows,
                              fold_errors, fold_settings, folds, rival)
from surefit.plan import plan
from surefit.problem import from_arrays
from surefit.settings import FitSettings

from catalogue import noisy_sine


def measured(N: int):
    return from_arrays(*noisy_sine(0.1, N=N), holdout=0, seed=0)


@pytest.mark.parametrize("N, options, rivalled", [
    (200, dict(hidden=(64, 64), activation="relu"), True),
    (MAX_ROWS, dict(hidden=(64, 64), activation="leaky_relu"), True),
    (200, dict(hidden=(64, 64), activation="tanh"), False),  # smooth units: L-BFGS lost (crossval's docstring)
    (200, dict(hidden=(8,), activation="relu"), False),  # small: LM in the parameters' space
    (MAX_ROWS + 1, dict(hidden=(64, 64), activation="relu"), False),  # the folds would take minutes
    (MIN_ROWS, dict(hidden=(64, 64), activation="relu"), True),
    (MIN_ROWS - 1, dict(hidden=(64, 64), activation="relu"), False),  # a fold would hold out one row or none
    (200, dict(hidden=(64, 64), activation="relu", trainer="lbfgs"), False),  # what the user named
    (200, dict(hidden=(64, 64), activation="relu", candidates=2), False),
    (200, dict(hidden=(64, 64), activation="relu", alpha=0.1), False),  # a penalty the user set
    (200, dict(hidden=(64, 64), activation="relu", early_stopping=True), False),
])
def test_a_rival_fit_only_for_a_wide_relu_network_that_lm_trains_under_the_evidence(N, options, rivalled):
    problem, settings = measured(N), FitSettings(**options)
    against = rival(plan(problem, settings), settings, N)
    assert (against is not None) == rivalled
    if rivalled:
        assert (against.trainer, against.init, against.candidates, against.hidden) == ("lbfgs", "he", 1, (64, 64))


def test_no_rival_with_several_inputs():
    """friedman1 (crossval.rival's docstring): L-BFGS's fit interpolated the rows and was never kept."""
    X, y = noisy_sine(0.1, N=200)
    problem = from_arrays(np.column_stack([X, X[::-1]]), y, holdout=0, seed=0)
    settings = FitSettings(hidden=(64, 64), activation="relu")
    assert "WideLevenbergMarquardt" in plan(problem, settings).trainer.names
    assert rival(plan(problem, settings), settings, 200) is None


def test_a_wide_relu_fit_of_too_few_rows_to_cross_validate_is_lm_s_alone():
    """4 rows, under MIN_ROWS: KFold refuses more folds than rows (with 5 folds, a traceback: "Cannot have
    number of splits n_splits=5 greater than the number of samples")."""
    x = np.linspace(0, 1, 4)
    result = surefit.fit((x, np.sin(3 * x)), hidden=(64, 64), activation="relu")
    assert result.trainers == ("WideLevenbergMarquardt",)


def test_a_formula_has_no_rival():
    problem = surefit.problem.from_function("sin(2*x)", "-3:3", points=200)
    settings = FitSettings(hidden=(64, 64), activation="relu")
    assert rival(plan(problem, settings), settings, 200) is None


def test_the_folds_fit_lm_as_its_own_fit():
    problem, settings = measured(200), FitSettings(hidden=(64, 64), activation="relu")
    full = plan(problem, settings)
    lm = fold_settings(full, settings)
    assert lm == FitSettings(hidden=(64, 64), activation="relu", candidates=full.candidates)
    fold = plan(replace(problem, X=problem.X[:133], y=problem.y[:133]), lm)  # a fold's rows
    assert fold.candidates == full.candidates > 1 and fold.trainer.names == full.trainer.names
    cut = replace(full, candidates=1)  # memory left LM's own fit one candidate: the folds get no more
    assert fold_settings(cut, settings).candidates == 1


def test_the_folds_hold_out_every_row_once_a_shuffle_and_are_the_same_every_time():
    splits = folds(203)
    assert len(splits) == FOLDS * REPEATS
    for r in range(REPEATS):
        held = np.concatenate([h for _, h in splits[r * FOLDS:(r + 1) * FOLDS]])
        assert np.array_equal(np.sort(held), np.arange(203))
    assert not np.array_equal(splits[0][1], splits[FOLDS][1])  # another shuffle, other folds
    assert all(np.array_equal(np.sort(np.concatenate([t, h])), np.arange(203)) for t, h in splits)
    assert all(np.array_equal(h, h2) for (_, h), (_, h2) in zip(splits, folds(203)))


def test_fold_errors_are_each_fit_s_squared_errors_on_the_rows_it_did_not_see():
    """Stand-in fits that predict their training rows' mean (one settings) or 0 (the other), for 2
    seeds: the squared errors summed over the folds, against numpy on the same folds."""
    problem = measured(50)

    def fit(fold, scale):
        rmse = np.sqrt(np.mean((fold.y_eval - scale * fold.y.mean()) ** 2))
        return [SimpleNamespace(metrics={"rmse": rmse}, time_s=1.0 + g) for g in range(2)]
    sse, time_s = fold_errors(problem, (1.0, 0.0), fit)
    y = problem.y
    oracle = [sum(np.sum((y[h] - s * y[t].mean()) ** 2) for t, h in folds(50)) for s in (1.0, 0.0)]
    assert sse.shape == (2, 2) and np.allclose(sse, np.array(oracle)[:, None])
    assert np.array_equal(time_s, [2 * FOLDS * REPEATS * 1.0, 2 * FOLDS * REPEATS * 2.0])  # both settings, every fold


@dataclass(frozen=True)
class Fit:
    name: str
    time_s: float
    effective_parameters: float = 20.0
    notes: tuple[str, ...] = ()
    miss: float = 0.1  # its error at each of its 10 training rows
    problem = SimpleNamespace(X=np.zeros((10, 1)), y=np.zeros(10))

    def predict(self, X):
        return np.full((len(X), 1), self.miss)


def test_each_seed_keeps_the_fit_with_the_lower_cross_validated_error_and_a_rival_s_win_is_said():
    ours, theirs = [Fit("lm", 7.0), Fit("lm", 7.0), Fit("lm", 7.0)], [Fit("lbfgs", 2.0, 45.0)] * 3
    sse = np.array([[10.0, 9.0, 5.0], [9.0, 9.0, 6.0]])  # seed 0: theirs lower; 1: a tie; 2: ours
    chosen = cv_choice(ours, theirs, sse, np.array([40.0, 40.0, 40.0]))
    assert [c.name for c in chosen] == ["lbfgs", "lm", "lm"]
    assert all(c.time_s == 49.0 for c in chosen)
    assert chosen[0].notes == ("L-BFGS from He's start: 3-fold cross-validation preferred its fit (45.0 effective "
                               "parameters) to Levenberg-Marquardt's (20.0; its held-out error over the folds of 2 "
                               "shuffles 0.949 of Levenberg-Marquardt's)",)
    assert chosen[1].notes == chosen[2].notes == ()


def test_a_rival_fit_worse_on_its_own_rows_than_its_folds_on_theirs_is_not_taken():
    """Its folds' fits scored 4.5 a shuffle on the rows they left out; the fit itself misses each of
    its 10 rows by 0.7 (4.9: it got stuck where they did not) or by 0.6 (3.6)."""
    ours, stuck, fine = [Fit("lm", 7.0)], [Fit("lbfgs", 2.0, miss=0.7)], [Fit("lbfgs", 2.0, miss=0.6)]
    sse = np.array([[5.0], [4.5]]) * REPEATS
    assert not fits_its_rows(stuck[0], sse[1, 0]) and fits_its_rows(fine[0], sse[1, 0])
    assert cv_choice(ours, stuck, sse, np.array([40.0]))[0].name == "lm"
    assert cv_choice(ours, fine, sse, np.array([40.0]))[0].name == "lbfgs"


def test_a_wide_relu_fit_of_measured_data_is_the_one_cross_validation_chose():
    """32,32 relu (1153 parameters: LM in the space of the points) on 40 rows of sin(2x) + 10% noise:
    whichever fit is kept, the trainer and the note agree (about 20 s)."""
    X, y = noisy_sine(0.1, N=40)
    result = surefit.fit((X, y), hidden=(32, 32), activation="relu", holdout=0)
    said = any("cross-validation preferred" in note for note in result.notes)
    assert said == (result.trainers == ("LBFGS",))
    assert result.trainers in (("LBFGS",), ("WideLevenbergMarquardt",))
