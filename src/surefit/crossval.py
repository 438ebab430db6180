"""k-fold cross-validation between two fits of a wide ReLU network to measured data, where no
in-sample score tells which generalises better.

Levenberg-Marquardt under the evidence takes a ReLU network to the evidence's optimum, which has few
kinks (gamma 15-25 for 64,64 relu on 200 rows): weight decay on ReLU units charges the total
variation of f' (Savarese et al. 2019), right for a triangle wave, too pointed at a sine's crests.
L-BFGS from He's start stops short of it with many small kinks (gamma 35-48). The evidence and
generalised cross-validation both prefer the fit with fewer effective parameters, so neither can
tell (plan.auto_trainer's docstring); FOLDS-fold cross-validation of both fits can. With tanh units
L-BFGS lost (AMD EPYC, 10 data seeds: a triangle at 10% noise 1.09x LM's error, sin(2x) at 30%
1.12x), so smooth units keep LM.

The folds' verdict is noisy, and what makes it less so was measured where each fit's error against
the truth is known (the benchmark's 64,64 relu rows, 200 random rows, data seeds 0-19; each fit alone
and the folds' errors logged by a one-off script; bench/RESULTS-ties.md):
- REPEATS shuffles of the rows, not one: the verdict hangs on the split as well as on the noise (data
  seeds 0-9 of three rows, 2 LM candidates in the folds: the better fit kept on 21 of 27 seeds with
  one shuffle, 25 with two, 24 with three).
- LM's fold fits with its own fit's candidates (fold_settings): with 2, to halve the folds' time, a
  fold's fit stuck on sin(6x) at 10% noise (its squared error 12-37 where the other folds had
  0.5-2.2) and the folds kept the worse fit on 6 of 10 seeds (with 4: 2 of 10).
- 3 folds, not 5: their choice's error was 1.004x 5 folds' (one shuffle, 4 LM candidates, data
  seeds 0-9 of four rows) in 0.56x the folds' time.
With these, and a stuck rival refused (fits_its_rows), over five rows (sin(2x) at 10% and 30% noise,
sin(6x) at 10%, a triangle wave at 10% and 30%), the better fit is kept on 84 of 100 seeds (one
shuffle: 72); median error against the truth, LM's fit alone, L-BFGS's alone, the choice, and
sklearn's MLP with alpha by 5-fold cross-validation (bench/RESULTS-noisy.md): 0.0326, 0.0299,
0.0299, 0.0319; 0.0800, 0.0694, 0.0694, 0.0695; 0.0622, 0.0858, 0.0629, 0.100; 0.0153, 0.0181,
0.0155, 0.0173; 0.0407, 0.0465, 0.0407, 0.0487.
It costs 2 x FOLDS x REPEATS more fits: 44-97 s a fit of 200 rows (LM alone 7.5 s).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

import numpy as np
from sklearn.model_selection import RepeatedKFold

from .activations import activation
from .plan import Plan
from .problem import Problem
from .progress import Progress
from .result import FitResult
from .settings import FitSettings

FOLDS = 3
REPEATS = 2  # the rows shuffled into FOLDS folds REPEATS times, each row held out once in each (docstring)
# LM in the space of the points takes O(N^2 P) a step, and the folds 2 x FOLDS x REPEATS fits: 64,64 relu,
# 44-97 s at 200 rows, 88-107 s at 300 (sin(2x) and a triangle at 10%, data seed 0, beside another process;
# LM alone 19.5 s at 300); past it LM's fit stands alone (its gain measured at 200 rows only)
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
    """LM's settings in the folds: as many candidates as its own fit had (a fold has fewer rows: what
    fitted there fits); with fewer, a fold's fit stuck on some seeds (docstring). The rival folds as it is."""
    return replace(settings, candidates=the_plan.candidates)


def folds(N: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """FOLDS x REPEATS splits of N rows into (training rows, held-out rows): REPEATS shuffles, each
    into FOLDS folds; the same for every seed (stacked seeds share their data)."""
    return list(RepeatedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=0).split(np.zeros((N, 1))))


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


def fits_its_rows(fit: FitResult, sse: float) -> bool:
    """Whether a fit's squared error on its own training rows, counted once a shuffle, is no more than
    sse, what its settings' fits in the folds had on rows they did not see. Cross-validation scores
    the settings, not the fit made with them: a fit that got stuck where its folds' fits did not is
    worse on the very rows it trained on. Measured on the 120 fits of bench/RESULTS-ties.md's stop 43
    paragraph: of the 62 L-BFGS fits the folds preferred, 61 had 0.62-0.93 of their folds' RMSE on
    their own rows; one had 3.1 (sin(6x) at 10% noise, data seed 12: 0.37 against the truth, LM's
    fit 0.054)."""
    X, y = fit.problem.X, fit.problem.y
    return REPEATS * float(np.sum((fit.predict(X).reshape(-1) - y) ** 2)) <= sse


def cv_choice(ours: Sequence[FitResult], theirs: Sequence[FitResult], sse: np.ndarray,
              time_s: np.ndarray) -> list[FitResult]:
    """Each seed's fit with the lower cross-validated error sse (2, G), ours on a tie or where theirs
    fits its own rows worse than its folds' fits did the rows they left out, timed with every fit
    made; where it is theirs, the note says so."""
    chosen = []
    for g, (mine, other) in enumerate(zip(ours, theirs)):
        spent = mine.time_s + other.time_s + float(time_s[g])
        if sse[1, g] < sse[0, g] and fits_its_rows(other, sse[1, g]):
            note = (f"L-BFGS from He's start: {FOLDS}-fold cross-validation preferred its fit "
                    f"({other.effective_parameters:.1f} effective parameters) to Levenberg-Marquardt's "
                    f"({mine.effective_parameters:.1f}; its held-out error over the folds of "
                    f"{REPEATS} shuffles {(sse[1, g] / sse[0, g]) ** 0.5:.3f} of Levenberg-Marquardt's)")
            chosen.append(replace(other, time_s=spent, notes=(*other.notes, note)))
        else:
            chosen.append(replace(mine, time_s=spent))
    return chosen
