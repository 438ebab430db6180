"""The network as an ONNX graph (opset 17): MatMul + Add per layer, the activation between.

Input "x" (N, d) in the model's variable order, output "y" (N, 1), both in the user's units.
In float64 three activations are built from plainer operators: onnxruntime's CPU provider
has no double kernels for Elu and Erf, and LeakyRelu's alpha is a float32 attribute
(0.01 becomes 0.0099999998). float32 uses the three operators directly.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SurefitError
from ..store import atomic_path
from .network import Network

try:
    from onnx import TensorProto, helper, numpy_helper
except ImportError:  # optional: pip install 'surefit[onnx]'
    helper = None

OPSET = 17
IR_VERSION = 8  # the IR version that introduced opset 17: readable by older runtimes too
ERF_CLIP = 6.0  # erf(6) rounds to 1 in double
ERF_NODES = 24  # Gauss-Legendre nodes: erf to ~2e-15 on [0, 6]


class Graph:
    """Collects nodes and initializers; every value gets a fresh name."""

    def __init__(self, dtype: np.dtype):
        self.dtype, self.nodes, self.initializers, self.count = np.dtype(dtype), [], [], 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, value, name: str | None = None, dtype=None) -> str:
        name = name or self.fresh("c")
        self.initializers.append(numpy_helper.from_array(np.asarray(value, dtype or self.dtype), name))
        return name

    def op(self, op_type: str, *inputs: str, **attrs) -> str:
        out = self.fresh(op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out


def erf(g: Graph, u: str) -> str:
    """erf(u) = u * 2/sqrt(pi) * integral_0^1 exp(-u^2 s^2) ds, by Gauss-Legendre quadrature
    (u clipped to +-6): odd in u, all terms positive, so no cancellation."""
    xi, w = np.polynomial.legendre.leggauss(ERF_NODES)
    s, w = (1 + xi) / 2, w / 2  # nodes and weights on [0, 1]
    c = g.op("Min", g.op("Max", u, g.const(-ERF_CLIP)), g.const(ERF_CLIP))  # (N, h)
    c2 = g.op("Unsqueeze", g.op("Mul", c, c), g.const([-1], dtype=np.int64))  # (N, h, 1)
    e = g.op("Exp", g.op("Mul", c2, g.const(-s * s)))  # (N, h, nodes)
    return g.op("Mul", c, g.op("MatMul", e, g.const(w * 2 / np.sqrt(np.pi))))  # (N, h)


def gelu(g: Graph, z: str) -> str:
    """0.5 z (1 + erf(z / sqrt 2)): torch's exact GELU, not the tanh approximation."""
    u = g.op("Mul", z, g.const(1 / np.sqrt(2)))
    e = g.op("Erf", u) if g.dtype == np.float32 else erf(g, u)
    return g.op("Mul", g.op("Mul", z, g.const(0.5)), g.op("Add", e, g.const(1.0)))


def elu(g: Graph, z: str) -> str:
    if g.dtype == np.float32:
        return g.op("Elu", z, alpha=1.0)
    return positive_or(g, z, g.op("Sub", g.op("Exp", g.op("Min", z, g.const(0.0))), g.const(1.0)))


def leaky_relu(g: Graph, z: str) -> str:
    if g.dtype == np.float32:
        return g.op("LeakyRelu", z, alpha=0.01)
    return positive_or(g, z, g.op("Mul", z, g.const(0.01)))


def positive_or(g: Graph, z: str, negative: str) -> str:
    """z where z > 0, else `negative`."""
    return g.op("Where", g.op("Greater", z, g.const(0.0)), z, negative)


ACTIVATIONS = {
    "relu": lambda g, z: g.op("Relu", z),
    "leaky_relu": leaky_relu,
    "tanh": lambda g, z: g.op("Tanh", z),
    "gelu": gelu,
    "sigmoid": lambda g, z: g.op("Sigmoid", z),
    "elu": elu,
}


def build(net: Network):
    """The network as an onnx.ModelProto."""
    if helper is None:
        raise SurefitError("ONNX export needs the onnx package: pip install 'surefit[onnx]'")
    g = Graph(net.dtype)
    h = "x"
    for k, (W, b) in enumerate(net.layers, 1):
        h = g.op("Add", g.op("MatMul", h, g.const(W, f"W{k}")), g.const(b, f"b{k}"))
        if k < len(net.layers):
            h = ACTIVATIONS[net.activation](g, h)
    g.nodes.append(helper.make_node("Identity", [h], ["y"]))
    elem = TensorProto.FLOAT if net.dtype == np.float32 else TensorProto.DOUBLE
    x = helper.make_tensor_value_info("x", elem, ["N", net.n_inputs],
                                      doc_string=f"inputs in this column order: {', '.join(net.variables)}")
    y = helper.make_tensor_value_info("y", elem, ["N", 1], doc_string="the prediction")
    graph = helper.make_graph(g.nodes, net.name, [x], [y], g.initializers,
                              doc_string=f"a {net.describe()} network fitted by surefit; "
                                         "scaling folded in, user units in and out")
    model = helper.make_model(graph, producer_name="surefit", ir_version=IR_VERSION,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    helper.set_model_props(model, {"variables": ",".join(net.variables), "activation": net.activation})
    return model


def write(net: Network, path: Path) -> list[Path]:
    model = build(net)
    with atomic_path(path) as tmp:
        tmp.write_bytes(model.SerializeToString())
    return [path]
