"""scikit-learn's MLPRegressor: its defaults, and L-BFGS with inputs and targets standardised.

Both get the seed's architecture and activation and train on the problem's
points. The defaults (Adam, 200 epochs) often stop before converging;
sklearn's ConvergenceWarning is silenced, as the result is what it is.
"""
from __future__ import annotations

import time
import warnings

from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from problems import BenchProblem, Contestant, Record, one_by_one, scaled, score

MAX_ITER = 200  # MLPRegressor's default; --quick scales it down


def default(bp: BenchProblem, seed: int, effort: float):
    return MLPRegressor(hidden_layer_sizes=bp.hidden, activation=bp.activation, random_state=seed,
                        max_iter=scaled(MAX_ITER, effort))


def lbfgs_scaled(bp: BenchProblem, seed: int, effort: float):
    net = MLPRegressor(hidden_layer_sizes=bp.hidden, activation=bp.activation, solver="lbfgs", random_state=seed,
                       max_iter=scaled(MAX_ITER, effort))
    return TransformedTargetRegressor(regressor=make_pipeline(StandardScaler(), net), transformer=StandardScaler())


def fitter(name: str, make):
    def fit_one(bp: BenchProblem, seed: int, effort: float) -> Record:
        model = make(bp, seed, effort)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(bp.problem.X, bp.problem.y)
        elapsed = time.perf_counter() - start
        return score(name, bp, seed, model.predict(bp.problem.X_eval), elapsed)
    return fit_one


ALL_PROBLEMS = ("abs", "sqrt", "quad", "log", "logtanh")
CONTESTANTS = [
    Contestant("sklearn: MLPRegressor defaults", "sklearn", ALL_PROBLEMS,
               one_by_one(fitter("sklearn: MLPRegressor defaults", default))),
    Contestant("sklearn: lbfgs + StandardScaler", "sklearn", ALL_PROBLEMS,
               one_by_one(fitter("sklearn: lbfgs + StandardScaler", lbfgs_scaled))),
]
