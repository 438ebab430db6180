"""What every exporter writes: a model's folded layers in one dtype, its activation and names."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SurefitError
from ..model import Model


@dataclass(frozen=True)
class Network:
    layers: list[tuple[np.ndarray, np.ndarray]]  # [(W (in, out), b (out,))], user units in and out
    activation: str  # applied after every layer but the last
    variables: tuple[str, ...]  # the input columns, in order
    name: str

    @classmethod
    def from_model(cls, model: Model, dtype, name: str) -> "Network":
        """The model with both scalers folded in, cast to dtype; refused if a weight is not finite."""
        with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused below
            layers = [(W.astype(dtype), b.astype(dtype)) for W, b in model.folded_layers()]
        if not all(np.isfinite(a).all() for layer in layers for a in layer):
            raise SurefitError(f"the model's weights are not all finite in {np.dtype(dtype).name}; "
                               "nothing to export")
        return cls(layers, model.net.activation, tuple(model.variables), name)

    @property
    def dtype(self) -> np.dtype:
        return self.layers[0][0].dtype

    @property
    def n_inputs(self) -> int:
        return self.layers[0][0].shape[0]

    def describe(self) -> str:
        """'1 -> 2 relu -> 1': the network's shape, for the exported files' comments."""
        hidden = ",".join(str(W.shape[1]) for W, _ in self.layers[:-1])
        if not hidden:
            return f"{self.n_inputs} -> 1 linear"
        return f"{self.n_inputs} -> {hidden} {self.activation} -> 1"
