"""fit(target, ...) -> FitResult: the one orchestration.

target -> Problem -> scalers -> plan (network, candidates, trainer) -> K candidates
initialised -> the planned trainer run to the end -> the best candidate -> metrics
on held-out points. Measured data on a small network: the same again under other priors (none,
from the first fit's end points; a penalty per hidden unit), and the fit that generalised
cross-validation prefers kept (priors.py); on a wide ReLU network, the fit again by L-BFGS, and
the one that k-fold cross-validation prefers kept (cross_validated, crossval.py); measured data
with outliers, the fit again without them, and the metrics without the held-out ones
(without_outliers, outliers.py).
"""
from __future__ import annotations

import inspect
import time
from contextlib import contextmanager
from dataclasses import replace
from typing import Sequence

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from . import problem as problems
from .crossval import cv_choice, fold_errors, fold_settings, rival
from .errors import SurefitError
from .init import initialise
from .model import Model
from .monitor import alive_count
from .noise import agreed, noise_profile
from .notes import fit_notes
from .outliers import (PASSES, SHARE, glitches, held_out_note, in_runs, kept_note, left_out_note, outlier_rows,
                       outliers_note, refit_doubt, set_aside, without)
from .plan import Plan, plan, plan_for
from .progress import Progress
from .priors import alternatives, gcv_choice
from .result import FitResult, metrics
from .scaling import input_scaler, target_scaler
from .settings import OPTIONS, FitSettings, settings_of
from .trainers import Data
from .trainers.driver import History, ProgressObserver, find, run
from .uncertainty import Posterior


def fit(target, domain=None, *, points: int | None = None, sampling: str | None = None,
        holdout: float | None = None, noise: float = 0.0, progress: bool = False, **options) -> FitResult:
    """Fit a small network to `target`: an expression ("abs(x)"), a callable of one array
    per variable, a tuple (X, y) of arrays, or a Problem. `domain` is required for
    expressions and callables: "-1:1", (lo, hi), {"x": (lo, hi)} or ["x=-1:1", "y=0:2"].
    Arrays are measured data (a random share `holdout` is kept for the metrics, by default
    problem.HOLDOUT, 0.2); `noise` adds Gaussian noise to an expression's training targets.
    An option that does not apply to the target is refused, not ignored. `options` are
    FitSettings' fields (hidden=(8,), activation="relu", ...)."""
    settings = settings_of(options)
    problem = make_problem(target, domain, settings, points=points, sampling=sampling, holdout=holdout,
                           noise=noise)
    return fit_problem(problem, settings, progress=progress)


def _signature_with_options(function):
    """fit's signature lists every FitSettings field as a keyword, with its default."""
    signature = inspect.signature(function)
    keywords = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=f.type)
                for name, f in OPTIONS.items()]
    fixed = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    function.__signature__ = signature.replace(parameters=fixed + keywords)
    return function


fit = _signature_with_options(fit)


def make_problem(target, domain, settings: FitSettings, *, points=None, sampling=None,
                 holdout=None, noise=0.0) -> problems.Problem:
    """The Problem of a fit's target; an expression's size is checked against memory before sampling."""
    sampled = dict(domain=domain, points=points, sampling=sampling, noise=noise)
    if isinstance(target, problems.Problem):
        refuse_unused("a Problem is already sampled and split", **sampled, holdout=holdout)
        return target
    if isinstance(target, tuple) and len(target) == 2:
        refuse_unused(MEASURED_AS_THEY_ARE, **sampled)
        return problems.from_arrays(*target, holdout=holdout, seed=settings.seed)
    if isinstance(target, str) or callable(target):
        refuse_unused("an expression's fit is measured on a dense held-out grid of its domain", holdout=holdout)
        return problems.from_function(target, domain, points=points, sampling=sampling, seed=settings.seed,
                                      noise=noise, check_size=lambda n, d: plan_for(settings, n, d))
    raise SurefitError(f"cannot fit a target of type {type(target).__name__}; give an expression, "
                       "a callable, or a tuple (X, y)")


MEASURED_AS_THEY_ARE = "only for sampling an expression; measured data are fitted as they are"


def refuse_unused(why: str, prefix: str = "", **options) -> None:
    """Options given (not None, 0 or empty) where they do not apply would be silently ignored:
    refused in one line that names them (spelled with `prefix`, "--" on the command line) and says why."""
    given = [prefix + name for name, value in options.items() if value]
    if given:
        raise SurefitError(f"{', '.join(given)}: {why}; leave {'it' if len(given) == 1 else 'them'} out")


def fit_problem(problem: problems.Problem, settings: FitSettings, *, progress: bool = False) -> FitResult:
    """Fit one network (the planned number of candidates) to a validated problem."""
    return fit_many(problem, settings, [settings.seed], progress=progress)[0]


@contextmanager
def one_thread():
    """Run torch on one thread, then restore. Small networks' tensors are too small to share
    out: a second thread mostly waits, and on a busy machine fits ran 10-150x slower with two.
    Big ones gain on an idle machine and lose more on a busy one: 50,000 rows of sin(a) cos(b) +
    0.1 noise, 16 tanh, 2 cores, took 0.67x the time with two threads (14 s against 21 s; 200,000
    rows 0.66-0.69x), but two such fits side by side took 2.6x (53-54 s each against 20.5 s)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):  # numpy's BLAS too (Levenberg-Marquardt uses it)
            yield
    finally:
        torch.set_num_threads(before)


def fit_many(problem: problems.Problem, settings: FitSettings, seeds: Sequence[int], *,
             progress: bool = False, observers: Sequence = ()) -> list[FitResult]:
    """One fit per seed, all trained at once as stacked tensors.

    observers: more watchers of the training loop (trainers/driver.py), e.g. a study's progress.
    Each result is the same as fit_problem(problem, settings with that seed): every
    seed has its own generator and stops on its own. "The same" is bitwise when the
    candidates per seed are even; otherwise the batched BLAS may round the last bit
    of a candidate differently (its memory alignment in the batch differs), and a
    long fit can grow that into a different, equally valid end point.
    Measured data on a small network are fitted again under other priors (alternatives), and
    each seed keeps the fit that generalised cross-validation prefers (gcv_choice); on a wide ReLU
    network, by L-BFGS too, and it keeps the fit k-fold cross-validation prefers (cross_validated);
    measured data with outliers, without them (without_outliers).
    """
    fits = fit_and_choose(problem, settings, seeds, progress, observers)
    return [without_outliers(chosen, reference, settings, progress) for chosen, reference in fits]


def fit_and_choose(problem: problems.Problem, settings: FitSettings, seeds: Sequence[int], progress: bool = False,
                   observers: Sequence = ()) -> list[tuple[FitResult, FitResult]]:
    """Each seed's fit that (generalised) cross-validation chose, with the fit under the planned
    prior it was chosen against: the reference outliers are judged by, whose posterior holds every
    row (an unpenalised alternative may pass through a wild row exactly, leaving 0 / 0 for its
    leave-one-out residual: 8 relu on sin(2x) + 10% noise with one wild row, 20 data seeds,
    judged by the chosen fit, a median error against the truth of 0.149 (worst 2.28); by the reference,
    0.0414 (worst 0.0596; bench/RESULTS-outliers.md; 0.0406 before stop 40), about the same data's without
    it (0.0422)."""
    the_plan = plan(problem, settings, seeds=len(seeds))
    with one_thread():
        results, ends = _fit_many(problem, settings, the_plan, seeds, progress, observers)
        others = [(other, planned_fits(problem, other.settings, seeds, progress, observers,
                                       start=ends if other.warm else None))
                  for other in alternatives(the_plan, settings, len(problem.X))]
        chosen = cross_validated(problem, settings, results, seeds, progress, observers, the_plan)
    return [(gcv_choice(mine, [(other, fits[g]) for other, fits in others]), result)
            for g, (mine, result) in enumerate(zip(chosen, results))]


def cross_validated(problem: problems.Problem, settings: FitSettings, results: list[FitResult], seeds: Sequence[int],
                    progress: bool, observers: Sequence, the_plan: Plan) -> list[FitResult]:
    """The planned fits, or where a wide ReLU network has a rival fit (crossval.rival), each seed's
    better of the two by cross-validation."""
    against = rival(the_plan, settings, len(problem.X))
    if against is None:
        return results

    def fit(fold: problems.Problem, these: FitSettings) -> list[FitResult]:  # quietly: fold_errors shows progress
        return planned_fits(fold, these, seeds)
    theirs = planned_fits(problem, against, seeds, progress, observers)
    in_folds = (fold_settings(the_plan, settings), against)
    return cv_choice(results, theirs, *fold_errors(problem, in_folds, fit, progress))


def without_outliers(result: FitResult, reference: FitResult, settings: FitSettings,
                     progress: bool = False) -> FitResult:
    """Measured data with outliers among the training rows by the reference fit (outliers.py): the
    fit again without them, up to PASSES times (a fit may bend to hide one outlier beside another),
    at most SHARE of the rows in all, saying which it left out, and the metrics without the
    held-out rows that are outliers; with keep_outliers, or past SHARE, the outliers counted. Where
    the fit without them is worse (outliers.refit_doubt), the fit with every row, and why, said: of
    256 fits of clean kinks and crests at 0.1% and 1% noise (outliers.runs_outside's), rows were left
    out of 15 (49 rows) and 26 more said "N of 48 training rows lie far ..." (the runs' trial fit,
    without suspects over a tenth of the rows, left them all far off); now left out of 2 (4 rows), no
    more said. sin(6x) at 60 rows, 8 tanh: 0.0082 now against 1.47 (end rows left out: the fit
    reached 9.8 past them; targets within 1); of 67 fits with wild rows planted (8-40 noise levels;
    sin(2x), a triangle wave, sin(6x); 0.1-10% noise; 60 and 200 rows; 4 data seeds) none changed but
    two where every row left out was a good one."""
    first, left, time_s, ready = result.problem, [], result.time_s, None
    far, far_held_out, runs = outlier_rows(reference.problem, reference.model)
    with_every_row = (result, far_held_out)  # kept should the fits without the outliers be worse (refit_doubt)
    # past SHARE none are left out, so no suspects are judged: so many lie where the rows are too sparse for the flanks'
    # curves (sin(6x) at 60 rows: 20-34 of 48), and a fit without them all follows nothing
    if runs and not settings.keep_outliers and (far | in_runs(runs, len(far))).sum() <= SHARE * len(far):
        far, trial = glitches_in(reference, runs, far, replace(settings, seed=result.seed), progress)
        ready = trial if len(trial[1].problem.y) == len(far) - far.sum() else None  # it left out just these
        time_s += trial[0].time_s
    for _ in range(0 if settings.keep_outliers else PASSES):
        if not far.any() or len(left) + far.sum() > SHARE * len(first.y):
            break
        left += list(zip(reference.problem.X[far], reference.problem.y[far]))
        result, reference = ready or fit_and_choose(without(reference.problem, far),
                                                    replace(settings, seed=result.seed), [result.seed], progress)[0]
        time_s += 0.0 if ready else result.time_s  # the trial's time is counted already
        ready = None
        far, far_held_out, _ = outlier_rows(reference.problem, reference.model)  # runs: judged once, above
    why = refit_doubt(result.problem, (far_held_out, with_every_row[1]), result.model, with_every_row[0].model,
                      np.array([inputs for inputs, _ in left])) if left else ""
    if why:
        (result, far_held_out), far = with_every_row, np.zeros(len(first.y), dtype=bool)
        notes = (*result.notes, kept_note(len(left), why))
    else:
        notes = ((left_out_note(first, left, result.model),) if left else ()) + result.notes + (
            (outliers_note(reference.problem, far),) if far.any() else ())
    result = replace(result, time_s=time_s, notes=notes)
    return result if settings.keep_outliers else scored_without_outliers(result, far_held_out)


def glitches_in(reference: FitResult, runs: list[np.ndarray], far: np.ndarray, settings: FitSettings,
                progress: bool) -> tuple[np.ndarray, tuple[FitResult, FitResult]]:
    """The outliers `far` and the runs of rows side by side that may be a glitch
    (outliers.runs_outside) which a fit without them all leaves far off (outliers.glitches); and that
    fit (chosen, reference): where every suspect proves a glitch, the first pass's fit itself.
    sin(2x) + 10% noise, 200 rows (a fifth held out), 2, 3 or 5 rows side by side 10 too high, 8
    tanh, 2 data seeds: the network bent through them on 5 of the 6, error against the truth
    0.76-4.4; now 0.018-0.024 on all 6, a fit of the rest. 3 rows 1 too high: 0.118 and 0.114 kept,
    0.018 and 0.024 left out. A fit in all takes about 1.5x as long (0.8 s against 0.55 s kept)."""
    problem = reference.problem
    trial = fit_and_choose(without(problem, far | in_runs(runs, len(far))), settings, [settings.seed], progress)[0]
    return far | glitches(problem, runs, trial[1].problem, trial[1].model), trial


def scored_without_outliers(result: FitResult, far: np.ndarray) -> FitResult:
    """The metrics without the held-out rows `far` (n,), the outliers by the reference fit
    (outliers.outlier_rows), said; past SHARE of the held-out rows (one at least), as past SHARE of
    the training rows, they are counted, and where every held-out row is one (nothing else to score)."""
    problem, model = result.problem, result.model
    if not far.any() or far.all() or far.sum() > max(1.0, SHARE * len(far)):
        return result
    rows = list(zip(problem.X_eval[far], problem.y_eval[far], model.predict(problem.X_eval[far])))
    outliers = f"{len(rows)} outlier{'s' * (len(rows) > 1)}"
    n = len(far) - len(rows)
    kept = replace(problem, X_eval=problem.X_eval[~far], y_eval=problem.y_eval[~far],
                   evaluation=f"{n} held-out row{'s' * (n > 1)}, {outliers} left out")
    kept = set_aside(kept, problem.X_eval[far], problem.y_eval[far])
    return replace(result, problem=kept, metrics=metrics(kept.y_eval, model.predict(kept.X_eval)),
                   notes=(*result.notes, held_out_note(problem, rows)))


def planned_fits(problem: problems.Problem, settings: FitSettings, seeds: Sequence[int], progress: bool = False,
                 observers: Sequence = (), start: torch.Tensor | None = None) -> list[FitResult]:
    """The fits of every seed under the settings' own plan (_fit_many)."""
    return _fit_many(problem, settings, plan(problem, settings, seeds=len(seeds)), seeds, progress, observers, start)[0]


def _fit_many(problem, settings: FitSettings, the_plan: Plan, seeds, progress, observers,
              start: torch.Tensor | None = None) -> tuple[list[FitResult], torch.Tensor]:
    """The fits of every seed, and the candidates' end points theta (G K, P); `start`: where they
    begin (another fit's end points with the same plan), else the plan's initialiser."""
    clock = time.perf_counter()
    net, K, G = the_plan.net, the_plan.candidates, len(seeds)
    x_scaler, y_scaler = input_scaler(problem.X, problem.domain), target_scaler(problem.y)
    X = torch.as_tensor(x_scaler.forward(problem.X), dtype=torch.float64)
    y = torch.as_tensor(y_scaler.forward(problem.y[:, None])[:, 0], dtype=torch.float64)
    gens = tuple(torch.Generator().manual_seed(seed) for seed in seeds)
    data = split_validation(Data(net, X, y, groups=G, gens=gens), settings)
    first = data.subsample(the_plan.rows)  # the rows the candidates start on
    theta = start if start is not None else torch.cat(
        [initialise(the_plan.init, net, first.X, first.y, K, gen) for gen in gens])
    history = History(G)
    words = ("training without a weight penalty" if problem.measured and settings.alpha == 0 else
             "training with a penalty per unit" if settings.unit_penalties else "training")
    with Progress(the_plan.trainer.max_steps, enabled=progress, description=words) as bar:
        state = run(the_plan.trainer, theta, data, [history, ProgressObserver(bar, G), *observers])
    elapsed = (time.perf_counter() - clock) / G
    theta = the_plan.trainer.solution(state)
    losses = torch.nan_to_num(data.losses(theta), nan=float("inf")).view(G, K)
    picks = torch.nan_to_num(the_plan.trainer.scores(state, data), nan=float("inf")).view(G, K)
    revived, plain, penalised = find(state, "revived"), find(state, "gamma"), find(state, "penalty")
    results = []
    for g, seed in enumerate(seeds):
        best = g * K + int(picks[g].argmin())
        gamma = float(plain.gamma[best]) if plain is not None and the_plan.regularised else None
        noise = noise_of(problem, float(losses[g, best - g * K]) * len(data.y), len(data.y), gamma, y_scaler.scale[0])
        posterior = (Posterior.of(X.numpy(), penalised.penalty[best].numpy(), noise / y_scaler.scale[0])
                     if penalised is not None and noise > 0 else None)
        uneven = problem.uneven_noise  # (the local levels at the training rows, at the held-out rows), or None
        profile = noise_profile(problem.X, problem.y, noise, uneven[0]) if uneven is not None and noise > 0 else None
        model = Model.from_theta(net, theta[best].numpy().copy(), x_scaler, y_scaler, problem.variables, posterior,
                                 profile)
        alive, total = alive_count(net, theta[best: best + 1], X)
        results.append(FitResult(
            model=model, status=state.verdicts[g], metrics=metrics(problem.y_eval, model.predict(problem.X_eval)),
            train_relative_rmse=float(losses[g, best - g * K].sqrt()), time_s=elapsed, candidates=K, seed=seed,
            units_alive=alive, units_total=total, revived=int(revived.revived[g]) if revived else 0,
            trainers=the_plan.trainer.labels, target=problem.description, history=history.per_group[g],
            problem=problem, notes=fit_notes(problem, the_plan, model),
            candidate_errors=tuple(losses[g].sqrt().tolist()),
            effective_parameters=gamma, noise_level=noise))
    return results, theta


def split_validation(data: Data, settings: FitSettings) -> Data:
    """With early stopping, a share of the training rows held out as validation rows. They are
    drawn with one fixed generator, the same for every seed, so stacked seeds share their data."""
    if not settings.early_stopping:
        return data
    N = len(data.y)
    M = max(1, round(settings.validation_fraction * N))
    if N - M < 2:
        raise SurefitError(f"{N} training rows leave none to train on after a validation share of "
                           f"{settings.validation_fraction:g}; turn early stopping off")
    order = torch.randperm(N, generator=torch.Generator().manual_seed(0))
    val, train = order[:M], order[M:]
    return replace(data, X=data.X[train], y=data.y[train], X_val=data.X[val], y_val=data.y[val])


def noise_of(problem: problems.Problem, sse: float, N: int, gamma: float | None, y_scale: float) -> float:
    """The noise level in the target's units: 0 for exact targets. Else the model-free estimate
    (noise.py), cross-checked where the evidence chose the ridge with its |r|^2 / (N - gamma):
    noise.agreed."""
    if not problem.measured:
        return 0.0
    free = problem.model_free_noise
    if gamma is not None and N > gamma:
        return agreed(free, (sse / (N - gamma)) ** 0.5 * y_scale, N, gamma)
    return free
