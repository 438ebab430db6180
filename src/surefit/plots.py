"""PNG reports of a fit: target vs prediction and the residual (1 input: curves;
2 inputs: heat maps; more: prediction against target)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .store import atomic_path  # noqa: E402


def plot_fit(result, path: str | Path) -> Path:
    """Write a PNG of `result` (a FitResult) to path."""
    problem = result.problem
    X, y = problem.X_eval, problem.y_eval
    pred = result.predict(X)
    if problem.n_inputs == 1:
        fig = _curves(problem, X[:, 0], y, pred)
    elif problem.n_inputs == 2 and problem.domain is not None:
        fig = _heatmaps(problem, X, y, pred)
    else:
        fig = _scatter(y, pred)
    fig.suptitle(f"{result.target} — {result.model.net.activation} {list(result.model.net.hidden)}\n"
                 f"{result.status}", fontsize=9)
    return save_figure(fig, path)


def save_figure(fig, path: str | Path) -> Path:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Path(path)


def _curves(problem, x, y, pred):
    order = np.argsort(x)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True, height_ratios=[2, 1])
    top.plot(x[order], y[order], color="tab:blue", lw=2, label="target")
    top.plot(x[order], pred[order], color="tab:red", lw=1, ls="--", label="network")
    top.scatter(problem.X[:, 0], problem.y, s=4, color="gray", alpha=0.5, label="training points")
    top.legend(fontsize=8)
    top.set_ylabel(problem.description)
    bottom.plot(x[order], (pred - y)[order], color="tab:red", lw=1)
    bottom.axhline(0, color="black", lw=0.5)
    bottom.set_ylabel("residual")
    bottom.set_xlabel(problem.variables[0])
    return fig


def _heatmaps(problem, X, y, pred):
    n = int(round(np.sqrt(len(X))))
    (x0, x1), (y0, y1) = problem.domain
    extent = (x0, x1, y0, y1)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, values, title in zip(axes, (y, pred, pred - y), ("target", "network", "residual")):
        image = ax.imshow(values.reshape(n, n).T, origin="lower", extent=extent, aspect="auto",
                          cmap="RdBu_r" if title == "residual" else "viridis")
        fig.colorbar(image, ax=ax, shrink=0.8)
        ax.set_title(title)
        ax.set_xlabel(problem.variables[0])
        ax.set_ylabel(problem.variables[1])
    return fig


def _scatter(y, pred):
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(y, pred, s=3)
    lims = [min(y.min(), pred.min()), max(y.max(), pred.max())]
    ax.plot(lims, lims, color="black", lw=0.5)
    ax.set_xlabel("target")
    ax.set_ylabel("network")
    return fig
