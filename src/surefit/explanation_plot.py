"""A picture of an Explanation (explanation.py): the pieces and kinks of a 1-input ReLU network,
or its linear regions with the surface's contours for 2 inputs."""
from __future__ import annotations

from pathlib import Path

from matplotlib.colors import ListedColormap
import numpy as np

from .errors import SurefitError
from .plots import layout, plt, save_figure, unit_colors  # plots chose the file-only backend


def plot_explanation(explanation, path: str | Path, format: str | None = None) -> Path:
    """Write a picture of an Explanation: pieces and kinks (1 input) or linear regions (2 inputs)."""
    e = explanation
    if e.regions:
        fig, ax = plt.subplots(figsize=(7, 6), layout="constrained")
        _regions(fig, ax, e)
    elif e.pieces:
        fig, axes = layout([["function"], ["slope"]], 8, [3.5, 1.6], share=("function", "slope"))
        _pieces(axes["function"], axes["slope"], e)
    else:
        raise SurefitError("a picture needs a model with one or two inputs")
    formula = e.formula(3)
    fig.suptitle((f"{formula}\n" if formula and len(formula) < 160 else "")
                 + f"checked against the model: max deviation {e.max_deviation:.2g} "
                 f"(relative {e.relative_deviation:.1g})", fontsize=9)
    return save_figure(fig, path, format)


def _pieces(top, bottom, e):
    name = e.variables[0]
    colors = unit_colors(np.ones(len(e.pieces), dtype=bool))
    for p, color in zip(e.pieces, colors):
        x = np.array([p.lo, p.hi])
        top.plot(x, p.slope * x + p.intercept, color=color, lw=2)
        bottom.plot(x, [p.slope, p.slope], color=color, lw=2)
    for k in e.kinks:
        for ax in (top, bottom):
            ax.axvline(k, color="gray", lw=0.6, ls=":")
    top.set_title(f"{len(e.pieces)} linear piece(s), {len(e.kinks)} kink(s) (dotted)", fontsize=9)
    top.set_ylabel("network")
    top.tick_params(labelbottom=False)
    bottom.set_ylabel("slope")
    bottom.set_xlabel(name)


def _regions(fig, ax, e):
    """Regions coloured, numbered as in the explanation, with the surface's contour lines."""
    (x0, x1), (y0, y1) = e.domain
    cycle = plt.get_cmap("tab20").colors
    n = len(e.regions)
    cmap = ListedColormap([cycle[i % len(cycle)] for i in range(n)])
    ax.imshow(e.region_map.T, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", cmap=cmap,
              vmin=-0.5, vmax=n - 0.5, interpolation="nearest", alpha=0.55)
    grads = np.array([r.gradient for r in e.regions])[e.region_map]  # (n, n, 2)
    icpt = np.array([r.intercept for r in e.regions])[e.region_map]
    gx, gy = np.meshgrid(*e.axes, indexing="ij")
    surface = grads[..., 0] * gx + grads[..., 1] * gy + icpt
    lines = ax.contour(gx, gy, surface, levels=12, colors="black", linewidths=0.6)
    ax.clabel(lines, fontsize=6)
    if n <= 40:
        for i, r in enumerate(e.regions):
            ax.text(*r.center, str(i + 1), ha="center", va="center", fontsize=9, weight="bold")
    ax.set_title(f"{n} linear regions (numbered, coloured) and the network's contours", fontsize=9)
    ax.set_xlabel(e.variables[0])
    ax.set_ylabel(e.variables[1])
