"""What is the smallest network that does it? The narrowest width, per depth, that
reaches the success threshold on at least `required` of the seeds (measured data, by default:
its held-out error at the estimated noise level, all the data allow, or with several inputs
what a wide network reaches: studies.success).

Widths are searched by doubling (1, 2, 4, ...) until one passes, then by bisection
between the last failing and the first passing width; this assumes that a wider
network never does worse, which is what the table it returns lets you check.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .engines import Engine, LocalEngine
from .network import NetSettings
from .problem import Problem
from .settings import FitSettings, MinimalSettings
from .studies import Outcome, Success, study, success


@dataclass(frozen=True)
class Minimal:
    width: int | None  # the answer with the fewest parameters; None if no depth passed
    depth: int | None
    per_depth: dict[int, int | None]  # the smallest passing width at each depth
    table: list[dict]  # every (depth, width) tried, sorted
    success: Success  # when a seed succeeded

    def to_dict(self, settings: MinimalSettings) -> dict:
        return {"width": self.width, "depth": self.depth, "threshold": self.success.threshold,
                "success": self.success.words,
                "required": settings.required,
                "seeds": settings.seeds,
                "per_depth": [{"depth": d, "width": w} for d, w in self.per_depth.items()],
                "table": self.table}


def minimal(problem: Problem, base: FitSettings, settings: MinimalSettings,
            engine: Engine | None = None) -> Minimal:
    """Search each depth's smallest width; base gives everything but the hidden widths."""
    engine = engine or LocalEngine()
    bar = success(settings, problem, base)
    table: list[dict] = []
    per_depth: dict[int, int | None] = {}
    for depth in settings.depths:
        per_depth[depth], tried = _search_depth(problem, base, settings, bar.threshold, depth, engine)
        for width, o in sorted(tried.items()):
            net = NetSettings(problem.n_inputs, (width,) * depth, base.activation)
            table.append({"depth": depth, "width": width, "n_params": net.n_params,
                          "passed": o.success_rate >= settings.required, **_row(o)})
    found = [(d, w) for d, w in per_depth.items() if w is not None]
    if not found:
        return Minimal(None, None, per_depth, table, bar)
    depth, width = min(found, key=lambda dw: NetSettings(problem.n_inputs, (dw[1],) * dw[0],
                                                          base.activation).n_params)
    return Minimal(width, depth, per_depth, table, bar)


def _search_depth(problem: Problem, base: FitSettings, settings: MinimalSettings, threshold: float | None,
                  depth: int, engine: Engine) -> tuple[int | None, dict[int, Outcome]]:
    """(smallest passing width or None, the outcome of every width tried) at one depth."""
    tried: dict[int, Outcome] = {}

    def passes(width: int) -> bool:
        config = replace(base, hidden=(width,) * depth)
        tried[width] = study(problem, [config], range(settings.seeds), threshold=threshold, engine=engine)[0]
        return tried[width].success_rate >= settings.required

    return search(passes, settings.max_width), tried


def search(passes, max_width: int) -> int | None:
    """The smallest width in 1..max_width for which passes(width) holds, if passing is monotone."""
    fail, width = 0, 1
    while not passes(width):
        if width >= max_width:
            return None
        fail, width = width, min(2 * width, max_width)
    while width - fail > 1:
        mid = (fail + width) // 2
        fail, width = (fail, mid) if passes(mid) else (mid, width)
    return width


def _row(o: Outcome) -> dict:
    return {k: getattr(o, k) for k in ("seeds", "successes", "success_rate", "ci_low", "ci_high",
                                       "median_error", "q1_error", "q3_error", "median_time_s")}
