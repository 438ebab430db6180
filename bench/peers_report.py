"""The tables of the peers' benchmark: one per case, the limits, and time against N.

Rows come from report.summarise and report.cells (the first benchmark's medians and
ratios: surefit / peer, below 1 means surefit has the smaller error or the shorter
time), with what these tables add: parameters, fits that hit the time cap or crashed,
and the memory a fit added to its process.
"""
from __future__ import annotations

import math
import statistics
from typing import Sequence

from rich.markup import escape
from rich.table import Table

import report
from peer_cases import PeerRecord

COLUMNS = ["contestant", "params", *report.COLUMNS[1:], "median CPU / fit", "CPU ratio surefit/peer",
           "capped / crashed", "memory added"]


def _params(records: Sequence[PeerRecord]) -> str:
    return "/".join(sorted({str(r.params) for r in records if r.params is not None}, key=int))


def _cpu(records: Sequence[PeerRecord]) -> float:
    cpu = [r.cpu_s for r in records if r.cpu_s is not None]
    return statistics.median(cpu) if cpu else math.nan


def _memory(records: Sequence[PeerRecord]) -> str:
    added = [r.added_mb for r in records if r.added_mb is not None]
    return f"{statistics.median(added):.0f} MiB" if added else ""


def case_rows(records: Sequence[PeerRecord]) -> list[list[str]]:
    """The text of a case's table: a row per contestant, in the order they ran."""
    rows = report.summarise(records)
    ours = report.surefit_row(rows)
    our_cpu = _cpu([r for r in records if ours and r.contestant == ours.contestant])
    out = []
    for row in rows:
        mine = [r for r in records if r.contestant == row.contestant]
        text, cpu = report.cells(row, ours), _cpu(mine)
        ratio = f"{our_cpu / cpu:.3g}" if ours and row is not ours and cpu > 0 and not math.isnan(our_cpu) else ""
        out.append([text[0], _params(mine), *text[1:], "" if math.isnan(cpu) else f"{cpu:.3g} s", ratio,
                    f"{sum(r.timed_out for r in mine)} / {sum(bool(r.error) for r in mine)}", _memory(mine)])
    return out


def heading(case, limit: tuple[float, str] | None) -> str:
    net = ",".join(map(str, case.hidden))
    text = f"{case.title}: network {net} {case.activation}; success: relative RMSE <= {case.tolerance:.4g}"
    return text + (f"; limit {limit[0]:.3g} ({limit[1]})" if limit else "")


def limit_rows(sections) -> list[list[str]]:
    """surefit's median beside each case's limit: [(case, records, limit)]."""
    out = []
    for case, records, limit in sections:
        ours = [r.relative_rmse for r in records if r.contestant.startswith("surefit")]
        if not ours or limit is None:
            continue
        median = statistics.median(ours)
        out.append([case.key, f"{','.join(map(str, case.hidden))} {case.activation}", f"{median:.3g}",
                    f"{limit[0]:.3g}", f"{median / limit[0]:.3g}" if limit[0] > 0 else "", limit[1]])
    return out


LIMIT_COLUMNS = ["case", "network", "surefit median rel. RMSE", "limit", "surefit / limit", "limit is"]
SCALING_COLUMNS = ["case", "N", "contestant", "median time", "median CPU", "growth exponent (CPU)",
                   "median rel. RMSE", "memory added", "capped / crashed"]


def scaling_rows(sections) -> list[list[str]]:
    """Time against N per contestant. The growth exponent is d log(time) / d log(N) since the
    previous N, on CPU time (a busy machine stretches wall time unevenly); 1 is linear."""
    out, last = [], {}
    for case, records, _ in sections:
        n = len(case.problem.X)
        for name in dict.fromkeys(r.contestant for r in records):
            mine = [r for r in records if r.contestant == name]
            wall = statistics.median(r.time_s or math.nan for r in mine)
            cpu = [r.cpu_s for r in mine if r.cpu_s is not None]
            cpu = statistics.median(cpu) if cpu else math.nan
            capped = any(r.timed_out or r.error for r in mine)
            growth = ""
            if name in last and case.key.startswith("sin2x") and not capped and not last[name][2]:
                n0, c0, _ = last[name]
                growth = f"{math.log(cpu / c0) / math.log(n / n0):.2f}"
            if case.key.startswith("sin2x"):
                last[name] = (n, cpu, capped)
            out.append([case.key, f"{n:,}", name, f"{'>= ' if capped else ''}{wall:.3g} s",
                        "" if math.isnan(cpu) else f"{cpu:.3g} s", growth,
                        f"{statistics.median(r.relative_rmse for r in mine):.3g}", _memory(mine),
                        f"{sum(r.timed_out for r in mine)} / {sum(bool(r.error) for r in mine)}"])
    return out


def rich_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = Table(title=escape(title), title_justify="left")
    for c in columns:
        table.add_column(c, overflow="fold")
    for row in rows:
        table.add_row(*map(escape, row))
    return table


def markdown_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [f"### {title}", "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
