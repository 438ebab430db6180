"""A fitted network with its scalers: predicts in the user's own units."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .errors import SurefitError
from .nets import NetSettings, forward, layers
from .scaling import Scaler


@dataclass(frozen=True)
class Model:
    net: NetSettings
    theta: np.ndarray  # (P,) float64, in scaled units
    x_scaler: Scaler
    y_scaler: Scaler
    variables: tuple[str, ...]

    def predict(self, X) -> np.ndarray:
        """Predictions (n,) for inputs X (n, d) (or (n,) with one input) in the user's units."""
        X = np.asarray(X, dtype=float)
        X = X.reshape(-1, 1) if X.ndim == 1 and self.net.n_inputs == 1 else X
        if X.ndim != 2 or X.shape[1] != self.net.n_inputs:
            raise SurefitError(f"the model takes {self.net.n_inputs} input column(s), got shape {X.shape}")
        Xs = torch.as_tensor(self.x_scaler.forward(X), dtype=torch.float64)
        with torch.no_grad():
            ys = forward(self.net, torch.as_tensor(self.theta).unsqueeze(0), Xs)[0].numpy()
        return self.y_scaler.inverse(ys[:, None])[:, 0]

    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(W (in, out), b (out,))] acting on scaled inputs and giving scaled targets."""
        return [(W.numpy(), b.numpy()) for W, b in layers(self.net, torch.as_tensor(self.theta))]

    def folded_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The same network with both scalers folded into the first and last layers,
        so it maps the user's inputs straight to the user's outputs."""
        weights = self.layers()
        W0, b0 = weights[0]
        offset, scale = np.asarray(self.x_scaler.offset), np.asarray(self.x_scaler.scale)
        W0f = W0 / scale[:, None]  # x_scaled = (x - offset) / scale
        b0f = b0 - (offset / scale) @ W0
        weights[0] = (W0f, b0f)
        WL, bL = weights[-1]
        y_off, y_scale = self.y_scaler.offset[0], self.y_scaler.scale[0]
        weights[-1] = (WL * y_scale, bL * y_scale + y_off)
        return weights
