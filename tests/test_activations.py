"""The activation table: where a unit responds (the pictures' bars, the doctor's saturated units)."""
import numpy as np
import pytest

from surefit.activations import activation


Q = 0.03 / 4  # the sigmoid's slope s (1 - s) at 3% of its steepest (1/4)


@pytest.mark.parametrize("name, flat_beyond", [
    ("tanh", np.arccosh(1 / np.sqrt(0.03))),  # 1 - tanh(z)^2 = 1 / cosh(z)^2 = 3%
    ("sigmoid", np.log((1 / Q - 2 + np.sqrt((1 / Q - 2) ** 2 - 4)) / 2))])  # u / (1 + u)^2 = Q, u = e^z
def test_a_smooth_unit_responds_where_its_slope_is_over_3_percent_of_the_steepest(name, flat_beyond):
    z = np.linspace(-10, 10, 4001)
    away = np.abs(np.abs(z) - flat_beyond) > 1e-3  # not at the edge itself
    np.testing.assert_array_equal(activation(name).responds(z)[away], (np.abs(z) < flat_beyond)[away])


@pytest.mark.parametrize("name", ["relu", "leaky_relu"])
def test_a_kinked_unit_responds_where_it_is_on(name):
    z = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    np.testing.assert_array_equal(activation(name).responds(z), z > 0)
