"""Outliers in measured data: training rows that lie far from the network and outside their
neighbours' targets, a mistyped cell or a glitch of the instrument, found, said and left out.

Least squares follows such rows. sin(2x) + 10% noise, 200 rows, one of them 10 too high, 8 tanh:
the network bent to pass through it (its leverage 1.00) and missed the rest, error against the
truth 0.68 against 0.019 without it (3 data seeds: 0.68, 0.72, 0.17), with no outlier in sight
among the plain residuals on 2 of the 3. So a row is wild where its leave-one-out residual,
r / (1 - h) with h its leverage (the hat matrix's diagonal J A^-1 J^T, which the error bars give:
uncertainty.py), lies over OUTLIER_FACTOR times the residuals' typical size there from their median;
and an outlier where its target also lies that far outside the range of what its neighbours say
(local_values: the range of their targets, the lowest and the highest aside, so that two outliers
side by side do not hide each other; with one input, unless the line through its neighbours on one
side meets it there, as the vertex of a kink does, or the parabola through them, as a crest does).
Where a fit without the rows left out predicts the held-out rows much worse, or past every target
where they were, they are kept (refit_doubt): rows the target needs, too sparse to judge. Held-out
rows are judged by the same two tests (the network never saw them) and left out of the metrics. A glitch
that lasts a few rows side by side hides from both (runs_outside says why): with one input such a
run is a suspect where the rows either side put it far off, and an outlier where a fit without it
leaves it far off too (glitches).
The second test keeps the rows of a jump or a kink, whose leverage is high too, but whose targets
lie between their neighbours' or where their lines meet. Fitted to the noisy benchmark's steps
and triangle waves, the first test alone flagged rows in 8 of 13 fits (8 units, 1-30% noise); both
flagged none in 200 (1% and 10% noise, 8 and 32 units, 20 data seeds each, and sin(6x), sin(2x))
nor in 192 of the benchmark's other cases (10 data seeds, 3 for 64,64 networks). The 4 nearest
rows as neighbours flagged the last row of a step's lower side, all of whose nearest neighbours
lay on its upper side; the neighbours' targets without the lines, the vertex of a triangle at 1%
noise. Written here because no kept library judges outliers against a network's own leverage.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.stats import median_abs_deviation

from .model import Model
from .noise import LOCAL_ROWS, local_rows, local_statistic, nearest
from .problem import Problem
from .uncertainty import work_per_row

OUTLIER_FACTOR = 6.0  # Gaussian noise leaves 2e-9 of its rows this many standard deviations out: none in a million
OUTLIER_SIZE = 0.01  # and so far that they matter: over this share of the targets' spread
LEVERAGE_WORK = 3e10  # rows x an error bar's work (uncertainty.work_per_row): 64,64 on 2,000 rows 2.5e10, 2 s
SHOWN = 3  # left-out rows named in the note
PASSES = 3  # fits again at most: each may find outliers the one before bent to hide (two side by side)
MAX_RUN = 5  # rows side by side judged together as one glitch (runs_outside)
# and so far off that they matter, and that no gap in smooth data explains: a curve through the rows either side of a
# crest with a gap beside it misses it by some percent of the spread (runs_outside's parabola: 60 random rows of
# sin(2x), no noise, 3 data seeds, 1.3%, 3.1% and 7.2%; sparser rows miss by more, and a fit without them judges)
RUN_SIZE = 0.1
SHARE = 0.1  # of the training rows left out at most: past it the network misses a feature, or the data are no sample
REFIT_WORSE = 2.0  # held-out RMS without the left-out rows over with them, past which they are kept (held_out_worse)


def leave_one_out(problem: Problem, model: Model) -> np.ndarray:
    """(N,) each training row's residual had the network been fitted without it, to first order
    r / (1 - h), h = (error bar / noise level)^2 (the hat matrix's diagonal, uncertainty.py). The
    plain residuals where the model keeps no posterior or the rows are too many."""
    residual = problem.y - model.predict(problem.X)
    if model.posterior is None or len(residual) * work_per_row(model.posterior) > LEVERAGE_WORK:
        return residual
    leverage = (model.error_bars(problem.X) / model.noise_level) ** 2
    return residual / np.maximum(1 - leverage, 1e-3)  # 1e-3: a row the network passes through exactly


def local_values(X: np.ndarray, y: np.ndarray, X_query: np.ndarray | None = None
                 ) -> tuple[np.ndarray, np.ndarray | None]:
    """What the rows (X, y) near each of the rows X_query (n, d) (None: each row of X, itself left
    out) say its target could be: their targets (n, k) and, with one input, curves through them
    taken there (n, 3): the lines through each side's two, and the least-squares parabola through
    all four (NaN at the ends). With one input the neighbours are two on each side in x's order
    (one-sided at the ends), so that a row beside a jump has neighbours on both of its sides; with
    more the 2 (d + 1) nearest, inputs standardised (noise.py's local planes), and no curves. The
    parabola, measured without a fit (the true noise level as the typical size; a triangle wave, a
    step, sin(6x), |x|, sin(2x); 20 data sets each): clean rows called outside at 60 rows 523 -> 324
    (0.1% noise), 164 -> 85 (1%); at 200 rows 255 -> 60 (0.1%); wild rows 8-40 noise levels out
    excused by the curves 54 -> 54, 23 -> 23, 199 -> 200 and at 2,000 rows 38, 24, 26 -> 38, 25, 27."""
    own = X_query is None
    Q = X if own else X_query
    N, d = X.shape
    if d > 1:
        near = nearest(X, Q, min(2 * (d + 1), N - own) + own)
        return y[near[:, own:]], None
    order = np.argsort(X[:, 0], kind="stable")
    if own:
        base = np.empty(N, dtype=int)
        base[order] = np.arange(N)  # each row's place in x's order
    else:
        base = np.searchsorted(X[order, 0], Q[:, 0])  # where each query row would go
    at = base[:, None] + np.array([-2, -1, own, own + 1])  # (n, 4) places in x's order
    both_sides = (at[:, 0] >= 0) & (at[:, -1] < N)
    shift = 4 + own  # the ends look inwards
    at = order[np.where(at < 0, at + shift, np.where(at >= N, at - shift, at)).clip(0, N - 1)]
    x, near = X[:, 0], y[at]
    curves = []
    for a, b in ((0, 1), (2, 3)):
        run = x[at[:, b]] - x[at[:, a]]
        slope = np.divide(near[:, b] - near[:, a], run, out=np.zeros(len(Q)), where=run != 0)
        curves.append(near[:, a] + slope * (Q[:, 0] - x[at[:, a]]))
    parabola = _polynomial(x[at], near, Q[:, :1], 2)[:, 0]
    curves.append(np.where(both_sides, parabola, np.nan))  # beyond the ends it would be thrown anywhere
    return near, np.column_stack(curves)


def outside(y: np.ndarray, said: tuple[np.ndarray, np.ndarray | None], typical: np.ndarray) -> np.ndarray:
    """(n,) True where the targets y (n,) lie over OUTLIER_FACTOR typical sizes (n,) outside what
    their neighbours say (local_values): the range of their targets without the lowest and the highest
    (an outlier beside another hides neither), unless one of their curves meets the row (a side's line
    goes on from that side, as a kink's vertex does; the parabola, as a crest does). A side's line,
    through rows at x_a and x_b taken at x_a + u (x_b - x_a), carries sqrt((1 - u)^2 + u^2) of their
    noise, and with random inputs u is often large (P(u > t) about 1/t), so it sometimes excuses a
    wild row: 300,000 rows of sin(2x), noise 0.05 and 0.2, 40 rows 2.0 too high, 8 tanh: 3 kept (one
    38.7 noise levels out); 2,000 rows, 10 of them 8-40 levels out, 40 data seeds, the true level as
    the typical size: 20 of 400 excused. Counting a line only where it leaves the range by twice its
    own noise excused 8 of the 400, and changed nothing in the noisy benchmark's shapes, outliers and
    sizes groups (260 fits bitwise); but of 128 fits of clean kinks and crests (a triangle wave, |x|,
    sin(6x), a step; 0.1% and 1% noise; 60 and 200 rows; 8 tanh and relu), it left out 3 more rows in
    3, and one of them a crest of sin(6x) at 60 rows: error 0.054 -> 0.187. Not taken. Raising the
    typical size to the parabola's misses over the 30 nearest rows (where the rows are too sparse to
    place the target, none is outside) excused wild rows where the noise alone makes it miss (200
    rows, 10% noise: 23 of 500 -> 103; as a gate past 3 noise levels, 57). Not taken either."""
    near, curves = said
    near = np.sort(near, axis=1)
    far = np.maximum(y - near[:, -2], near[:, 1] - y) > OUTLIER_FACTOR * typical
    if curves is not None:
        far &= ~(np.abs(y[:, None] - curves) <= OUTLIER_FACTOR * typical[:, None]).any(axis=1)
    return far


def residual_scale(problem: Problem, model: Model) -> tuple[np.ndarray, float, np.ndarray]:
    """(the training rows' leave-one-out residuals (N,), their median, their typical size at each
    of them (N,): typical_size)."""
    loo = leave_one_out(problem, model)
    return loo, float(np.median(loo)), typical_size(problem.X, loo)


def typical_size(X: np.ndarray, loo: np.ndarray, Q: np.ndarray | None = None) -> np.ndarray:
    """(n,) the typical size of the training rows' leave-one-out residuals loo (N,), at inputs X (N, d),
    at each row of Q (n, d) (None: X's own): the largest of all rows', the LOCAL_ROWS nearest rows' and
    the local_rows(N) nearest rows' median absolute deviation as a standard deviation, which a few wild
    rows do not inflate. Each can understate the noise where the others need not: all rows' where the
    noise is larger here than on the whole, 30 rows' by chance (past some thousand rows, some row lies
    far out where its 30 read low), and many rows' where the noise changes within them. sin(2x) with
    noise 0.05 left of 0 and 0.2 right of it, 8 tanh, 2 data seeds: with the 30 nearest rows' and all rows'
    alone none was left out at 20,000 and 100,000 rows, but at 300,000 1 training row and 1-3 held-out
    rows (none an outlier), and at a million 6 and 3, the fit then made again (175 s against 95 s now);
    now none at any (nor, before or now, with even noise or noise growing along x at 20,000 and 100,000);
    300,000 such Gaussian residuals alone: 4-9 wild of them before, none now. Where the
    noise is larger in one place, its rows are no outliers there: sin(2x) with noise 0.02, growing to
    0.32 at x = 1 (as exp(-(x - 1)^2 / 0.2)), 300 rows, 8 relu, 20 data seeds: all rows' size alone left out
    1-11 training rows as outliers on 19 of them (and held-out rows on 14); noise growing from 0.01 to
    0.31 along x, 8 tanh, 1 row on 4 (held out, 1); now none on either (held out: 2 of the bump's,
    one 3.2 noise levels off at its top, where its 30 rows span a wider spread). Two inputs, sin(a)
    cos(b) with such a bump at (1, 1), 600 rows, 16 tanh, 10 data seeds: 4-12 training rows on all
    10 (held-out rows too) before; 1 on 2 now. Where the noise is
    smaller, all rows' size keeps the test as it was: the noisy benchmark's outliers group (120 fits,
    wild rows and a glitch) and 300 fits of clean steps, triangle waves and sines, bitwise as before."""
    def spread(near: np.ndarray) -> np.ndarray:  # (n, k) residuals -> (n,)
        return median_abs_deviation(near, axis=1, scale="normal")
    overall = float(median_abs_deviation(loo, scale="normal"))
    local = [local_statistic(X, loo, X if Q is None else Q, spread, k) for k in {LOCAL_ROWS, local_rows(len(loo))}]
    return np.maximum(overall, np.max(local, axis=0))


def wild(residual: np.ndarray, centre: float, typical: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(n,) True for the residuals over OUTLIER_FACTOR typical sizes (n,) and OUTLIER_SIZE of the
    training targets' (y's) spread from the centre."""
    offset = np.abs(residual - centre)
    return (offset > OUTLIER_FACTOR * typical) & (offset > OUTLIER_SIZE * np.std(y))


def outlier_rows(problem: Problem, model: Model) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """((N,), (n,), runs) True for the training rows and for the held-out rows that are outliers
    (the module's two tests), from one leave-one-out pass over the training rows; and the runs of
    training rows side by side that may be a glitch (runs_outside), for a fit without them to judge
    (glitches)."""
    y = problem.y
    if not problem.measured or len(y) < 8:
        return np.zeros(len(y), dtype=bool), np.zeros(len(problem.y_eval), dtype=bool), []
    loo, centre, typical = residual_scale(problem, model)
    far = wild(loo, centre, typical, y)
    far = far & outside(y, local_values(problem.X, y), typical) if far.any() else far
    runs = [run for run in runs_outside(problem, typical) if not far[run].all()]  # the rest are out already
    return far, held_out_outliers(problem, model, centre, loo), runs


def runs_outside(problem: Problem, typical: np.ndarray) -> list[np.ndarray]:
    """With one input, the runs of 2 to MAX_RUN training rows side by side in x's order (their
    indices) whose targets all lie over OUTLIER_FACTOR typical sizes (N,) (and RUN_SIZE of the targets'
    spread) beyond the same side of what the three rows either side of the run say (their range,
    the lowest and highest aside, as `outside`), unless a row of the run meets the least-squares
    parabola through those six (a crest lies near it) or every row meets the roof of each side's
    least-squares line (the lower of the two lines, or the higher below: a kink's vertex lies where
    they meet). Without the roof, rows crowded at a sharp vertex were a suspect, the fit without them
    cut it, and they were left out: of 256 fits of clean kinks and crests (a triangle wave, |x|,
    sin(6x), a step; 0.1% and 1% noise; 60 and 200 rows; 8 tanh and relu; 8 data seeds), error against
    the truth left out against kept, 8 relu on a triangle wave at 200 rows 0.029 against 0.0006 and
    0.090 against 0.00045, on |x| at 60 rows 0.030 against 0.0026, 8 tanh on the triangle wave at 60
    rows 0.20 against 0.062; none of these now. A glitch that lasts a few rows: within the run every
    row's neighbours hold the others, which hide it from `outside`, and a network that bends through
    the run keeps every row's leave-one-out residual small (8 tanh units through three rows 10 too
    high: r / (1 - h) 0.05-0.2, and deleting the three together to first order, (I - H)^-1 r as
    Cook and Weisberg 1982, 0.2-0.9: the bend is no small change). Not a curve through fewer rows:
    two of them close together throw a line or a cubic anywhere (sin(2x) + 10% noise, three rows 1
    too high: the line through two rows 0.009 apart met them; sin(6x) at 1%, 8 tanh: the cubic through
    two such pairs missed crests by 0.1-1.1, suspects in 4 of 5 data seeds). So the runs found here are
    only suspects, for a fit without them to judge (glitches). Of the noisy benchmark's 206 fits of
    clean 1-D data (shapes and sizes, 5 data seeds, 2 for 64,64 networks) two had suspects, crests of
    sin(6x) at 1% noise beside a gap in the rows (8 tanh), which the fits without them followed (0.4 s
    more on 2.2 s); of its 80 fits with wild rows (outliers, 20 data seeds), two, a pair of wild rows
    that the fit without them left far off, as the next pass would have: the same end, bitwise."""
    N = len(problem.y)
    if problem.n_inputs != 1 or N < MAX_RUN + 6:
        return []
    order = np.argsort(problem.X[:, 0], kind="stable")
    x, y = problem.X[order, 0], problem.y[order]
    distance = np.maximum(OUTLIER_FACTOR * typical[order], RUN_SIZE * np.std(y))  # (N,) in x's order
    found = []
    for m in range(2, MAX_RUN + 1):
        start = np.arange(3, N - m - 2)  # three rows either side
        run = start[:, None] + np.arange(m)  # (windows, m)
        sides = start[:, None] + np.array([-3, -2, -1, m, m + 1, m + 2])  # (windows, 6)
        flanks = np.sort(y[sides], axis=1)
        above = (y[run] - flanks[:, [-2]] > distance[run]).all(axis=1)
        below = (flanks[:, [1]] - y[run] > distance[run]).all(axis=1)
        candidate = np.flatnonzero(above | below)
        at, ys, gap = x[run[candidate]], y[run[candidate]], distance[run[candidate]]
        xs, flank = x[sides[candidate]], y[sides[candidate]]
        curve = _polynomial(xs, flank, at, 2)
        lines = [_polynomial(xs[:, half], flank[:, half], at, 1) for half in (slice(3), slice(3, 6))]
        roof = np.where(above[candidate, None], np.minimum(*lines), np.maximum(*lines))  # a vertex: where they meet
        met = (np.abs(ys - curve) <= gap).any(axis=1) | (np.abs(ys - roof) <= gap).all(axis=1)
        found += [order[r] for r in run[candidate[~met]]]
    return found


def in_runs(runs: list[np.ndarray], N: int) -> np.ndarray:
    """(N,) True for the rows in any of the runs (runs_outside)."""
    rows = np.zeros(N, dtype=bool)
    for run in runs:
        rows[run] = True
    return rows


def glitches(problem: Problem, runs: list[np.ndarray], without_them: Problem, model: Model) -> np.ndarray:
    """(N,) True for the problem's training rows in the runs (runs_outside) whose every row lies far
    from `model`, fitted to `without_them`, the problem without every run's rows: judged as held-out
    rows are (wild against that fit's leave-one-out residuals), since that network never saw them.
    A crest or a kink's vertex that the parabola of runs_outside misses (where a gap in the rows leaves
    the two either side far down the slopes) the network without them still follows."""
    loo = leave_one_out(without_them, model)  # its typical size is wanted at problem's rows, not its own
    typical = typical_size(without_them.X, loo, problem.X)
    far = wild(problem.y - model.predict(problem.X), float(np.median(loo)), typical,
               without_them.y)  # (N,) every row judged at once: one tree, one forward pass
    out = np.zeros(len(problem.y), dtype=bool)
    for run in runs:
        out[run] |= far[run].all()  # runs overlap: a row stays out if any run of it is wild
    return out


def _polynomial(xs: np.ndarray, ys: np.ndarray, at: np.ndarray, degree: int) -> np.ndarray:
    """(w, m) the least-squares polynomial of `degree` through each window's points xs, ys (w, k), at `at`
    (w, m); x centred and scaled on each window, so rows far from 0 lose no digits."""
    centre, scale = xs.mean(axis=1, keepdims=True), np.maximum(np.ptp(xs, axis=1, keepdims=True), 1e-300)
    powers = np.arange(degree + 1)
    coef = np.linalg.pinv(((xs - centre) / scale)[..., None] ** powers) @ ys[..., None]  # (w, degree + 1, 1)
    return ((((at - centre) / scale)[..., None] ** powers) @ coef)[..., 0]


def held_out_outliers(problem: Problem, model: Model, centre: float, loo: np.ndarray) -> np.ndarray:
    """(n,) True for the held-out rows that are outliers by the same two tests: their residuals,
    which the network never saw, against the training rows' leave-one-out ones loo (N,) (their
    median `centre` and typical size there), and their targets against what the training rows near
    them say. A wild held-out row would otherwise read as an error a larger network could cut."""
    if problem.X_eval is problem.X or problem.exact_eval:
        return np.zeros(len(problem.y_eval), dtype=bool)
    typical = typical_size(problem.X, loo, problem.X_eval)
    far = wild(problem.y_eval - model.predict(problem.X_eval), centre, typical, problem.y)
    if not far.any():
        return far
    return far & outside(problem.y_eval, local_values(problem.X, problem.y, problem.X_eval), typical)


def held_out_worse(problem: Problem, far_held_out: tuple[np.ndarray, np.ndarray], without_them: Model,
                   with_them: Model) -> bool:
    """Whether the network fitted without the rows left out as outliers predicts the problem's held-out
    rows (but those both networks call outliers, far_held_out (n,) each: a network without a crest's row
    calls the held-out rows on the crest so) over REFIT_WORSE times worse in RMS than the one fitted with
    them: then they were no outliers but rows the target needs, a crest or a vertex where the rows lie
    too sparse for the neighbours to place it. False where no rows are held out. Held-out rows that
    both call outliers stay aside, so a crest whose held-out rows both fits miss goes unseen (sin(6x),
    60 rows, 8 tanh, under other kernels: without the rows 7x worse on every held-out row, 0.43x on
    the rest); counting them would keep a glitch whose held-out row the fit with it bent to follow."""
    if problem.X_eval is problem.X or problem.exact_eval:
        return False
    kept = ~np.logical_and(*far_held_out)
    if not kept.any():
        return False
    X, y = problem.X_eval[kept], problem.y_eval[kept]

    def rms(model: Model) -> float:
        return float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))
    return rms(without_them) > REFIT_WORSE * rms(with_them)


def strays(problem: Problem, model: Model, X: np.ndarray) -> bool:
    """Whether the network fitted to the problem, the rows left out as outliers X (k, d) aside, predicts at
    any of them beyond every target of its rows by over OUTLIER_FACTOR typical sizes: it went astray where
    they were (they were the ends, and it now reaches past the last rows), so they were rows the target
    needs. Not what the rows near them say, as a target is judged (`outside`): at the ends those lie on
    one side, and a fit without a good end row of sin(2x), which predicted the truth there (0.433), lay
    far outside its inward neighbours' targets (0.90-1.00) and lines."""
    far = OUTLIER_FACTOR * typical_size(problem.X, leave_one_out(problem, model), X)
    predicted = model.predict(X)
    return bool(((predicted > problem.y.max() + far) | (predicted < problem.y.min() - far)).any())


def refit_doubt(problem: Problem, far_held_out: tuple[np.ndarray, np.ndarray], without_them: Model, with_them: Model,
                X: np.ndarray) -> str:
    """Why the fit without the rows X (k, d) left out as outliers, `without_them` (fitted to `problem`),
    is worse than the one with them (held_out_worse, strays), in words; "" where it is not."""
    if held_out_worse(problem, far_held_out, without_them, with_them):
        return f"predicted the held-out rows over {REFIT_WORSE:g} times worse"
    return "predicted beyond every target where they were" if strays(problem, without_them, X) else ""


def kept_note(count: int, why: str) -> str:
    """The rows left out as outliers, `count`, kept where the fit without them was worse (refit_doubt: `why`)."""
    rows, lie, them = ("1 training row", "lies", "it") if count == 1 else (f"{count:,} training rows", "lie", "them")
    return (f"{rows} {lie} far from the network and outside their neighbours' targets, but a fit without {them} "
            f"{why}: kept, as the target needs (too few rows around {them} to tell)")


def without(problem: Problem, far: np.ndarray) -> Problem:
    """The problem without the training rows `far`; where it is scored on its training rows (too
    few to hold any out), on the rows kept."""
    kept = replace(problem, X=problem.X[~far], y=problem.y[~far])
    if problem.X_eval is problem.X:
        kept = replace(kept, X_eval=kept.X, y_eval=kept.y)
    return set_aside(kept, problem.X[far], problem.y[far])


def set_aside(problem: Problem, X: np.ndarray, y: np.ndarray) -> Problem:
    """The problem with rows X (k, d), y (k,) added to those it left out as outliers."""
    if problem.left_out is not None:
        X, y = np.concatenate([problem.left_out[0], X]), np.concatenate([problem.left_out[1], y])
    return replace(problem, left_out=(X, y))


def in_jumps(problem: Problem, model: Model) -> np.ndarray:
    """(n,) True for the held-out rows, with one input, far from the network (wild, as outliers are)
    in a gap between two training rows side by side whose targets differ by over OUTLIER_FACTOR typical
    sizes, and which the network follows (their plain residuals not wild): a jump that the rows do not
    place. Where in the gap the target changes, no network can tell (a step at 10%, 200 rows: one
    held-out row 1.35 from the network, 14 noise levels); more rows there can. A narrow peak the
    network misses is no such gap: it misses the training rows on it too."""
    if (problem.n_inputs != 1 or not problem.measured or problem.X_eval is problem.X or problem.exact_eval
            or len(problem.y) < 8):
        return np.zeros(len(problem.y_eval), dtype=bool)
    loo, centre, typical = residual_scale(problem, model)
    far = wild(problem.y_eval - model.predict(problem.X_eval), centre, typical_size(problem.X, loo, problem.X_eval),
               problem.y)
    if not far.any():
        return far
    order = np.argsort(problem.X[:, 0], kind="stable")
    x, y, typical = problem.X[order, 0], problem.y[order], typical[order]
    followed = ~wild(y - model.predict(problem.X[order]), centre, typical, problem.y)
    right = np.searchsorted(x, problem.X_eval[:, 0]).clip(1, len(x) - 1)  # the training rows either side
    left = right - 1
    jump = np.abs(y[right] - y[left]) > OUTLIER_FACTOR * np.maximum(typical[left], typical[right])
    return far & jump & followed[left] & followed[right]


def named(problem: Problem, rows: list[tuple[np.ndarray, float, float]]) -> str:
    """The first SHOWN of the rows (inputs, target, the network's prediction there), and how many more."""
    shown = "; ".join(", ".join(f"{v} = {x:.4g}" for v, x in zip(problem.variables, X)) + f": {y:.4g} (the network "
                      f"{pred:.4g})" for X, y, pred in rows[:SHOWN])
    return shown + (f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else "")


def left_out_note(problem: Problem, left: list[tuple[np.ndarray, float]], model: Model) -> str:
    """What was left out of the problem's training rows (inputs, target) and why, naming them with
    what the network fitted without them, `model`, predicts there (the one fitted with them may
    have passed through them)."""
    X = np.array([inputs for inputs, _ in left])
    rows = list(zip(X, [target for _, target in left], model.predict(X)))
    return (f"left out {len(rows)} of {len(problem.y):,} training rows as outliers, far from the network and "
            f"outside their neighbours' targets, and fitted again ({named(problem, rows)}): least squares follows "
            f"such rows; keep_outliers (--keep-outliers yes) keeps them")


def held_out_note(problem: Problem, rows: list[tuple[np.ndarray, float, float]]) -> str:
    return (f"the metrics leave out {len(rows)} of {len(problem.y_eval):,} held-out rows as outliers, far from the "
            f"network and outside their neighbours' targets ({named(problem, rows)})")


def outliers_note(problem: Problem, far: np.ndarray) -> str:
    """The outliers `far` among the problem's training rows that the fit kept (keep_outliers, or
    more than SHARE of the rows), counted."""
    return (f"{int(far.sum()):,} of {len(far):,} training rows lie far from the network and outside their "
            f"neighbours' targets: outliers pull a least-squares fit towards them (remove them if they are "
            f"mistakes; if not, the network misses a feature there, or the rows lie too sparse to place it)")
