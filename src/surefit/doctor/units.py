"""Findings about the hidden units: how they start (positive_init), where they are on
(dead, same-side, collapsed units, bottleneck), where they are flat (saturated units)
and how much gradient reaches them (vanishing gradient). Sizes are in the units the
network itself sees: a surefit model's layers see scaled numbers, a PyTorch or Keras
model's see the data as given.
"""
from __future__ import annotations

import numpy as np

from ..activations import SATURATION_SLOPE
from .case import Case, Thresholds, cosines
from .findings import Finding
from .words import layer_name, plural, unit_list, units


def _level(case: Case, lost: int, width: int, t: Thresholds) -> str:
    """major when the layer lost a large share of its units and the fit is far from good, else minor."""
    return "major" if lost >= t.unit_loss_share * width and not case.nearly_fits(t) else "minor"


def _near(case: Case, t: Thresholds) -> str:
    """minor on a model that nearly fits (Thresholds.near_fit); else the code's own severity."""
    return "minor" if case.nearly_fits(t) else ""


def positive_init(case: Case, t: Thresholds) -> list[Finding]:
    """Hidden layers whose nonzero weights and biases all share one sign: at the start of
    training when it was watched (a layer that became one-signed later was not started so),
    else now. Zeros carry no sign; the output layer may be one-signed (a sum of units)."""
    out = []
    for layer in range(len(case.view.hidden)):
        when, v = ("at the start of training, ", case.initial) if case.initial else ("", case.view)
        p = np.concatenate([x.ravel() for x in v.layers[layer]])
        signed = p[p != 0]
        if len(signed) < t.one_sign_params or not ((signed > 0).all() or (signed < 0).all()):
            continue
        sign = "positive" if signed[0] > 0 else "negative"
        active = int(case.active[layer].any(axis=0).sum())
        width = case.view.layers[layer][0].shape[1]
        chance = 2.0 ** (1 - len(signed))
        out.append(Finding(
            "positive_init",
            f"{when}all {len(signed)} nonzero weights and biases of {layer_name(layer)} are {sign} (from "
            f"{signed.min():.3g} to {signed.max():.3g}); a mean-zero initialiser does that with chance "
            f"{chance:.1e}. That is what an all-positive initialiser such as random_uniform [0, 1) leaves. "
            f"Such a layer's units switch on and off together: {active} of {width} are on anywhere on the data",
            {"layer": layer + 1, "parameters": int(len(signed)), "sign": sign, "min": float(signed.min()),
             "max": float(signed.max()), "chance": chance, "units_on": active, "width": width,
             "at_start": bool(when)},
            "initialise with mean-zero weights (He or Glorot: torch's default, keras 'he_normal') and "
            "zero biases, then train with Adam or a smaller SGD step",
            summary=f"{layer_name(layer)} started one-signed"))
    return out


def weight_scale(case: Case, t: Thresholds) -> list[Finding]:
    """Initial weights far below (or above) the scale that keeps the signal's size from layer to
    layer: std sqrt(2 / fan_in) for ReLU-like units (He), sqrt(2 / (fan_in + fan_out)) otherwise
    (Glorot). Read at the start of training when watched, else now."""
    v = case.initial or case.view
    ratios = []
    for (W, _), act in zip(v.layers[:-1], v.hidden):
        fan_in, fan_out = W.shape
        if W.size < t.one_sign_params:  # too few weights to tell their scale from chance
            continue
        keep = np.sqrt(2 / fan_in) if act.can_die or act.piecewise_linear else np.sqrt(2 / (fan_in + fan_out))
        ratios.append(float(np.sqrt(np.mean(W ** 2)) / keep))
    total = float(np.prod(ratios)) if ratios else 1.0
    if not ratios or t.weight_scale <= total <= 1 / t.weight_scale:
        return []
    when = "at the start of training" if case.initial else "now"
    way, does = ("small", "shrinks") if total < 1 else ("large", "blows up")
    return [Finding(
        "weight_scale",
        f"the hidden layers' weights are {way} {when}: each is {np.median(ratios):.2g}x (median) the size that keeps "
        f"the signal's size from layer to layer, so through {plural(len(ratios), 'layer')} the network {does} "
        f"the input's variation by a factor of about {total:.1e}: the output "
        + ("hardly depends on the input and the first layers get almost no gradient" if total < 1
           else "saturates or overflows"),
        {"ratios": ratios, "product": total, "at_start": bool(case.initial)},
        "initialise with He (ReLU units: keras 'he_uniform', torch's kaiming_uniform_) or Glorot (sigmoid, tanh) "
        "weights: the default initialisers of Keras and PyTorch are close to these",
        summary=f"the initial weights {does} the signal {total:.0e}-fold")]


def dead_units(case: Case, t: Thresholds) -> list[Finding]:
    out = []
    for layer in range(len(case.zs)):
        dead = case.dead(layer)
        if not dead.any():
            continue
        width, n = dead.size, int(dead.sum())
        died = {f"unit {u + 1}": s for (lay, u), s in case.deaths.items() if lay == layer and dead[u]}
        started = sum(1 for s in died.values() if s == 0)
        whole = ": nothing passes this layer, so the network's output is constant" if n == width else ""
        out.append(Finding(
            "dead_units",
            f"{layer_name(layer)}: {n} of {width} units ({n / width:.0%}) are off on every data point. A ReLU "
            f"that is off everywhere outputs 0 and its weights get no gradient, so training does not "
            f"bring it back{whole}{_when_died(died)}",
            {"layer": layer + 1, "units": units(np.flatnonzero(dead)), "dead": n, "width": width,
             "share": n / width, **({"died_at_step": died, "dead_from_start": started} if died else {})},
            "re-initialise (He init, zero biases) and scale the inputs; use a smaller learning rate; "
            "or let surefit fit train it (it revives dead units)",
            summary=f"{n} of {width} units of {layer_name(layer)} are off on every point",
            level=_level(case, n, width, t)))
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
            out.append(_uncovered(case, layer, uncovered, t))
        linear.append(bool(on.all()))
    if not out and linear and all(linear):
        out.append(Finding(
            "same_side_units",
            "every live unit is on at every data point: all kinks lie outside the data, on the side "
            "away from it, so each layer is linear over the data and the network computes a straight "
            "line (a plane)", {"kinks_inside": 0}, SAME_SIDE_FIX,
            summary="every live unit is a straight line over the data", level=_near(case, t)))
    return out


SAME_SIDE_FIX = ("re-initialise so the units face both ways with kinks inside the data (mean-zero "
                 "weights, inputs scaled to [-1, 1]), add units, or let surefit fit place the kinks on the data")


def _uncovered(case: Case, layer: int, uncovered: np.ndarray, t: Thresholds) -> Finding:
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
            facing = (f" {'Both' if len(live) == 2 else f'All {len(live)}'} live units face {side}: each is "
                      f"on only on one side of its kink, the same side for all of them.")
            evidence.update(facing=side.split()[0])
    return Finding(
        "same_side_units",
        f"{layer_name(layer)}: no unit is on {where}.{facing} There the network's output is constant while "
        f"the target varies, and those points send no gradient that could move a kink over to them",
        evidence, SAME_SIDE_FIX, summary=f"no unit of {layer_name(layer)} is on {where}", level=_near(case, t))


def collapsed_units(case: Case, t: Thresholds) -> list[Finding]:
    """One finding per layer with groups of units computing one feature, after the one-direction
    collapse of the first layer if there is one."""
    out = []
    for layer in range(len(case.zs)):
        groups = case.duplicates(layer, t)
        if not groups:
            continue
        width, lost = case.zs[layer].shape[1], sum(len(g) - 1 for g in groups)
        cos = min(float(cosines(case.zs[layer][:, g])[0].min()) for g in groups)  # to each group's first unit
        listed = "; ".join(unit_list(units(g)) for g in groups[:4]) + ("; ..." if len(groups) > 4 else "")
        who = (f"units {listed} compute" if len(groups) == 1
               else f"{len(groups)} groups of units (units {listed}) each compute")
        out.append(Finding(
            "collapsed_units",
            f"{layer_name(layer)}: {who} the same feature up to scale (cosine of their pre-activations over the "
            f"data >= {cos:.4f}); since relu(c z) = c relu(z) {'they act' if len(groups) == 1 else 'each group acts'} "
            f"as one unit, so the layer has {plural(width - lost, 'distinct unit')} of {width}",
            {"layer": layer + 1, "units": units(groups[0]), "groups": [units(g) for g in groups], "cosine": cos,
             "distinct": width - lost}, COLLAPSE_FIX,
            summary=f"{layer_name(layer)} has {plural(width - lost, 'distinct unit')} of {width}",
            level=_level(case, lost, width, t)))
    one = _one_direction(case, t)
    return ([one] if one else []) + out


COLLAPSE_FIX = ("restart from a different initialisation or add units; surefit fit trains many "
                "candidates side by side and keeps the best")


def _one_direction(case: Case, t: Thresholds) -> Finding | None:
    """With 2+ inputs: all live first-layer units' weight vectors parallel (either way round),
    so the network only sees one direction of its input (seed 001's 1-D collapse)."""
    W, _ = case.view.layers[0]
    if W.shape[0] < 2 or len(case.view.layers) < 2:
        return None
    live = np.flatnonzero(~case.dead(0))
    if len(live) < 2:
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
        f"{layer_name(0)}: all {len(live)} live units have parallel weight vectors (|cosine| >= {cos.min():.4f}), "
        f"so the network sees only one direction of its input and can only fit a function of "
        f"{along}",
        {"layer": 1, "units": units(live), "direction": [float(c) for c in u], "cosine": float(cos.min())},
        COLLAPSE_FIX, summary=f"the network sees only the direction {along}", level=_near(case, t))


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
            f"{layer_name(layer)} has {width} units after a layer of {before} ({before / width:.0f}x narrower), "
            f"and only {distinct} of them {'is' if distinct == 1 else 'are'} alive and distinct: everything the "
            f"network computes must pass through {plural(distinct, 'unit')}",
            {"layer": layer + 1, "width": width, "before": before, "alive_distinct": distinct},
            f"make {layer_name(layer)} as wide as the layer before it, or remove it",
            summary=f"everything passes through {plural(distinct, 'unit')} of {layer_name(layer)}",
            level=_near(case, t)))
    return out


def saturated_units(case: Case, t: Thresholds) -> list[Finding]:
    """Units of bounded smooth activations (sigmoid, tanh, ...) that are flat on most points.
    ReLU-like units are dead_units' business."""
    out = []
    for layer, act in enumerate(case.view.hidden):
        if act.can_die or act.piecewise_linear or act.output_range == (-np.inf, np.inf):
            continue
        flat = ~act.responds(case.zs[layer])
        saturated = flat.mean(axis=0) > t.saturated_share
        if not saturated.any():
            continue
        n, width = int(saturated.sum()), saturated.size
        z = np.abs(case.zs[layer][:, saturated])
        out.append(Finding(
            "saturated_units",
            f"{layer_name(layer)}: {n} of {width} {act.name} units are saturated on more than "
            f"{t.saturated_share:.0%} of the points: their inputs reach |z| = {np.median(z):.3g} (median) where "
            f"the {act.name}'s slope is below {SATURATION_SLOPE:.0%} of its steepest, so almost no gradient "
            f"passes them and they barely learn",
            {"layer": layer + 1, "units": units(np.flatnonzero(saturated)), "saturated": n, "width": width,
             "median_abs_z": float(np.median(z)), "share_flat": float(flat[:, saturated].mean())},
            "scale the inputs to unit size, initialise with Glorot (sigmoid, tanh) weights, or use ReLU units",
            summary=f"{n} of {width} {act.name} units of {layer_name(layer)} are saturated",
            level=_level(case, n, width, t)))
    return out


def vanishing_gradient(case: Case, t: Thresholds) -> list[Finding]:
    """The loss's gradient on the first layer's weights against the output layer's."""
    grads = case.gradients
    if len(grads) < 3 or not np.isfinite(grads).all() or grads[-1] <= 0:
        return []
    ratio = grads[0] / grads[-1]
    if ratio >= t.vanishing_ratio:
        return []
    acts = sorted({a.name for a in case.view.hidden})
    return [Finding(
        "vanishing_gradient",
        f"the loss's gradient on {layer_name(0)}'s weights is {ratio:.1e} of the output layer's "
        f"(rms {grads[0]:.2e} against {grads[-1]:.2e}): through {len(grads) - 1} {'/'.join(acts)} layers "
        f"the gradient shrinks at every layer, so the first layers barely move",
        {"ratio": float(ratio), "per_layer": [float(g) for g in grads]},
        "use fewer layers, ReLU units with He initialisation, or batch normalisation between layers",
        summary=f"the first layer gets {ratio:.0e} of the output layer's gradient", level=_near(case, t))]
