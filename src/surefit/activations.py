"""The one table of activations: everything surefit knows about each, in one row.

A row gives the activation's numpy form (predictions, the doctor, checks), its torch
form and derivative (training; written with tensor methods, so this table imports
without torch and the command line starts at once), whether it is piecewise linear
(a kink at z = 0: "active" means z > 0), whether a unit can die (off on every point
means no gradient at all), the values it can output, and its C, numpy-source and
ONNX forms for export. Every function takes z and the activation's parameter `a`
(leaky_relu's negative slope, elu's alpha, gelu's approximation flag).

Rows without a torch form are ones the doctor reads in a user's model but surefit
does not train with (softplus, selu, ...), or never allows (softmax).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

INF = math.inf
SQRT_HALF = 0.7071067811865476
# A unit is saturated where its slope is below this share of its activation's steepest: there
# it learns 30x slower. For the sigmoid that is |z| > 5, DeepDiagnosis's bound (Wardat et al.,
# ICSE 2022).
SATURATION_SLOPE = 0.03
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # Klambauer et al. 2017


def _expit(z):
    return np.exp(-np.logaddexp(0.0, -z))  # 1 / (1 + exp(-z)) without overflow


def _erf(z):
    return np.vectorize(math.erf, otypes=[float])(z)  # numpy has none; math's is correctly rounded or nearly


def _softmax(z, a):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sparsemax(z):
    """Martins & Astudillo (2016): the Euclidean projection of each row of z onto the simplex."""
    s = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    cumulative = np.cumsum(s, axis=-1)
    support = (1 + k * s > cumulative).sum(axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumulative, support - 1, axis=-1) - 1) / support
    return np.maximum(z - tau, 0.0)


def _gelu(z, a):
    if a:  # the tanh approximation (torch approximate="tanh", Keras approximate=True)
        return 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3)))
    return 0.5 * z * (1 + _erf(z * SQRT_HALF))


@dataclass(frozen=True)
class Activation:
    name: str
    numpy: Callable  # (z, a) -> act(z), numpy arrays
    torch: Callable | None = None  # (z, a) -> act(z) on a tensor; None: not trained with
    slope: Callable | None = None  # (z, a) -> d act / dz on a tensor, for the Jacobian
    slope_of_output: Callable | None = None  # (act(z), a) -> the same slope, where act(z) gives it bit for bit
    param: float = 0.0  # a, as above
    piecewise_linear: bool = False
    can_die: bool = False  # off on every point means no gradient at all: relu (leaky_relu keeps a slope)
    output_range: tuple[float, float] = (-INF, INF)
    refused_output: str | None = None  # why it cannot end a one-output regression network
    c: str | None = None  # C expression of z: {a} the parameter, {f} the math suffix, {s} the literal suffix
    source: str | None = None  # numpy expression of z for an exported module ({a} the parameter)
    onnx: Callable | None = None  # (graph, z) -> output name; see export/onnx.py's Graph

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.numpy(z, self.param)

    def torch_forward(self, z):
        return self.torch(z, self.param)

    def torch_slope(self, z, h=None):
        """d act / dz at z; h = act(z), if known, saves evaluating act again where it gives the slope."""
        if h is not None and self.slope_of_output is not None:
            return self.slope_of_output(h, self.param)
        return self.slope(z, self.param)

    def with_param(self, a: float) -> "Activation":
        return replace(self, param=float(a))

    def __reduce__(self):  # pickled by name: the table's functions are lambdas
        return activation, (self.name, self.param)

    def numeric_slope(self, z: np.ndarray) -> np.ndarray:
        """d act / dz at z, by a central difference of the numpy form (every row has one)."""
        h = 1e-5 * np.maximum(1.0, np.abs(z))
        with np.errstate(all="ignore"):
            return (self(z + h) - self(z - h)) / (2 * h)

    @property
    def steepest(self) -> float:
        """The largest slope over z in [-10, 10] (tanh 1, sigmoid 0.25, gelu 1.13)."""
        return float(np.nanmax(self.numeric_slope(np.linspace(-10, 10, 2001))))

    def responds(self, z: np.ndarray) -> np.ndarray:
        """Where a unit's output moves with its input: z > 0 for a kinked unit ("active"), else
        where its slope is at least SATURATION_SLOPE of the steepest (tanh |z| < 2.4, sigmoid
        |z| < 4.8, gelu z > -2.6). A NaN (a diverged network) is not called flat."""
        if self.piecewise_linear:
            return z > 0
        return ~(np.abs(self.numeric_slope(z)) < SATURATION_SLOPE * self.steepest)

    @property
    def trainable(self) -> bool:
        """surefit can train hidden units of this kind (it has a torch form and a derivative)."""
        return self.torch is not None and self.slope is not None


def _leaky_onnx(g, z, a):
    if g.float32:
        return g.op("LeakyRelu", z, alpha=a)
    return g.positive_or(z, g.op("Mul", z, g.const(a)))  # a float32 attribute would round 0.01


def _elu_onnx(g, z, a):
    if g.float32:
        return g.op("Elu", z, alpha=a)  # no double kernel in onnxruntime's CPU provider
    return g.positive_or(z, g.op("Mul", g.const(a), g.op("Sub", g.op("Exp", g.op("Min", z, g.const(0.0))),
                                                           g.const(1.0))))


def _gelu_onnx(g, z, a):
    u = g.op("Mul", z, g.const(SQRT_HALF))
    e = g.op("Erf", u) if g.float32 else g.erf(u)  # no double Erf kernel either
    return g.op("Mul", g.op("Mul", z, g.const(0.5)), g.op("Add", e, g.const(1.0)))


ROWS = [
    Activation("linear", lambda z, a: z, output_range=(-INF, INF)),
    Activation(
        "relu", lambda z, a: np.maximum(z, 0.0),
        torch=lambda z, a: z.clamp_min(0), slope=lambda z, a: (z > 0).to(z.dtype),
        piecewise_linear=True, can_die=True, output_range=(0.0, INF),
        refused_output="relu can only output values >= 0 and has no gradient below",
        c="z > 0 ? z : 0", source="np.maximum(z, 0)", onnx=lambda g, z, a: g.op("Relu", z)),
    Activation(
        "leaky_relu", lambda z, a: np.where(z > 0, z, a * z), param=0.01,
        torch=lambda z, a: z.clamp_min(0) + a * z.clamp_max(0),
        slope=lambda z, a: (z > 0).to(z.dtype) + a * (z <= 0).to(z.dtype),
        piecewise_linear=True, c="z > 0 ? z : {a}{s} * z", source="np.where(z > 0, z, {a} * z)",
        onnx=_leaky_onnx),
    Activation(
        "tanh", lambda z, a: np.tanh(z),
        torch=lambda z, a: z.tanh(), slope=lambda z, a: 1 - z.tanh() ** 2, slope_of_output=lambda h, a: 1 - h ** 2,
        output_range=(-1.0, 1.0),
        refused_output="tanh can only output values in (-1, 1)",
        c="tanh{f}(z)", source="np.tanh(z)", onnx=lambda g, z, a: g.op("Tanh", z)),
    Activation(
        "gelu", _gelu,
        torch=lambda z, a: 0.5 * z * (1 + (z * SQRT_HALF).erf()),
        slope=lambda z, a: 0.5 * (1 + (z * SQRT_HALF).erf()) + z * (-z * z / 2).exp() / math.sqrt(2 * math.pi),
        output_range=(-0.17, INF),
        c="0.5{s} * z * (1 + erf{f}(z * 0.7071067811865476{s}))",
        source="0.5 * z * (1 + erf(z * 0.7071067811865476))", onnx=_gelu_onnx),
    Activation(
        "sigmoid", lambda z, a: _expit(z),
        torch=lambda z, a: z.sigmoid(), slope=lambda z, a: z.sigmoid() * (1 - z.sigmoid()),
        slope_of_output=lambda h, a: h * (1 - h),
        output_range=(0.0, 1.0), refused_output="sigmoid can only output values in (0, 1)",
        c="1 / (1 + exp{f}(-z))", source="np.exp(-np.logaddexp(0, -z))",
        onnx=lambda g, z, a: g.op("Sigmoid", z)),
    Activation(
        "elu", lambda z, a: np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0))), param=1.0,
        torch=lambda z, a: z.clamp_min(0) + a * z.clamp_max(0).expm1(),
        slope=lambda z, a: (z > 0).to(z.dtype) + a * (z <= 0).to(z.dtype) * z.clamp_max(0).exp(),
        output_range=(-1.0, INF), c="z > 0 ? z : {a}{s} * expm1{f}(z)",
        source="np.where(z > 0, z, {a} * np.expm1(np.minimum(z, 0)))", onnx=_elu_onnx),
    # read by the doctor in users' models; not trained with
    Activation("softplus", lambda z, a: np.logaddexp(0.0, z), output_range=(0.0, INF)),
    Activation("silu", lambda z, a: z * _expit(z), output_range=(-0.28, INF)),
    Activation("mish", lambda z, a: z * np.tanh(np.logaddexp(0.0, z)), output_range=(-0.31, INF)),
    Activation("selu", lambda z, a: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
               output_range=(-SELU_SCALE * SELU_ALPHA, INF)),
    Activation("softsign", lambda z, a: z / (1 + np.abs(z)), output_range=(-1.0, 1.0)),
    Activation("exponential", lambda z, a: np.exp(z), output_range=(0.0, INF)),
    Activation("relu6", lambda z, a: np.clip(z, 0.0, 6.0), output_range=(0.0, 6.0)),
    Activation("hard_sigmoid", lambda z, a: np.clip(z / 6 + 0.5, 0.0, 1.0), output_range=(0.0, 1.0)),
    Activation("hard_tanh", lambda z, a: np.clip(z, -1.0, 1.0), output_range=(-1.0, 1.0)),
    # Keras 3's other elementwise activations (keras.activations, same defaults)
    Activation("celu", lambda z, a: np.where(z > 0, z, a * np.expm1(np.minimum(z, 0.0) / a)), param=1.0,
               output_range=(-1.0, INF)),
    Activation("hard_silu", lambda z, a: z * np.clip(z / 6 + 0.5, 0.0, 1.0), output_range=(-0.375, INF)),
    Activation("hard_shrink", lambda z, a: np.where(np.abs(z) > a, z, 0.0), param=0.5),
    Activation("soft_shrink", lambda z, a: np.sign(z) * np.maximum(np.abs(z) - a, 0.0), param=0.5),
    Activation("tanh_shrink", lambda z, a: z - np.tanh(z)),
    Activation("log_sigmoid", lambda z, a: -np.logaddexp(0.0, -z), output_range=(-INF, 0.0)),
    Activation("sparse_plus", lambda z, a: np.where(z <= -1, 0.0, np.where(z >= 1, z, (z + 1) ** 2 / 4)),
               output_range=(0.0, INF)),
    Activation("sparse_sigmoid", lambda z, a: np.clip((z + 1) / 2, 0.0, 1.0), output_range=(0.0, 1.0)),
    Activation("squareplus", lambda z, a: (z + np.sqrt(z * z + a)) / 2, param=4.0, output_range=(0.0, INF)),
    Activation("softmax", _softmax, output_range=(0.0, 1.0),
               refused_output="softmax over one output is always exactly 1, whatever the input (seed 002)"),
    Activation("log_softmax", lambda z, a: np.log(_softmax(z, a)), output_range=(-INF, 0.0),
               refused_output="log_softmax over one output is always exactly 0, whatever the input"),
    Activation("sparsemax", lambda z, a: _sparsemax(z), output_range=(0.0, 1.0),
               refused_output="sparsemax over one output is always exactly 1, whatever the input"),
]
ACTIVATIONS: dict[str, Activation] = {row.name: row for row in ROWS}
TRAINABLE = tuple(name for name, row in ACTIVATIONS.items() if row.trainable)


def activation(name: str, param: float | None = None) -> Activation:
    """The row for `name`, with its parameter if given (KeyError for an unknown name)."""
    row = ACTIVATIONS[name]
    return row if param is None else row.with_param(param)
