"""One function per finding code: each looks at a Case and returns its findings.

Thresholds and the Case live in case.py. Layers are numbered from 1 in messages
("hidden layer 1" is the first layer of units); units too. Sizes are in the units
the network itself sees: a surefit model's layers see scaled numbers, a PyTorch or
Keras model's see the data as given.
"""
from __future__ import annotations

import numpy as np

from .case import Case, Thresholds, cosines
from .findings import Finding


def _units(indices) -> list[int]:
    return [int(i) + 1 for i in indices]


def unit_list(units: list[int], limit: int = 8) -> str:
    """'1, 2, 3' or, past `limit`, '1, 2, ..., 50 (12 units)'; units are 1-based."""
    if len(units) <= limit:
        return ", ".join(map(str, units))
    return f"{', '.join(map(str, units[:limit - 1]))}, ..., {units[-1]} ({len(units)} units)"


def _name(layer: int) -> str:
    return f"hidden layer {layer + 1}"


# ---------------------------------------------------------------- always wrong

def output_activation(case: Case, t: Thresholds) -> list[Finding]:
    act = case.view.output
    target = case.view.targets(case.y)
    evidence = {"activation": act.name, "target_min": float(target.min()), "target_max": float(target.max()),
                "prediction_min": float(case.pred.min()), "prediction_max": float(case.pred.max())}
    if act.name in ("softmax", "log_softmax"):
        value = 1 if act.name == "softmax" else 0
        return [Finding("output_activation",
                        f"the output ends in {act.name} over a single output, which is exactly {value} for "
                        f"every input: the network predicts {value} everywhere and no gradient reaches any "
                        f"weight, while the target runs from {evidence['target_min']:.4g} to "
                        f"{evidence['target_max']:.4g}",
                        evidence, f"remove the {act.name}: it turns class scores into probabilities; a "
                                  "regression output needs no activation")]
    lo, hi = act.output_range
    if (lo, hi) == (-np.inf, np.inf):
        return []
    outside = (target < lo) | (target > hi)
    if not outside.any():
        return []
    evidence.update(range=[lo, hi if np.isfinite(hi) else "inf"], share_outside=float(outside.mean()))
    reach = f"({lo:g}, {hi:g})" if np.isfinite(hi) else f"[{lo:g}, inf)"
    return [Finding("output_activation",
                    f"the output ends in {act.name}, which can only produce values in {reach}, but "
                    f"{outside.mean():.0%} of the targets lie outside it (they run from "
                    f"{evidence['target_min']:.3g} to {evidence['target_max']:.3g})",
                    evidence, f"use a linear output (no activation), or scale the targets into {reach}")]


def diverged(case: Case, t: Thresholds) -> list[Finding]:
    bad = [int((~np.isfinite(W)).sum() + (~np.isfinite(b)).sum()) for W, b in case.view.layers]
    if sum(bad):
        return [Finding("diverged", f"{sum(bad)} weights are NaN or infinite: training blew up",
                        {"nonfinite_parameters": sum(bad), "per_layer": bad}, DIVERGED_FIX)]
    best = np.inf
    for step, loss in case.history:
        if not np.isfinite(loss):
            return [Finding("diverged", f"at step {step} the loss became NaN or infinite: training blew up",
                            {"step": int(step)}, DIVERGED_FIX)]
        if loss > t.diverge_factor * best:
            return [Finding("diverged",
                            f"at step {step} the loss (MSE / variance of the target) rose to {loss:.3g}, "
                            f"{loss / best:.3g}x the best it had reached ({best:.3g}): the steps overshoot",
                            {"step": int(step), "relative_loss": float(loss), "best": float(best)},
                            DIVERGED_FIX)]
        best = min(best, loss)
    return []


DIVERGED_FIX = "lower the learning rate (10x), scale inputs and targets to unit size, or clip gradients"


# ---------------------------------------------------------------- causes of a poor fit

def positive_init(case: Case, t: Thresholds) -> list[Finding]:
    """Hidden layers whose weights and biases all share one sign, now or (if watched) at the
    start of training. The output layer may: a sum of units with positive weights is normal."""
    out = []
    for layer in range(len(case.view.hidden)):
        for v, when in ((case.view, ""), (case.initial, "at the start of training, ")):
            sign = _one_sign(*v.layers[layer], t) if v is not None else None
            if sign:
                out.append(_one_signed(case, layer, np.concatenate([x.ravel() for x in v.layers[layer]]),
                                       sign, when))
                break
    return out


def _one_sign(W: np.ndarray, b: np.ndarray, t: Thresholds) -> str | None:
    p = np.concatenate([W.ravel(), b])
    if p.size < t.one_sign_params or (p != 0).sum() < p.size / 2:
        return None
    return "positive" if (p >= 0).all() else "negative" if (p <= 0).all() else None


def _one_signed(case: Case, layer: int, p: np.ndarray, sign: str, when: str) -> Finding:
    active = int(case.active[layer].any(axis=0).sum())
    width = case.view.layers[layer][0].shape[1]
    return Finding(
        "positive_init",
        f"{when}all {p.size} weights and biases of {_name(layer)} are {sign} or zero (from {p.min():.3g} "
        f"to {p.max():.3g}). That is what an all-positive initialiser such as random_uniform [0, 1) "
        f"leaves, or the first big gradient step from it, which pushes every parameter the same way. "
        f"Such a layer's units switch on and off together: {active} of {width} are on anywhere on the data",
        {"layer": layer + 1, "parameters": int(p.size), "sign": sign, "min": float(p.min()),
         "max": float(p.max()), "units_on": active, "width": width, "at_start": bool(when)},
        "initialise with mean-zero weights (He or Glorot: torch's default, keras 'he_normal') and "
        "zero biases, then train with Adam or a smaller SGD step")


def dead_units(case: Case, t: Thresholds) -> list[Finding]:
    out = []
    for layer in range(len(case.zs)):
        dead = case.dead(layer)
        if not dead.any():
            continue
        width, n = dead.size, int(dead.sum())
        died = {f"unit {u + 1}": s for (lay, u), s in case.deaths.items() if lay == layer and dead[u]}
        when = _when_died(died)
        whole = ": nothing passes this layer, so the network's output is constant" if n == width else ""
        out.append(Finding(
            "dead_units",
            f"{_name(layer)}: {n} of {width} units ({n / width:.0%}) are off on every data point. A ReLU "
            f"that is off everywhere outputs 0 and its weights get no gradient, so training does not "
            f"bring it back{whole}{when}",
            {"layer": layer + 1, "units": _units(np.flatnonzero(dead)), "dead": n, "width": width,
             "share": n / width, **({"died_at_step": died} if died else {})},
            "re-initialise (He init, zero biases) and scale the inputs; use a smaller learning rate; "
            "or let surefit fit train it (it revives dead units)"))
    return out


def _when_died(died: dict) -> str:
    if not died:
        return ""
    first, last = min(died.values()), max(died.values())
    if last == 0:
        return "; they were off everywhere from the start of training"
    return f"; they were first seen dead at step {first}" + (f" to {last}" if last > first else "")


def same_side_units(case: Case, t: Thresholds) -> list[Finding]:
    """Part of the data where no live unit of a layer is on, or no kink inside the data at all."""
    out, linear = [], []
    for layer, act in enumerate(case.view.hidden):
        on = case.active[layer][:, ~case.dead(layer)]
        if not act.piecewise_linear or on.shape[1] == 0:
            linear.append(not act.piecewise_linear and act.name == "linear")
            continue
        uncovered = ~on.any(axis=1)
        varies = uncovered.any() and case.y[uncovered].std() > t.uncovered_variation * case.y.std()
        if uncovered.mean() >= t.uncovered_share and varies:
            out.append(_uncovered(case, layer, uncovered))
        linear.append(bool(on.all()))
    if not out and linear and all(linear):
        out.append(Finding(
            "same_side_units",
            "every live unit is on at every data point: all kinks lie outside the data, on the side "
            "away from it, so each layer is linear over the data and the network computes a straight "
            "line (a plane)", {"kinks_inside": 0}, SAME_SIDE_FIX))
    return out


SAME_SIDE_FIX = ("re-initialise so the units face both ways with kinks inside the data (mean-zero "
                 "weights, inputs scaled to [-1, 1]), add units, or let surefit fit place the kinks on the data")


def _uncovered(case: Case, layer: int, uncovered: np.ndarray) -> Finding:
    share = float(uncovered.mean())
    evidence = {"layer": layer + 1, "share": share, "points": int(uncovered.sum())}
    where = f"on {share:.0%} of the points"
    if case.X.shape[1] == 1:
        x = case.X[:, 0]
        lo, hi = float(x[uncovered].min()), float(x[uncovered].max())
        evidence.update(region=[lo, hi])
        where = f"for {case.variables[0]} from {lo:.4g} to {hi:.4g} ({share:.0%} of the points)"
    else:
        evidence.update(region={v: [float(c.min()), float(c.max())]
                                for v, c in zip(case.variables, case.X[uncovered].T)})
    facing = ""
    if layer == 0 and case.X.shape[1] == 1:
        W, b = case.view.layers[0]
        live = np.flatnonzero(~case.dead(0))
        signs = {int(np.sign(W[0, j])) for j in live}
        if len(signs) == 1:
            side = "right (w > 0)" if signs == {1} else "left (w < 0)"
            facing = (f" {'Both' if len(live) == 2 else f'All {len(live)}'} live units face {side}: each is on only on one side of its kink, "
                      f"the same side for all of them.")
            evidence.update(facing=side.split()[0])
    return Finding(
        "same_side_units",
        f"{_name(layer)}: no unit is on {where}.{facing} There the network's output is constant while "
        f"the target varies, and those points send no gradient that could move a kink over to them",
        evidence, SAME_SIDE_FIX)


def collapsed_units(case: Case, t: Thresholds) -> list[Finding]:
    out = []
    for layer in range(len(case.zs)):
        for group in case.duplicates(layer, t):
            cos = float(cosines(case.zs[layer][:, group])[0].min())  # to the group's first unit
            out.append(Finding(
                "collapsed_units",
                f"{_name(layer)}: units {unit_list(_units(group))} compute the same feature up to "
                f"scale (cosine of their pre-activations over the data >= {cos:.4f}); since "
                f"relu(c z) = c relu(z) they act as one unit",
                {"layer": layer + 1, "units": _units(group), "cosine": cos}, COLLAPSE_FIX))
    one = _one_direction(case, t)
    return ([one] if one else []) + out


COLLAPSE_FIX = ("restart from a different initialisation or add units; surefit fit trains many "
                "candidates side by side and keeps the best")


def _one_direction(case: Case, t: Thresholds) -> Finding | None:
    """With 2+ inputs: all live first-layer units' weight vectors parallel (either way round),
    so the network only sees one direction of its input (seed 001's 1-D collapse)."""
    W, _ = case.view.layers[0]
    live = np.flatnonzero(~case.dead(0))
    if W.shape[0] < 2 or len(live) < 2:
        return None
    scale = np.asarray(case.view.x_scaler.scale) if case.view.x_scaler else np.ones(W.shape[0])
    normals = W[:, live] / scale[:, None]  # directions in the user's units
    cos = np.abs(cosines(normals))
    if cos.min() <= t.collapse_cosine:
        return None
    u = normals[:, 0] * np.sign(normals[np.argmax(np.abs(normals[:, 0])), 0]) / np.linalg.norm(normals[:, 0])
    along = " + ".join(f"{c:.2f} {v}" for c, v in zip(u, case.variables))
    return Finding(
        "collapsed_units",
        f"{_name(0)}: all {len(live)} live units have parallel weight vectors (|cosine| >= {cos.min():.4f}), "
        f"so the network sees only one direction of its input and can only fit a function of "
        f"{along}",
        {"layer": 1, "units": _units(live), "direction": [float(c) for c in u], "cosine": float(cos.min())},
        COLLAPSE_FIX)


def bottleneck(case: Case, t: Thresholds) -> list[Finding]:
    out = []
    widths = case.view.widths[1:-1]
    for layer in range(1, len(widths)):
        before, width = widths[layer - 1], widths[layer]
        if width * t.bottleneck_ratio > before:
            continue
        live = int((~case.dead(layer)).sum())
        distinct = live - sum(len(g) - 1 for g in case.duplicates(layer, t))
        if distinct > t.bottleneck_alive * width:
            continue
        out.append(Finding(
            "bottleneck",
            f"{_name(layer)} has {width} units after a layer of {before} ({before / width:.0f}x narrower), "
            f"and only {distinct} of them are alive and distinct: everything the network computes must "
            f"pass through {distinct} unit{'s' if distinct != 1 else ''}",
            {"layer": layer + 1, "width": width, "before": before, "alive_distinct": distinct},
            f"make {_name(layer)} as wide as the layer before it, or remove it"))
    return out


def unscaled_inputs(case: Case, t: Thresholds) -> list[Finding]:
    columns = _far_from_unit(case.view.inputs(case.X), case.variables, t)
    if not columns:
        return []
    worst = max(columns, key=lambda v: abs(np.log10(columns[v]["rms"])))
    rms = columns[worst]["rms"]
    return [Finding(
        "unscaled_inputs",
        f"the first layer sees {worst} with typical size {rms:.3g} (rms; from {columns[worst]['min']:.4g} "
        f"to {columns[worst]['max']:.4g}), {_factor(rms)} unit scale: initialisers place kinks near 0 "
        f"with weights of size ~1, and every weight update is multiplied by the input's size",
        {"columns": columns, "factor": _ratio(rms)},
        "standardise each input, x' = (x - mean) / std, and apply the same to new inputs")]


def unscaled_targets(case: Case, t: Thresholds) -> list[Finding]:
    target = case.view.targets(case.y)
    columns = _far_from_unit(target[:, None], ("y",), t)
    if not columns:
        return []
    rms = columns["y"]["rms"]
    return [Finding(
        "unscaled_targets",
        f"the last layer must produce values of typical size {rms:.3g} (rms of the target; from "
        f"{target.min():.4g} to {target.max():.4g}), {_factor(rms)} unit scale: a freshly initialised "
        f"network outputs numbers of size ~1, and the loss's gradients scale with the target's size",
        {**columns["y"], "factor": _ratio(rms), "mean": float(target.mean()), "std": float(target.std())},
        f"standardise the target, y' = (y - {target.mean():.3g}) / {target.std():.3g}, fit y', and "
        f"predict {target.mean():.3g} + {target.std():.3g} * output")]


def _far_from_unit(A: np.ndarray, names, t: Thresholds) -> dict:
    out = {}
    for name, col in zip(names, A.T):
        rms = float(np.sqrt(np.mean(col ** 2)))
        if rms > t.scale_factor or (col.std() > 0 and rms < 1 / t.scale_factor):
            out[name] = {"rms": rms, "min": float(col.min()), "max": float(col.max())}
    return out


def _ratio(rms: float) -> float:
    return rms if rms >= 1 else 1 / rms


def _factor(rms: float) -> str:
    return f"{rms:.3g}x above" if rms >= 1 else f"{1 / rms:.3g}x below"


def singular_target(case: Case, t: Thresholds) -> list[Finding]:
    """1 input only: a straight piece fitted on each of up to edge_pieces equal stretches; an edge
    stretch that misses far more than the typical one holds a singularity or a huge slope."""
    if case.X.shape[1] != 1 or case.y.std() == 0:
        return []
    x, y = case.X[:, 0], case.y
    pieces = min(t.edge_pieces, len(x) // 10)
    if pieces < 4:
        return []
    edges = np.linspace(x.min(), x.max(), pieces + 1)
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, pieces - 1)
    misfit = np.array([_line_misfit(x[which == k], y[which == k]) for k in range(pieces)])
    typical = float(np.nanmedian(misfit))
    for k, side in ((0, "low"), (pieces - 1, "high")):
        if not (misfit[k] > t.edge_share * y.std() and misfit[k] > t.edge_ratio * typical):
            continue
        inside = which == k
        ratio = misfit[k] / typical if typical > 0 else float("inf")
        name = case.variables[0]
        return [Finding(
            "singular_target",
            f"the target changes steeply at the {side} end of {name}: for {name} from {edges[k]:.3g} to "
            f"{edges[k + 1]:.3g} it runs from {y[inside].min():.3g} to {y[inside].max():.3g}, and a straight "
            f"piece there misses it by {misfit[k]:.3g} (rms), {ratio:.3g}x more than on a typical stretch "
            f"of the same width: a singularity or a huge slope at the edge of the domain, where a small "
            f"network would need most of its kinks",
            {"edge": side, "region": [float(edges[k]), float(edges[k + 1])], "misfit": float(misfit[k]),
             "typical_misfit": typical, "ratio": float(ratio),
             "target_range": [float(y[inside].min()), float(y[inside].max())]},
            "keep the domain away from the singularity, fit a transformed target (e.g. y against ln x), "
            "or judge the fit away from the edge")]
    return []


def _line_misfit(x: np.ndarray, y: np.ndarray) -> float:
    """rms residual of the least-squares line through the points (NaN with fewer than 3)."""
    if len(x) < 3 or np.ptp(x) == 0:
        return np.nan
    A = np.stack([x - x.mean(), np.ones_like(x)], axis=1)
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(np.sqrt(np.mean((A @ coef - y) ** 2)))


def stalled(case: Case, t: Thresholds) -> list[Finding]:
    """From a watched run: the first stretch of stall_checks checks with less than stall_gain
    improvement of the best loss, while the fit was still poor."""
    steps = [s for s, _ in case.history]
    best = np.minimum.accumulate([loss for _, loss in case.history]) if case.history else []
    for i in range(len(best) - t.stall_checks):
        later = best[i + t.stall_checks]
        if later > (1 - t.stall_gain) * best[i] and later > t.good_fit ** 2:
            return [Finding(
                "stalled",
                f"the loss stopped improving at step {steps[i]}: by step {steps[i + t.stall_checks]} its best "
                f"was still {np.sqrt(later):.3g} in relative RMSE, less than {t.stall_gain:.0%} better",
                {"since_step": int(steps[i]), "until_step": int(steps[i + t.stall_checks]),
                 "relative_rmse": float(np.sqrt(later))},
                "fix the findings above; if there are none, train longer with a decaying learning rate, "
                "or use more units")]
    return []


ALWAYS = (output_activation, diverged)  # wrong whatever the fit
WHEN_POOR = (positive_init, dead_units, same_side_units, collapsed_units, bottleneck,
             unscaled_inputs, unscaled_targets, singular_target, stalled)


def run(case: Case, t: Thresholds) -> list[Finding]:
    """Every check that applies: the always-wrong ones, and the rest only for a poor fit."""
    if not np.isfinite(case.pred).all():  # NaN out: nothing else can be measured
        return [f for check in ALWAYS for f in check(case, t)]
    checks = ALWAYS + (() if case.fits(t) else WHEN_POOR)
    return [f for check in checks for f in check(case, t)]
