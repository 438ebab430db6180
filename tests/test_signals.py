"""surefit.signals against oracles: scipy's lfilter, numpy's rfft, the cos/sin DFT formula,
and the regular-polygon ReLU net the geometric bound is derived from."""
from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.signal import lfilter

import surefit
from surefit.cli import main
from surefit.errors import SurefitError
from surefit.signals import (SpectrumSettings, compare_plain, dft_pairs, error_vs_m, fir_pairs,
                             generated_fit, geometric_bound, learn_fir, learn_linear, magnitude_spectrum,
                             real_dft, smallest_m, spectrum_pairs, true_matrix)
from surefit.signals.generate import check_pairs, fir_filter, load_signals, parse_taps
from surefit.signals.linear import lagged
from surefit.signals.spectrum import held_out_fit, predicted_m, real_share

FAST = SpectrumSettings(signals=100, test_signals=100, pairs=600)  # small fits for the loops below


@pytest.mark.parametrize("taps", [[0.25, 0.5, 0.25], [1.0], [0.1, -0.7, 2.0, 0.0, 0.3, -1.5], [-3.0] * 11])
def test_fir_taps_recovered_from_noiseless_pairs(taps):
    before, after = fir_pairs(taps, 64, seed=3)
    assert np.allclose(after, lfilter(taps, [1.0], before, axis=-1), atol=1e-12)  # the generator
    learned = learn_fir(before, after)
    assert len(learned.weights) == 64  # every lag; those beyond the filter must come out 0
    assert learned.max_abs_error(taps) <= 1e-9
    assert learned.residual <= 1e-9


def test_fir_as_a_full_matrix_is_the_lower_triangular_toeplitz():
    taps = np.array([0.25, 0.5, 0.25])
    learned = learn_linear(*fir_pairs(taps, 16, count=40))
    oracle = sum(np.diag(np.full(16 - k, t), -k) for k, t in enumerate(taps))
    assert learned.max_abs_error(oracle) <= 1e-9
    assert np.allclose(true_matrix(lambda x: fir_filter(taps, x), 16), oracle, atol=1e-15)


def test_dft_matrix_recovered_and_matches_the_cos_sin_formula():
    L = 32
    k, n = np.arange(L // 2 + 1)[:, None], np.arange(L)[None, :]
    formula = np.vstack([np.cos(2 * np.pi * k * n / L), -np.sin(2 * np.pi * k * n / L)])  # (2K, L)
    assert np.allclose(true_matrix(real_dft, L), formula, atol=1e-12)
    learned = learn_linear(*dft_pairs(L, seed=1))
    assert learned.max_abs_error(formula) <= 1e-9
    before, after = spectrum_pairs(L, 5)
    assert np.allclose(after, np.abs(np.fft.rfft(before)), atol=0)


def test_odd_length_dft_and_a_network_form_that_adds_nothing():
    assert learn_linear(*dft_pairs(15)).max_abs_error(true_matrix(real_dft, 15)) <= 1e-9
    taps = np.array([0.25, 0.5, 0.25])
    before, after = fir_pairs(taps, 16, count=8)
    result = surefit.fit((lagged(before, 5).reshape(-1, 5), after.ravel()), hidden=())  # a linear "network"
    W, b = result.model.folded().layers[0]
    assert np.abs(W[:, 0] - np.pad(taps, (0, 2))).max() <= 1e-9 and abs(b[0]) <= 1e-9


def test_non_fir_pairs_leave_a_residual_and_too_few_signals_are_refused():
    before = np.random.default_rng(0).standard_normal((20, 16))
    assert learn_fir(before, before[:, ::-1]).residual > 0.5  # time reversal is no causal filter
    with pytest.raises(SurefitError, match="determine only 10 of the 32"):
        learn_linear(*dft_pairs(32, count=10))


@pytest.mark.parametrize("before, after, message", [
    (np.ones((4, 8)), np.ones((3, 8)), "4 before signals but 3 after"),
    (np.full((4, 8), np.nan), np.ones((4, 8)), "NaN"),
    (np.ones((4, 1)), np.ones((4, 1)), "at least 2"),
    (np.ones((4, 0)), np.ones((4, 0)), "at least 2"),
    ([["a", "b"]], [[1, 2]], "must be numbers"),
])
def test_bad_pairs_are_one_line_errors(before, after, message):
    with pytest.raises(SurefitError, match=message) as info:
        check_pairs(before, after)
    assert "\n" not in str(info.value)


def test_bad_taps_lengths_and_shapes():
    for taps in ("0.25,x,0.25", "", "nan,1", ["a"]):
        with pytest.raises(SurefitError, match="tap"):
            parse_taps(taps)
    for length in (0, 1, 2.5):
        with pytest.raises(SurefitError, match="at least 2 samples"):
            fir_pairs([1.0], length)
    with pytest.raises(SurefitError, match="keeps the length"):
        learn_fir(np.ones((3, 8)), np.ones((3, 9)))
    with pytest.raises(SurefitError, match="17 spectrum bins"):
        held_out_fit(*dft_pairs(32), FAST)


@pytest.mark.parametrize("m", [3, 5, 7, 9, 15])
def test_bound_is_the_error_of_the_regular_polygon_relu_net(m):
    """The construction behind B(m): m bias-free ReLUs along angles 2 pi i / m, equal weights,
    on a fine circle of angles (circular data); best scale, relative RMS error."""
    theta = np.linspace(0, 2 * np.pi, 200_001)[:-1]
    z = np.stack([np.cos(theta), np.sin(theta)], 1)  # r = 1
    angles = 2 * np.pi * np.arange(m) / m
    g = np.maximum(z @ np.stack([np.cos(angles), np.sin(angles)]), 0).sum(1)
    c = g.mean() / (g ** 2).mean()
    assert np.sqrt(np.mean((c * g - 1) ** 2)) == pytest.approx(geometric_bound(m), rel=1e-4)
    assert geometric_bound(m) == pytest.approx(np.pi ** 2 / (4 * np.sqrt(45) * m ** 2), rel=0.05)


def test_spectrum_error_falls_with_m_within_a_factor_of_the_bound():
    rows = error_vs_m(32, [3, 5, 7])
    errors = [r["relative_error"] for r in rows]
    assert errors[0] > errors[1] > errors[2]
    low = 0.9 * np.sqrt(1 - real_share(32))  # the real DC/Nyquist bins can be fitted exactly
    for r in rows:
        assert low <= r["ratio"] <= 2.0, r  # 2: at worst the ideal pyramid with m / sqrt(2) units


def test_structured_net_reaches_its_tolerance_on_20_seeds():
    tol = 0.05  # m = 3: B(3) = 0.042, seed 001's hexagonal pyramid
    errors = [generated_fit(32, SpectrumSettings(hidden=3, seed=s, signals=100, test_signals=100, pairs=600)).error
              for s in range(20)]
    assert max(errors) <= tol, errors


def test_plain_mlp_of_the_same_size_does_not():
    result = compare_plain(16, seeds=2, threshold=0.05, settings=SpectrumSettings(hidden=3, **_fast()))
    s, p = result["structured"], result["plain"]
    assert abs(s["params"] - p["params"]) <= 16 + 1 + 9  # within one hidden unit of the same size
    assert s["success_rate"] == 1.0 and p["success_rate"] == 0.0
    assert p["median_error"] > 5 * s["median_error"]


def test_smallest_m_and_the_width_the_bound_predicts():
    assert predicted_m(0.05) == 3 and predicted_m(0.01) == 7
    found = smallest_m(0.05, 16, SpectrumSettings(**_fast()))
    assert found["m"] == 3 and found["relative_error"] <= 0.05  # m = 2 is one wedge: ~0.3


def test_users_own_pairs_with_their_own_scale():
    before = np.random.default_rng(5).standard_normal((150, 16))
    run = held_out_fit(before, magnitude_spectrum(before) / 16, SpectrumSettings(hidden=5, pairs=600))
    assert run.error <= 2 * geometric_bound(5)
    assert np.allclose(run.model.dft, true_matrix(real_dft, 16), atol=1e-9)


def _fast() -> dict:
    return {"signals": FAST.signals, "test_signals": FAST.test_signals, "pairs": FAST.pairs}


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_fir_and_dft_write_json_and_png(tmp_path, capsys):
    code, out, _ = _cli(capsys, "signal", "fir", "--taps", "0.25,0.5,0.25", "--length", "64",
                        "--json", str(tmp_path / "f.json"), "--plot", str(tmp_path / "f.png"))
    report = json.loads((tmp_path / "f.json").read_text())
    assert code == 0 and report["max_abs_error"] <= 1e-9 and report["taps"] == pytest.approx([0.25, 0.5, 0.25])
    code, _, _ = _cli(capsys, "signal", "dft", "--length", "32", "--json", str(tmp_path / "d.json"),
                      "--plot", str(tmp_path / "d.png"))
    assert code == 0 and json.loads((tmp_path / "d.json").read_text())["max_abs_error"] <= 1e-9
    for name in ("f.png", "d.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_cli_spectrum_on_users_npy_and_csv_pairs(tmp_path, capsys):
    before = np.random.default_rng(2).standard_normal((120, 16))
    np.save(tmp_path / "b.npy", before)
    np.save(tmp_path / "a.npy", magnitude_spectrum(before))
    code, _, _ = _cli(capsys, "signal", "spectrum", "--hidden", "3", "--pairs", "500",
                      "--npy", str(tmp_path / "b.npy"), str(tmp_path / "a.npy"),
                      "--json", str(tmp_path / "s.json"), "--plot", str(tmp_path / "s.png"))
    report = json.loads((tmp_path / "s.json").read_text())
    assert code == 0 and report["relative_error"] <= 0.06 and report["test_signals"] == 24
    assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    np.savetxt(tmp_path / "b.csv", before[:40], delimiter=",")
    np.savetxt(tmp_path / "a.csv", fir_filter([0.5, 0.5], before[:40]), delimiter=",")
    code, out, _ = _cli(capsys, "signal", "fir", "--csv", str(tmp_path / "b.csv"), str(tmp_path / "a.csv"),
                        "--taps", "0.5,0.5", "--json", str(tmp_path / "u.json"))
    assert code == 0 and json.loads((tmp_path / "u.json").read_text())["max_abs_error"] <= 1e-9


@pytest.mark.parametrize("argv, message", [
    (["signal", "fir", "--taps", "0.25,x"], "taps must be comma-separated numbers"),
    (["signal", "fir", "--taps", "1", "--length", "1"], "at least 2 samples"),
    (["signal", "dft", "--length", "0"], "at least 2 samples"),
    (["signal", "fir"], "give the filter's --taps"),
    (["signal", "dft", "--csv", "B", "A"], "no file at B"),
])
def test_cli_bad_input_is_one_line(capsys, argv, message):
    code, out, err = _cli(capsys, *argv)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_cli_csv_with_a_nan_or_a_word(tmp_path, capsys):
    (tmp_path / "b.csv").write_text("1,2,3\n4,5,6\n")
    (tmp_path / "a.csv").write_text("1,2,3\n4,nan,6\n")
    (tmp_path / "w.csv").write_text("1,2,3\n4,five,6\n")
    code, _, err = _cli(capsys, "signal", "dft", "--csv", str(tmp_path / "b.csv"), str(tmp_path / "a.csv"))
    assert code == 2 and "a.csv line 2: sample 2 is nan" in err
    code, _, err = _cli(capsys, "signal", "dft", "--csv", str(tmp_path / "b.csv"), str(tmp_path / "w.csv"))
    assert code == 2 and "w.csv line 2: sample 2 is not a number ('five')" in err
    (tmp_path / "r.csv").write_text("1,2,3\n\n4,5\n")
    code, _, err = _cli(capsys, "signal", "dft", "--csv", str(tmp_path / "b.csv"), str(tmp_path / "r.csv"))
    assert code == 2 and "r.csv line 3: 2 cells, the first line has 3" in err


def test_signal_files_are_read_in_any_spreadsheet_s_dialect(tmp_path):
    signals = np.random.default_rng(0).normal(size=(4, 6))
    np.savetxt(tmp_path / "points.csv", signals, delimiter=",", header="made by numpy")  # a '#' line first
    polish = "\n".join(";".join(repr(v).replace(".", ",") for v in row) for row in signals.tolist())
    (tmp_path / "polish.csv").write_text("\ufeff" + polish + "\n")  # Excel's byte-order mark, decimal commas
    for name in ("points.csv", "polish.csv"):
        np.testing.assert_array_equal(load_signals(tmp_path / name), signals)  # oracle: the numbers written
