"""What the doctor reports: findings in causal order, and the diagnosis that holds them.

Findings are ordered by their code's place in ORDER, a causal chain: a state that
makes a later one happen (or makes it irrelevant) comes first, so the first finding
is the one to fix first. A softmax output makes every other fix pointless; a
one-signed initialisation kills units; dead units leave part of the input with no
active unit; scaling and the target's shape make those states likely but are not
what stops the fit at the moment; a stalled loss is only the symptom.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# code -> severity, in causal order (severity never rises along the list)
ORDER: dict[str, str] = {
    "output_activation": "critical",  # the output cannot reach the target at all
    "diverged": "critical",           # non-finite weights or a loss that ran away
    "positive_init": "major",         # every parameter of a hidden layer has one sign
    "dead_units": "major",            # units off on every data point: no gradient, ever
    "same_side_units": "major",       # part of the input where no unit is active
    "collapsed_units": "major",       # units computing the same feature, or one direction only
    "bottleneck": "major",            # a narrow layer whose few units are dead or collapsed
    "unscaled_inputs": "minor",       # the first layer sees numbers far from unit scale
    "unscaled_targets": "minor",      # the last layer must produce numbers far from unit scale
    "singular_target": "minor",       # the target's slope explodes at an edge of the domain
    "stalled": "minor",               # training stopped improving while the fit is still poor
}


@dataclass(frozen=True)
class Finding:
    code: str        # one of ORDER: stable, for programs
    message: str     # what is wrong, in plain words, with the numbers
    evidence: dict   # the numbers behind the message (JSON-ready: str, int, float, lists)
    fix: str         # what to change

    @property
    def severity(self) -> str:
        return ORDER[self.code]

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "evidence": self.evidence, "fix": self.fix}


@dataclass(frozen=True)
class Diagnosis:
    """findings: most important first. model and fit describe what was examined."""
    findings: list[Finding]
    model: dict = field(default_factory=dict)  # kind, widths, activations
    fit: dict = field(default_factory=dict)    # relative_rmse, rmse, max_error, points
    losses: list[tuple[int, float]] = field(default_factory=list, repr=False)  # (step, loss/var y) if watched
    case: object = field(default=None, repr=False, compare=False)  # the checks.Case, for report.py

    @classmethod
    def of(cls, findings: list[Finding], **kwargs) -> "Diagnosis":
        """Sort by causal order; within one code keep the order found (layer by layer)."""
        codes = list(ORDER)
        return cls(sorted(findings, key=lambda f: codes.index(f.code)), **kwargs)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict:
        return {"findings": [f.to_dict() for f in self.findings], "model": self.model, "fit": self.fit}

    def __str__(self) -> str:
        if self.ok:
            return "no problems found"
        return "\n".join(f"{i}. [{f.severity}] {f.code}: {f.message}\n   fix: {f.fix}"
                         for i, f in enumerate(self.findings, 1))
