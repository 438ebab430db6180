"""What the user of a fit should know beside its status: too few points, fewer candidates, an
input that never varied, a network that swings far outside the data between its training points,
measured data that scatter about it more in one place than in another."""
from __future__ import annotations

import numpy as np

from .model import Model
from .plan import Plan
from .problem import Problem


def fit_notes(problem: Problem, the_plan: Plan, model: Model) -> tuple[str, ...]:
    """What the user should know beside the status: too few points, fewer candidates, a
    network that swings far outside the data between its training points (outliers:
    without_outliers, judged by the fit under the planned prior)."""
    out = []
    N, P = len(problem.X), the_plan.net.n_params
    if the_plan.net.hidden and the_plan.trainer.names and N < P and not the_plan.regularised:  # trained, unpenalised
        out.append(f"the network has {P} parameters but there are only {N} training points: it can pass "
                   f"through every point, so between them the fit says little; use more points or fewer units")
    out += [note for note in (constant_inputs(problem), between_points(problem, model), uneven_noise(problem, model))
            if note]
    if the_plan.note:
        out.append(the_plan.note)
    return tuple(out)


def constant_inputs(problem: Problem) -> str:
    """A note for inputs with one value in every training row (a CSV column that was never varied):
    the network cannot learn what they do, and a fit that ignores them shows nothing about them."""
    same = [f"{v} (always {x:.4g})" for v, x, spread in zip(problem.variables, problem.X[0], np.ptp(problem.X, 0))
            if spread == 0]
    if not same:
        return ""
    it = "it" if len(same) == 1 else "them"
    return (f"{' and '.join(same)}: the same in every training row, so the network cannot learn what "
            f"{'it does' if len(same) == 1 else 'they do'}; vary {it}, or leave {it} out")


SWING_POINTS = 4000  # random points in the training inputs' box where the network is checked
SWING_FACTOR = 3.0  # outside the targets' range by this many times its width is no interpolation


def between_points(problem: Problem, model: Model) -> str:
    """A warning when, somewhere in the box of the training inputs, the network goes far outside
    the targets' range (a wide unregularised net on few points can; no metric on the training or
    held-out rows shows it)."""
    lo, hi = problem.X.min(0), problem.X.max(0)
    X = np.random.default_rng(0).uniform(lo, hi, size=(SWING_POINTS, len(lo)))
    pred = model.predict(X)
    y_lo, y_hi = float(problem.y.min()), float(problem.y.max())
    width = max(y_hi - y_lo, 1e-300)
    worst = float(np.max(np.maximum(pred - y_hi, y_lo - pred)))
    if not np.isfinite(worst) or worst > SWING_FACTOR * width:
        return (f"between the training points the network reaches {float(np.max(np.abs(pred))):.3g}, far outside "
                f"the targets' range ({y_lo:.3g} to {y_hi:.3g}): do not trust it between them")
    return ""


def uneven_noise(problem: Problem, model: Model) -> str:
    """A note where measured data lie much further from the network in one place than in another
    (noise.uneven_scatter: along the input, or along the prediction with several inputs): a network
    that misses the target there, or noise whose spread changes, told apart with one input by the
    neighbouring rows' differences (_cause). sin(2x) with noise 0.02 growing to 0.32 about x = 1,
    from 0.01 to 0.31 along x, or 0.05 left of 0 and 0.2 right of it (200 and 500 rows, 8 tanh and 8
    relu, 6 data seeds): 'the noise itself' on 69 of 72 fits ('misses' on 2 of ramp's at 200 rows);
    sin(6x) under even noise of 1% and 10% with 3 and 5 units: 'likely misses' on 70 of 96, the rest
    no note."""
    if not problem.measured:
        return ""
    from .noise import UNEVEN_P, UNEVEN_RATIO, UNEVEN_SIZE, uneven_scatter  # scipy: with a fit, not the help
    residual = problem.y - model.predict(problem.X)
    one = problem.n_inputs == 1
    where = problem.variables[0] if one else "the prediction"
    found = uneven_scatter(problem.X[:, 0] if one else problem.y - residual, residual)
    if found is None:
        return ""
    p, rms, at = found
    if p >= UNEVEN_P or rms.max() < UNEVEN_RATIO * rms.min() or rms.max() < UNEVEN_SIZE * np.std(problem.y):
        return ""  # even; or a difference too small to matter, or a near-exact fit's pattern (no noise)
    low, high = int(np.argmin(rms)), int(np.argmax(rms))
    return (f"the rows lie further from the network in one place than in another: {rms[high]:.3g} (RMS) where "
            f"{where} is near {at[high]:.3g}, {rms[low]:.3g} where it is near {at[low]:.3g} (Brown-Forsythe test, "
            f"p = {p:.1g}): {_cause(problem)}")


def _cause(problem: Problem) -> str:
    """Why a fit's residuals spread unevenly, as far as the neighbouring rows' differences tell
    (Problem.noise_changes: with one input)."""
    if problem.uneven_noise is not None:
        return ("the noise itself is larger there (the neighbouring rows' differences show it too): the noise "
                "level is its RMS over the rows, its band follows it, the error bars are one spread for all rows")
    if problem.noise_changes is False:  # not None: the rows could tell
        return ("the neighbouring rows' differences show no such change in the noise, so the network likely misses "
                "the target there: a larger network may follow it")
    return ("there the network misses the target, or the noise is larger; the noise level, its band and the error "
            "bars are one spread for all rows")
