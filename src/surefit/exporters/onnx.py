"""The network as an ONNX graph (opset 17): MatMul + Add per layer, the activation between.

Input "x" (N, d) in the model's variable order, output "y" (N, 1), both in the user's units.
Each activation's graph is its row's `onnx` form (activations.py), built with this Graph.
In float64 three are built from plainer operators: onnxruntime's CPU provider has no
double kernels for Elu and Erf, and LeakyRelu's alpha is a float32 attribute (0.01
becomes 0.0099999998). float32 uses the three operators directly.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SurefitError
from ..files import atomic_path
from ..network import Network

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

    @property
    def float32(self) -> bool:
        return self.dtype == np.float32

    def positive_or(self, z: str, negative: str) -> str:
        """z where z > 0, else `negative`."""
        return self.op("Where", self.op("Greater", z, self.const(0.0)), z, negative)

    def erf(self, u: str) -> str:
        """erf(u) = u * 2/sqrt(pi) * integral_0^1 exp(-u^2 s^2) ds, by Gauss-Legendre quadrature
        (u clipped to +-6): odd in u, all terms positive, so no cancellation."""
        xi, w = np.polynomial.legendre.leggauss(ERF_NODES)
        s, w = (1 + xi) / 2, w / 2  # nodes and weights on [0, 1]
        c = self.op("Min", self.op("Max", u, self.const(-ERF_CLIP)), self.const(ERF_CLIP))  # (N, h)
        c2 = self.op("Unsqueeze", self.op("Mul", c, c), self.const([-1], dtype=np.int64))  # (N, h, 1)
        e = self.op("Exp", self.op("Mul", c2, self.const(-s * s)))  # (N, h, nodes)
        return self.op("Mul", c, self.op("MatMul", e, self.const(w * 2 / np.sqrt(np.pi))))  # (N, h)


def build(net: Network, name: str):
    """The network as an onnx.ModelProto."""
    if helper is None:
        raise SurefitError("ONNX export needs the onnx package: pip install 'surefit[onnx]'")
    dtype = net.layers[0][0].dtype
    g = Graph(dtype)
    h = "x"
    for k, (W, b) in enumerate(net.layers, 1):
        h = g.op("Add", g.op("MatMul", h, g.const(W, f"W{k}")), g.const(b, f"b{k}"))
        if k < len(net.layers):
            act = net.activations[k - 1]
            h = act.onnx(g, h, act.param)
    g.nodes.append(helper.make_node("Identity", [h], ["y"]))
    elem = TensorProto.FLOAT if g.float32 else TensorProto.DOUBLE
    x = helper.make_tensor_value_info("x", elem, ["N", net.n_inputs],
                                      doc_string=f"inputs in this column order: {', '.join(net.variables)}")
    y = helper.make_tensor_value_info("y", elem, ["N", 1], doc_string="the prediction")
    graph = helper.make_graph(g.nodes, name, [x], [y], g.initializers,
                              doc_string=f"a {net.describe()} network fitted by surefit; "
                                         "scaling folded in, user units in and out")
    model = helper.make_model(graph, producer_name="surefit", ir_version=IR_VERSION,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    hidden = net.hidden[0].name if net.hidden else "linear"
    helper.set_model_props(model, {"variables": ",".join(net.variables), "activation": hidden})
    return model


def write(net: Network, name: str, path: Path) -> list[Path]:
    model = build(net, name)
    with atomic_path(path) as tmp:
        tmp.write_bytes(model.SerializeToString())
    return [path]
