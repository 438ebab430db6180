"""A safe expression language for targets: numbers, variables, operators, numpy functions.

The text is parsed with Python's `ast` and evaluated by walking the tree ourselves;
nothing is ever passed to `eval`, so attribute access, imports, lambdas and
comprehensions simply have no meaning here.
"""
from __future__ import annotations

import ast
import operator
import re
from typing import Callable

import numpy as np

from .errors import SurefitError

FUNCTIONS: dict[str, Callable] = {
    "abs": np.abs, "sqrt": np.sqrt, "cbrt": np.cbrt, "exp": np.exp, "expm1": np.expm1,
    "log": np.log, "log2": np.log2, "log10": np.log10, "log1p": np.log1p,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "arcsin": np.arcsin, "arccos": np.arccos,
    "arctan": np.arctan, "arctan2": np.arctan2, "sinh": np.sinh, "cosh": np.cosh,
    "tanh": np.tanh, "sign": np.sign, "floor": np.floor, "ceil": np.ceil,
    "maximum": np.maximum, "minimum": np.minimum, "max": np.maximum, "min": np.minimum,
    "where": np.where, "hypot": np.hypot, "square": np.square,
    "heaviside": lambda x: np.heaviside(x, 0.5),
}
CONSTANTS = {"pi": np.pi, "e": np.e}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow, ast.Mod: np.mod}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater,
           ast.GtE: np.greater_equal, ast.Eq: np.equal, ast.NotEq: np.not_equal}
VARIABLE = re.compile(r"^(x|y|z|x[1-9][0-9]*)$")


class Expression:
    """A parsed target such as "sqrt(x**2 + y**2)"; call it with one array per variable."""

    def __init__(self, text: str):
        self.text = text
        try:
            self.tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise SurefitError(f"cannot parse expression {text!r}: {exc.msg}") from None
        names = _check(self.tree, text)
        self.variables: tuple[str, ...] = tuple(sorted(names, key=_variable_order))

    def __call__(self, *columns: np.ndarray) -> np.ndarray:
        env = dict(zip(self.variables, columns))
        with np.errstate(all="ignore"):
            value = _evaluate(self.tree, env)
        value = np.asarray(value)  # complex where a power of a negative number made it so
        return np.broadcast_to(value.astype(complex if np.iscomplexobj(value) else float),
                               np.shape(columns[0])).copy()

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


def _variable_order(name: str) -> tuple[int, int]:
    return (0, "xyz".index(name)) if len(name) == 1 else (1, int(name[1:]))


def _check(node: ast.AST, text: str) -> set[str]:
    """Refuse anything outside the language; return the variable names used."""
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            if sub.id in FUNCTIONS or sub.id in CONSTANTS:
                continue
            if not VARIABLE.match(sub.id):
                raise SurefitError(f"unknown name {sub.id!r} in {text!r}; use x, y, z or x1..xn "
                                   f"and functions such as {', '.join(list(FUNCTIONS)[:8])}")
            names.add(sub.id)
        elif isinstance(sub, ast.Call):
            if not isinstance(sub.func, ast.Name) or sub.func.id not in FUNCTIONS or sub.keywords:
                called = f" ({sub.func.id!r} is not one)" if isinstance(sub.func, ast.Name) else ""
                raise SurefitError(f"only calls of known functions are allowed in {text!r}{called}")
        elif isinstance(sub, ast.Constant):
            if not isinstance(sub.value, (int, float)) or isinstance(sub.value, bool):
                raise SurefitError(f"only numbers are allowed as constants in {text!r}")
        elif not isinstance(sub, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Load, ast.operator,
                                  ast.unaryop, *COMPARE)):
            raise SurefitError(f"{type(sub).__name__.lower()} is not allowed in {text!r}")
        if isinstance(sub, ast.BinOp) and type(sub.op) not in BINARY or \
                isinstance(sub, ast.UnaryOp) and type(sub.op) not in UNARY:
            raise SurefitError(f"operator {type(sub.op).__name__} is not allowed in {text!r}")
    callees = {id(sub.func) for sub in ast.walk(node) if isinstance(sub, ast.Call)}
    for sub in ast.walk(node):  # a function name is not a value: "abs + 1" is refused
        if isinstance(sub, ast.Name) and sub.id in FUNCTIONS and id(sub) not in callees:
            raise SurefitError(f"function {sub.id!r} must be called, in {text!r}")
    if not names:
        raise SurefitError(f"expression {text!r} uses no variable; name one, e.g. x")
    return names


def _evaluate(node: ast.AST, env: dict[str, np.ndarray]):
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id] if node.id in env else CONSTANTS[node.id]
    if isinstance(node, ast.BinOp):
        return BINARY[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.UnaryOp):
        return UNARY[type(node.op)](_evaluate(node.operand, env))
    if isinstance(node, ast.Compare):
        left, result = _evaluate(node.left, env), True
        for op, right_node in zip(node.ops, node.comparators):
            right = _evaluate(right_node, env)
            result = np.logical_and(result, COMPARE[type(op)](left, right))
            left = right
        return result
    assert isinstance(node, ast.Call)  # _check let nothing else through
    return FUNCTIONS[node.func.id](*[_evaluate(arg, env) for arg in node.args])
