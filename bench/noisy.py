"""The noisy-data benchmark (issue 11): surefit against scikit-learn on measured data.

    python bench/noisy.py [--quick] [--seeds N] [--slow-seeds N] [--only GLOBS]
                          [--contestants KEYS] [--max-units N] [--jobs N] [--out PATH]

For every case and data seed, every contestant trains on the same noisy arrays, one
after another on one thread (a busy spell slows them all alike), and is scored
against the noiseless truth (diabetes: the held-out rows). Prints the done-means
as PASS/FAIL lines and a table per case group, and writes bench/RESULTS-noisy.md
with every fit's record in RESULTS-noisy.json beside it (rewritten after every
data seed, so an interrupted run keeps what it did; --report-only writes the markdown
from it).

How long (2 shared cores): --quick about 5 minutes; `--seeds 20 --contestants surefit,mlp,lbfgs,gp,ridge
--jobs 2` 29 minutes at a load of 2 (every contestant but the CV MLP, HGB and splines); at a load of 5 to 18:
`--seeds 5 --slow-seeds 2 --jobs 2` 99 minutes (3.3 h of single-thread fit time, 71% of it
the cross-validated MLP). The default 20 seeds (slow rows 5) is about 10 h of fit time at
that load: some 5 h with --jobs 2, less on an idle machine. `--only many` (every contestant,
20 seeds, 5 of them with the CV MLP) alone: 70 minutes on one thread. Those times predate surefit's
cross-validation of wide ReLU nets (crossval.py): its five 64,64 relu rows at 200 points now add some
2 h of single-thread fit time (100 fits, 44-97 s each on an AMD EPYC).
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

import noisy_cases
import noisy_peers
import noisy_report
import report
from surefit.store import atomic_path

HERE = Path(__file__).resolve().parent
SEEDS, QUICK_SEEDS = 20, 2
SLOW_SEEDS = 5


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK_SEEDS} seeds of {', '.join(noisy_cases.QUICK)}, networks up to "
                        f"{noisy_cases.QUICK_MAX_UNITS} units: a few minutes")
    p.add_argument("--seeds", type=int, help=f"data seeds per case (default {SEEDS}; --quick {QUICK_SEEDS})")
    p.add_argument("--slow-seeds", type=int, default=SLOW_SEEDS,
                   help=f"seeds for the slow rows: the CV peer on 64,64 nets or 2000 points, the GP on "
                        f"2000 points (default {SLOW_SEEDS})")
    p.add_argument("--only", help="comma-separated globs over case keys or groups, e.g. 'sin2x-*,diabetes' "
                                  f"(groups: {', '.join(dict.fromkeys(c.group for c in noisy_cases.CASES.values()))})")
    p.add_argument("--contestants", default=",".join(noisy_peers.BY_KEY),
                   help="comma-separated: " + ",".join(noisy_peers.BY_KEY))
    p.add_argument("--max-units", type=int, help="leave out networks with more hidden units than this")
    p.add_argument("--jobs", type=int, default=1, help="data seeds fitted at once, each on one thread (default 1)")
    p.add_argument("--report-only", action="store_true",
                   help="write the markdown from the records JSON beside --out, running nothing "
                        "(an interrupted run's, or after changing the report)")
    p.add_argument("--effort", type=float, default=1.0, help=argparse.SUPPRESS)  # the tests' tiny fits
    p.add_argument("--out", type=report.writable, help="markdown to write (default bench/RESULTS-noisy.md; "
                                            "--quick: RESULTS-noisy-quick.md)")
    args = p.parse_args(argv)
    args.seeds = args.seeds or (QUICK_SEEDS if args.quick else SEEDS)
    args.max_units = args.max_units or (noisy_cases.QUICK_MAX_UNITS if args.quick else None)
    args.out = args.out or HERE / ("RESULTS-noisy-quick.md" if args.quick else "RESULTS-noisy.md")
    globs = args.only.split(",") if args.only else (noisy_cases.QUICK if args.quick else ["*"])
    args.cases = [c for c in noisy_cases.CASES.values()
                  if any(fnmatch.fnmatch(c.key, g.strip()) or fnmatch.fnmatch(c.group, g.strip()) for g in globs)]
    args.contestants = [k.strip() for k in args.contestants.split(",") if k.strip()]
    unknown = [k for k in args.contestants if k not in noisy_peers.BY_KEY]
    if unknown or not args.cases:
        p.error(f"unknown contestant: {', '.join(unknown)}" if unknown else f"no case matches --only {args.only}")
    return args


def one_thread() -> None:
    """Each worker: one torch and one BLAS thread, for its whole life."""
    torch.set_num_threads(1)
    threadpool_limits(1)


def task(case_key: str, seed: int, keys: list[str], effort: float, slow_seeds: int, max_units: int | None):
    """All contestants on one case's data seed (runs in a worker with --jobs)."""
    contestants = [noisy_peers.BY_KEY[k] for k in keys]
    return noisy_peers.run_seed(noisy_cases.CASES[case_key], seed, contestants, effort, slow_seeds, max_units)


def run_all(args, on_done) -> list:
    """Seed by seed, every case at each seed: a run cut short still has every case."""
    jobs = [(c.key, s, args.contestants, args.effort, args.slow_seeds, args.max_units)
            for s in range(args.seeds) for c in args.cases]
    records = []
    if args.jobs <= 1:
        with threadpool_limits(1):
            for job in jobs:
                records += task(*job)
                on_done(job, records)
        return records
    context = multiprocessing.get_context("spawn")  # torch and forked BLAS pools do not mix
    with context.Pool(args.jobs, initializer=one_thread) as pool:
        for job, found in zip(jobs, pool.imap(_star_task, jobs)):
            records += found
            on_done(job, records)
    return records


def _star_task(job):
    return task(*job)


def notes(args, wall_s: float, load_before, load_after) -> list[str]:
    out = []
    if args.quick:
        out.append(f"QUICK RUN: {args.seeds} seeds of a few cases, networks up to {args.max_units} units; "
                   "it checks the harness, the medians are not the benchmark.")
    out.append(f"{args.seeds} data seeds per case; the slow rows (the CV peer on a 64,64 network or 2000 "
               f"points, the GP on 2000 points) ran the first {min(args.slow_seeds, args.seeds)}, and "
               "their ratios are over those seeds only.")
    if args.max_units:
        out.append(f"Networks with more than {args.max_units} hidden units were left out.")
    if args.effort < 1:
        out.append(f"EFFORT {args.effort:g}: epochs, iterations and steps scaled down: not the benchmark.")
    out.append(f"Every fit on one thread; {args.jobs} data seed(s) fitted at once. Load average (1 min) "
               f"before / after: {load_before[0]:.2f} / {load_after[0]:.2f}; whole run {wall_s / 60:.1f} min.")
    return out


def write_markdown(path: Path, records, args, notes_: list[str], command: str) -> None:
    lines = ["# surefit on noisy data, against the peers (issue 11)", "", f"`{command}`", "",
             *report.machine(), "", "## Done-means", "", "```",
             *noisy_report.checks(records, args.cases), "```", "",
             "Where a comparison with a peer fails, seed by seed (a sign test: the seeds on which "
             "surefit.fit is within the bound, and the 95% interval of that share):", "",
             *([f"- {line}" for line in noisy_report.failures_by_seed(records, args.cases)] or ["- none"]), "",
             "Where the sentence's limit contradicts the error against the truth (not a done-mean):", "",
             *[f"- {line}" for line in noisy_report.sentence_against_truth(records, args.cases)], "",
             *noisy_report.group_sections(records, args.cases), "## Cases", "",
             noisy_cases.__doc__.strip(), "", "## Contestants", "", noisy_peers.__doc__.strip(), "",
             "## Notes", "", *[f"- {n}" for n in notes_], ""]
    with atomic_path(path) as tmp:
        Path(tmp).write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # the whole run (and what the machine line reports), then restored
    try:
        return bench(args, argv)
    finally:
        torch.set_num_threads(before)


def read_records(path: Path) -> list:
    return [noisy_peers.NoisyRecord(**{k: v for k, v in r.items() if k != "date"})
            for r in json.loads(path.read_text())]


def bench(args, argv: list[str] | None) -> int:
    json_path = args.out.with_suffix(".json")
    command = ("python bench/noisy.py " + " ".join(sys.argv[1:] if argv is None else argv)).strip()
    if args.report_only:
        records = read_records(json_path)
        note = (f"Written from {json_path.name} without running anything: the seeds, timings and load are "
                "that run's; the seeds column says how many data seeds each row has (a run stopped early "
                "leaves the later cases a seed short), and the slow rows (the CV peer on a 64,64 network "
                "or 2000 points, the GP on 2000 points) have fewer, their ratios over those seeds only.")
        write_markdown(args.out, records, args, [note], command)
        print("\n".join(noisy_report.checks(records, args.cases)))
        return 0
    stamp = report.now()
    started, load_before = time.perf_counter(), os.getloadavg()

    def on_done(job, records):
        print(f"{job[0]} seed {job[1]}: {time.perf_counter() - started:.0f} s", flush=True)
        report.write_records(json_path, [(stamp, r) for r in records])

    records = run_all(args, on_done)
    wall = time.perf_counter() - started
    write_markdown(args.out, records, args, notes(args, wall, load_before, os.getloadavg()), command)
    report.write_records(json_path, [(stamp, r) for r in records])
    print("\n".join(noisy_report.checks(records, args.cases)))
    print("\n".join(noisy_report.group_sections(records, args.cases, details=False)))
    print(f"wrote {args.out} and {json_path.name} ({wall / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
