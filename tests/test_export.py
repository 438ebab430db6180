"""surefit export: every format, activation and input count against Model.predict on a dense grid."""
from __future__ import annotations

import ast
import ctypes
import importlib.util
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import surefit
from surefit.cli import main
from surefit.errors import SurefitError
from surefit.exporters import export
from surefit.exporters import onnx as onnx_export
from surefit.exporters.c import identifier, unique_identifiers
from surefit.model import Model
from surefit.activations import TRAINABLE
from surefit.network import NetSettings
from surefit.scaling import Scaler
from surefit.store import save

CC = shutil.which("cc")
needs_cc = pytest.mark.skipif(CC is None, reason="no C compiler")
DIMS = (1, 2, 3)
TOL = {"float64": 1e-12, "float32": 2e-6}  # max |error| / max |prediction| on the grid


def random_model(activation: str, n_inputs: int, hidden=(5, 4), seed: int = 0,
                 variables=None) -> Model:
    """Random weights and scalers far from unit scale: no training, every fold exercised."""
    rng = np.random.default_rng(seed)
    net = NetSettings(n_inputs, hidden, activation)
    x_scaler = Scaler(tuple(rng.uniform(-50, 50, n_inputs)), tuple(rng.uniform(5, 200, n_inputs)))
    return Model.from_theta(net, rng.normal(size=net.n_params), x_scaler, Scaler((30.0,), (7.0,)),
                 tuple(variables or "xyz"[:n_inputs]))


def grid(model: Model) -> np.ndarray:
    """A dense grid (n, d) over 1.5 times each input's scaled range."""
    d = model.net.n_inputs
    axes = [np.linspace(o - 1.5 * s, o + 1.5 * s, {1: 2001, 2: 81, 3: 17}[d])
            for o, s in zip(model.x_scaler.offset, model.x_scaler.scale)]
    return np.stack([a.ravel() for a in np.meshgrid(*axes, indexing="ij")], axis=1)


def relative_error(got, model: Model, X) -> float:
    want = model.predict(X)
    return float(np.max(np.abs(np.asarray(got, dtype=float).ravel() - want)) / np.max(np.abs(want)))


def run_onnx(path: Path, X: np.ndarray, dtype) -> np.ndarray:
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": X.astype(dtype)})[0]


def compile_c(source: Path, out: Path) -> Path:
    """A shared library from the exported .c."""
    cc([str(source), "-O2", "-shared", "-fPIC", "-o", str(out)])
    return out


def cc(args: list[str]) -> None:
    """Compile as strict C99, every warning an error; the compiler's complaint is the failure message."""
    done = subprocess.run([CC, "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", *args, "-lm"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def run_c(files: list[Path], name: str, X: np.ndarray, dtype) -> np.ndarray:
    lib = ctypes.CDLL(str(compile_c(files[1], files[1].with_suffix(".so"))))
    pointer = ctypes.POINTER(ctypes.c_float if dtype == np.float32 else ctypes.c_double)
    predict = getattr(lib, f"{name}_predict")
    predict.argtypes, predict.restype = [pointer, pointer], None
    X = np.ascontiguousarray(X, dtype=dtype)
    y = np.zeros(1, dtype=dtype)
    out = np.empty(len(X))
    for i, row in enumerate(X):
        predict(row.ctypes.data_as(pointer), y.ctypes.data_as(pointer))
        out[i] = y[0]
    return out


def run_numpy(path: Path, X: np.ndarray) -> np.ndarray:
    imports = {alias.name for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert imports <= {"numpy", "math"}
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.predict(X)


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("activation", TRAINABLE)
@pytest.mark.parametrize("dtype", TOL)
def test_onnx_matches_model(tmp_path, activation, d, dtype):
    model = random_model(activation, d)
    X = grid(model)
    [path] = export(model, "onnx", tmp_path / "m.onnx", dtype=dtype)
    got = run_onnx(path, X, np.dtype(dtype))
    assert got.shape == (len(X), 1) and got.dtype == np.dtype(dtype)
    assert relative_error(got, model, X) < TOL[dtype]


@needs_cc
@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("activation", TRAINABLE)
def test_c_double_matches_model(tmp_path, activation, d):
    model = random_model(activation, d)
    X = grid(model)
    files = export(model, "c", tmp_path / "net.c", name="net")
    assert [f.name for f in files] == ["net.h", "net.c"]
    assert relative_error(run_c(files, "net", X, np.float64), model, X) < TOL["float64"]


@needs_cc
@pytest.mark.parametrize("activation", TRAINABLE)
def test_c_float_matches_model(tmp_path, activation):
    model = random_model(activation, 2)
    X = grid(model)
    files = export(model, "c", tmp_path / "net", dtype="float32")
    assert "double" not in files[1].read_text()
    assert relative_error(run_c(files, "net", X, np.float32), model, X) < TOL["float32"]


@pytest.mark.parametrize("d", DIMS)
@pytest.mark.parametrize("activation", TRAINABLE)
def test_numpy_matches_model(tmp_path, activation, d):
    model = random_model(activation, d)
    X = grid(model)
    [path] = export(model, "numpy", tmp_path / f"net_{activation}_{d}.py")
    assert relative_error(run_numpy(path, X), model, X) < TOL["float64"]


@pytest.mark.parametrize("activation", TRAINABLE)
def test_numpy_float32(tmp_path, activation):
    model = random_model(activation, 2)
    X = grid(model)
    [path] = export(model, "numpy", tmp_path / f"net32_{activation}.py", dtype="float32")
    got = run_numpy(path, X)
    assert got.dtype == np.float32 and relative_error(got, model, X) < TOL["float32"]


def test_linear_model_every_format(tmp_path):
    """No hidden layer: one affine map, no activation anywhere."""
    model = random_model("tanh", 2, hidden=())
    X = grid(model)
    results = {"numpy": run_numpy(export(model, "numpy", tmp_path / "lin.py")[0], X),
               "onnx": run_onnx(export(model, "onnx", tmp_path / "lin.onnx")[0], X, np.float64)}
    if CC:
        results["c"] = run_c(export(model, "c", tmp_path / "lin"), "lin", X, np.float64)
    for fmt, got in results.items():
        assert relative_error(got, model, X) < TOL["float64"], fmt


def test_numpy_odd_name(tmp_path):
    model = random_model("relu", 1)
    [path] = export(model, "numpy", tmp_path / "odd.py", name='a """quoted\\ name')
    X = grid(model)
    assert relative_error(run_numpy(path, X), model, X) < TOL["float64"]


@pytest.fixture(scope="module")
def abs_model() -> Model:
    return surefit.fit("abs(x)", "-1000:1000", points=400, hidden=2).model


def test_abs_model_every_format(tmp_path, abs_model):
    """The README's example: a 2-unit relu net that is |x| on [-1000, 1000], in every format."""
    X = np.linspace(-1000, 1000, 4001)[:, None]
    err = abs_model.predict(X) - np.abs(X[:, 0])  # the criterion: relative RMSE <= 1e-3
    assert np.sqrt(np.mean(err ** 2)) / np.abs(X[:, 0]).std() < 1e-3
    results = {"numpy": run_numpy(export(abs_model, "numpy", tmp_path / "abs_x.py")[0], X),
               "onnx": run_onnx(export(abs_model, "onnx", tmp_path / "abs_x.onnx")[0], X, np.float64)}
    if CC:
        files = export(abs_model, "c", tmp_path / "abs_x")
        assert len(files[1].read_text().splitlines()) < 50  # short enough to read
        assert "#include <math.h>" not in files[1].read_text()  # relu needs no libm
        results["c"] = run_c(files, "abs_x", X, np.float64)
    for fmt, got in results.items():
        assert relative_error(got, abs_model, X) < TOL["float64"], fmt


def test_identifiers():
    assert identifier("2-D model.v1") == "model_2_D_model_v1"
    assert identifier("__my net__") == "my_net"
    assert identifier("ünïcode") == "n_code"
    assert identifier("!!!") == "model"
    assert unique_identifiers(["a b", "a-b", "a_b", "", "9"]) == ["a_b", "a_b_2", "a_b_3", "v", "v_9"]


@needs_cc
def test_c_odd_names_compile_together(tmp_path):
    """Two models with odd names and clashing variable names, linked into one small driver."""
    first = random_model("tanh", 3, variables=("a b", "a-b", "a_b"))
    second = random_model("relu", 1, seed=1, variables=("int",))
    export(first, "c", tmp_path / "first.h", name="2-D model.v1")
    export(second, "c", tmp_path / "second.c", name="int")
    driver = tmp_path / "driver.c"
    driver.write_text("""#include <stdio.h>
#include "first.h"
#include "second.h"
int main(void)
{
    double x[model_2_D_model_v1_n_inputs], y, z;
    x[model_2_D_model_v1_input_a_b] = 1.5;
    x[model_2_D_model_v1_input_a_b_2] = -20;
    x[model_2_D_model_v1_input_a_b_3] = 70;
    model_2_D_model_v1_predict(x, &y);
    x[int_input_int] = 3;
    int_predict(x, &z);
    printf("%.17g %.17g\\n", y, z);
    return 0;
}
""")
    exe = tmp_path / "driver"
    cc([str(driver), str(tmp_path / "first.c"), str(tmp_path / "second.c"), "-o", str(exe)])
    y, z = map(float, subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split())
    assert y == pytest.approx(first.predict([[1.5, -20, 70]])[0], rel=1e-12)
    assert z == pytest.approx(second.predict([[3.0]])[0], rel=1e-12)


def test_bad_input(tmp_path):
    model = random_model("relu", 1)
    with pytest.raises(SurefitError, match="unknown export format 'tflite'"):
        export(model, "tflite", tmp_path / "m")
    with pytest.raises(SurefitError, match="unknown dtype"):
        export(model, "c", tmp_path / "m", dtype="float16")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(SurefitError, match="is not a surefit model"):
        export(junk, "onnx", tmp_path / "m.onnx")
    with pytest.raises(SurefitError, match="no directory"):
        export(model, "numpy", tmp_path / "missing" / "m.py")
    with pytest.raises(SurefitError, match="is a directory"):
        export(model, "onnx", tmp_path)
    with pytest.raises(SurefitError, match="choose a plainer name"):
        export(model, "c", tmp_path / 'say "hi"')
    broken = Model.from_theta(model.net, np.full(model.net.n_params, np.nan), model.x_scaler, model.y_scaler, ("x",))
    with pytest.raises(SurefitError, match="not all finite"):
        export(broken, "c", tmp_path / "m")
    huge = Model.from_theta(model.net, model.theta * 1e300, model.x_scaler, model.y_scaler, ("x",))
    with pytest.raises(SurefitError, match="not all finite in float32"):
        export(huge, "c", tmp_path / "m", dtype="float32")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.safetensors"]


def test_onnx_missing_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_export, "helper", None)
    with pytest.raises(SurefitError, match=r"pip install 'surefit\[onnx\]'"):
        export(random_model("relu", 1), "onnx", tmp_path / "m.onnx")
    assert not list(tmp_path.iterdir())


def test_failed_write_leaves_old_files(tmp_path, monkeypatch):
    """A write that dies half-way (disk full) leaves neither file of the pair half-written."""
    model = random_model("relu", 1)
    (tmp_path / "m.h").write_text("old")
    calls = []

    def failing_write(self, text):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        self.open("w").write(text)

    monkeypatch.setattr(Path, "write_text", failing_write)
    with pytest.raises(OSError):
        export(model, "c", tmp_path / "m")
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.h"]
    assert (tmp_path / "m.h").read_text() == "old"


def test_cli_export(tmp_path, capsys):
    model_path = save(random_model("gelu", 2), tmp_path / "m.safetensors")
    assert main(["export", str(model_path), "--format", "numpy", "--out", str(tmp_path / "m.py")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["export", str(model_path), "--format", "c", "--out", str(tmp_path / "m"),
                 "--name", "my model", "--float32"]) == 0
    assert "void my_model_predict(const float *x, float *y);" in (tmp_path / "m.h").read_text()
    capsys.readouterr()
    assert main(["export", str(tmp_path / "m.py"), "--format", "c", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("surefit: error:") and "not a surefit model" in err and err.count("\n") == 1
    assert main(["export", str(model_path), "--format", "tflite", "--out", str(tmp_path / "x")]) == 2
    assert "unknown export format" in capsys.readouterr().err


@pytest.fixture(scope="module")
def trained():
    """Trained models, whose outputs are differences of larger terms (random weights' are not)."""
    return {act: surefit.fit("sin(3*x)", "-2:2", hidden=hidden, activation=act, points=300).model
            for act, hidden in (("tanh", 20), ("sigmoid", 20), ("relu", (20, 10)))}


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_exports_of_trained_models_agree_with_predict(trained, tmp_path, activation):
    """Measured on trained models (README): float64 <= 1e-13 of the largest prediction; float32
    1e-7 to 2e-5 (sin 3x, 20 units; a gelu 2.3e-5), more where the output cancels large terms."""
    model = trained[activation]
    X = np.linspace(-2, 2, 4001)[:, None]
    for dtype, bound in (("float64", 1e-12), ("float32", 1e-3)):
        [path] = export(model, "numpy", tmp_path / f"t_{activation}_{dtype}.py", dtype=dtype)
        assert relative_error(run_numpy(path, X), model, X) < bound
        [path] = export(model, "onnx", tmp_path / f"t_{activation}_{dtype}.onnx", dtype=dtype)
        assert relative_error(run_onnx(path, X, np.dtype(dtype)), model, X) < bound
