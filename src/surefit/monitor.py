"""Unit health during training: find dead ReLU units and revive them.

A piecewise-linear unit is dead when its pre-activation is <= 0 on every
training point: it outputs a constant, and no gradient ever reaches its
weights again. Revival re-places its kink through the training point with the
largest residual, pointing a fresh random direction, and zeroes its outgoing
weights so the network's function does not jump.
"""
from __future__ import annotations

import torch

from .nets import ACTIVATIONS, PIECEWISE_LINEAR, NetSettings, layers, pack, preactivations


def dead_units(net: NetSettings, theta: torch.Tensor, X: torch.Tensor) -> list[torch.Tensor]:
    """Per hidden layer, a (K, width) mask of units inactive on every point of X (N, d).

    Only piecewise-linear activations can die; for smooth ones the masks are all False.
    """
    zs = preactivations(net, theta, X)[:-1]
    if net.activation not in PIECEWISE_LINEAR:
        return [torch.zeros(z.shape[0], z.shape[2], dtype=torch.bool) for z in zs]
    return [(z <= 0).all(dim=1) for z in zs]


def alive_count(net: NetSettings, theta: torch.Tensor, X: torch.Tensor) -> tuple[int, int]:
    """(units alive, units in all) for a single network theta (1, P)."""
    masks = dead_units(net, theta, X)
    total = sum(m.shape[1] for m in masks)
    return total - int(sum(m.sum() for m in masks)), total


def revive(net: NetSettings, theta: torch.Tensor, X: torch.Tensor, y: torch.Tensor,
           gen: torch.Generator) -> tuple[torch.Tensor, int]:
    """Re-place every dead unit's kink where the residual is largest. Returns (theta, count)."""
    masks = dead_units(net, theta, X)
    count = int(sum(m.sum() for m in masks))
    if count == 0:
        return theta, 0
    act = ACTIVATIONS[net.activation]
    weights = [(W.clone(), b.clone()) for W, b in layers(net, theta.detach())]
    zs = preactivations(net, theta.detach(), X)
    residual = (zs[-1].squeeze(-1) - y).abs()  # (K, N)
    worst = residual.argsort(dim=1, descending=True)  # (K, N): points by residual
    for layer, mask in enumerate(masks):
        W, b = weights[layer]
        inputs = X.expand(theta.shape[0], *X.shape) if layer == 0 else act(zs[layer - 1])
        live_norm = W.norm(dim=1)[~mask].median() if (~mask).any() else torch.tensor(1.0)
        for rank, (k, j) in enumerate(mask.nonzero().tolist()):
            anchor = inputs[k, worst[k, rank % worst.shape[1]]]  # (in,)
            direction = torch.randn(W.shape[1], generator=gen, dtype=W.dtype)
            W[k, :, j] = direction / direction.norm() * live_norm
            b[k, j] = -(anchor @ W[k, :, j])
            weights[layer + 1][0][k, j, :] = 0  # no jump in the network's output
    return pack(net, weights), count
