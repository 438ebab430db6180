import json
from dataclasses import replace

import numpy as np
import pytest

from surefit.cli import main
from surefit.engines import LocalEngine, RayEngine, Trial, chunks
from surefit.fitting import fit_problem
from surefit.settings import FitSettings
from surefit.settings import MinimalSettings
from surefit.smallest import minimal, search
from surefit.plan import plan
from surefit.errors import SurefitError
from surefit.problem import from_arrays, from_function
from surefit.studies import configurations, study, theory_success


@pytest.fixture(scope="module")
def abs_problem():
    return from_function("abs(x)", (-1000, 1000), points=400)


@pytest.fixture(scope="module")
def ray_instance():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


# LM from a naive init fails about a third of the seeds; Adam with few steps also revives dead units.
# Even candidates: with one candidate per seed, MKL's batched matmul rounds odd batch entries
# differently from a lone matrix, and stacked and lone fits then agree only to rounding.
CONFIGS = [FitSettings(hidden=(2,), init="naive", trainer="lm", candidates=2, tol=1e-4),
           FitSettings(hidden=(3,), init="glorot", trainer="adam", candidates=2, max_steps=100)]


def same(a: list[Trial], b: list[Trial]) -> None:
    assert a == b  # seeds, metrics, statuses, steps, times aside from theta ...
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.theta, y.theta)  # ... and bitwise the same networks


@pytest.mark.parametrize("settings", CONFIGS)
def test_batched_engine_equals_single_fits(abs_problem, settings):
    seeds = [0, 1, 2, 5, 9]
    batched = LocalEngine(max_chunk=3).run(abs_problem, [settings], seeds)[0]
    alone = [Trial.of(fit_problem(abs_problem, replace(settings, seed=s))) for s in seeds]
    same([replace(t, time_s=0.0) for t in batched], [replace(t, time_s=0.0) for t in alone])
    assert len({t.metrics["relative_rmse"] for t in batched}) > 1  # the seeds really differ


def test_ray_engine_equals_local_engine(abs_problem, ray_instance):
    seeds = range(5)
    local = LocalEngine().run(abs_problem, CONFIGS, seeds)
    remote = RayEngine(max_chunk=2).run(abs_problem, CONFIGS, seeds)
    assert len(remote) == len(CONFIGS)
    for a, b in zip(local, remote):
        same([replace(t, time_s=0.0) for t in a], [replace(t, time_s=0.0) for t in b])


def test_chunks_are_even_and_bounded(abs_problem):
    settings = CONFIGS[0]
    assert [len(c) for c in chunks(abs_problem, settings, range(10), max_chunk=4)] == [4, 3, 3]
    per_seed = plan(abs_problem, settings).memory  # the planned peak of one seed's fit
    assert max(len(c) for c in chunks(abs_problem, settings, range(10), memory=int(3.5 * per_seed))) == 3
    assert sum(chunks(abs_problem, settings, range(10), memory=1), []) == list(range(10))


def test_configurations_are_the_product_of_the_sweep():
    configs = configurations(FitSettings(candidates=1), init=["naive", "data"], trainer=["adam", "lm"],
                             hidden=[(2,), (3,)])
    assert len(configs) == 8
    assert {(c.init, c.trainer, c.hidden) for c in configs} == {
        (i, t, h) for i in ("naive", "data") for t in ("adam", "lm") for h in ((2,), (3,))}
    assert all(c.candidates == 1 for c in configs)
    with pytest.raises(ValueError):
        configurations(FitSettings(), seed=[1, 2])


def test_theory_applies_to_abs_with_sign_symmetric_init_and_no_revival(abs_problem):
    naive = FitSettings(hidden=(2,), init="naive", candidates=1, revive_every=None)
    assert theory_success(abs_problem, naive) == 0.5
    assert theory_success(abs_problem, replace(naive, revive_every=20)) is None  # revival re-places units
    assert theory_success(abs_problem, replace(naive, hidden=(4,), candidates=3)) == 1 - 2.0 ** -9
    assert theory_success(abs_problem, replace(naive, init="data")) is None
    assert theory_success(from_function("x**2", (-1, 1)), naive) is None


def test_study_of_abs_data_init_beats_naive(abs_problem):
    configs = configurations(FitSettings(hidden=(2,), trainer="lm", candidates=1, tol=1e-4),
                             init=["data", "naive"], revive_every=[20, None])
    assert [c.revive_every for c in configs[:2]] == [20, None]
    data, data_bare, naive, naive_bare = study(abs_problem, configs, range(40), threshold=1e-2)
    assert data.success_rate == data_bare.success_rate == 1.0 and data.theory is None
    # the theory (a fit fails when both units face one way) holds only where nothing re-places units
    assert naive.theory is None and naive_bare.theory == 0.5
    assert naive.config["revive_every"] == 20 and naive_bare.config["revive_every"] is None
    # Margins measured on 40 seeds, with the default kernels and with ATEN_CPU_CAPABILITY=default,
    # MKL_CBWR=COMPATIBLE, OPENBLAS_CORETYPE=Prescott: bare naive 17/40 both times (whether the two
    # units face one way is fixed by the seed, not by rounding), naive with revival 30/40 and 32/40.
    # With nothing re-placing units, a naive init succeeds at most when its units face both ways:
    assert naive_bare.ci_low <= 0.5 and naive_bare.ci_high < data.ci_low  # holds up to 25 successes
    assert naive_bare.successes <= naive.successes  # revival only adds successes
    # every data fit succeeds; a quarter or more of the bare naive ones miss half the V (error ~0.83).
    # (Naive with revival is not compared: its third quartile sits at the threshold and moved with the kernels.)
    assert data.q1_error <= data.median_error <= data.q3_error <= 1e-2 < 0.5 < naive_bare.q3_error


@pytest.mark.parametrize("candidates,threshold", [(1, 1e-2), (None, 1e-3)])
def test_minimal_width_for_abs_is_two(abs_problem, candidates, threshold):
    # one network per seed at 1% of the spread of |x|, and surefit fit's own candidates at the
    # issue's 1e-3: one unit cannot get below 0.83, two can get to zero
    result = minimal(abs_problem, FitSettings(candidates=candidates), MinimalSettings(threshold=threshold, seeds=20))
    assert (result.width, result.depth) == (2, 1)
    rows = {r["width"]: r for r in result.table}
    assert rows[1]["successes"] == 0 and not rows[1]["passed"]  # one unit cannot bend both ways
    assert rows[2]["successes"] == 20 and rows[2]["passed"]


@pytest.fixture(scope="module")
def noisy_wave():
    """sin(3x) + 10% noise, 500 rows, a fifth held out: measured data, and the exact function beside."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-3, 3, 500)
    return from_arrays(x, np.sin(3 * x) + 0.1 * rng.standard_normal(500))


def truth_error(problem, width: int) -> float:
    grid = np.linspace(-3, 3, 1000)
    fit = fit_problem(problem, FitSettings(hidden=(width,), activation="tanh"))
    return float(np.sqrt(np.mean((fit.predict(grid) - np.sin(3 * grid)) ** 2)))


def test_the_smallest_network_for_measured_data_is_the_first_to_reach_the_noise(noisy_wave):
    """No threshold: a seed succeeds when its held-out error is at the estimated noise level. The
    oracle, the exact function: the width found fits it to under half the noise, one unit fewer
    misses it by more than the noise (measured: 4 tanh units 0.026, 3 units 0.20; 8 units 0.025)."""
    result = minimal(noisy_wave, FitSettings(activation="tanh"), MinimalSettings(seeds=3))
    width, rows = result.width, {r["width"]: r for r in result.table}
    assert result.success.threshold is None and result.depth == 1
    assert rows[width]["passed"] and not rows[width - 1]["passed"]
    assert truth_error(noisy_wave, width) < 0.05 and truth_error(noisy_wave, width - 1) > 0.1


def test_with_several_inputs_the_smallest_network_is_the_first_within_reach_of_a_wide_one():
    """No fit shows the noise level of data with several inputs (result.noise_limit): the bar is what
    64 units reach, within what the held-out rows can tell. sin(3 a) + b + 10% noise: the width
    found fits the exact function about as well as 64 units, one unit fewer far worse (measured: 2
    units 0.015, 64 units 0.017, 1 unit 0.40)."""
    rng = np.random.default_rng(0)
    X, grid = rng.uniform(-1, 1, (300, 2)), rng.uniform(-1, 1, (4000, 2))

    def truth(X):
        return np.sin(3 * X[:, 0]) + X[:, 1]

    problem = from_arrays(X, truth(X) + 0.1 * rng.standard_normal(300))
    result = minimal(problem, FitSettings(activation="tanh"), MinimalSettings(seeds=2, max_width=16))
    assert "of what 64 tanh units reach" in result.success.words and result.success.threshold > 0
    width, rows = result.width, {r["width"]: r for r in result.table}
    assert rows[width]["passed"] and not rows[width - 1]["passed"]

    def error(width):  # oracle: the exact function
        fit = fit_problem(problem, FitSettings(hidden=(width,), activation="tanh"))
        return float(np.sqrt(np.mean((fit.predict(grid) - truth(grid)) ** 2)))

    assert error(width) < 2 * error(64) < 0.1 < error(width - 1)


def test_success_at_the_noise_level_needs_measured_data_and_rows_enough(abs_problem, noisy_wave):
    with pytest.raises(SurefitError, match="success at the noise level is for measured data"):
        study(abs_problem, [FitSettings()], range(1), threshold=None)
    two = from_arrays(np.column_stack([noisy_wave.X[:, 0], noisy_wave.y]), noisy_wave.y)
    with pytest.raises(SurefitError, match="^with 2 inputs no fit shows it is at the noise level"):
        study(two, [FitSettings()], range(1), threshold=None)
    few = from_arrays(noisy_wave.X[:40], noisy_wave.y[:40])  # 8 held out: a margin of 2 sqrt(1/16 + 1/32) = 61%
    with pytest.raises(SurefitError, match="^scored on 8 held-out rows, too few to tell a fit at the noise level from one 41% above"):
        study(few, [FitSettings()], range(1), threshold=None)


def test_cli_minimal_of_a_csv_reaches_the_noise_level(tmp_path, noisy_wave):
    csv, out = tmp_path / "wave.csv", tmp_path / "minimal.json"
    np.savetxt(csv, np.column_stack([noisy_wave.X[:, 0], noisy_wave.y]), delimiter=",", header="x,y", comments="")
    assert main(["minimal", "--csv", str(csv), "--target", "y", "--activation", "tanh", "--seeds", "2",
                 "--max-width", "2", "--json", str(out), "--quiet"]) == 1  # two units cannot reach it
    answer = json.loads(out.read_text())
    assert answer["threshold"] is None and answer["success"] == "held-out error is at the estimated noise level"
    assert [r["width"] for r in answer["table"]] == [1, 2] and answer["width"] is None


def test_search_finds_the_first_passing_width():
    tried = []

    def passes(width):
        tried.append(width)
        return width >= 13

    assert search(passes, 64) == 13
    assert tried == [1, 2, 4, 8, 16, 12, 14, 13]
    assert search(lambda w: False, 20) is None


def test_cli_study_and_minimal_write_json(tmp_path, capsys):
    path, png = tmp_path / "study.json", tmp_path / "study.png"
    assert main(["study", "abs(x)", "--domain", "-1:1", "--hidden", "2", "--seeds", "6", "--init", "naive", "data",
                 "--trainer", "lm", "--json", str(path), "--plot", str(png), "--quiet"]) == 0
    results = json.loads(path.read_text())["results"]
    assert [r["config"]["init"] for r in results] == ["naive", "data"]
    assert {"config", "seeds", "success_rate", "ci_low", "ci_high", "median_error", "median_time_s"} <= set(results[0])
    assert results[1]["success_rate"] == 1.0 and png.stat().st_size > 0
    out = tmp_path / "minimal.json"
    assert main(["minimal", "abs(x)", "--domain", "-1:1", "--seeds", "5", "--threshold", "1e-2", "--json", str(out),
                 "--quiet"]) == 0
    answer = json.loads(out.read_text())
    assert (answer["width"], answer["depth"]) == (2, 1) and [r["width"] for r in answer["table"]] == [1, 2]
    assert "smallest width 2" in capsys.readouterr().out


def test_cli_refuses_bad_options(capsys):
    assert main(["study", "abs(x)", "--domain", "-1:1", "--address", "auto", "--quiet"]) == 2
    assert main(["study", "abs(x)", "--domain", "-1:1", "--candidates", "one", "--quiet"]) == 2
    assert main(["minimal", "abs(x)", "--domain", "-1:1", "--depths", "0", "--quiet"]) == 2
    assert capsys.readouterr().err.count("surefit: error:") == 3
