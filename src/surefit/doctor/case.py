"""What the checks share: their thresholds (with the reason for each value) and the Case,
a model's View with the data it is meant to fit and the quantities computed from them once."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..noise import noise_level
from .adapters import View


@dataclass(frozen=True)
class Thresholds:
    # A fit this close (relative RMSE = RMSE / std of y), or within noise_factor of the data's
    # own noise (Case.noise), has no failure to explain: only findings that are wrong whatever
    # the fit (output_activation, diverged) are reported. Healthy networks often carry a few
    # dead or redundant units; they are not a problem while the network fits.
    good_fit: float = 0.02
    noise_factor: float = 2.0
    # Two units whose pre-activations over the data have cosine above this compute the same
    # feature up to a positive scale: relu(c z) = c relu(z), so they count as one unit.
    # Over whitened inputs this is the cosine of the units' (w, b) vectors.
    collapse_cosine: float = 0.99
    # A stretch with no active unit matters when it holds this share of the points and the
    # target varies there by this share of its overall std (the network is constant there).
    uncovered_share: float = 0.05
    uncovered_variation: float = 0.1
    # Inputs or targets whose rms is beyond this factor from 1 are "far from unit scale":
    # default initialisers and learning rates assume numbers of size ~1.
    scale_factor: float = 10.0
    # With a mean-zero initialiser, n parameters share one sign with probability 2^(1-n):
    # below 1% from n = 8 on, so a one-signed layer that large is no accident.
    one_sign_params: int = 8
    # A layer at least this many times narrower than the one before is a bottleneck when at
    # most this share of its units are alive and distinct.
    bottleneck_ratio: float = 3.0
    bottleneck_alive: float = 0.5
    # The target is split in up to edge_pieces stretches of equal width; a straight line is
    # fitted on each. An edge stretch whose misfit is edge_ratio times the typical one, and at
    # least edge_share of the target's std, marks a singularity or a huge slope there.
    edge_pieces: int = 20
    edge_ratio: float = 10.0
    edge_share: float = 0.05
    # stalled: over stall_checks watch checks the best loss improved by less than stall_gain.
    stall_checks: int = 10
    stall_gain: float = 0.01
    # diverged: the loss rose to this many times the best it had reached.
    diverge_factor: float = 100.0


@dataclass(frozen=True)
class Case:
    """A model with the data it is meant to fit, and what the checks share."""
    view: View
    X: np.ndarray  # (N, d) user units
    y: np.ndarray  # (N,)
    pred: np.ndarray  # (N,) the model's own predictions
    variables: tuple[str, ...]
    history: list[tuple[int, float]] = field(default_factory=list)  # (step, loss / var y) if watched
    deaths: dict = field(default_factory=dict)  # {(layer, unit): step first seen dead}, 0-based, if watched
    initial: View | None = None  # the weights training started from, if watched

    @cached_property
    def zs(self) -> list[np.ndarray]:
        """Hidden layers' pre-activations, (N, width) each."""
        with np.errstate(all="ignore"):
            return self.view.preactivations(self.X)[:-1]

    @cached_property
    def active(self) -> list[np.ndarray]:
        return [z > 0 for z in self.zs]

    def dead(self, layer: int) -> np.ndarray:
        """(width,) units off on every point, for activations where off means no gradient."""
        if not self.view.hidden[layer].can_die:
            return np.zeros(self.zs[layer].shape[1], dtype=bool)
        return ~self.active[layer].any(axis=0)

    @cached_property
    def relative_rmse(self) -> float:
        rmse = float(np.sqrt(np.mean((self.pred - self.y) ** 2)))
        return rmse / float(self.y.std()) if self.y.std() > 0 else rmse

    @cached_property
    def noise(self) -> float:
        """The data's own noise relative to std y (0 for exact data), estimated without any
        model (noise.noise_level)."""
        spread = float(self.y.std())
        return noise_level(self.X, self.y) / spread if spread > 0 else 0.0

    def fits(self, t: "Thresholds") -> bool:
        return self.relative_rmse <= max(t.good_fit, t.noise_factor * self.noise)

    def duplicates(self, layer: int, t: Thresholds) -> list[list[int]]:
        """Groups (of 2 or more) of live kinked units whose pre-activations are positively
        proportional over the data; empty for smooth activations."""
        if not self.view.hidden[layer].piecewise_linear:
            return []
        live = np.flatnonzero(~self.dead(layer))
        cos = cosines(self.zs[layer][:, live])
        groups, seen = [], set()
        for i in range(len(live)):
            if i not in seen:
                group = [j for j in range(i, len(live)) if j not in seen and cos[i, j] > t.collapse_cosine]
                seen.update(group)
                if len(group) > 1:
                    groups.append([int(live[j]) for j in group])
        return groups


def cosines(Z: np.ndarray) -> np.ndarray:
    """(m, m) cosine similarity of the columns of Z (N, m); a zero column has cosine 0."""
    norm = np.linalg.norm(Z, axis=0)
    norm[norm == 0] = 1.0
    return (Z.T @ Z) / np.outer(norm, norm)
