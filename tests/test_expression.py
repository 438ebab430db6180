"""The expression language: numpy is the oracle, and every way out of the language is refused."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surefit.errors import SurefitError
from surefit.expression import CONSTANTS, FUNCTIONS, Expression

x = np.linspace(-0.9, 0.9, 37)
y = np.linspace(0.3, 2.0, 37)

ONE_ARGUMENT = {"abs": np.abs, "sqrt": np.sqrt, "cbrt": np.cbrt, "exp": np.exp, "expm1": np.expm1,
                "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p, "sin": np.sin,
                "cos": np.cos, "tan": np.tan, "arcsin": np.arcsin, "arccos": np.arccos,
                "arctan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
                "sign": np.sign, "floor": np.floor, "ceil": np.ceil, "square": np.square,
                "heaviside": lambda v: np.heaviside(v, 0.5)}
TWO_ARGUMENTS = {"arctan2": np.arctan2, "maximum": np.maximum, "minimum": np.minimum,
                 "max": np.maximum, "min": np.minimum, "hypot": np.hypot}


def test_the_tables_here_cover_every_function():
    assert set(ONE_ARGUMENT) | set(TWO_ARGUMENTS) | {"where"} == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(ONE_ARGUMENT))
def test_one_argument_functions_match_numpy(name):
    # 0.5 * x + 0.55 stays in (0, 1]: inside every function's domain
    inside = 0.5 * x + 0.55
    np.testing.assert_array_equal(Expression(f"{name}(0.5 * x + 0.55)")(x), ONE_ARGUMENT[name](inside))


@pytest.mark.parametrize("name", sorted(TWO_ARGUMENTS))
def test_two_argument_functions_match_numpy(name):
    np.testing.assert_array_equal(Expression(f"{name}(x, y - 1)")(x, y), TWO_ARGUMENTS[name](x, y - 1))


def test_constants():
    np.testing.assert_array_equal(Expression("pi * x + e")(x), CONSTANTS["pi"] * x + np.e)


@pytest.mark.parametrize("text,oracle", [
    ("2 + 3 * x", lambda x: 2 + 3 * x),
    ("-x**2", lambda x: -(x ** 2)),  # ** binds tighter than unary minus
    ("2**3**x", lambda x: 2 ** (3 ** x)),  # ** is right-associative
    ("(2 + 3) * x", lambda x: 5 * x),
    ("x - 1 - 2", lambda x: (x - 1) - 2),
    ("1 / 2 / (x + 3)", lambda x: (1 / 2) / (x + 3)),
    ("x % 0.3", lambda x: np.mod(x, 0.3)),
    ("+x - -x", lambda x: 2 * x),
    ("2 * x / 4 + 1e-3", lambda x: x / 2 + 1e-3),
])
def test_operator_precedence(text, oracle):
    np.testing.assert_allclose(Expression(text)(x), oracle(x), rtol=1e-15)


@pytest.mark.parametrize("text,oracle", [
    ("where(x < 0, -x, x)", np.abs),
    ("where(x <= 0, 1, 2)", lambda x: np.where(x <= 0, 1.0, 2.0)),
    ("where(x > 0.5, x, 0)", lambda x: np.where(x > 0.5, x, 0.0)),
    ("where(x >= 0.5, 1, 0)", lambda x: (x >= 0.5).astype(float)),
    ("where(x == x, 1, 0)", lambda x: np.ones_like(x)),
    ("where(x != 0.45, 1, 0)", lambda x: (x != 0.45).astype(float)),
    ("where(-0.5 < x < 0.5, 1, 0)", lambda x: ((-0.5 < x) & (x < 0.5)).astype(float)),  # chained
    ("(x > 0) * x", lambda x: np.maximum(x, 0)),
])
def test_comparisons_with_where(text, oracle):
    np.testing.assert_array_equal(Expression(text)(x), oracle(x))


def test_variables_are_ordered_x_y_z_then_numbered():
    assert Expression("z + x*y").variables == ("x", "y", "z")
    assert Expression("x10 + x2 - x1").variables == ("x1", "x2", "x10")
    np.testing.assert_array_equal(Expression("x2 - x10")(np.ones(3), 3 * np.ones(3)), np.full(3, -2.0))


def test_a_value_without_x_is_broadcast():
    # a constant written with a variable still returns one value per point
    np.testing.assert_array_equal(Expression("0*x + 3")(x), np.full_like(x, 3.0))


@pytest.mark.parametrize("text", [
    "__import__('os').system('true')",
    "x.real",  # attribute access
    "np.sin(x)",
    "().__class__",
    "x[0]",  # subscript
    "(lambda v: v)(x)",
    "[v for v in x]",
    "sum(v for v in x)",
    "{v: 1 for v in x}",
    "'x'",  # strings
    "x + 'a'",
    "b'x'",
    "sin(x=x)",  # keyword argument
    "maximum(x, *[1])",  # starred argument
    "open(x)",  # unknown function
    "foo + x",  # unknown name
    "xx + 1",
    "sin",  # a bare function name
    "sin + x",
    "(v := x)",  # walrus
    "f'{x}'",  # f-string
    "x if x else 1",
    "x and 1",
    "not x",
    "x @ x",
    "x // 2",
    "x << 1",
    "~x",
    "x in x", "x is x", "x not in x",
    "True + x",
    "None",
    "1 + 2j * x",
    "[x, x]",
    "(x, x)",
    "{x}",
    "x;",
    "import os",
    "x = 1",
    "",
    "x +",
    "3",  # no variable
])
def test_every_escape_is_refused(text):
    with pytest.raises(SurefitError):
        Expression(text)


def test_refusal_names_the_problem():
    with pytest.raises(SurefitError, match="unknown name 'os'"):
        Expression("os + x")
    with pytest.raises(SurefitError, match="cannot parse"):
        Expression("x +")
    with pytest.raises(SurefitError, match="must be called"):
        Expression("abs * x")


LEAVES = st.sampled_from(["x", "y", "2.5", "0.5", "pi"])
SAFE = {"sin": np.sin, "cos": np.cos, "tanh": np.tanh, "abs": np.abs, "exp": lambda v: np.exp(np.tanh(v))}


def build(draw_tree):
    """A random expression as text, and its value by numpy on (x, y)."""
    kind, *rest = draw_tree
    if kind == "leaf":
        text = rest[0]
        value = {"x": x, "y": y, "pi": np.pi}.get(text, None)
        return text, value if value is not None else float(text)
    if kind == "call":
        name, arg = rest
        text, value = build(arg)
        if name == "exp":
            return f"exp(tanh({text}))", SAFE[name](value)
        return f"{name}({text})", SAFE[name](value)
    op, left, right = rest
    (lt, lv), (rt, rv) = build(left), build(right)
    return f"({lt} {op} {rt})", {"+": np.add, "-": np.subtract, "*": np.multiply}[op](lv, rv)


trees = st.recursive(
    LEAVES.map(lambda leaf: ("leaf", leaf)),
    lambda sub: st.one_of(st.tuples(st.just("call"), st.sampled_from(sorted(SAFE)), sub),
                          st.tuples(st.just("op"), st.sampled_from("+-*"), sub, sub)),
    max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(trees)
def test_random_safe_expressions_match_numpy(tree):
    text, value = build(tree)
    expr = Expression(f"0*x + 0*y + {text}")  # always both variables, in order
    np.testing.assert_allclose(expr(x, y), np.broadcast_to(value, x.shape), rtol=1e-12, atol=1e-12)
