"""Multilayer perceptrons as flat parameter vectors, K candidates stacked in one tensor.

theta has shape (K, P): K independent networks ("candidates") of P parameters each.
Every trainer works on theta directly, so K candidates cost one batched computation.
Layer l holds W (in, out) then b (out,) in that order inside each row of theta.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from .activations import activation
from .network import NetSettings


def layers(net: NetSettings, theta: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Views of theta (..., P) as [(W (..., in, out), b (..., out)), ...]."""
    lead = theta.shape[:-1]
    return [(theta[..., w].reshape(*lead, a, b), theta[..., bias])
            for (w, bias), a, b in zip(net.slices(), net.widths[:-1], net.widths[1:])]


def pack(net: NetSettings, weights: list[tuple[torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    """Inverse of layers(): [(W (K, in, out), b (K, out))] -> theta (K, P)."""
    K = weights[0][0].shape[0]
    return torch.cat([t.reshape(K, -1) for W, b in weights for t in (W, b)], dim=1)


@dataclass
class Pass:
    """One forward pass of K candidates: every layer's z = h W + b (K, N, width), the last the
    output's, and every hidden layer's h = act(z), each computed once."""
    zs: list[torch.Tensor]
    hs: list[torch.Tensor]


def forward_pass(net: NetSettings, theta: torch.Tensor, X: torch.Tensor) -> Pass:
    act = activation(net.activation).torch_forward
    h, zs, hs = X, [], []
    for l, (W, b) in enumerate(layers(net, theta)):
        zs.append(torch.matmul(h, W) + b.unsqueeze(-2))  # (K, N, out)
        if l < len(net.hidden):
            h = act(zs[-1])
            hs.append(h)
    return Pass(zs, hs)


def preactivations(net: NetSettings, theta: torch.Tensor, X: torch.Tensor) -> list[torch.Tensor]:
    """Every layer's z = h W + b for inputs X (N, d): a list of (K, N, width); the last is the output."""
    return forward_pass(net, theta, X).zs


def with_output(net: NetSettings, theta: torch.Tensor, run: Pass) -> Pass:
    """The pass with the output layer's z recomputed for theta's output weights (the hidden layers
    unchanged): bitwise what forward_pass(net, theta, X) gives, without the hidden layers."""
    W, b = layers(net, theta)[-1]
    return Pass(run.zs[:-1] + [torch.matmul(run.hs[-1], W) + b.unsqueeze(-2)], run.hs)


def forward(net: NetSettings, theta: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """Predictions (K, N) of K candidates theta (K, P) on scaled inputs X (N, d)."""
    return preactivations(net, theta, X)[-1].squeeze(-1)


def jacobian(net: NetSettings, theta: torch.Tensor, X: torch.Tensor, run: Pass | None = None) -> torch.Tensor:
    """d prediction / d theta, (K, N, P), from one explicit backward pass (run:
    forward_pass(net, theta, X), if already made): d out / d W_l[i, j] = h_{l-1}[i] delta_l[j]
    and d out / d b_l[j] = delta_l[j], in theta's order (W row-major, then b, layer by layer)."""
    run = forward_pass(net, theta, X) if run is None else run
    inputs = [X.expand(theta.shape[0], *X.shape)] + run.hs  # h_{l-1} (K, N, in)
    blocks = []
    for h, delta in zip(inputs, deltas(net, theta, run)):
        blocks += [(h.unsqueeze(-1) * delta.unsqueeze(-2)).flatten(2), delta]  # (K, N, in*out), (K, N, out)
    return torch.cat(blocks, dim=-1)


def deltas(net: NetSettings, theta: torch.Tensor, run: Pass) -> list[torch.Tensor]:
    """delta_l = d out / d z_l (K, N, width_l) of every layer, the output's (all ones) last:
    delta_{l-1} = (delta_l W_l^T) * act'(z_{l-1})."""
    act, weights = activation(net.activation), layers(net, theta)
    out = [torch.ones_like(run.zs[-1])]  # (K, N, 1)
    for layer in reversed(range(1, len(weights))):
        slope = act.torch_slope(run.zs[layer - 1], run.hs[layer - 1])
        out.insert(0, (out[0] @ weights[layer][0].transpose(-1, -2)) * slope)
    return out


def output_features(net: NetSettings, theta: torch.Tensor, X: torch.Tensor, run: Pass | None = None) -> torch.Tensor:
    """The last hidden layer's outputs with a column of ones: H (K, N, w+1) (run as for jacobian)."""
    if len(net.hidden) == 0:
        h = X.expand(theta.shape[0], *X.shape)
    else:
        h = (forward_pass(net, theta, X) if run is None else run).hs[-1]
    return torch.cat([h, torch.ones_like(h[..., :1])], dim=-1)


def solve_output(net: NetSettings, theta: torch.Tensor, X: torch.Tensor, y: torch.Tensor,
                 penalty: torch.Tensor | None = None, H: torch.Tensor | None = None) -> torch.Tensor:
    """theta with its output layer replaced by the least-squares best for its hidden features.

    Solved by QR on [H; diag(mu)] rather than by normal equations, which would square H's
    condition number and make the loss noisy near the optimum. mu^2 is each output parameter's
    ridge, from penalty (K, P) of a regularised fit (alpha / beta of Bayesian regularisation;
    only its output layer's columns count); without one, mu = 1e-9 of the largest column norm
    keeps dead, all-zero features harmless (1e-6 biased fits near 1e-6 relative error).
    H: output_features(net, theta, X), if already computed.
    """
    H = output_features(net, theta, X) if H is None else H
    K, N, w = H.shape
    mu = (1e-9 * H.norm(dim=1).amax(-1))[:, None].expand(K, w)  # (K, w)
    if penalty is not None:
        out = penalty[:, -w:]
        mu = torch.where(out > 0, out.clamp_min(0).sqrt(), mu)
    A = torch.cat([H, torch.diag_embed(mu)], dim=1)  # (K, N + w, w)
    b = torch.cat([y.expand(K, N), torch.zeros(K, w, dtype=H.dtype)], dim=1).unsqueeze(-1)
    c = torch.linalg.lstsq(A, b, driver="gels").solution.squeeze(-1)  # (K, w)
    return torch.cat([theta[:, : theta.shape[1] - w], c], dim=1)


def turned_around(net: NetSettings, old: torch.Tensor, new: torch.Tensor) -> torch.Tensor:
    """(K,) True where some hidden unit of a piecewise-linear network faces away from where it
    faced in old: its incoming weights' new direction against the old (w_new . w_old <= 0).
    Such a unit's kink has gone through infinity and its active side has flipped; with one
    input, the other side of the data may be left with no unit facing it. Smooth units are
    never turned: tanh and sigmoid compute the same function either way round, up to the
    output weight and bias."""
    if not activation(net.activation).piecewise_linear:
        return torch.zeros(old.shape[0], dtype=torch.bool)
    turned = [((W0 * W1).sum(-2) <= 0) & (W0.abs().sum(-2) > 0)  # (K, out)
              for (W0, _), (W1, _) in zip(layers(net, old)[:-1], layers(net, new)[:-1])]
    return torch.cat(turned, dim=-1).any(-1)


def balanced(net: NetSettings, theta: torch.Tensor) -> torch.Tensor:
    """theta (K, P) rescaled so that every hidden unit's incoming weights (with its bias) and its
    outgoing weights have equal norm, computing the same function: relu(s z) = s relu(z) for
    s > 0, so a unit's input can be scaled by s and its output by 1 / s. A weight penalty
    |theta|^2 is smallest, for a given function, when balanced: the data-aware init is not
    (steep first-layer kinks, small output weights), and a penalty would first spend its
    steps on rescaling. Only for positively homogeneous activations; others are returned as is."""
    if not activation(net.activation).piecewise_linear:
        return theta
    weights = [(W.clone(), b.clone()) for W, b in layers(net, theta)]
    for l in range(len(weights) - 1):
        (W, b), (W_next, _) = weights[l], weights[l + 1]
        incoming = (W.pow(2).sum(1) + b.pow(2)).sqrt()  # (K, width)
        outgoing = W_next.pow(2).sum(2).sqrt()  # (K, width)
        s = torch.where((incoming > 0) & (outgoing > 0), (outgoing / incoming.clamp_min(1e-300)).sqrt(), 1.0)
        weights[l] = (W * s.unsqueeze(1), b * s)
        weights[l + 1] = (W_next / s.unsqueeze(-1), weights[l + 1][1])
    return pack(net, weights)
