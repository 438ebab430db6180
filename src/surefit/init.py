"""Initialisers: theta (K, P) for K candidates.

`data` (the default) is data-aware: every hidden unit's kink (z = 0) passes
through a randomly chosen training point, so no unit starts dead, and in one
dimension the units' orientations alternate, so both sides of the data get a
unit (seed 000's failure cannot happen). The output layer is then solved by
least squares, so training starts from the best fit of those features.
`he`, `glorot` and `naive` (PyTorch's nn.Linear default) are there for comparison.
"""
from __future__ import annotations

import math

import torch

from .errors import SurefitError
from .nets import ACTIVATIONS, NetSettings, pack, solve_output

# Spread of a unit's pre-activation over the data: ReLU only needs the kink
# inside the data; smooth units need their bend there too, not a linear stretch.
GAIN = {"tanh": 2.0, "sigmoid": 4.0}


def initialise(name: str, net: NetSettings, X: torch.Tensor, y: torch.Tensor,
               K: int, gen: torch.Generator) -> torch.Tensor:
    """theta (K, P) for scaled inputs X (N, d) and scaled targets y (N,)."""
    if name not in INITIALISERS:
        raise SurefitError(f"unknown init {name!r}; choose one of {', '.join(INITIALISERS)}")
    return INITIALISERS[name](net, X, y, K, gen)


def data_aware(net, X, y, K, gen):
    act = ACTIVATIONS[net.activation]
    h = X.expand(K, *X.shape)  # (K, N, d)
    weights = []
    for a, b in zip(net.widths[:-2], net.widths[1:-1]):
        W = torch.randn(K, a, b, generator=gen, dtype=X.dtype)
        if a == 1:  # alternate orientations: + - + - ..., starting at random
            start = torch.randint(0, 2, (K, 1, 1), generator=gen) * 2 - 1
            W = W.abs() * start * (1 - 2 * (torch.arange(b) % 2))
        z = h @ W  # (K, N, b)
        W = W * GAIN.get(net.activation, 1.0) / z.std(dim=1, keepdim=True).clamp_min(1e-12)
        anchors = torch.randint(0, h.shape[1], (K, b), generator=gen)
        at_anchor = torch.gather(h @ W, 1, anchors.unsqueeze(1)).squeeze(1)  # (K, b)
        bias = -at_anchor  # z = 0 exactly at the anchor point
        weights.append((W, bias))
        h = act(h @ W + bias.unsqueeze(1))
    weights.append((torch.zeros(K, net.widths[-2], 1, dtype=X.dtype), torch.zeros(K, 1, dtype=X.dtype)))
    return solve_output(net, pack(net, weights), X, y)


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


INITIALISERS = {"data": data_aware, "he": he, "glorot": glorot, "naive": naive}
