"""The other priors a fit of measured data is tried under (alternatives), and the fit that
generalised cross-validation keeps among them (gcv_choice). fitting.fit_and_choose runs them."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from .plan import Plan
from .result import FREE_RHO, FitResult
from .settings import FitSettings
from .trainers.ridge import weighs_units


# A fit with a penalty per hidden unit chose h more penalties from the data, which its effective parameters
# leave out (Ye 1998: a fit's search counts as degrees of freedom); measured below (alternatives).
UNIT_RHO = 5.0


@dataclass(frozen=True)
class Alternative:
    """Another prior for the same fit: its settings, GCV's charge per effective parameter of its
    fits, the note a kept fit carries ({gamma}: the default fit's effective parameters), and
    whether its candidates start where the default fit's ended (warm) rather than afresh."""
    settings: FitSettings
    charge: float
    note: str
    warm: bool = False


def alternatives(the_plan: Plan, settings: FitSettings, N: int) -> list[Alternative]:
    """The other priors that measured data on a network Levenberg-Marquardt trains are fitted
    under, where the evidence chose the penalty (and no early stopping picks instead):

    - none, with more than FREE_RHO points per parameter (with fewer, GCV can never prefer it).
      The evidence's Gaussian prior can keep a fit out of the basin it needs: 8 tanh on sin(6x)
      at 200 random points with 1% noise reaches the Gaussian process's error (0.0033)
      unpenalised from a good start, and the penalised fit from that start leaves it (0.034).
      Measured, 39 1-D cases and networks of the noisy benchmark, 10 data seeds, error against
      the truth, the better of the two by GCV against the penalised fit alone: with FREE_RHO 3
      the geometric mean of the per-case median ratios is 0.968, sin(6x) at 1% 0.69x, at 30%
      0.93x, exact sin(2x) 0.44x, no case worse; with Kim & Gu's 1.4 (what the ridge uses) 0.971
      but 4 tanh on sin(2x) at 10% 1.16x; with 1, 0.981 and a step at 10% with 8 tanh 1.27x.
      It starts from the penalised fit's end points (warm): the penalty leads the candidates into
      a basin but holds them from its bottom, where an oscillation's fit has large output weights
      that cancel. 8 tanh on sin(6x) at 1%: the unpenalised fit from a fresh start found the basin
      on 4 of 10 data seeds (error 0.003, the GP's), from the penalised fit's ends on 10 (0.003-0.006,
      where the penalised fit ended at 0.006-0.028); median error of the choice over 20 data seeds
      0.0059 -> 0.0039, at 10% 0.93-0.98x; the 39 as above, data seeds 0-9: geometric mean 0.944 (exact
      sin(2x) 0.16x), seeds 10-19: 0.989, none worse than 1.022x (a triangle wave at 1%, 8 tanh).
      The per-unit fit from the same ends lost (a step at 30%: 1.06x relu, 1.11x tanh): it starts afresh.
    - a penalty per hidden unit (one hidden layer; ridge.Evidence.reweigh_units), unless the
      settings say yes or no. Measured as above, the best of three against the best of the two
      before: a step at 30% noise 0.726x (8 relu; kept on 9 of 10 seeds) and 0.589x (8 tanh), at
      10% 0.801x and at 1% 0.868x (8 tanh), a triangle wave at 10% with 32 relu 0.892x; geometric
      mean 0.967 over the 39, none worse than 1.004x; friedman1 32 relu 1.007x, diabetes 8 relu
      1.003x, their other nets unchanged. Its charge UNIT_RHO: with FREE_RHO's 3, 32 relu on sin(2x)
      at 10% loses 1.09-1.12x (GCV takes the per-unit fit, which prunes the kinks a smooth target
      needs); 4.5: 1.095x; 5 and 5.5: none worse than 1.004x; 7: none worse, fewer gains (0.975).
    Each costs a fit, and many rows do not make them idle: sin(6x), a step and a triangle wave at 1% and
    10% noise, 1000, 2000 and 5000 random rows, 2 data seeds, error against the truth with them over
    without them, median by size: 8 tanh 0.97x, 0.99x, 0.61x (one kept on 11 of 12 at 5000 rows; sin(6x)
    at 1% 0.0074 against 0.040), 8 relu 1.00x (best 0.34x), for 2-2.7x the time; on sin(2x) at 10% with
    2000-100,000 rows (15 fits) GCV kept the default every time."""
    if not (the_plan.regularised and not settings.early_stopping and "LevenbergMarquardt" in the_plan.trainer.names):
        return []
    out = []
    if N > FREE_RHO * the_plan.net.n_params:
        out.append(Alternative(replace(settings, alpha=0.0, unit_penalties=None), FREE_RHO,
                               "no weight penalty: generalised cross-validation preferred this network's unpenalised "
                               "fit to the penalised one ({gamma:.1f} effective parameters)", warm=True))
    if settings.unit_penalties is None and weighs_units(the_plan.net.hidden):
        out.append(Alternative(replace(settings, unit_penalties=True), UNIT_RHO,
                               "a penalty per hidden unit: generalised cross-validation preferred this fit to one "
                               "with one penalty for every weight ({gamma:.1f} effective parameters)"))
    return out


def gcv_choice(default: FitResult, others: Sequence[tuple[Alternative, FitResult]]) -> FitResult:
    """The fit with the lowest generalised cross-validation score, an estimate of the error on new
    points that assumes no prior (Craven & Wahba 1979): mean squared residual / (1 - rho gamma / N)^2,
    gamma a fit's effective parameters (all its parameters, unpenalised), rho FREE_RHO for the
    default fit and the alternative's charge for the others. Its time is all of theirs."""
    N = len(default.problem.X)

    def score(result: FitResult, charge: float) -> float:
        gamma = result.n_params if result.effective_parameters is None else result.effective_parameters
        room = 1 - charge * gamma / N
        return result.train_relative_rmse ** 2 / room ** 2 if room > 0 else float("inf")

    time_s = default.time_s + sum(result.time_s for _, result in others)
    scored = [(score(default, FREE_RHO), default, None)] + [(score(r, o.charge), r, o) for o, r in others]
    _, best, chosen = min(scored, key=lambda t: t[0])  # the first of equal scores: the default before the others
    if chosen is None:
        return replace(default, time_s=time_s)
    return replace(best, time_s=time_s, notes=(*best.notes, chosen.note.format(gamma=default.effective_parameters)))
