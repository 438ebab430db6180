"""surefit: fit small neural networks to functions and data reliably, and say why they fail.

    result = surefit.fit("abs(x)", "-1000:1000", hidden=2)
    print(result.sentence)
"""
from . import doctor, signals
from .errors import SurefitError
from .estimator import Regressor
from .explain import ExplainSettings, Explanation, explain
from .export import export
from .expression import Expression
from .fit import FitSettings, fit, fit_many, fit_problem
from .model import Model
from .plots import plot_fit
from .problem import Problem, from_arrays, from_csv, from_function
from .result import FitResult
from .minimal import Minimal, MinimalSettings, minimal
from .store import load, save
from .study import configurations, study
from .trainers import Status

__all__ = ["doctor", "signals", "SurefitError", "Regressor", "ExplainSettings", "Explanation", "explain",
           "export", "Expression", "FitSettings", "fit", "fit_many", "fit_problem", "Model", "plot_fit",
           "Problem", "from_arrays", "from_csv", "from_function", "FitResult", "load", "save", "Status",
           "Minimal", "MinimalSettings", "minimal", "configurations", "study"]
