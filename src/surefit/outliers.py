"""Outliers in measured data: training rows that lie far from the network and outside their
neighbours' targets, a mistyped cell or a glitch of the instrument, found, said and left out.

Least squares follows such rows. sin(2x) + 10% noise, 200 rows, one of them 10 too high, 8 tanh:
the network bent to pass through it (its leverage 1.00) and missed the rest, error against the
truth 0.68 against 0.019 without it (3 data seeds: 0.68, 0.72, 0.17), with no outlier in sight
among the plain residuals on 2 of the 3. So a row is wild where its leave-one-out residual,
r / (1 - h) with h its leverage (the hat matrix's diagonal J A^-1 J^T, which the error bars give:
uncertainty.py), lies over OUTLIER_FACTOR times the residuals' typical size from their median;
and an outlier where its target also lies that far outside the range of what its neighbours say
(local_values: the range of their targets, the lowest and the highest aside, so that two outliers
side by side do not hide each other; with one input, unless the line through its neighbours on one
side meets it there: it goes on from that side, as the vertex of a kink does). The second test keeps the rows of a jump or a kink, whose
leverage is high too, but whose targets lie between their neighbours' or where their lines meet:
on the noisy benchmark's steps and triangle waves (1-30% noise, 8 units, 6 data seeds each) the
first test alone flagged rows in 8 of 24 fits, with the second in none (the 4 nearest rows
flagged the last row of a step's lower side, all of whose nearest neighbours lay on the upper
side; the neighbours' targets alone, the vertex of a triangle at 1% noise). Written here
because no kept library judges outliers against a network's own leverage.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.spatial import cKDTree
from scipy.stats import median_abs_deviation

from .model import Model
from .problem import Problem
from .uncertainty import training_leverage

OUTLIER_FACTOR = 6.0  # Gaussian noise leaves 2e-9 of its rows this many standard deviations out: none in a million
OUTLIER_SIZE = 0.01  # and so far that they matter: over this share of the targets' spread
LEVERAGE_WORK = 2e10  # rows x parameters^2 past which the leverage costs seconds: plain residuals then
SHOWN = 3  # left-out rows named in the note
PASSES = 3  # fits again at most: each may find outliers the one before bent to hide (two side by side)
SHARE = 0.1  # of the training rows left out at most: past it the network misses a feature, or the data are no sample


def leave_one_out(problem: Problem, model: Model) -> np.ndarray:
    """(N,) each training row's residual had the network been fitted without it, to first order
    r / (1 - h): h in the rows' space (uncertainty.training_leverage), else (error bar / noise
    level)^2. The plain residuals where the model keeps no posterior or the rows are too many."""
    residual = problem.y - model.predict(problem.X)
    if model.posterior is None:
        return residual
    leverage = training_leverage(model.net, model.theta, model.posterior)
    if leverage is None and len(problem.y) * model.n_params ** 2 > LEVERAGE_WORK:
        return residual
    if leverage is None:
        leverage = (model.error_bars(problem.X) / model.noise_level) ** 2
    return residual / np.maximum(1 - leverage, 1e-3)  # 1e-3: a row the network passes through exactly


def local_values(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """What each row's neighbours say its target could be: their targets (N, k) and, with one
    input, the lines through each side's two extended to it (N, 2). With one input the neighbours
    are two on each side in x's order (one-sided at the ends), so that a row beside a jump has
    neighbours on both of its sides; with more the 2 (d + 1) nearest, inputs standardised (noise.py's
    local planes), and no lines."""
    N, d = X.shape
    if d > 1:
        std = X.std(axis=0)
        Xs = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
        return y[cKDTree(Xs).query(Xs, k=min(2 * (d + 1), N - 1) + 1)[1][:, 1:]], None
    order = np.argsort(X[:, 0], kind="stable")
    rank = np.empty(N, dtype=int)
    rank[order] = np.arange(N)
    at = rank[:, None] + np.array([-2, -1, 1, 2])  # (N, 4) places in x's order
    at = order[np.where(at < 0, at + 5, np.where(at >= N, at - 5, at)).clip(0, N - 1)]  # the ends look inwards
    x, near = X[:, 0], y[at]
    lines = []
    for a, b in ((0, 1), (2, 3)):
        run = x[at[:, b]] - x[at[:, a]]
        slope = np.divide(near[:, b] - near[:, a], run, out=np.zeros(N), where=run != 0)
        lines.append(near[:, a] + slope * (x - x[at[:, a]]))
    return near, np.column_stack(lines)


def outlier_rows(problem: Problem, model: Model) -> np.ndarray:
    """(N,) True for the training rows that are outliers (the module's two tests)."""
    y = problem.y
    if not problem.measured or len(y) < 8:
        return np.zeros(len(y), dtype=bool)
    loo = leave_one_out(problem, model)
    offset = np.abs(loo - np.median(loo))
    typical = median_abs_deviation(loo, scale="normal")
    wild = (offset > OUTLIER_FACTOR * typical) & (offset > OUTLIER_SIZE * np.std(y))
    if not wild.any():
        return wild
    near, lines = local_values(problem.X, y)
    near = np.sort(near, axis=1)
    lo, hi = near[:, 1], near[:, -2]  # their range without the lowest and the highest: an outlier beside
    outside = np.maximum(y - hi, lo - y) > OUTLIER_FACTOR * typical  # another hides neither
    if lines is not None:  # where a side's line meets the row, it goes on from that side, as a kink's vertex does
        outside &= ~(np.abs(y[:, None] - lines) <= OUTLIER_FACTOR * typical).any(axis=1)
    return wild & outside


def without(problem: Problem, far: np.ndarray) -> Problem:
    """The problem without the training rows `far`; where it is scored on its training rows (too
    few to hold any out), on the rows kept."""
    kept = replace(problem, X=problem.X[~far], y=problem.y[~far])
    if problem.X_eval is problem.X:
        kept = replace(kept, X_eval=kept.X, y_eval=kept.y)
    return kept


def left_out_note(problem: Problem, rows: list[tuple[np.ndarray, float, float]]) -> str:
    """What was left out of the problem's training rows and why, naming the first SHOWN of the
    rows (inputs, target, what the network fitted with it predicted there)."""
    named = "; ".join(", ".join(f"{v} = {x:.4g}" for v, x in zip(problem.variables, X)) + f": {y:.4g} (the network "
                      f"{pred:.4g})" for X, y, pred in rows[:SHOWN])
    more = f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
    return (f"left out {len(rows)} of {len(problem.y):,} training rows as outliers, far from the network and "
            f"outside their neighbours' targets, and fitted again ({named}{more}): least squares follows such "
            f"rows; keep_outliers (--keep-outliers yes) keeps them")


def outliers_note(problem: Problem, model: Model) -> str:
    """Outliers the fit kept (keep_outliers, or found again after they were left out), counted."""
    far = outlier_rows(problem, model)
    if not far.any():
        return ""
    return (f"{int(far.sum()):,} of {len(far):,} training rows lie far from the network and outside their "
            f"neighbours' targets: outliers pull a least-squares fit towards them (remove them if they are mistakes)")
