"""The PNG of a doctor run: target vs prediction, residual, where each unit is on, loss curve.

Left column: the fit (1 input: over x; more: prediction against target), its residual,
and, if training was watched, the loss. Right column: one bar per unit of each ReLU-like
hidden layer over the input, so dead units (no bar) and units all on one side show at
a glance.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..plots import draw_unit_activity, plt, save_figure
from .findings import Diagnosis


def plot_diagnosis(diagnosis: Diagnosis, path: str | Path, format: str | None = None) -> Path:
    """Write the picture of `diagnosis` (as returned by doctor()) to path, in the format its suffix names."""
    case = diagnosis.case
    kinked = [i for i, a in enumerate(case.view.hidden) if a.piecewise_linear]
    rows = [3, 2] + ([2] if diagnosis.losses else [])
    units = sum(case.active[i].shape[1] for i in kinked)
    height = max(1.1 * sum(rows) + 1.5, 0.16 * units + 1.3 * len(kinked))  # a readable bar per unit
    fig = plt.figure(figsize=(12, height))
    grid = fig.add_gridspec(sum(rows), 2 if kinked else 1, width_ratios=[3, 2] if kinked else [1],
                            hspace=1.2, wspace=0.3)
    starts = np.cumsum([0] + rows)
    fit, residual = (fig.add_subplot(grid[a:b, 0]) for a, b in zip(starts[:2], starts[1:3]))
    one_input = case.X.shape[1] == 1
    (_over_x if one_input else _against_target)(fit, residual, case)
    if diagnosis.losses:
        _losses(fig.add_subplot(grid[starts[2]:starts[3], 0]), diagnosis.losses)
    _units(fig, grid, case, kinked, one_input)
    top = diagnosis.findings[0] if diagnosis.findings else None
    headline = f"first finding: {top.code} ({top.severity})" if top else "no problems found"
    fig.suptitle(f"surefit doctor: {case.view.kind} network {'-'.join(map(str, case.view.widths))}, "
                 f"relative RMSE {case.relative_rmse:.3g}\n{headline}", fontsize=10)
    return save_figure(fig, path, format)


def _over_x(fit, residual, case) -> None:
    x = case.X[:, 0]
    order = np.argsort(x)
    fit.scatter(x, case.y, s=5, color="tab:blue", alpha=0.5, label="target (data)")
    fit.plot(x[order], case.pred[order], color="tab:red", lw=1.5, label="network")
    fit.legend(fontsize=8)
    fit.set_ylabel("y")
    fit.set_title("target and prediction", fontsize=9)
    residual.plot(x[order], (case.pred - case.y)[order], color="tab:red", lw=1)
    residual.axhline(0, color="black", lw=0.5)
    residual.set_ylabel("prediction - target")
    residual.set_xlabel(case.variables[0])


def _against_target(fit, residual, case) -> None:
    fit.scatter(case.y, case.pred, s=4, alpha=0.5)
    lims = [min(case.y.min(), case.pred.min()), max(case.y.max(), case.pred.max())]
    fit.plot(lims, lims, color="black", lw=0.5)
    fit.set_xlabel("target")
    fit.set_ylabel("network")
    fit.set_title("prediction against target", fontsize=9)
    residual.scatter(case.y, case.pred - case.y, s=4, alpha=0.5, color="tab:red")
    residual.axhline(0, color="black", lw=0.5)
    residual.set_xlabel("target")
    residual.set_ylabel("prediction - target")


def _losses(ax, losses: list[tuple[int, float]]) -> None:
    steps, loss = np.array(losses, dtype=float).T
    ax.semilogy(steps, np.sqrt(np.clip(loss, 1e-300, None)), color="tab:purple")
    ax.set_xlabel("training step")
    ax.set_ylabel("relative RMSE")
    ax.set_title("loss on the watched data", fontsize=9)


def _units(fig, grid, case, kinked: list[int], one_input: bool) -> None:
    """Stack one panel per kinked hidden layer in the right column, taller for wider layers."""
    if not kinked:
        return
    heights = [max(case.active[i].shape[1], 2) for i in kinked]
    column = grid[:, 1].subgridspec(len(kinked), 1, height_ratios=heights, hspace=0.6)
    for i, layer in enumerate(kinked):
        ax = fig.add_subplot(column[i])
        draw_unit_activity(ax, case.active[layer], case.X[:, 0] if one_input else None)
        ax.set_title(f"hidden layer {layer + 1}: where each unit is on", fontsize=9)
        if one_input:
            ax.set_xlabel(case.variables[0])
