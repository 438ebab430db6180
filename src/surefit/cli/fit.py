"""surefit fit: one target, one network, a summary; optionally --json, --plot, --save."""
from __future__ import annotations

import argparse

from ..errors import SurefitError
from ..progress import status
from ..settings import FitSettings
from .options import add_settings, settings_from
from .output import console, json_text, planned_outputs, progress_wanted, table, write_outputs


def add_problem_arguments(p: argparse.ArgumentParser, *, data: bool = True) -> None:
    """Where a target expression is sampled, or which CSV columns are the data (data=True)."""
    p.add_argument("--domain", action="append", help="LOW:HIGH for all variables, or NAME=LOW:HIGH each")
    p.add_argument("--points", type=int, default=None,
                   help="training points sampled from the expression (default 1000 in 1-D, 2000 else)")
    p.add_argument("--sampling", choices=["grid", "random"], default=None,
                   help="training points on a grid or uniformly at random (default grid up to 2 inputs)")
    p.add_argument("--noise", type=float, default=0.0,
                   help="add Gaussian noise of this standard deviation to the expression's training targets, "
                        "to see how a fit of measured data behaves; metrics stay against the exact function "
                        "(default 0)")
    if data:
        p.add_argument("--csv", help="CSV file with a header row: the data, instead of an expression")
        p.add_argument("--target", help="the CSV column to predict")
        p.add_argument("--inputs", help="comma-separated CSV input columns (default: every other column)")
        p.add_argument("--holdout", type=float, default=None,
                       help="share of the CSV's rows held out for the reported metrics (default 0.2)")


def register(sub) -> None:
    p = sub.add_parser("fit", help="fit a network to an expression or to CSV data",
                       description="Fit a small network to EXPR on --domain, or to --csv data.")
    p.add_argument("expr", nargs="?", help='target expression, e.g. "abs(x)" or "sqrt(x**2 + y**2)"')
    add_problem_arguments(p)
    add_settings(p, FitSettings)
    p.add_argument("--json", help="write the report as JSON here")
    p.add_argument("--plot", help="write a picture here (.png, .pdf, .svg, ...)")
    p.add_argument("--save", help="write the fitted model here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def problem_from(args, settings: FitSettings):
    from .. import problem as problems
    from ..fitting import MEASURED_AS_THEY_ARE, make_problem, refuse_unused
    if args.csv:
        if args.expr:
            raise SurefitError("give either an expression or --csv, not both")
        if not args.target:
            raise SurefitError("--csv needs --target COLUMN")
        refuse_unused(MEASURED_AS_THEY_ARE, "--", domain=args.domain, points=args.points, sampling=args.sampling,
                      noise=args.noise)
        inputs = args.inputs.split(",") if args.inputs else None
        with status(f"reading {args.csv}", progress_wanted(args)):  # a million rows: 1.5 s before the fit's bar
            return problems.from_csv(args.csv, args.target, inputs=inputs, seed=settings.seed, holdout=args.holdout)
    if not args.expr:
        raise SurefitError('give a target expression, e.g. surefit fit "abs(x)" --domain -1:1')
    refuse_unused("only for a CSV's columns and rows: give the CSV with --csv", "--", target=args.target,
                  inputs=args.inputs, holdout=args.holdout)
    return make_problem(args.expr, args.domain, settings, points=args.points, sampling=args.sampling,
                        noise=args.noise)


def run(args) -> int:
    settings = settings_from(args, FitSettings)
    outputs = planned_outputs(args, ("json", "plot", "save"))
    from ..fitting import fit_problem
    result = fit_problem(problem_from(args, settings), settings, progress=progress_wanted(args))
    console.print(summary(result))
    from ..plots import image_format, plot_fit
    from ..store import save
    write_outputs(outputs, {"json": lambda tmp: tmp.write_text(json_text(result.report())),
                            "plot": lambda tmp: plot_fit(result, tmp, format=image_format(outputs["plot"])),
                            "save": lambda tmp: save(result, tmp)})
    return 0


def uneven_words(result) -> str:
    """Where the noise changes along the input: that the level is its RMS, and the range it mostly keeps."""
    if result.noise_range is None:
        return ""
    low, high = result.noise_range
    return (f"; its RMS over the rows: it changes along {result.problem.variables[0]}, mostly between {low:.3g} "
            f"and {high:.3g}")


def summary(result):
    m = result.metrics
    net = result.model.net
    rows = [["status", str(result.status)]]
    rows += [["note", note] for note in result.notes]
    if result.limit:
        rows.append(["limit", result.limit])
    if result.problem.measured:
        rows.append(["noise level", f"{result.noise_level:.3g} (standard deviation in the target's units"
                                    f"{uneven_words(result)})"])
    if result.effective_parameters is not None:
        rows.append(["effective parameters", f"{result.effective_parameters:.1f} of {net.n_params} "
                                             "(the penalty chosen from the data: evidence and GCV)"])
    if net.n_inputs > 1:
        rows.append(["influence", influence_text(result)])
    rows += [["network", f"{net.n_inputs} -> {','.join(map(str, net.hidden)) or '-'} {net.activation} -> 1 "
                         f"({net.n_params} parameters)"],
             ["relative RMSE", m["relative_rmse"]], ["RMSE", m["rmse"]], ["max error", m["max_error"]],
             ["units alive", f"{result.units_alive}/{result.units_total}"
                             + (f" ({result.revived} revived)" if result.revived else "")],
             ["trainers", " then ".join(result.trainers) or "none"],
             ["candidates", f"{result.candidates}, seed {result.seed}"],
             ["time", f"{result.time_s:.2f} s"]]
    return table(f"surefit fit {result.target}  (metrics on {result.problem.evaluation})", ["", ""], rows)


def influence_text(result) -> str:
    """The inputs by influence, strongest first, and those the fit found no use for."""
    unused = result.unused_inputs
    used = sorted(((v, k) for k, v in result.influence.items() if k not in unused), reverse=True)
    text = ", ".join(f"{k} {v:.3g}" for v, k in used)
    return (text + (f"; not used: {', '.join(unused)}" if unused else "")
            + " (how far each input moves the prediction, in the target's units)")
