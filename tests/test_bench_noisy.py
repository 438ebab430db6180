"""Smoke tests of the noisy benchmark (bench/noisy.py): every contestant fits one tiny
case and returns a well-formed record; the error is checked against oracles (the truth
scores 0, its mean scores its std); the data, the slow-row caps and the done-means lines
are checked on cases worked out by hand. The real numbers come from `python bench/noisy.py`."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_friedman1

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import noisy  # noqa: E402
import noisy_cases  # noqa: E402
import noisy_peers  # noqa: E402
import noisy_report  # noqa: E402
from noisy_peers import NoisyRecord  # noqa: E402

TINY = 1e-3  # one epoch / iteration, two surefit steps
SMALL = noisy_cases.shape_case("sin2x", 0.1, 30, "test", (((4,), "tanh"),))
WIDE = noisy_cases.CASES["friedman1-n500"]


@pytest.mark.parametrize("contestant", noisy_peers.CONTESTANTS, ids=lambda c: c.key)
def test_each_contestant_returns_a_well_formed_record(contestant):
    case = SMALL if contestant.applies(SMALL) else WIDE  # the linear peers: several inputs only
    records = noisy_peers.run_seed(case, 0, [contestant], TINY, max_units=4)
    assert len(records) == 1
    (r,) = records
    assert (r.contestant, r.case, r.seed) == (contestant.name, case.key, 0)
    assert r.net == ("4 tanh" if contestant.per_net else "")
    assert math.isfinite(r.rmse) and r.rmse >= 0 and r.time_s > 0
    truth = case.draw(0).y_eval
    assert r.relative_rmse == pytest.approx(r.rmse / truth.std())
    assert bool(r.sentence) == contestant.name.startswith("surefit")  # surefit's sentence, whatever it says
    assert r.noise_level is None or r.noise_level >= 0


def test_surefit_regressor_on_ten_inputs():
    (r,) = noisy_peers.run_seed(WIDE, 0, [noisy_peers.BY_KEY["regressor"]], TINY, max_units=8)
    assert (r.case, r.net) == ("friedman1-n500", "8 tanh") and math.isfinite(r.rmse)


class Constant:
    """An estimator that predicts fixed values, and may carry a surefit-like result."""

    def __init__(self, values, result=None):
        self.values, self.result_ = values, result

    def fit(self, X, y):
        return self

    def predict(self, X):
        return self.values


def score(values, result=None) -> NoisyRecord:
    c = noisy_peers.Contestant("oracle", "oracle", lambda net, seed, effort: Constant(values, result), False)
    return noisy_peers.fit_and_score(c, SMALL, None, 0, SMALL.draw(0), 1.0)


def test_the_error_is_against_the_noiseless_truth():
    truth = SMALL.draw(0).y_eval
    assert score(truth).rmse == 0
    mean = score(np.full_like(truth, truth.mean()))
    assert mean.rmse == pytest.approx(truth.std()) and mean.relative_rmse == pytest.approx(1.0)
    assert score(np.full_like(truth, np.nan)).rmse == math.inf


@pytest.mark.parametrize("profile", ["growing", "stepped"])
def test_uneven_noise_has_its_profile_and_sigma_is_its_rms(profile):
    case, even = noisy_cases.CASES[f"sin2x-s10-n500-{profile}"], noisy_cases.CASES["sin2x-s10-n500"]
    data = case.draw(0)
    x, noise = data.X[:, 0], data.y - np.sin(2 * data.X[:, 0])
    np.testing.assert_array_equal(x, even.draw(0).X[:, 0])  # the even case's rows, other noise
    spread_at = noisy_cases.PROFILES[profile][0]
    sides = (x < -2, x > 2)
    measured, expected = ([np.sqrt(np.mean(v[side] ** 2)) for side in sides] for v in (noise, spread_at(x)))
    assert measured[1] / measured[0] == pytest.approx(expected[1] / expected[0], rel=0.35)  # ~80 rows a side
    assert np.sqrt(np.mean(noise ** 2)) == pytest.approx(case.sigma, rel=0.1)  # 500 rows: about 3-5%


def test_the_noise_level_and_sentence_are_read_from_the_result():
    class Result:
        noise_level, sentence = 0.07, "stopped at the noise"
    r = score(SMALL.draw(0).y_eval, Result())
    assert (r.noise_level, r.sentence) == (0.07, "stopped at the noise")
    assert score(SMALL.draw(0).y_eval).noise_level is None


def test_the_data_noise_and_truth():
    case = noisy_cases.shape_case("step", 0.3, 20_000, "test", ())
    data = case.draw(3)
    assert case.sigma == pytest.approx(0.3 * np.std(noisy_cases.step(np.linspace(-3, 3, 2001))))
    assert np.std(data.y - noisy_cases.step(data.X[:, 0])) == pytest.approx(case.sigma, rel=0.02)
    assert data.X_eval.shape == (noisy_cases.GRID_POINTS, 1)
    np.testing.assert_array_equal(case.draw(3).y, data.y)  # the data seed fixes the data
    assert noisy_cases.triangle(np.array([-1.5, 0.0, 0.75, 1.5])).tolist() == [1.0, -1.0, 0.0, 1.0]


def test_friedman1_truth_is_make_friedman1_without_noise():
    X, y = make_friedman1(n_samples=50, noise=0.0, random_state=4)
    np.testing.assert_allclose(noisy_cases.friedman1_truth(X), y, rtol=1e-12)
    data = WIDE.draw(0)
    assert data.X.shape == (500, 10) and data.X_eval.shape == (noisy_cases.FRIEDMAN_TEST, 10)


def test_diabetes_holds_out_thirty_percent():
    data = noisy_cases.CASES["diabetes"].draw(1)
    assert (len(data.y), len(data.y_eval)) == (309, 133)


def test_slow_rows_run_only_the_first_seeds():
    case = noisy_cases.CASES["sin2x-s30-n200"]
    assert noisy_peers.cv_is_slow(case, ((64, 64), "tanh")) and not noisy_peers.cv_is_slow(case, ((8,), "tanh"))
    assert noisy_peers.gp_is_slow(noisy_cases.CASES["sin2x-s10-n2000"], None)
    calls = []
    fake = noisy_peers.Contestant("cv", "fake", lambda net, seed, effort: calls.append(net) or Constant(0.0),
                                  True, slow=noisy_peers.cv_is_slow)
    noisy_peers.run_seed(case, 1, [fake], slow_seeds=1)
    assert calls == [((8,), "tanh"), ((8,), "relu")]


def test_the_gaussian_process_sits_out_the_cases_with_many_rows():
    gp = noisy_peers.BY_KEY["gp"]
    assert gp.applies(noisy_cases.CASES["sin2x-s10-n3000"])
    many = [c for c in noisy_cases.CASES.values() if c.group == "many"]
    assert many and all(c.n > noisy_peers.GP_MAX_ROWS and not gp.applies(c) for c in many)
    calls = []
    fake = noisy_peers.Contestant("gp", "fake", lambda net, seed, effort: calls.append(net) or Constant(0.0),
                                  False, gp.applies)
    assert noisy_peers.run_seed(many[0], 0, [fake]) == [] and calls == []


def test_the_friedman1_done_mean_counts_every_friedman1_case():
    keep = next(pc.keep for pc in noisy_report.PEER_CHECKS if pc.what.endswith("on friedman1"))
    assert [c.key for c in noisy_cases.CASES.values() if keep(c, None)] == [
        "friedman1-n20000", "friedman1-n500", "friedman1-n250"]


def rec(contestant, case, net, seed, rmse, noise=None, sentence=None):
    return NoisyRecord(contestant, case, net, seed, rmse, rmse, 1.0, noise, sentence)


def test_paired_ratios_use_the_seeds_both_ran():
    ours = [rec("a", "c", "n", s, e) for s, e in enumerate([1.0, 2.0, 30.0])]
    theirs = [rec("b", "c", "n", s, e) for s, e in enumerate([2.0, 4.0])]
    assert noisy_report.paired_ratio(ours, theirs) == pytest.approx(1.5 / 3.0)
    assert math.isnan(noisy_report.paired_ratio(ours, []))


def test_the_done_means_lines():
    case = noisy_cases.CASES["sin2x-s30-n200"]
    sigma = case.sigma
    records = []
    for s in range(3):
        records += [rec("surefit.fit", case.key, "8 tanh", s, 1.0, sigma * 1.1, "limited by the noise"),
                    rec("surefit.fit", case.key, "64,64 tanh", s, 1.4, sigma * 2, "converged"),
                    rec("MLP defaults", case.key, "8 tanh", s, 2.0),
                    rec("MLP lbfgs+scaler", case.key, "8 tanh", s, 1.5),
                    rec("MLP defaults", case.key, "64,64 tanh", s, 2.0),
                    rec("Gaussian process", case.key, "", s, 0.9)]
    lines = {line.split(":")[0]: line for line in noisy_report.checks(records, [case])}
    mlp = lines["PASS surefit.fit <= best sklearn MLP (same layers) on every noisy 1-D case"]
    assert "2/2 cases; worst 0.7 at sin2x-s30-n200 64,64 tanh (vs MLP defaults)" in mlp
    gp = lines["FAIL surefit.fit within 1.25x of the Gaussian process, tanh on smooth noisy targets"]
    assert "1/2 cases; worst 1.56" in gp
    big = lines["FAIL surefit.fit 64,64 <= 1.3x the 8-unit net on the same noisy data"]
    assert "0/1 cases; worst 1.4 at sin2x-s30-n200 tanh" in big
    noise = next(v for k, v in lines.items() if "noise_level" in k)
    assert noise.startswith("FAIL") and "3/6 fits" in noise
    sentence = next(v for k, v in lines.items() if "sentence" in k)
    assert "3/6 fits" in sentence
    assert lines["SKIP surefit.fit <= RidgeCV on diabetes (held-out RMSE)"]


def test_failures_are_listed_seed_by_seed_with_a_sign_test():
    """Only comparisons over their bound are listed; 20 of 20 seeds worse is beyond the seeds' spread,
    10 of 20 cannot be told from a tie; the interval is Clopper-Pearson's (exact: 10/20 -> 27%-73%)."""
    smooth, kinked = noisy_cases.CASES["sin2x-s30-n200"], noisy_cases.CASES["triangle-s30-n200"]
    records = []
    for s in range(20):
        records += [rec("surefit.fit", smooth.key, "8 tanh", s, 1.1),  # always 1.1x the MLP: beyond the spread
                    rec("MLP lbfgs+scaler", smooth.key, "8 tanh", s, 1.0),
                    rec("Gaussian process", smooth.key, "", s, 1.0),  # 1.1x the GP: within its 1.25x bound
                    rec("surefit.fit", kinked.key, "8 tanh", s, 0.9 if s % 2 else 1.2),  # half better, half worse
                    rec("MLP lbfgs+scaler", kinked.key, "8 tanh", s, 1.0)]
    lines = noisy_report.failures_by_seed(records, [smooth, kinked])
    assert len(lines) == 2
    assert lines[0].startswith("sin2x-s30-n200 8 tanh (vs MLP lbfgs+scaler): 1.100;")
    assert "on 0/20 seeds (95% CI 0%-17%): a failure beyond the seeds' spread" in lines[0]
    assert "on 10/20 seeds (95% CI 27%-73%): cannot be told from a tie" in lines[1]


def test_the_sentence_is_held_against_the_error_against_the_truth():
    """sigma 0.2: 'above' at an error of 0.05 (under half the noise) and 'at' at 0.3 (over it) contradict
    the truth; 'above' at 0.3, 'at' at 0.05 and either at 0.15 do not."""
    case = noisy_cases.CASES["sin2x-s30-n200"]
    sigma = case.sigma
    says = {"above": "the error on the training rows (1) is above the estimated noise level (1): a larger network",
            "at": "the error on the training rows (1) is at the estimated noise level (1): more units will not help"}
    fits = [("above", 0.25), ("at", 1.5), ("above", 1.5), ("at", 0.25), ("above", 0.75), ("at", 0.75)]
    records = [rec("surefit.fit", case.key, "8 tanh", s, ratio * sigma, sigma, says[word])
               for s, (word, ratio) in enumerate(fits)]
    assert noisy_report.sentence_against_truth(records, [case]) == [
        "surefit.fit: 'above the noise' where the error against the truth is under half the noise: 1 of 6 fits; "
        "'at the noise' where it is over the noise: 1"]


def test_the_entry_point_writes_tables_and_records(tmp_path):
    out = tmp_path / "R.md"
    assert noisy.main(["--only", "sin2x-s0-n200", "--contestants", "surefit,ridge", "--seeds", "1",
                       "--effort", str(TINY), "--out", str(out)]) == 0
    text = out.read_text()
    assert "## Done-means" in text and "noiseless sin(2x), 8 tanh" in text and "cores" in text
    assert "| sin2x-s0-n200 | 8 tanh | 0 | 1 |" in text and "EFFORT" in text
    records = json.loads(out.with_suffix(".json").read_text())
    assert {r["contestant"] for r in records} == {"surefit.fit", "RidgeCV"}
    out.write_text("")
    assert noisy.main(["--only", "sin2x-s0-n200", "--report-only", "--out", str(out)]) == 0
    assert "| sin2x-s0-n200 | 8 tanh | 0 | 1 |" in out.read_text()


def test_unknown_cases_and_contestants_are_refused():
    with pytest.raises(SystemExit):
        noisy.parse(["--only", "nothing-like-it"])
    with pytest.raises(SystemExit):
        noisy.parse(["--contestants", "keras"])
    assert [c.key for c in noisy.parse(["--only", "friedman1"]).cases] == ["friedman1-n500", "friedman1-n250"]
    assert noisy.parse(["--quick"]).max_units == noisy_cases.QUICK_MAX_UNITS
