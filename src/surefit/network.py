"""What a network is: its shape (NetSettings) and a plain numpy MLP (Network).

NetSettings is the shape surefit trains: n_inputs -> hidden widths, one activation -> 1 linear
output; nets.py trains K of them stacked as flat parameter rows theta (K, P).
Network is the one representation every reader of a model uses: explain, export, plots,
the doctor (for any PyTorch or Keras MLP too) and surefit's own Model. It holds layers
[(W (in, out), b (out,))], the activation after each layer (the last is the output's),
and the scalers around it, all in float64 numpy.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .activations import Activation, activation
from .scaling import Scaler

Layer = tuple[np.ndarray, np.ndarray]  # (W (in, out), b (out,))


@dataclass(frozen=True)
class NetSettings:
    """An MLP: n_inputs -> hidden widths (activation) -> 1 linear output."""
    n_inputs: int
    hidden: tuple[int, ...]
    activation: str = "relu"

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.n_inputs, *self.hidden, 1)

    @property
    def n_params(self) -> int:
        return sum((a + 1) * b for a, b in zip(self.widths[:-1], self.widths[1:]))

    @property
    def n_units(self) -> int:
        return sum(self.hidden)

    def slices(self) -> list[tuple[slice, slice]]:
        """Where each layer's W (row-major) and b live inside one row of theta (P,)."""
        out, start = [], 0
        for a, b in zip(self.widths[:-1], self.widths[1:]):
            out.append((slice(start, start + a * b), slice(start + a * b, start + a * b + b)))
            start += (a + 1) * b
        return out


@dataclass(frozen=True)
class Network:
    layers: tuple[Layer, ...]
    activations: tuple[Activation, ...]  # one per layer; the last is the output's
    x_scaler: Scaler | None = None  # applied to the inputs before the first layer
    y_scaler: Scaler | None = None  # undone after the last layer
    variables: tuple[str, ...] = ()  # the input columns' names, in order

    @classmethod
    def from_theta(cls, net: NetSettings, theta: np.ndarray, x_scaler: Scaler | None = None,
                   y_scaler: Scaler | None = None, variables: tuple[str, ...] = ()) -> "Network":
        """A NetSettings network from its flat parameter row theta (P,) (nets.py's layout)."""
        theta = np.asarray(theta, dtype=np.float64)
        layers = tuple((theta[w].reshape(a, b), theta[bias])
                       for (w, bias), a, b in zip(net.slices(), net.widths[:-1], net.widths[1:]))
        acts = (activation(net.activation),) * len(net.hidden) + (activation("linear"),)
        return cls(layers, acts, x_scaler, y_scaler, tuple(variables))

    @property
    def hidden(self) -> tuple[Activation, ...]:
        return self.activations[:-1]

    @property
    def output(self) -> Activation:
        return self.activations[-1]

    @property
    def widths(self) -> list[int]:
        return [self.layers[0][0].shape[0]] + [W.shape[1] for W, _ in self.layers]

    @property
    def n_inputs(self) -> int:
        return self.widths[0]

    @property
    def n_params(self) -> int:
        return int(sum(W.size + b.size for W, b in self.layers))

    @property
    def theta(self) -> np.ndarray:
        """The flat parameter row (P,): each layer's W row-major, then its b."""
        return np.concatenate([t.ravel() for W, b in self.layers for t in (W, b)])

    def describe(self) -> str:
        """'1 -> 2 relu -> 1' (a mixed network: '1 -> 50 relu -> 10 tanh -> 1 sigmoid')."""
        names = {a.name for a in self.hidden}
        if len(names) == 1 and self.output.name == "linear":
            return f"{self.n_inputs} -> {','.join(map(str, self.widths[1:-1]))} {names.pop()} -> 1"
        parts = [f"{w} {a.name}" for w, a in zip(self.widths[1:], self.activations)]
        return " -> ".join([str(self.n_inputs), *parts]).replace(" linear", "")

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """What the first layer sees (N, d)."""
        return self.x_scaler.forward(X) if self.x_scaler else X

    def targets(self, y: np.ndarray) -> np.ndarray:
        """What the last layer must produce (N,) to match y (N,)."""
        return self.y_scaler.forward(y[:, None])[:, 0] if self.y_scaler else y

    def preactivations(self, X: np.ndarray) -> list[np.ndarray]:
        """Every layer's z = h W + b for X (N, d) in the user's units: (N, width) each; the last is the output's."""
        h, zs = self.inputs(X), []
        for (W, b), act in zip(self.layers, self.activations):
            zs.append(h @ W + b)
            h = act(zs[-1])
        return zs

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Predictions (N,) of the first output, in the user's units."""
        out = self.output(self.preactivations(X)[-1])[:, :1]
        return (self.y_scaler.inverse(out) if self.y_scaler else out)[:, 0]

    def folded(self) -> "Network":
        """The same function with both scalers folded into the first and last layers (linear output
        only), so it maps the user's inputs straight to the user's outputs."""
        layers = list(self.layers)
        if self.x_scaler:
            (W, b), offset, scale = layers[0], np.asarray(self.x_scaler.offset), np.asarray(self.x_scaler.scale)
            layers[0] = (W / scale[:, None], b - (offset / scale) @ W)  # x_scaled = (x - offset) / scale
        if self.y_scaler:
            (W, b), offset, scale = layers[-1], self.y_scaler.offset[0], self.y_scaler.scale[0]
            layers[-1] = (W * scale, b * scale + offset)
        return replace(self, layers=tuple(layers), x_scaler=None, y_scaler=None)

    def astype(self, dtype) -> "Network":
        return replace(self, layers=tuple((W.astype(dtype), b.astype(dtype)) for W, b in self.layers))
