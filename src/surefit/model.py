"""A network fitted by surefit: predicts in the user's own units."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SurefitError
from .network import NetSettings, Network
from .scaling import Scaler


@dataclass(frozen=True)
class Model(Network):
    """One activation in every hidden layer, a linear output, both scalers (network.py's Network)."""
    net: NetSettings | None = None  # the shape it was trained as

    @classmethod
    def from_theta(cls, net: NetSettings, theta: np.ndarray, x_scaler: Scaler, y_scaler: Scaler,
                   variables: tuple[str, ...]) -> "Model":
        plain = Network.from_theta(net, theta, x_scaler, y_scaler, variables)
        return cls(plain.layers, plain.activations, x_scaler, y_scaler, tuple(variables), net)

    def predict(self, X) -> np.ndarray:
        """Predictions (n,) for inputs X (n, d) (or (n,) with one input) in the user's units."""
        X = np.asarray(X, dtype=float)
        X = X.reshape(-1, 1) if X.ndim == 1 and self.n_inputs == 1 else X
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise SurefitError(f"the model takes {self.n_inputs} input column(s), got shape {X.shape}")
        return self.forward(X)

    def extrapolation(self, X: np.ndarray) -> str:
        """'' where the rows of X (n, d) lie inside the box of inputs the model was fitted on (which
        its input scaler maps to [-1, 1]: the data's range, or the formula's domain); else how many
        lie outside it, and the box: a network's predictions there follow no data."""
        if self.x_scaler is None:  # folded into the first layer (Network.folded): the box is not kept
            return ""
        outside = np.abs(self.x_scaler.forward(X)) > 1 + 1e-9  # (n, d); 1e-9: rounding at the edges
        if not outside.any():
            return ""
        ones = np.ones(self.n_inputs)
        lows, highs = self.x_scaler.inverse(-ones), self.x_scaler.inverse(ones)
        ranges = ", ".join(f"{name} from {lo:.4g} to {hi:.4g}"
                           for name, lo, hi, out in zip(self.variables, lows, highs, outside.any(0)) if out)
        return (f"{int(outside.any(1).sum()):,} of {len(X):,} rows lie outside the inputs the model was fitted on "
                f"({ranges}): its predictions there extrapolate, with no data to follow")
