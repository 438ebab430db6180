"""Smoke tests of the peers' benchmark (bench/peers_run.py): every contestant runs one seed
with minimal effort through the path the benchmark takes and returns a well-formed record;
the time and memory caps work; the limits match optima known in closed form. The peers'
rows are skipped where the optional extra `peers` is not installed (CI installs `.[all]`).
The real numbers come from `python bench/peers_run.py`, not from here."""
from __future__ import annotations

import gc
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import isolated  # noqa: E402
import limits  # noqa: E402
import peers_report  # noqa: E402
import peers_run  # noqa: E402
from peer_cases import ALL, TABLES, PeerRecord, mlp_params  # noqa: E402

TINY = 1e-4  # one step, one iteration, one epoch
ARGS = peers_run.parse(["--quick"])
ARGS.effort = TINY
FIRST = {"scaling": "sin2x_1e3"}  # the first case of each table, but the smallest of the scaling table


def first_case(table: str):
    return ALL[FIRST.get(table, TABLES[table][0])]


def check(record: PeerRecord, name: str, case, table: str) -> None:
    assert (record.contestant, record.problem, record.seed, record.table) == (name, case.key, 0, table)
    assert not record.timed_out and record.error == ""
    assert record.relative_rmse >= 0 and not math.isnan(record.relative_rmse)
    assert record.time_s is not None and record.time_s > 0
    assert record.success == (record.relative_rmse <= case.tolerance)
    assert record.params is not None and record.params > 0
    assert record.added_mb is not None and record.added_mb >= 0
    assert record.cpu_s is not None and record.cpu_s > 0


CORE = [(t, c) for t in TABLES for c in peers_run.roster(t) if c.family in ("surefit", "sklearn")]


@pytest.mark.parametrize("table,contestant", CORE, ids=[f"{t}-{c.name}" for t, c in CORE])
def test_surefit_and_sklearn_return_well_formed_records(table, contestant):
    case = first_case(table)
    record = peers_run.measure(contestant, case, 0, ARGS, table)
    check(record, contestant.name, case, table)
    assert record.params == mlp_params(case)


def test_torch_lm_setups_return_well_formed_records():
    pytest.importorskip("torch_levenberg_marquardt")
    for table in ("oscillating", "seeds"):
        case = first_case(table)
        peers = [c for c in peers_run.roster(table) if c.family == "torchlm"]
        assert len(peers) == 2
        for c in peers:
            check(peers_run.measure(c, case, 0, ARGS, table), c.name, case, table)


def test_kan_setups_return_well_formed_records_with_kans_parameter_count():
    pytest.importorskip("kan")
    case = ALL["j0kan"]  # one input: 5 + 5 edges of (grid + k + 2) numbers
    peers = [c for c in peers_run.roster("pykan") if c.family == "pykan"]
    records = [peers_run.measure(c, case, 0, ARGS, "pykan") for c in peers]
    for c, r in zip(peers, records):
        check(r, c.name, case, "pykan")
    assert [r.params for r in records] == [10 * (5 + 3 + 2), 10 * (20 + 3 + 2)]


def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_fit_past_the_cap_is_stopped_and_a_crash_is_reported():
    busy = isolated.run(lambda: spin(30), 1)  # the cap is on CPU time ...
    assert busy.timed_out and busy.value is None and 0.9 < busy.cpu_s < 5
    before, isolated.WALL_EXTRA_S = isolated.WALL_EXTRA_S, 0.5
    try:
        idle = isolated.run(lambda: time.sleep(60), 0.1)  # ... and a hang meets the wall-clock cap
    finally:
        isolated.WALL_EXTRA_S = before
    assert idle.timed_out and idle.value is None and idle.cpu_s is None
    broken = isolated.run(lambda: 1 / 0, 10)
    assert not broken.timed_out and "ZeroDivisionError" in broken.error
    assert isolated.run(lambda: 42, 10).value == 42


def test_memory_is_what_the_fit_added_and_the_memory_cap_holds():
    def allocate(mb):
        return lambda: float(np.ones(mb * 2 ** 20 // 8).sum())
    used = isolated.run(allocate(200), 30)
    assert 190 <= used.added_mb <= 260
    cycles = [[np.ones(2 ** 22)] for _ in range(3)]  # 96 MB of garbage a long test run leaves in cycles
    for c in cycles:
        c.append(c)
    del cycles, c
    collecting = isolated.run(lambda: (gc.collect(), allocate(200)())[1], 30)  # freed mid-call: 3-108 MB seen before
    assert 190 <= collecting.added_mb <= 260
    refused = isolated.run(allocate(400), 30, memory_mb=100)
    assert refused.value is None and "MemoryError" in refused.error


def test_one_free_knot_fits_abs_exactly():
    x = np.linspace(-1, 1, 2001)
    error, knots = limits.free_knot_fit(x, np.abs(x), 1)
    assert error < 1e-10 and abs(knots[0]) < 1e-8


@pytest.mark.parametrize("k", [4, 8])
def test_free_knots_on_x_squared_reach_the_even_optimum(k):
    """x^2 bends alike everywhere: the best kinks are evenly spaced, h = 2 / (k + 1), and the best
    continuous PL fit is the interpolant moved down by its mean error: RMSE h^2 / sqrt(180), so
    the relative error falls as 1 / k^2."""
    x = np.linspace(-1, 1, 1001)
    error, knots = limits.free_knot_fit(x, x ** 2, k)
    expected = (2 / (k + 1)) ** 2 / math.sqrt(180) / (x ** 2).std()
    assert error == pytest.approx(expected, rel=2e-3)
    np.testing.assert_allclose(knots, np.linspace(-1, 1, k + 2)[1:-1], atol=0.02)


def test_the_chebyshev_limit_is_exact_for_polynomials_it_can_hold():
    x = np.linspace(-1, 1, 501)[:, None]
    error, degree = limits.chebyshev_fit(x, 1 + x[:, 0] ** 5 - 3 * x[:, 0] ** 2, budget=6)
    assert degree == 5 and error < 1e-12
    X = np.random.default_rng(0).uniform(-1, 1, (400, 2))
    error, degree = limits.chebyshev_fit(X, X[:, 0] ** 2 * X[:, 1] - X[:, 1], budget=10)  # C(3 + 2, 2) = 10
    assert degree == 3 and error < 1e-12
    assert limits.total_degree(2, 51) == 8 and limits.total_degree(10, 769) == 3


def test_each_activation_gets_its_limit():
    assert limits.limit(ALL["abs"])[0] < 1e-10  # 2 kinks: |x| exactly
    error, text = limits.limit(ALL["logtanh"])
    assert 0 < error < 1e-4 and "degree 60" in text


def test_time_against_n_gives_the_growth_exponent():
    def rec(key, name, t):
        return PeerRecord(name, key, 0, 1e-3, 1e-3, 3 * t, True, table="scaling", cpu_s=t)
    sections = [(ALL["sin2x_1e3"], [rec("sin2x_1e3", "surefit: defaults", 2.0)], None),
                (ALL["sin2x_1e4"], [rec("sin2x_1e4", "surefit: defaults", 20.0)], None)]
    rows = peers_report.scaling_rows(sections)
    assert [r[5] for r in rows] == ["", "1.00"]


def test_the_entry_point_writes_tables_and_records(tmp_path):
    out = tmp_path / "RESULTS-peers.md"
    assert peers_run.main(["--quick", "--only", "abs,sin2x_1e3", "--out", str(out)]) == 0
    text = out.read_text()
    assert "QUICK RUN" in text and "Time against N" in text and "Accuracy against the limit" in text
    assert "| surefit: defaults | 61 | 1 |" in text
    records = json.loads(out.with_suffix(".json").read_text())
    assert {r["problem"] for r in records} == {"abs", "sin2x_1e3"}
    assert all(r["contestant"] for r in records)
