"""fit(target, ...) -> FitResult: the one orchestration.

target -> Problem -> scalers -> K candidates initialised -> trainers in turn
(watched for dead units) -> the best candidate -> metrics on held-out points.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from . import problem as problems
from .errors import SurefitError
from .init import initialise
from .model import Model
from .monitor import alive_count, revive
from .nets import ACTIVATIONS, PIECEWISE_LINEAR, REFUSED_OUTPUTS, NetSettings
from .progress import Progress
from .result import FitResult, metrics
from .scaling import input_scaler, target_scaler
from .trainers import LBFGS, Adam, Data, LevenbergMarquardt, Status, Stopping, Trainer

TRAINERS = ("auto", "lm", "adam", "lbfgs", "adam+lbfgs")
LM_MAX_PARAMS = 800  # above this a Levenberg-Marquardt step (O(N P^2 + P^3)) costs too much


@dataclass(frozen=True)
class FitSettings:
    hidden: tuple[int, ...] = (8,)
    activation: str = "relu"
    init: str = "data"
    trainer: str = "auto"  # auto | lm | adam | lbfgs | adam+lbfgs
    restarts: int | None = None  # candidates trained side by side; None: by network size
    seed: int = 0
    tol: float = 1e-7  # stop when the training relative RMSE reaches this
    max_steps: int | None = None  # per trainer; None: each trainer's default
    check_every: int | None = 20  # steps between dead-unit checks; None: never revive

    def validate(self) -> None:
        if any(int(w) != w or w < 1 for w in self.hidden):
            raise SurefitError(f"hidden widths must be positive integers, not {list(self.hidden)}")
        if self.activation in REFUSED_OUTPUTS and self.activation not in ACTIVATIONS:
            raise SurefitError(f"{self.activation!r} is not a hidden activation: {REFUSED_OUTPUTS[self.activation]}")
        if self.activation not in ACTIVATIONS:
            raise SurefitError(f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        if self.trainer not in TRAINERS:
            raise SurefitError(f"unknown trainer {self.trainer!r}; choose one of {', '.join(TRAINERS)}")
        if self.max_steps is not None and self.max_steps < 1:
            raise SurefitError(f"max_steps must be at least 1, not {self.max_steps}")
        if self.restarts is not None and self.restarts < 1:
            raise SurefitError(f"restarts must be at least 1, not {self.restarts}")
        if not self.tol > 0:
            raise SurefitError(f"tolerance must be positive, not {self.tol}")


def default_restarts(n_params: int) -> int:
    """Candidates per fit: many for tiny networks, where they are cheap and bad starts
    likeliest; few for big ones, whose data-aware starts all end alike."""
    for limit, candidates in ((50, 16), (200, 8), (LM_MAX_PARAMS, 2)):
        if n_params <= limit:
            return candidates
    return 1


def plan(settings: FitSettings, net: NetSettings) -> list[Trainer]:
    """The trainers to run in turn: LM for small networks; else L-BFGS from a data-aware
    start (Adam's first steps would throw that start away), or Adam then L-BFGS."""
    name = settings.trainer
    if name == "auto":
        big = "lbfgs" if settings.init == "data" else "adam+lbfgs"
        name = "lm" if net.n_params <= LM_MAX_PARAMS else big
    chosen = {"lm": [levenberg_marquardt(net)], "adam": [Adam()],
              "lbfgs": [LBFGS()], "adam+lbfgs": [Adam(), LBFGS()]}[name]
    return [_with_stopping(t, settings) for t in chosen]


def levenberg_marquardt(net: NetSettings) -> LevenbergMarquardt:
    """LM with its scaling floor for the activation: smooth units' Gauss-Newton model misses
    curvature that near-collinear units (with large output weights) amplify, so their steps
    need a higher floor; ReLU nets are piecewise linear in each unit's weights and fare
    better with scaling close to Marquardt's (measured on log(x): 50-10 relu, 20 tanh)."""
    return LevenbergMarquardt(min_scale=1e-3 if net.activation in PIECEWISE_LINEAR else 1e-2)


def _with_stopping(trainer: Trainer, settings: FitSettings) -> Trainer:
    old = trainer.stopping
    stopping = Stopping(tol=settings.tol, max_steps=settings.max_steps or old.max_steps,
                        patience=old.patience, min_gain=old.min_gain)
    return type(trainer)(**{**trainer.__dict__, "stopping": stopping})


def fit(target, domain=None, *, hidden: Sequence[int] | int = (8,), activation: str = "relu",
        init: str = "data", trainer: str = "auto", restarts: int | None = None, seed: int = 0,
        tol: float = 1e-7, max_steps: int | None = None, points: int | None = None,
        sampling: str | None = None, holdout: float = 0.2, progress: bool = False) -> FitResult:
    """Fit a small network to `target`: an expression ("abs(x)"), a callable of one array
    per variable, a tuple (X, y) of arrays, or a Problem. `domain` is required for
    expressions and callables: "-1:1", (lo, hi), {"x": (lo, hi)} or ["x=-1:1", "y=0:2"]."""
    hidden = (hidden,) if isinstance(hidden, int) else tuple(hidden)
    settings = FitSettings(hidden=hidden, activation=activation, init=init, trainer=trainer,
                           restarts=restarts, seed=seed, tol=tol, max_steps=max_steps)
    settings.validate()
    return fit_problem(make_problem(target, domain, points=points, sampling=sampling,
                                    holdout=holdout, seed=seed), settings, progress=progress)


def make_problem(target, domain=None, *, points=None, sampling=None, holdout=0.2, seed=0):
    if isinstance(target, problems.Problem):
        return target
    if isinstance(target, tuple) and len(target) == 2:
        return problems.from_arrays(*target, holdout=holdout, seed=seed)
    if isinstance(target, str) or callable(target):
        return problems.from_function(target, domain, points=points, sampling=sampling, seed=seed)
    raise SurefitError(f"cannot fit a target of type {type(target).__name__}; give an expression, "
                       "a callable, or a tuple (X, y)")


def fit_problem(problem: problems.Problem, settings: FitSettings, *, progress: bool = False) -> FitResult:
    """Fit one network (settings.restarts candidates) to a validated problem."""
    return fit_many(problem, settings, [settings.seed], progress=progress)[0]


@contextmanager
def one_thread():
    """Run torch on one thread, then restore. Small networks' tensors are too small to share
    out: a second thread mostly waits, and on a busy machine fits ran 10-150x slower with two."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):  # numpy's BLAS too (Levenberg-Marquardt uses it)
            yield
    finally:
        torch.set_num_threads(before)


def fit_many(problem: problems.Problem, settings: FitSettings, seeds: Sequence[int], *,
             progress: bool = False) -> list[FitResult]:
    """One fit per seed, all trained at once as stacked tensors.

    Each result is the same as fit_problem(problem, settings with that seed): every
    seed has its own generator and stops on its own. "The same" is bitwise when the
    candidates per seed are even; otherwise the batched BLAS may round the last bit
    of a candidate differently (its memory alignment in the batch differs), and a
    long fit can grow that into a different, equally valid end point.
    """
    with one_thread():
        return _fit_many(problem, settings, seeds, progress)


def _fit_many(problem, settings, seeds, progress) -> list[FitResult]:
    start = time.perf_counter()
    settings.validate()
    net = NetSettings(problem.n_inputs, settings.hidden, settings.activation)
    x_scaler, y_scaler = input_scaler(problem.X, problem.domain), target_scaler(problem.y)
    X = torch.as_tensor(x_scaler.forward(problem.X), dtype=torch.float64)
    y = torch.as_tensor(y_scaler.forward(problem.y[:, None])[:, 0], dtype=torch.float64)
    K = settings.restarts or default_restarts(net.n_params)
    gens = [torch.Generator().manual_seed(seed) for seed in seeds]
    data = Data(net, X, y, groups=len(seeds))
    stages = plan(settings, net)
    untrained = None  # a status that needs no training, if any
    if float(problem.y.std()) <= 1e-12 * max(1.0, float(np.abs(problem.y).max())):
        theta, untrained = torch.zeros(len(seeds) * K, net.n_params, dtype=torch.float64), Status.CONSTANT
    else:  # with no hidden layer, the initialiser's least-squares output layer is the optimum
        theta = torch.cat([initialise(settings.init, net, X, y, K, gen) for gen in gens])
        untrained = Status.LINEAR if not net.hidden else None
    if untrained is not None:
        statuses, history, revived, stages = [untrained] * len(seeds), [[]] * len(seeds), [0] * len(seeds), []
    else:
        with Progress(sum(t.stopping.max_steps for t in stages), enabled=progress) as bar:
            theta, statuses, history, revived = train(stages, theta, data, settings, gens, bar)
    elapsed = (time.perf_counter() - start) / len(seeds)
    losses = torch.nan_to_num(data.losses(theta), nan=float("inf")).view(len(seeds), K)
    results = []
    for g, seed in enumerate(seeds):
        best = g * K + int(losses[g].argmin())
        model = Model(net, theta[best].detach().numpy().copy(), x_scaler, y_scaler, problem.variables)
        alive, total = alive_count(net, theta[best: best + 1], X)
        results.append(FitResult(
            model=model, status=statuses[g], metrics=metrics(problem.y_eval, model.predict(problem.X_eval)),
            train_relative_rmse=float(losses[g].min().sqrt()), time_s=elapsed, restarts=K, seed=seed,
            units_alive=alive, units_total=total, revived=revived[g],
            trainers=tuple(type(t).__name__ for t in stages), target=problem.description,
            history=history[g], problem=problem))
    return results


def train(stages: list[Trainer], theta, data: Data, settings: FitSettings, gens, bar):
    """Run each trainer until every group is done; revive dead units every check_every steps.

    Returns theta, and per group: the status, the history of its best relative RMSE, units revived.
    """
    G, size = data.groups, theta.shape[0] // data.groups
    history, revived = [[] for _ in range(G)], [0] * G
    verdicts: list[Status | None] = [None] * G
    for trainer in stages:
        state = trainer.init(theta, data)
        state.verdicts = [old if old is Status.CONVERGED else new for old, new in zip(verdicts, state.verdicts)]
        while trainer.done(state) is None:
            was_active = [v is None for v in state.verdicts]
            state = trainer.step(state, data)
            best = torch.nan_to_num(state.loss.detach(), nan=float("inf")).view(G, size).min(1).values.sqrt()
            for g in range(G):
                if was_active[g]:
                    history[g].append(float(best[g]))
            bar.advance(float(best.min()))
            if settings.check_every and state.step % settings.check_every == 0 \
                    and state.step < trainer.stopping.max_steps // 2:
                new_theta, counts = revive(data.net, state.theta.detach(), data.X, data.y, gens, state.active)
                with torch.no_grad():  # in place: the trainer keeps its memory, the loss is unchanged
                    state.theta.copy_(new_theta)
                for g, n in enumerate(counts.view(G, size).sum(1).tolist()):
                    revived[g] += n
        bar.finish_stage(trainer.stopping.max_steps - state.step)
        theta, verdicts = state.theta.detach(), state.verdicts
        if all(v is Status.CONVERGED for v in verdicts):
            break
    return theta, verdicts, history, revived
