"""Scalers: inputs to [-1, 1] over the domain, targets to zero mean and unit variance, and back."""
import numpy as np
import pytest

from surefit.scaling import Scaler, input_scaler, target_scaler


def test_forward_and_inverse_are_the_affine_map_and_its_inverse():
    s = Scaler((1.0, -2.0), (4.0, 0.5))
    X = np.array([[1.0, -2.0], [5.0, -1.5], [-3.0, 0.0]])
    np.testing.assert_array_equal(s.forward(X), [[0, 0], [1, 1], [-1, 4]])
    np.testing.assert_allclose(s.inverse(s.forward(X)), X, rtol=1e-15)


def test_inputs_go_to_minus_one_one_over_the_domain():
    # seed 002's x ran 1..1000: scaled, the domain's edges are exactly -1 and 1
    X = np.linspace(3, 700, 20)[:, None]
    s = input_scaler(X, ((1.0, 1000.0),))
    assert s.offset == (500.5,) and s.scale == (499.5,)
    np.testing.assert_array_equal(s.forward(np.array([[1.0], [1000.0]])), [[-1.0], [1.0]])


def test_without_a_domain_the_data_range_is_used():
    rng = np.random.default_rng(0)
    X = rng.uniform([-5, 100], [5, 300], size=(200, 2))
    scaled = input_scaler(X).forward(X)
    np.testing.assert_allclose(scaled.min(0), [-1, -1], atol=1e-15)
    np.testing.assert_allclose(scaled.max(0), [1, 1], atol=1e-15)


def test_a_constant_input_column_stays_finite():
    X = np.column_stack([np.linspace(0, 1, 5), np.full(5, 7.0)])
    s = input_scaler(X)
    assert s.scale[1] == 1.0
    np.testing.assert_array_equal(s.forward(X)[:, 1], np.zeros(5))


def test_targets_get_zero_mean_and_unit_variance():
    # seed 002's y = x^2 + x reaches 1e6; scaled, it is O(1)
    x = np.linspace(1, 1000, 1000)
    y = x ** 2 + x
    s = target_scaler(y)
    z = s.forward(y[:, None])[:, 0]
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1, rel=1e-12)
    assert s.offset == (pytest.approx(y.mean()),) and s.scale == (pytest.approx(y.std()),)
    np.testing.assert_allclose(s.inverse(z[:, None])[:, 0], y, rtol=0, atol=1e-15 * y.max())


def test_a_constant_target_keeps_scale_one():
    s = target_scaler(np.full(10, -4.0))
    assert s == Scaler((-4.0,), (1.0,))


def test_dict_round_trip():
    s = Scaler((0.1, -3.0), (2.5, 1e-6))
    assert Scaler.from_dict(s.to_dict()) == s
    assert Scaler.from_dict({"offset": ["1"], "scale": [2]}) == Scaler((1.0,), (2.0,))
