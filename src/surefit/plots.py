"""PNG reports of a fit: target vs prediction, the residual, where each hidden unit is
active, and the loss curve (1 input: curves and bars over x; 2 inputs: heat maps and
the share of points each unit is active on; more: prediction against target). The
figure's pieces (layout, save_figure, unit_colors) serve the other pictures too
(explanation_plot.py, doctor/report.py, signals/plots.py, studies.py).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter  # noqa: E402
import numpy as np  # noqa: E402

from .activations import SATURATION_SLOPE  # noqa: E402
from .errors import SurefitError  # noqa: E402
from .files import atomic_path  # noqa: E402
from .status import Status  # noqa: E402


def plot_fit(result, path: str | Path, format: str | None = None) -> Path:
    """Write a picture of `result` (a FitResult) to path, in the format its suffix names."""
    problem = result.problem
    X, y = problem.X_eval, problem.y_eval
    pred = result.predict(X)
    active, labels = _unit_activity(result.model, X)
    can_die = bool(result.model.hidden) and result.model.hidden[0].can_die
    if problem.n_inputs == 1:
        fig, axes = layout([["fit"], ["residual"], ["units"], ["loss"]], 8,
                           [3, 1.4, _bars_height(active), 1.8], share=("fit", "residual", "units"))
        (_points if problem.measured else _curves)(axes["fit"], axes["residual"], result)
        draw_unit_activity(axes["units"], active, X[:, 0], labels=labels, can_die=can_die)
        axes["units"].set_xlabel(problem.variables[0])
    else:
        grid = problem.n_inputs == 2 and problem.domain is not None
        surface = problem.n_inputs == 2 and not grid  # two measured inputs: the network over the rows' box
        top = (["target", "network", "residual"] if grid else ["scatter", "network", "residual"] if surface
               else ["scatter", "scatter", "scatter"])
        fig, axes = layout([top, ["units", "loss", "loss"]], 13, [4, _bars_height(active)])
        if grid:
            _heatmaps(fig, axes, problem, X, y, pred)
        else:
            _scatter(axes["scatter"], result)
        if surface:
            _surface(fig, axes["network"], axes["residual"], result)
        draw_unit_activity(axes["units"], active, labels=labels, can_die=can_die)
    axes["units"].set_title(_units_title(result, active, can_die), fontsize=9)
    _loss(axes["loss"], result.history, result.trainers, penalised=result.effective_parameters is not None)
    limit = f"\n{textwrap.fill(result.limit, 110)}" if result.limit else ""
    fig.suptitle(f"{result.target} — {result.model.net.activation} {list(result.model.net.hidden)}\n"
                 f"{result.status}{limit}", fontsize=9)
    return save_figure(fig, path, format)


def image_format(path: str | Path) -> str:
    """The format a picture's file name asks for ('png' without a suffix), if matplotlib writes it."""
    suffix = Path(path).suffix.lower().lstrip(".") or "png"
    formats = plt.figure().canvas.get_supported_filetypes()
    plt.close("all")
    if suffix not in formats:
        raise SurefitError(f"cannot write a picture as {Path(path).name}: name it .png, .pdf, .svg or "
                           f"another of {', '.join(sorted(formats))}")
    return suffix


def save_figure(fig, path: str | Path, format: str | None = None) -> Path:
    """Write fig to path, in the format its suffix names (or `format`, for a temporary name)."""
    format = format or image_format(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=format, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return Path(path)


def layout(mosaic, width: float, heights: list[float], share: tuple[str, ...] = ()):
    """A figure of named panels, rows heights[i] inches high; the panels named in share
    share the first one's x axis (panels over the input, so kinks and bars line up)."""
    fig, axes = plt.subplot_mosaic(mosaic, figsize=(width, sum(heights) + 0.8),
                                   height_ratios=heights, layout="constrained")
    for name in share[1:]:
        axes[name].sharex(axes[share[0]])
    return fig, axes


def _bars_height(active: np.ndarray) -> float:
    return float(np.clip(0.22 * active.shape[1], 1.2, 6.0))


def _unit_activity(model, X: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Whether each hidden unit responds at each point (Activation.responds): (N, units), and labels."""
    if not model.hidden:  # a linear fit
        return np.zeros((len(X), 0), dtype=bool), []
    zs = model.preactivations(X)[:-1]
    active = np.concatenate([act.responds(z) for act, z in zip(model.hidden, zs)], axis=1)
    single = len(zs) == 1
    labels = [f"unit {j + 1}" if single else f"L{layer + 1} u{j + 1}"
              for layer, z in enumerate(zs) for j in range(z.shape[-1])]
    return active, labels


def _units_title(result, active: np.ndarray, can_die: bool) -> str:
    """The units panel's title: where they respond, and how many are dead where they can die."""
    if not result.model.hidden:
        return "no hidden units: a linear fit"
    if result.status is Status.CONSTANT:  # fitted by the output bias: the units were never trained
        return "the hidden units are unused: the output bias alone fits a constant target"
    dead = f": {int((~active.any(axis=0)).sum())} of {active.shape[1]} dead" if can_die else ""
    return _activity_title(result.model.hidden[0]) + dead


def _activity_title(act) -> str:
    """A kinked unit is on or off; a smooth one is never off, only flat where it saturates."""
    if act.piecewise_linear:
        return "where each hidden unit is active (z > 0)"
    return f"where each hidden unit responds\n(elsewhere saturated: slope under {SATURATION_SLOPE:.0%} of its steepest)"


def _curves(top, bottom, result):
    """A formula: the exact target and the network over the dense grid, the training points on top."""
    problem = result.problem
    x, y, pred = problem.X_eval[:, 0], problem.y_eval, result.predict(problem.X_eval)
    order = np.argsort(x)
    top.plot(x[order], y[order], color="tab:blue", lw=2, label="target")
    top.plot(x[order], pred[order], color="tab:red", lw=1, ls="--", label="network")
    shown = _shown(len(problem.y))
    top.scatter(problem.X[shown, 0], problem.y[shown], s=6, color="black", alpha=0.6, zorder=3,
                label=_points_label("training points", len(problem.y)))
    top.legend(fontsize=8, markerscale=2)
    top.set_ylabel(problem.description)
    bottom.plot(x[order], (pred - y)[order], color="tab:red", lw=1)
    bottom.axhline(0, color="black", lw=0.5)
    bottom.set_ylabel("residual")
    top.tick_params(labelbottom=False)
    bottom.tick_params(labelbottom=False)


def _band_words(result) -> str:
    """The noise band's level, or the range it mostly keeps where it changes along the input."""
    if result.noise_range is None:
        return f"{result.noise_level:.3g}"
    low, high = result.noise_range
    return f"mostly {low:.3g} to {high:.3g}, changing along {result.problem.variables[0]}"


def _points(top, bottom, result):
    """Measured data: training and held-out points as points (at most SHOWN_POINTS of each), the
    network as a line on a dense grid, drawn over them, with a band of +- the estimated noise
    level (FitResult.noise_at) and, darker, its error bars (FitResult.error_bars), and the residuals
    against the input."""
    problem = result.problem
    x_train, x_eval = problem.X[:, 0], problem.X_eval[:, 0]
    exact = problem.exact_eval
    held_out = not exact and problem.X_eval is not problem.X
    train, held = _shown(len(x_train)), _shown(len(x_eval))
    grid = np.linspace(min(x_train.min(), x_eval.min()), max(x_train.max(), x_eval.max()), 1000)
    line, band = result.predict(grid), result.noise_at(grid)
    top.fill_between(grid, line - band, line + band, color="tab:red", alpha=0.15, lw=0, zorder=4,
                     label=f"network +- noise level ({_band_words(result)})")
    if result.model.posterior is not None:
        # cut at 3 noise levels: where nothing pins the weights down (no penalty, more weights than rows) they are
        # thousands, and would scale the axes away from the data
        bars = 2 * result.error_bars(grid)
        cut = " (cut at 3 noise levels)" if (bars > 3 * band).any() else ""
        bars = np.minimum(bars, 3 * band)
        top.fill_between(grid, line - bars, line + bars, color="tab:red", alpha=0.3, lw=0, zorder=4,
                         label=f"network +- 2 sd of its own (error bars){cut}")
    top.plot(grid, line, color="tab:red", lw=1.5, zorder=5, label="network")
    top.scatter(x_train[train], problem.y[train], s=6, color="black", alpha=0.6, zorder=3,
                label=_points_label("training points", len(x_train)))
    if exact:
        order = np.argsort(x_eval)
        top.plot(x_eval[order], problem.y_eval[order], color="tab:blue", lw=1, zorder=5, label="exact function")
    elif held_out:
        top.scatter(x_eval[held], problem.y_eval[held], s=10, marker="x", color="tab:green", zorder=3,
                    label=_points_label("held-out points", len(x_eval)))
    if problem.left_out is not None:
        _pinned(top, problem.left_out[0][:, 0], problem.left_out[1], "y", _left_out_label(problem.left_out[1]))
    top.legend(fontsize=8, markerscale=2)
    top.set_ylabel(problem.description)
    top.tick_params(labelbottom=False)
    bottom.fill_between(grid, -band, band, color="tab:red", alpha=0.15, lw=0)
    bottom.scatter(x_train[train], problem.y[train] - result.predict(problem.X[train]), s=4, color="black", alpha=0.6)
    if held_out:
        bottom.scatter(x_eval[held], problem.y_eval[held] - result.predict(problem.X_eval[held]), s=8, marker="x",
                       color="tab:green")
    if problem.left_out is not None:
        X, y = problem.left_out
        _pinned(bottom, X[:, 0], y - result.predict(X), "y")
    bottom.axhline(0, color="black", lw=0.5)
    bottom.set_ylabel("target - network")
    bottom.tick_params(labelbottom=False)


def _left_out_label(y: np.ndarray) -> str:
    return f"left out as outlier{'s' * (len(y) > 1)} ({len(y)}; a triangle: past the edge)"


def _pinned(ax, x: np.ndarray, y: np.ndarray, along: str, label: str | None = None):
    """Points (x, y) as red rings, on the axes as the other points scaled them; one past them along
    'x' or 'y' as a triangle on the edge it lies past: a slipped decimal point lies hundreds of
    spreads away, and scaling to it would flatten every other point into a line."""
    lo, hi = ax.get_xlim() if along == "x" else ax.get_ylim()
    v = x if along == "x" else y
    inside = (v >= lo) & (v <= hi)
    ax.scatter(x[inside], y[inside], s=40, facecolors="none", edgecolors="tab:red", zorder=6, label=label)
    for past, edge, marker in ((v > hi, hi, ">^"), (v < lo, lo, "<v")):
        at = np.full(past.sum(), edge)
        points = (at, y[past]) if along == "x" else (x[past], at)
        ax.scatter(*points, s=40, marker=marker[along == "y"], color="tab:red", zorder=6, clip_on=False)
    (ax.set_xlim if along == "x" else ax.set_ylim)(lo, hi)


SHOWN_POINTS = 2000  # a scatter of more hides the network's line under it and takes seconds to draw


def _shown(n: int) -> slice:
    """Every k-th of n points, at most SHOWN_POINTS of them: evenly over the rows in their order
    (a held-out share is a random one; a CSV sorted by x stays spread over x)."""
    return slice(None, None, -(-n // SHOWN_POINTS))


def _points_label(what: str, n: int) -> str:
    shown = len(range(n)[_shown(n)])
    return what if shown == n else f"{what} ({shown:,} of {n:,} shown)"


def _heatmaps(fig, axes, problem, X, y, pred):
    """Target and network on one colour scale, so equal colours are equal values; the residual
    on a scale symmetric about 0."""
    n = int(round(np.sqrt(len(X))))
    (x0, x1), (y0, y1) = problem.domain
    both = (min(y.min(), pred.min()), max(y.max(), pred.max()))
    worst = float(np.abs(pred - y).max()) or 1.0
    for title, values, cmap, (low, high) in (("target", y, "viridis", both), ("network", pred, "viridis", both),
                                             ("residual", pred - y, "RdBu_r", (-worst, worst))):
        ax = axes[title]
        image = ax.imshow(values.reshape(n, n).T, origin="lower", extent=(x0, x1, y0, y1), aspect="auto",
                          cmap=cmap, vmin=low, vmax=high)
        fig.colorbar(image, ax=ax, shrink=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(problem.variables[0])
        ax.set_ylabel(problem.variables[1])


def _surface(fig, top, bottom, result, n: int = 100):
    """Two measured inputs: the network on an n x n grid over the training rows' box with the
    rows drawn on it, coloured by their targets on the same scale (a row the network fits is lost
    in the colour around it); and each row coloured by its residual, on a scale symmetric about 0,
    where a patch of one colour is signal the network misses."""
    problem = result.problem
    X, y = problem.X, problem.y
    (x0, y0), (x1, y1) = X.min(axis=0), X.max(axis=0)
    G = np.stack(np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n), indexing="ij"), axis=-1)
    grid = result.predict(G.reshape(-1, 2)).reshape(n, n)
    shown = _shown(len(y))
    scale = dict(cmap="viridis", vmin=min(grid.min(), y.min()), vmax=max(grid.max(), y.max()))
    image = top.imshow(grid.T, origin="lower", extent=(x0, x1, y0, y1), aspect="auto", **scale)
    top.scatter(X[shown, 0], X[shown, 1], c=y[shown], s=10, edgecolors="white", linewidths=0.3, **scale)
    fig.colorbar(image, ax=top, shrink=0.8)
    top.set_title("network; the training rows coloured by their targets", fontsize=9)
    residual = y - result.predict(X)
    worst = float(np.abs(residual).max()) or 1.0
    dots = bottom.scatter(X[shown, 0], X[shown, 1], c=residual[shown], s=10, cmap="RdBu_r", vmin=-worst, vmax=worst)
    fig.colorbar(dots, ax=bottom, shrink=0.8)
    bottom.set_title("target - network at each training row", fontsize=9)
    for ax in (top, bottom):
        ax.set_xlabel(problem.variables[0])
        ax.set_ylabel(problem.variables[1])


def _scatter(ax, result):
    """Several inputs: the network against the target, point by point (at most SHOWN_POINTS of
    each set). Measured data's training and held-out rows apart, as in _points, about the diagonal
    a band of +- the estimated noise level, where a fit at the noise leaves its points."""
    problem, sigma = result.problem, result.noise_level
    noisy = problem.measured and not problem.exact_eval  # y_eval carries noise
    sets = [(problem.X, problem.y, "training points", dict(s=6, color="black", alpha=0.6))] if problem.measured else []
    if problem.X_eval is not problem.X:
        what = "held-out points" if noisy else "held-out grid"
        sets.append((problem.X_eval, problem.y_eval, what, dict(s=10, marker="x", color="tab:green")))
    lows, highs = [], []
    for X, y, what, style in sets:
        shown = _shown(len(y))
        pred = result.predict(X[shown])
        ax.scatter(y[shown], pred, label=_points_label(what, len(y)), zorder=3, **style)
        lows.append(min(y.min(), pred.min()))
        highs.append(max(y.max(), pred.max()))
    lims = np.array([min(lows), max(highs)])
    ax.plot(lims, lims, color="black", lw=0.5, zorder=4, label="network = target")
    if problem.measured and sigma > 0:
        ax.fill_between(lims, lims - sigma, lims + sigma, color="tab:red", alpha=0.15, lw=0,
                        label=f"+- noise level ({sigma:.3g})")
    if problem.left_out is not None:
        X, y = problem.left_out
        _pinned(ax, y, result.predict(X), "x", _left_out_label(y))
    ax.legend(fontsize=8, markerscale=2)
    ax.set_xlabel(f"target ({problem.description})")
    ax.set_ylabel("network")


def _loss(ax, history: list[float], trainers: tuple[str, ...], penalised: bool = False):
    """The best training relative RMSE per step, on a log scale where it spans a factor 3 (0 drawn
    at the smallest float); with a penalty, the objective it minimises (which moves when the penalty is re-chosen)."""
    h = np.maximum(np.asarray(history, dtype=float), np.finfo(float).tiny)
    steps = np.arange(1, len(h) + 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    if not len(h):  # a constant target, or rows too few to train on
        ax.text(0.5, 0.5, "no training steps", ha="center", va="center", transform=ax.transAxes)
    elif h.max() < 3 * h.min():  # a log axis would hold no 1, 2 or 5 tick: plain ones, every digit they need
        ax.plot(steps, h, color="tab:purple", lw=1)
        ax.ticklabel_format(axis="y", useOffset=False)  # 0.1115, not +0.11 and 1.5e-3
    else:
        ax.semilogy(steps, h, color="tab:purple", lw=1)
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=7))  # labelled even within a decade
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))  # 0.38, 1e-06: plain numbers
        ax.yaxis.set_minor_formatter(NullFormatter())  # and no colliding labels between them
    ax.set_xlabel(f"step ({' then '.join(trainers) or 'no training'})")
    ax.set_ylabel("penalised objective\nas a relative RMSE" if penalised else "training\nrelative RMSE")
    ax.set_title("loss curve", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)


def draw_unit_activity(ax, active: np.ndarray, x: np.ndarray | None = None, *,
                       labels: list[str] | None = None, can_die: bool = True) -> None:
    """Draw where each unit is active: one row per unit.

    active: bool (N, units), unit j active on point i. With x (N,) (sorted or not), each row is
    a bar over the x ranges where the unit is active, so dead units (no bar) and units all
    active on the same side of the input stand out. Without x (several inputs), each row is a
    bar as long as the share of points the unit is active on. Units that can die (relu) and
    are never active are marked dead: by name when there are a few, else once in a corner.
    """
    active = np.asarray(active, dtype=bool)
    units = active.shape[1]
    if not units:  # a linear fit: the panel's title says so
        ax.set_yticks([])
        return
    labels = labels or [f"unit {j + 1}" for j in range(units)]
    rows = np.arange(units)[::-1]  # unit 1 on top
    if x is None:
        share = active.mean(axis=0)
        ax.barh(rows, share, height=0.6, color=unit_colors((share > 0) | (not can_die)))
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of points where the unit is on")
    else:
        x = np.asarray(x, dtype=float)
        order = np.argsort(x)
        xs, on = x[order], active[order]
        edges = _cell_edges(xs)
        for row, column, color in zip(rows, on.T, unit_colors(on.any(axis=0) | (not can_die))):
            ax.broken_barh(_runs(column, edges), (row - 0.3, 0.6), color=color)
        if edges[-1] > edges[0]:  # else every point at one x: matplotlib's own limits
            ax.set_xlim(edges[0], edges[-1])
    dead = rows[~active.any(axis=0)] if can_die else rows[:0]
    if 0 < len(dead) <= 3:
        for row in dead:
            ax.text(0.5, row, "dead: never active", transform=ax.get_yaxis_transform(),
                    ha="center", va="center", color="dimgray", fontsize=7, style="italic")
    elif len(dead):
        ax.text(0.99, 1.01, f"{len(dead)} dead units (never active): the rows without a bar",
                transform=ax.transAxes, ha="right", va="bottom", color="dimgray", fontsize=7, style="italic")
    step = -(-units // 30)  # at most 30 labels, so they stay readable
    ax.set_yticks(rows[::step], labels[::step], fontsize=8 if units <= 12 else 6)
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


def unit_colors(alive: np.ndarray) -> list:
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    return [cycle[j % len(cycle)] if ok else "lightgray" for j, ok in enumerate(alive)]
