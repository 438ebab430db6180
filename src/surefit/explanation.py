"""What a ReLU network computes, exactly, in the user's own units.

A network of relu (or leaky_relu) units is a continuous piecewise-linear function.
With one input we cut the domain wherever some unit's pre-activation crosses
zero, layer by layer, which gives every kink and the slope and intercept of each
piece exactly. With two inputs each activation pattern met on a fine grid is one
convex linear region, whose gradient follows from the pattern. A network with one
hidden layer also reads as a formula: sum of a * relu(u . x - c) plus a constant,
u a unit vector, so |x| fitted by two units reads 1.000*relu(x) + 1.000*relu(-x).
Every explanation is checked against the model's own predictions on a dense grid
and carries the largest deviation found.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import SurefitError
from .model import Model
from .problem import resolve_domains

Layers = list[tuple[np.ndarray, np.ndarray]]  # [(W (in, out), b (out,))], user units


@dataclass(frozen=True)
class ExplainSettings:
    domain: object = None  # as for fit(): "-1:1", ["x=0:1", "y=0:2"], ... default: the training box
    grid: int = 401  # two inputs: regions are found on a grid x grid lattice
    check_points: int = 20001  # one input: the dense grid the pieces are verified on
    merge: float = 1e-10  # kinks closer than this share of the domain are one kink


@dataclass(frozen=True)
class Piece:
    """y = slope * x + intercept for lo <= x <= hi."""
    lo: float
    hi: float
    slope: float
    intercept: float


@dataclass(frozen=True)
class Region:
    """One linear region of a two-input network: y = gradient . x + intercept."""
    pattern: str  # per hidden unit 1 (active) or 0, layers separated by a space
    gradient: tuple[float, ...]
    intercept: float
    share: float  # share of the domain's area (of the grid's points)
    center: tuple[float, ...]  # the centroid of its grid points; regions are convex, so inside


@dataclass(frozen=True)
class Term:
    """weight * act(normal . x - offset): one hidden unit, normal a unit vector."""
    weight: float
    normal: tuple[float, ...]
    offset: float
    active_share: float = float("nan")  # share of the domain where normal . x > offset

    def active_where(self, variables: tuple[str, ...], num=lambda v: f"{v:.4g}") -> str:
        """'x > -1000' or '0.8660*x - 0.5000*y > 0.01'."""
        return f"{_affine(Term(1.0, self.normal, 0.0), variables, num)} > {num(self.offset)}"


@dataclass(frozen=True)
class Explanation:
    variables: tuple[str, ...]
    activation: str
    hidden: tuple[int, ...]
    domain: tuple[tuple[float, float], ...]
    max_deviation: float  # largest |explanation - model.predict| on the dense check grid
    relative_deviation: float  # the same over the output's scale
    kinks: tuple[float, ...] = ()  # one input
    pieces: tuple[Piece, ...] = ()  # one input, left to right
    regions: tuple[Region, ...] = ()  # two inputs, largest first
    region_map: np.ndarray | None = field(default=None, repr=False)  # (grid, grid) region index at [i, j]
    axes: tuple[np.ndarray, ...] = field(default=(), repr=False)  # the grid's x_i and y_j
    terms: tuple[Term, ...] = ()  # one hidden layer
    constant: float = 0.0

    def formula(self, digits: int | None = 4) -> str | None:
        """'y = 1.000*relu(x) + 1.000*relu(-x)'; digits=None writes every float exactly (repr)."""
        if not self.terms:
            return None
        num = repr if digits is None else (lambda v: f"{v:#.{digits}g}".rstrip("."))
        parts = [f"{num(t.weight)}*{self.activation}({_affine(t, self.variables, num)})"
                 for t in self.terms]
        if self.constant or not parts:
            parts.append(num(self.constant))
        return "y = " + _signed_sum(parts)

    def to_dict(self) -> dict:
        return {"variables": list(self.variables), "activation": self.activation,
                "hidden": list(self.hidden), "domain": [list(d) for d in self.domain],
                "formula": self.formula(), "formula_exact": self.formula(None),
                "units": [{**vars(t), "normal": list(t.normal)} for t in self.terms],
                "constant": self.constant, "kinks": list(self.kinks), "pieces": [vars(p) for p in self.pieces],
                "regions": [{**vars(r), "gradient": list(r.gradient), "center": list(r.center)}
                            for r in self.regions],
                "max_deviation": self.max_deviation, "relative_deviation": self.relative_deviation}


def explain(model, settings: ExplainSettings = ExplainSettings()) -> Explanation:
    """Explain a Model, a FitResult or a saved model's path (see the module docstring)."""
    model = _as_model(model)
    net, act = model.net, model.hidden[0] if model.hidden else None
    if act is None or not act.piecewise_linear:
        raise SurefitError(f"explain needs a piecewise-linear activation (relu or leaky_relu); "
                           f"this model uses {net.activation}")
    if net.n_inputs > 2 and len(net.hidden) != 1:
        raise SurefitError(f"explain handles one or two inputs, or one hidden layer; this model has "
                           f"{net.n_inputs} inputs and {len(net.hidden)} hidden layers")
    domain = _domain(model, settings.domain)
    layers = model.folded().layers
    neg = act.param  # act(z) = z for z > 0 and neg * z below: 0 for relu, 0.01 for leaky_relu
    if net.n_inputs == 1:
        kinks, pieces = _pieces(layers, domain[0], neg, settings.merge)
        parts = {"kinks": kinks, "pieces": pieces}
        X = _check_grid_1d(domain[0], kinks, settings.check_points)
        found = _evaluate_pieces(pieces, X[:, 0])
    elif net.n_inputs == 2:
        parts, X, found = _regions(layers, domain, neg, settings.grid)
    else:
        X = np.random.default_rng(0).uniform(*np.array(domain).T, size=(20000, net.n_inputs))
        parts, found = {}, None
    predicted = model.predict(X)
    checks = [found] if found is not None else []
    terms, constant = _terms(layers, neg, X) if len(net.hidden) == 1 else ((), 0.0)
    if terms:
        checks.append(_evaluate_terms(terms, constant, X, neg))
    deviation = max(float(np.max(np.abs(c - predicted))) for c in checks)
    scale = max(float(np.max(np.abs(predicted))), model.y_scaler.scale[0], np.finfo(float).tiny)
    return Explanation(model.variables, net.activation, net.hidden, domain, deviation,
                       deviation / scale, terms=terms, constant=constant, **parts)


def _as_model(model) -> Model:
    if isinstance(model, (str, Path)):
        from .store import load  # store imports model; keep explain importable on its own
        return load(model)
    model = getattr(model, "model", model)
    if not isinstance(model, Model):
        raise SurefitError(f"explain takes a surefit Model, FitResult or model file, "
                           f"not {type(model).__name__}")
    return model


def _domain(model: Model, domain) -> tuple[tuple[float, float], ...]:
    """The box the input scaler maps to [-1, 1] (the training domain), or the one given."""
    if domain is not None:
        return resolve_domains(model.variables, domain)
    return tuple((o - s, o + s) for o, s in zip(model.x_scaler.offset, model.x_scaler.scale))


def _gate(z: np.ndarray, neg: float) -> np.ndarray:
    """The activation's slope at z: 1 where active (z > 0), neg elsewhere."""
    return np.where(z > 0, 1.0, neg)


def _pieces(layers: Layers, domain: tuple[float, float], neg: float, merge: float):
    """Exact kinks and pieces of a one-input network on domain, for any depth."""
    lo, hi = domain
    # each segment (a, b, A, C): on a <= x <= b the current layer's output is h = A x + C
    segments = [(lo, hi, np.ones(1), np.zeros(1))]
    for W, b in layers[:-1]:
        split = []
        for a, c, A, C in segments:
            zA, zC = A @ W, C @ W + b  # pre-activations z = zA x + zC, (width,)
            with np.errstate(divide="ignore", invalid="ignore"):
                roots = -zC / zA + 0.0  # + 0.0: no '-0' kinks
            edges = [a, *np.unique(roots[(roots > a) & (roots < c)]), c]
            for left, right in zip(edges[:-1], edges[1:]):
                g = _gate(zA * (left + right) / 2 + zC, neg)
                split.append((left, right, zA * g, zC * g))
        segments = split
    W, b = layers[-1]
    raw = [Piece(float(a), float(c), float(A @ W[:, 0]), float(C @ W[:, 0] + b[0]))
           for a, c, A, C in segments]
    pieces = _merge(raw, merge * (hi - lo))
    return tuple(p.lo for p in pieces[1:]), tuple(pieces)


def _merge(pieces: list[Piece], width: float) -> list[Piece]:
    """Drop pieces narrower than width (kinks that coincide to float precision) and join
    neighbours on the same line (a unit switching with no effect on the output is no kink)."""
    wide = [p for p in pieces if p.hi - p.lo > width] or pieces[:1]
    tol = 1e-9 * max(max(abs(p.slope) for p in wide), 1e-300)
    out = [wide[0]]
    for p in wide[1:]:
        last = out[-1]
        if abs(p.slope - last.slope) <= tol:
            out[-1] = Piece(last.lo, p.hi, last.slope, last.intercept)
        else:
            out[-1] = Piece(last.lo, (last.hi + p.lo) / 2, last.slope, last.intercept)
            out.append(Piece((last.hi + p.lo) / 2, p.hi, p.slope, p.intercept))
    # a piece dropped at an edge: stretch the neighbour so the whole domain stays covered
    out[0] = Piece(pieces[0].lo, out[0].hi, out[0].slope, out[0].intercept)
    out[-1] = Piece(out[-1].lo, pieces[-1].hi, out[-1].slope, out[-1].intercept)
    return out


def _check_grid_1d(domain, kinks, points: int) -> np.ndarray:
    """A dense grid plus each kink and its close neighbours, (n, 1)."""
    lo, hi = domain
    k = np.array(kinks)
    near = np.concatenate([k, k - 1e-6 * (hi - lo), k + 1e-6 * (hi - lo)])
    x = np.concatenate([np.linspace(lo, hi, points), near[(near >= lo) & (near <= hi)]])
    return np.sort(x)[:, None]


def _evaluate_pieces(pieces: tuple[Piece, ...], x: np.ndarray) -> np.ndarray:
    edges = np.array([p.lo for p in pieces[1:]])
    which = np.searchsorted(edges, x, side="right")
    slope = np.array([p.slope for p in pieces])[which]
    return slope * x + np.array([p.intercept for p in pieces])[which]


def _regions(layers: Layers, domain, neg: float, n: int):
    """Linear regions of a two-input network, found as the activation patterns on an n x n grid."""
    axes = tuple(np.linspace(lo, hi, n) for lo, hi in domain)
    X = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 2)  # row i*n + j
    # a grid point exactly on a kink line (the origin, for lines through it) would show a pattern
    # of no area; a tiny nudge in an odd direction reads the region beside it instead
    step = np.array([hi - lo for lo, hi in domain]) / (n - 1)
    h, on = X + step * np.array([0.7071, 0.5774]) * 1e-7, []
    for W, b in layers[:-1]:
        z = h @ W + b
        on.append(z > 0)
        h = z * _gate(z, neg)
    patterns, index = np.unique(np.concatenate(on, axis=1), axis=0, return_inverse=True)
    index = index.reshape(-1)
    counts = np.bincount(index, minlength=len(patterns))
    order = np.argsort(-counts, kind="stable")  # largest region first
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    widths = [W.shape[1] for W, _ in layers[:-1]]
    regions = []
    for p in order:
        gradient, intercept = _affine_of_pattern(layers, patterns[p], neg)
        bits = "".join("1" if v else "0" for v in patterns[p])
        cuts = np.cumsum([0, *widths])
        inside = X[index == p]
        regions.append(Region(" ".join(bits[a:b] for a, b in zip(cuts[:-1], cuts[1:])),
                              tuple(map(float, gradient)), float(intercept),
                              float(counts[p] / len(X)), tuple(map(float, inside.mean(axis=0)))))
    grads = np.array([r.gradient for r in regions])
    icpt = np.array([r.intercept for r in regions])
    found = np.sum(X * grads[rank[index]], axis=1) + icpt[rank[index]]
    parts = {"regions": tuple(regions), "region_map": rank[index].reshape(n, n), "axes": axes}
    return parts, X, found


def _affine_of_pattern(layers: Layers, pattern: np.ndarray, neg: float):
    """(gradient (d,), intercept) of the network on the region where units follow pattern."""
    A, C, start = np.eye(layers[0][0].shape[0]), np.zeros(layers[0][0].shape[0]), 0
    for W, b in layers[:-1]:
        g = np.where(pattern[start:start + W.shape[1]], 1.0, neg)
        A, C, start = (A @ W) * g, (C @ W + b) * g, start + W.shape[1]
    W, b = layers[-1]
    return A @ W[:, 0], float(C @ W[:, 0] + b[0])


def _terms(layers: Layers, neg: float, X: np.ndarray) -> tuple[tuple[Term, ...], float]:
    """One hidden layer as weight * act(normal . x - offset) + constant; X (n, d) samples the
    domain evenly, to measure where each unit is active.

    act is positively homogeneous, so v * act(w . x + b) = (v |w|) * act(u . x - c)
    with u = w / |w| and c = -b / |w|; a unit with w = 0 is a constant.
    """
    (W0, b0), (W1, b1) = layers
    terms, constant = [], float(b1[0])
    for w, b, v in zip(W0.T, b0, W1[:, 0]):
        norm = float(np.linalg.norm(w))
        if norm == 0:
            constant += float(v * b * _gate(b, neg))
        else:
            share = float(np.mean(X @ w + b > 0))
            terms.append(Term(float(v * norm), tuple(map(float, w / norm)), float(-b / norm) + 0.0, share))
    return tuple(terms), constant


def _evaluate_terms(terms, constant: float, X: np.ndarray, neg: float) -> np.ndarray:
    y = np.full(len(X), constant)
    for t in terms:
        z = X @ np.array(t.normal) - t.offset
        y += t.weight * z * _gate(z, neg)
    return y


def _affine(term: Term, variables, num) -> str:
    """'x', '-x + 0.5000' or '0.8660*x - 0.5000*y - 0.1000'."""
    parts = [name if u == 1 else f"-{name}" if u == -1 else f"{num(u)}*{name}"
             for u, name in zip(term.normal, variables) if u != 0]
    if term.offset:
        parts.append(num(-term.offset))
    return _signed_sum(parts)


def _signed_sum(parts: list[str]) -> str:
    """['a', '-b', 'c'] -> 'a - b + c'."""
    text = parts[0]
    for p in parts[1:]:
        text += f" - {p[1:]}" if p.startswith("-") else f" + {p}"
    return text
