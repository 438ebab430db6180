"""The doctor's pieces added for real programs: the cause graph, reading every layer a Keras or
PyTorch MLP may hold, classifiers judged as classifiers, and the new checks, each on a model
built (or trained a few steps) to have exactly the state the check is about."""
from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from surefit.doctor import CAUSES, ORDER, doctor, watch  # noqa: E402
from surefit.doctor.adapters import check_readable, view  # noqa: E402
from surefit.doctor.case import Case, Thresholds  # noqa: E402
from surefit.doctor.findings import Diagnosis, Finding  # noqa: E402
from surefit.doctor.training import learning_rate, slow_convergence  # noqa: E402

keras = pytest.importorskip("keras")
X1 = np.linspace(-1, 1, 200)[:, None]


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def dense(model_layers, weights):
    """Set each Dense layer's (W, b) in order."""
    for layer, (W, b) in zip([la for la in model_layers if type(la).__name__ == "Dense"], weights):
        layer.set_weights([np.asarray(W, "float32"), np.asarray(b, "float32")])


# ---------------------------------------------------------------- the cause graph

def test_every_edge_of_the_cause_graph_goes_down_the_causal_order():
    codes = list(ORDER)
    assert set(CAUSES) <= set(codes)
    for cause, effects in CAUSES.items():
        assert effects <= set(codes) and all(codes.index(cause) < codes.index(e) for e in effects), cause


def test_a_cause_carries_what_it_explains_and_its_severity():
    f = lambda code, **ev: Finding(code, code, ev, "fix", summary=code)  # noqa: E731
    d = Diagnosis.of([f("dead_units", share=0.5, dead=4, dead_from_start=4), f("stalled"),
                      f("unscaled_inputs", off_origin=True, large=False), f("unscaled_targets", unreached=False)])
    assert d.codes == ["unscaled_inputs", "dead_units", "stalled", "unscaled_targets"]
    top = d.findings[0]
    assert top.severity == "major" and top.explains == (1,)  # lifted from minor by the dead units
    assert d.findings[2].because == 1 and d.findings[3].because is None and d.findings[3].severity == "minor"
    assert "this explains: dead_units" in str(d) and "1.1.1. [minor] stalled" in str(d)


# ---------------------------------------------------------------- reading models

KERAS_ELEMENTWISE = ["celu", "elu", "exponential", "gelu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
                     "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "mish", "relu", "relu6", "selu", "sigmoid",
                     "silu", "soft_shrink", "softplus", "softsign", "sparse_plus", "sparse_sigmoid", "squareplus",
                     "swish", "tanh", "tanh_shrink"]


@pytest.mark.parametrize("name", KERAS_ELEMENTWISE)
def test_every_keras_activation_is_read(name):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(6, activation=name), keras.layers.Dense(1)])
    X = np.random.default_rng(0).normal(size=(64, 2)) * 2
    check_readable(view(model), X)  # raises if the View's forward differs from Keras's


def test_keras_stacked_activations_dropout_and_batch_norm_are_read():
    """Dense(relu) + Activation(relu) (31880720), Dropout, BatchNormalization before and after an
    activation, an explicit InputLayer: all read, none refused."""
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.layers.InputLayer((3,)), keras.layers.BatchNormalization(),
                              keras.layers.Dense(8, activation="relu"), keras.layers.Activation("relu"),
                              keras.layers.Dropout(0.3), keras.layers.BatchNormalization(), keras.layers.Dense(5),
                              keras.layers.BatchNormalization(), keras.layers.Activation("tanh"), keras.layers.Dense(1)])
    X = np.random.default_rng(1).normal(2, 3, size=(80, 3))
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, X[:, 0], epochs=2, verbose=0)  # moving means and variances away from 0 and 1
    v = view(model)
    check_readable(v, X)
    assert [a.name for a in v.hidden] == ["relu", "tanh"] and v.widths == [3, 8, 5, 1]
    assert v.setup.dropout == ((1, 0.3),) and v.setup.loss == "mse" and v.setup.optimizer == "Adam"


def test_torch_batch_norm_identity_dropout_and_more_activations_are_read():
    nn = torch.nn
    torch.manual_seed(3)
    model = nn.Sequential(nn.BatchNorm1d(2), nn.Linear(2, 6), nn.BatchNorm1d(6), nn.SELU(), nn.Dropout(0.2),
                          nn.Linear(6, 6), nn.Hardswish(), nn.Identity(), nn.Linear(6, 6), nn.PReLU(),
                          nn.Linear(6, 4), nn.CELU(0.5), nn.Linear(4, 1))
    model.train()
    model(torch.randn(50, 2) * 3 + 1)  # running statistics
    X = np.random.default_rng(2).normal(1, 3, size=(60, 2))
    v = view(model)
    check_readable(v, X)
    assert [a.name for a in v.hidden] == ["selu", "hard_silu", "leaky_relu", "celu"]


# ---------------------------------------------------------------- false alarms the issue names

def test_zero_biases_carry_no_sign():
    """Keras's Dense(5) on one input: 5 weights, all negative here (p = 1/16), and zero biases is
    not a one-signed initialisation; 100 positive parameters are."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(5, activation="sigmoid"), keras.layers.Dense(1)])
    dense(model.layers, [(-np.array([[0.3, 0.5, 0.7, 0.9, 1.1]]), np.zeros(5)), (np.ones((5, 1)), [0.0])])
    assert "positive_init" not in doctor(model, X1, np.sin(6 * X1[:, 0])).codes
    big = keras.Sequential([keras.Input((1,)), keras.layers.Dense(50, activation="relu"), keras.layers.Dense(1)])
    rng = np.random.default_rng(4)
    dense(big.layers, [(rng.uniform(0, 1, (1, 50)), rng.uniform(0, 1, 50)), (rng.normal(size=(50, 1)), [0.0])])
    found = [f for f in doctor(big, X1, np.sin(6 * X1[:, 0])).findings if f.code == "positive_init"]
    assert found and found[0].evidence["parameters"] == 100 and found[0].evidence["chance"] < 1e-20


def classifier(weights_scale: float):
    """1 -> 2 relu -> 1 sigmoid computing sigmoid(10 (x - 0.2)) (label 1 for x > 0.2); weights_scale 0
    makes the output a constant 0.5."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    dense(model.layers, [([[1.0, -1.0]], [-0.2, 0.2]), (weights_scale * np.array([[10.0], [-10.0]]), [0.0])])
    return model


def test_an_accurate_classifier_is_judged_by_its_accuracy_not_its_rmse():
    y = (X1[:, 0] > 0.2).astype(float)
    d = doctor(classifier(1.0), X1, y)
    assert d.fit["accuracy"] == 1.0 and d.fit["relative_rmse"] > 0.1  # far above the 0.02 bar for regressions
    assert d.ok, str(d)


def test_a_constant_model_never_gets_no_problems_found():
    """Outputting 0.5 on 0/1 labels: the noise estimate of 0/1 labels is large, yet the model is
    no better than a constant (the three stuck circle classifiers of the issue)."""
    y = (X1[:, 0] > 0.2).astype(float)
    d = doctor(classifier(0.0), X1, y)
    assert "no_better_than_constant" in d.codes and not d.ok
    regression = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    with torch.no_grad():  # three live, distinct units, then an output that ignores them
        regression[0].weight.copy_(torch.tensor([[1.0], [-1.0], [2.0]]))
        regression[0].bias.copy_(torch.tensor([0.0, 0.0, 0.5]))
        regression[2].weight.zero_()
        regression[2].bias.fill_(0.1)
    assert doctor(regression, X1, np.sin(6 * X1[:, 0])).codes == ["no_better_than_constant"]


def test_relu_output_under_binary_cross_entropy_is_critical():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1, activation="relu")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    d = doctor(model, X1, (X1[:, 0] > 0).astype(float))
    assert d.findings[0].code == "output_activation" and d.findings[0].severity == "critical"
    assert "binary cross-entropy" in d.findings[0].message


# ---------------------------------------------------------------- regularisation, saturation, gradients

def test_heavy_dropout_and_a_large_weight_penalty_come_first():
    keras.utils.set_random_seed(5)
    y = np.sin(3 * X1[:, 0])
    for extra in ([keras.layers.Dropout(0.9)], []):
        reg = None if extra else keras.regularizers.l2(10.0)
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu", kernel_regularizer=reg),
                                  *extra, keras.layers.Dense(1, kernel_regularizer=reg)])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        model.fit(X1, y, epochs=40, batch_size=50, verbose=0)
        d = doctor(model, X1, y)
        assert d.codes[0] == "regularisation", str(d)
        assert ("dropout" in d.findings[0].evidence) == bool(extra)


def test_saturated_sigmoid_units():
    """Weights of size 20 on inputs in [-1, 1]: |z| > 5 on most points for every unit."""
    model = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[20.0], [-20.0], [25.0], [-30.0]]))
        model[0].bias.zero_()
    found = [f for f in doctor(model, X1, X1[:, 0] ** 2).findings if f.code == "saturated_units"]
    assert found and found[0].evidence["saturated"] == 4 and found[0].evidence["median_abs_z"] > 5


def test_vanishing_gradient_through_a_deep_sigmoid_stack():
    torch.manual_seed(6)
    layers = [torch.nn.Linear(2, 5), torch.nn.Sigmoid()]
    for _ in range(7):
        layers += [torch.nn.Linear(5, 5), torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(5, 1))
    X = np.random.default_rng(3).uniform(-1, 1, (300, 2))
    d = doctor(model, X, np.hypot(*X.T))
    found = next(f for f in d.findings if f.code == "vanishing_gradient")
    per_layer = found.evidence["per_layer"]
    assert found.evidence["ratio"] < 1e-3 and per_layer[0] < per_layer[4] < per_layer[-1]


# ---------------------------------------------------------------- the watch

def test_the_keras_callback_recovers_each_batch_loss():
    """Keras logs the running mean over the epoch; the watch turns it back into each batch's loss.
    With a zero learning rate each batch's loss is known in advance."""
    X = np.arange(12.0)[:, None]
    y = np.zeros(12)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    dense(model.layers, [([[1.0]], [0.0])])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")
    w = watch(model, X, y, every=100)
    model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[w.callback])
    expected = [np.mean(X[i:i + 4, 0] ** 2) for i in (0, 4, 8)] * 2
    np.testing.assert_allclose([loss for _, loss in w.losses], expected, rtol=1e-4)


def test_the_pytorch_helper_takes_the_step_and_records_it():
    torch.manual_seed(7)
    model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    w = watch(model, X1, np.sin(3 * X1[:, 0]), optimizer=opt, loss=torch.nn.MSELoss(), every=5)
    Xt, yt = torch.tensor(X1, dtype=torch.float32), torch.tensor(np.sin(3 * X1), dtype=torch.float32)
    before = [p.detach().clone() for p in model.parameters()]
    for _ in range(10):
        w.update(torch.nn.functional.mse_loss(model(Xt), yt))
    assert [s for s, _ in w.losses] == list(range(1, 11)) and w.losses[-1][1] < w.losses[0][1]
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert (w.setup.optimizer, w.setup.learning_rate, w.setup.loss) == ("SGD", 0.1, "mse")
    assert len(w.history) == 3 and len(w.jumps) == 2


def watched_case(history):
    """seed 000's half-fit |x| model (a poor fit), with a made-up watched history."""
    model = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    x = np.linspace(-1, 1, 100)
    v = view(model)
    return Case(v, x[:, None], np.abs(x), check_readable(v, x[:, None]), ("x",), history=history)


def test_the_noise_a_model_is_held_to_is_its_rms_where_it_changes_along_the_input():
    """Noise 0.02 growing to 0.32 about x = 1: the typical level is about half its RMS (noise.rms_level),
    and a model at the noise would have looked twice as far from it as it is."""
    model = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 1000)
    spread = 0.02 + 0.3 * np.exp(-((x - 1) / 0.4) ** 2)
    y = np.sin(2 * x) + spread * rng.standard_normal(1000)
    v = view(model)
    case = Case(v, x[:, None], y, check_readable(v, x[:, None]), ("x",))
    assert case.noise * np.std(y) / np.sqrt(np.mean(spread ** 2)) == pytest.approx(1, abs=0.2)


def test_an_oscillating_loss_is_a_learning_rate_finding():
    history = [(10 * i, 0.3 if i % 2 else 0.6) for i in range(30)]
    found = learning_rate(watched_case(history), Thresholds())
    assert found and found[0].evidence["kind"] == "oscillation" and found[0].evidence["share_up"] > 0.4


def test_a_steady_crawl_is_slow_convergence_and_a_flat_loss_is_not():
    crawl = [(10 * i, 1.0 - 0.003 * i) for i in range(20)]  # falls every check, 5.7% in all
    found = slow_convergence(watched_case(crawl), Thresholds())
    assert found and 0.05 < found[0].evidence["gain"] < 0.06
    flat = [(10 * i, 1.0 - 1e-5 * i) for i in range(20)]  # falls every check, 0.02% in all: stalled
    assert not slow_convergence(watched_case(flat), Thresholds())
