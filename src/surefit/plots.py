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


def draw_unit_activity(ax, active: np.ndarray, x: np.ndarray | None = None, *,
                       labels: list[str] | None = None) -> None:
    """Draw where each unit is active: one row per unit.

    active: bool (N, units), unit j active on point i. With x (N,) (sorted or not), each row is
    a bar over the x ranges where the unit is active, so dead units (no bar) and units all
    active on the same side of the input stand out. Without x (several inputs), each row is a
    bar as long as the share of points the unit is active on.
    """
    active = np.asarray(active, dtype=bool)
    units = active.shape[1]
    labels = labels or [f"unit {j + 1}" for j in range(units)]
    rows = np.arange(units)[::-1]  # unit 1 on top
    if x is None:
        share = active.mean(axis=0)
        ax.barh(rows, share, height=0.6, color=_unit_colors(share > 0))
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of points where the unit is active")
    else:
        x = np.asarray(x, dtype=float)
        order = np.argsort(x)
        xs, on = x[order], active[order]
        edges = _cell_edges(xs)
        for row, column, color in zip(rows, on.T, _unit_colors(on.any(axis=0))):
            ax.broken_barh(_runs(column, edges), (row - 0.3, 0.6), color=color)
        ax.set_xlim(edges[0], edges[-1])
    for row, alive in zip(rows, active.any(axis=0)):
        if not alive:
            ax.text(0.5, row, "dead", transform=ax.get_yaxis_transform(), ha="center",
                    va="center", color="tab:red", fontsize=8)
    ax.set_yticks(rows, labels, fontsize=7 if units > 12 else 8)
    ax.set_ylim(-0.6, units - 0.4)


def _cell_edges(xs: np.ndarray) -> np.ndarray:
    """(N+1,) boundaries halfway between sorted points, so one active point is a visible cell."""
    mid = (xs[1:] + xs[:-1]) / 2
    first = xs[0] - (mid[0] - xs[0]) if len(mid) else xs[0] - 0.5
    last = xs[-1] + (xs[-1] - mid[-1]) if len(mid) else xs[-1] + 0.5
    return np.concatenate([[first], mid, [last]])


def _runs(on: np.ndarray, edges: np.ndarray) -> list[tuple[float, float]]:
    """(start, width) of each run of True in on (N,), in the coordinates of edges (N+1,)."""
    change = np.diff(np.concatenate([[0], on.astype(np.int8), [0]]))
    starts, stops = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
    return [(edges[a], edges[b] - edges[a]) for a, b in zip(starts, stops)]


def _unit_colors(alive: np.ndarray) -> list:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return [cycle[j % len(cycle)] if ok else "lightgray" for j, ok in enumerate(alive)]
