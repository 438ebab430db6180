"""surefit as a scikit-learn regressor: a thin layer over fit_problem.

    Pipeline([("scale", StandardScaler()), ("net", Regressor(hidden=(4,)))]).fit(X, y)

scikit-learn validates the parameters (from `_parameter_constraints`) and the
arrays (with its own messages, which its estimator checks expect); surefit
then fits every sample given (no hold-out: cross-validation is the caller's job).
"""
from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import problem as problems
from .fit import TRAINERS, FitSettings, fit_problem
from .init import INITIALISERS
from .nets import ACTIVATIONS



class Regressor(RegressorMixin, BaseEstimator):
    """A small MLP (`hidden` widths, one linear output) fitted reliably by surefit.

    Learned attributes: model_ (Model), result_ (FitResult), status_ (Status),
    loss_curve_ (best training relative RMSE per step), n_features_in_.
    """

    _parameter_constraints: dict = {
        "hidden": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "init": [StrOptions(set(INITIALISERS))],
        "trainer": [StrOptions(set(TRAINERS))],
        "restarts": [Interval(Integral, 1, None, closed="left"), None],
        "seed": [Interval(Integral, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_steps": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, hidden=(8,), activation="relu", init="data", trainer="auto",
                 restarts=None, seed=0, tol=1e-7, max_steps=None):
        self.hidden = hidden
        self.activation = activation
        self.init = init
        self.trainer = trainer
        self.restarts = restarts
        self.seed = seed
        self.tol = tol
        self.max_steps = max_steps

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit to X (n_samples, n_features) and y (n_samples,); returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2)
        hidden = (self.hidden,) if isinstance(self.hidden, Integral) else tuple(self.hidden)
        settings = FitSettings(hidden=hidden, activation=self.activation, init=self.init,
                               trainer=self.trainer, restarts=self.restarts, seed=self.seed,
                               tol=self.tol, max_steps=self.max_steps)
        problem = problems.from_arrays(X, y, holdout=0, seed=self.seed, description="the training data")
        self.result_ = fit_problem(problem, settings)
        self.model_ = self.result_.model
        self.status_ = self.result_.status
        self.loss_curve_ = list(self.result_.history)
        return self

    def predict(self, X) -> np.ndarray:
        """Predictions (n_samples,) in the units of the y given to fit."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self.model_.predict(X)
