"""The noisy benchmark's contestants: surefit with its defaults, and what a user of
scikit-learn would reach for on measured data. Every one is an estimator with
fit(X, y) / predict(X), given the same training arrays and scored on the same points.

- surefit.fit: `surefit.fit((X, y), hidden, activation, holdout=0)`: trains on every row
  given, as the benchmark scores against the truth itself.
- surefit.Regressor: the scikit-learn estimator. On 1-D data it runs the same code as
  surefit.fit (from_arrays with holdout=0, then fit_problem), so it runs on the sin(2x)
  cases and on friedman1 and diabetes only, where it is the natural way in.
- MLP defaults: MLPRegressor with the same hidden layers, everything else default (Adam, 200 epochs).
- MLP lbfgs+scaler: inputs and targets standardised, L-BFGS, max_iter 1000 (5x the
  default; 5000 moved sin(2x)'s errors by at most 6%, 64,64 relu, and not at all with
  8 units), alpha at its default 1e-4.
- MLP lbfgs+scaler, CV alpha: the same in a GridSearchCV over alpha = 10^-5 .. 10^2, one
  per decade, 5-fold, refitted on all the rows.
- Gaussian process: ConstantKernel * RBF + WhiteKernel, normalize_y, 2 optimiser restarts;
  up to 3000 rows.
- RidgeCV: its defaults on the raw inputs (a straight line in 1-D: the floor).
- RidgeCV, fine grid (several inputs only): the same leave-one-out over alpha = 10^-6 .. 10^3, 8 per
  decade, where the default grid is 0.1, 1, 10; on diabetes the default's leave-one-out picks its
  smallest, 0.1, on every split, and the finer grid shows what leave-one-out itself would pick.
- Bayesian ridge (several inputs only): BayesianRidge, a linear model whose penalty and noise are set by
  the evidence (MacKay 1992), the same rule surefit's networks use (trainers/ridge.py), on a straight line.
- RidgeCV on splines (1-D only): 40-knot cubic B-splines with alpha chosen by RidgeCV's
  leave-one-out over 10^-6 .. 10^3: a penalised regression spline, the classical
  smoother a statistician would use; ridge shrinks the coefficients, not curvature.
- HistGradientBoosting: its defaults (it early-stops on a validation share from 10 000 rows only).
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np
import surefit
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from sklearn.linear_model import BayesianRidge, RidgeCV
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer, StandardScaler
from surefit.result import metrics

from noisy_cases import Case, Data, Net, net_label
from peers_surefit import max_steps
from problems import scaled

LBFGS_MAX_ITER = 1000
ALPHAS = 10.0 ** np.arange(-5, 3)  # 1e-5 .. 1e2
CV_FOLDS = 5
SPLINE_KNOTS = 40
SPLINE_ALPHAS = 10.0 ** np.arange(-6, 3.5, 0.5)
FINE_ALPHAS = np.logspace(-6, 3, 73)  # 8 per decade
SLOW_PARAMS = 1000  # the CV peer on a network with more weights than this is a slow row
GP_MAX_ROWS = 3000  # beyond, the GP's n x n kernel takes gigabytes and each optimiser step minutes


@dataclass(frozen=True)
class NoisyRecord:
    """One fit of one contestant (with one network, or none) on one case's data seed."""
    contestant: str
    case: str
    net: str  # "64,64 tanh"; "" for contestants without a network
    seed: int
    rmse: float  # against the truth where known, else the held-out targets; inf if not finite
    relative_rmse: float  # rmse / std of what it is scored against
    time_s: float  # fit only, not predict
    noise_level: float | None = None  # surefit's estimate of sigma, where the result has one
    sentence: str | None = None  # surefit's sentence about the fit


class SurefitFit:
    """surefit.fit on arrays, as fit / predict, so that it is timed like every other contestant."""

    def __init__(self, hidden, activation, seed, max_steps=None):
        self.hidden, self.activation, self.seed, self.max_steps = hidden, activation, seed, max_steps

    def fit(self, X, y):
        self.result_ = surefit.fit((X, y), hidden=self.hidden, activation=self.activation, seed=self.seed,
                                   holdout=0, max_steps=self.max_steps)
        return self

    def predict(self, X):
        return self.result_.predict(X)


def surefit_fit(net: Net, seed: int, effort: float):
    return SurefitFit(net[0], net[1], seed, max_steps(effort))


def surefit_regressor(net: Net, seed: int, effort: float):
    return surefit.Regressor(hidden=net[0], activation=net[1], seed=seed, max_steps=max_steps(effort))


def mlp_defaults(net: Net, seed: int, effort: float):
    return MLPRegressor(hidden_layer_sizes=net[0], activation=net[1], random_state=seed,
                        max_iter=scaled(200, effort))


def mlp_lbfgs(net: Net, seed: int, effort: float):
    mlp = MLPRegressor(hidden_layer_sizes=net[0], activation=net[1], solver="lbfgs", random_state=seed,
                       max_iter=scaled(LBFGS_MAX_ITER, effort))
    return make_pipeline(StandardScaler(), TransformedTargetRegressor(mlp, transformer=StandardScaler()))


def mlp_cv(net: Net, seed: int, effort: float):
    alpha = "transformedtargetregressor__regressor__alpha"
    return GridSearchCV(mlp_lbfgs(net, seed, effort), {alpha: ALPHAS}, cv=CV_FOLDS,
                        scoring="neg_mean_squared_error")


def gaussian_process(net: None, seed: int, effort: float):
    kernel = ConstantKernel() * RBF() + WhiteKernel()
    return GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed)


def ridge(net: None, seed: int, effort: float):
    return RidgeCV()


def ridge_fine(net: None, seed: int, effort: float):
    return RidgeCV(alphas=FINE_ALPHAS)


def bayesian_ridge(net: None, seed: int, effort: float):
    return BayesianRidge()


def ridge_splines(net: None, seed: int, effort: float):
    return make_pipeline(SplineTransformer(n_knots=SPLINE_KNOTS, degree=3), RidgeCV(alphas=SPLINE_ALPHAS))


def boosting(net: None, seed: int, effort: float):
    return HistGradientBoostingRegressor(random_state=seed, max_iter=scaled(100, effort))


def everywhere(case: Case) -> bool:
    return True


def one_input(case: Case) -> bool:
    return case.inputs == 1


def several_inputs(case: Case) -> bool:
    return case.inputs > 1


def regressor_cases(case: Case) -> bool:
    return case.key.startswith("sin2x") or case.inputs > 1


def never(case: Case, net: Net | None) -> bool:
    return False


def cv_is_slow(case: Case, net: Net | None) -> bool:
    """41 L-BFGS fits: minutes a seed on a 64,64 network or on 2000 points."""
    widths = (case.inputs, *net[0], 1)
    weights = sum(a * b + b for a, b in zip(widths, widths[1:]))
    return weights > SLOW_PARAMS or case.n >= 2000


def gp_fits(case: Case) -> bool:
    return case.n <= GP_MAX_ROWS


def gp_is_slow(case: Case, net: Net | None) -> bool:
    return case.n >= 2000  # O(n^3) per optimiser step, three optimisations


@dataclass(frozen=True)
class Contestant:
    key: str  # for --contestants
    name: str
    make: Callable[[Net | None, int, float], object]  # (network or None, seed, effort) -> estimator
    per_net: bool  # trains each of the case's networks; else one fit per data seed
    applies: Callable[[Case], bool] = everywhere
    slow: Callable[[Case, Net | None], bool] = never  # such rows run only the first --slow-seeds seeds


SUREFIT = "surefit.fit"
MLPS = ("MLP defaults", "MLP lbfgs+scaler", "MLP lbfgs+scaler, CV alpha")
GP, RIDGE = "Gaussian process", "RidgeCV"
CONTESTANTS = [
    Contestant("surefit", SUREFIT, surefit_fit, True),
    Contestant("regressor", "surefit.Regressor", surefit_regressor, True, regressor_cases),
    Contestant("mlp", MLPS[0], mlp_defaults, True),
    Contestant("lbfgs", MLPS[1], mlp_lbfgs, True),
    Contestant("cv", MLPS[2], mlp_cv, True, slow=cv_is_slow),
    Contestant("gp", GP, gaussian_process, False, gp_fits, slow=gp_is_slow),
    Contestant("ridge", RIDGE, ridge, False),
    Contestant("ridgefine", "RidgeCV, fine grid", ridge_fine, False, several_inputs),
    Contestant("bayes", "Bayesian ridge", bayesian_ridge, False, several_inputs),
    Contestant("spline", "RidgeCV on splines", ridge_splines, False, one_input),
    Contestant("hgb", "HistGradientBoosting", boosting, False),
]
BY_KEY = {c.key: c for c in CONTESTANTS}


def fit_and_score(c: Contestant, case: Case, net: Net | None, seed: int, data: Data,
                  effort: float) -> NoisyRecord:
    model = c.make(net, seed, effort)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the result is what it is
        model.fit(data.X, data.y)
    elapsed = time.perf_counter() - start
    predictions = np.asarray(model.predict(data.X_eval), dtype=float).reshape(-1)
    m = metrics(data.y_eval, predictions)
    rmse, rel = (m["rmse"], m["relative_rmse"]) if math.isfinite(m["rmse"]) else (math.inf, math.inf)
    result = getattr(model, "result_", None)  # surefit's FitResult, for either way in
    level = getattr(result, "noise_level", None)
    return NoisyRecord(c.name, case.key, net_label(net) if net else "", seed, rmse, rel, elapsed,
                       None if level is None else float(level), getattr(result, "sentence", None))


def run_seed(case: Case, seed: int, contestants: list[Contestant], effort: float = 1.0,
             slow_seeds: int | None = None, max_units: int | None = None) -> list[NoisyRecord]:
    """Every contestant on one data seed, one after another: a busy spell on the machine
    slows all of them alike. Slow rows stop after `slow_seeds` seeds; networks with more
    hidden units than `max_units` are left out."""
    data = case.draw(seed)
    nets = [n for n in case.nets if max_units is None or sum(n[0]) <= max_units]
    records = []
    for c in contestants:
        if not c.applies(case):
            continue
        for net in nets if c.per_net else [None]:
            if slow_seeds is not None and seed >= slow_seeds and c.slow(case, net):
                continue
            records.append(fit_and_score(c, case, net, seed, data, effort))
    return records
