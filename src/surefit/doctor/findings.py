"""What the doctor reports: findings arranged by cause, and the diagnosis that holds them.

ORDER lists every code in causal order, with its base severity: a state that makes a
later one happen comes first. CAUSES is the cause graph: which findings a finding can
explain, and on what evidence (unscaled inputs explain dead units only when the data sit
far from the origin, where initialisers put every kink). Each finding is placed under
its most fundamental cause present (the earliest in ORDER): under a learning rate that
overshoots stand the divergence and the dead units it caused. A cause is at least as
severe as anything it explains, and the causes nothing explains come first: the most
severe first, and among equals the one that explains the failure itself (a model no better
than a constant), then by ORDER.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

# code -> base severity, in causal order: every edge of CAUSES goes down this list
ORDER: dict[str, str] = {
    "output_activation": "critical",  # the output cannot reach the target, or does not suit the loss
    "loss_function": "major",         # the loss does not suit the target (MAE on 0/1 labels, ...)
    "regularisation": "major",        # dropout or weight penalties stronger than the data's pull
    "hidden_activation": "major",     # a hidden activation that overflows (exponential)
    "positive_init": "major",         # every parameter of a hidden layer had one sign at the start
    "weight_scale": "major",          # initial weights far from the scale that keeps the signal's size
    "unscaled_inputs": "minor",       # the first layer sees numbers far from unit scale or from 0
    "unscaled_targets": "minor",      # the last layer must produce numbers far from unit scale
    "learning_rate": "major",         # steps that overshoot or oscillate (from the watch)
    "diverged": "critical",           # non-finite weights or a loss that ran away
    "saturated_units": "major",       # sigmoid/tanh units flat over most of the data
    "dead_units": "major",            # units off on every data point: no gradient, ever
    "same_side_units": "major",       # part of the input where no unit is active
    "collapsed_units": "major",       # units computing the same feature, or one direction only
    "bottleneck": "major",            # a narrow layer whose few units are dead or collapsed
    "vanishing_gradient": "major",    # the first layers get almost no gradient
    "slow_convergence": "minor",      # the loss still falling steadily, by little, when training stopped
    "singular_target": "minor",       # the target's slope explodes at an edge of the domain
    "no_better_than_constant": "major",  # the predictions do no better than the target's mean
    "stalled": "minor",               # training stopped improving while the fit is still poor
}
SEVERITIES = ("critical", "major", "minor")

UNITS = {"dead_units", "same_side_units", "collapsed_units", "bottleneck"}  # the kink geometry
POOR = {"slow_convergence", "no_better_than_constant", "stalled"}
# cause -> the codes it can explain
CAUSES: dict[str, set[str]] = {
    "output_activation": POOR | {"vanishing_gradient", "learning_rate"},
    "loss_function": POOR | {"saturated_units", "vanishing_gradient", "learning_rate"},
    "regularisation": POOR | UNITS | {"weight_scale", "saturated_units", "vanishing_gradient", "learning_rate"},
    "hidden_activation": POOR | UNITS | {"diverged", "learning_rate", "saturated_units", "vanishing_gradient"},
    "unscaled_inputs": UNITS | {"learning_rate", "saturated_units", "vanishing_gradient"},
    "unscaled_targets": POOR,
    "positive_init": POOR | UNITS | {"vanishing_gradient", "learning_rate"},
    "weight_scale": POOR | UNITS | {"vanishing_gradient", "saturated_units", "diverged", "learning_rate"},
    "learning_rate": POOR | UNITS | {"diverged", "saturated_units", "vanishing_gradient"},
    "diverged": POOR | UNITS | {"saturated_units"},
    "saturated_units": POOR | {"vanishing_gradient"},
    "dead_units": POOR | {"same_side_units", "bottleneck", "vanishing_gradient"},
    "same_side_units": POOR,
    "collapsed_units": POOR | {"bottleneck"},
    "bottleneck": POOR,
    "vanishing_gradient": POOR,
    "slow_convergence": POOR - {"slow_convergence"},
    "singular_target": {"stalled"},
    "no_better_than_constant": {"stalled"},
}


@dataclass(frozen=True)
class Finding:
    code: str        # one of ORDER: stable, for programs
    message: str     # what is wrong, in plain words, with the numbers
    evidence: dict   # the numbers behind the message (JSON-ready: str, int, float, lists)
    fix: str         # what to change
    summary: str = ""  # a short clause for the line of the finding that explains this one
    level: str = ""    # this finding's own severity when it differs from ORDER's (a few dead units: minor)
    explains: tuple[int, ...] = ()  # set by Diagnosis: indices of the findings this one explains
    because: int | None = None      # set by Diagnosis: index of the finding that explains this one
    lifted: str = ""   # set by Diagnosis: the severity of the worst finding it explains, if worse

    @property
    def severity(self) -> str:
        own = self.level or ORDER[self.code]
        return min(own, self.lifted or own, key=SEVERITIES.index)

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "evidence": self.evidence, "fix": self.fix, "explains": list(self.explains),
                "because": self.because}


def explains(cause: Finding, effect: Finding, found: list[Finding] = ()) -> bool:
    """Whether `cause` accounts for `effect`, by the graph and the evidence (and the other
    findings `found`, where two causes compete for one effect)."""
    if effect.code not in CAUSES.get(cause.code, ()) or cause is effect:
        return False
    started = effect.evidence.get("dead_from_start")  # dead units: how many were dead before any step
    overshot = any(f.code == "learning_rate" and f.evidence.get("kind") == "overshoot" for f in found)
    if cause.code == "unscaled_inputs":  # far from 0: the kinks miss the data; large: steps and sigmoids blow up
        if effect.code == "dead_units" and started is not None and 2 * started < effect.evidence["dead"] and overshot:
            return False  # most of them died when the first steps overshot: those steps killed them
        if effect.code in UNITS:
            return bool(cause.evidence.get("off_origin"))
        return bool(cause.evidence.get("large")) and effect.code not in POOR
    if cause.code == "unscaled_targets":  # only while the outputs have not reached the target's scale
        return bool(cause.evidence.get("unreached"))
    if cause.code == "learning_rate" and effect.code == "dead_units" and started is not None:
        return started < effect.evidence["dead"]  # it killed some of them
    if cause.code == "dead_units" and effect.code == "no_better_than_constant":
        return cause.evidence.get("share") == 1.0  # a whole layer off: the output is constant
    return True


@dataclass(frozen=True)
class Diagnosis:
    """findings: causes first, each followed by what it explains. model and fit describe what
    was examined."""
    findings: list[Finding]
    model: dict = field(default_factory=dict)  # kind, widths, activations
    fit: dict = field(default_factory=dict)    # relative_rmse, rmse, max_error, points (accuracy for labels)
    losses: list[tuple[int, float]] = field(default_factory=list, repr=False)  # (step, loss/var y) if watched
    case: object = field(default=None, repr=False, compare=False)  # the checks.Case, for report.py

    @classmethod
    def of(cls, findings: list[Finding], **kwargs) -> "Diagnosis":
        return cls(arrange(findings), **kwargs)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def causes(self) -> list[Finding]:
        """The findings nothing else explains, most important first."""
        return [f for f in self.findings if f.because is None]

    def to_dict(self) -> dict:
        return {"findings": [f.to_dict() for f in self.findings], "model": self.model, "fit": self.fit}

    def __str__(self) -> str:
        if self.ok:
            return "no problems found"
        return "\n".join(_lines(self.findings, i, label) for i, label in numbering(self.findings).items())


def arrange(findings: list[Finding]) -> list[Finding]:
    """Causes first, each followed (depth first) by what it explains; indices filled in."""
    codes = list(ORDER)
    found = sorted(findings, key=lambda f: codes.index(f.code))  # stable: layer order within a code
    parent = {}
    for i, effect in enumerate(found):
        causes = [j for j, cause in enumerate(found) if explains(cause, effect, found)]
        if causes:  # the most fundamental cause present
            parent[i] = min(causes, key=lambda j: (codes.index(found[j].code), j))
    children = {i: [j for j in range(len(found)) if parent.get(j) == i] for i in range(len(found))}

    def worst(i: int) -> str:
        return min([found[i].level or ORDER[found[i].code]] + [worst(j) for j in children[i]],
                   key=SEVERITIES.index)

    def failure(i: int) -> bool:  # the subtree holds the failure itself: a model no better than a constant
        return found[i].code == "no_better_than_constant" or any(failure(j) for j in children[i])

    roots = sorted((i for i in range(len(found)) if i not in parent),
                   key=lambda i: (SEVERITIES.index(worst(i)), not failure(i), codes.index(found[i].code), i))
    order = []

    def visit(i: int) -> None:
        order.append(i)
        for j in children[i]:
            visit(j)

    for root in roots:
        visit(root)
    where = {i: k for k, i in enumerate(order)}
    return [replace(found[i], explains=tuple(where[j] for j in children[i]),
                    because=where.get(parent.get(i)), lifted=worst(i) if children[i] else "")
            for i in order]


def numbering(findings: list[Finding]) -> dict[int, str]:
    """'1', '1.1', '1.1.1', '2': each finding's label in the tree."""
    labels: dict[int, str] = {}
    top = 0
    for i, f in enumerate(findings):
        if f.because is None:
            top += 1
            labels[i] = str(top)
        else:
            labels[i] = f"{labels[f.because]}.{findings[f.because].explains.index(i) + 1}"
    return labels


def _lines(findings: list[Finding], i: int, label: str) -> str:
    f = findings[i]
    pad = "   " * label.count(".")
    text = f"{pad}{label}. [{f.severity}] {f.code}: {f.message}"
    if f.explains:
        parts = [findings[j].summary or findings[j].code for j in f.explains]
        text += f"\n{pad}   this explains: {'; '.join(parts)}"
    return text + f"\n{pad}   fix: {f.fix}"
