"""Targets in, a validated Problem out: training points and a held-out evaluation set.

Everything a user can get wrong about the data is caught here, once, with a
one-line SurefitError; nothing downstream re-checks.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cached_property
from numbers import Integral
from pathlib import Path
from typing import Callable, Sequence, Union

import numpy as np

from . import csvfile
from .errors import SurefitError
from .expression import Expression
from .resources import budget_bytes, size

Domain = tuple[float, float]
Target = Union[str, Callable, Expression]
EVAL_POINTS_1D = 10_008   # 10 007 intervals, a prime: no training grid shares a point but the edges
EVAL_POINTS_ND = 40_000
EXACT = " (the exact function)"  # ends the evaluation of a formula sampled with noise: its metrics are without it
HOLDOUT = 0.2  # the share of measured data's rows kept out of training for the metrics, unless given
DATA_FILES = (".csv", ".tsv", ".txt", ".dat")  # an expression never ends so (attributes are refused)
SQUARABLE = 1e150  # values past this in size, or a column nowhere above 1 / SQUARABLE, square out of float64


@dataclass(frozen=True)
class Problem:
    """Training inputs X (N, d) and targets y (N,), plus held-out X_eval, y_eval."""
    X: np.ndarray
    y: np.ndarray
    X_eval: np.ndarray
    y_eval: np.ndarray
    variables: tuple[str, ...]
    domain: tuple[Domain, ...] | None
    description: str
    evaluation: str = "held-out points"  # what X_eval is, for every report of the metrics
    measured: bool = False  # the targets may carry noise (arrays, CSV, a formula sampled with noise)
    # (X (k, d), y (k,)): the rows, training and held-out, left out as outliers (outliers.set_aside), for pictures
    left_out: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n_inputs(self) -> int:
        return self.X.shape[1]

    @cached_property
    def model_free_noise(self) -> float:
        """The noise's RMS over the training targets estimated without any model (noise.rms_level), in
        their units: once for every fit of the problem (each seed, each alternative prior), where each fit
        made it again (friedman1, 16,000 rows of 10 inputs: 0.9 s a time, 3 times in a 10 s fit)."""
        from .noise import rms_level  # scipy: the CLI's help imports this module, and must not load it
        return rms_level(self.X, self.y)

    @cached_property
    def noise_changes(self) -> bool | None:
        """Whether the noise's spread changes along the one input (noise.uneven_levels; None: the rows
        cannot tell)."""
        from .noise import uneven_levels  # scipy: as model_free_noise
        return uneven_levels(self.X, self.y)

    @cached_property
    def uneven_noise(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Where the noise's spread changes along the one input (noise_changes): its local levels
        (noise.local_levels) at the training rows (N,) and at the evaluation rows (M,); else None.
        They judge a fit (result.held_out_noise) and draw its band; the fit itself weighs every row
        alike. A weighted likelihood (each row's residual and Jacobian over its local level, through
        every trainer) was measured and rejected: sin(2x) at 10%, 500 rows, noise growing 20x along x or
        4x as large right of 0, 20 data seeds, error against the truth over the unweighted fit's, median
        per seed: 8 relu 1.24x and 1.16x (better on 1 seed of 20 each), 8 tanh 1.02x and 0.97x (10 of 20,
        0.58x-1.73x). A small network's error is mostly what it cannot follow, and the weights move its
        units to where the noise is small. Where the noise dominates it pays a little: 8 tanh by
        scipy's least squares, the best of 11 ridges in hindsight, 10 seeds, 0.94x and 0.93x; splines
        under RidgeCV 0.99x; the Gaussian process with the levels as its per-row noise 0.91x."""
        if not self.noise_changes:
            return None
        from .noise import local_levels  # scipy: as model_free_noise
        return local_levels(self.X, self.y, self.X), local_levels(self.X, self.y, self.X_eval)

    @property
    def exact_eval(self) -> bool:
        """Whether y_eval is the exact function though y carries noise (a formula sampled with noise)."""
        return self.evaluation.endswith(EXACT)


def parse_domain(text: str) -> tuple[str | None, Domain]:
    """'-1:1' -> (None, (-1, 1)); 'y=0:2' -> ('y', (0, 2))."""
    name, _, bounds = text.rpartition("=") if "=" in text else (None, None, text)
    parts = bounds.split(":")
    try:
        lo, hi = (float(p) for p in parts) if len(parts) == 2 else (None, None)
    except ValueError:
        lo = hi = None
    if lo is None or not np.isfinite([lo, hi]).all():
        raise SurefitError(f"domain {text!r} is not of the form LOW:HIGH with two finite numbers")
    if lo >= hi:
        raise SurefitError(f"domain {text!r} is empty or reversed: LOW must be below HIGH")
    return (name or None), (lo, hi)


def resolve_domains(variables: Sequence[str], domains) -> tuple[Domain, ...]:
    """Domains given as None, one (lo, hi), a dict by name, or a list of 'x=lo:hi' strings."""
    if domains is None:
        raise SurefitError(f"give a domain for {', '.join(variables)}, e.g. --domain -1:1")
    if isinstance(domains, str):
        domains = [domains]
    if isinstance(domains, tuple) and len(domains) == 2 and np.isscalar(domains[0]):
        domains = {v: domains for v in variables}
    if isinstance(domains, (list, tuple)):
        parsed = [parse_domain(d) if isinstance(d, str) else (None, tuple(d)) for d in domains]
        unnamed = [b for n, b in parsed if n is None]
        named = {n: b for n, b in parsed if n is not None}
        if len(unnamed) > 1 or unnamed and named:
            raise SurefitError("give either one domain for all variables or one NAME=LOW:HIGH each")
        domains = named or {v: unnamed[0] for v in variables}
    unknown = set(domains) - set(variables)
    if unknown:
        raise SurefitError(f"domain names {sorted(unknown)} are not variables of the target "
                           f"({', '.join(variables)})")
    missing = [v for v in variables if v not in domains]
    if missing:
        raise SurefitError(f"no domain for {', '.join(missing)}; add --domain {missing[0]}=LOW:HIGH")
    for v in variables:
        lo, hi = map(float, domains[v])
        if not lo < hi:
            raise SurefitError(f"domain of {v} ({lo}:{hi}) is empty or reversed")
    return tuple((float(domains[v][0]), float(domains[v][1])) for v in variables)


def sample(domain: Sequence[Domain], points: int, sampling: str, rng: np.random.Generator):
    """Training inputs (points, d): an even grid (per-axis count points**(1/d)) or uniform random."""
    lows, highs = np.array(domain).T
    if sampling == "random":
        return rng.uniform(lows, highs, size=(points, len(domain)))
    if sampling != "grid":
        raise SurefitError(f"sampling must be 'grid' or 'random', not {sampling!r}")
    per_axis = max(2, round(points ** (1 / len(domain))))
    return _grid(domain, per_axis)


def _grid(domain: Sequence[Domain], per_axis: int) -> np.ndarray:
    axes = [np.linspace(lo, hi, per_axis) for lo, hi in domain]
    return np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)


def evaluation_grid(domain: Sequence[Domain]) -> np.ndarray:
    """A dense grid, different from any training grid, including the domain's edges."""
    per_axis = EVAL_POINTS_1D if len(domain) == 1 else int(EVAL_POINTS_ND ** (1 / len(domain))) | 1
    return _grid(domain, per_axis)


def special_points(domain: Sequence[Domain]) -> np.ndarray:
    """Edges, middle and zero of each axis, all combinations: where singularities like
    1/x or 1/(x - 0.5) tend to sit, even when no grid point lands on them."""
    axes = [sorted({lo, (lo + hi) / 2, hi} | ({0.0} if lo < 0 < hi else set())) for lo, hi in domain]
    return np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)


def _real_and_finite(y: np.ndarray, X: np.ndarray, variables, description: str) -> np.ndarray:
    """y (N,) as float, or one line naming the first point where it is complex or not finite."""
    def where(bad):
        return ", ".join(f"{v}={c:g}" for v, c in zip(variables, X[np.argmax(bad)]))
    if np.iscomplexobj(y):
        bad = np.imag(y) != 0
        if bad.any():
            raise SurefitError(f"{description} is complex ({complex(y[np.argmax(bad)]):.4g}) at {where(bad)}; "
                               "surefit fits real-valued targets")
        y = np.real(y)
    y = y.astype(float)
    bad = ~np.isfinite(y)
    if bad.any():
        raise SurefitError(f"{description} is {y[np.argmax(bad)]} at {where(bad)}; "
                           "narrow the domain to where it is finite")
    return y


def _check_squarable(columns: Sequence[tuple[str, np.ndarray]], fix: str) -> None:
    """One line naming the first column whose squares leave float64's range: errors, spreads and
    the noise level are sums of squares in the data's own units (1e200 squared overflows to inf,
    1e-200 squared underflows to 0, and a fit of either would be nan or "constant")."""
    for name, values in columns:
        top = float(np.abs(values).max())
        if top > SQUARABLE:
            raise SurefitError(f"{name} reaches {top:.3g}: past {SQUARABLE:.0e} in size its squares overflow "
                               f"float64; {fix}")
        if 0 < top < 1 / SQUARABLE:
            raise SurefitError(f"{name} is at most {top:.3g} in size: under {1 / SQUARABLE:.0e} its squares "
                               f"underflow float64; {fix}")


def from_function(target: Target, domain=None, *, points: int | None = None,
                  sampling: str | None = None, seed: int = 0, variables: Sequence[str] | None = None,
                  noise: float = 0.0, check_size: Callable[[int, int], object] | None = None) -> Problem:
    """An expression text or a Python callable of one array per variable, sampled on a domain.
    noise: the standard deviation of Gaussian noise added to the training targets (for
    experiments: the metrics stay against the exact function). check_size(points, inputs),
    if given, may refuse the problem's size before it is sampled."""
    if isinstance(target, str) and target.strip().lower().endswith(DATA_FILES):
        raise SurefitError(f"{target.strip()!r} names a file, not an expression: read it with surefit.from_csv("
                           f"{target.strip()!r}, target) (on the command line: --csv FILE --target COLUMN)")
    if isinstance(target, str):
        target = Expression(target)
    if isinstance(target, Expression):
        variables, description = target.variables, target.text
    else:
        variables = tuple(variables or _callable_variables(target))
        description = getattr(target, "__name__", "the target function")
    domains = resolve_domains(variables, domain)
    d = len(domains)
    points = (1000 if d == 1 else 2000) if points is None else points
    if isinstance(points, bool) or not isinstance(points, Integral) or points < 2:
        raise SurefitError(f"need at least 2 points, not {points!r}")
    check_memory(points, d)
    if check_size is not None:
        check_size(points, d)
    X = sample(domains, points, sampling or ("grid" if d <= 2 else "random"), np.random.default_rng(seed))
    X_eval = evaluation_grid(domains)
    probes = special_points(domains)
    y, y_eval, _ = (_real_and_finite(_call(target, A, description), A, variables, description)
                    for A in (X, X_eval, probes))
    if not (np.isfinite(noise) and noise >= 0):
        raise SurefitError(f"noise must be a standard deviation of at least 0, not {noise!r}")
    _check_squarable([*zip(variables, X.T), (description, np.concatenate([y, y_eval]))],
                     "rescale it or narrow the domain")
    if noise:
        y = y + noise * np.random.default_rng([seed, 1]).standard_normal(len(y))
        description = f"{description} + noise {noise:g}"
    return Problem(X, y, X_eval, y_eval, tuple(variables), domains, description,
                   "a dense held-out grid of the domain" + (EXACT if noise else ""),
                   measured=bool(noise))


def check_memory(points: int, d: int) -> None:
    """Refuse a sample too big to hold: the inputs, the targets and a few temporaries of the
    target's evaluation (one array per operation in flight), before anything is allocated."""
    need = 8 * points * (d + 6)
    if need > budget_bytes():
        raise SurefitError(f"{points:,} points of {d} input{'s' if d > 1 else ''} would need about {size(need)} "
                           f"of memory to sample and evaluate, but {size(budget_bytes())} is free to use; "
                           f"use at most about {budget_bytes() // (8 * (d + 6)):,} points")


def _callable_variables(f: Callable) -> list[str]:
    try:
        n = len(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        n = 1
    return default_variables(n)


def default_variables(n: int) -> list[str]:
    return ["x", "y", "z"][:n] if n <= 3 else [f"x{i + 1}" for i in range(n)]


def _call(f, X: np.ndarray, description: str) -> np.ndarray:
    with np.errstate(all="ignore"):
        try:
            y = f(*X.T)
        except SurefitError:
            raise
        except Exception as exc:  # a user's callable may fail any way it likes
            raise SurefitError(f"evaluating {description} failed: {exc}") from None
    try:
        y = np.asarray(y)
        y = y.astype(complex if np.iscomplexobj(y) else float)  # complex is refused by the caller
    except (TypeError, ValueError):
        raise SurefitError(f"{description} did not return numbers") from None
    if y.shape != (len(X),):
        y = np.broadcast_to(y, (len(X),)) if y.size == 1 else y.reshape(-1)
    if y.shape != (len(X),):
        raise SurefitError(f"{description} returned {y.size} values for {len(X)} points")
    return y


def from_arrays(X, y, *, holdout: float | None = None, seed: int = 0,
                variables: Sequence[str] | None = None, description: str = "the data") -> Problem:
    """Given samples (measured: they may carry noise); a random share `holdout` is kept out of
    training for the metrics (None: HOLDOUT)."""
    holdout = HOLDOUT if holdout is None else holdout
    if isinstance(holdout, bool) or not isinstance(holdout, (int, float)) or not 0 <= holdout < 1:
        raise SurefitError(f"holdout must be a share in [0, 1), not {holdout!r}")
    variables = variables or column_names(X)
    try:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise SurefitError("inputs and targets must be numeric arrays") from None
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    y = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
    if X.ndim != 2 or y.ndim != 1:
        raise SurefitError(f"inputs must be (n, d) and targets (n,), not {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise SurefitError(f"inputs have {len(X)} rows but targets have {len(y)}")
    if len(X) < 2:
        raise SurefitError(f"need at least 2 samples, not {len(X)}")
    for name, A in (("inputs", X), ("targets", y)):
        if not np.isfinite(A).all():
            row = int(np.argwhere(~np.isfinite(A))[0][0])
            raise SurefitError(f"{name} contain NaN or infinity (row {row})")
    variables = tuple(variables or default_variables(X.shape[1]))
    _check_squarable([*zip(variables, X.T), ("the target", y)], "rescale it by a power of ten")
    order = np.random.default_rng(seed).permutation(len(X))
    n_eval = int(round(holdout * len(X))) if len(X) >= 10 else 0
    test, train = order[:n_eval], order[n_eval:]
    X_train, y_train = X[train], y[train]
    if n_eval == 0:  # too few rows to spare: metrics are on the training data itself, the same arrays (X_eval is X)
        evaluation = ("the training rows (fewer than 10 rows: none held out)" if holdout > 0 and len(X) < 10
                      else "the training rows (none held out)")
        return Problem(X_train, y_train, X_train, y_train, variables, None, description, evaluation, measured=True)
    return Problem(X_train, y_train, X[test], y[test], variables, None, description,
                   f"{n_eval} held-out row{'s' * (n_eval > 1)}", measured=True)


def column_names(X) -> tuple[str, ...] | None:
    """A data frame's column names, where every one is a string (scikit-learn's rule for feature_names_in_)."""
    names = list(getattr(X, "columns", []))
    return tuple(names) if names and all(isinstance(n, str) for n in names) else None


def from_csv(path: str | Path, target: str, *, inputs: Sequence[str] | None = None,
             holdout: float | None = None, seed: int = 0) -> Problem:
    """A CSV with a header row naming the target; the used columns' cells numbers. Columns other
    than `target` are inputs unless `inputs` name them (csvfile.py: delimiters, decimal commas)."""
    path = Path(path)
    values, inputs = csvfile.columns(path, target, inputs)
    return from_arrays(values[:, :-1], values[:, -1], holdout=holdout, seed=seed,
                       variables=inputs, description=f"{target.strip()} from {path.name}")
