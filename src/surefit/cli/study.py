"""surefit study (how often does each configuration succeed?) and surefit minimal
(the smallest width that succeeds on nearly every seed)."""
from __future__ import annotations

import argparse

from rich.console import Console

from ..settings import FitSettings, MinimalSettings, StudySettings
from .fit import add_problem_arguments, problem_from
from .options import add_settings, settings_from, sweeps_from
from .output import console, json_text, planned_outputs, progress_wanted, table, write_outputs

wide = Console(width=120)  # for a file or pipe, where `console` would fold these tables at 80 columns


def show(renderable) -> None:
    (console if console.is_terminal else wide).print(renderable)


def add_common(p: argparse.ArgumentParser, settings_cls) -> None:
    p.add_argument("expr", nargs="?", help='target expression, e.g. "abs(x)" or "sqrt(x**2 + y**2)"')
    add_problem_arguments(p)
    add_settings(p, settings_cls)
    p.add_argument("--engine", default="local", choices=["local", "ray"],
                   help="local: seeds batched in this process (default); ray: Ray tasks")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local Ray instance)")
    p.add_argument("--json", help="write the results as JSON here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def register(sub) -> None:
    p = sub.add_parser("study", help="train many seeds of each configuration; report success rates",
                       description="Train many seeds of one or more configurations of a fit and report, "
                                   "per configuration, how often it succeeds (Wilson 95% interval), the "
                                   "error's quartiles and the time per fit. Several values of a setting, "
                                   "separated by spaces, sweep it: --init naive data --hidden 2 3.")
    add_common(p, StudySettings)
    add_settings(p, FitSettings, sweep=True)
    p.add_argument("--plot", help="write a picture of the success rates here")
    p.set_defaults(run=run_study)

    m = sub.add_parser("minimal", help="the smallest width that reaches a threshold on nearly every seed",
                       description="Find, per depth, the smallest width whose fits reach the success "
                                   "threshold on at least --required of the seeds, and print every width tried. "
                                   "For --csv data with one input a seed succeeds, by default, when its held-out "
                                   "error is at the estimated noise level: the data allow no better; with several, "
                                   "within what the held-out rows can tell of what 64 units reach.")
    add_common(m, MinimalSettings)
    add_settings(m, FitSettings, skip=("hidden",))
    m.set_defaults(run=run_minimal)


def engine_of(args):
    from ..engines import make_engine
    return make_engine(args.engine, args.address, progress=progress_wanted(args))


def heading(command: str, problem, seeds: int, bar, candidates: str) -> str:
    """bar: studies.Success."""
    from ..result import noise_margin
    from ..studies import TRAIN_MARGIN
    stops = (f" (within {noise_margin(problem):.0%} of it, as near as {problem.evaluation} can tell)"
             if bar.threshold is None else f" (training stops at {bar.threshold / TRAIN_MARGIN:.3g})")
    return (f"surefit {command} {problem.description}: {len(problem.X)} training points, {seeds} seeds "
            f"per configuration, {candidates}; a seed succeeds when its {bar.words}{stops}")


def candidates_text(values) -> str:
    values = list(values)
    if values == [1]:
        return "one network per seed (--candidates 1)"
    if values == [None]:
        return "surefit fit's candidates per seed (by network size)"
    return f"the best of --candidates {' '.join('auto' if v is None else str(v) for v in values)} per seed"


def run_study(args) -> int:
    from ..plots import image_format
    from ..studies import configurations, plot_study, study, success
    sweeps = sweeps_from(args, FitSettings)
    base = settings_from(argparse.Namespace(**{k: v for k, v in vars(args).items() if k not in sweeps}),
                         FitSettings)
    configs = configurations(base, **sweeps)
    plan = settings_from(args, StudySettings)
    outputs = planned_outputs(args, ("json", "plot"))
    problem = problem_from(args, base)
    bar = success(plan, problem, base)
    outcomes = study(problem, configs, range(plan.seeds), threshold=bar.threshold, engine=engine_of(args))
    show(heading("study", problem, plan.seeds, bar, candidates_text({c.candidates for c in configs})))
    show(study_table(outcomes))
    write_outputs(outputs, {"json": lambda tmp: tmp.write_text(json_text({"results": [o.to_dict() for o in outcomes]})),
                            "plot": lambda tmp: plot_study(outcomes, tmp, words=bar.words,
                                                           title=problem.description,
                                                           format=image_format(outputs["plot"]))})
    return 0


def study_table(outcomes):
    from ..studies import fmt_value, swept_keys
    keys = swept_keys(outcomes)
    show_theory = any(o.theory is not None for o in outcomes)
    columns = keys + ["success %", "95% CI"] + (["theory %"] if show_theory else []) + \
        ["median error", "quartiles", "time/fit"]
    rows = []
    for o in outcomes:
        row = [fmt_value(k, o.config[k]) for k in keys]
        row += [f"{100 * o.success_rate:.1f}", f"{100 * o.ci_low:.1f}-{100 * o.ci_high:.1f}"]
        row += [f"{100 * o.theory:.1f}" if o.theory is not None else "-"] if show_theory else []
        row += [f"{o.median_error:.1e}", f"{o.q1_error:.1e} {o.q3_error:.1e}", f"{o.median_time_s:.3f}s"]
        rows.append(row)
    note = ("  (theory, for configurations without revival: 1 - 2^(K(1-n)), the chance that not all n "
            "units of all K candidates face one way)") if show_theory else ""
    return table("per configuration" + note, columns, rows)


def percent_ci(rate: float, low: float, high: float) -> str:
    return f"{rate:.1%} [{low:.1%}-{high:.1%}]"


def run_minimal(args) -> int:
    from ..smallest import minimal
    settings = settings_from(args, MinimalSettings)
    base = settings_from(args, FitSettings)
    outputs = planned_outputs(args, ("json",))
    problem = problem_from(args, base)
    result = minimal(problem, base, settings, engine_of(args))
    show(heading("minimal", problem, settings.seeds, result.success, candidates_text([base.candidates]))
         + f", init {base.init}, trainer {base.trainer}")
    rows = [[r["depth"], r["width"], r["n_params"], f"{r['successes']}/{r['seeds']}",
             percent_ci(r["success_rate"], r["ci_low"], r["ci_high"]), f"{r['median_error']:.1e}",
             f"{r['median_time_s']:.3f} s", "yes" if r["passed"] else "no"]
            for r in result.table]
    show(table(f"widths tried (pass: at least {settings.required:.0%} of seeds succeed)",
               ["depth", "width", "params", "success", "rate [95% CI]", "median error",
                "median time", "pass"], rows))
    for depth, width in result.per_depth.items():
        console.print(f"depth {depth}: " + (f"smallest width {width}" if width else
                                            f"no width up to {settings.max_width} passed"))
    if result.width:
        console.print(f"smallest network: {result.depth} x {result.width} {base.activation} units")
    write_outputs(outputs, {"json": lambda tmp: tmp.write_text(json_text(result.to_dict(settings)))})
    return 0 if result.width else 1

