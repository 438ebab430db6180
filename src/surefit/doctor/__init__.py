"""surefit doctor: say why a network fails to fit its data, and what to change.

    diagnosis = surefit.doctor.doctor(model, X, y)   # a torch / Keras / surefit model, or a path
    print(diagnosis)                                  # causes first, what each explains under it
    diagnosis.to_dict()                               # {"findings": [{"code", "severity", ...}], ...}

The model is read through an adapter (adapters.py) into dense layers and
activations, proven against the model's own predictions, then examined by the
checks (checks.py), and the findings are arranged by cause (findings.py). A model
that fits its data gets "no problems found"; one that does no better than a
constant never does.
"""
from __future__ import annotations

import sys
import types

import numpy as np

from ..problem import from_arrays
from .adapters import View, check_readable, view
from .case import Case, Thresholds
from .checks import run
from .findings import CAUSES, ORDER, Diagnosis, Finding
from .setup import loss_setup, optimizer_setup
from .watch import Watcher, WatchSettings

__all__ = ["doctor", "watch", "Diagnosis", "Finding", "Thresholds", "Watcher", "WatchSettings", "ORDER",
           "CAUSES"]


def doctor(model, X=None, y=None, *, watched: Watcher | None = None,
           variables: tuple[str, ...] | None = None, thresholds: Thresholds = Thresholds(),
           loss=None, optimizer=None) -> Diagnosis:
    """Examine `model` with the data (X (N, d) or (N,), y (N,)) it is meant to fit.

    model: a torch.nn.Module of Linear and activation modules, a Keras 3 model, a surefit
    Model or FitResult, or a path to a .keras or surefit model file. A FitResult brings its
    own training data when X and y are left out. watched: the Watcher of its training run.
    loss, optimizer: how it was trained, when the model does not say (PyTorch): a loss
    module or name, an optimiser. A compiled Keras model says both itself.
    """
    if X is None and y is None and hasattr(model, "problem"):
        X, y, variables = model.problem.X, model.problem.y, variables or model.problem.variables
    X, y, variables = _data(X, y, variables)
    v = view(model)
    setup = (watched.setup if watched else v.setup).merged(loss_setup(loss)).merged(optimizer_setup(optimizer))
    case = Case(v, X, y, check_readable(v, X), variables,
                history=list(watched.history) if watched else [],
                deaths=dict(watched.deaths) if watched else {},
                initial=watched.initial if watched else None,
                steps=list(watched.losses) if watched else [], setup=setup,
                shared=watched.shared if watched else {}, jumps=list(watched.jumps) if watched else [])
    return Diagnosis.of(run(case, thresholds), model=describe(v), fit=_fit(case),
                        losses=case.history, case=case)


def watch(model, X, y, *, every: int = 10, variables: tuple[str, ...] | None = None,
          thresholds: Thresholds = Thresholds(), optimizer=None, loss=None) -> Watcher:
    """Attach to a training run of `model` on (X, y): call .step(loss) after each PyTorch
    optimiser step (or .update(loss) to take the step too, given the optimizer), or pass
    .callback to Keras's fit(). See watch.py."""
    X, y, variables = _data(X, y, variables)
    return Watcher(model, X, y, variables, WatchSettings(every=every, thresholds=thresholds),
                   optimizer=optimizer, loss=loss)


def _data(X, y, variables) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Validated arrays (the core's checks and messages); all rows, none held out."""
    if X is None or y is None:
        from ..errors import SurefitError
        raise SurefitError("give the data the model is meant to fit: doctor(model, X, y)")
    problem = from_arrays(X, y, holdout=0.0, variables=variables)
    return problem.X, problem.y, problem.variables


def describe(v: View) -> dict:
    return {"kind": v.kind, "widths": v.widths, "hidden_activations": [a.name for a in v.hidden],
            "output_activation": v.output.name,
            "parameters": int(sum(W.size + b.size for W, b in v.layers)),
            "loss": v.setup.loss_name, "optimizer": v.setup.optimizer, "learning_rate": v.setup.learning_rate}


def _fit(case: Case) -> dict:
    err = case.pred - case.y
    fit = {"relative_rmse": case.relative_rmse, "rmse": float(np.sqrt(np.mean(err ** 2))),
           "max_error": float(np.abs(err).max()), "points": int(len(case.y))}
    if case.labels is not None and np.isfinite(case.pred).all():
        fit.update(accuracy=case.accuracy, base_rate=case.base_rate, reference_accuracy=case.reference_accuracy)
    return fit


class _CallableModule(types.ModuleType):
    """So that surefit.doctor(model, X, y) and surefit.doctor.watch(...) both work: the
    package is importable as a module and callable as the doctor function."""

    def __call__(self, model, X=None, y=None, **kwargs) -> Diagnosis:
        return doctor(model, X, y, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
