"""What a fit runs, resolved once from the problem and the settings: the network's shape,
how many candidates, the composed trainer, and the memory all of it needs.

Every path that fits (fit, fit_many, the study's engines, minimal, the estimator) gets
its Plan here, so a fit is planned the same way everywhere and a request too big for
this machine is refused (or given fewer candidates) before anything is allocated.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .activations import activation
from .errors import SurefitError
from .init import pieces_exceed_units
from .network import NetSettings
from .problem import Problem
from .registry import TRAINERS
from .resources import budget_bytes, size
from .settings import FitSettings
from .status import Status
from .trainers import (LBFGS, Adam, Chain, ConjugateGradientLM, EarlyStopping, Evidence, Exact, LevenbergMarquardt,
                       Revival, Ridge, Stopping, Subsample, Trainer, WideLevenbergMarquardt)
from .trainers.ridge import weighs_units
from .trainers.rows import chunk_rows

LM_MAX_PARAMS = 800  # above this a Levenberg-Marquardt step (O(N P^2 + P^3)) costs too much
WIDE_MAX_POINTS = 2000  # and LM in the space of the points (O(N^2 P + N^3)) up to this many
WIDE_START_ROWS = 300  # past it, a wide network's candidates may start on this many (starts_wide) ...
WIDE_START_MAX_INPUTS = 2  # ... if the data have this many inputs or fewer
FLOAT = 8  # bytes: every tensor of a fit is float64
SAMPLE_ROWS = 2000  # a formula's candidates train on this many rows (or ROWS_PER_PARAMETER P) ...
ROWS_PER_PARAMETER = 20
REFINE_PATIENCE = 5  # ... then the best goes on on all rows, until 5 steps gain less than 1%
REFINE_GAIN = 1e-5  # measured data's refinement stalls at gains under this share in 20 steps (refiner)


@dataclass(frozen=True)
class Plan:
    net: NetSettings
    candidates: int  # networks trained side by side; the best is kept
    trainer: Trainer
    memory: int  # bytes, the fit's estimated peak
    rows: int  # training rows the candidates start on: all, or a subsample (trainers/subsample.py)
    note: str = ""  # what the plan changed from the settings, and why
    regularised: bool = False  # the weight penalty is chosen by the evidence (Bayesian regularisation)
    init: str = "data"  # the initialiser the candidates start from ("auto" resolved: initialiser_for)


def default_candidates(n_params: int, wide: bool = False) -> int:
    """Candidates per fit: many for tiny networks, where they are cheap and bad starts
    likeliest; few for big ones, whose data-aware starts all end alike. Wide networks on
    measured data (LM in the space of the points, a step O(N^2 P) on at most 2000 points) get
    4: the evidence needs alternatives to choose from (64,64 relu on 200 noisy points: one
    candidate ended at 0.20 against the truth on 1 of 3 data seeds; the best of four at 0.08-0.10)."""
    if wide:
        return 4
    for limit, candidates in ((50, 16), (200, 8), (LM_MAX_PARAMS, 2)):
        if n_params <= limit:
            return candidates
    return 1


# ---------------------------------------------------------------- the trainers behind registry.TRAINERS

def levenberg_marquardt(net: NetSettings, init: str, ridge: Ridge, N: int = 0) -> Trainer:
    """LM with its scaling floor for the activation: smooth units' Gauss-Newton model misses
    curvature that near-collinear units (with large output weights) amplify, so their steps
    need a higher floor; ReLU nets are piecewise linear in each unit's weights and fare
    better with scaling close to Marquardt's (measured on log(x): 50-10 relu, 20 tanh)."""
    return LevenbergMarquardt(min_scale=scaling_floor(net), ridge=ridge)


def conjugate_gradient_lm(net: NetSettings, init: str, ridge: Ridge, N: int = 0) -> Trainer:
    """LM whose damped system is solved by conjugate gradients (trainers/cg.py), same floor. It
    never forms the Gauss-Newton matrix whose eigenvalues an adapting ridge needs."""
    if ridge.adapts:
        raise SurefitError("lm-cg takes a fixed weight penalty only: give alpha, or choose lm, lbfgs or auto "
                           "for measured data (Bayesian regularisation)")
    return ConjugateGradientLM(min_scale=scaling_floor(net), ridge=ridge)


def scaling_floor(net: NetSettings) -> float:
    return 1e-3 if activation(net.activation).piecewise_linear else 1e-2


def adam(net: NetSettings, init: str, ridge: Ridge, N: int = 0) -> Trainer:
    """Adam takes no penalty: for measured data, pair it with early stopping."""
    return Adam()


def lbfgs(net: NetSettings, init: str, ridge: Ridge, N: int = 0) -> Trainer:
    """L-BFGS; under a penalty the evidence chooses, stalled only when 60 steps gain less than
    0.1%, not 1%: the objective of noisy data sits at the noise variance, and 1% of it is the
    square of an error against the truth of 0.1 sigma, the size of what such a fit is after
    (64,64 tanh, 2400 points of sin(2x) + 10% noise, 2 data seeds: 0.0148 and 0.0145 at 1%,
    0.0131 and 0.0112 at 0.1%); and up to 1500 steps, not 600: from He's start a 64,64 relu net
    on 3000 such points was still gaining at 600 (bench case sin2x-s10-n3000, 3 data seeds:
    0.0179, 0.0193, 0.0131 at 600 steps; 0.0133, 0.0163, 0.0119 at 1500, in 1.3-1.4x the time).
    Longer still (5000 steps, stalled when 200 gain less than 0.01%), 64,64 tanh there, 6 data seeds:
    median error 0.00683 -> 0.00663 (the Gaussian process: 0.00476), two seeds worse (0.00603 ->
    0.00663, 0.00669 -> 0.00680), in 2.9x the time: not taken."""
    if not ridge.adapts:
        return LBFGS(ridge=ridge)
    return LBFGS(ridge=ridge, stopping=Stopping(max_steps=1500, patience=60, min_gain=1e-3))


def adam_then_lbfgs(net: NetSettings, init: str, ridge: Ridge, N: int = 0) -> Trainer:
    return Chain((Adam(), lbfgs(net, init, ridge)))


def auto_trainer(net: NetSettings, init: str, ridge: Ridge, N: int) -> Trainer:
    """LM for small networks; for wide ones on measured data (a penalty that adapts), LM in the
    space of the N data points, or L-BFGS beyond WIDE_MAX_POINTS (whose candidates may start in the
    space of a few of them: start_rows); else LM with conjugate
    gradients (trainers/cg.py: it beat L-BFGS by far, measured there) from a data-aware start,
    or Adam then L-BFGS from a random one (Adam's first steps would throw a data-aware start away).
    LM in the space of the points against L-BFGS (He's or Glorot's start, one candidate) on 200
    noisy points, the noisy benchmark's eight 64,64 rows, error against the truth, median of 20 data
    seeds: L-BFGS 0.90x on sin(2x) with ReLU (10% and 30% noise), but 1.16x and 1.13x on a triangle
    wave with ReLU, 1.13x and 1.17x on sin(2x) with tanh, 1.07x and 0.93x on the triangle with tanh.
    Neither the evidence nor generalised cross-validation tells which fit of a data seed is better:
    L-BFGS's was on 54 of the 160, they take it on 7 and 8 (median gamma 16 against 26); nor does
    5-fold cross-validation (10 data seeds; sin(2x) at 30% with ReLU 0.86x, but the triangle at 10%
    1.10x with ReLU and 1.09x with tanh, sin(2x) at 30% with tanh 1.12x), in 8x the time; but with
    L-BFGS from He's start and ReLU-like units alone it keeps the triangle, and that is what
    fitting.cross_validated does (crossval.py has the measurements). A lack-of-fit test would cost no
    fits, but cannot tell (LM's |r|^2 / (N - gamma) over the model-free noise's square: 0.85-1.40 on
    sin(2x), 0.85-1.30 on the triangle, where L-BFGS's fit was better on 8 of 10 and 2 of 10 seeds).
    Again for ReLU on an AMD EPYC, 20 data seeds, L-BFGS from Glorot's start (sin(2x) at 30%: 0.0676,
    He's 0.0702), sin(2x) at 30% and 10%, the triangle at 10% and 30%: L-BFGS 0.85x, 0.92x, 1.28x,
    1.18x (geometric mean 1.04x), in a quarter of the time; against sklearn's MLP with alpha by
    5-fold cross-validation on the same data, LM 1.11x, 1.04x, 0.81x, 0.82x and L-BFGS 0.95x, 0.95x,
    1.03x, 0.97x. The evidence's optimum for a ReLU network has few kinks (gamma 15-25; L-BFGS stops
    short of it at 35-48): right for a triangle, too pointed at a sine's crests. Neither L-BFGS then
    LM from its end (sin(2x) at 30% 0.064, the triangle at 10% 0.018; 10 data seeds; on an AMD EPYC,
    median ratio to the CV MLP 1.13x -> 1.01x and 0.83x -> 1.03x, and the evidence, which picks
    among candidates, preferred LM's own fit on 35 of the four cases' 36 data seeds, by 4-48 nats,
    where the other was nearer the truth on 18), four such candidates (0.066, 0.017), nor a share
    of the ridge per layer (MacKay's groups: 0.077, 0.013) keeps both; nor a quarter of the chosen
    ridge (6 data seeds, against the CV MLP: sin(2x) at 30% 1.13x -> 1.00x, the triangle at 10%
    0.80x -> 1.11x; generalised cross-validation preferred the chosen ridge's fit on all 24), GCV's
    ridge alone (1.07x, 0.83x; sin(2x) at 10% 0.97x -> 1.02x), or validation early stopping (1.4-2.1x).
    Nor the hidden biases at 1/100 of the ridge (sklearn leaves intercepts unpenalised; a kink far from
    the middle costs a ReLU unit more: 6 data seeds, sin(2x) at 30% 0.078 -> 0.087, the triangle at 30%
    0.040 -> 0.318). Nor is the family the limit: over 11 fixed ridges (L-BFGS, 6 data seeds, the best
    ridge of each seed in hindsight), weight-normalised hidden units with the ridge on the output layer
    alone reach 0.060 on sin(2x) at 30% and 0.0157 on the triangle at 10%, the usual parametrisation
    0.065 and 0.0152 (LM under the evidence 0.078 and 0.0117; the CV MLP 0.070 and 0.017, 20 seeds)."""
    if net.n_params <= LM_MAX_PARAMS:
        return levenberg_marquardt(net, init, ridge)
    if wide_and_measured(net, ridge):
        return WideLevenbergMarquardt(ridge=ridge) if N <= WIDE_MAX_POINTS else lbfgs(net, init, ridge)
    data_aware = init in ("auto", "data")  # auto is the data init here (initialiser_for)
    return conjugate_gradient_lm(net, init, ridge) if data_aware else adam_then_lbfgs(net, init, ridge)


def wide_and_measured(net: NetSettings, ridge: Ridge) -> bool:
    """Too many parameters for LM's steps in their own space, under a penalty the data choose:
    auto_trainer's LM in the space of the points, or L-BFGS past WIDE_MAX_POINTS."""
    return net.n_params > LM_MAX_PARAMS and ridge.adapts


def ridge_for(settings: FitSettings, measured: bool) -> Ridge:
    """The weight penalty: the one asked for, else chosen by the evidence for measured data
    (which carry noise a fit must not follow), with a share per hidden unit if asked, else none
    (a formula is exact)."""
    if settings.unit_penalties and (settings.alpha is not None or not measured or not weighs_units(settings.hidden)):
        raise SurefitError("unit penalties are chosen by the evidence, for measured data on a network of one "
                           "hidden layer with alpha on auto")
    if settings.alpha is not None:
        return Ridge(settings.alpha)
    return Evidence(per_unit=bool(settings.unit_penalties)) if measured else Ridge()


def initialiser_for(settings: FitSettings, net: NetSettings, rows: int, measured: bool) -> str:
    """The initialiser asked for; for "auto" the data init, except where L-BFGS trains the candidates
    (on `rows` rows) of a wide network (over LM_MAX_PARAMS) fitted to measured data under a penalty
    the evidence chooses: there He's weights for ReLU-like units, Glorot's for smooth ones. The data
    init's steep units carry large weights, which the growing penalty then has to shrink, and L-BFGS
    stalls doing so (64,64 on 3000 points of sin(2x) + 10% noise, error against the truth, data init
    against random: tanh 0.24 against 0.007-0.010 (4 data seeds); relu 0.023-0.033 against
    0.018-0.022 (3); friedman1, 3000 rows, 64,64 tanh: 1.09 against 0.55). Small networks keep the
    data init (8 relu, 200 points, trainer lbfgs: 0.053 against He's 0.101, 6 seeds). LM's steps
    solve for the penalty exactly; with several inputs, where the data init's directions are random
    too, LM from He's start was no better (friedman1, 250 rows, 64,64 relu: better on 2 of 5 data
    seeds, far worse on 2; bench/RESULTS-noisy.md, stop 39)."""
    if settings.init != "auto":
        return settings.init
    starts = named_trainer(settings, net, rows, measured)  # what trains the candidates, on `rows` rows
    if wide_and_measured(net, ridge_for(settings, measured)) and "LBFGS" in starts.names:
        return "he" if activation(net.activation).piecewise_linear else "glorot"
    return "data"


def named_trainer(settings: FitSettings, net: NetSettings, N: int, measured: bool) -> Trainer:
    """The trainer the settings name, for N rows, with its penalty and the settings' stopping rules."""
    base = TRAINERS.load(settings.trainer)(net, settings.init, ridge_for(settings, measured), N)
    return base.stopped_by(tol=settings.tol, **({"max_steps": settings.max_steps} if settings.max_steps else {}))


def trainer_for(settings: FitSettings, net: NetSettings, N: int, rows: int, measured: bool) -> Trainer:
    """The named trainer for the `rows` rows the candidates start on (start_rows), wrapped in revival;
    where that is a subsample, then the named trainer for all N rows refines (the two differ where
    the number of rows decides, auto_trainer); and early stopping around it all, where it is on."""
    base = named_trainer(settings, net, rows, measured)
    trainer = Revival(base, settings.revive_every) if settings.revive_every else base
    if rows < N:
        trainer = Subsample(trainer, refiner(named_trainer(settings, net, N, measured), measured), rows)
    return EarlyStopping(trainer) if settings.early_stopping else trainer


def start_rows(settings: FitSettings, net: NetSettings, N: int, measured: bool) -> int:
    """Rows the candidates train on: all N, or with far more rows than the network needs (over
    twice max(SAMPLE_ROWS, ROWS_PER_PARAMETER P)), a subsample of that many; the best then goes on
    on all rows (trainers/subsample.py), measured data's under the penalty the subsample chose.
    Short of that, past WIDE_MAX_POINTS rows a wide network fitted to measured data may start on
    WIDE_START_ROWS of them (starts_wide), where auto_trainer takes LM in the space of the points."""
    rows = max(SAMPLE_ROWS, ROWS_PER_PARAMETER * net.n_params)
    if N > 2 * rows:
        return rows
    return WIDE_START_ROWS if N > WIDE_MAX_POINTS and starts_wide(settings, net, measured) else N


def starts_wide(settings: FitSettings, net: NetSettings, measured: bool) -> bool:
    """Whether auto's wide network of smooth units on one or two inputs starts by LM in the space of
    WIDE_START_ROWS points from the data init, L-BFGS then going on on every row, rather than by
    L-BFGS from Glorot's start. Measured, 64,64 tanh on 3000 points, error against the truth: sin(2x)
    + 10% noise, 20 data seeds, better on 14 (median 0.00611 -> 0.00560, the Gaussian process's
    0.00473; 300 and 500 rows alike on 3 seeds) in the same time (a median 32 s -> 31 s); sin(a) cos(b)
    + 10% noise, 3 seeds, better on 3 (0.0160 -> 0.0141), in 0.6-1.0x the time. Not on friedman1 (10
    inputs, 5 unused), where 300 rows are too few for the evidence's share of each input: worse on 4
    of 4 seeds (0.184 -> 0.223, effective parameters 90-150 -> 44-50). Nor for ReLU-like units: from
    a kinked fit of 300 points L-BFGS ended worse on 3 of 4 seeds than from He's start (median 0.0121
    against 0.0119), in 1.6x the time."""
    smooth = not activation(net.activation).piecewise_linear
    return (settings.trainer == "auto" and smooth and net.n_inputs <= WIDE_START_MAX_INPUTS
            and wide_and_measured(net, ridge_for(settings, measured)))


def refiner(trainer: Trainer, measured: bool) -> Trainer:
    """What refines the best candidate on all rows: the trainer's last stage, with a short patience
    (the subsample phase has done the exploring; on all rows a step only polishes). Measured data
    keep the trainer's own patience and stall only when it gains less than REFINE_GAIN, not 1%:
    their objective sits at the noise variance, and what all rows add to a fit of a subsample is
    a far smaller share of it, which the evidence's moving ridge blurs from step to step (sin(2x)
    + 10% noise, 20,000 rows, 8 tanh, 3 data seeds, error against the truth of the fit on every
    row 0.0018-0.0025: 5 steps at 1%, 1.4-2.3x that; 5 at 1e-6, 1.3x and 1.6x on 2 of them; 20 at 1e-6, 1.0x).
    20 at 1e-5 lose nothing measurable and stop an unpenalised refinement that creeps: on 200,000 rows
    of sin(a) cos(b) + 0.1 noise, 16 tanh, the unpenalised alternative (priors.alternatives) took 127
    full-size steps at 1e-6 where the penalised fit took 36; at 1e-5 the kept fits' errors against the
    truth are equal to every digit (3 data seeds) in 0.64-0.92x the time, and at 20,000 rows (a step,
    sin(6x) at 1%, 32 relu on sin(2x), friedman1; 3 data seeds each) 10 of 12 are, the others 1.0006x and 1.0000x.
    L-BFGS under the evidence's penalty keeps its own rule, made for measured data (lbfgs): a wide
    network's refinement from 300 rows (start_rows) at 1e-6 ran its 1500 steps, 1.4-2.3x the time,
    for a median error of 0.0055 against 0.0057 (6 data seeds)."""
    last = trainer.stages[-1] if isinstance(trainer, Chain) else trainer
    if not measured:
        return last.stopped_by(patience=REFINE_PATIENCE)
    return last if isinstance(last, LBFGS) and last.ridge.adapts else last.stopped_by(min_gain=REFINE_GAIN)


# ---------------------------------------------------------------- the plan

def is_constant(y: np.ndarray, measured: bool = False) -> bool:
    """Whether y is constant to float64's precision: its spread under 1e-12 of its size. A formula's
    values count a size of at least 1: an identity's rounding residue (sin(x)**2 + cos(x)**2 - 1
    varies by 1e-16) is zero, not a target. Measured data carry their own units (a capacitance in
    farads varies by 1e-13), so only their spread against their own size counts."""
    size = float(np.abs(y).max())
    return float(y.std()) <= 1e-12 * (size if measured else max(1.0, size))


def plan(problem: Problem, settings: FitSettings, seeds: int = 1) -> Plan:
    """The plan for `seeds` fits of settings on problem, trained side by side."""
    constant = is_constant(problem.y, problem.measured)
    the_plan = plan_for(settings, len(problem.X), problem.n_inputs, constant, seeds, problem.measured,
                        oscillating(problem, settings))
    return replace(the_plan, note=tiny_formula(problem.y)) if constant and not problem.measured else the_plan


def tiny_formula(y: np.ndarray) -> str:
    """For a formula read as constant (is_constant): '' where its values are constant in their own
    units too, else that its whole variation is under the rounding floor, and how to fit its shape:
    1e-13 * sin(x) would otherwise read "fitted exactly" beside a relative error of 1."""
    if is_constant(y, measured=True):
        return ""
    return (f"its values vary by only {float(y.std()):.3g}, under 1e-12, and were read as a constant's rounding "
            "(as sin(x)**2 + cos(x)**2 - 1 varies by 1e-16): to fit their shape, scale the formula up")


def oscillating(problem: Problem, settings: FitSettings) -> bool:
    """Measured data with more rises and falls than the data init has step units for
    (init.step_units), where the candidates start on different choices of pieces: twice the
    candidates there. 8 tanh on sin(6x) (13 pieces), 200 noisy points, 20 data seeds: 32
    candidates against 16 took the error against the truth from 0.025 (worst 0.375) to 0.012
    (worst 0.097) at 1% noise and from 0.046 to 0.040 at 10%, in 1.5x the time. Not for
    formulas: exact sin(6x) on a 200-point grid lost its fit on 1 of 3 seeds (relative error
    0.003 -> 0.017, 4x the time); there the largest pieces are the right ones. Not counted when
    the candidates are given (the count sorts the data: 0.6 s for a million rows)."""
    return (settings.candidates is None and problem.measured and settings.init in ("auto", "data")
            and problem.n_inputs == 1 and bool(settings.hidden)
            and pieces_exceed_units(problem.X[:, 0], problem.y, settings.hidden[0], settings.activation))


def plan_for(settings: FitSettings, N: int, n_inputs: int, constant: bool = False, seeds: int = 1,
             measured: bool = False, oscillating: bool = False) -> Plan:
    """The plan for N training points of n_inputs columns: also usable before they are sampled,
    so that a request too big for this machine is refused before anything is allocated."""
    net = NetSettings(n_inputs, settings.hidden, settings.activation)
    rows = start_rows(settings, net, N, measured) if net.hidden and not constant else N
    if constant:
        trainer: Trainer = Exact(Status.CONSTANT)
    elif not net.hidden:
        trainer = Exact(Status.LINEAR)
    else:
        trainer = trainer_for(settings, net, N, rows, measured)
    init = initialiser_for(settings, net, rows, measured)
    K = settings.candidates or default_candidates(net.n_params, "WideLevenbergMarquardt" in trainer.names) * (
        2 if oscillating and init == "data" else 1)
    uses_lm = "LevenbergMarquardt" in trainer.names  # the Jacobian formed, over chunks of rows
    regularised = isinstance(ridge_for(settings, measured), Evidence) and bool(
        {"LevenbergMarquardt", "WideLevenbergMarquardt", "LBFGS"} & set(trainer.names))
    need = peak_bytes(net, N, seeds * K, uses_lm, rows, seeds)
    if need <= budget_bytes():
        return Plan(net, K, trainer, need, rows, regularised=regularised, init=init)
    fits = max((k for k in range(1, K) if peak_bytes(net, N, seeds * k, uses_lm, rows, seeds) <= budget_bytes()),
               default=0)
    if settings.candidates is None and fits:
        note = (f"{K} candidates would need {size(need)} of memory, more than this machine has free; "
                f"trained {fits} instead")
        return Plan(net, fits, trainer, peak_bytes(net, N, seeds * fits, uses_lm, rows, seeds), rows, note,
                    regularised, init)
    raise SurefitError(too_big(net, N, seeds * (1 if settings.candidates is None else K), uses_lm, rows, seeds))


def too_big(net: NetSettings, N: int, K: int, uses_lm: bool, rows: int | None = None, groups: int = 1) -> str:
    """The one line that refuses a fit: what it needs, what is free, and what would fit."""
    budget = budget_bytes()
    need = peak_bytes(net, N, K, uses_lm, rows, groups)
    per_point = peak_bytes(net, 2, K, uses_lm) - peak_bytes(net, 1, K, uses_lm)
    points = int((budget - peak_bytes(net, 0, K, uses_lm)) / per_point) if per_point > 0 else 0
    scale = 1.0
    while scale > 1e-4 and peak_bytes(_scaled(net, scale), N, K, uses_lm, rows, groups) > budget:
        scale *= 0.8
    widths = ",".join(map(str, _scaled(net, scale).hidden))
    fits = peak_bytes(_scaled(net, scale), N, K, uses_lm, rows, groups) <= budget
    fixes = [f"at most about {points:,} points" if points >= 2 else None,
             f"hidden widths of at most about {widths}" if net.hidden and fits else None,
             "fewer candidates" if K > 1 else None]
    return (f"this fit would need about {size(need)} of memory ({N:,} points, {net.n_params:,} parameters, "
            f"{K} candidate{'s' if K > 1 else ''}) but {size(budget)} is free to use; "
            f"it would fit with {' or '.join(f for f in fixes if f) or 'a smaller problem'}")


def _scaled(net: NetSettings, factor: float) -> NetSettings:
    return NetSettings(net.n_inputs, tuple(max(1, int(w * factor)) for w in net.hidden), net.activation)


def peak_bytes(net: NetSettings, N: int, K: int, uses_lm: bool, rows: int | None = None, groups: int = 1) -> int:
    """The largest memory a fit holds at once, estimated from its biggest tensors.

    The data (N, d + 2) count once. The K candidates train on `rows` rows (default all N),
    then with a subsample each of the `groups` best goes on alone on all N. A candidate
    working on n rows holds the activations of every layer, with autograd's copies; the
    output least squares on [H; mu I] (n + w + 1 rows, w + 1 columns, twice for the
    solver); and LM's Jacobian (n, P) with its per-layer blocks, Q (n, w + 1) and its
    P x P matrices, or L-BFGS's 20 curvature pairs. LM takes its sums over chunks of rows
    (trainers/rows.py), so for it n is at most a chunk; the others see every row at once.
    """
    P, w = net.n_params, (net.hidden[-1] if net.hidden else net.n_inputs)
    rows = N if rows is None else rows

    def candidate(n: int) -> int:
        activations = 4 * n * net.n_units
        output_solve = 2 * (n + w + 1) * (w + 1)
        trainer = 2 * n * P + n * (w + 1) + 4 * P * P if uses_lm else 2 * 20 * P + 2 * P
        return activations + output_solve + trainer

    def at_once(n: int, k: int) -> int:  # the rows one step of k candidates holds at a time
        return min(n, chunk_rows(k, P)) if uses_lm else n

    start = K * candidate(at_once(rows, K))
    refine = groups * candidate(at_once(N, groups)) if rows < N else 0
    return FLOAT * (N * (net.n_inputs + 2) + max(start, refine))
