"""The noise level of measured data, estimated without any model (and agreed with a fit's own:
agreed), where it changes along the one input (uneven_levels, local_levels, rms_level), and
whether a fit's residuals spread evenly (uneven_scatter).

One input: difference-based, after Gasser, Sroka & Jennen-Steinmetz (1986), "Residual
variance and residual pattern in nonlinear regression", Biometrika 73, who compare each
target with the straight line through its two neighbours (x sorted). Here the line is a
cubic through two neighbours on each side: the pseudo-residual e_i = sum_j w_j y_j - y_i
(w: the cubic's Lagrange weights at x_i) has variance c_i^2 sigma^2 for noise of variance
sigma^2, c_i^2 = |w|^2 + 1, and what a smooth target leaves in it falls from O(h^2 f'')
to O(h^4 f''''): measured on 20 data seeds of sin(6x), 200 points, 1% noise, the line's
estimate was 2.5x the noise, the cubic's 0.97x. Points at one x are compared with each
other (e = y_i - y_j, c^2 = 2), which leaves nothing of any target. sigma^2 is then the
mean of the smallest 95% of e_i^2 / c_i^2 over that of chi-square(1): a step or a kink spoils
the few pseudo-residuals that straddle it, and the plain mean would follow them (a step
under 1% noise, same 20 seeds: 3.3x the noise with the mean of all, 1.01x trimmed).
More inputs: each target is predicted by a plane through its k = 2(d + 1) nearest
neighbours (inputs standardised), which leaves an error of variance c_i^2 sigma^2,
c_i^2 = 1 + the intercept's diagonal entry of (A^T A)^-1 (the plane's value at the point is
its intercept; A: the neighbours' offsets from the point, with a column of ones); curvature
adds a little, so it errs towards more noise. The average leverage (d + 1) / k in place of
each point's own took the estimate 4% under the noise on a plane in 2-D and 5% under it on
sin(a) cos(b) (sigma 1 and 0.05, 2000 and 100,000 points: 0.961 and 0.0476; now 0.999 and
0.0500).
Written here because neither scipy nor scikit-learn offers a difference-based estimate.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.spatial import cKDTree
from scipy.stats import chi2, levene

NEIGHBOURS = 4  # on both sides of a point together: a cubic through them
KEEP = 0.95  # the share of the smallest e^2 / c^2 averaged
KEPT_MEAN = float(chi2.cdf(chi2.ppf(KEEP, 1), 3)) / KEEP  # their mean over sigma^2, for Gaussian noise
LOCAL_ROWS = 30  # the fewest of the nearest rows a local spread is taken over (local_rows)
LOCAL_WORK = 4_000_000  # neighbours' values held at once by local_statistic: 32 MB
PROFILE_POINTS = 200  # where a model keeps the noise's level along its input (noise_profile): 30 rows span more
FAR = float(chi2.ppf(0.999, 1))  # e^2 / c^2 over sigma^2 beyond this: spoilt by the target (rms_level)
KEPT_FAR = float(chi2.cdf(FAR, 3)) / 0.999  # the mean of those kept over sigma^2, for Gaussian noise


def noise_level(X: np.ndarray, y: np.ndarray) -> float:
    """Estimated standard deviation of the noise in y (N,) at inputs X (N, d), in y's units: the
    typical level, which a few rows where the noise is larger do not move."""
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    if len(y) < 3 or float(np.std(y)) == 0:
        return 0.0
    _, ratios = pseudo_residuals(X, np.asarray(y, dtype=float))
    if X.shape[1] > 1:
        return float(np.sqrt(np.mean(ratios))) if len(ratios) else 0.0
    if not len(ratios):
        return float(np.std(y))
    kept = np.sort(ratios)[: max(1, int(KEEP * len(ratios)))]
    return float(np.sqrt(kept.mean() / KEPT_MEAN))


def rms_level(X: np.ndarray, y: np.ndarray) -> float:
    """The noise's RMS over the rows (N, d), (N,), what a held-out error is compared with: with one
    input where its spread changes (uneven_levels), the mean of the pseudo-residuals' e^2 / c^2 but
    those a step or a kink spoils (over the chi-square(1) quantile FAR times their local level's
    square), which the typical level understates. sin(2x), medians of 20 data seeds, the typical level
    and this over the noise's RMS: noise 0.02 growing to 0.32 about x = 1 (exp(-(x - 1)^2 / 0.16)),
    300 random rows 0.52 and 0.92, 1000 rows 0.54 and 1.05; growing from 0.01 to 0.31 along x, 300
    rows 0.89 and 0.97; 0.05 left of 0 and 0.2 right of it 0.89 and 0.98. Else noise_level, which with
    several inputs is such a mean already."""
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    y = np.asarray(y, dtype=float)
    if not uneven_levels(X, y):
        return noise_level(X, y)
    where, ratios = pseudo_residuals(X, y)
    kept = ratios[ratios <= FAR * local_levels(X, y, where) ** 2]
    return float(np.sqrt(kept.mean() / KEPT_FAR))


def local_levels(X: np.ndarray, y: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """(n,) the noise's standard deviation near each row of Q (n, d): noise_level's trimmed mean over the
    local_rows nearest pseudo-residuals' e^2 / c^2 (Mueller & Stadtmueller 1987 smooth the squared
    pseudo-residuals for the same end). Even noise (sin(2x), 10%, 200-5000 rows, 20 data seeds): RMS
    0.98-1.02 of it, each row's level within about 20% (30 rows each); their median over chi-square(1)'s read 1.04-1.09
    (the median of 30 draws of a skewed law lies above its median) and spread twice as far."""
    where, ratios = pseudo_residuals(X, y)

    def level(near: np.ndarray) -> np.ndarray:  # (n, k) ratios -> (n,)
        kept = np.sort(near, axis=1)[:, : max(1, int(KEEP * near.shape[1]))]
        return np.sqrt(kept.mean(axis=1) / KEPT_MEAN)
    return local_statistic(where, ratios, Q, level)


def local_rows(N: int) -> int:
    """How many of N rows a local spread is taken over: LOCAL_ROWS, or sqrt(N) where that is more.
    A spread from k rows errs by some sqrt(1.4 / k) of itself (their median absolute deviation), and
    outliers.py judges each row against its own (typical_size has the measurements). sqrt(N) rows keep
    the chance that some row lies past the judged spread about as small at any N as 30 rows at a few
    hundred, and span a shrinking share of the rows (a million: 0.1%)."""
    return max(LOCAL_ROWS, math.isqrt(N))


def local_statistic(X: np.ndarray, values: np.ndarray, Q: np.ndarray,
                    statistic: Callable[[np.ndarray], np.ndarray], k: int | None = None) -> np.ndarray:
    """(n,) a statistic (rows, k) -> (rows,) of the values (N,) at the k (default local_rows(N)) rows of
    X (N, d) nearest each row of Q (n, d). Past LOCAL_WORK neighbours' values in all, taken at that many
    of Q's rows spread evenly through them, each row of Q then taking the nearest one's: k rows'
    neighbourhoods of rows so near overlap nearly whole (a million rows: 4,000 of them, 1,000 rows each)."""
    k = min(local_rows(len(values)) if k is None else k, len(values))
    at = Q if len(Q) * k <= LOCAL_WORK else Q[np.linspace(0, len(Q) - 1, LOCAL_WORK // k).astype(int)]
    found = statistic(values[nearest(X, at, k)])
    return found if at is Q else found[nearest(at, Q, 1)[:, 0]]


def noise_profile(X: np.ndarray, y: np.ndarray, level: float, at_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x (PROFILE_POINTS,) across the one input's range, the noise's std there): the local levels,
    scaled so that their RMS over the rows X (N, 1), at_rows (N,) (local_levels there), is `level`
    (a fit's noise level), for a model to keep (Model.noise_at interpolates them)."""
    x = np.linspace(X[:, 0].min(), X[:, 0].max(), PROFILE_POINTS)
    return x, level * local_levels(X, y, x[:, None]) / np.sqrt(np.mean(at_rows ** 2))


def uneven_levels(X: np.ndarray, y: np.ndarray) -> bool | None:
    """Whether the noise's spread changes along the one input, without any model: the pseudo-residuals'
    scatter by uneven_scatter, as uneven as notes.uneven_noise asks of a fit's residuals, the bins
    compared by their medians (a kink or a step spoils a few pseudo-residuals); None where it cannot
    tell (several inputs, or too few rows). Of 960 data sets of even noise (sin(2x), sin(6x), a
    triangle wave, a step; 1%, 10%, 30%; 100-2000 random rows; 20 data seeds) none is uneven; noise
    growing along x, or larger by 4x past x = 0, 200 rows and more: all 20 of 20. With several inputs the
    same test along each input (the local planes' pseudo-residuals, Bonferroni over the inputs) called
    13 of 240 data sets of even noise uneven (2-5 inputs, 1-30%, 200-5000 rows, 4 data seeds): a bump
    exp(-3 |x|^2) at 1% noise on every seed at 200 and 600 rows, where the planes miss its curvature."""
    if X.shape[1] > 1:
        return None
    where, ratios = pseudo_residuals(X, y)
    found = uneven_scatter(where[:, 0], np.sqrt(ratios), np.median)
    return None if found is None else bool(found[0] < UNEVEN_P and found[1].max() >= UNEVEN_RATIO * found[1].min())


def pseudo_residuals(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(where each lies (m, d), the pseudo-residuals' e^2 / c^2 (m,)): each the noise's variance at
    its place times a chi-square(1) draw, for Gaussian noise."""
    if X.shape[1] > 1:
        return _local_planes(X, y)
    order = np.argsort(X[:, 0], kind="stable")
    x, y = X[order, 0], y[order]
    same = np.flatnonzero(x[1:] == x[:-1])
    at, ratios = _polynomial_residuals(x, y)
    return np.concatenate([x[same], at])[:, None], np.concatenate([(y[same + 1] - y[same]) ** 2 / 2, ratios])


def _polynomial_residuals(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x_i, e^2 / c^2) of each point (x sorted) against the polynomial through its NEIGHBOURS
    neighbours, half on each side, where all their x differ."""
    k = min(NEIGHBOURS, len(x) - 1)
    i = k // 2  # the point's place in its window
    xw, yw = sliding_window_view(x, k + 1), sliding_window_view(y, k + 1)  # (n, k + 1)
    distinct = (np.diff(xw, axis=1) > 0).all(axis=1)
    xw, yw = xw[distinct], yw[distinct]
    nodes, at = np.delete(xw, i, axis=1), xw[:, i]  # (n, k), (n,)
    w = np.ones_like(nodes)  # (n, k) the Lagrange weights at x_i
    for j in range(k):
        for m in range(k):
            if m != j:
                w[:, j] *= (at - nodes[:, m]) / (nodes[:, j] - nodes[:, m])
    e = (w * np.delete(yw, i, axis=1)).sum(axis=1) - yw[:, i]
    return at, e ** 2 / (1 + (w ** 2).sum(axis=1))


def _local_planes(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    k = 2 * (X.shape[1] + 1)
    if len(X) <= k + 1:
        return X[:0], y[:0]
    near = nearest(X, X, k + 1)[:, 1:]  # (N, k), the point itself left out
    Xs = standardised(X, X)
    A = np.concatenate([Xs[near] - Xs[:, None, :], np.ones((*near.shape, 1))], axis=2)  # (N, k, d+1)
    G_inv = np.linalg.inv(A.transpose(0, 2, 1) @ A + 1e-9 * np.eye(A.shape[2]))  # (N, d+1, d+1)
    coef = (G_inv @ (A.transpose(0, 2, 1) @ y[near][..., None]))[..., 0]
    err = y - coef[:, -1]  # the local plane's value at the point itself
    return X, err ** 2 / (1 + G_inv[:, -1, -1])


def standardised(X: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Q (n, d) in the units where each column of X (N, d) has mean 0 and standard deviation 1."""
    std = X.std(axis=0)
    return (Q - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


def nearest(X: np.ndarray, Q: np.ndarray, k: int) -> np.ndarray:
    """(n, k) the indices of the k rows of X (N, d) nearest each row of Q (n, d), inputs standardised."""
    return cKDTree(standardised(X, X)).query(standardised(X, Q), k=k)[1].reshape(len(Q), -1)


def agreed(free: float, fitted: float, N: int, gamma: float) -> float:
    """One noise level from the model-free estimate and the evidence's (gamma effective parameters
    of N rows). Each can only be inflated by signal left in what it calls noise (the evidence's by a
    network too small for the target, the model-free one by the target's curvature between
    neighbours, which grows with the inputs), so where they differ by over two standard errors of
    their ratio the smaller is the better estimate; within that both measure the noise, and the
    smaller of two such would be low by about half their spread: their mean, of the logs weighted
    by precision. Standard errors of the log: 1 / sqrt(2 (N - gamma)) for the evidence's (chi-square),
    1 / sqrt(N) for the model-free one (measured: its standard deviation times sqrt(N) 0.8-1.1, a line
    at 10% noise, 30-200 rows, 10 data seeds). 4 targets (a line, x^2, sin(3x), |x|) at 10% noise,
    30-200 random rows (a fifth held out), 10 data seeds, 8 tanh and 8 relu: the smaller alone read
    a median 0.85-0.97 of the noise, and 'above' it on 21 of the 215 fits within half the noise of
    the truth; this 0.91-1.00, and 7 (of the 19 sentences that changed, all 'above' before, 14 now
    'at', their errors 0.08-0.44 of the noise, and 5 of 30 and 50 rows 'as close as the rows can
    tell'; no fit changed)."""
    if not (free > 0 and fitted > 0):
        return min(free, fitted)
    se_free, se_fitted = 1 / math.sqrt(N), 1 / math.sqrt(2 * (N - gamma))
    if abs(math.log(free / fitted)) > 2 * math.hypot(se_free, se_fitted):
        return min(free, fitted)
    w_free, w_fitted = se_free ** -2, se_fitted ** -2
    return math.exp((w_free * math.log(free) + w_fitted * math.log(fitted)) / (w_free + w_fitted))


# The scatter about a fit is uneven where Brown and Forsythe's test rejects one spread at this level over
# BINS bins of ROWS_PER_BIN rows or more, and the widest bin's is UNEVEN_RATIO times the narrowest's or more:
# a difference that matters, not one a thousand rows can merely detect.
BINS, ROWS_PER_BIN = 5, 20
UNEVEN_P = 1e-4
UNEVEN_RATIO = 2.0
UNEVEN_SIZE = 0.01  # and the widest over 1% of the targets' spread: the residuals of a near-exact fit are its pattern


def rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(values ** 2)))


def uneven_scatter(key: np.ndarray, residual: np.ndarray,
                   size: Callable[[np.ndarray], float] = rms) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Whether residuals (N,) spread alike along `key` (N,) (an input, or the prediction): the p-value
    of Brown and Forsythe's test (scipy's Levene test about the median) over BINS bins of equal count
    in key's order, each bin's size (of |residual|: RMS, or the median) and its key's median; None
    with too few rows to tell."""
    if len(residual) < BINS * ROWS_PER_BIN:
        return None
    bins = np.array_split(np.argsort(key, kind="stable"), BINS)
    p = float(levene(*(residual[b] for b in bins), center="median").pvalue)
    return (p, np.array([size(np.abs(residual[b])) for b in bins]),
            np.array([np.median(key[b]) for b in bins]))
