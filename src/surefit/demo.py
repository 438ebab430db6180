"""The four seed problems (the public threads surefit was built from), each with the network its thread used."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .fitting import fit
from .plots import plot_fit
from .progress import status
from .result import FitResult


@dataclass(frozen=True)
class SeedProblem:
    name: str
    expression: str
    domain: object
    options: dict = field(default_factory=dict)
    thread: str = ""  # what went wrong for the person who asked


SEED_PROBLEMS = (
    SeedProblem("abs", "abs(x)", "-1000:1000", {"points": 400, "hidden": (2,)},
                "2 ReLU units fit only half of |x|: both started facing the same way"),
    SeedProblem("cone", "sqrt(x**2 + y**2)", ["x=-1:1", "y=-1:1"], {"hidden": (3,)},
                "3 ReLU units got stuck: units dead or collapsed onto one direction"),
    SeedProblem("quadratic", "x**2 + x", "1:1000", {"points": 1000, "hidden": (45, 45)},
                "loss frozen at 2e14: softmax on one output is always 1, nothing scaled"),
    SeedProblem("log", "log(x)", "0.01:1", {"hidden": (50, 10)},
                "predicted a constant: all-positive init and SGD killed every unit"),
)


def run_demo(out: str | Path | None = None, *, progress: bool = False) -> list[tuple[SeedProblem, FitResult]]:
    """Fit every seed problem with surefit's defaults; write NAME.png into `out` if given."""
    results = []
    for problem in SEED_PROBLEMS:
        result = fit(problem.expression, problem.domain, progress=progress, **problem.options)
        if out is not None:
            with status(f"drawing {problem.name}.png", progress):
                Path(out).mkdir(parents=True, exist_ok=True)
                plot_fit(result, Path(out) / f"{problem.name}.png")
        results.append((problem, result))
    return results
