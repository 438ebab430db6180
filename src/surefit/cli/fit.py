"""surefit fit: one target, one network, a summary; optionally --json, --plot, --save."""
from __future__ import annotations

import argparse

from .. import problem as problems
from ..errors import SurefitError
from ..fit import FitSettings, fit_problem
from ..plots import plot_fit
from ..result import FitResult
from ..store import save
from .output import console, parse_widths, table, write_json


def add_problem_arguments(p: argparse.ArgumentParser) -> None:
    """Where a target expression is sampled, shared with other commands that fit one."""
    p.add_argument("--domain", action="append", help="LOW:HIGH for all variables, or NAME=LOW:HIGH each")
    p.add_argument("--points", type=int, default=None, help="training points (default 1000 in 1-D, 2000 else)")
    p.add_argument("--sampling", choices=["grid", "random"], default=None)


def add_fit_arguments(p: argparse.ArgumentParser) -> None:
    """Network and training options, shared with other commands that fit."""
    p.add_argument("--hidden", default="8", help="hidden widths, e.g. 2 or 45,45 (default 8)")
    p.add_argument("--activation", default="relu",
                   help="relu, leaky_relu, tanh, gelu, sigmoid or elu (default relu)")
    p.add_argument("--init", default="data", help="data (default), he, glorot or naive")
    p.add_argument("--trainer", default="auto", help="auto (default), lm, adam, lbfgs or adam+lbfgs")
    p.add_argument("--restarts", type=int, default=None, help="candidates trained side by side")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tol", type=float, default=1e-7, help="stop at this training relative RMSE")
    p.add_argument("--max-steps", type=int, default=None, help="step limit per trainer")


def settings_from(args) -> FitSettings:
    return FitSettings(hidden=parse_widths(args.hidden), activation=args.activation, init=args.init,
                       trainer=args.trainer, restarts=args.restarts, seed=args.seed, tol=args.tol,
                       max_steps=args.max_steps)


def register(sub) -> None:
    p = sub.add_parser("fit", help="fit a network to an expression or to CSV data",
                       description="Fit a small network to EXPR on --domain, or to --csv data.")
    p.add_argument("expr", nargs="?", help='target expression, e.g. "abs(x)" or "sqrt(x**2 + y**2)"')
    add_problem_arguments(p)
    p.add_argument("--csv", help="CSV file with a header row, instead of EXPR")
    p.add_argument("--target", help="the CSV column to predict")
    p.add_argument("--inputs", help="comma-separated CSV input columns (default: all others)")
    add_fit_arguments(p)
    p.add_argument("--json", help="write the report as JSON here")
    p.add_argument("--plot", help="write a PNG here")
    p.add_argument("--save", help="write the fitted model here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def problem_from(args) -> problems.Problem:
    if args.csv:
        if args.expr:
            raise SurefitError("give either an expression or --csv, not both")
        if not args.target:
            raise SurefitError("--csv needs --target COLUMN")
        inputs = args.inputs.split(",") if args.inputs else None
        return problems.from_csv(args.csv, args.target, inputs=inputs, seed=args.seed)
    if not args.expr:
        raise SurefitError('give a target expression, e.g. surefit fit "abs(x)" --domain -1:1')
    return problems.from_function(args.expr, args.domain, points=args.points,
                                  sampling=args.sampling, seed=args.seed)


def run(args) -> int:
    settings = settings_from(args)
    settings.validate()
    result = fit_problem(problem_from(args), settings, progress=not args.quiet)
    console.print(summary(result))
    for option, write in (("json", lambda p: write_json(p, result.report())),
                          ("plot", lambda p: plot_fit(result, p)), ("save", lambda p: save(result, p))):
        path = getattr(args, option)
        if path:
            console.print(f"wrote {write(path)}")
    return 0


def summary(result: FitResult):
    m = result.metrics
    net = result.model.net
    rows = [["status", str(result.status)],
            ["network", f"{net.n_inputs} -> {','.join(map(str, net.hidden)) or '-'} {net.activation} -> 1 "
                        f"({net.n_params} parameters)"],
            ["relative RMSE", m["relative_rmse"]], ["RMSE", m["rmse"]], ["max error", m["max_error"]],
            ["units alive", f"{result.units_alive}/{result.units_total}"
                            + (f" ({result.revived} revived)" if result.revived else "")],
            ["trainers", " then ".join(result.trainers) or "none"],
            ["restarts", f"{result.restarts} candidates, seed {result.seed}"],
            ["time", f"{result.time_s:.2f} s"]]
    return table(f"surefit fit {result.target}  (metrics on held-out points)", ["", ""], rows)
