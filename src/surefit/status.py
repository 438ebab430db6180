"""Why a fit ended, as a sentence."""
from __future__ import annotations

from enum import Enum


class Status(Enum):
    CONVERGED = "converged: the training error reached the tolerance"
    STALLED = "stalled: the training error stopped improving"
    MAX_STEPS = "stopped at the step limit while the error was still falling; more steps may help"
    DIVERGED = "diverged: the loss became infinite or NaN"
    EARLY_STOPPED = "stopped early: the validation error stopped improving, and the fit kept its best point"
    CONSTANT = "the target is constant, so it was fitted exactly by the output bias alone"
    LINEAR = "solved exactly: with no hidden layer the network is linear, and least squares gives its optimum"

    def __str__(self) -> str:
        return self.value
