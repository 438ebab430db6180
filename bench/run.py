"""The benchmark: surefit against the seeds' own Keras setups and scikit-learn, same data.

    python bench/run.py [--quick] [--seeds-surefit N] [--seeds-peers N]
                        [--problems abs,sqrt,quad,log,logtanh] [--only keras,sklearn,surefit]
                        [--row-budget SECONDS] [--reuse keras,sklearn] [--out PATH]

prints a table per problem and writes bench/RESULTS.md (--quick: a few seeds
and epochs, written to bench/RESULTS-quick.md, for checking the harness).
Every fit's record goes to RESULTS.json beside it; --reuse takes the rows of the
named families from there instead of running them again (the peers do not
change when surefit does, and the Keras rows take most of the time).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

import torch
from rich.console import Console
from threadpoolctl import threadpool_limits

from problems import PROBLEMS, SQRT_MARGIN, Contestant, Record
import report

HERE = Path(__file__).resolve().parent
QUICK_EFFORT = 0.02  # share of each peer's epochs / steps / iterations under --quick
FAMILIES = ("keras", "sklearn", "surefit")


def contestants(families: list[str]) -> list[Contestant]:
    """Import only what is asked for: Keras is slow to import and optional."""
    found = []
    for family in FAMILIES:
        if family in families:
            found += importlib.import_module(f"peers_{family}").CONTESTANTS
    return found


def seed_count(c: Contestant, args) -> int:
    if c.family == "surefit":
        return args.seeds_surefit
    return min(args.seeds_peers, c.max_seeds or args.seeds_peers)


def run_row(c: Contestant, bp, n: int, effort: float, budget_s: float | None) -> list[Record]:
    """Seeds 0 .. n-1, one at a time; with a budget, no new seed starts after it is spent."""
    records, start = [], time.perf_counter()
    for seed in range(n):
        if budget_s is not None and records and time.perf_counter() - start > budget_s:
            break
        records += c.run(bp, [seed], effort)
    return records


def row_records(c: Contestant, bp, args, effort: float, old: list[tuple[str, Record]]):
    """[(date, record)] of one row: from the earlier run's records if its family is reused, else run now."""
    kept = [(d, r) for d, r in old if r.contestant == c.name and r.problem == bp.key]
    if c.family in args.reuse and kept:
        return kept
    return [(report.now(), r) for r in run_row(c, bp, seed_count(c, args), effort, args.row_budget)]


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="few seeds and epochs: check the harness")
    p.add_argument("--seeds-surefit", type=int, help="seeds for surefit (default 200; --quick 4)")
    p.add_argument("--seeds-peers", type=int, help="seeds per peer (default 50; --quick 2)")
    p.add_argument("--problems", default=",".join(PROBLEMS), help="comma-separated: " + ",".join(PROBLEMS))
    p.add_argument("--only", default=",".join(FAMILIES), help="comma-separated: " + ",".join(FAMILIES))
    p.add_argument("--row-budget", type=float, metavar="SECONDS",
                   help="stop starting new seeds of a row (contestant x problem) after this long")
    p.add_argument("--threads", type=int, default=1,
                   help="torch and BLAS threads for every contestant (default 1: small nets gain nothing "
                        "from more, and on a busy machine extra threads wait on each other)")
    p.add_argument("--reuse", default="", help="families whose rows to take from the last run's RESULTS.json")
    p.add_argument("--out", type=report.writable, help="markdown to write (default bench/RESULTS.md)")
    args = p.parse_args(argv)
    args.seeds_surefit = args.seeds_surefit or (4 if args.quick else 200)
    args.seeds_peers = args.seeds_peers or (2 if args.quick else 50)
    args.out = args.out or HERE / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    args.problems = [k.strip() for k in args.problems.split(",") if k.strip()]
    args.only = [f.strip() for f in args.only.split(",") if f.strip()]
    args.reuse = [f.strip() for f in args.reuse.split(",") if f.strip()]
    unknown = [k for k in args.problems if k not in PROBLEMS] + \
        [f for f in args.only + args.reuse if f not in FAMILIES]
    if unknown:
        p.error(f"unknown problem or family: {', '.join(unknown)}")
    return args


def notes(args, ran: list[Contestant], load_before, load_after, wall_s: float,
          reused: dict[str, str]) -> list[str]:
    """What RESULTS.md must say besides the numbers: seeds, scale-downs, how time was measured."""
    out = [f"Reused from an earlier run of the same setups and data (records in RESULTS.json): "
           f"{'; '.join(f'{row} from {date}' for row, date in reused.items())}."] if reused else []
    if args.quick:
        out.append(f"QUICK RUN: {QUICK_EFFORT:.0%} of every peer's epochs and a few surefit steps; "
                   "these numbers check the harness, they are not the benchmark.")
    capped = sorted({c.name + f" ({c.problems[0]})" for c in ran
                     if c.max_seeds and c.max_seeds < args.seeds_peers})
    if capped:
        out.append(f"Peers run {args.seeds_peers} seeds each, except these slow Keras setups, "
                   f"{min(c.max_seeds for c in ran if c.max_seeds)} seeds each: {'; '.join(capped)}.")
    out += [f"{c.name} ({', '.join(c.problems)}): {c.note}." for c in ran if c.note]
    if "sqrt" in args.problems:
        best = PROBLEMS["sqrt"].tolerance / SQRT_MARGIN
        out.append(f"sqrt: the best 3-unit ReLU fit on the held-out grid has relative RMSE {best:.5g} "
                   "(scipy least squares from many starts, independent of surefit); success is within 5% of it.")
    if any(c.family == "surefit" for c in ran):
        out.append("surefit: every seed is a single surefit.fit call, timed on its own.")
    if args.row_budget:
        out.append(f"Each row stopped starting new seeds after {args.row_budget:g} s; "
                   "the seeds column gives how many ran.")
    out.append(f"Every contestant ran with {args.threads} torch / BLAS thread(s), one fit at a time.")
    out.append("Keras and sklearn times are the median over all their seeds; Keras's includes building "
               "and compiling the model.")
    out.append(f"Load average (1 min) before / after: {load_before[0]:.2f} / {load_after[0]:.2f}; "
               f"whole run {wall_s / 60:.1f} min.")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=None if sys.stdout.isatty() else 160)  # logs keep whole rows
    effort = QUICK_EFFORT if args.quick else 1.0
    before = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        with threadpool_limits(args.threads):
            return bench(args, console, effort, argv)
    finally:
        torch.set_num_threads(before)


def bench(args, console: Console, effort: float, argv: list[str] | None) -> int:
    ran, sections, everyone = [], [], contestants(args.only)
    records_path = args.out.with_suffix(".json")
    old = report.read_records(records_path) if args.reuse else []
    dated, reused = [], {}  # every record with its run's date; rows taken from `old`
    load_before, start = os.getloadavg(), time.perf_counter()
    for key in args.problems:
        bp = PROBLEMS[key]
        records: list[Record] = []
        for c in everyone:
            if key not in c.problems:
                continue
            kept = row_records(c, bp, args, effort, old)
            if kept and kept[0] in old:
                reused[f"{c.name} ({key})"] = kept[0][0]
            dated += kept
            row = [r for _, r in kept]
            console.print(f"[dim]{key}: {c.name}: {len(row)} seeds[/dim]")
            records += row
            ran.append(c)
        if records:
            report.print_table(bp, records, console)
            sections.append((bp, records))
    wall = time.perf_counter() - start
    command = "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    unique = list({id(c): c for c in ran}.values())
    report.write_markdown(args.out, sections,
                          notes(args, unique, load_before, os.getloadavg(), wall, reused), command.strip())
    report.write_records(records_path, dated)
    console.print(f"wrote {args.out} ({wall / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
