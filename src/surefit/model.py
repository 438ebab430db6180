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
