"""surefit study (how often does each configuration succeed?) and surefit minimal
(the smallest width that succeeds on nearly every seed)."""
from __future__ import annotations

import argparse

from rich.console import Console

from .. import problem as problems
from ..engines import make_engine
from ..errors import SurefitError
from ..fit import FitSettings
from ..minimal import MinimalSettings, minimal
from ..study import Outcome, configurations, fmt_value, plot_study, study, swept_keys
from .fit import add_problem_arguments
from .output import console, parse_widths, table, write_json

TRAIN_MARGIN = 10  # training stops at tol / TRAIN_MARGIN, so held-out error has room to be worse
wide = Console(width=120)  # for a file or pipe, where `console` would fold these tables at 80 columns


def show(renderable) -> None:
    (console if console.is_terminal else wide).print(renderable)


def add_common(p: argparse.ArgumentParser, tol: float, seeds: int) -> None:
    p.add_argument("expr", help='target expression, e.g. "abs(x)" or "sqrt(x**2 + y**2)"')
    add_problem_arguments(p)
    p.add_argument("--seeds", type=int, default=seeds, help=f"seeds per configuration (default {seeds})")
    p.add_argument("--tol", type=float, default=tol,
                   help=f"a seed succeeds when its held-out relative RMSE is at most this (default {tol:g}); "
                        f"training stops at tol/{TRAIN_MARGIN}")
    p.add_argument("--max-steps", type=int, default=None, help="step limit per trainer")
    p.add_argument("--engine", default="local", choices=["local", "ray"],
                   help="local: seeds batched in this process (default); ray: Ray tasks")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local Ray instance)")
    p.add_argument("--json", help="write the results as JSON here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def register(sub) -> None:
    p = sub.add_parser("study", help="train many seeds of each configuration; report success rates",
                       description="Train many seeds of one or more configurations of a fit and report, "
                                   "per configuration, how often it succeeds (Wilson 95%% interval), the "
                                   "error's quartiles and the time per fit. Comma lists sweep a setting.")
    add_common(p, tol=1e-2, seeds=200)
    p.add_argument("--hidden", nargs="+", default=["8"],
                   help="one or more networks: 2 sweeps nothing, 1 2 3 sweeps widths, 8,8 is two layers")
    p.add_argument("--activation", default="relu", help="comma list, e.g. relu,tanh")
    p.add_argument("--init", default="data", help="comma list of data, he, glorot, naive (default data)")
    p.add_argument("--trainer", default="auto", help="comma list of auto, lm, adam, lbfgs, adam+lbfgs")
    p.add_argument("--restarts", default="1",
                   help="candidates per fit, the best kept; comma list (default 1: each seed is one network)")
    p.add_argument("--revive", default="yes",
                   help="revive dead units during training: yes (default), no, or yes,no to compare")
    p.add_argument("--plot", help="write a PNG of the success rates here")
    p.set_defaults(run=run_study)

    m = sub.add_parser("minimal", help="the smallest width that reaches a tolerance on nearly every seed",
                       description="Find, per depth, the smallest width whose fits reach the tolerance on "
                                   "at least --required of the seeds, and print every width tried.")
    add_common(m, tol=1e-3, seeds=50)
    m.add_argument("--depth", default="1", help="comma list of hidden-layer counts (default 1)")
    m.add_argument("--required", type=float, default=0.95, help="share of seeds that must succeed")
    m.add_argument("--max-width", type=int, default=256)
    m.add_argument("--activation", default="relu")
    m.add_argument("--init", default="data")
    m.add_argument("--trainer", default="auto")
    m.add_argument("--restarts", type=int, default=None,
                   help="candidates per fit (default: surefit fit's own, by network size; 1: one network)")
    m.set_defaults(run=run_minimal)


def split(text: str, name: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    if not values:
        raise SurefitError(f"--{name} needs at least one value")
    return values


def ints(text: str, name: str) -> list[int]:
    try:
        return [int(v) for v in split(text, name)]
    except ValueError:
        raise SurefitError(f"--{name} must be comma-separated integers, not {text!r}") from None


def yes_no(text: str) -> bool:
    if text not in ("yes", "no"):
        raise SurefitError(f"--revive takes yes, no or yes,no, not {text!r}")
    return text == "yes"


def problem_of(args) -> problems.Problem:
    if args.seeds < 1:
        raise SurefitError(f"--seeds must be at least 1, not {args.seeds}")
    if not args.tol > 0:
        raise SurefitError(f"--tol must be positive, not {args.tol}")
    return problems.from_function(args.expr, args.domain, points=args.points, sampling=args.sampling)


def heading(command: str, problem: problems.Problem, args, restarts: str) -> str:
    return (f"surefit {command} {problem.description}: {len(problem.X)} training points, {args.seeds} seeds "
            f"per configuration, {restarts}; a seed succeeds when its held-out relative RMSE is "
            f"<= {args.tol:g} (training stops at {args.tol / TRAIN_MARGIN:g})")


def run_study(args) -> int:
    problem = problem_of(args)
    base = FitSettings(tol=args.tol / TRAIN_MARGIN, max_steps=args.max_steps)
    configs = configurations(base, hidden=[parse_widths(h) for h in args.hidden],
                             activation=split(args.activation, "activation"), init=split(args.init, "init"),
                             trainer=split(args.trainer, "trainer"), restarts=ints(args.restarts, "restarts"),
                             revive=[yes_no(v) for v in split(args.revive, "revive")])
    engine = make_engine(args.engine, args.address, progress=not args.quiet)
    outcomes = study(problem, configs, range(args.seeds), tol=args.tol, engine=engine)
    restarts = ("one network per seed (--restarts 1)" if args.restarts == "1"
                else f"best of --restarts {args.restarts} candidates per seed")
    show(heading("study", problem, args, restarts))
    show(study_table(outcomes))
    if args.json:
        console.print(f"wrote {write_json(args.json, {'results': [o.to_dict() for o in outcomes]})}")
    if args.plot:
        console.print(f"wrote {plot_study(outcomes, args.plot, tol=args.tol, title=problem.description)}")
    return 0


def study_table(outcomes: list[Outcome]):
    keys = swept_keys(outcomes)
    show_theory = any(o.theory is not None for o in outcomes)
    columns = keys + ["success %", "95% CI"] + (["theory %"] if show_theory else []) + \
        ["median error", "quartiles", "time/fit"]
    rows = []
    for o in outcomes:
        row = [fmt_value(o.config[k]) for k in keys]
        row += [f"{100 * o.success_rate:.1f}", f"{100 * o.ci_low:.1f}-{100 * o.ci_high:.1f}"]
        row += [f"{100 * o.theory:.1f}" if o.theory is not None else "-"] if show_theory else []
        row += [f"{o.median_error:.1e}", f"{o.q1_error:.1e} {o.q3_error:.1e}", f"{o.median_time_s:.3f}s"]
        rows.append(row)
    note = "  (theory: n units not all facing one way, 1 - 2^(K(1-n)), K candidates)" if show_theory else ""
    return table("per configuration" + note, columns, rows)


def percent_ci(rate: float, low: float, high: float) -> str:
    return f"{rate:.1%} [{low:.1%}-{high:.1%}]"


def run_minimal(args) -> int:
    problem = problem_of(args)
    settings = MinimalSettings(tol=args.tol, depths=tuple(ints(args.depth, "depth")), seeds=args.seeds,
                               required=args.required, max_width=args.max_width)
    base = FitSettings(activation=args.activation, init=args.init, trainer=args.trainer,
                       restarts=args.restarts, tol=args.tol / TRAIN_MARGIN, max_steps=args.max_steps)
    base.validate()
    result = minimal(problem, base, settings, make_engine(args.engine, args.address, progress=not args.quiet))
    restarts = ("one network per seed" if args.restarts == 1 else
                "surefit fit's default candidates per seed" if args.restarts is None else
                f"best of {args.restarts} candidates per seed")
    show(heading("minimal", problem, args, f"{restarts}, init {args.init}, trainer {args.trainer}"))
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
        console.print(f"smallest network: {result.depth} x {result.width} {args.activation} units")
    if args.json:
        console.print(f"wrote {write_json(args.json, result.to_dict(settings))}")
    return 0 if result.width else 1
