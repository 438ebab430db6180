"""Initialisers: theta (K, P) for K candidates.

`data` (what the default, `auto`, is on every path but one: plan.initialiser_for)
is data-aware: every hidden unit's kink (z = 0) passes through the data, so no
unit starts dead. With one input, the kinks are spread where the target bends
most (density ~ |f''|^(2/5), the optimal knot density for piecewise-linear least
squares, estimated from binned data), smooth units get a bend width matching the
local kink spacing, and orientations alternate, so both sides of the data get
units (seed 000's failure cannot happen). With more inputs, kinks pass through
random training points in random directions. The output layer is then solved by
least squares, so training starts from the best fit of those features.
`he` and `glorot` start L-BFGS on measured data (auto); they and `naive` (PyTorch's
nn.Linear default) are there for comparison too.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .activations import activation
from .nets import NetSettings, pack, solve_output
from .noise import noise_level
from .registry import INITIALISERS

# Spread of a unit's pre-activation over the data: ReLU only needs the kink
# inside the data; smooth units need their bend there too, not a linear stretch.
GAIN = {"tanh": 2.0, "sigmoid": 4.0}
BINS = 64  # for estimating the target's curvature in one dimension
STEP_BINS = 4096  # bins for finding monotone pieces: fine, as only first differences are taken
NOISE_SIGMAS = 5  # a turn must exceed this many standard errors of a bin's mean
STEP_JITTER = 0.1  # each candidate moves a step by up to this share of its piece's length


def initialise(name: str, net: NetSettings, X: torch.Tensor, y: torch.Tensor,
               K: int, gen: torch.Generator) -> torch.Tensor:
    """theta (K, P) for scaled inputs X (N, d) and scaled targets y (N,); name from registry.INITIALISERS,
    "auto" resolved by the plan (plan.initialiser_for)."""
    return INITIALISERS.load(name)(net, X, y, K, gen)


def data_aware(net, X, y, K, gen):
    act = activation(net.activation).torch_forward
    h = X.expand(K, *X.shape)  # (K, N, d)
    weights = []
    for a, b in zip(net.widths[:-2], net.widths[1:-1]):
        if not weights and a == 1:
            W, bias = curvature_kinks(X[:, 0], y, b, K, gen, net.activation)
        elif net.n_inputs == 1:
            W, bias = hinges_of_fit(h, y, b, gen, net.activation)
        else:
            W, bias = random_kinks(h, b, gen, net.activation)
        weights.append((W, bias))
        h = act(h @ W + bias.unsqueeze(1))
    weights.append((torch.zeros(K, net.widths[-2], 1, dtype=X.dtype), torch.zeros(K, 1, dtype=X.dtype)))
    return solve_output(net, pack(net, weights), X, y)


def random_kinks(h: torch.Tensor, width: int, gen: torch.Generator,
                 kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A layer on features h (K, N, a): random directions, each unit's kink through a random data point."""
    K, N, a = h.shape
    W = torch.randn(K, a, width, generator=gen, dtype=h.dtype)
    if a == 1:  # alternate orientations: + - + - ..., starting at random
        start = torch.randint(0, 2, (K, 1, 1), generator=gen) * 2 - 1
        W = W.abs() * start * (1 - 2 * (torch.arange(width) % 2))
    z = h @ W  # (K, N, width)
    W = W * GAIN.get(kind, 1.0) / z.std(dim=1, keepdim=True).clamp_min(1e-12)
    anchors = torch.randint(0, N, (K, width), generator=gen)
    at_anchor = torch.gather(h @ W, 1, anchors.unsqueeze(1)).squeeze(1)  # (K, width)
    return W, -at_anchor  # z = 0 exactly at the anchor point


def curvature_kinks(x: torch.Tensor, y: torch.Tensor, width: int, K: int, gen: torch.Generator,
                    kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """First layer for one input: W (K, 1, width), b (K, width). Step-like units (tanh, sigmoid)
    first take a step on every rise and fall of y (step_units); the rest (all of a ReLU
    layer) get kinks where y bends."""
    W_steps, c_steps = step_units(x, y, width, K, gen, kind)
    rest = width - W_steps.shape[1]
    grid, cdf, density = curvature_density(x.numpy(), y.numpy())
    u = (torch.arange(rest) + torch.rand(K, rest, generator=gen, dtype=x.dtype)) / max(rest, 1)
    centres = torch.as_tensor(np.interp(u.numpy(), cdf, grid))  # (K, rest), stratified quantiles
    start = torch.randint(0, 2, (K, 1), generator=gen) * 2 - 1  # orientations + - + - ...
    sign = start * (1 - 2 * (torch.arange(rest) % 2))
    if activation(kind).piecewise_linear:
        slope = torch.ones_like(centres)
    else:  # a bend as wide as the local spacing between neighbouring units
        spacing = 1 / (width * torch.as_tensor(np.interp(centres.numpy(), grid, density)))
        slope = 1 / spacing
    W = torch.cat([W_steps, sign * slope], dim=1)
    return W.unsqueeze(1), -W * torch.cat([c_steps, centres], dim=1)


def step_units(x: torch.Tensor, y: torch.Tensor, width: int, K: int, gen: torch.Generator,
               kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(W (K, m), centres (K, m)) of m <= width step units, one for each monotone piece of y(x)
    when it has several (the largest rises first), centred where y is half-way up its piece
    (within STEP_JITTER of its length) and as steep as the piece is wide.

    A bounded unit (tanh, sigmoid) is a step, and each rise or fall of y needs its own. By
    curvature alone, units crowd where an oscillation is tallest and leave its small swings
    bare: sinc(10x) with 20 tanh units, 1 of 4 candidates under 0.1 after LM and none under
    1e-3; with a step on each of its 20 pieces, all 4 reached 1.1e-5 in 36 steps. Moving
    units into bare pieces instead, and keeping the rest where curvature put them, started
    worse (0.4-0.6) and ended no better (1 of 4). Monotone targets (one piece) and kink-like
    units get no steps: their units all serve their one rise already.

    With more pieces than units, half the candidates take the largest pieces and the other half
    a random choice of them, so that the candidates do not all start in one basin: 8 tanh on
    sin(6x) (13 pieces) at 200 random points, 10% noise, 20 data seeds: error against the truth
    0.077 -> 0.046 (median); 4 tanh on sin(2x) (5 pieces) 0.027 -> 0.021. A random choice for
    every candidate did as well there, but lost the fit of exact sin(6x) on a 200-point grid on
    1 of 3 seeds (relative error 0.003 -> 0.099), where the largest pieces are the right ones."""
    pieces = monotone_pieces(x.numpy(), y.numpy()) if bounded(kind) else []
    if len(pieces) < 2:
        return torch.zeros(K, 0, dtype=x.dtype), torch.zeros(K, 0, dtype=x.dtype)
    pieces = torch.as_tensor(pieces)
    if len(pieces) <= width:
        chosen = pieces.expand(K, -1, -1)
    else:
        picks = torch.rand(K, len(pieces), generator=gen).argsort(dim=1)[:, :width]  # (K, width)
        picks[: (K + 1) // 2] = torch.arange(width)  # half the candidates: the largest pieces
        chosen = pieces[picks]  # (K, width, 4)
    start, end, middle, rise = chosen.unbind(-1)
    length = end - start
    jitter = STEP_JITTER * length * (2 * torch.rand(*length.shape, generator=gen, dtype=x.dtype) - 1)
    slope = GAIN.get(kind, 1.0) / length * torch.sign(rise)
    return slope, middle + jitter


def bounded(kind: str) -> bool:
    """A unit that is a step (tanh, sigmoid): step_units gives it one."""
    low, high = activation(kind).output_range
    return math.isfinite(low) and math.isfinite(high)


def pieces_exceed_units(x: np.ndarray, y: np.ndarray, width: int, kind: str) -> bool:
    """Whether step_units will have more monotone pieces of y(x) than step units, so that its
    candidates start on different choices of pieces."""
    return bounded(kind) and len(monotone_pieces(x, y)) > width


def monotone_pieces(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(m, 4) rows (start, end, middle, rise) of y(x)'s monotone pieces, largest |rise| first;
    the middle is where the piece crosses half its rise.

    Turning points by the zigzag rule on binned means: a turn counts once y has come back by
    more than the noise could move a bin's mean (NOISE_SIGMAS of its standard error, from
    noise.noise_level), so exact data keep every turn and noisy data only the real ones."""
    order = np.argsort(x, kind="stable")
    edges = np.linspace(0, len(x), min(len(x), STEP_BINS) + 1).round().astype(int)
    counts = np.diff(edges)
    xb = np.add.reduceat(x[order], edges[:-1]) / counts
    yb = np.add.reduceat(y[order], edges[:-1]) / counts
    reversal = NOISE_SIGMAS * noise_level(x, y) / math.sqrt(counts.min()) + 1e-12 * (np.ptp(yb) + 1e-300)
    turns = zigzag(yb, reversal)
    rows = []
    for a, b in zip(turns[:-1], turns[1:]):
        half = (yb[a] + yb[b]) / 2
        # the first bin past half-way, and the straight line to it from the bin before
        i = a + int(np.argmax(yb[a: b + 1] >= half if yb[b] >= yb[a] else yb[a: b + 1] <= half))
        j = max(i - 1, a)
        t = 0.0 if yb[i] == yb[j] else (half - yb[j]) / (yb[i] - yb[j])
        rows.append((xb[a], xb[b], xb[j] + t * (xb[i] - xb[j]), yb[b] - yb[a]))
    rows = np.array(rows).reshape(-1, 4)
    rows = rows[rows[:, 1] > rows[:, 0]]
    return rows[np.argsort(-np.abs(rows[:, 3]), kind="stable")]


def zigzag(y: np.ndarray, reversal: float) -> list[int]:
    """Indices of y's turning points (ends included), each turn a move back of more than `reversal`."""
    turns, trend, extreme = [0], 0, 0
    for i in range(1, len(y)):
        if trend == 0:
            if abs(y[i] - y[0]) > reversal:
                trend, extreme = (1 if y[i] > y[0] else -1), i
        elif trend * (y[i] - y[extreme]) > 0:
            extreme = i
        elif trend * (y[extreme] - y[i]) > reversal:
            turns.append(extreme)
            trend, extreme = -trend, i
    if turns[-1] != len(y) - 1:
        turns.append(len(y) - 1)
    return turns


def hinges_of_fit(h: torch.Tensor, y: torch.Tensor, width: int, gen: torch.Generator,
                  kind: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A deeper layer for one input: W (K, a, width), b (K, width) whose units bend the
    previous layer's least-squares fit f = [h 1] c of y, at kinks spread along f.
    Units of both orientations span f itself, so the deeper network starts at least
    as good as the shallower one did (random directions can start far worse)."""
    K, N, a = h.shape
    H = torch.cat([h, torch.ones_like(h[..., :1])], dim=-1)
    c = torch.linalg.lstsq(H, y.expand(K, N).unsqueeze(-1), driver="gelsd").solution[..., 0]  # (K, a+1)
    Ws, bs = [], []
    for k in range(K):
        f = H[k] @ c[k]  # (N,)
        w, b0 = curvature_kinks(f, y, width, 1, gen, kind)  # z = f w + b0, w (1, 1, width)
        Ws.append(c[k, :a, None] * w[0])  # (a, width)
        bs.append(c[k, a] * w[0, 0] + b0[0])
    return torch.stack(Ws), torch.stack(bs)


def curvature_density(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kink density ~ (|f''| + floor)^(2/5) over x from binned means: (grid, cdf, density (integrates to 1))."""
    order = np.argsort(x)
    bins = np.array_split(order, max(1, min(BINS, len(x) // 4)))  # >= 4 points a bin (all, if fewer)
    xb = np.array([x[i].mean() for i in bins])
    yb = np.array([y[i].mean() for i in bins])
    with np.errstate(all="ignore"):  # repeated x values make a zero spacing: caught below
        curvature = np.abs(np.gradient(np.gradient(yb, xb), xb)) if len(bins) >= 3 else np.full(2, np.nan)
        density = (curvature + 0.05 * curvature.mean() + 1e-12) ** 0.4  # the floor keeps flat parts covered
        cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(xb))])
        density, cdf = density / cdf[-1], cdf / cdf[-1]
    if not (np.isfinite(density).all() and np.isfinite(cdf).all()):  # too few points to see a bend
        lo, hi = float(x.min()), float(x.max())
        hi = hi if hi > lo else lo + 1.0
        return np.array([lo, hi]), np.array([0.0, 1.0]), np.full(2, 1 / (hi - lo))
    return xb, cdf, density


def _random(net, K, gen, dtype, weight_bound, bias_bound, normal=False):
    weights = []
    for a, b in zip(net.widths[:-1], net.widths[1:]):
        if normal:
            W = torch.randn(K, a, b, generator=gen, dtype=dtype) * weight_bound(a, b)
        else:
            W = (torch.rand(K, a, b, generator=gen, dtype=dtype) * 2 - 1) * weight_bound(a, b)
        bias = (torch.rand(K, b, generator=gen, dtype=dtype) * 2 - 1) * bias_bound(a)
        weights.append((W, bias))
    return pack(net, weights)


def he(net, X, y, K, gen):
    return _random(net, K, gen, X.dtype, lambda a, b: math.sqrt(2 / a), lambda a: 0.0, normal=True)


def glorot(net, X, y, K, gen):
    """Keras's Dense default: Glorot-uniform kernels, zero biases."""
    return _random(net, K, gen, X.dtype, lambda a, b: math.sqrt(6 / (a + b)), lambda a: 0.0)


def naive(net, X, y, K, gen):
    """PyTorch's nn.Linear default: W and b uniform in +-1/sqrt(fan_in)."""
    return _random(net, K, gen, X.dtype, lambda a, b: 1 / math.sqrt(a), lambda a: 1 / math.sqrt(a))

