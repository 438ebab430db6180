"""plan: the network, candidates, trainer and memory a fit runs with, from its settings and problem."""
import numpy as np
import pytest

import surefit
from surefit.errors import SurefitError
from surefit.plan import (REFINE_GAIN, REFINE_PATIENCE, WIDE_MAX_POINTS, WIDE_START_ROWS, default_candidates,
                          is_constant, peak_bytes, plan, plan_for)
from surefit.problem import from_arrays, from_function
from surefit.settings import FitSettings
from surefit.status import Status
from surefit.trainers import (LBFGS, Adam, Chain, ConjugateGradientLM, Exact, LevenbergMarquardt, Revival, Subsample,
                              WideLevenbergMarquardt)

LINE = from_function("sin(3*x)", (-1, 1), points=200)


def stages(trainer):
    """The plain trainers inside wrappers, in the order they run."""
    if isinstance(trainer, Revival):
        return stages(trainer.inner)
    if isinstance(trainer, Subsample):
        return stages(trainer.inner) + stages(trainer.refine)
    if isinstance(trainer, Chain):
        return [t for stage in trainer.stages for t in stages(stage)]
    return [trainer]


def test_lm_for_small_networks_and_lm_cg_or_adam_then_lbfgs_for_large():
    kinds = lambda settings: [type(t) for t in stages(plan(LINE, settings).trainer)]  # noqa: E731
    assert kinds(FitSettings(hidden=(8,))) == [LevenbergMarquardt]
    assert kinds(FitSettings(hidden=(45, 45))) == [ConjugateGradientLM]  # from the data-aware start
    assert kinds(FitSettings(hidden=(45, 45), init="he")) == [Adam, LBFGS]
    smooth = stages(plan(LINE, FitSettings(activation="tanh")).trainer)[0]
    assert smooth.min_scale > stages(plan(LINE, FitSettings()).trainer)[0].min_scale  # a higher floor
    capped = stages(plan(LINE, FitSettings(trainer="adam+lbfgs", max_steps=7, tol=1e-4)).trainer)
    assert [(t.stopping.max_steps, t.stopping.tol) for t in capped] == [(7, 1e-4), (7, 1e-4)]


def test_auto_init_is_the_data_init_except_where_lbfgs_starts_on_measured_data():
    wide = dict(hidden=(64, 64), activation="tanh")  # 4353 parameters
    init = lambda N, measured=True, **options: plan_for(FitSettings(**options), N, 1, measured=measured).init  # noqa: E731
    assert init(3000, trainer="lbfgs", **wide) == "glorot"
    assert init(3000, trainer="lbfgs", hidden=(64, 64), activation="relu") == "he"
    assert init(3000, **wide) == "data" and init(1500, **wide) == "data"  # LM in the space of the points
    assert init(3000, measured=False, **wide) == "data"  # a formula: conjugate-gradient LM
    assert init(3000, alpha=1e-2, **wide) == "data"  # a fixed penalty: conjugate-gradient LM too
    assert init(3000, trainer="lbfgs") == "data"  # a small network
    assert init(3000, init="data", **wide) == "data" and init(200, init="naive") == "naive"  # as asked


def test_a_wide_network_on_many_measured_rows_starts_in_the_space_of_a_few():
    wide = FitSettings(hidden=(64, 64), activation="tanh")
    kinds = lambda N, measured=True, settings=wide: [  # noqa: E731
        type(t) for t in stages(plan_for(settings, N, 1, measured=measured).trainer)]
    assert kinds(WIDE_MAX_POINTS) == [WideLevenbergMarquardt]
    started = plan_for(wide, WIDE_MAX_POINTS + 1, 1, measured=True)
    assert kinds(WIDE_MAX_POINTS + 1) == [WideLevenbergMarquardt, LBFGS]
    assert (started.rows, started.candidates, started.init) == (WIDE_START_ROWS, 4, "data")
    assert kinds(3000, measured=False) == [ConjugateGradientLM]  # a formula
    assert kinds(3000, settings=FitSettings(hidden=(64, 64), trainer="lbfgs")) == [LBFGS]  # as asked
    assert kinds(10**6) == [LBFGS, LBFGS]  # far more rows than it needs: the subsample of every network
    relu = plan_for(FitSettings(hidden=(64, 64)), 3000, 1, measured=True)  # ReLU units: L-BFGS from He's start
    assert [type(t) for t in stages(relu.trainer)] == [LBFGS] and (relu.rows, relu.init) == (3000, "he")
    ten = plan_for(wide, 3000, 10, measured=True)  # ten inputs: 300 rows are too few, L-BFGS from Glorot's start
    assert [type(t) for t in stages(ten.trainer)] == [LBFGS] and (ten.rows, ten.init) == (3000, "glorot")
    assert plan_for(wide, 3000, 2, measured=True).rows == WIDE_START_ROWS


def test_the_refinement_on_every_row_stops_by_its_own_rules():
    """A formula's refinement polishes (REFINE_PATIENCE steps under 1%); measured data's keeps LM's patience and
    stalls under REFINE_GAIN, whose noise floor hides smaller gains; L-BFGS under the evidence keeps its own rule."""
    refine = lambda N, measured, **options: plan_for(  # noqa: E731
        FitSettings(**options), N, 1, measured=measured).trainer.refine.stopping
    formula, data = refine(10**5, False), refine(10**5, True)
    assert (formula.patience, formula.min_gain) == (REFINE_PATIENCE, 0.01)
    assert data.min_gain == REFINE_GAIN and data.patience > REFINE_PATIENCE
    wide = plan_for(FitSettings(hidden=(64, 64), activation="tanh"), WIDE_MAX_POINTS + 1, 1, measured=True).trainer
    assert (wide.refine.stopping.patience, wide.refine.stopping.min_gain) == (60, 1e-3)  # L-BFGS's own (plan.lbfgs)


def test_revival_wraps_the_trainer_unless_turned_off():
    assert isinstance(plan(LINE, FitSettings()).trainer, Revival)
    assert plan(LINE, FitSettings()).trainer.every == FitSettings.revive_every
    assert not isinstance(plan(LINE, FitSettings(revive_every=None)).trainer, Revival)


def test_closed_form_cases_take_no_step():
    constant = from_arrays([[0.0], [1.0], [2.0]], [4.0, 4.0, 4.0], holdout=0)
    assert plan(constant, FitSettings()).trainer == Exact(Status.CONSTANT)
    assert plan(LINE, FitSettings(hidden=())).trainer == Exact(Status.LINEAR)
    assert plan(LINE, FitSettings(trainer="adam")).trainer.names == ("Adam",)


def test_constant_is_relative_for_measured_data_and_absolute_near_zero_for_formulas():
    x = np.linspace(0, 3, 50)
    picofarads = 1e-12 * (1 + 0.1 * np.sin(2 * x))  # in farads: a spread of 7e-14
    assert not is_constant(picofarads, measured=True)
    assert is_constant(picofarads, measured=False)  # a formula's values count a size of at least 1
    assert is_constant(np.sin(x) ** 2 + np.cos(x) ** 2 - 1)  # an identity's rounding residue (1e-16)
    assert is_constant(1e6 + 1e-8 * np.sin(x), measured=True)  # a spread of 1e-14 of the size: rounding
    assert not is_constant(1e6 + 1e-4 * np.sin(x), measured=True)


def test_a_tiny_formula_read_as_constant_says_so_and_how_to_fit_its_shape():
    tiny = surefit.fit("1e-13 * sin(x)", "-3:3", hidden=4, activation="tanh")
    assert tiny.status is Status.CONSTANT and tiny.metrics["relative_rmse"] > 0.9  # its shape is not fitted ...
    assert any("vary by only 7.2" in n and "scale the formula up" in n for n in tiny.notes)  # ... and it says so
    identity = surefit.fit("sin(x)**2 + cos(x)**2", "-3:3", hidden=4, activation="tanh")
    assert identity.status is Status.CONSTANT and identity.notes == ()  # a constant in its own units: nothing to add


def test_candidates_by_network_size_unless_given():
    assert [default_candidates(p) for p in (7, 50, 51, 200, 201, 800, 801)] == [16, 16, 8, 8, 2, 2, 1]
    assert plan(LINE, FitSettings(hidden=(2,))).candidates == 16
    assert plan(LINE, FitSettings(hidden=(2,), candidates=3)).candidates == 3


def test_a_fit_too_big_for_memory_is_refused_with_what_fits(monkeypatch):
    monkeypatch.setattr("surefit.plan.budget_bytes", lambda: 10**9)  # 1 GB free
    with pytest.raises(SurefitError, match=r"would need about 6.\d+ GB of memory \(200 points, 60,001 param.*"
                                           r"but 1 GB is free to use; .* hidden widths of at most about \d+"):
        plan(LINE, FitSettings(hidden=(20000,), candidates=1))
    monkeypatch.setattr("surefit.plan.budget_bytes", lambda: 2 * 10**7)  # less than 10^6 points' data
    with pytest.raises(SurefitError, match=r"20 MB is free to use; it would fit with at most about [\d,]+ points"):
        plan(from_function("x", (0, 1), points=10**6), FitSettings(hidden=(8,), candidates=1))
    net = plan(LINE, FitSettings(hidden=(30,))).net  # 91 parameters: 8 candidates by default
    monkeypatch.setattr("surefit.plan.budget_bytes", lambda: peak_bytes(net, 200, 3, True))
    fewer = plan(LINE, FitSettings(hidden=(30,)))
    assert fewer.candidates == 3 and "8 candidates would need" in fewer.note and "trained 3 instead" in fewer.note
    with pytest.raises(SurefitError, match="memory"):  # candidates the user asked for are not lowered
        plan(LINE, FitSettings(hidden=(30,), candidates=8))


def test_the_refusal_reaches_every_entry_point(monkeypatch):
    monkeypatch.setattr("surefit.plan.budget_bytes", lambda: 10**6)
    with pytest.raises(SurefitError, match="memory"):
        surefit.fit("x", "0:1", hidden=1000)
    with pytest.raises(SurefitError, match="memory"):
        surefit.Regressor(hidden=1000).fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 4.0])


def test_measured_data_with_more_rises_and_falls_than_step_units_get_twice_the_candidates():
    x = np.random.default_rng(0).uniform(-3, 3, (200, 1))
    y = np.sin(6 * x[:, 0]) + 0.01 * np.random.default_rng(1).standard_normal(200)  # 13 monotone pieces
    data = from_arrays(x, y, holdout=0)
    formula = from_function("sin(6*x)", (-3, 3), points=200)
    base = default_candidates(25)
    assert plan(data, FitSettings(hidden=(8,), activation="tanh")).candidates == 2 * base
    assert plan(data, FitSettings(hidden=(16,), activation="tanh")).candidates == default_candidates(49)  # 16 >= 13
    assert plan(data, FitSettings(hidden=(8,), activation="relu")).candidates == base  # kinks, not steps
    assert plan(formula, FitSettings(hidden=(8,), activation="tanh")).candidates == base  # exact: the largest pieces
