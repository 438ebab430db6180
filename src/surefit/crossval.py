"""k-fold cross-validation between two fits of a wide ReLU network to measured data, where no
in-sample score tells which generalises better.

Levenberg-Marquardt under the evidence takes a ReLU network to the evidence's optimum, which has few
kinks (gamma 15-25 for 64,64 relu on 200 rows): weight decay on ReLU units charges the total
variation of f' (Savarese et al. 2019), right for a triangle wave, too pointed at a sine's crests.
L-BFGS from He's start stops short of it with many small kinks (gamma 35-48). The evidence and
generalised cross-validation both prefer the fit with fewer effective parameters, so neither can
tell (plan.auto_trainer's docstring); FOLDS-fold cross-validation of both fits can. Measured on an
AMD EPYC (5 folds then), the noisy benchmark's 64,64 relu rows (200 random rows), 10 data seeds,
error against the truth, per-seed median of the choice over LM's: sin(2x) at 30% noise 0.82x (L-BFGS
taken on 9 of 10), at 10% 0.96x (10 of 10), a triangle wave at 10% and 30% 1.00x (LM kept on 8 and 5
of 10); with tanh units L-BFGS lost (a triangle at 10% 1.09x, sin(2x) at 30% 1.12x), so smooth units
keep LM.
The benchmark's four rows, 20 data seeds (bench/RESULTS-noisy.md), median error against the truth
with LM's fit alone and now, and now over sklearn's MLP with alpha by 5-fold cross-validation:
sin(2x) at 30% 0.0800 -> 0.0739, 1.06x (1.15x before; L-BFGS kept on 17 of 20), at 10% 0.0337 ->
0.0311, 0.98x; the triangle at 10% 0.0159 -> 0.0163, 0.94x, at 30% 0.0407 -> 0.0456, 0.94x (kept on
7 each).
It costs 2 x FOLDS x REPEATS more fits, LM's with FOLD_CANDIDATES candidates. Measured on the same four rows'
first 10 data seeds (per seed: both full fits, then every variant's folds and choice), against 5
folds with 4 LM candidates: the choice's error against the truth a geometric mean 0.996x theirs
(0.996, 0.996, 0.976, 1.016x per row; the same fit kept on 31 of 40), the folds 32 s -> 12 s; 3
folds with 4 candidates 1.004x in 18 s, 5 folds with 2 0.989x in 22 s (the best of the two fits each
time would be 0.954x: the folds' verdict is noisy either way). A fit of 200 rows: 40 s -> 20 s (LM
alone 7.5 s); over the benchmark's 80 fits 1.011x the 5-fold choice's error (geometric mean; on
seeds 10-19, not in the measurement above, 1.03x), 40-51 s -> 22-30 s a fit. LM's folds started from
its own fit's end points took as long as from scratch, and would favour LM: it has seen their
held-out rows.
One shuffle's verdict was the limit of these rows (bench/RESULTS-ties.md; each fit alone, 20 data seeds,
median error against the truth): LM's fit alone, L-BFGS's alone, the choice, the better of the two each
time, sklearn's CV MLP: sin(2x) at 10% 0.0326, 0.0299, 0.0299, 0.0299, 0.0319 (the better one taken on 20
of 20); at 30% 0.0800, 0.0694, 0.0723, 0.0679, 0.0695 (17 of 20); the triangle at 10% 0.0153, 0.0181,
0.0171, 0.0153, 0.0173 (12), at 30% 0.0407, 0.0465, 0.0446, 0.0407, 0.0487 (9): always the better one
would beat that MLP on all four.
The verdict hangs on the split too (not only on the rows' noise), so the folds are taken over REPEATS
shuffles of the rows. Measured, each fit alone as above, data seeds 0-9 of three of the rows, the
folds of KFold's shuffles 0, 1 and 2 (a one-off script): the better fit taken on 21 of 27 with one
shuffle, 25 with two, 24 with three (sin(2x) at 30% 7, 8, 8 of 10; the triangle at 10% 7, 10, 9 of 10;
sin(2x) at 10% 7 of 7 each). Five folds of one shuffle had taken it on 20 of 28 (RESULTS-ties.md). The
benchmark's four rows, 20 data seeds, one shuffle -> two (bench/RESULTS-noisy.md, stop 42): sin(2x) at
30% 0.0723 -> 0.0707 (1.04x -> 1.02x the CV MLP), at 10% 0.0299 both; the triangle at 10% 0.0171 ->
0.0163 (0.99x -> 0.94x), at 30% 0.0446 -> 0.0433 (0.92x -> 0.89x); a fit of 200 rows 18-27 s -> 40-51 s.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

import numpy as np
from sklearn.model_selection import KFold

from .activations import activation
from .plan import Plan
from .problem import Problem
from .progress import Progress
from .result import FitResult
from .settings import FitSettings

FOLDS = 3
REPEATS = 2  # the rows shuffled into FOLDS folds REPEATS times, each row held out once in each (docstring)
FOLD_CANDIDATES = 2  # LM's candidates in a fold's fit (its own fit has 4: plan.default_candidates)
# LM in the space of the points takes O(N^2 P) a step, and the folds 2 x FOLDS x REPEATS fits: 64,64 relu,
# 40-51 s at 200 rows, 75-98 s at 300 (one shuffle: 20 s and 29-44 s; LM alone 19.5 s at 300); past it LM's fit
# stands alone (its gain measured at 200 rows only)
MAX_ROWS = 300
MIN_ROWS = 2 * FOLDS  # each fold holds out 2 rows or more (KFold refuses fewer rows than folds)

Fit = Callable[[Problem, FitSettings], Sequence[FitResult]]  # one fit per seed, trained side by side


def rival(the_plan: Plan, settings: FitSettings, N: int) -> FitSettings | None:
    """The settings of the fit that the planned one is cross-validated against: L-BFGS from He's
    start, one candidate, under the same penalty the evidence chooses, where LM trains a wide network
    of piecewise-linear units on one input in the space of MIN_ROWS to MAX_ROWS points, and the user
    named none of trainer, initialiser, candidates or early stopping; else None. Not with several
    inputs: on friedman1 (250 rows, 10 inputs, 64,64 relu, 10 data seeds) LM's fit was kept on all 10,
    L-BFGS's interpolating the rows (gamma = N: the evidence let its penalty fall to nothing), and the
    folds took 55 s of a median 87 s a fit."""
    ours = settings.trainer == "auto" and settings.init == "auto" and settings.candidates is None
    wide_lm = "WideLevenbergMarquardt" in the_plan.trainer.names and the_plan.regularised
    if not (ours and wide_lm and not settings.early_stopping and MIN_ROWS <= N <= MAX_ROWS
            and the_plan.net.n_inputs == 1 and activation(settings.activation).piecewise_linear):
        return None
    return replace(settings, trainer="lbfgs", init="he", candidates=1)


def fold_settings(the_plan: Plan, settings: FitSettings) -> FitSettings:
    """LM's settings in the folds: FOLD_CANDIDATES candidates, or as few as its own fit had where
    memory cut them (a fold has fewer rows: what fitted there fits). The rival folds as it is."""
    return replace(settings, candidates=min(FOLD_CANDIDATES, the_plan.candidates))


def folds(N: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """FOLDS x REPEATS splits of N rows into (training rows, held-out rows): REPEATS shuffles, each
    into FOLDS folds; the same for every seed (stacked seeds share their data)."""
    return [split for r in range(REPEATS)
            for split in KFold(FOLDS, shuffle=True, random_state=r).split(np.zeros((N, 1)))]


def fold_errors(problem: Problem, settings: Sequence[FitSettings], fit: Fit,
                progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(squared errors (S, G) on every row when held out, of each settings' fit of each seed; the
    folds' time (G,)): each fit trained on the other rows."""
    splits = folds(len(problem.y))
    errors, times = [], []  # per fold (S, G)
    with Progress(len(splits), enabled=progress, description="cross-validating") as bar:
        for train, held in splits:
            fold = replace(problem, X=problem.X[train], y=problem.y[train], X_eval=problem.X[held],
                           y_eval=problem.y[held], left_out=None)
            results = [fit(fold, s) for s in settings]  # each (G,) fits, scored on the held-out rows
            errors.append([[r.metrics["rmse"] ** 2 * len(held) for r in fits] for fits in results])
            times.append([[r.time_s for r in fits] for fits in results])
            bar.advance()
    return np.sum(errors, axis=0), np.sum(times, axis=(0, 1))


def cv_choice(ours: Sequence[FitResult], theirs: Sequence[FitResult], sse: np.ndarray,
              time_s: np.ndarray) -> list[FitResult]:
    """Each seed's fit with the lower cross-validated error sse (2, G), ours on a tie, timed with
    every fit made; where it is theirs, the note says so."""
    chosen = []
    for g, (mine, other) in enumerate(zip(ours, theirs)):
        spent = mine.time_s + other.time_s + float(time_s[g])
        if sse[1, g] < sse[0, g]:
            note = (f"L-BFGS from He's start: {FOLDS}-fold cross-validation preferred its fit "
                    f"({other.effective_parameters:.1f} effective parameters) to Levenberg-Marquardt's "
                    f"({mine.effective_parameters:.1f}; its held-out error over the folds of "
                    f"{REPEATS} shuffles {(sse[1, g] / sse[0, g]) ** 0.5:.3f} of Levenberg-Marquardt's)")
            chosen.append(replace(other, time_s=spent, notes=(*other.notes, note)))
        else:
            chosen.append(replace(mine, time_s=spent))
    return chosen
