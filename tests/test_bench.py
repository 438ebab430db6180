"""Smoke tests of the benchmark harness: every contestant runs one seed with minimal
epochs and returns a well-formed record; scoring, the sqrt oracle and the report
are checked against numbers worked out by hand. The real numbers come from
`python bench/run.py`, not from here."""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import least_squares

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import peers_keras  # noqa: E402
import peers_sklearn  # noqa: E402
import peers_surefit  # noqa: E402
import report  # noqa: E402
import run as bench_run  # noqa: E402
from problems import PROBLEMS, SQRT_MARGIN, Record, _jacobian, _residual, score  # noqa: E402

TINY = 1e-4  # one epoch, one step, one iteration
CASES = [(c, key) for module in (peers_keras, peers_sklearn, peers_surefit)
         for c in module.CONTESTANTS for key in c.problems]


@pytest.mark.parametrize("contestant,key", CASES, ids=[f"{c.name}-{k}" for c, k in CASES])
def test_each_contestant_returns_a_well_formed_record(contestant, key):
    bp = PROBLEMS[key]
    (record,) = bench_run.run_row(contestant, bp, 1, TINY, None)  # the path the benchmark takes
    assert (record.contestant, record.problem, record.seed) == (contestant.name, key, 0)
    assert record.relative_rmse >= 0 and not math.isnan(record.relative_rmse)
    assert record.time_s is not None and record.time_s > 0
    assert record.success == (record.relative_rmse <= bp.tolerance)


def test_the_flux_translation_outputs_exactly_one_like_the_thread():
    bp = PROBLEMS["quad"]
    setup = next(s for s in peers_keras.SETUPS if s.build is peers_keras.build_quad_user)
    record = setup.fit_one(bp, 0, TINY)
    ones = score("ones", bp, 0, np.ones(len(bp.problem.X_eval)), 1.0)
    assert record.relative_rmse == pytest.approx(ones.relative_rmse, rel=1e-12)


def test_the_answers_init_has_one_negative_and_one_positive_weight():
    w = np.asarray(peers_keras.linspace_init((1, 2), dtype="float32"))
    np.testing.assert_array_equal(w, [[-1.0, 1.0]])


def test_score_against_exact_constant_and_nan_predictions():
    bp = PROBLEMS["abs"]
    y = bp.problem.y_eval
    exact = score("x", bp, 0, y, 1.0)
    assert exact.relative_rmse == 0 and exact.success
    mean = score("x", bp, 0, np.full_like(y, y.mean()), 1.0)
    assert mean.relative_rmse == pytest.approx(1.0) and not mean.success
    assert mean.max_error == pytest.approx(np.abs(y - y.mean()).max())
    nan = score("x", bp, 0, np.full_like(y, np.nan), 1.0)
    assert nan.relative_rmse == math.inf and not nan.success


def test_the_sqrt_oracle_is_no_worse_than_the_symmetric_construction_refined():
    """Three kinks through the origin, normals 120 degrees apart, output layer by least
    squares, then every weight refined on the whole grid: a local optimum that the
    oracle's multi-start search must match or beat."""
    problem = PROBLEMS["sqrt"].problem
    X, y = problem.X_eval, problem.y_eval
    angles = np.array([0, 2, 4]) * np.pi / 3
    W = np.stack([np.cos(angles), np.sin(angles)])  # (2, 3)
    A = np.hstack([np.maximum(X @ W, 0), np.ones((len(X), 1))])
    out = np.linalg.lstsq(A, y, rcond=None)[0]
    start = np.concatenate([W.ravel(), np.zeros(3), out])
    refined = least_squares(_residual, start, jac=_jacobian, args=(X, y, 3), method="lm")
    symmetric = np.sqrt(np.mean(refined.fun ** 2)) / y.std()
    best = PROBLEMS["sqrt"].tolerance / SQRT_MARGIN
    assert best <= symmetric * (1 + 1e-6)  # the next-best basin is 2e-4 higher
    assert 0.05 < best < 0.2  # a 3-unit ReLU net cannot be exact for a cone


def test_report_rows_medians_and_ratios():
    def rec(name, err, t):
        return Record(name, "abs", 0, err, err, t, err <= 1e-3)
    records = [rec("keras", 1.0, 10.0), rec("keras", 3.0, 30.0), rec("keras", 0.0005, 20.0),
               rec("surefit: defaults", 1e-4, 0.5), rec("surefit: defaults", 1e-4, None)]
    keras, ours = report.summarise(records)
    assert (keras.seeds, keras.successes, keras.median_error, keras.worst_error, keras.median_time_s) \
        == (3, 1, 1.0, 3.0, 20.0)
    assert (ours.seeds, ours.timed, ours.median_time_s) == (2, 1, 0.5)
    cells = report.cells(keras, ours)
    assert cells[2] == "33% (1/3)" and cells[6] == "0.0001" and cells[7] == "0.025"


def test_the_entry_point_writes_results(tmp_path):
    out = tmp_path / "RESULTS.md"
    assert bench_run.main(["--quick", "--only", "sklearn", "--problems", "abs", "--seeds-peers", "1",
                           "--out", str(out)]) == 0
    text = out.read_text()
    assert "cores" in text and "QUICK RUN" in text
    assert "| sklearn: MLPRegressor defaults | 1 |" in text


def test_a_row_budget_stops_new_seeds_but_keeps_those_run():
    calls = []

    def fake(bp, seeds, effort):
        calls.append(list(seeds))
        return [Record("fake", bp.key, s, 0.0, 0.0, 1.0, True) for s in seeds]
    c = bench_run.Contestant("fake", "sklearn", ("abs",), fake)
    assert [r.seed for r in bench_run.run_row(c, PROBLEMS["abs"], 7, 1.0, None)] == list(range(7))
    assert calls == [[s] for s in range(7)]
    assert [r.seed for r in bench_run.run_row(c, PROBLEMS["abs"], 7, 1.0, -1.0)] == [0]


def test_reuse_takes_rows_from_the_last_run(tmp_path):
    out = tmp_path / "RESULTS.md"
    first = ["--quick", "--only", "sklearn", "--problems", "abs", "--seeds-peers", "2", "--out", str(out)]
    assert bench_run.main(first) == 0
    before = out.with_suffix(".json").read_text()
    # asking for 1 seed while reusing gives the 2 seeds of the earlier run, unchanged
    assert bench_run.main(first[:-3] + ["1", "--reuse", "sklearn", "--out", str(out)]) == 0
    assert out.with_suffix(".json").read_text() == before
    assert "Reused from an earlier run" in out.read_text()


def test_a_success_rate_is_never_rounded_to_all_or_none():
    assert [report.percent(r) for r in (1, 199 / 200, 0.5, 1 / 1000, 0)] == ["100%", "99.5%", "50%", "0.1%", "0%"]


@pytest.mark.parametrize("script", ["run.py", "noisy.py", "peers_run.py"])
def test_a_bench_refuses_an_unwritable_out_before_it_runs(tmp_path, script):
    """One line from argparse, exit 2, and nothing run (the noisy bench wrote its first records
    after a seed's fits and then failed with a traceback)."""
    bench = Path(__file__).resolve().parents[1] / "bench"
    out = tmp_path / "missing" / "RESULTS.md"
    done = subprocess.run([sys.executable, str(bench / script), "--out", str(out)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.endswith(f"argument --out: cannot write {out}: no directory {out.parent}")
