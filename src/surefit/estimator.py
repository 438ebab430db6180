"""surefit as a scikit-learn regressor: a thin layer over fit_problem.

    Pipeline([("scale", StandardScaler()), ("net", Regressor(hidden=(4,)))]).fit(X, y)

Its parameters are FitSettings' fields, with their defaults; `_parameter_constraints`
is derived from each field's constraint. scikit-learn validates the parameters and
the arrays (with its own messages, which its estimator checks expect); surefit then
fits every sample given (no hold-out: cross-validation is the caller's job).
"""
from __future__ import annotations

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from . import problem as problems
from .fitting import fit_problem
from .settings import OPTIONS, AtLeast, Between, FitSettings, Flag, NotNegative, OneOf, Positive, Widths


def sklearn_constraint(f) -> list:
    """A FitSettings field's constraint in scikit-learn's terms."""
    check = f.metadata["check"]
    if isinstance(check, Widths):
        allowed = ["array-like", Interval(Integral, 1, None, closed="left")]
    elif isinstance(check, AtLeast):
        allowed = [Interval(Integral, check.low, None, closed="left")]
    elif isinstance(check, Positive):
        allowed = [Interval(Real, 0, None, closed="neither")]
    elif isinstance(check, NotNegative):
        allowed = [Interval(Real, 0, None, closed="left")]
    elif isinstance(check, Flag):
        allowed = ["boolean"]
    elif isinstance(check, Between):
        allowed = [Interval(Real, check.low, check.high, closed="right")]
    elif isinstance(check, OneOf):
        allowed = [StrOptions(set(check.names))]
    else:
        allowed = ["no_validation"]
    return allowed + ([None] if f.metadata["none"] is not None else [])


class Regressor(RegressorMixin, BaseEstimator):
    """A small MLP (`hidden` widths, one linear output) fitted reliably by surefit.

    Parameters: every FitSettings field (hidden, activation, init, trainer, candidates, seed,
    tol, max_steps, revive_every, alpha, unit_penalties, early_stopping, validation_fraction,
    keep_outliers), with the
    same defaults; alpha, early_stopping and validation_fraction mean what they mean in
    scikit-learn's MLPRegressor, and alpha=None (the default) chooses the penalty from the
    data (Bayesian regularisation, with generalised cross-validation: trainers/ridge.py).
    Learned attributes: model_ (Model), result_ (FitResult), status_ (Status),
    loss_curve_ (best training relative RMSE per step), noise_level_ (the noise's standard
    deviation in y's units, as the fit estimates it), effective_parameters_ (gamma of the Bayesian
    regularisation; None where the penalty was not chosen from the data), n_features_in_.
    """

    _parameter_constraints: dict = {name: sklearn_constraint(f) for name, f in OPTIONS.items()}

    def __init__(self, **params):
        for name, f in OPTIONS.items():  # store them unchanged, as scikit-learn requires
            setattr(self, name, params.pop(name, f.default))
        if params:
            raise TypeError(f"Regressor got unexpected parameters {sorted(params)}")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit to X (n_samples, n_features) and y (n_samples,); returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2)
        settings = FitSettings(**self.get_params())
        names = getattr(self, "feature_names_in_", None)  # a data frame's columns (validate_data)
        problem = problems.from_arrays(X, y, holdout=0, seed=self.seed, description="the training data",
                                       variables=None if names is None else tuple(map(str, names)))
        self.result_ = fit_problem(problem, settings)
        self.model_ = self.result_.model
        self.status_ = self.result_.status
        self.loss_curve_ = list(self.result_.history)
        self.noise_level_ = self.result_.noise_level
        self.effective_parameters_ = self.result_.effective_parameters
        return self

    def predict(self, X, return_std: bool = False):
        """Predictions (n_samples,) in the units of the y given to fit; with return_std, also the
        standard deviation of a new measurement there, as BayesianRidge's: the fit's own error
        bars (FitResult.error_bars) and the noise there (FitResult.noise_at) together."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        if not return_std:
            return self.model_.predict(X)
        return self.model_.predict(X), np.hypot(self.result_.error_bars(X), self.result_.noise_at(X))


# scikit-learn reads an estimator's parameters from its __init__ signature (get_params, clone):
# it lists FitSettings' fields, so a new option is a new parameter here too.
Regressor.__init__.__signature__ = inspect.Signature(
    [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    + [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=f.default) for name, f in OPTIONS.items()])
