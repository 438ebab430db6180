"""The peers' benchmark (issue 13): surefit against torch-levenberg-marquardt, pykan and
scikit-learn, the accuracy limits, and time against the number of points.

    python bench/peers_run.py [--quick] [--seeds N] [--scaling-seeds N] [--only CASE_OR_TABLE,...]
                              [--cap SECONDS] [--memory MIB] [--out PATH]
    python bench/peers_run.py --merge A.json,B.json [--out PATH]

Tables: oscillating (torch-LM's README benchmark and a catalogue), seeds (the seed
problems with torch-LM), pykan (its toy functions), limits (x^2 + x, 45,45 relu) and
scaling (sin(2x) on 1e3 .. 1e6 points, friedman1). Each fit runs alone in a forked
child with one torch / BLAS thread, seeds interleaved (seed 0 of every contestant, then
seed 1, ...), so load on the machine falls on all contestants alike. A fit that has used
--cap seconds of CPU is stopped and counts as a failure; one whose allocations pass
--memory fails as crashed (bench/isolated.py). Writes bench/RESULTS-peers.md and
the raw records beside it as JSON (--quick: RESULTS-peers-quick.*, a few steps of every
fit: it checks the harness, the numbers are not the benchmark).
--merge writes one markdown from the records of several runs (run side by side to share a
long benchmark out); each case's rows still come from one run. The peers are the optional extra `pip install -e '.[peers]'`; without it their rows are left out.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path

import torch
from rich.console import Console
from rich.markup import escape
from threadpoolctl import threadpool_limits

from surefit.store import atomic_path

import isolated
import limits
import peers_report as pr
import peers_sklearn
import peers_surefit
import report
from peer_cases import ALL, TABLES, PeerRecord, mlp_params
from problems import Contestant, Record, one_by_one

HERE = Path(__file__).resolve().parent
QUICK_EFFORT = 0.05  # share of every trainer's steps under --quick
PEERS = {"torchlm": "torch_levenberg_marquardt", "pykan": "kan"}
SKLEARN = "sklearn: lbfgs + StandardScaler"


def installed(family: str) -> bool:
    return importlib.util.find_spec(PEERS[family]) is not None


def roster(table: str) -> list[Contestant]:
    """The contestants of a table, surefit first; peers whose package is missing are left out."""
    keys = TABLES[table]
    out = [Contestant(peers_surefit.NAME, "surefit", keys, one_by_one(peers_surefit.fit_one))]
    if table in ("oscillating", "seeds") and installed("torchlm"):
        import peers_torchlm  # noqa: PLC0415 (optional)
        out += peers_torchlm.contestants(keys)
    if table == "pykan" and installed("pykan"):
        import peers_pykan  # noqa: PLC0415 (optional)
        out += peers_pykan.contestants(keys)
    if table in ("oscillating", "scaling"):
        fit_one = peers_sklearn.fitter(SKLEARN, peers_sklearn.lbfgs_scaled)
        out.append(Contestant(SKLEARN, "sklearn", keys, one_by_one(fit_one)))
    return out


def measure(c: Contestant, case, seed: int, args, table: str) -> PeerRecord:
    """One seed of one contestant in its own process, with the table's fields filled in."""
    outcome = isolated.run(lambda: c.run(case, [seed], args.effort)[0], args.cap, args.memory)
    base: Record = outcome.value or Record(c.name, case.key, seed, float("inf"), float("inf"),
                                           args.cap if outcome.timed_out else None, False)
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(Record)}
    params = getattr(base, "params", None) or (mlp_params(case) if c.family != "pykan" else None)
    return PeerRecord(**fields, table=table, params=params, timed_out=outcome.timed_out,
                      added_mb=outcome.added_mb, cpu_s=outcome.cpu_s, error="" if outcome.timed_out else outcome.error)


def run_case(table: str, case, cs: list[Contestant], seeds: int, args, console: Console,
             records: list[PeerRecord], saved) -> None:
    """Append every fit of the case to `records`, calling saved() after each."""
    for seed in range(seeds):  # interleaved: every contestant's seed s before anyone's seed s + 1
        for c in cs:
            r = measure(c, case, seed, args, table)
            records.append(r)
            saved()
            flag = " capped" if r.timed_out else f" {r.error}" if r.error else ""
            console.print(f"[dim]{case.key} seed {seed}: {escape(c.name)}: {r.relative_rmse:.3g} in "
                          f"{r.time_s or 0:.3g} s ({r.cpu_s or 0:.3g} s CPU)[/dim]{escape(flag)}")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="one seed, a few steps per fit: check the harness")
    p.add_argument("--seeds", type=int, help="seeds per contestant and case (default 10; --quick 1)")
    p.add_argument("--scaling-seeds", type=int, default=1, help="seeds per contestant in the scaling table (default 1)")
    p.add_argument("--only", default="", help="comma-separated cases or tables: " + ", ".join([*TABLES, *ALL]))
    p.add_argument("--cap", type=float, help="CPU seconds before a fit is stopped (default 900; --quick 60)")
    p.add_argument("--memory", type=float, default=4096.0, metavar="MIB",
                   help="address space a fit may add before its allocations fail (default 4096; 0: no cap)")
    p.add_argument("--merge", default="", help="comma-separated RESULTS JSON files: tables from their records, no fits")
    p.add_argument("--out", type=report.writable, help="markdown to write (default bench/RESULTS-peers.md)")
    args = p.parse_args(argv)
    args.seeds = args.seeds or (1 if args.quick else 10)
    args.cap = args.cap or (60.0 if args.quick else 900.0)
    args.memory = args.memory or None
    args.effort = QUICK_EFFORT if args.quick else 1.0
    args.out = args.out or HERE / ("RESULTS-peers-quick.md" if args.quick else "RESULTS-peers.md")
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in TABLES and w not in ALL]
    if unknown:
        p.error(f"unknown case or table: {', '.join(unknown)}")
    args.plan = [(t, [k for k in keys if not wanted or t in wanted or k in wanted]) for t, keys in TABLES.items()]
    args.plan = [(t, keys) for t, keys in args.plan if keys]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(1):
            return merge(args, console, argv) if args.merge else bench(args, console, argv)
    finally:
        torch.set_num_threads(before)


def bench(args, console: Console, argv) -> int:
    load_before, start = os.getloadavg(), time.perf_counter()
    sections: dict[str, list] = {}  # table -> [(case, records, limit)]
    for table, keys in args.plan:
        cs = roster(table)
        for key in keys:
            case, records = ALL[key], []
            limit = limits.limit(case)
            sections.setdefault(table, []).append((case, records, limit))
            seeds = args.scaling_seeds if table == "scaling" else args.seeds
            run_case(table, case, cs, seeds, args, console, records,  # a run stopped early keeps every fit so far
                     lambda: summary(args, sections, load_before, start, argv, done=False))
            console.print(pr.rich_table(pr.heading(case, limit), pr.COLUMNS, pr.case_rows(records)))
    for title, columns, rows in summary(args, sections, load_before, start, argv, done=True):
        console.print(pr.rich_table(title, columns, rows))
    console.print(f"wrote {args.out} ({(time.perf_counter() - start) / 60:.1f} min)")
    return 0


def merge(args, console: Console, argv) -> int:
    """The tables of earlier runs' records, in the order of TABLES."""
    paths = [Path(p.strip()) for p in args.merge.split(",") if p.strip()]
    records = [PeerRecord(**r) for path in paths for r in json.loads(path.read_text())]
    sections: dict[str, list] = {}
    for table, keys in TABLES.items():
        for key in keys:
            mine = [r for r in records if r.table == table and r.problem == key]
            if mine:
                sections.setdefault(table, []).append((ALL[key], mine, limits.limit(ALL[key])))
    args.merged = ", ".join(p.name for p in paths)
    for title, columns, rows in summary(args, sections, os.getloadavg(), time.perf_counter(), argv, done=True):
        console.print(pr.rich_table(title, columns, rows))
    console.print(f"wrote {args.out}")
    return 0


def summary(args, sections, load_before, start: float, argv, done: bool) -> list:
    """Write the markdown and JSON of the tables so far; return the summary tables."""
    everything = [s for table in sections.values() for s in table]
    extra = [("Accuracy against the limit", pr.LIMIT_COLUMNS, pr.limit_rows(everything))]
    if "scaling" in sections:
        extra.append(("Time against N", pr.SCALING_COLUMNS, pr.scaling_rows(sections["scaling"])))
    command = "python bench/peers_run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    notes_ = notes(args, load_before, time.perf_counter() - start)
    write(args, sections, extra, notes_ if done else ["UNFINISHED: the run was still going.", *notes_], command.strip())
    return extra


def notes(args, load_before, wall: float) -> list[str]:
    versions = ", ".join(f"{p} {version(p)}" for p in ("torch-levenberg-marquardt", "pykan"))
    out = [f"QUICK RUN: {QUICK_EFFORT:.0%} of every trainer's steps; these numbers check the harness, "
           "they are not the benchmark."] if args.quick else []
    out += [f"Peers: {versions}; missing peers' rows are left out.",
            f"Every fit ran alone in a forked process with one torch / BLAS thread, stopped after {args.cap:g} s "
            "of CPU (counted as a failure, its time as the cap); seeds interleaved across contestants.",
            "Times are wall-clock, as measured by each contestant around its training; CPU is the fit's "
            "process's CPU time (training, predicting and scoring), which a busy machine does not stretch.",
            f"A fit's process could add {args.memory:g} MiB of address space; an allocation past it fails and "
            "the fit counts as crashed (this protects a shared machine)." if args.memory else
            "No memory cap.",
            "Time is what a user waits for: building the model and training (surefit: the whole fit call); "
            "predicting on the held-out points is not timed.",
            "Memory added: the fit's process's peak resident set above its resident set when the fit began "
            "(the interpreter, the libraries and the data were already there).",
            f"Load average (1 min) before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}; "
            f"whole run {wall / 60:.1f} min."]
    if getattr(args, "merged", ""):
        out[-1] = (f"Assembled from the records of separate runs ({args.merged}), run side by side, each "
                   "interleaved per seed; each run's load and duration are in the markdown beside its JSON.")
    return out


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def write(args, sections, extra, notes_: list[str], command: str) -> None:
    """RESULTS-peers.md (machine, tables, notes) and the raw records as JSON; each all or nothing."""
    text = ["# surefit against torch-levenberg-marquardt, pykan and scikit-learn", "", f"`{command}`", "",
            *report.machine(), "",
            "Errors are relative RMSE (RMSE / std of the target) against the exact function on the case's "
            "held-out points (surefit's dense grid; friedman1: another uniform draw), the same for every "
            "contestant, who all train on the same points. Ratios are surefit / peer from the same run: "
            "below 1 means surefit has the smaller error or the shorter time. Limits: bench/limits.py.", ""]
    for table, cases in sections.items():
        text += [f"## {table}", ""]
        text += [pr.markdown_table(pr.heading(case, limit), pr.COLUMNS, pr.case_rows(records)) + "\n"
                 for case, records, limit in cases]
    for title, columns, rows in extra:
        text += [f"## {title.lower()}", "", pr.markdown_table(title, columns, rows), ""]
    text += ["## Notes", "", *[f"- {n}" for n in notes_], ""]
    with atomic_path(args.out) as tmp:
        Path(tmp).write_text("\n".join(text))
    payload = [dataclasses.asdict(r) for cases in sections.values() for _, records, _ in cases for r in records]
    with atomic_path(args.out.with_suffix(".json")) as tmp:
        Path(tmp).write_text(json.dumps(payload, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
