"""Which checks run on a Case: one function per finding code, each returning its findings.

The checks live by subject: training.py (output, loss, regularisation, the watched run,
divergence, a constant model), data.py (scaling, a singular target) and units.py (what
the hidden units do). Thresholds and the Case are in case.py; findings.py arranges what
is found by cause.
"""
from __future__ import annotations

import numpy as np

from .case import Case, Thresholds
from .data import singular_target, unscaled_inputs, unscaled_targets
from .findings import Finding
from .training import (diverged, hidden_activation, learning_rate, loss_function, no_better_than_constant,
                       output_activation, regularisation, slow_convergence, stalled)
from .units import (bottleneck, collapsed_units, dead_units, positive_init, same_side_units, saturated_units,
                    vanishing_gradient, weight_scale)
from .words import unit_list

__all__ = ["run", "unit_list", "singular_target", "diverged", "stalled", "ALWAYS", "WHEN_POOR"]

# wrong whatever the fit (each says nothing when there is nothing to say); they also run when
# the predictions are NaN, where nothing that needs them can be measured: so do the data's own
ALWAYS = (output_activation, hidden_activation, diverged, learning_rate)
DATA = (unscaled_inputs, unscaled_targets)
WHEN_POOR = (loss_function, regularisation, unscaled_inputs, unscaled_targets, positive_init, weight_scale,
             saturated_units, dead_units, same_side_units, collapsed_units, bottleneck, vanishing_gradient,
             slow_convergence, singular_target, no_better_than_constant, stalled)


def run(case: Case, t: Thresholds) -> list[Finding]:
    """Every check that applies: the always-wrong ones, and the rest only for a poor fit."""
    if not np.isfinite(case.pred).all():
        return [f for check in ALWAYS + DATA for f in check(case, t)]
    checks = ALWAYS + (() if case.fits(t) else WHEN_POOR)
    return [f for check in checks for f in check(case, t)]
