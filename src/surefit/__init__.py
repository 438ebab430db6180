"""surefit: fit small neural networks to functions and data reliably, and say why they fail.

    result = surefit.fit("abs(x)", "-1000:1000", hidden=2)
    print(result.sentence)

Names are loaded on first use (PEP 562), so that the command line, which needs only
the settings, starts without importing torch.
"""
from __future__ import annotations

import importlib

_WHERE = {
    "doctor": "doctor", "signals": "signals", "SurefitError": "errors", "Regressor": "estimator",
    "ExplainSettings": "explanation", "Explanation": "explanation", "explain": "explanation",
    "export": "exporters",
    "Expression": "expression", "FitSettings": "settings", "fit": "fitting", "fit_many": "fitting",
    "fit_problem": "fitting", "Model": "model", "Network": "network", "plot_fit": "plots", "Problem": "problem",
    "from_arrays": "problem", "from_csv": "problem", "from_function": "problem", "FitResult": "result",
    "load": "store", "save": "store", "Status": "status", "Minimal": "smallest",
    "MinimalSettings": "settings", "StudySettings": "settings", "minimal": "smallest", "configurations": "studies",
    "study": "studies",
}
__all__ = list(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'surefit' has no attribute {name!r}")
    module = importlib.import_module(f".{_WHERE[name]}", __name__)
    value = module if name == _WHERE[name] and name in ("doctor", "signals") else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
