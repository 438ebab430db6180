"""surefit doctor MODEL --csv data.csv --target y: why a network fails to fit its data."""
from __future__ import annotations

from rich.markup import escape

from ..progress import status
from .output import console, json_text, planned_outputs, progress_wanted, table, write_outputs

DESCRIPTION = """Examine a trained (or untrained) network with the data it is meant to fit, and
say what is wrong and what to change, causes first with what each explains under it: an
output activation that cannot reach the target or does not suit the loss, a loss that does
not suit the target, heavy dropout or weight penalties, unscaled inputs or targets, a
one-signed or badly scaled initialisation, dead, same-side, collapsed or saturated units, a
bottleneck, a vanishing gradient, a model no better than a constant. A compiled .keras file
also tells its loss and optimiser. Exit status: 0 when no problem is found, 1 when something
is, 2 for bad input."""


def register(sub) -> None:
    p = sub.add_parser("doctor", help="say why a network fails to fit its data",
                       description=DESCRIPTION)
    p.add_argument("model", help="a .keras file, a surefit model file, or a .pt/.pth file written by "
                                 "torch.save(model) of a whole nn.Module (needs --trust-pickle)")
    p.add_argument("--csv", required=True, help="CSV file with a header row: the data the model should fit")
    p.add_argument("--target", required=True, help="the CSV column the model predicts")
    p.add_argument("--inputs", help="comma-separated input columns in the model's order "
                                    "(default: every other column, in file order)")
    p.add_argument("--trust-pickle", action="store_true",
                   help="allow reading a .pt/.pth file: torch.load unpickles it, and unpickling runs "
                        "whatever code the file contains; use it only for files you made or trust")
    p.add_argument("--json", help="write the findings as JSON here")
    p.add_argument("--plot", help="write a picture of the report here (.png, .pdf, .svg, ...)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(run=run)


def run(args) -> int:
    outputs = planned_outputs(args, ("json", "plot"))
    with status(f"reading {args.model} and {args.csv}", progress_wanted(args)):
        from .. import problem as problems
        from ..doctor import doctor
        from ..doctor.adapters import load
        from ..doctor.report import plot_diagnosis
        from ..plots import image_format
        model = load(args.model, trust_pickle=args.trust_pickle)
        inputs = args.inputs.split(",") if args.inputs else None
        data = problems.from_csv(args.csv, args.target, inputs=inputs, holdout=0.0)
    with status("examining the model", progress_wanted(args)):
        diagnosis = doctor(model, data.X, data.y, variables=data.variables)
    console.print(headline(diagnosis, args.model, args.csv))
    if diagnosis.findings:
        console.print(findings_table(diagnosis))
    with status("writing the report", progress_wanted(args)):
        write_outputs(outputs, {"json": lambda tmp: tmp.write_text(json_text(diagnosis.to_dict())),
                                "plot": lambda tmp: plot_diagnosis(diagnosis, tmp,
                                                                   format=image_format(outputs["plot"]))})
    return 1 if diagnosis.findings else 0


def headline(diagnosis, model_path: str, data_path: str) -> str:
    m, fit = diagnosis.model, diagnosis.fit
    acts = ", ".join(m["hidden_activations"]) or "no hidden layer"
    causes = len(diagnosis.causes)
    verdict = (f"{len(diagnosis.findings)} finding{'s' if len(diagnosis.findings) != 1 else ''} from "
               f"{causes} cause{'s' if causes != 1 else ''}, most important first" if diagnosis.findings
               else "no problems found")
    accuracy = f", accuracy {fit['accuracy']:.1%} (always the commoner label: {fit['base_rate']:.1%})" \
        if "accuracy" in fit else ""
    return (f"surefit doctor {model_path}: {m['kind']} network {'-'.join(map(str, m['widths']))} "
            f"({acts}; output {m['output_activation']}), {m['parameters']} parameters\n"
            f"on {fit['points']} rows of {data_path}: relative RMSE {fit['relative_rmse']:.3g}, "
            f"max error {fit['max_error']:.3g}{accuracy}: {verdict}")


def findings_table(diagnosis):
    """One row per finding: a cause, then (indented, numbered under it) what it explains."""
    from ..doctor.findings import numbering
    labels = numbering(diagnosis.findings)
    rows = []
    for i, f in enumerate(diagnosis.findings):
        pad = "  " * labels[i].count(".")
        explains = "; ".join(diagnosis.findings[j].summary or diagnosis.findings[j].code for j in f.explains)
        text = escape(f.message) + (f"\n[bold]explains:[/bold] {escape(explains)}" if explains else "")
        fix = f"{text}\n[bold]fix:[/bold] {escape(f.fix)}"
        rows.append([pad + labels[i], f"{pad}{f.code}\n{pad}({f.severity})", fix])
    return table("", ["#", "code", "finding and fix"], rows)
