"""Model: predictions in the user's units, and folded layers that reproduce them exactly."""
import numpy as np
import pytest
from scipy.special import erf, expit

from surefit.errors import SurefitError
from surefit.model import Model
from surefit.activations import TRAINABLE
from surefit.network import NetSettings
from surefit.scaling import Scaler

NUMPY_ACTIVATIONS = {  # the oracle: each activation written independently of torch
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "tanh": np.tanh,
    "gelu": lambda z: 0.5 * z * (1 + erf(z / np.sqrt(2))),
    "sigmoid": expit,
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
}


def test_the_oracle_covers_every_activation():
    assert set(NUMPY_ACTIVATIONS) == set(TRAINABLE)


def random_model(activation, hidden=(5, 3), n_inputs=2, seed=0):
    net = NetSettings(n_inputs, hidden, activation)
    rng = np.random.default_rng(seed)
    x_scaler = Scaler(tuple(rng.uniform(-50, 50, n_inputs)), tuple(rng.uniform(0.5, 200, n_inputs)))
    y_scaler = Scaler((1234.5,), (987.0,))
    return Model.from_theta(net, rng.normal(size=net.n_params), x_scaler, y_scaler, ("x", "y")[:n_inputs])


def user_inputs(model, n=300, seed=1):
    offset, scale = np.array(model.x_scaler.offset), np.array(model.x_scaler.scale)
    return offset + scale * np.random.default_rng(seed).uniform(-1.2, 1.2, size=(n, len(offset)))


def run_layers(layers, X, act):
    h = X
    for i, (W, b) in enumerate(layers):
        h = h @ W + b
        if i < len(layers) - 1:
            h = act(h)
    return h[:, 0]


@pytest.mark.parametrize("activation", sorted(TRAINABLE))
def test_predict_is_the_scaled_network_in_user_units(activation):
    model = random_model(activation)
    X = user_inputs(model)
    scaled = run_layers(model.layers, model.x_scaler.forward(X), NUMPY_ACTIVATIONS[activation])
    expected = model.y_scaler.inverse(scaled[:, None])[:, 0]
    np.testing.assert_allclose(model.predict(X), expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


@pytest.mark.parametrize("activation", sorted(TRAINABLE))
@pytest.mark.parametrize("hidden", [(4,), (5, 3), (3, 4, 2)])
def test_folded_layers_reproduce_predict(activation, hidden):
    model = random_model(activation, hidden)
    X = user_inputs(model)
    folded = run_layers(model.folded().layers, X, NUMPY_ACTIVATIONS[activation])
    predicted = model.predict(X)
    np.testing.assert_allclose(folded, predicted, rtol=0, atol=1e-12 * np.abs(predicted).max())


def test_layers_are_views_of_theta_in_order():
    net = NetSettings(2, (3,), "relu")
    model = Model.from_theta(net, np.arange(net.n_params, dtype=float), Scaler((0, 0), (1, 1)), Scaler((0,), (1,)),
                  ("x", "y"))
    (W0, b0), (W1, b1) = model.layers
    np.testing.assert_array_equal(W0, np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(b0, [6, 7, 8])
    np.testing.assert_array_equal(W1, [[9], [10], [11]])
    np.testing.assert_array_equal(b1, [12])


def test_one_input_accepts_a_flat_array():
    model = random_model("tanh", n_inputs=1)
    x = np.linspace(-3, 3, 7)
    np.testing.assert_array_equal(model.predict(x), model.predict(x[:, None]))


def test_wrong_number_of_columns_is_refused():
    with pytest.raises(SurefitError, match="takes 2 input column"):
        random_model("relu").predict(np.zeros((4, 3)))


def test_rows_outside_the_fitted_inputs_are_counted_and_the_inputs_named():
    net = NetSettings(2, (3,), "tanh")
    model = Model.from_theta(net, np.zeros(net.n_params), Scaler((0.0, 10.0), (1.0, 5.0)), Scaler((0.0,), (1.0,)),
                             ("a", "b"))  # fitted on a in [-1, 1], b in [5, 15]
    assert model.extrapolation(np.array([[-1.0, 5.0], [1.0, 15.0], [0.3, 9.0]])) == ""  # the edges are inside
    said = model.extrapolation(np.array([[0.0, 15.5], [0.0, 4.0], [0.5, 10.0]]))
    assert said.startswith("2 of 3 rows lie outside the inputs the model was fitted on (b from 5 to 15)")

