"""Summaries of the noisy benchmark's records: tables per case group, the issue's
done-means as PASS/FAIL lines, and bench/RESULTS-noisy.md.

Every ratio is surefit / peer on the data seeds both ran (a slow peer may have run
fewer), median over median: above 1 means surefit's error (or time) is the larger.
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Callable, Iterable, NamedTuple, Sequence

from scipy.stats import binomtest

from noisy_cases import Case, net_label
from noisy_peers import CONTESTANTS, GP, MLPS, RIDGE, SUREFIT, NoisyRecord

SUREFITS = (SUREFIT, "surefit.Regressor")
PEERS = [c.name for c in CONTESTANTS if c.name not in SUREFITS]
GP_BOUND, BIG_BOUND, NOISE_BOUND, NOISELESS_BOUND = 1.25, 1.3, 0.3, 1e-4
BIG, SMALL = (64, 64), (8,)

Key = tuple[str, str, str]  # (case, net, contestant)


def grouped(records: Iterable[NoisyRecord]) -> dict[Key, list[NoisyRecord]]:
    rows = defaultdict(list)
    for r in records:
        rows[(r.case, r.net, r.contestant)].append(r)
    return rows


def median(records: Sequence[NoisyRecord], field: str = "rmse") -> float:
    return statistics.median(getattr(r, field) for r in records) if records else math.nan


def on_common_seeds(ours: Sequence[NoisyRecord], theirs: Sequence[NoisyRecord]) -> tuple[list, list]:
    """The records of the seeds both ran, each list in seed order (a run has one record per seed)."""
    seeds = {r.seed for r in ours} & {r.seed for r in theirs}
    return tuple(sorted((r for r in rs if r.seed in seeds), key=lambda r: r.seed) for rs in (ours, theirs))


def paired_ratio(ours: Sequence[NoisyRecord], theirs: Sequence[NoisyRecord], field: str = "rmse") -> float:
    """median(ours) / median(theirs) over the seeds both have; nan if none."""
    a, b = on_common_seeds(ours, theirs)
    if not a:
        return math.nan
    top, bottom = median(a, field), median(b, field)
    return top / bottom if bottom > 0 else (1.0 if top == bottom else math.inf)


def fmt(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def peer_of(rows, case: str, net: str, peer: str) -> list[NoisyRecord]:
    """A peer's records against one of surefit's networks: its own network's, or its only ones."""
    return rows.get((case, net, peer)) or rows.get((case, "", peer), [])


def error_table(cases: Sequence[Case], rows) -> list[str]:
    """One line per case and network: surefit's median (worst) error, each peer's median and ratio."""
    peers = [p for p in PEERS if any(k[2] == p for k in rows)]
    head = ["case", "net", "sigma", "seeds", f"{SUREFIT} median (worst)", "surefit.Regressor",
            *[f"{p} (ratio)" for p in peers]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case, net in case_nets(cases, rows):
        ours = rows[(case.key, net, SUREFIT)]
        cells = [case.key, net, fmt(case.sigma), str(len(ours)),
                 f"{fmt(median(ours))} ({fmt(max(r.rmse for r in ours))})",
                 fmt(median(rows.get((case.key, net, SUREFITS[1]), [])))]
        for p in peers:
            theirs = peer_of(rows, case.key, net, p)
            cells.append(f"{fmt(median(theirs))} ({fmt(paired_ratio(ours, theirs))})" if theirs else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def time_table(cases: Sequence[Case], rows) -> list[str]:
    """Median seconds per fit (training only), and surefit.fit's time over each peer's."""
    names = [n for n in (*SUREFITS, *PEERS) if any(k[2] == n for k in rows)]
    head = ["case", "net", *[n if n in SUREFITS else f"{n} (ratio)" for n in names]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case, net in case_nets(cases, rows):
        ours = rows[(case.key, net, SUREFIT)]
        cells = [case.key, net]
        for n in names:
            theirs = peer_of(rows, case.key, net, n)
            ratio = "" if n in SUREFITS else f" ({fmt(paired_ratio(ours, theirs, 'time_s'))})"
            cells.append(f"{fmt(median(theirs, 'time_s'))} s{ratio}" if theirs else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def detail_table(cases: Sequence[Case], rows) -> list[str]:
    """Every row: seeds, median and worst error, median relative error and time."""
    head = ["case", "net", "contestant", "seeds", "median RMSE", "worst RMSE", "median RMSE / std",
            "median time / fit"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in cases:
        for (key, net, name), mine in rows.items():
            if key == case.key:
                lines.append("| " + " | ".join([key, net or "(none)", name, str(len(mine)), fmt(median(mine)),
                                                fmt(max(r.rmse for r in mine)), fmt(median(mine, "relative_rmse")),
                                                f"{fmt(median(mine, 'time_s'))} s"]) + " |")
    return lines


def case_nets(cases: Sequence[Case], rows) -> list[tuple[Case, str]]:
    """(case, network) pairs surefit.fit ran, in the cases' order."""
    return [(c, net_label(n)) for c in cases for n in c.nets if (c.key, net_label(n), SUREFIT) in rows]


def check(label: str, results: list[tuple[str, float]], bound: float, what: str = "cases") -> str:
    """'PASS label: 12/12 cases; worst 0.8 at ...' from (where, ratio) pairs; ratio <= bound passes."""
    if not results:
        return f"SKIP {label}: no such case in this run"
    known = [(w, r) for w, r in results if not math.isnan(r)]
    passed = sum(r <= bound for _, r in known)
    where, worst = max(known, key=lambda wr: wr[1]) if known else ("", math.nan)
    verdict = "PASS" if passed == len(results) else "FAIL"
    return f"{verdict} {label}: {passed}/{len(results)} {what}; worst {fmt(worst)} at {where}"


class Comparison(NamedTuple):
    """surefit against one peer on one case and network: where, the paired median ratio, the records."""
    where: str
    ratio: float
    ours: Sequence[NoisyRecord]
    theirs: Sequence[NoisyRecord]


class PeerCheck(NamedTuple):
    """A done-mean that compares surefit with peers: its words, the peers, which (case, net) pairs, the bound."""
    what: str
    peers: Sequence[str]
    keep: Callable[[Case, tuple], bool]
    bound: float


PEER_CHECKS = (
    PeerCheck("<= best sklearn MLP (same layers) on every noisy 1-D case", MLPS,
              lambda c, n: c.noisy and c.inputs == 1, 1.0),
    PeerCheck(f"within {GP_BOUND}x of the Gaussian process, tanh on smooth noisy targets", [GP],
              lambda c, n: c.noisy and c.smooth and n[1] == "tanh", GP_BOUND),
    PeerCheck("<= best sklearn MLP (same layers) on friedman1", MLPS, lambda c, n: c.key.startswith("friedman1"), 1.0),
    PeerCheck("<= RidgeCV on diabetes (held-out RMSE)", [RIDGE], lambda c, n: c.group == "diabetes", 1.0))


def worst_peers(rows, cases, ours_name: str, peers: Sequence[str], keep) -> list[Comparison]:
    """For each (case, net) that `keep` admits, the comparison with the peer surefit does worst against."""
    out = []
    for case in cases:
        for net in case.nets:
            label = net_label(net)
            ours = rows.get((case.key, label, ours_name))
            if not ours or not keep(case, net):
                continue
            found = [Comparison(f"{case.key} {label} (vs {p})", paired_ratio(ours, theirs), ours, theirs)
                     for p in peers if (theirs := peer_of(rows, case.key, label, p))]
            if found:
                out.append(max(found, key=lambda c: -math.inf if math.isnan(c.ratio) else c.ratio))
    return out


def against(rows, cases, ours_name: str, peers: Sequence[str], keep) -> list[tuple[str, float]]:
    """(case net (vs worst peer), max over peers of ours / peer) for the (case, net) pairs `keep` admits."""
    return [(c.where, c.ratio) for c in worst_peers(rows, cases, ours_name, peers, keep)]


def seeds_within(c: Comparison, bound: float) -> str:
    """On how many of the seeds both ran surefit's error is within bound x the peer's, with the 95%
    Clopper-Pearson interval of that share (scipy's binomtest): a median ratio over the bound whose
    interval still holds one half is a failure these seeds cannot tell from a tie (a sign test)."""
    paired = list(zip(*on_common_seeds(c.ours, c.theirs)))
    k = sum(a.rmse <= bound * b.rmse for a, b in paired)
    ci = binomtest(k, len(paired)).proportion_ci()
    tie = "cannot be told from a tie" if ci.low <= 0.5 <= ci.high else "a failure beyond the seeds' spread"
    return (f"{c.where}: {c.ratio:.3f}; within {bound:g}x the peer's error on {k}/{len(paired)} seeds "
            f"(95% CI {ci.low:.0%}-{ci.high:.0%}): {tie}")


def failures_by_seed(records: Sequence[NoisyRecord], cases: Sequence[Case]) -> list[str]:
    """Every comparison of checks() against peers whose median ratio is over its bound, seed by seed."""
    rows = grouped(records)
    return [seeds_within(c, pc.bound) for pc in PEER_CHECKS
            for c in worst_peers(rows, cases, SUREFIT, pc.peers, pc.keep) if c.ratio > pc.bound]


def bigger_against_smaller(rows, cases, ours_name: str) -> list[tuple[str, float]]:
    out = []
    for case in cases:
        for act in ("tanh", "relu"):
            big, small = (rows.get((case.key, net_label((w, act)), ours_name)) for w in (BIG, SMALL))
            if case.noisy and big and small:
                out.append((f"{case.key} {act}", paired_ratio(big, small)))
    return out


def noise_fits(rows, cases, ours_name: str) -> list[tuple[str, float]]:
    """Per fit: |estimate / sigma - 1| (inf when the result has no estimate), cases with sigma and >= 100 points."""
    out = []
    for case in cases:
        if not case.sigma or case.n < 100:
            continue
        for (key, net, name), mine in rows.items():
            if key == case.key and name == ours_name:
                out += [(f"{key} {net} seed {r.seed}", math.inf if r.noise_level is None
                         else abs(r.noise_level / case.sigma - 1)) for r in mine]
    return out


def surefits_in(records: Sequence[NoisyRecord]) -> list[str]:
    """The ways into surefit (surefit.fit, surefit.Regressor) that ran, in SUREFITS' order."""
    return [s for s in SUREFITS if any(r.contestant == s for r in records)]


def checks(records: Sequence[NoisyRecord], cases: Sequence[Case]) -> list[str]:
    """The issue's done-means, one line each, for each way into surefit that ran."""
    rows = grouped(records)
    lines = []
    for ours in surefits_in(records):
        lines += [check(f"{ours} {pc.what}", against(rows, cases, ours, pc.peers, pc.keep), pc.bound)
                  for pc in PEER_CHECKS]
        lines += [
            check(f"{ours} 64,64 <= {BIG_BOUND}x the 8-unit net on the same noisy data",
                  bigger_against_smaller(rows, cases, ours), BIG_BOUND),
            check(f"{ours} noise_level within {NOISE_BOUND:.0%} of the true sigma (>= 100 points; "
                  "inf: not reported)", noise_fits(rows, cases, ours), NOISE_BOUND, "fits"),
            check(f"{ours} sentence mentions the noise on noisy data (a proxy for 'names the right limit')",
                  [(f"{r.case} {r.net} seed {r.seed}", 0.0 if "noise" in (r.sentence or "") else 1.0)
                   for c in cases if c.noisy for r in records if r.case == c.key and r.contestant == ours],
                  0.5, "fits"),
            check(f"{ours} noiseless sin(2x), 8 tanh: relative RMSE <= {NOISELESS_BOUND:g} on every seed",
                  [(f"{r.case} seed {r.seed} (relative RMSE / bound)", r.relative_rmse / NOISELESS_BOUND)
                   for c in cases if not c.noisy for r in records
                   if r.case == c.key and r.contestant == ours and r.net == "8 tanh"], 1.0, "seeds"),
        ]
    return lines


def sentence_against_truth(records: Sequence[NoisyRecord], cases: Sequence[Case]) -> list[str]:
    """How often the sentence's limit contradicts the error against the truth, per way into surefit:
    "above the estimated noise level" where that error is under half the noise (the network has
    captured the signal, yet the sentence asks for a larger one), "at" where it is over the noise.
    Not a done-mean: a fit whose error is between the two may say either."""
    known = {c.key: c.sigma for c in cases if c.sigma and c.truth}
    lines = []
    for ours in surefits_in(records):
        mine = [r for r in records if r.contestant == ours and r.case in known and r.sentence]
        above = sum("is above the estimated noise level" in r.sentence and r.rmse < known[r.case] / 2 for r in mine)
        at = sum("is at the estimated noise level" in r.sentence and r.rmse > known[r.case] for r in mine)
        if mine:
            lines.append(f"{ours}: 'above the noise' where the error against the truth is under half the noise: "
                         f"{above} of {len(mine)} fits; 'at the noise' where it is over the noise: {at}")
    return lines


def group_sections(records: Sequence[NoisyRecord], cases: Sequence[Case], details: bool = True) -> list[str]:
    rows = grouped(records)
    text = []
    for group in dict.fromkeys(c.group for c in cases):
        mine = [c for c in cases if c.group == group and any(k[0] == c.key for k in rows)]
        if not mine:
            continue
        text += [f"## {group}", "", *[f"- `{c.key}`: {c.title}" for c in mine], "",
                 "Error against the truth (RMSE; diabetes: held-out RMSE), median over seeds; "
                 "a peer's cell is its median (surefit.fit / peer).", "",
                 *error_table(mine, rows), "", "Median time per fit (training only; surefit.fit / peer).", "",
                 *time_table(mine, rows), ""]
        if details:
            text += ["<details><summary>every row</summary>", "", *detail_table(mine, rows), "", "</details>", ""]
    return text
