"""The noise level of measured data, estimated without any model.

One input: Gasser, Sroka & Jennen-Steinmetz (1986), "Residual variance and residual
pattern in nonlinear regression", Biometrika 73: with the points sorted by x, each
inner target is compared with the straight line through its two neighbours. The
pseudo-residual e_i = a_i y_{i-1} + b_i y_{i+1} - y_i has variance c_i^2 sigma^2 for
noise of variance sigma^2, c_i^2 = a_i^2 + b_i^2 + 1, so sigma^2 = mean(e_i^2 / c_i^2).
A straight line leaves nothing; a smooth curve leaves O(h^2 f'') per point, far below
any real noise once the points are dense.
More inputs: each target is predicted by a plane through its 2(d + 1) nearest
neighbours (inputs standardised), which leaves errors of variance about
sigma^2 (1 + (d + 1) / k); curvature adds a little, so it errs towards more noise.
Written here because neither scipy nor scikit-learn offers a difference-based estimate.
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree


def noise_level(X: np.ndarray, y: np.ndarray) -> float:
    """Estimated standard deviation of the noise in y (N,) at inputs X (N, d), in y's units."""
    X = np.asarray(X, dtype=float).reshape(len(y), -1)
    if len(y) < 3 or float(np.std(y)) == 0:
        return 0.0
    if X.shape[1] == 1:
        return _neighbour_differences(X[:, 0], np.asarray(y, dtype=float))
    return _local_planes(X, np.asarray(y, dtype=float))


def _neighbour_differences(x: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    span = x[2:] - x[:-2]
    inner = span > 0  # three points at one x carry no slope to compare with
    if not inner.any():
        return float(np.std(y))
    a = (x[2:] - x[1:-1])[inner] / span[inner]
    b = (x[1:-1] - x[:-2])[inner] / span[inner]
    e = a * y[:-2][inner] + b * y[2:][inner] - y[1:-1][inner]
    return float(np.sqrt(np.mean(e ** 2 / (a ** 2 + b ** 2 + 1))))


def _local_planes(X: np.ndarray, y: np.ndarray) -> float:
    std = X.std(axis=0)
    Xs = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    k = 2 * (Xs.shape[1] + 1)
    if len(Xs) <= k + 1:
        return 0.0
    near = cKDTree(Xs).query(Xs, k=k + 1)[1][:, 1:]  # (N, k), the point itself left out
    A = np.concatenate([Xs[near] - Xs[:, None, :], np.ones((*near.shape, 1))], axis=2)  # (N, k, d+1)
    G = A.transpose(0, 2, 1) @ A + 1e-9 * np.eye(A.shape[2])
    coef = np.linalg.solve(G, (A.transpose(0, 2, 1) @ y[near][..., None]))[..., 0]
    err = y - coef[:, -1]  # the local plane's value at the point itself
    return float(np.sqrt(np.mean(err ** 2) / (1 + A.shape[2] / k)))
