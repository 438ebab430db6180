"""The network as a standalone .py file with the weights inline, needing only numpy.

The written module has `predict(X)`: X (n, d) (or (n,) with one input) -> (n,),
in the user's own units.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..files import atomic_path
from ..network import Network

# numpy has no erf; the standard library's is correctly rounded or nearly so
ERF = """

def erf(u):
    return np.vectorize(math.erf, otypes=[u.dtype])(u)
"""


def write(net: Network, name: str, path: Path) -> list[Path]:
    with atomic_path(path) as tmp:
        tmp.write_text(module_text(net, name))
    return [path]


def module_text(net: Network, name: str) -> str:
    dtype = np.dtype(net.layers[0][0].dtype).name
    act = net.hidden[0] if net.hidden else None
    body = act.source.format(a=repr(act.param)) if act else "z"
    needs_erf = "erf(" in body
    arrays = "\n".join(layer_arrays(net, k, W, b) for k, (W, b) in enumerate(net.layers, 1))
    layers = ", ".join(f"(W{k}, b{k})" for k in range(1, len(net.layers) + 1))
    imports = "import math\n\nimport numpy as np" if needs_erf else "import numpy as np"
    return f'''"""A {net.describe()} network fitted by surefit, exported to plain numpy.

predict(X): X of shape (n, {net.n_inputs}), columns {list(net.variables)}, in your own units -> (n,).
The input and output scaling is folded into the weights. Needs only numpy.
"""
{imports}

NAME = {name!r}
DTYPE = np.{dtype}
N_INPUTS = {net.n_inputs}

{arrays}
# h = activation(h @ W + b) layer by layer, the last one linear
LAYERS = [{layers}]
{ERF if needs_erf else ""}

def activation(z):
    return {body}


def predict(X):
    h = np.asarray(X, dtype=DTYPE).reshape(-1, N_INPUTS)
    for W, b in LAYERS[:-1]:
        h = activation(h @ W + b)
    W, b = LAYERS[-1]
    return (h @ W + b)[:, 0]
'''


def layer_arrays(net: Network, k: int, W: np.ndarray, b: np.ndarray) -> str:
    """Layer k as W{k} (in, out), one row per input, and b{k} (out,)."""
    role = net.activations[k - 1].name if k < len(net.layers) else "linear output"
    rows = "\n".join(f"    {numbers(row)}," for row in W)
    return (f"# layer {k}: {W.shape[0]} -> {W.shape[1]}, {role}\n"
            f"W{k} = np.array([\n{rows}\n], dtype=DTYPE)\n"
            f"b{k} = np.array({numbers(b)}, dtype=DTYPE)\n")


def numbers(values: np.ndarray) -> str:
    """'[1.5, -2.0]': str() of a numpy scalar is its shortest round-trip form in its own precision."""
    return "[" + ", ".join(str(v) for v in values) + "]"
