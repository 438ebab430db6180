"""Unit health during training: find dead ReLU units and revive them.

A unit is dead when it can die (activations.py: relu) and its pre-activation is
<= 0 on every training point: it outputs a constant, and no gradient ever reaches
its weights again. Revival re-places its kink through the training point with the
largest residual, pointing a fresh random direction, and zeroes its outgoing
weights so the network's function does not jump.
"""
from __future__ import annotations

import torch

from .activations import activation
from .nets import NetSettings, layers, pack, preactivations


def dead_units(net: NetSettings, theta: torch.Tensor, X: torch.Tensor) -> list[torch.Tensor]:
    """Per hidden layer, a (K, width) mask of units inactive on every point of X (N, d).

    Only units that can die do; for the others the masks are all False.
    """
    zs = preactivations(net, theta, X)[:-1]
    if not activation(net.activation).can_die:
        return [torch.zeros(z.shape[0], z.shape[2], dtype=torch.bool) for z in zs]
    return [(z <= 0).all(dim=1) for z in zs]


def alive_count(net: NetSettings, theta: torch.Tensor, X: torch.Tensor) -> tuple[int, int]:
    """(units alive, units in all) for a single network theta (1, P)."""
    masks = dead_units(net, theta, X)
    total = sum(m.shape[1] for m in masks)
    return total - int(sum(m.sum() for m in masks)), total


def revive(net: NetSettings, theta: torch.Tensor, X: torch.Tensor, y: torch.Tensor,
           gens: list[torch.Generator], active: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Re-place every dead unit of the active candidates where the residual is largest.

    theta (K, P) holds len(gens) groups of candidates; group g draws its random
    directions from gens[g] only, so a fit gives the same result alone or stacked.
    Returns (theta, units revived per candidate (K,)).
    """
    masks = [m & active.unsqueeze(-1) for m in dead_units(net, theta, X)]
    counts = sum(m.sum(dim=1) for m in masks)
    if not counts.any():
        return theta, counts
    act = activation(net.activation).torch_forward
    size = theta.shape[0] // len(gens)
    weights = [(W.clone(), b.clone()) for W, b in layers(net, theta.detach())]
    zs = preactivations(net, theta.detach(), X)
    worst = (zs[-1].squeeze(-1) - y).abs().argsort(dim=1, descending=True)  # (K, N): points by residual
    for layer, mask in enumerate(masks):
        W, b = weights[layer]
        # this layer's inputs as they are now, after any revival in the layer below
        inputs = X.expand(theta.shape[0], *X.shape) if layer == 0 else \
            act(preactivations(net, pack(net, weights), X)[layer - 1])
        for k in mask.any(dim=1).nonzero().flatten().tolist():
            live = W[k].norm(dim=0)[~mask[k]]  # norms of this candidate's live units
            live_norm = live.median() if len(live) else torch.tensor(1.0, dtype=W.dtype)
            for rank, j in enumerate(mask[k].nonzero().flatten().tolist()):
                anchor = inputs[k, worst[k, rank % worst.shape[1]]]  # (in,)
                direction = torch.randn(W.shape[1], generator=gens[k // size], dtype=W.dtype)
                if (inputs[k].mean(0) - anchor) @ direction < 0:  # face the data, not away from it
                    direction = -direction
                W[k, :, j] = direction / direction.norm() * live_norm
                b[k, j] = -(anchor @ W[k, :, j])
                weights[layer + 1][0][k, j, :] = 0  # no jump in the network's output
    return pack(net, weights), counts
