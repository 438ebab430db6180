"""What a fit returns: the model, a status that reads as a sentence, and held-out metrics."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property

import numpy as np

from .model import Model
from .outliers import in_jumps, named
from .problem import Problem
from .status import Status


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """rmse, max_error and relative_rmse (rmse / std of the target; rmse itself if that is 0)."""
    err = y_pred - y_true
    rmse = float(np.sqrt(np.mean(err ** 2)))
    std = float(np.std(y_true))
    return {"rmse": rmse, "max_error": float(np.max(np.abs(err))),
            "relative_rmse": rmse / std if std > 0 else rmse}


# Held-out rows in jumps the training rows do not place (outliers.in_jumps) are the story only where they are
# this share of the held-out rows or fewer (one at least): more, and the network misses a feature.
JUMP_SHARE = 0.05
UNUSED = 0.01  # an input moving the prediction by under 1% of what the strongest one does is not used
INFLUENCE_ROWS = 10_000
# A fit whose error against the truth equals the noise has a held-out RMSE of sqrt(2) sigma: a margin
# for "at the noise level" this wide or wider would call it "at" (noise_limit).
BLIND = float(np.sqrt(2) - 1)
# R^2 under this: the prediction is the target's mean to within 1% of its spread (an error of 0.99 of its standard
# deviation or more), and a fit at the noise there says the target is noise as far as the data show (noise_limit).
EXPLAINED = 0.02
# Knots that a fit places where the data ask count as more than one parameter each in GCV:
# Friedman's MARS (1991) charges 2-4 per knot, 3 by default; an unpenalised network's units are such knots.
# With this many training rows or fewer for each effective parameter, GCV cannot score a fit (priors.gcv_choice)
# and the rows, not the network, limit it (too_few_rows).
FREE_RHO = 3.0


class Verdict(Enum):
    """Which limit a fit of noisy data met (noise_verdict decides, noise_limit says it)."""
    EXACT = "a formula's fit, against the exact function"
    JUMPS = "above the noise only at a few held-out rows in jumps the training rows do not place"
    ABOVE = "above the noise level: a larger network or more steps may help"
    FEW_ROWS = "above the noise level, with too few training rows for the fit: more rows would help"
    BLIND = "within a margin too wide to tell"
    NOISE_ONLY = "the target's own spread: the inputs explain almost none of it"
    UNSHOWN = "at the estimate, which with several inputs may still hold signal"
    AT = "at the noise level: more units will not help"


AT_NOISE = (Verdict.AT, Verdict.JUMPS, Verdict.NOISE_ONLY)  # FitResult.at_noise_level


@dataclass(frozen=True)
class FitResult:
    model: Model
    status: Status
    metrics: dict[str, float]  # on the held-out evaluation set, in the user's units
    train_relative_rmse: float
    time_s: float
    candidates: int  # networks trained side by side; the best is kept
    seed: int
    units_alive: int
    units_total: int
    revived: int  # dead units re-placed during training
    trainers: tuple[str, ...]
    target: str
    history: list[float] = field(repr=False)  # best training relative RMSE after each step
    problem: Problem = field(repr=False)  # the data it was fitted to and evaluated on
    notes: tuple[str, ...] = ()  # what to know beside the status (too few points, fewer candidates)
    candidate_errors: tuple[float, ...] = ()  # every candidate's final training relative RMSE
    effective_parameters: float | None = None  # gamma of Bayesian regularisation, where it chose the penalty
    noise_level: float = 0.0  # standard deviation of the noise in the training targets, target units

    @property
    def n_params(self) -> int:
        return self.model.net.n_params

    def predict(self, X) -> np.ndarray:
        return self.model.predict(X)

    def error_bars(self, X) -> np.ndarray:
        """(n,) the standard deviation of the network's prediction at X (n, d), in the target's
        units (Model.error_bars): how far the fit itself may be from the truth there."""
        return self.model.error_bars(X)

    def noise_at(self, X) -> np.ndarray:
        """(n,) the noise's standard deviation at X (n, d), in the target's units: the noise level, or
        where it changes along the one input (Problem.uneven_noise) the model's profile of it there
        (Model.noise_at; a model keeps the level only with its error bars, the result always)."""
        if self.model.noise_profile is None:
            return np.full(len(X), self.noise_level)
        return self.model.noise_at(X)

    @property
    def noise_range(self) -> tuple[float, float] | None:
        """Where the noise changes along the input: the range it mostly keeps (Model.noise_range); else None."""
        return self.model.noise_range

    @property
    def sentence(self) -> str:
        limit = self.limit
        return (f"{self.target}: {self.status} (relative RMSE {self.metrics['relative_rmse']:.3g} "
                f"on {self.problem.evaluation})" + (f"; {limit}" if limit else "")
                + "".join(f"; {note}" for note in self.notes))

    @property
    def limit(self) -> str:
        """Which limit the fit met, in words, and only what the fit has shown: the noise in
        measured data, or for a stalled fit of a formula how far apart its candidates ended. Measured
        rows that read as exact (noise level 0) in which the evidence found no shape (gamma under 1)
        are too few rows too: 3 rows of a line, fitted as their mean (the evidence has no noise to
        weigh a shape against), said "another start may do better (more candidates)"."""
        shapeless = self.effective_parameters is not None and self.effective_parameters < 1
        if self.problem.measured and (self.noise_level > 0 or shapeless):
            return noise_limit(self)
        if self.status is Status.STALLED and self.candidate_errors:
            return candidates_limit(self.candidate_errors)
        return ""

    @property
    def at_noise_level(self) -> bool:
        """Whether the fit of measured data is at the estimated noise level, as its sentence says
        (noise_verdict): where the rows can tell, its held-out error within noise_margin of it, or
        but for a few rows in jumps the training rows do not place; with several inputs no fit shows it."""
        return self.problem.measured and self.noise_level > 0 and noise_verdict(self) in AT_NOISE

    @cached_property
    def unplaced_jumps(self) -> np.ndarray:
        """(n,) the held-out rows the network misses in jumps between training rows (outliers.in_jumps),
        where they are few (JUMP_SHARE) and the whole of the held-out error's excess over the noise
        level; else none."""
        problem, sigma = self.problem, self.noise_level
        none = np.zeros(len(problem.y_eval), dtype=bool)
        if not problem.measured or not sigma > 0 or within_noise(problem, self.metrics["rmse"], sigma):
            return none
        jumps = in_jumps(problem, self.model)
        if not jumps.any() or jumps.all() or jumps.sum() > max(1.0, JUMP_SHARE * len(jumps)):
            return none  # none, every one (nothing left to judge the rest by) or too many
        rest = metrics(problem.y_eval[~jumps], self.predict(problem.X_eval[~jumps]))["rmse"]
        return jumps if within_noise(problem, rest, sigma) else none

    @cached_property
    def influence(self) -> dict[str, float]:
        """Each input's influence on the prediction, in the target's units: the RMS over the
        training rows of d prediction / d x_j times the spread (standard deviation) of x_j, how far
        the prediction moves when x_j moves by as much as it varies. Central differences of the
        model, steps of 1e-4 of the spread (a tanh or ReLU network is smooth or piecewise
        linear at that scale: the difference is the slope but at the few rows beside a kink).
        Over at most INFLUENCE_ROWS of the rows, evenly spaced: a mean, it needs no more."""
        X = self.problem.X[:: -(-len(self.problem.X) // INFLUENCE_ROWS)]  # a step of ceil(N / rows)
        spread = X.std(axis=0)
        out = {}
        for j, name in enumerate(self.model.variables):
            step = np.zeros(X.shape[1])
            step[j] = 1e-4 * spread[j] if spread[j] > 0 else 1.0
            slope = (self.predict(X + step) - self.predict(X - step)) / (2 * step[j])
            out[name] = float(np.sqrt(np.mean(slope ** 2)) * spread[j])
        return out

    @property
    def unused_inputs(self) -> tuple[str, ...]:
        """The inputs whose influence is under UNUSED of the largest: the fit found no use for them."""
        influence = self.influence
        top = max(influence.values(), default=0.0)
        return tuple(name for name, v in influence.items() if top > 0 and v < UNUSED * top)

    def report(self) -> dict:
        """The JSON report other tools read."""
        net = self.model.net
        return {
            "target": self.target, "status": str(self.status), "status_code": self.status.name.lower(),
            "metrics": dict(self.metrics), "train_relative_rmse": self.train_relative_rmse,
            "time_s": self.time_s, "hidden": list(net.hidden), "activation": net.activation,
            "n_inputs": net.n_inputs, "n_params": net.n_params, "candidates": self.candidates,
            "seed": self.seed, "units_alive": self.units_alive, "units_total": self.units_total,
            "revived": self.revived, "trainers": list(self.trainers), "steps": len(self.history),
            "evaluated_on": self.problem.evaluation, "notes": list(self.notes), "limit": self.limit,
            "noise_level": self.noise_level, "noise_range": self.noise_range,
            "effective_parameters": self.effective_parameters,
            "candidate_errors": list(self.candidate_errors), "influence": self.influence,
        }


def noise_margin(problem: Problem) -> float:
    """How far over the estimated noise level a held-out error may lie and be 'at' it (noise_limit).
    Where the noise is uneven (Problem.uneven_noise) a few noisy rows hold most of it, and both the
    held-out error and the noise level's estimate are as exact as effective_rows of even noise make them."""
    M, N = len(problem.y_eval), len(problem.y)
    if problem.uneven_noise is not None:
        N, M = map(effective_rows, problem.uneven_noise)
    return float(2 * np.sqrt(1 / (2 * M) + 1 / N))


def effective_rows(levels: np.ndarray) -> float:
    """(sum s^2)^2 / sum s^4 for the noise's levels s (n,) at n rows: how many rows of even noise would
    make a mean of squared noise as exact (its variance is 2 sum s^4 for Gaussian noise); n if even."""
    s2 = levels ** 2
    return float(s2.sum() ** 2 / (s2 ** 2).sum())


def held_out_noise(problem: Problem, sigma: float) -> float:
    """The noise level sigma (over the training rows) where the evaluation rows lie: where it is uneven,
    scaled by the local levels' RMS there over the training rows' (Problem.uneven_noise). sin(2x) with
    noise 0.02 growing to 0.32 about x = 1, from 0.01 to 0.31 along x, or 0.05 left of 0 and 0.2 right
    of it, 200 and 500 rows (a fifth held out), 8 tanh and 8 relu, 12 data seeds: with the typical level
    (noise.noise_level) and the even margin, 'above the noise' on 59 of the 117 fits within half the
    noise of the truth, 'at' on 9 of the 27 further; with this, rms_level and effective_rows, on 7 and 7
    (the bump's fits: 'as close as the rows can tell' on 38 of 48). No fit changed."""
    if problem.uneven_noise is None or problem.exact_eval:
        return sigma
    train, held = problem.uneven_noise
    return float(sigma * np.sqrt(np.mean(held ** 2) / np.mean(train ** 2)))


def within_noise(problem: Problem, rmse: float, sigma: float) -> bool:
    """An error no further over the noise level sigma (held_out_noise) than noise_margin: 'at' it,
    where the rows can tell."""
    return rmse <= held_out_noise(problem, sigma) * (1 + noise_margin(problem))


def noise_verdict(result: FitResult) -> Verdict:
    """Measured data: which limit the error met, against the noise (noise_limit says it).
    A perfect model's RMSE on M noisy held-out rows is the noise level within a relative standard
    error of about 1 / sqrt(2M), and the noise level's estimate from N training rows is itself off
    by about 1 / sqrt(N) (measured on the noisy benchmark's fits: the standard deviation of
    log(estimate / sigma) times sqrt(N) is 0.6-1.0 at N = 100-3000); two standard errors of their
    ratio are the margin for "at the noise level".
    With the first term alone, 65 of its 1040 fits said "above" where the error against the truth
    was under half the noise (the estimate had come out low), against 32 now; "at" where it was
    over the noise, 50 against 52 (steps at 1% noise: where a jump lies between two points, the
    data cannot say). On the training rows (none held out) the same margin: there a fit at the
    noise sits a little below it, by the share gamma / N it has fitted.
    A margin of BLIND or more cannot tell a fit at the noise from one as far from the truth as the
    noise itself, and says so rather than "at": with the default 20% held out, 4 shapes at 10% noise,
    8 tanh and 8 relu, 30 data seeds each, 50 rows (10 held out, a margin of 55%) said "at" on 55
    of 240 fits whose error against the truth was over the noise (a step 32, a triangle wave 14,
    sin(2x) with ReLU 8, sin(6x) 1); 100 rows (a margin of 39%) on 33, 200 rows on 6, 500 on none.
    Where the whole excess over the noise lies in a few held-out rows in jumps the training rows do
    not place (FitResult.unplaced_jumps), it says so, and that more rows, not more units, would help:
    with 20% held out, 10 data seeds, 3 fits of 10 of a step at 10% noise (8 tanh) and 4 of 10 at 1%
    (8 relu) said it, none of 40 of sin(6x) and a triangle wave at 1%, sin(6x) at 10% and sin(2x) at
    1% (8 units, too few to follow some of them: 'above').
    Where the training rows, not the network, limit a fit above the noise (too_few_rows), it says
    that more rows would help and more units would not.
    With several inputs "at" claims no more: the noise level comes from the evidence's estimate,
    which holds what signal a network too small misses, and the neighbouring rows', which holds the
    target's curvature between rows that lie far apart in several dimensions (noise.agreed), so
    neither shows that a larger network would not do better. friedman1 (10 inputs, 400 training
    rows, noise 1): the neighbours said 1.87 and 1.92 (2 data seeds); 2 tanh units were 'at' it,
    1.9 and 2.0 from the truth; 3 units 'at' the evidence's 1.59 and 1.65, 1.3 from it; 8 units 1.02
    and 1.07, 0.31 and 0.37.
    Where the rows can tell and the inputs explain under EXPLAINED of the target's variance, that is
    the news: "at the noise level ... more units will not help" alone would read as a good fit of a
    target that is all noise (with 4 rows of a line, the evidence's constant is no such finding)."""
    sigma, rmse, problem = result.noise_level, result.metrics["rmse"], result.problem
    if not problem.measured or problem.exact_eval:
        return Verdict.EXACT
    if result.unplaced_jumps.any():
        return Verdict.JUMPS
    if not within_noise(problem, rmse, sigma):
        return Verdict.FEW_ROWS if too_few_rows(result) else Verdict.ABOVE
    if noise_margin(problem) >= BLIND:
        return Verdict.BLIND
    if explained(problem, rmse) < EXPLAINED:
        return Verdict.NOISE_ONLY
    return Verdict.UNSHOWN if problem.n_inputs > 1 else Verdict.AT


def too_few_rows(result: FitResult) -> bool:
    """Whether the training rows, not the network, limit a fit above the noise where the evidence chose
    the penalty: FREE_RHO or fewer rows for each of its effective parameters, or under one of them (the
    rows showed the evidence no shape worth its cost). Measured: 5 targets (a line, x^2, sin(3x),
    sin(6x), |x| on [-1, 1]) at 5% noise, 10-100 random rows (a fifth held out), 6 data seeds, 8 units,
    the fits above the noise so judged: twice the rows took the error against the truth under 0.7x
    on 63 of 76 (relu) and 39 of 47 (tanh), 32 units on 13 and 4 (none where the rows did not); of
    those 'above' at over FREE_RHO rows a parameter (3-34), twice the rows on 21 of 30 and 14 of 20,
    32 units on 8 and 1. The noisy benchmark's 163 fits 'above' (200-20,000 rows) all have
    over 5 rows a parameter (the fewest: 32 relu on sin(2x), 160 rows, gamma 31.4)."""
    gamma = result.effective_parameters
    return gamma is not None and (len(result.problem.y) <= FREE_RHO * gamma or gamma < 1)


def explained(problem: Problem, rmse: float) -> float:
    """R^2 where the error is measured (1 for a constant target)."""
    spread = float(np.std(problem.y_eval))
    return 1 - (rmse / spread) ** 2 if spread > 0 else 1.0


def noise_limit(result: FitResult) -> str:
    """The sentence for noise_verdict's limit."""
    sigma, rmse, problem = result.noise_level, result.metrics["rmse"], result.problem
    gamma = (f" ({result.effective_parameters:.1f} effective parameters of {result.n_params})"
             if result.effective_parameters is not None else "")
    level = held_out_noise(problem, sigma)
    noise = (f"estimated noise level ({sigma:.3g})" if level == sigma else
             f"estimated noise level where those rows lie ({level:.3g}; it changes along {problem.variables[0]}, "
             f"{sigma:.3g} over the training rows)")
    verdict = noise_verdict(result)
    if verdict is Verdict.EXACT:
        return (f"the error against the exact function ({rmse:.3g}) is {rmse / sigma:.2g} of the noise in the "
                f"training targets ({sigma:.3g}){gamma}")
    on_training = problem.evaluation.startswith("the training rows")
    error = "error on the training rows" if on_training else "held-out error"
    M = len(problem.y_eval)
    rows = f"{len(problem.y):,} training rows" if on_training else f"{M:,} held-out row{'s' * (M > 1)}"
    if verdict is Verdict.JUMPS:
        jumps = result.unplaced_jumps
        missed = list(zip(problem.X_eval[jumps], problem.y_eval[jumps], result.predict(problem.X_eval[jumps])))
        rest = metrics(problem.y_eval[~jumps], result.predict(problem.X_eval[~jumps]))["rmse"]
        them = "it" if len(missed) == 1 else "them"
        return (f"the {error} ({rmse:.3g}) is above the {noise}{gamma} only at "
                f"{len(missed)} held-out row{'s' * (len(missed) > 1)} in a jump between training rows "
                f"({named(problem, missed)}): where the target changes there, the rows do not say; without {them} "
                f"{rest:.3g}, at the noise level: more rows about the jump would place it, more units would not")
    if verdict is Verdict.ABOVE:
        return (f"the {error} ({rmse:.3g}) is above the {noise}{gamma}: "
                f"a larger network or more steps may help")
    if verdict is Verdict.FEW_ROWS:
        fewer = (f"{FREE_RHO:.0f} or fewer for each effective parameter" if result.effective_parameters >= 1
                 else "in which the penalty found no shape worth fitting")
        return (f"the {error} ({rmse:.3g}) is above the {noise}{gamma} with "
                f"{len(problem.y):,} training rows, {fewer}: too few to pin the target down between them, or "
                f"the noise level well; more rows would help, more units would not")
    if verdict is Verdict.BLIND:
        return (f"the {error} ({rmse:.3g}) is within {noise_margin(problem):.0%} of the {noise}{gamma}, as close "
                f"as {rows} can tell: too few to show whether a larger network "
                f"would help")
    if verdict is Verdict.NOISE_ONLY:
        r2 = round(explained(problem, rmse), 2) + 0.0  # + 0.0: no "-0.00"
        return (f"the {error} ({rmse:.3g}) is the target's own spread ({np.std(problem.y_eval):.3g}){gamma}: the "
                f"inputs explain almost none of its variance (R² {r2:.2f}); as far as {rows} show, the target is "
                f"noise around its mean ({np.mean(problem.y):.3g})")
    if verdict is Verdict.UNSHOWN:
        return (f"the {error} ({rmse:.3g}) is at the {noise}{gamma}, which with "
                f"{problem.n_inputs} inputs may still hold signal this network misses: a larger network that ends "
                f"lower would show it")
    return (f"the {error} ({rmse:.3g}) is at the {noise}{gamma}: the "
            f"network has captured what the data supports; more units will not help")


def candidates_limit(errors: tuple[float, ...]) -> str:
    """A stalled formula fit: is this the network's best, or one start's?"""
    errors = sorted(errors)
    if len(errors) == 1:
        return "one candidate only: another start may do better (more candidates)"
    if errors[len(errors) // 2] > 1.5 * errors[0]:
        return (f"its {len(errors)} candidates ended between {errors[0]:.3g} and {errors[-1]:.3g}: "
                f"another start may do better (more candidates)")
    return (f"at least half of its {len(errors)} candidates ended within 50% of the best, so this is "
            f"about the best this network reaches")
