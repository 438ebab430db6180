"""surefit demo: the four seed problems side by side, with a PNG each."""
from __future__ import annotations

from .output import console, progress_wanted, table, write_json


def register(sub) -> None:
    p = sub.add_parser("demo", help="fit the four seed problems and print one table",
                       description="Fit the four problems from the seed threads with their own networks.")
    p.add_argument("--out", default="demo-out", help="folder for the PNGs (default demo-out)")
    p.add_argument("--json", help="write the four reports as JSON here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..demo import run_demo
    results = run_demo(args.out, progress=progress_wanted(args))
    rows = []
    for problem, r in results:
        net = r.model.net
        rows.append([r.target, f"{','.join(map(str, net.hidden))} {net.activation}", r.status.name.lower(),
                     r.metrics["relative_rmse"], r.metrics["max_error"],
                     f"{r.units_alive}/{r.units_total}", f"{r.time_s:.1f} s"])
    console.print(table("surefit demo: the four seed problems, default settings (errors on held-out points)",
                        ["problem", "network", "status", "rel. RMSE", "max error", "alive", "time"], rows))
    for problem, r in results:
        console.print(f"[bold]{r.target}[/bold]: the thread hit: {problem.thread}. surefit: {r.status}.")
    console.print(f"plots in {args.out}/")
    if args.json:
        write_json(args.json, {p.name: r.report() for p, r in results})
    return 0
