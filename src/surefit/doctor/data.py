"""Findings about the data the network must fit: inputs and targets far from unit scale
or far from 0, and a target that changes steeply at an edge of the domain."""
from __future__ import annotations

import numpy as np

from .case import Case, Thresholds
from .findings import Finding


def unscaled_inputs(case: Case, t: Thresholds) -> list[Finding]:
    """Columns whose rms is far from 1 ("large" when above), or that sit away from 0 ("off_origin":
    their mean many standard deviations from 0, or all on one side of 0 while the first layer's
    units started with no kink inside the data): two different harms, said apart."""
    columns, kinkless = {}, _kinkless(case)
    for name, col in zip(case.variables, case.view.inputs(case.X).T):
        rms, std = float(np.sqrt(np.mean(col ** 2))), float(col.std())
        offset = abs(float(col.mean())) / std if std > 0 else 0.0
        one_sided = std > 0 and (col.min() >= 0 or col.max() <= 0) and kinkless >= t.unit_loss_share
        if rms > t.scale_factor or (std > 0 and rms < 1 / t.scale_factor) or offset > t.offset_factor or one_sided:
            columns[name] = {"rms": rms, "min": float(col.min()), "max": float(col.max()), "mean": float(col.mean()),
                             "std": std, "offset": offset, "off_origin": bool(offset > t.offset_factor or one_sided)}
    if not columns:
        return []
    large = any(col["rms"] > t.scale_factor for col in columns.values())
    off = [v for v, col in columns.items() if col["off_origin"]]
    worst = off[0] if off else max(columns, key=lambda v: abs(np.log10(columns[v]["rms"])))
    c = columns[worst]
    words = (f"the first layer sees {worst} with typical size {c['rms']:.3g} "
             f"(rms; from {c['min']:.4g} to {c['max']:.4g})")
    if off:
        where = (f"its mean {c['mean']:.4g} is {c['offset']:.3g} standard deviations from 0"
                 if c["offset"] > t.offset_factor else "it lies all on one side of 0")
        words += (f": {where}, where zero-bias initialisers put every unit's kink, so units start on everywhere or "
                  f"off everywhere over the data" + (f" ({kinkless:.0%} of the first layer's did)" if kinkless else ""))
    if c["rms"] > t.scale_factor or c["rms"] < 1 / t.scale_factor:
        words += (f"{'; and it is' if off else ','} {_factor(c['rms'])} unit scale, while initialisers and learning "
                  f"rates assume inputs of size ~1: every weight update is multiplied by the input's size")
    summary = (f"{worst} sits away from 0, where the kinks start" if off else
               f"the inputs are ~{c['rms']:.2g} in size")
    return [Finding(
        "unscaled_inputs", words,
        {"columns": columns, "factor": _ratio(c["rms"]), "large": large, "off_origin": bool(off),
         "offset": max(col["offset"] for col in columns.values()), "kinkless_at_start": kinkless},
        "standardise each input, x' = (x - mean) / std (scikit-learn's StandardScaler), and apply the same "
        "to new inputs", summary=summary)]


def _kinkless(case: Case) -> float:
    """Share of the first layer's kinked units (ReLU-like) with no kink inside the data at the start
    of training (now, if not watched): on at (nearly) every point or at (nearly) none."""
    v = case.initial or case.view
    if not v.hidden or not v.hidden[0].piecewise_linear:
        return 0.0
    with np.errstate(all="ignore"):
        on = (v.inputs(case.X) @ v.layers[0][0] + v.layers[0][1] > 0).mean(axis=0)
    return float(np.mean((on <= 0.02) | (on >= 0.98)))


def unscaled_targets(case: Case, t: Thresholds) -> list[Finding]:
    if case.labels is not None:  # labels are what they are
        return []
    target = case.view.targets(case.y)
    rms = float(np.sqrt(np.mean(target ** 2)))
    if not (rms > t.scale_factor or (target.std() > 0 and rms < 1 / t.scale_factor)):
        return []
    with np.errstate(all="ignore"):
        reached = float(np.sqrt(np.mean(case.view.targets(case.pred) ** 2))) / rms
    unreached = (f"; the network's outputs got to {reached:.2g} of that size" if reached < 1 / t.scale_factor
                 else "")
    return [Finding(
        "unscaled_targets",
        f"the last layer must produce values of typical size {rms:.3g} (rms of the target; from "
        f"{target.min():.4g} to {target.max():.4g}), {_factor(rms)} unit scale: a freshly initialised "
        f"network outputs numbers of size ~1, and the loss's gradients scale with the target's size{unreached}",
        {"rms": rms, "min": float(target.min()), "max": float(target.max()), "factor": _ratio(rms),
         "mean": float(target.mean()), "std": float(target.std()), "reached": reached,
         "unreached": bool(unreached)},
        f"standardise the target, y' = (y - {target.mean():.3g}) / {target.std():.3g}, fit y', and "
        f"predict {target.mean():.3g} + {target.std():.3g} * output",
        summary=f"the target is ~{rms:.2g} in size")]


def _ratio(rms: float) -> float:
    return rms if rms >= 1 else 1 / rms


def _factor(rms: float) -> str:
    return f"{rms:.3g}x above" if rms >= 1 else f"{1 / rms:.3g}x below"


def singular_target(case: Case, t: Thresholds) -> list[Finding]:
    """1 input only: a straight piece fitted on each of up to edge_pieces equal stretches; an edge
    stretch that misses far more than the typical one holds a singularity or a huge slope."""
    if case.X.shape[1] != 1 or case.y.std() == 0 or case.labels is not None:
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
            "or judge the fit away from the edge",
            summary=f"the target changes steeply at the {side} end of {name}")]
    return []


def _line_misfit(x: np.ndarray, y: np.ndarray) -> float:
    """rms residual of the least-squares line through the points (NaN with fewer than 3)."""
    if len(x) < 3 or np.ptp(x) == 0:
        return np.nan
    A = np.stack([x - x.mean(), np.ones_like(x)], axis=1)
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return float(np.sqrt(np.mean((A @ coef - y) ** 2)))
