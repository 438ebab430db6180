"""surefit explain MODEL: what a saved ReLU network computes, exactly; optionally --json, --plot."""
from __future__ import annotations

from ..explanation import Explanation, ExplainSettings
from .options import saved_model
from .output import console, json_text, planned_outputs, table, write_outputs

MAX_ROWS = 40  # longer lists of pieces or regions go to --json only


def register(sub) -> None:
    p = sub.add_parser("explain", help="the exact function a saved ReLU network computes",
                       description="Print the kinks and pieces (1 input), the linear regions "
                                   "(2 inputs) and, for one hidden layer, a formula of a saved "
                                   "relu or leaky_relu model, checked against its predictions.")
    saved_model(p)
    p.add_argument("--domain", action="append",
                   help="LOW:HIGH for all inputs, or NAME=LOW:HIGH each (default: the training domain)")
    p.add_argument("--grid", type=int, default=ExplainSettings.grid,
                   help=f"2 inputs: find regions on a GRID x GRID lattice (default {ExplainSettings.grid})")
    p.add_argument("--json", help="write the explanation as JSON here")
    p.add_argument("--plot", help="write a picture here (.png, .pdf, ...): pieces and kinks, or the regions")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..explanation import explain
    from ..explanation_plot import plot_explanation
    from ..plots import image_format
    outputs = planned_outputs(args, ("json", "plot"))
    e = explain(args.model, ExplainSettings(domain=args.domain, grid=args.grid))
    for line in describe(e, args.model):
        console.print(line)
    write_outputs(outputs, {"json": lambda tmp: tmp.write_text(json_text(e.to_dict())),
                            "plot": lambda tmp: plot_explanation(e, tmp, format=image_format(outputs["plot"]))})
    return 0


def describe(e: Explanation, name: str) -> list:
    """The printed report: a header, the formula, the units, the pieces or regions, the check."""
    box = ", ".join(f"{v} in [{lo:.6g}, {hi:.6g}]" for v, (lo, hi) in zip(e.variables, e.domain))
    out = [f"[bold]{name}[/bold]: {e.activation} {list(e.hidden)}, {box}"]
    if e.terms:
        out.append(f"formula: {e.formula()}")
        out.append(table("hidden units: weight * act(direction . x - offset)",
                         ["unit", "weight", "active where", "share of domain active"],
                         [[i + 1, t.weight, t.active_where(e.variables), f"{t.active_share:.1%}"]
                          for i, t in enumerate(e.terms)]))
    if e.pieces:
        out.append(f"{len(e.kinks)} kink(s) at {e.variables[0]} = "
                   + (", ".join(f"{k:.6g}" for k in e.kinks) or "none"))
        out.append(table(f"{len(e.pieces)} linear piece(s)",
                         ["from", "to", "slope", "intercept"],
                         [[f"{p.lo:.6g}", f"{p.hi:.6g}", f"{p.slope:.6g}", f"{p.intercept:.6g}"]
                          for p in e.pieces[:MAX_ROWS]]))
    if e.regions:
        names = " ".join(e.variables)
        out.append(table(f"{len(e.regions)} linear region(s), largest first: "
                         f"y = gradient . ({names}) + intercept",
                         ["region", "share", *(f"d/d{v}" for v in e.variables), "intercept",
                          "centre", "units on"],
                         [[i + 1, f"{r.share:.1%}", *(f"{g:.4g}" for g in r.gradient), f"{r.intercept:.4g}",
                           "(" + ", ".join(f"{c:.2g}" for c in r.center) + ")", r.pattern]
                          for i, r in enumerate(e.regions[:MAX_ROWS])]))
    if len(e.pieces) > MAX_ROWS or len(e.regions) > MAX_ROWS:
        out.append(f"(first {MAX_ROWS} shown; --json has them all)")
    out.append(f"checked against the model's own predictions: max deviation {e.max_deviation:.3g} "
               f"(relative {e.relative_deviation:.2g})")
    return out
