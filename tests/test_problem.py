"""Targets in, a validated Problem out: domains, sampling, held-out grids, and every bad input."""
import numpy as np
import pytest

from surefit.errors import SurefitError
from surefit.problem import (EVAL_POINTS_1D, from_arrays,
                             from_function, parse_domain, resolve_domains)

# --- domains --------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("-1:1", (None, (-1.0, 1.0))), ("x=-1:1", ("x", (-1.0, 1.0))),
    ("y=0.5:2e3", ("y", (0.5, 2000.0))), ("x2=-3:-1", ("x2", (-3.0, -1.0)))])
def test_parse_domain(text, expected):
    assert parse_domain(text) == expected


@pytest.mark.parametrize("text,message", [("1:1", "empty or reversed"), ("2:-1", "empty or reversed"),
                                          ("a:b", "two finite numbers"), ("1:2:3", "two finite numbers"),
                                          ("-inf:1", "two finite numbers"), ("nan:1", "two finite numbers"),
                                          ("1", "two finite numbers"), ("", "two finite numbers")])
def test_bad_domain_text(text, message):
    with pytest.raises(SurefitError, match=message):
        parse_domain(text)


@pytest.mark.parametrize("domains", ["-1:2", ["-1:2"], (-1, 2), {"x": (-1, 2), "y": (-1, 2)},
                                     ["x=-1:2", "y=-1:2"], [(-1, 2), (-1, 2)][:1]])
def test_one_domain_for_all_or_one_each(domains):
    assert resolve_domains(("x", "y"), domains) == ((-1.0, 2.0), (-1.0, 2.0))


def test_domains_by_name_follow_the_variables_order():
    assert resolve_domains(("x", "y"), ["y=0:1", "x=-5:5"]) == ((-5.0, 5.0), (0.0, 1.0))
    assert resolve_domains(("x", "y"), {"y": (0, 1), "x": (-5, 5)}) == ((-5.0, 5.0), (0.0, 1.0))


@pytest.mark.parametrize("domains,message", [
    (None, "give a domain"),
    (["q=0:1"], r"\['q'\] are not variables"),
    ({"x": (0, 1), "z": (0, 1)}, r"\['z'\] are not variables"),
    (["x=0:1"], "no domain for y"),
    ({"x": (0, 1)}, "no domain for y"),
    (["0:1", "y=0:1"], "either one domain for all"),
    (["0:1", "2:3"], "either one domain for all"),
    ({"x": (1, 0), "y": (0, 1)}, "domain of x .* empty or reversed"),
    ((2, 2), "empty or reversed"),
])
def test_bad_domains(domains, message):
    with pytest.raises(SurefitError, match=message):
        resolve_domains(("x", "y"), domains)


# --- sampling and the held-out grid ------------------------------------------------------------


def test_grid_in_one_dimension_is_linspace():
    p = from_function("x**2", "-1:3", points=57)
    np.testing.assert_array_equal(p.X[:, 0], np.linspace(-1, 3, 57))
    np.testing.assert_array_equal(p.y, np.linspace(-1, 3, 57) ** 2)
    assert p.X_eval.shape == (EVAL_POINTS_1D, 1) and p.X_eval.min() == -1 and p.X_eval.max() == 3


def test_grid_in_two_dimensions_has_round_sqrt_points_per_axis():
    p = from_function("x + y", ["x=0:1", "y=10:20"], points=2000, sampling="grid")
    assert p.X.shape == (45 * 45, 2)  # round(sqrt(2000)) = 45 per axis
    assert sorted(set(p.X[:, 1])) == pytest.approx(np.linspace(10, 20, 45))


@pytest.mark.parametrize("d,points", [(1, 123), (2, 500), (3, 77)])
def test_random_sampling_gives_exactly_points_inside_the_domain(d, points):
    variables = ["x", "y", "z"][:d]
    p = from_function(" + ".join(variables), [f"{v}=2:5" for v in variables], points=points,
                      sampling="random", seed=3)
    assert p.X.shape == (points, d) and p.X.min() >= 2 and p.X.max() <= 5
    assert len(np.unique(p.X[:, 0])) == points


def test_defaults_are_grids_up_to_2d_and_random_points_above():
    assert from_function("x", "0:1").X.shape == (1000, 1)
    p = from_function("x*y", "0:1")
    assert p.X.shape == (45 * 45, 2) and len(np.unique(p.X[:, 0])) == 45  # round(sqrt(2000)) per axis
    assert p.X_eval.shape[0] >= 40_000 / 2 and p.X_eval.shape[1] == 2
    q = from_function("x*y*z", "0:1")
    assert q.X.shape == (2000, 3) and len(np.unique(q.X[:, 0])) == 2000


def test_sampling_is_seeded():
    a, b, c = (from_function("x*y", "0:1", sampling="random", seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_unknown_sampling_is_refused():
    with pytest.raises(SurefitError, match="sampling"):
        from_function("x", "0:1", sampling="sobol")


@pytest.mark.parametrize("target", ["noisy.csv", " Data.TSV"])
def test_a_file_name_for_an_expression_says_how_to_read_the_file(target):
    with pytest.raises(SurefitError, match=r"names a file, not an expression: read it with surefit.from_csv\("):
        from_function(target, "0:1")  # was "attribute is not allowed in 'noisy.csv'"


def test_too_few_points_is_refused():
    with pytest.raises(SurefitError, match="at least 2 points"):
        from_function("x", "0:1", points=1)


def shared(a, b):
    """Values of a that are also in the sorted b (to rounding)."""
    i = np.clip(np.searchsorted(b, a), 1, len(b) - 1)
    return a[np.minimum(abs(b[i] - a), abs(b[i - 1] - a)) <= 1e-12]


@pytest.mark.parametrize("points", [50, 400, 401, 1000, 10_000])
def test_the_held_out_grid_excludes_the_training_points_in_1d(points):
    p = from_function("sin(x)", "-2:2", points=points)
    np.testing.assert_array_equal(shared(p.X[:, 0], p.X_eval[:, 0]), [-2, 2])  # only the edges


# --- non-finite targets ----------------------------------------------------------------------


@pytest.mark.parametrize("target,domain,where", [
    ("log(x)", "0:1", "x=0"),
    ("sqrt(x)", "-1:1", "x=-1"),
    ("1 / (x - 0.5)", "0:1", "x=0.5"),  # not on a 400-point grid: found on the held-out grid
    ("log(x) + y", ["x=0:1", "y=2:3"], "x=0, y="),
])
def test_a_non_finite_target_names_the_point(target, domain, where):
    with pytest.raises(SurefitError, match=f"{target[:3]}.*is (-?inf|nan) at {where}.*narrow the domain"):
        from_function(target, domain, sampling="grid")


# --- callables -------------------------------------------------------------------------------


def test_callable_of_two_arrays():
    p = from_function(lambda a, b: a * b, (0, 1), points=100)
    assert p.variables == ("x", "y")
    np.testing.assert_array_equal(p.y, p.X[:, 0] * p.X[:, 1])


def test_callable_returning_one_number_is_broadcast():
    p = from_function(lambda x: 3.0, "0:1", points=10)
    np.testing.assert_array_equal(p.y, np.full(10, 3.0))


def test_callable_with_the_wrong_output_size():
    with pytest.raises(SurefitError, match="returned 9 values for 10 points"):
        from_function(lambda x: x[1:], "0:1", points=10)


def test_callable_that_raises_is_reported_in_one_line():
    def broken(x):
        raise RuntimeError("boom")
    with pytest.raises(SurefitError, match="evaluating broken failed: boom"):
        from_function(broken, "0:1")


@pytest.mark.parametrize("target,domain,message", [
    ("exp(x)", "0:400", r"exp\(x\) reaches 5.22e\+173: past 1e\+150 .* narrow the domain"),
    ("1e-200 * x", "1:2", r"1e-200 \* x is at most 2e-200 in size"),
    ("sin(x)", "0:1e200", r"^x reaches 1e\+200"),
])
def test_a_formula_whose_squares_leave_float64_is_refused(target, domain, message):
    with pytest.raises(SurefitError, match=message):
        from_function(target, domain, points=50)


def test_callable_non_finite_somewhere():
    with pytest.raises(SurefitError, match="is inf at x=0"):
        from_function(lambda x: 1 / x, "0:1")


# --- arrays ----------------------------------------------------------------------------------


def test_arrays_split_into_training_and_held_out_rows():
    X = np.arange(100.0).reshape(50, 2)
    y = X.sum(1)
    p = from_arrays(X, y, holdout=0.2, seed=1)
    assert p.X.shape == (40, 2) and p.X_eval.shape == (10, 2) and p.domain is None
    both = np.concatenate([p.X, p.X_eval])
    np.testing.assert_array_equal(np.sort(both[:, 0]), X[:, 0])  # disjoint, and nothing lost
    np.testing.assert_array_equal(p.y, p.X.sum(1))


def test_arrays_without_holdout_use_every_row_for_both():
    X = np.linspace(0, 1, 30)
    p = from_arrays(X, 2 * X, holdout=0)
    assert p.X.shape == (30, 1) and np.array_equal(p.X, p.X_eval)
    assert p.X_eval is p.X and p.y_eval is p.y  # the same rows: nothing downstream treats them as held out


def test_a_column_target_is_accepted():
    p = from_arrays(np.ones((12, 3)), np.arange(12.0)[:, None], holdout=0)
    assert p.y.shape == (12,) and p.variables == ("x", "y", "z")


@pytest.mark.parametrize("X,y,message", [
    (np.array([0.0, np.nan, 2]), np.zeros(3), r"inputs contain NaN or infinity \(row 1\)"),
    (np.zeros(3), np.array([0.0, 1, np.inf]), r"targets contain NaN or infinity \(row 2\)"),
    (np.zeros(5), np.zeros(4), "5 rows but targets have 4"),
    (np.zeros(1), np.zeros(1), "at least 2 samples"),
    (np.zeros((4, 2)), np.zeros((4, 2)), "must be"),
    (np.array(["a", "b"]), np.zeros(2), "numeric"),
])
def test_bad_arrays(X, y, message):
    with pytest.raises(SurefitError, match=message):
        from_arrays(X, y)


@pytest.mark.parametrize("X,y,message", [
    (np.arange(4.0), 1e200 * np.arange(4.0), r"the target reaches 3e\+200: past 1e\+150 in size its squares overflow"),
    (np.arange(4.0), -1e-200 * np.arange(4.0), r"the target is at most 3e-200 in size: under 1e-150 .* underflow"),
    (np.c_[np.arange(4.0), 1e160 * np.arange(4.0)], np.arange(4.0), r"^y reaches 3e\+160"),  # inputs x, y
])
def test_values_whose_squares_leave_float64_are_refused(X, y, message):
    # errors, spreads and the noise level are sums of squares in the data's units: 1e200 fitted nan, 1e-200 "constant"
    with pytest.raises(SurefitError, match=message):
        from_arrays(X, y)


def test_any_units_within_float64s_squares_are_taken():
    p = from_arrays(1e140 * np.arange(4.0), 1e-140 * np.arange(4.0), holdout=0)  # oracle: the values as given
    np.testing.assert_array_equal(np.sort(p.y), 1e-140 * np.arange(4.0))
    assert from_arrays(np.arange(3.0), np.zeros(3)).y.max() == 0  # all zeros: a constant, not too small
