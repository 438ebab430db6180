"""Summaries of the benchmark's records: a rich table per problem and bench/RESULTS.md.

Ratios are surefit / peer: an error ratio of 0.01 means surefit's median error
is a hundredth of the peer's; a time ratio of 0.1 means a surefit fit takes a
tenth of the peer's time (ten times faster).
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import platform
import statistics
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Sequence

import torch
from rich.console import Console
from rich.table import Table

from surefit.errors import SurefitError
from surefit.files import check_writable
from surefit.store import atomic_path

from problems import BenchProblem, Record

COLUMNS = ["contestant", "seeds", "success", "median rel. RMSE", "worst rel. RMSE",
           "median time / fit", "error ratio surefit/peer", "time ratio surefit/peer"]


@dataclass(frozen=True)
class Row:
    contestant: str
    seeds: int
    successes: int
    median_error: float
    worst_error: float
    median_time_s: float  # over the fits timed one by one
    timed: int

    @property
    def success_rate(self) -> float:
        return self.successes / self.seeds


def summarise(records: Sequence[Record]) -> list[Row]:
    """One row per contestant, in the order they ran (records of a single problem)."""
    names = list(dict.fromkeys(r.contestant for r in records))
    rows = []
    for name in names:
        mine = [r for r in records if r.contestant == name]
        times = [r.time_s for r in mine if r.time_s is not None]
        errors = [r.relative_rmse for r in mine]
        rows.append(Row(name, len(mine), sum(r.success for r in mine), statistics.median(errors),
                        max(errors), statistics.median(times) if times else math.nan, len(times)))
    return rows


def percent(rate: float) -> str:
    """0.995 -> '99.5%': never round a miss up to 100% or a hit down to 0%."""
    text = f"{rate:.0%}"
    return text if (text == "100%") == (rate == 1) and (text == "0%") == (rate == 0) else f"{rate:.1%}"


def cells(row: Row, ours: Row | None) -> list[str]:
    """A row's text: counts, errors, times, and ratios against surefit's row."""
    peer = ours is not None and ours is not row
    return [row.contestant, str(row.seeds),
            f"{percent(row.success_rate)} ({row.successes}/{row.seeds})",
            f"{row.median_error:.3g}", f"{row.worst_error:.3g}", f"{row.median_time_s:.3g} s",
            f"{ours.median_error / row.median_error:.3g}" if peer and row.median_error > 0 else "",
            f"{ours.median_time_s / row.median_time_s:.3g}" if peer else ""]


def surefit_row(rows: Sequence[Row]) -> Row | None:
    return next((r for r in rows if r.contestant.startswith("surefit")), None)


def heading(bp: BenchProblem) -> str:
    net = ",".join(map(str, bp.hidden))
    return f"{bp.title}: network {net} {bp.activation}; success: relative RMSE <= {bp.tolerance:.4g}"


def rich_table(bp: BenchProblem, records: Sequence[Record]) -> Table:
    rows = summarise(records)
    table = Table(title=heading(bp), title_justify="left")
    for c in COLUMNS:
        table.add_column(c, overflow="fold")
    for row in rows:
        table.add_row(*cells(row, surefit_row(rows)))
    return table


def print_table(bp: BenchProblem, records: Sequence[Record], console: Console) -> None:
    console.print(rich_table(bp, records))


def markdown_table(bp: BenchProblem, records: Sequence[Record]) -> str:
    rows = summarise(records)
    lines = [f"### {heading(bp)}", "", "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cells(row, surefit_row(rows))) + " |" for row in rows]
    return "\n".join(lines)


def cpu_model() -> str:
    """The CPU's name: /proc/cpuinfo on Linux, else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> list[str]:
    versions = ", ".join(f"{p} {_version(p)}" for p in ("surefit", "torch", "keras", "scikit-learn", "numpy"))
    return [f"- machine: {cpu_model()}, {os.cpu_count()} cores, {platform.platform()}",
            f"- torch threads: {torch.get_num_threads()}; Python {platform.python_version()}; {versions}",
            f"- date: {now()}"]


def writable(text: str) -> Path:
    """--out's type: the path, if a file can be written there; else argparse's one-line error,
    before the run (which writes its records after every seed) rather than minutes into it."""
    try:
        return check_writable(text)
    except SurefitError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def now() -> str:
    return f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def write_markdown(path: Path, sections: list[tuple[BenchProblem, list[Record]]],
                   notes: list[str], command: str) -> None:
    """RESULTS.md: the machine, the date, the tables and what was scaled down; all or nothing."""
    text = ["# surefit benchmark against the peers", "", f"`{command}`", "", *machine(), "",
            "Errors are relative RMSE (RMSE / std of the target) on surefit's dense held-out grid, "
            "the same for every contestant; times are per fit, training only. "
            "Ratios are surefit / peer: below 1 means surefit has the smaller error or the shorter time.",
            ""]
    for bp, records in sections:
        text += [markdown_table(bp, records), ""]
    text += ["## Notes", "", *[f"- {n}" for n in notes], ""]
    with atomic_path(path) as tmp:
        Path(tmp).write_text("\n".join(text))


def write_records(path: Path, dated: Sequence[tuple[str, Record]]) -> None:
    """Every fit's record with the date of its run, as JSON, so later runs can reuse rows."""
    payload = [{"date": date, **dataclasses.asdict(r)} for date, r in dated]
    with atomic_path(path) as tmp:
        Path(tmp).write_text(json.dumps(payload, indent=1) + "\n")


def read_records(path: Path) -> list[tuple[str, Record]]:
    """[(date of its run, record)]; no file: []."""
    if not path.exists():
        return []
    return [(r.pop("date"), Record(**r)) for r in json.loads(path.read_text())]
