"""What the checks share: their thresholds (with the reason for each value) and the Case,
a model's View with the data it is meant to fit and the quantities computed from them once."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..noise import rms_level
from .adapters import View
from .setup import Setup


@dataclass(frozen=True)
class Thresholds:
    # A fit this close (relative RMSE = RMSE / std of y), or within noise_factor of the data's
    # own noise (Case.noise), has no failure to explain: only findings that are wrong whatever
    # the fit (output_activation, loss_function, diverged, ...) are reported. Healthy networks
    # often carry a few dead or redundant units; they are not a problem while the network fits.
    good_fit: float = 0.02
    noise_factor: float = 2.0
    # A fit this close (relative RMSE; for a classifier, accuracy this close to the k-NN vote's)
    # has the data's main shape: what its units do may cost the last digits, but it is not why
    # the model fails, so unit findings on it are minor.
    near_fit: float = 0.1
    # A classifier (0/1 labels, or a classification loss) fits when its accuracy is within this
    # of what a k-nearest-neighbour vote reaches on the same points (left out one at a time):
    # a model-free estimate of how separable the labels are. knn_points: below this many points
    # the vote says little, and a network can learn every label, so it must get all of them.
    accuracy_margin: float = 0.03
    knn_neighbours: int = 5
    knn_points: int = 30
    # No better than a constant: a regression that explains less than this share of the
    # target's variance (R^2; relative RMSE above 0.95) while the data's noise leaves at least
    # noise_room of it to explain; a classifier whose accuracy is within two binomial standard
    # errors (at most constant_accuracy) of always answering the commoner label.
    constant_r2: float = 0.1
    noise_room: float = 0.5
    constant_accuracy: float = 0.05
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
    # An input whose mean lies more than this many standard deviations from 0 has the origin
    # outside nearly all of its data; zero-bias initialisers put every unit's kink (or the
    # centre of its sigmoid) at the origin, so every unit starts on, off or flat over the data.
    offset_factor: float = 3.0
    # With a mean-zero initialiser, n nonzero parameters share one sign with probability
    # 2^(1-n): below 1% from n = 8 on, so a one-signed layer that large is no accident.
    one_sign_params: int = 8
    # A layer that lost this share of its units (dead, saturated or duplicated) has lost a large
    # part of its capacity: major. Fewer are common in healthy trained networks: minor.
    unit_loss_share: float = 1 / 3
    # A unit is saturated on a point where its slope is below activations.SATURATION_SLOPE (3%)
    # of its activation's steepest; one saturated on more than saturated_share of the points
    # (DeepDiagnosis's rule too) counts.
    saturated_share: float = 0.5
    # Initial weights this much smaller (or larger) than the variance-preserving scale (He for
    # ReLU-like units, Glorot for the rest), multiplied over the hidden layers, shrink (or blow
    # up) the signal a thousandfold before it reaches the output.
    weight_scale: float = 1e-3
    # Vanishing gradient: the first layer's weight gradient below this share of the last
    # layer's (AUTOTRAINER's beta_1, Zhang et al., ICSE 2021).
    vanishing_ratio: float = 1e-3
    # A layer this many times narrower than the one before is a bottleneck when at most this
    # share of its units are alive and distinct.
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
    # diverged: the loss (on the watched data) rose to this many times the best it had reached.
    diverge_factor: float = 100.0
    # The training loss of one step, seen by the watch: the first steps overshoot when within
    # the first early_steps steps it rises to overshoot_factor times its first value (an error
    # 3x larger in rms: gradient descent on a well-scaled problem only ever lowers it), or when
    # in those steps a layer's weights move by more than weight_jump times their own size (at
    # least a Glorot-sized layer's) between two checks: a gradient step of a fitting size is a
    # small correction, not a new start.
    early_steps: int = 20
    overshoot_factor: float = 10.0
    weight_jump: float = 1.0
    # Oscillation: over the last half of the watch checks the loss on the watched data went up
    # at least oscillation_share of the time, by oscillation_rise of itself each time on average,
    # and ended no lower than it began. Gradient descent with a fitting step goes down.
    oscillation_share: float = 0.4
    oscillation_rise: float = 0.1
    # Slow convergence: the loss fell on nearly every check (slow_share), steadily, yet by less
    # than slow_gain overall (and more than stall_gain, else it stalled): training was still on
    # its way when it stopped.
    slow_share: float = 0.9
    slow_gain: float = 0.1
    # Dropout above this rate (Srivastava et al. 2014 used 0.5 for hidden units of large
    # classifiers, 0.2 for inputs) leaves a small regression network too few units per step.
    dropout_rate: float = 0.5
    # A weight penalty lam |w|^2 on the mean loss shrinks a weight fed by inputs of mean square s
    # by 1 / (1 + lam / s) (ridge regression): from lam / s = 1 on it halves them or worse.
    penalty_share: float = 1.0


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
    steps: list[tuple[int, float]] = field(default_factory=list)  # (step, training loss) of every step, if watched
    setup: Setup = Setup()  # loss, optimiser, dropout, penalties (the model's own merged with the user's)
    shared: dict = field(default_factory=dict, compare=False)  # what depends on the data alone, kept by the watch
    jumps: list = field(default_factory=list)  # (step, per layer |dW| / |W| since the last check), if watched

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
        model: its RMS over the rows (noise.rms_level, as a fit's), which a model's RMSE is held to."""
        if "noise" not in self.shared:
            spread = float(self.y.std())
            self.shared["noise"] = rms_level(self.X, self.y) / spread if spread > 0 else 0.0
        return self.shared["noise"]

    # ------------------------------------------------------------ classifiers

    @cached_property
    def labels(self) -> np.ndarray | None:
        """The two label values (low, high) when the target is binary labels: trained with a
        classification loss, or taking exactly two values; None for a regression."""
        values = np.unique(self.y)
        return values if len(values) == 2 else None

    @cached_property
    def accuracy(self) -> float:
        """Share of points whose prediction is nearer their own label than the other one."""
        lo, hi = self.labels
        return float(np.mean((self.pred > (lo + hi) / 2) == (self.y == hi)))

    @cached_property
    def base_rate(self) -> float:
        """Accuracy of always answering the commoner label."""
        share = float(np.mean(self.y == self.labels[1]))
        return max(share, 1 - share)

    @cached_property
    def reference_accuracy(self) -> float:
        """What a k-nearest-neighbour vote reaches, each point left out of its own vote (inputs
        standardised); 1 for fewer than knn_points points."""
        if "reference" not in self.shared:
            self.shared["reference"] = self._knn_accuracy(Thresholds())
        return self.shared["reference"]

    def _knn_accuracy(self, t: Thresholds) -> float:
        if len(self.y) < t.knn_points:
            return 1.0
        from sklearn.neighbors import NearestNeighbors
        std = self.X.std(axis=0)
        Xs = (self.X - self.X.mean(axis=0)) / np.where(std > 0, std, 1.0)
        near = NearestNeighbors(n_neighbors=t.knn_neighbours + 1).fit(Xs).kneighbors(Xs)[1][:, 1:]
        high = self.y[near] == self.labels[1]
        vote = high.mean(axis=1) > 0.5
        return float(np.mean(vote == (self.y == self.labels[1])))

    def fits(self, t: "Thresholds") -> bool:
        if self.labels is not None:
            return self.accuracy >= min(1.0, self.reference_accuracy) - (
                t.accuracy_margin if len(self.y) >= t.knn_points else 0.0)
        return self.relative_rmse <= max(t.good_fit, t.noise_factor * self.noise)

    def nearly_fits(self, t: "Thresholds") -> bool:
        if not np.isfinite(self.pred).all():
            return False
        if self.labels is not None:
            return self.accuracy >= min(1.0, self.reference_accuracy) - t.near_fit
        return self.relative_rmse <= max(t.near_fit, t.noise_factor * self.noise)

    # ------------------------------------------------------------ gradients

    @cached_property
    def gradients(self) -> list[float]:
        """rms gradient of the training loss (MSE unless the setup names another) over each
        layer's weights, at the current weights, by backpropagation in numpy."""
        with np.errstate(all="ignore"):
            zs = self.view.preactivations(self.X)
            h = [self.view.inputs(self.X)] + [act(z) for act, z in zip(self.view.activations, zs)]
            out = h[-1][:, 0]
            target = self.view.targets(self.y)
            delta = (_loss_slope(self.setup.loss, out, target) * self.view.output.numeric_slope(zs[-1])[:, 0])[:, None]
            grads = []
            for layer in range(len(zs) - 1, -1, -1):
                W, _ = self.view.layers[layer]
                grads.append(float(np.sqrt(np.mean((h[layer].T @ delta / len(out)) ** 2))))
                if layer:
                    delta = (delta @ W.T) * self.view.activations[layer - 1].numeric_slope(zs[layer - 1])
        return grads[::-1]

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


def _loss_slope(loss: str | None, out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """d loss / d output per point (without the 1/N)."""
    if loss == "mae":
        return np.sign(out - target)
    if loss == "bce":
        p = np.clip(out, 1e-7, 1 - 1e-7)
        return (p - target) / (p * (1 - p))
    if loss == "bce_logits":
        return np.exp(-np.logaddexp(0.0, -out)) - target
    return 2 * (out - target)


def cosines(Z: np.ndarray) -> np.ndarray:
    """(m, m) cosine similarity of the columns of Z (N, m); a zero column has cosine 0."""
    norm = np.linalg.norm(Z, axis=0)
    norm[norm == 0] = 1.0
    return (Z.T @ Z) / np.outer(norm, norm)
