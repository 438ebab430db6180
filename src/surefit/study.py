"""Does it work every time? Many seeds of each configuration, and how often each succeeds.

A configuration is one FitSettings; a sweep is every combination of the swept
values. A seed succeeds when its held-out relative RMSE is at most `tol`. Each
configuration reports its success rate with a Wilson 95% interval, the error's
quartiles and the median time per fit.

For |x| with ReLU units and a sign-symmetric random init (he, glorot, naive), the
classic failure is that every unit faces the same way: then no unit ever sees the
other side, and half the V is missed. That happens with probability 2^(1-n) for n
units, so one network succeeds at most 1 - 2^(1-n) of the time (best of K
candidates: 1 - 2^(K(1-n))), unless something re-places units during training;
the study prints this beside the measurement. surefit's revival of dead units
is such a thing, so `revive` is a sweepable setting: without it the measurement
shows the bare effect of the init.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .engines import Engine, LocalEngine, Trial
from .fit import FitSettings, default_restarts
from .nets import NetSettings
from .plots import plt, save_figure
from .problem import Problem
from .stats import quartiles, success_rate, wilson

SWEEPABLE = ("hidden", "activation", "init", "trainer", "restarts", "max_steps", "revive")
SIGN_SYMMETRIC = ("he", "glorot", "naive")  # random inits where each unit's slope sign is a coin flip


@dataclass(frozen=True)
class Outcome:
    """One configuration over many seeds."""
    config: dict  # the fit settings that define it (all of SWEEPABLE)
    seeds: int
    successes: int
    success_rate: float
    ci_low: float  # Wilson 95% interval of the success rate
    ci_high: float
    median_error: float  # held-out relative RMSE
    q1_error: float
    q3_error: float
    median_time_s: float
    theory: float | None  # 1 - 2^(K(1-n)) for |x| with a sign-symmetric init, else None

    def to_dict(self) -> dict:
        return asdict(self)


def configurations(base: FitSettings, **sweep: Sequence) -> list[FitSettings]:
    """Every combination of the swept values (keys from SWEEPABLE); the rest from base.

    revive=[True, False] sweeps dead-unit revival on and off (FitSettings.check_every).
    """
    unknown = set(sweep) - set(SWEEPABLE)
    if unknown:
        raise ValueError(f"cannot sweep {sorted(unknown)}; sweepable: {', '.join(SWEEPABLE)}")
    keys = list(sweep)
    configs = [with_values(base, dict(zip(keys, values))) for values in itertools.product(*sweep.values())]
    for c in configs:
        c.validate()
    return configs


def with_values(base: FitSettings, values: dict) -> FitSettings:
    revive = values.pop("revive", None)
    if revive is not None:
        values["check_every"] = FitSettings.check_every if revive else None
    return replace(base, **values)


def study(problem: Problem, configs: Sequence[FitSettings], seeds: Sequence[int], *,
          tol: float, engine: Engine | None = None) -> list[Outcome]:
    """Fit every configuration on every seed; one Outcome per configuration, in order."""
    engine = engine or LocalEngine()
    runs = engine.run(problem, configs, seeds)
    return [summarise(problem, settings, trials, tol) for settings, trials in zip(configs, runs)]


def summarise(problem: Problem, settings: FitSettings, trials: Sequence[Trial], tol: float) -> Outcome:
    errors = [t.metrics["relative_rmse"] for t in trials]
    hits, rate = success_rate(errors, tol)
    low, high = wilson(hits, len(trials))
    q1, median, q3 = quartiles(errors)
    return Outcome(config=config_of(settings), seeds=len(trials), successes=hits, success_rate=rate,
                   ci_low=low, ci_high=high, median_error=median, q1_error=q1, q3_error=q3,
                   median_time_s=float(np.median([t.time_s for t in trials])),
                   theory=theory_success(problem, settings))


def config_of(settings: FitSettings) -> dict:
    config = {k: getattr(settings, k) for k in SWEEPABLE if k != "revive"}
    config["hidden"] = list(config["hidden"])
    config["revive"] = settings.check_every is not None
    return config


def theory_success(problem: Problem, settings: FitSettings) -> float | None:
    """Success rate if exactly the fits with all units facing one way fail; None where it does not apply."""
    if not (is_abs(problem) and len(settings.hidden) == 1 and settings.activation == "relu"
            and settings.init in SIGN_SYMMETRIC):
        return None
    n = settings.hidden[0]
    K = settings.restarts or default_restarts(NetSettings(1, settings.hidden, "relu").n_params)
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
    return " ".join(f"{k}={fmt_value(outcome.config[k])}" for k in keys)


def fmt_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "default" if value is None else str(value)


def plot_study(outcomes: Sequence[Outcome], path: str | Path, *, tol: float, title: str) -> Path:
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
                   label="theory: $1 - 2^{1-n}$ (a fit fails when all n units face one way)")
    ax.set_xticks(x, [label(o, keys).replace(" ", "\n") for o in outcomes], fontsize=8)
    ax.set_xlim(-0.6, len(outcomes) - 0.4)
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel(f"success rate (held-out relative RMSE <= {tol:g})")
    ax.set_title(f"{title}: {outcomes[0].seeds} seeds per configuration", fontsize=9)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    return save_figure(fig, path)
