"""A network fitted by surefit: predicts in the user's own units."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from .errors import SurefitError
from .network import NetSettings, Network
from .scaling import Scaler

if TYPE_CHECKING:
    from .uncertainty import Posterior


@dataclass(frozen=True)
class Model(Network):
    """One activation in every hidden layer, a linear output, both scalers (network.py's Network),
    and, fitted to measured data, what its error bars need."""
    net: NetSettings | None = None  # the shape it was trained as
    posterior: Posterior | None = None  # measured data's, under the penalty the evidence chose (uncertainty.py)
    noise_profile: tuple[np.ndarray, np.ndarray] | None = None  # (x (n,), the noise's std there): where it changes

    @classmethod
    def from_theta(cls, net: NetSettings, theta: np.ndarray, x_scaler: Scaler, y_scaler: Scaler,
                   variables: tuple[str, ...], posterior: Posterior | None = None,
                   noise_profile: tuple[np.ndarray, np.ndarray] | None = None) -> "Model":
        plain = Network.from_theta(net, theta, x_scaler, y_scaler, variables)
        return cls(plain.layers, plain.activations, x_scaler, y_scaler, tuple(variables), net, posterior,
                   noise_profile)

    def predict(self, X) -> np.ndarray:
        """Predictions (n,) for inputs X (n, d) (or (n,) with one input) in the user's units."""
        return self.forward(self._rows(X))

    def error_bars(self, X) -> np.ndarray:
        """(n,) the standard deviation of the prediction at X (n, d), in the target's units, under
        the Bayesian posterior of the weights (uncertainty.py): how far the network itself may be
        from the truth there. A new measurement at X scatters by the noise level more."""
        if self.posterior is None:
            raise SurefitError("error bars are for measured data with noise: this fit has no noise level "
                               "or chose no penalty from the data")
        from .uncertainty import prediction_sd  # torch: the CLI's help imports this module, and must not load it
        scale = self.y_scaler.scale[0]
        return scale * prediction_sd(self.net, self.theta, self._factor, self.posterior.sigma,
                                     self.x_scaler.forward(self._rows(X)))

    @property
    def noise_level(self) -> float:
        """The noise level of the data it was fitted to, in the target's units (0: none known)."""
        return self.posterior.sigma * self.y_scaler.scale[0] if self.posterior else 0.0

    def noise_at(self, X) -> np.ndarray:
        """(n,) the noise's standard deviation at X (n, d), in the target's units: the noise level, or
        where it changes along the one input, its profile there (noise.noise_profile; flat beyond it)."""
        rows = self._rows(X)
        if self.noise_profile is None:
            return np.full(len(rows), self.noise_level)
        return np.interp(rows[:, 0], *self.noise_profile)

    @property
    def noise_range(self) -> tuple[float, float] | None:
        """Where the noise changes along the input: the 10th and 90th percentiles of its profile, the range
        it mostly keeps (each point's level is within about 20%, noise.local_levels); else None."""
        if self.noise_profile is None:
            return None
        low, high = np.percentile(self.noise_profile[1], [10, 90])
        return float(low), float(high)

    @cached_property
    def _factor(self):
        from .uncertainty import posterior_factor
        return posterior_factor(self.net, self.theta, self.posterior)

    def _rows(self, X) -> np.ndarray:
        """X as rows (n, d): (n,) is n rows of a model with one input."""
        X = np.asarray(X, dtype=float)
        X = X.reshape(-1, 1) if X.ndim == 1 and self.n_inputs == 1 else X
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise SurefitError(f"the model takes {self.n_inputs} input column(s), got shape {X.shape}")
        return X

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
