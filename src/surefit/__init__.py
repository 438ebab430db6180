"""surefit: fit small neural networks to functions and data reliably, and say why they fail."""
from .errors import SurefitError
from .expression import Expression
from .fit import FitSettings, fit, fit_problem
from .model import Model
from .problem import Problem, from_arrays, from_csv, from_function
from .result import FitResult
from .trainers import Status

__all__ = ["SurefitError", "Expression", "FitSettings", "fit", "fit_problem", "Model", "Problem",
           "from_arrays", "from_csv", "from_function", "FitResult", "Status"]
