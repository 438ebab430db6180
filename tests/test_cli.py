"""The surefit command: the JSON report other tools read, and one clean line for every bad input."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from surefit import store
from surefit.problem import EVAL_POINTS_1D
from surefit.cli import main

SURFIT = Path(sys.executable).parent / "surefit"  # the console script installed beside this python
REPORT_KEYS = {"status", "time_s", "hidden", "activation", "n_params", "candidates", "seed"}
ABS_ARGS = ["fit", "abs(x)", "--domain", "-1000:1000", "--points", "400", "--hidden", "2"]


def check_abs_report(report, model_path=None):
    assert REPORT_KEYS <= set(report) and {"rmse", "max_error", "relative_rmse"} <= set(report["metrics"])
    assert isinstance(report["status"], str) and report["status"].startswith("converged")
    assert report["hidden"] == [2] and report["activation"] == "relu" and report["n_params"] == 7
    assert report["seed"] == 0 and report["candidates"] >= 1 and report["time_s"] > 0
    assert report["metrics"]["relative_rmse"] <= 1e-3
    if model_path:  # the metrics are the saved model's errors on a dense grid, against the exact |x|
        x = np.linspace(-1000, 1000, EVAL_POINTS_1D)
        err = store.load(model_path).predict(x) - np.abs(x)
        rmse = np.sqrt(np.mean(err ** 2))
        assert report["metrics"]["rmse"] == pytest.approx(rmse, rel=1e-9)
        assert report["metrics"]["max_error"] == pytest.approx(np.abs(err).max(), rel=1e-9)
        assert report["metrics"]["relative_rmse"] == pytest.approx(rmse / np.abs(x).std(), rel=1e-9)


def test_fit_writes_the_report_and_the_model(tmp_path, capsys):
    out, model = tmp_path / "out.json", tmp_path / "abs.sft"
    assert main(ABS_ARGS + ["--json", str(out), "--save", str(model), "--quiet"]) == 0
    check_abs_report(json.loads(out.read_text()), model)
    printed = capsys.readouterr().out
    assert "converged" in printed and "relative RMSE" in printed and f"wrote {out}" in printed


def test_console_script(tmp_path):
    result = subprocess.run([str(SURFIT), *ABS_ARGS, "--json", "out.json"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    check_abs_report(json.loads((tmp_path / "out.json").read_text()))


def test_console_script_bad_input_is_one_line(tmp_path):
    result = subprocess.run([str(SURFIT), "fit", "__import__('os').system('touch pwned')", "--domain", "0:1",
                             "--json", "out.json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("surefit: error:")
    assert os.listdir(tmp_path) == []


@pytest.fixture
def csv_files(tmp_path):
    files = {"missing": "x,y\n1,2\n3,\n", "text": "x,y\n1,2\n3,4\nfive,6\n", "ragged": "x,y\n1,2\n3,4,5\n",
             "empty": "", "good": "x,y\n1,2\n3,4\n5,6\n", "huge": "x,y\n1,2e200\n3,4e200\n5,6e200\n"}
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text)
    return tmp_path


def foreign_model(path):
    from safetensors.numpy import save_file
    save_file({"theta": np.zeros(7)}, str(path))


D = ["--domain", "0:1"]


def bad(args, message, bug=None):
    marks = [pytest.mark.xfail(strict=True, reason=f"bug: {bug}")] if bug else []
    return pytest.param(args, message, id=" ".join(args).replace("{dir}/", ""), marks=marks)


BAD_FIT = [bad(*case) for case in [
    (["unknown(x)", *D], "only calls of known functions"),
    (["x +", *D], "cannot parse"),
    (["x.real", *D], "attribute is not allowed"),
    (["__import__('os').system('touch pwned')", *D], "only calls of known functions"),
    (["().__class__", *D], "not allowed"),
    (["(lambda: 1)()", *D], "only calls of known functions"),
    (["x", "--domain", "1:1"], "empty or reversed"),
    (["x", "--domain", "1:-1"], "empty or reversed"),
    (["x", "--domain", "a:b"], "not of the form LOW:HIGH"),
    (["x"], "give a domain"),
    (["x + y", "--domain", "x=0:1"], "no domain for y"),
    (["log(x)", *D], "log.* is -inf at x=0"),
    (["sqrt(x - 0.5)", *D], "is nan at x=0"),
    (["x", *D, "--points", "1"], "at least 2 points"),
    (["--csv", "{dir}/missing.csv", "--target", "y"], "line 3: y is missing"),
    (["--csv", "{dir}/text.csv", "--target", "y"], r"line 4: x is not a number \('five'\)"),
    (["--csv", "{dir}/ragged.csv", "--target", "y"], "line 3: 3 cells"),
    (["--csv", "{dir}/empty.csv", "--target", "y"], "is empty"),
    (["--csv", "{dir}/good.csv", "--target", "z"], "no column 'z'"),
    (["--csv", "{dir}/good.csv"], "needs --target"),
    (["--csv", "{dir}/nope.csv", "--target", "y"], "cannot read"),
    (["x", "--csv", "{dir}/good.csv", "--target", "y"], "not both"),
    (["--csv", "{dir}/good.csv", "--target", "y", "--noise", "0.1"], "--noise: only for sampling an expression"),
    (["--csv", "{dir}/good.csv", "--target", "y", *D, "--points", "9"], "--domain, --points: only for sampling"),
    (["x", *D, "--target", "y", "--holdout", "0.5"], "--target, --holdout: only for a CSV's columns and rows"),
    (["--csv", "{dir}/huge.csv", "--target", "y"], r"the target reaches 6e\+200: past 1e\+150"),
    (["--csv", "{dir}/good.csv", "--target", "y", "--inputs", "x,y"], "'y' is the target; it cannot be an input"),
    (["1e200 * x", *D], r"1e200 \* x reaches 1e\+200"),
    (["x", *D, "--hidden", "0"], "positive integers"),
    (["x", *D, "--hidden", "4,-1"], "positive integers"),
    (["x", *D, "--hidden", "0,3"], "positive integers"),
    (["x", *D, "--hidden", "abc"], "comma-separated integers"),
    (["x", *D, "--hidden", ","], "at least one hidden width"),
    (["x", *D, "--activation", "softmax"], "softmax over one output is always exactly 1"),
    (["x", *D, "--activation", "swish"], "unknown activation"),
    (["x", *D, "--init", "zeros"], "unknown init"),
    (["x", *D, "--trainer", "sgd"], "unknown trainer"),
    (["x", *D, "--candidates", "0"], "candidates must be an integer of at least 1"),
    (["x", *D, "--tol", "0"], "tol must be a positive number"),
    (["x", *D, "--max-steps", "-5"], "max_steps must be an integer of at least 1"),
]]


@pytest.mark.parametrize("args,message", BAD_FIT)
def test_bad_fit_input_is_one_line_and_writes_nothing(args, message, csv_files, capsys, monkeypatch):
    monkeypatch.chdir(csv_files)
    before = set(os.listdir(csv_files))
    outputs = ["--json", "r.json", "--save", "m.sft", "--plot", "p.png", "--quiet"]
    code = main(["fit", *[a.format(dir=csv_files) for a in args], *outputs])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("surefit: error:") and err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err), err
    assert set(os.listdir(csv_files)) == before  # no report, model, plot, temporary file, or "pwned"


def test_an_unwritable_output_is_one_line(tmp_path, capsys):
    assert main(ABS_ARGS + ["--json", str(tmp_path / "no" / "r.json"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("surefit: error: cannot write") and err.count("\n") == 1


@pytest.mark.parametrize("content", ["random", "foreign", "truncated"])
def test_corrupt_or_foreign_model_file(content, tmp_path, capsys):
    path = tmp_path / "model.sft"
    if content == "random":
        path.write_bytes(np.random.default_rng(0).bytes(1000))
    elif content == "foreign":
        foreign_model(path)
    else:
        foreign_model(path)
        path.write_bytes(path.read_bytes()[:40])
    out = tmp_path / "model.py"
    assert main(["export", str(path), "--format", "numpy", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("surefit: error:") and "not a surefit model" in err and err.count("\n") == 1
    assert not out.exists()


# ---------------------------------------------------------------- a newcomer's rough edges

@pytest.mark.parametrize("args,message", [
    (["x + (-1)**0.5", *D], r"is complex \(6.123e-17\+1j\) at x=0; surefit fits real-valued targets"),
    (["x", *D, "--points", "0"], "at least 2 points, not 0"),
    (["0*x + 1", *D, "--init", "foo"], "unknown init 'foo'"),  # a constant target checks its settings too
    (["abs(x)", *D, "--plot", "x.foo"], "cannot write a picture as x.foo"),
    (["abs(x)", *D, "--json", "ok.json", "--plot", "nodir/x.png"], "cannot write nodir/x.png: no directory"),
])
def test_bad_requests_are_one_line_before_any_work(args, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["fit", *args, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("surefit: error:") and err.count("\n") == 1 and re.search(message, err), err
    assert os.listdir(tmp_path) == []  # not even ok.json: every output is checked before the fit


@pytest.mark.parametrize("args", [["--points", "100000000"], ["--hidden", "100000"]])
def test_a_fit_too_big_for_this_machine_is_refused_before_allocating(args, capsys, monkeypatch):
    monkeypatch.setattr("surefit.plan.budget_bytes", lambda: 10**9)
    monkeypatch.setattr("surefit.problem.budget_bytes", lambda: 10**9)
    assert main(["fit", "x", *D, *args, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert re.match(r"surefit: error: .*would need about [\d.]+ GB of memory .* but 1 GB is free to use; "
                    r".*at most about", err) and err.count("\n") == 1, err


@pytest.mark.parametrize("points", [2, 5])
def test_fewer_points_than_parameters_fit_and_say_so(points, capfd):
    assert main(["fit", "sin(x)", *D, "--points", str(points), "--hidden", "8", "--quiet"]) == 0
    out, err = capfd.readouterr()  # file-descriptor level: library noise (MKL's DGELS) would show here
    assert err == "" and "25 parameters but there are only" in re.sub(r"\s*│\s*", " ", out)


def test_plots_are_written_in_the_format_their_name_asks_for(tmp_path):
    assert main(ABS_ARGS + ["--plot", str(tmp_path / "a.pdf"), "--save", str(tmp_path / "a.sft"), "--quiet"]) == 0
    assert (tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"
    assert main(["explain", str(tmp_path / "a.sft"), "--plot", str(tmp_path / "e.svg")]) == 0
    assert b"<svg" in (tmp_path / "e.svg").read_bytes()[:400]


def test_a_small_csv_says_its_metrics_are_on_the_training_rows(tmp_path, capsys):
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{x},{x * x}\n" for x in range(9)))
    assert main(["fit", "--csv", str(tmp_path / "d.csv"), "--target", "y", "--hidden", "2",
                 "--json", str(tmp_path / "r.json"), "--quiet"]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # the table's title may wrap
    assert "metrics on the training rows (fewer than 10 rows: none held out)" in printed
    assert json.loads((tmp_path / "r.json").read_text())["evaluated_on"].startswith("the training rows")


def test_a_csv_whose_noise_changes_says_the_level_is_its_rms_and_how_far_it_changes(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 500)
    y = np.sin(2 * x) + np.where(x < 0, 0.05, 0.2) * rng.standard_normal(500)
    (tmp_path / "d.csv").write_text("x,y\n" + "".join(f"{a},{b}\n" for a, b in zip(x, y)))
    assert main(["fit", "--csv", str(tmp_path / "d.csv"), "--target", "y", "--hidden", "4", "--max-steps", "20",
                 "--candidates", "2"]) == 0
    printed = " ".join(capsys.readouterr().out.replace("│", " ").split())  # the table's cells wrap
    low, high = map(float, re.search(r"it changes along x, mostly between ([\d.]+) and ([\d.]+)\)",
                                     printed).groups())
    assert 2 < high / low < 8  # 4x, each row's level within about 20%
    assert main(["fit", "--csv", str(tmp_path / "d.csv"), "--target", "y", "--hidden", "4", "--max-steps", "20",
                 "--candidates", "2", "--save", str(tmp_path / "m.sft"), "--quiet"]) == 0
    (tmp_path / "new.csv").write_text("x\n-2\n2\n")
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "m.sft"), "--csv", str(tmp_path / "new.csv"), "--quiet"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    low, high = map(float, re.search(r"new measurements scatter by the noise there, mostly ([\d.]+) to ([\d.]+) "
                                     r"along x \(the noise level over the training rows [\d.]+\), more", said).groups())
    assert 2 < high / low < 8


def test_help_and_argument_errors_import_no_heavy_library():
    code = ("import sys; from surefit.cli import build_parser; build_parser().format_help(); "
            "print(sorted(m for m in ('torch', 'matplotlib', 'sklearn', 'scipy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


@pytest.mark.parametrize("command", ["fit", "doctor"])
def test_every_subcommand_spells_the_csv_flag_the_same(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--csv CSV" in capsys.readouterr().out


def test_predict_writes_a_saved_model_s_predictions_beside_the_csv_in_its_dialect(tmp_path, capsys):
    model = tmp_path / "abs.sft"
    assert main(ABS_ARGS + ["--save", str(model), "--quiet"]) == 0
    x = np.array([-987.5, -3.25, 0.0, 411.0])
    rows = "".join(f"n{i};{v}\n".replace(".", ",") for i, v in enumerate(x))  # a Polish spreadsheet's CSV
    (tmp_path / "new.csv").write_text("name;x\n" + rows)
    assert main(["predict", str(model), "--csv", str(tmp_path / "new.csv")]) == 0
    assert "predicted 4 rows from x\nwrote" in capsys.readouterr().out  # every row inside the domain: no more
    lines = (tmp_path / "new.predicted.csv").read_text().splitlines()
    assert lines[0] == "name;x;prediction" and len(lines) == 5  # the file as it was, a column added
    assert [line.rsplit(";", 1)[0] for line in lines[1:]] == rows.splitlines()
    got = np.array([[float(cell.replace(",", ".")) for cell in line.split(";")[1:]] for line in lines[1:]])
    np.testing.assert_array_equal(got[:, 0], x)
    np.testing.assert_array_equal(got[:, 1], store.load(model).predict(x))  # written at full precision
    assert np.abs(got[:, 1] - np.abs(x)).max() < 5  # oracle: |x|; near 0 the kink is free between points 5 apart
    (tmp_path / "far.csv").write_text("x\n0\n1500\n-2000\n")
    assert main(["predict", str(model), "--csv", str(tmp_path / "far.csv")]) == 0
    assert ("2 of 3 rows lie outside the inputs the model was fitted on (x from -1000 to 1000): its predictions "
            "there extrapolate") in " ".join(capsys.readouterr().out.split())
    nowhere = str(tmp_path / "no" / "p.csv")
    assert main(["predict", str(model), "--csv", str(tmp_path / "new.csv"), "--out", nowhere]) == 2
    (tmp_path / "other.csv").write_text("t,y\n1,2\n")
    assert main(["predict", str(model), "--csv", str(tmp_path / "other.csv")]) == 2
    assert "other.csv has no column 'x'; its columns are t, y" in capsys.readouterr().err


def test_predict_adds_error_bars_for_a_model_of_measured_data(tmp_path, capsys):
    x = np.random.default_rng(0).uniform(-3, 3, 150)
    y = np.sin(2 * x) + np.random.default_rng(1).normal(0, 0.1, 150)
    np.savetxt(tmp_path / "data.csv", np.c_[x, y], delimiter=",", header="x,y", comments="")
    model = tmp_path / "m.sft"
    assert main(["fit", "--csv", str(tmp_path / "data.csv"), "--target", "y", "--hidden", "4", "--activation", "tanh",
                 "--max-steps", "30", "--save", str(model), "--quiet"]) == 0
    (tmp_path / "new.csv").write_text("x,prediction\n0,7\n2.5,7\n6,7\n")  # predicted before: its column stays
    capsys.readouterr()
    assert main(["predict", str(model), "--csv", str(tmp_path / "new.csv"), "--quiet"]) == 0
    said = " ".join(capsys.readouterr().out.split())
    loaded = store.load(model)
    assert f"new measurements scatter by the noise level, {loaded.noise_level:.3g}, more" in said
    lines = (tmp_path / "new.predicted.csv").read_text().splitlines()
    assert lines[0] == "x,prediction,prediction_2,prediction_sd"
    got = np.array([[float(c) for c in line.split(",")] for line in lines[1:]])
    np.testing.assert_array_equal(got[:, 2], loaded.predict(got[:, 0]))
    np.testing.assert_array_equal(got[:, 3], loaded.error_bars(got[:, 0]))
    assert 0 < got[0, 3] < 0.1 and got[2, 3] > 5 * got[0, 3]  # within the data about the noise / sqrt(N); beyond, wide
