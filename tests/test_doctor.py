"""surefit doctor: each seed's broken setup, rebuilt in PyTorch and in Keras 3, gets its true
cause as the first finding; healthy models get no finding at all.

Broken states are built by setting weights directly (the states the seeds' training ends
in); only seed 003 trains, for a few SGD steps, because its cause is the training itself.
"""
from __future__ import annotations

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import surefit  # noqa: E402
from surefit import store  # noqa: E402
from surefit.cli import main  # noqa: E402
from surefit.doctor import Thresholds, checks, doctor, watch  # noqa: E402
from surefit.doctor.adapters import view  # noqa: E402
from surefit.doctor.case import Case  # noqa: E402
from surefit.doctor.report import plot_diagnosis  # noqa: E402
from surefit.errors import SurefitError  # noqa: E402

keras = pytest.importorskip("keras")
FRAMEWORKS = ["torch", "keras"]
TORCH_ACTS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU, "elu": torch.nn.ELU,
              "sigmoid": torch.nn.Sigmoid, "softmax": lambda: torch.nn.Softmax(dim=-1)}


def build(framework: str, layers, hidden: str = "relu", output: str | None = None):
    """The same network in either framework: layers [(W (in, out), b (out,))]."""
    if framework == "torch":
        modules = []
        for i, (W, b) in enumerate(layers):
            linear = torch.nn.Linear(*W.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.as_tensor(W.T))
                linear.bias.copy_(torch.as_tensor(b))
            modules.append(linear)
            act = hidden if i < len(layers) - 1 else output
            if act:
                modules.append(TORCH_ACTS[act]())
        return torch.nn.Sequential(*modules)
    model = keras.Sequential([keras.Input((layers[0][0].shape[0],))] + [
        keras.layers.Dense(W.shape[1], activation=hidden if i < len(layers) - 1 else output)
        for i, (W, _) in enumerate(layers)])
    for dense, (W, b) in zip(model.layers, layers):
        dense.set_weights([W.astype("float32"), b.astype("float32")])
    return model


def first(diagnosis):
    assert diagnosis.findings, "expected a finding"
    return diagnosis.findings[0]


# ---------------------------------------------------------------- seed 000: |x| with 2 units

def seed000(framework):
    """Both units face right (same-sign weights): the state training ends in, fitting x > 0 only."""
    x = np.linspace(-1000, 1000, 400)
    layers = [(np.array([[1.0, 0.5]]), np.array([3.0, -7.0])), (np.array([[0.6], [0.8]]), np.array([0.5]))]
    return build(framework, layers), x, np.abs(x)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_seed000_same_side_units_come_first(framework):
    model, x, y = seed000(framework)
    d = doctor(model, x, y)
    top = first(d)
    assert top.code == "same_side_units"
    assert top.evidence["facing"] == "right"
    # oracle: no unit is on left of the leftmost kink, x = -3 (unit 1: x + 3 > 0)
    lo, hi = top.evidence["region"]
    assert lo == x.min() and hi == x[x < -3].max()
    assert {"collapsed_units", "unscaled_inputs", "unscaled_targets"} <= set(d.codes)


# ---------------------------------------------------------------- seed 001: |x + iy| with 3 units

def seed001(framework, normals, biases):
    """2 -> 3 relu -> 1 with given first-layer normals; the output layer is the least-squares best."""
    P = np.random.default_rng(1).uniform(-1, 1, (2000, 2))
    target = np.hypot(*P.T)
    W1, b1 = np.array(normals, float).T, np.array(biases, float)
    features = np.c_[np.maximum(P @ W1 + b1, 0), np.ones(len(P))]
    c = np.linalg.lstsq(features, target, rcond=None)[0]
    return build(framework, [(W1, b1), (c[:3, None], c[3:])]), P, target


U = np.array([np.cos(0.3), np.sin(0.3)])
HEXAGON = [[np.cos(a), np.sin(a)] for a in (0, 2 * np.pi / 3, 4 * np.pi / 3)]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_seed001_collapsed_state_is_named(framework):
    model, P, target = seed001(framework, [U, -U, 0.7 * U], [0.0, 0.0, 0.02])
    d = doctor(model, P, target)
    top = first(d)
    assert top.code == "collapsed_units"
    assert abs(abs(np.dot(top.evidence["direction"], U)) - 1) < 1e-6  # the one direction it sees
    assert [f.evidence["units"] for f in d.findings[1:] if f.code == "collapsed_units"] == [[1, 3]]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_seed001_dead_state_is_named(framework):
    model, P, target = seed001(framework, [HEXAGON[0], HEXAGON[1], [0.1, 0.1]], [0.0, 0.0, -5.0])
    top = first(doctor(model, P, target))
    assert top.code == "dead_units" and top.evidence["units"] == [3] and top.evidence["layer"] == 1


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_seed001_best_three_unit_network_gets_no_finding(framework):
    """The 'inverted hexagonal pyramid' optimum: relative RMSE ~0.11, so every check runs, and none fires."""
    model, P, target = seed001(framework, HEXAGON, [0.0, 0.0, 0.0])
    d = doctor(model, P, target)
    assert d.fit["relative_rmse"] > 0.05
    assert d.ok, str(d)


# ---------------------------------------------------------------- seed 002: x^2 + x with softmax output

def seed002(framework):
    """Flux's Chain(Dense(1, 45, relu), Dense(45, 45, relu), Dense(45, 1), softmax) at its
    Glorot-uniform, zero-bias start: softmax gives zero gradient, so training never moves it."""
    rng = np.random.default_rng(2)
    widths = [1, 45, 45, 1]
    layers = [(rng.uniform(-1, 1, (a, b)) * np.sqrt(6 / (a + b)), np.zeros(b)) for a, b in zip(widths, widths[1:])]
    x = np.arange(1.0, 1001.0)
    return build(framework, layers, output="softmax"), x, x ** 2 + x


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_seed002_softmax_output_comes_before_scaling(framework):
    model, x, y = seed002(framework)
    d = doctor(model, x, y)
    top = first(d)
    assert top.code == "output_activation" and top.severity == "critical"
    assert top.evidence["prediction_min"] == top.evidence["prediction_max"] == 1.0
    codes = d.codes
    assert codes.index("unscaled_targets") > 0 and "unscaled_inputs" in codes
    scaled = {f.code: f.evidence["factor"] for f in d.findings if f.code.startswith("unscaled")}
    assert scaled["unscaled_inputs"] == pytest.approx(np.sqrt(np.mean(x ** 2)))
    assert scaled["unscaled_targets"] == pytest.approx(np.sqrt(np.mean(y ** 2)))


def test_seed002_watched_keras_training_stalls_at_step_zero():
    model, x, y = seed002("keras")
    model.compile(optimizer="adam", loss="mse")
    w = watch(model, x, y, every=1)
    model.fit(x, y, batch_size=1000, epochs=12, verbose=0, callbacks=[w.callback])
    d = w.diagnose()
    stalled = next(f for f in d.findings if f.code == "stalled")
    assert d.codes[0] == "output_activation" and d.findings[stalled.because].code == "output_activation"
    assert stalled.evidence["since_step"] == 0
    assert [s for s, _ in w.history] == list(range(13)) and len({loss for _, loss in w.history}) == 1


# ---------------------------------------------------------------- seed 003: ln(x), all-positive init, SGD

def seed003(framework, steps=4):
    """1-50-10-1 relu, every weight and bias uniform in [0, 1), SGD lr 0.01, batch 50, watched."""
    rng = np.random.default_rng(3)
    widths = [1, 50, 10, 1]
    layers = [(rng.uniform(0, 1, (a, b)), rng.uniform(0, 1, b)) for a, b in zip(widths, widths[1:])]
    x = rng.uniform(0, 1, 50 * steps).astype("float32")
    y = np.log(x)
    model = build(framework, layers)
    w = watch(model, x, y, every=1)
    if framework == "keras":
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
        model.fit(x, y, batch_size=50, epochs=1, shuffle=False, verbose=0, callbacks=[w.callback])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        X, Y = torch.as_tensor(x[:, None]), torch.as_tensor(y[:, None])
        for step in range(steps):
            loss = ((model(X[step * 50:(step + 1) * 50]) - Y[step * 50:(step + 1) * 50]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            w.step(loss.item())
    return model, w


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_seed003_positive_init_comes_first(framework):
    model, w = seed003(framework)
    d = w.diagnose()
    assert first(d).code == "positive_init"
    assert {"dead_units", "bottleneck", "singular_target"} <= set(d.codes)
    dead = {f.evidence["layer"]: f for f in d.findings if f.code == "dead_units"}
    assert dead[2].evidence["share"] == 1.0  # the 10-unit bottleneck is entirely dead...
    assert 1 <= min(dead[2].evidence["died_at_step"].values()) <= 4  # ...within the first SGD steps
    assert any(e.code == "dead_units" and e.step >= 1 for e in w.events)
    assert np.ptp(d.case.pred) < 1e-6  # oracle: the network's output is constant
    edge = next(f for f in d.findings if f.code == "singular_target").evidence
    assert edge["edge"] == "low" and edge["region"][0] == pytest.approx(w.X.min())


# ---------------------------------------------------------------- healthy models: no false alarm

def test_surefit_fit_gets_no_finding_even_with_the_fit_gate_off():
    result = surefit.fit("abs(x)", "-1:1", hidden=2)
    assert str(doctor(result)) == "no problems found"
    strict = Thresholds(good_fit=0.0, noise_factor=0.0)  # every check runs
    assert doctor(result, thresholds=strict).ok
    assert doctor(result.model, result.problem.X, result.problem.y, thresholds=strict).ok


def trained_torch(noise: float):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a 1-32-32-1 network: more threads only contend with each other
    try:
        return _trained_torch(noise)
    finally:
        torch.set_num_threads(threads)


def _trained_torch(noise: float):
    torch.manual_seed(0)
    X = torch.linspace(-2, 2, 200, dtype=torch.float64).unsqueeze(1)
    Y = torch.sin(2 * X) + noise * torch.randn(X.shape, dtype=torch.float64)
    model = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32),
                                torch.nn.ReLU(), torch.nn.Linear(32, 1)).double()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 1000)
    for _ in range(1000):
        loss = ((model(X) - Y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
    return model, X.numpy(), Y.numpy()[:, 0]


@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_well_trained_torch_model_gets_no_finding(noise):
    model, X, y = trained_torch(noise)
    d = doctor(model, X, y)
    assert d.ok, str(d)
    if noise:  # it cannot beat the noise, and the doctor's noise estimate knows it
        assert d.case.noise == pytest.approx(noise / np.std(y), rel=0.25)
        assert d.fit["relative_rmse"] > 0.1


# ---------------------------------------------------------------- the pieces

@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize("hidden", ["relu", "tanh", "gelu", "elu", "sigmoid"])
def test_adapters_reproduce_the_models_own_predictions(framework, hidden):
    rng = np.random.default_rng(4)
    layers = [(rng.normal(size=(2, 5)), rng.normal(size=5)), (rng.normal(size=(5, 1)), rng.normal(size=1))]
    model = build(framework, layers, hidden=hidden)
    X = rng.normal(size=(64, 2))
    v = view(model)
    assert [a.name for a in v.hidden] == [hidden]
    np.testing.assert_allclose(v.forward(X), v.predict(X), rtol=1e-5, atol=1e-5)
    W, b = v.layers[0]
    np.testing.assert_allclose(W, layers[0][0], rtol=1e-6)  # float32 round trip


def test_a_custom_forward_is_refused_rather_than_misread():
    class Custom(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = torch.nn.Linear(1, 4), torch.nn.Linear(4, 1)

        def forward(self, x):
            return self.b(torch.relu(self.a(x)))  # a relu the module list does not show

    x = np.linspace(-1, 1, 50)
    with pytest.raises(SurefitError, match="custom forward"):
        doctor(Custom(), x, x ** 2)


@pytest.mark.parametrize("top, flagged", [(0.9, False), (5.0, True)])
def test_sigmoid_output_is_flagged_only_for_targets_it_cannot_reach(top, flagged):
    x = np.linspace(-1, 1, 200)
    y = top * (x + 1) / 2 * 0.98 + 0.01  # from 0.01 to ~top
    model = build("torch", [(np.ones((1, 3)), np.zeros(3)), (np.ones((3, 1)), np.zeros(1))], output="sigmoid")
    found = [f for f in doctor(model, x, y).findings if f.code == "output_activation"]
    assert bool(found) == flagged
    if flagged:
        assert found[0].evidence["share_outside"] == pytest.approx(np.mean(y > 1))


def surefit_case(x, y):
    """A Case for the data-only checks (singular_target needs no particular model)."""
    model = surefit.fit("x", "-1:1", hidden=1).model
    return Case(view(model), x[:, None], y, y, ("x",))


@pytest.mark.parametrize("name, f, lo, hi, singular", [
    ("ln", np.log, 1e-3, 1, True), ("sqrt", np.sqrt, 0, 1, True), ("1/x", lambda x: 1 / x, 0.01, 1, True),
    ("sin", lambda x: np.sin(3 * x), -1, 1, False), ("abs", np.abs, -1, 1, False),
    ("x2+x", lambda x: x ** 2 + x, 1, 1000, False), ("exp", lambda x: np.exp(3 * x), 0, 1, False)])
def test_singular_target_oracle(name, f, lo, hi, singular):
    x = np.random.default_rng(5).uniform(lo, hi, 1000)
    found = checks.singular_target(surefit_case(x, f(x)), Thresholds())
    assert bool(found) == singular
    if singular:
        assert found[0].evidence["edge"] == "low"


def test_noisy_smooth_target_is_not_singular():
    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, 1000)
    assert not checks.singular_target(surefit_case(x, np.sin(3 * x) + 0.1 * rng.normal(size=1000)), Thresholds())


def test_watch_reports_divergence_with_its_step():
    torch.manual_seed(0)
    x = np.linspace(-1, 1, 100)
    y = np.sin(3 * x)
    model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1))
    w = watch(model, x, y, every=1)
    opt = torch.optim.SGD(model.parameters(), lr=50.0)  # far too large: the loss explodes
    X, Y = torch.tensor(x[:, None], dtype=torch.float32), torch.tensor(y[:, None], dtype=torch.float32)
    for _ in range(20):
        loss = ((model(X) - Y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        w.step(loss.item())
    event = next(e for e in w.events if e.code == "diverged")
    losses = dict(w.history)
    assert losses[event.step] > 100 * min(v for s, v in w.history if s < event.step)  # oracle
    assert "diverged" in [e.code for e in w.events]


def test_nan_weights_are_diverged_first_and_only_the_data_is_judged_besides():
    """NaN predictions leave nothing about the units to measure; the data's own findings (needing
    no predictions) still come, after the divergence they do not explain without a watched run."""
    model, x, y = seed000("torch")
    with torch.no_grad():
        model[0].weight[0, 0] = float("nan")
    d = doctor(model, x, y)
    assert d.codes[0] == "diverged" and d.findings[0].evidence["nonfinite_parameters"] == 1
    assert set(d.codes[1:]) == {"unscaled_inputs", "unscaled_targets"}


def test_the_package_is_callable_as_the_doctor():
    """surefit.doctor(model, X, y) and surefit.doctor.watch(...) both work."""
    import surefit.doctor as package
    model, x, y = seed000("torch")
    assert package(model, x, y).codes == doctor(model, x, y).codes
    assert package.watch(model, x, y).history[0][0] == 0


def test_diagnosis_json_shape():
    d = doctor(*seed002("torch"))
    out = json.loads(json.dumps(d.to_dict()))
    assert [f["code"] for f in out["findings"]] == d.codes
    assert set(out["findings"][0]) == {"code", "severity", "message", "evidence", "fix", "explains", "because"}
    for i, f in enumerate(out["findings"]):  # the cause tree is consistent both ways
        assert all(out["findings"][j]["because"] == i for j in f["explains"])


# ---------------------------------------------------------------- the command line and the PNG

def write_csv(path, x, y):
    path.write_text("x,y\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(x, y)))
    return str(path)


def test_cli_keras_file_with_json_and_plot(tmp_path, capsys):
    model, x, y = seed002("keras")
    model.save(tmp_path / "m.keras")
    code = main(["doctor", str(tmp_path / "m.keras"), "--csv", write_csv(tmp_path / "d.csv", x, y),
                 "--target", "y", "--json", str(tmp_path / "d.json"), "--plot", str(tmp_path / "d.png")])
    out = capsys.readouterr().out
    assert code == 1 and "output_activation" in out and "fix:" in out
    report = json.loads((tmp_path / "d.json").read_text())
    assert report["findings"][0]["code"] == "output_activation"
    assert (tmp_path / "d.png").read_bytes()[:4] == b"\x89PNG"


def test_cli_pickled_torch_module_needs_trust(tmp_path, capsys):
    model, x, y = seed000("torch")
    torch.save(model, tmp_path / "m.pt")
    data = write_csv(tmp_path / "d.csv", x, y)
    assert main(["doctor", str(tmp_path / "m.pt"), "--csv", data, "--target", "y"]) == 2
    assert "runs code" in capsys.readouterr().err
    assert main(["doctor", str(tmp_path / "m.pt"), "--csv", data, "--target", "y", "--trust-pickle"]) == 1
    assert "same_side_units" in capsys.readouterr().out


def test_cli_surefit_model_file_is_healthy(tmp_path, capsys):
    result = surefit.fit("abs(x)", "-1:1", hidden=2)
    store.save(result, tmp_path / "m.surefit")
    data = write_csv(tmp_path / "d.csv", result.problem.X[:, 0], result.problem.y)
    assert main(["doctor", str(tmp_path / "m.surefit"), "--csv", data, "--target", "y"]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_report_png_with_loss_curve(tmp_path):
    _, w = seed003("torch")
    path = plot_diagnosis(w.diagnose(), tmp_path / "r.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
