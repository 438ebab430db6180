"""Findings about how the network is trained and what it ends up doing: an output that
cannot reach the target or suit the loss, a loss that does not suit the target, heavy
regularisation, an activation that overflows, learning-rate trouble seen by the watch,
divergence, a stall, and a model that does no better than a constant."""
from __future__ import annotations

import numpy as np

from .case import Case, Thresholds
from .findings import Finding
from .words import layer_name

PROBABILITY_OUTPUTS = ("sigmoid", "hard_sigmoid", "sparse_sigmoid")


# ---------------------------------------------------------------- the output, the loss, the regulariser

def output_activation(case: Case, t: Thresholds) -> list[Finding]:
    act, loss = case.view.output, case.setup.loss
    target = case.view.targets(case.y)
    finite = case.pred[np.isfinite(case.pred)]  # a diverged model's outputs can all be NaN
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (float("nan"), float("nan"))
    evidence = {"activation": act.name, "target_min": float(target.min()), "target_max": float(target.max()),
                "prediction_min": lo, "prediction_max": hi}
    if act.name in ("softmax", "log_softmax", "sparsemax"):
        value = 0 if act.name == "log_softmax" else 1
        return [Finding("output_activation",
                        f"the output ends in {act.name} over a single output, which is exactly {value} for "
                        f"every input: the network predicts {value} everywhere and no gradient reaches any "
                        f"weight, while the target runs from {evidence['target_min']:.4g} to "
                        f"{evidence['target_max']:.4g}",
                        evidence, f"remove the {act.name}: over one output it is a constant; use sigmoid for a "
                                  "0/1 label, no activation for a regression",
                        summary=f"the output is a constant {value}")]
    if loss == "bce" and act.name not in PROBABILITY_OUTPUTS:
        return [_not_a_probability(case, evidence)]
    if loss == "bce_logits" and act.name in PROBABILITY_OUTPUTS:
        return [Finding("output_activation",
                        f"the output ends in {act.name}, and the loss (with logits) applies a sigmoid again: the "
                        f"predicted probability sigmoid({act.name}(z)) stays between 0.5 and 0.73, so 0 labels "
                        f"can never be fitted", evidence, "remove the output activation (the loss has its own)",
                        summary="the output is squashed twice")]
    lo, hi = act.output_range
    outside = (target < lo) | (target > hi)
    if (lo, hi) == (-np.inf, np.inf) or not outside.any():
        return []
    evidence.update(range=[lo, hi if np.isfinite(hi) else "inf"], share_outside=float(outside.mean()))
    reach = f"({lo:g}, {hi:g})" if np.isfinite(hi) else f"[{lo:g}, inf)"
    return [Finding("output_activation",
                    f"the output ends in {act.name}, which can only produce values in {reach}, but "
                    f"{outside.mean():.0%} of the targets lie outside it (they run from "
                    f"{evidence['target_min']:.3g} to {evidence['target_max']:.3g})",
                    evidence, f"use a linear output (no activation), or scale the targets into {reach}",
                    summary=f"the output cannot leave {reach}")]


def _not_a_probability(case: Case, evidence: dict) -> Finding:
    act = case.view.output
    outside = (case.pred <= 0) | (case.pred >= 1)
    evidence.update(share_outside=float(outside.mean()))
    return Finding(
        "output_activation",
        f"the model is trained with binary cross-entropy, which needs a probability in (0, 1), but the output "
        f"ends in {act.name}: {outside.mean():.0%} of its outputs are at or beyond 0 or 1 (from "
        f"{evidence['prediction_min']:.3g} to {evidence['prediction_max']:.3g}), where the loss is clipped "
        f"and passes no gradient" + (", and a ReLU output that is off is 0 for good" if act.name == "relu" else ""),
        evidence, "end the network in sigmoid for binary cross-entropy (or no activation with from_logits=True)",
        summary=f"the {act.name} output is not a probability")


def loss_function(case: Case, t: Thresholds) -> list[Finding]:
    loss, name = case.setup.loss, case.setup.loss_name
    if loss in ("mae", "mape", "msle") and case.labels is not None:
        return [Finding(
            "loss_function",
            f"the model is trained with {name} on {case.labels[0]:g}/{case.labels[1]:g} labels: its gradient "
            f"has the same size for every point, however wrong, so the pushes of the two classes cancel and "
            f"the output settles between them (here from {np.min(case.pred):.3g} to {np.max(case.pred):.3g}, "
            f"accuracy {case.accuracy:.0%}); through a sigmoid it is also multiplied by the sigmoid's slope",
            {"loss": name, "accuracy": case.accuracy},
            "train a 0/1 label with binary cross-entropy (sigmoid output) or at least mean squared error, "
            "with Adam", summary=f"{name} on labels")]
    if case.setup.classification and case.labels is None and len(np.unique(case.y)) > 2:
        return [Finding(
            "loss_function",
            f"the model is trained with {name}, a loss for class labels, but the target takes "
            f"{len(np.unique(case.y))} different values from {case.y.min():.3g} to {case.y.max():.3g}",
            {"loss": name, "values": int(len(np.unique(case.y)))},
            "use mean squared error for a numeric target", summary=f"{name} on a numeric target")]
    return []


def regularisation(case: Case, t: Thresholds) -> list[Finding]:
    out = []
    for after, rate in case.setup.dropout:
        if rate > t.dropout_rate:
            where = "on the inputs" if after == 0 else f"after {layer_name(after - 1)}"
            out.append(Finding(
                "regularisation",
                f"Dropout({rate:g}) {where}: each training step keeps a random {1 - rate:.0%} of those "
                f"units, so the network trains as a much smaller, noisy one and cannot fit the data closely",
                {"dropout": rate, "after_layer": after},
                "remove it or lower it to 0.1-0.2 (a small regression network rarely needs dropout)",
                summary=f"Dropout({rate:g}) {where}"))
    out += _penalties(case, t)
    return out


def _penalties(case: Case, t: Thresholds) -> list[Finding]:
    """A penalty lam |w|^2 added to the mean loss shrinks a weight fed by inputs of mean square s
    towards 0 by the factor 1 / (1 + lam / s), as in ridge regression: lam / s >= penalty_share
    halves the weights or worse, whatever the data say. PyTorch's weight decay d is lam = d / 2."""
    penalties = {i: l1 + l2 for i, l1, l2 in case.setup.penalties}
    if case.setup.weight_decay:
        penalties = {i: penalties.get(i, 0.0) + case.setup.weight_decay / 2 for i in range(len(case.view.layers))}
    worst = None
    with np.errstate(all="ignore"):
        h = case.view.inputs(case.X)
        for i, ((W, b), act) in enumerate(zip(case.view.layers, case.view.activations)):
            lam, s = penalties.get(i, 0.0), float(np.mean(h ** 2))
            if lam and lam / max(s, 1e-300) >= t.penalty_share and (worst is None or lam / s > worst[1] / worst[2]):
                worst = (i, lam, s)
            h = act(h @ W + b)
    if worst is None:
        return []
    i, lam, s = worst
    name = layer_name(i) if i < len(case.view.hidden) else "the output layer"
    return [Finding(
        "regularisation",
        f"a weight penalty of {lam:g} on {name}, whose inputs have mean square {s:.3g}, shrinks each of its weights "
        f"towards 0 by a factor of about 1 / (1 + {lam:g} / {s:.3g}) = {1 / (1 + lam / s):.2g} (as in ridge "
        f"regression), whatever the data say: the network stays close to a constant",
        {"penalty": lam, "layer": i + 1, "mean_square_input": s, "shrink": 1 / (1 + lam / s)},
        "lower the L1/L2 factor (1e-4 is a common start) or the weight decay, or remove it",
        summary=f"a weight penalty of {lam:g} holds the weights near 0")]


def hidden_activation(case: Case, t: Thresholds) -> list[Finding]:
    """Exponential hidden units: each layer exponentiates the last, and the values overflow."""
    layers = [i for i, a in enumerate(case.view.hidden) if a.name.split("+")[-1] == "exponential"]
    if not layers:
        return []
    with np.errstate(all="ignore"):
        zs = case.view.preactivations(case.X)
    huge = [i for i, z in enumerate(zs) if not np.all(np.abs(z) < 1e30)]
    bad_weights = not all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in case.view.layers)
    if not huge and not bad_weights and case.fits(t):
        return []
    where = (f"by {layer_name(huge[0])} the values reach {np.nanmax(np.abs(zs[huge[0]])):.3g}" if huge
             else "the weights are no longer finite" if bad_weights else "the fit is poor")
    return [Finding(
        "hidden_activation",
        f"{'hidden layers ' + ', '.join(str(i + 1) for i in layers) if len(layers) > 1 else layer_name(layers[0])} "
        f"use the exponential activation: each output is e^z, so a value of 10 becomes 22026 and, a layer later, "
        f"e^22026; {where}",
        {"layers": [i + 1 for i in layers], "overflow_layer": huge[0] + 1 if huge else None},
        "use relu (or tanh) in hidden layers; keep exponential, if at all, for an output that must be positive",
        summary="exponential hidden units overflow")]


# ---------------------------------------------------------------- the training run (watched)

def learning_rate(case: Case, t: Thresholds) -> list[Finding]:
    """From the watch: the first steps overshoot, or the loss oscillates."""
    if np.isfinite(case.pred).all() and case.fits(t):
        return []
    return [f for f in (_overshoot(case, t), _oscillation(case, t)) if f][:1]


def _rate(case: Case) -> str:
    s = case.setup
    return f" ({s.optimizer or 'the optimiser'} at learning rate {s.learning_rate:g})" if s.learning_rate else ""


def _overshoot(case: Case, t: Thresholds) -> Finding | None:
    """Within the first early_steps steps the training loss jumps to overshoot_factor times its
    first value, or a layer's weights move by more than weight_jump times their own size."""
    early = [(s, loss) for s, loss in case.steps if s <= t.early_steps]
    jumps = [(s, i, j) for s, per_layer in case.jumps if s <= t.early_steps for i, j in enumerate(per_layer)
             if not j <= t.weight_jump]  # NaN counts
    first = early[0][1] if early else np.nan
    peak_step, peak = max(early, key=lambda p: p[1] if np.isfinite(p[1]) else np.inf) if early else (0, np.nan)
    jumped = len(early) > 1 and (not np.isfinite(peak) or peak >= t.overshoot_factor * first)
    if not jumped and not jumps:
        return None
    if jumped:
        rise = ("became infinite or NaN" if not np.isfinite(peak)
                else f"rose to {peak:.3g}, {peak / first:.3g}x its first value")
        what = f"the training loss was {first:.3g} at step {early[0][0]} and by step {peak_step} {rise}"
    else:
        step, layer, size = max(jumps, key=lambda j: j[2] if np.isfinite(j[2]) else np.inf)
        name = layer_name(layer) if layer < len(case.view.hidden) else "the output layer"
        what = f"by step {step} the weights of {name} had moved by {size:.3g} times their own size"
    units = " and the large updates knock units off the data" if any(a.can_die for a in case.view.hidden) else ""
    return Finding(
        "learning_rate",
        f"the first steps overshot: {what}{_rate(case)}: each step jumps past the minimum to a worse point{units}",
        {"kind": "overshoot", "first_loss": float(first), "peak_loss": float(peak), "peak_step": int(peak_step),
         "weight_jumps": [[int(s), int(i) + 1, float(j)] for s, i, j in jumps],
         "learning_rate": case.setup.learning_rate},
        "lower the learning rate 10x (or more) until the loss falls from the first step; scale inputs and "
        "targets to unit size; or use Adam", summary="the first steps overshot")


def _oscillation(case: Case, t: Thresholds) -> Finding | None:
    loss = np.array([v for _, v in case.history], dtype=float)
    half = loss[len(loss) // 2:]
    if len(half) < t.stall_checks or not np.isfinite(half).all() or half.min() <= 0:
        return None
    change = np.diff(np.log(half))
    ups = change > 0
    if ups.mean() < t.oscillation_share or change[ups].mean() < t.oscillation_rise or half[-1] < half[0]:
        return None
    return Finding(
        "learning_rate",
        f"the loss oscillates: over the last {len(half)} checks it rose {ups.mean():.0%} of the time, by "
        f"{np.expm1(change[ups].mean()):.0%} on average, and ended no lower than it began{_rate(case)}",
        {"kind": "oscillation", "share_up": float(ups.mean()), "mean_rise": float(np.expm1(change[ups].mean()))},
        "lower the learning rate (3-10x) or use larger batches", summary="the loss oscillates")


def slow_convergence(case: Case, t: Thresholds) -> list[Finding]:
    """From the watch: the loss on the watched data fell at nearly every check, steadily, but by
    little: training was still on its way when it stopped (too small steps, or gradients made
    small by something found above)."""
    loss = np.array([v for _, v in case.history], dtype=float)
    if len(loss) < t.stall_checks or not np.isfinite(loss).all() or loss[0] <= 0:
        return []
    falling = np.diff(loss) < 0
    gain = 1 - loss[-1] / loss[0]
    if falling.mean() < t.slow_share or not t.stall_gain <= gain < t.slow_gain:  # below stall_gain: stalled
        return []
    steps = case.history[-1][0] - case.history[0][0]
    return [Finding(
        "slow_convergence",
        f"the loss fell at {falling.mean():.0%} of the checks but only by {gain:.1%} over {steps} steps"
        f"{_rate(case)}: training was still on its way, far from a fit, when it stopped",
        {"gain": float(gain), "steps": int(steps), "share_falling": float(falling.mean()),
         "learning_rate": case.setup.learning_rate},
        "fix the findings above; if there are none, raise the learning rate (3-10x), use Adam, or train longer",
        summary=f"the loss fell by only {gain:.1%} in {steps} steps")]


def diverged(case: Case, t: Thresholds) -> list[Finding]:
    bad = [int((~np.isfinite(W)).sum() + (~np.isfinite(b)).sum()) for W, b in case.view.layers]
    if sum(bad):
        return [Finding("diverged", f"{sum(bad)} weights are NaN or infinite: training blew up",
                        {"nonfinite_parameters": sum(bad), "per_layer": bad}, DIVERGED_FIX,
                        summary="the weights are NaN")]
    best = np.inf
    for step, loss in case.history:
        if not np.isfinite(loss):
            return [Finding("diverged", f"at step {step} the loss became NaN or infinite: training blew up",
                            {"step": int(step)}, DIVERGED_FIX, summary=f"the loss became NaN at step {step}")]
        if loss > t.diverge_factor * best:
            return [Finding("diverged",
                            f"at step {step} the loss (MSE / variance of the target) rose to {loss:.3g}, "
                            f"{loss / best:.3g}x the best it had reached ({best:.3g}): the steps overshoot",
                            {"step": int(step), "relative_loss": float(loss), "best": float(best)},
                            DIVERGED_FIX, summary=f"the loss ran away at step {step}")]
        best = min(best, loss)
    return []


DIVERGED_FIX = "lower the learning rate (10x), scale inputs and targets to unit size, or clip gradients"


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
                "or use more units", summary=f"the loss stopped improving at step {steps[i]}")]
    return []


def no_better_than_constant(case: Case, t: Thresholds) -> list[Finding]:
    if case.labels is not None:
        lo, hi = case.labels
        margin = min(2 * np.sqrt(case.base_rate * (1 - case.base_rate) / len(case.y)), t.constant_accuracy)
        if case.accuracy > case.base_rate + margin:
            return []
        common = hi if np.mean(case.y == hi) >= 0.5 else lo
        return [Finding(
            "no_better_than_constant",
            f"the classifier does no better than a constant: its accuracy is {case.accuracy:.0%}, and always "
            f"answering {common:g} gets {case.base_rate:.0%} (its outputs run from {np.min(case.pred):.3g} to "
            f"{np.max(case.pred):.3g})",
            {"accuracy": case.accuracy, "base_rate": case.base_rate,
             "output_range": [float(np.min(case.pred)), float(np.max(case.pred))]},
            CONSTANT_FIX, summary=f"accuracy {case.accuracy:.0%}, no better than a constant")]
    r2 = 1 - case.relative_rmse ** 2
    if r2 >= t.constant_r2 or case.noise >= t.noise_room:
        return []
    return [Finding(
        "no_better_than_constant",
        f"the model does no better than a constant: it explains {max(r2, 0):.0%} of the target's variance "
        f"(relative RMSE {case.relative_rmse:.3g}); predicting the mean {case.y.mean():.4g} everywhere would "
        f"do about as well (its outputs run from {np.min(case.pred):.4g} to {np.max(case.pred):.4g})",
        {"r2": float(r2), "relative_rmse": case.relative_rmse, "mean": float(case.y.mean()),
         "output_range": [float(np.min(case.pred)), float(np.max(case.pred))]},
        CONSTANT_FIX, summary=f"the predictions explain {max(r2, 0):.0%} of the target's variance")]


CONSTANT_FIX = ("fix the findings above; if there are none, check that the targets match the inputs row for "
                "row and their shapes (in PyTorch an (N,) target against an (N, 1) output broadcasts to (N, N) "
                "and teaches the mean), and that the loss suits the target")
