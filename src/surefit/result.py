"""What a fit returns: the model, a status that reads as a sentence, and held-out metrics."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .model import Model
from .problem import Problem
from .status import Status


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """rmse, max_error and relative_rmse (rmse / std of the target; rmse itself if that is 0)."""
    err = y_pred - y_true
    rmse = float(np.sqrt(np.mean(err ** 2)))
    std = float(np.std(y_true))
    return {"rmse": rmse, "max_error": float(np.max(np.abs(err))),
            "relative_rmse": rmse / std if std > 0 else rmse}


@dataclass(frozen=True)
class FitResult:
    model: Model
    status: Status
    metrics: dict[str, float]  # on the held-out evaluation set, in the user's units
    train_relative_rmse: float
    time_s: float
    candidates: int  # networks trained side by side; the best is kept
    seed: int
    units_alive: int
    units_total: int
    revived: int  # dead units re-placed during training
    trainers: tuple[str, ...]
    target: str
    history: list[float] = field(repr=False)  # best training relative RMSE after each step
    problem: Problem = field(repr=False)  # the data it was fitted to and evaluated on
    notes: tuple[str, ...] = ()  # what to know beside the status (too few points, fewer candidates)

    @property
    def n_params(self) -> int:
        return self.model.net.n_params

    def predict(self, X) -> np.ndarray:
        return self.model.predict(X)

    @property
    def sentence(self) -> str:
        return (f"{self.target}: {self.status} (relative RMSE {self.metrics['relative_rmse']:.3g} "
                f"on {self.problem.evaluation})" + "".join(f"; {note}" for note in self.notes))

    def report(self) -> dict:
        """The JSON report other tools read."""
        net = self.model.net
        return {
            "target": self.target, "status": str(self.status), "status_code": self.status.name.lower(),
            "metrics": dict(self.metrics), "train_relative_rmse": self.train_relative_rmse,
            "time_s": self.time_s, "hidden": list(net.hidden), "activation": net.activation,
            "n_inputs": net.n_inputs, "n_params": net.n_params, "candidates": self.candidates,
            "seed": self.seed, "units_alive": self.units_alive, "units_total": self.units_total,
            "revived": self.revived, "trainers": list(self.trainers), "steps": len(self.history),
            "evaluated_on": self.problem.evaluation, "notes": list(self.notes),
        }
