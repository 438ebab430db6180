"""Does it work every time? Many seeds of each configuration, and how often each succeeds.

A configuration is one FitSettings; a sweep is every combination of the swept
values (settings.SWEEPABLE). A seed succeeds when its held-out relative RMSE is at
most `threshold`; training need go no further than a tenth of that (TRAIN_MARGIN),
so each fit stops there unless its own tol is looser. For measured data a seed succeeds,
by default, when its held-out error is at the estimated noise level, as the fit's sentence
judges it (result.noise_verdict): the data allow no better. Each configuration reports
its success rate with a Wilson 95% interval, the error's quartiles and the median
time per fit.

For |x| with ReLU units and a sign-symmetric random init (he, glorot, naive), the
classic failure is that every unit faces the same way: then no unit ever sees the
other side, and half the V is missed. That happens with probability 2^(1-n) for n
units, so one network succeeds at most 1 - 2^(1-n) of the time (best of K
candidates: 1 - 2^(K(1-n))), unless something re-places units during training;
surefit's revival of dead units is such a thing, so the study prints this
theory beside the measurement only where revival is off (revive_every=None), where
the measurement shows the bare effect of the init.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .engines import Engine, LocalEngine, Trial
from .errors import SurefitError
from .fitting import fit_problem
from .plan import plan
from .plots import plt, save_figure
from .problem import Problem
from .result import BLIND, noise_margin
from .settings import OPTIONS, SWEEPABLE, FitSettings, MinimalSettings, StudySettings
from .stats import quartiles, success_rate, wilson

TRAIN_MARGIN = 10  # training stops at threshold / TRAIN_MARGIN, so held-out error has room to be worse
SIGN_SYMMETRIC = ("he", "glorot", "naive")  # random inits where each unit's slope sign is a coin flip


@dataclass(frozen=True)
class Outcome:
    """One configuration over many seeds."""
    config: dict  # the fit settings that define it (all of settings.SWEEPABLE)
    seeds: int
    successes: int
    success_rate: float
    ci_low: float  # Wilson 95% interval of the success rate
    ci_high: float
    median_error: float  # held-out relative RMSE
    q1_error: float
    q3_error: float
    median_time_s: float
    theory: float | None  # 1 - 2^(K(1-n)) for |x| with a sign-symmetric init and no revival, else None

    def to_dict(self) -> dict:
        return asdict(self)


def configurations(base: FitSettings, **sweep: Sequence) -> list[FitSettings]:
    """Every combination of the swept values (keys from settings.SWEEPABLE); the rest from base."""
    unknown = set(sweep) - set(SWEEPABLE)
    if unknown:
        raise SurefitError(f"cannot sweep {', '.join(sorted(unknown))}; sweepable: {', '.join(SWEEPABLE)}")
    keys = list(sweep)
    return [replace(base, **dict(zip(keys, values))) for values in itertools.product(*sweep.values())]


REFERENCE_WIDTH = 64  # units of the one-layer network whose held-out error sets the bar with several inputs


@dataclass(frozen=True)
class Success:
    """When a seed succeeds: its held-out relative RMSE is at most `threshold`, or (None) its fit is
    at the estimated noise level; `words` end 'a seed succeeds when its ...'."""
    threshold: float | None
    words: str


def success(settings: StudySettings | MinimalSettings, problem: Problem, base: FitSettings) -> Success:
    """The threshold given; auto (None): for an expression the command's EXPRESSION_THRESHOLD; for
    measured data with one input, the noise level (FitResult.at_noise_level); with several, where no
    fit shows the noise level (result.noise_verdict), within noise_margin of the held-out error that a
    wide network (REFERENCE_WIDTH units, base's other settings) reaches: friedman1, 400 training rows,
    tanh, 2 data seeds: 64 units' held-out relative RMSE 0.172 and 0.223, so 0.202 and 0.262 at most,
    which 4 units reach on both (0.42 and 0.46 from the truth; 8 units 0.31 and 0.37; 2 units, 'at'
    their own noise estimate, 1.9 and 2.0)."""
    if settings.threshold is not None:
        return Success(settings.threshold, threshold_words(settings.threshold))
    if not problem.measured or problem.exact_eval:
        return Success(settings.EXPRESSION_THRESHOLD, threshold_words(settings.EXPRESSION_THRESHOLD))
    check_rows_can_tell(problem)
    if problem.n_inputs == 1:
        return Success(None, "held-out error is at the estimated noise level")
    wide = fit_problem(problem, replace(base, hidden=(REFERENCE_WIDTH,))).metrics["relative_rmse"]
    bar = wide * (1 + noise_margin(problem))
    return Success(bar, f"{threshold_words(bar)}, within {noise_margin(problem):.0%} of what {REFERENCE_WIDTH} "
                        f"{base.activation} units reach ({wide:.3g}; with {problem.n_inputs} inputs no fit shows the "
                        "noise level)")


def threshold_words(threshold: float) -> str:
    return f"held-out relative RMSE is <= {threshold:.3g}"


def study(problem: Problem, configs: Sequence[FitSettings], seeds: Sequence[int], *,
          threshold: float | None, engine: Engine | None = None) -> list[Outcome]:
    """Fit every configuration on every seed; one Outcome per configuration, in order.
    A seed succeeds when its held-out relative RMSE is at most `threshold`; None: measured data's
    fit at the estimated noise level (FitResult.at_noise_level)."""
    if threshold is None:
        check_noise_can_tell(problem)
    elif not threshold > 0:
        raise SurefitError(f"the success threshold must be positive, not {threshold!r}")
    else:
        configs = [replace(c, tol=max(c.tol, threshold / TRAIN_MARGIN)) for c in configs]
    for c in configs:
        plan(problem, c)  # refuse a configuration too big for this machine before any runs
    runs = (engine or LocalEngine()).run(problem, configs, seeds)
    return [summarise(problem, settings, trials, threshold) for settings, trials in zip(configs, runs)]


def check_noise_can_tell(problem: Problem) -> None:
    """Refuse, in one line, a success 'at the noise level' that no fit of the problem can show."""
    if not problem.measured or problem.exact_eval:
        raise SurefitError("success at the noise level is for measured data: give a formula a --threshold")
    if problem.n_inputs > 1:
        raise SurefitError(f"with {problem.n_inputs} inputs no fit shows it is at the noise level (the estimate may "
                           "hold signal a network misses): give a threshold on the held-out relative RMSE")
    check_rows_can_tell(problem)


def check_rows_can_tell(problem: Problem) -> None:
    if noise_margin(problem) >= BLIND:
        raise SurefitError(f"scored on {problem.evaluation}, too few to tell a fit at the noise level from one "
                           f"{BLIND:.0%} above it: give more rows, or a --threshold on the held-out relative RMSE")


def summarise(problem: Problem, settings: FitSettings, trials: Sequence[Trial], threshold: float | None) -> Outcome:
    errors = [t.metrics["relative_rmse"] for t in trials]
    if threshold is None:
        hits = sum(t.at_noise_level for t in trials)
        rate = hits / len(trials)
    else:
        hits, rate = success_rate(errors, threshold)
    low, high = wilson(hits, len(trials))
    q1, median, q3 = quartiles(errors)
    return Outcome(config=config_of(settings), seeds=len(trials), successes=hits, success_rate=rate,
                   ci_low=low, ci_high=high, median_error=median, q1_error=q1, q3_error=q3,
                   median_time_s=float(np.median([t.time_s for t in trials])),
                   theory=theory_success(problem, settings))


def config_of(settings: FitSettings) -> dict:
    config = {k: getattr(settings, k) for k in SWEEPABLE}
    config["hidden"] = list(config["hidden"])
    return config


def theory_success(problem: Problem, settings: FitSettings) -> float | None:
    """Success rate if exactly the fits with all units facing one way fail: |x| with relu units,
    a sign-symmetric init and no revival (which re-places units); None where it does not apply."""
    if not (is_abs(problem) and len(settings.hidden) == 1 and settings.activation == "relu"
            and settings.init in SIGN_SYMMETRIC and settings.revive_every is None):
        return None
    n, K = settings.hidden[0], plan(problem, settings).candidates
    return 1 - 2.0 ** (K * (1 - n))


def is_abs(problem: Problem) -> bool:
    """True for the |x| problem: one input and the expression abs(<that input>)."""
    text = problem.description.replace(" ", "")
    return problem.n_inputs == 1 and re.fullmatch(rf"abs\({re.escape(problem.variables[0])}\)", text) is not None


def swept_keys(outcomes: Sequence[Outcome]) -> list[str]:
    """The settings that differ between configurations (all of them if there is only one)."""
    keys = [k for k in SWEEPABLE if len({str(o.config[k]) for o in outcomes}) > 1]
    return keys or ["hidden", "init", "trainer"]


def label(outcome: Outcome, keys: Sequence[str]) -> str:
    return " ".join(f"{k}={fmt_value(k, outcome.config[k])}" for k in keys)


def fmt_value(key: str, value) -> str:
    """A setting as the command line writes it: '45,45', 'auto', 'never'."""
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return OPTIONS[key].metadata["none"] if value is None else str(value)


def plot_study(outcomes: Sequence[Outcome], path: str | Path, *, words: str, title: str,
               format: str | None = None) -> Path:
    """Success rate per configuration with its Wilson 95% interval, and the theory where it applies."""
    keys = swept_keys(outcomes)
    x = np.arange(len(outcomes))
    rate = np.array([o.success_rate for o in outcomes])
    err = np.array([[o.success_rate - o.ci_low for o in outcomes], [o.ci_high - o.success_rate for o in outcomes]])
    fig, ax = plt.subplots(figsize=(max(5.0, 1.1 * len(outcomes) + 2), 4))
    ax.errorbar(x, rate, yerr=err, fmt="o", color="tab:blue", capsize=4, label="measured, Wilson 95% interval")
    theory = [(i, o.theory) for i, o in enumerate(outcomes) if o.theory is not None]
    if theory:
        ti, tv = zip(*theory)
        ax.scatter(np.array(ti) + 0.15, tv, marker="_", s=300, color="tab:red", lw=2,
                   label="theory without revival: $1 - 2^{K(1-n)}$ (a fit fails when all n units "
                         "of each of its K candidates face one way)")
    ax.set_xticks(x, [label(o, keys).replace(" ", "\n") for o in outcomes], fontsize=8)
    ax.set_xlim(-0.6, len(outcomes) - 0.4)
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel(f"share of seeds whose {words}")
    ax.set_title(f"{title}: {outcomes[0].seeds} seeds per configuration", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(fig, path, format)
