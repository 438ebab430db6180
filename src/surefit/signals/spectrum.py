"""The amplitude spectrum |DFT(x)| with a structured network, and why its size is what it is.

Structure: the learned linear DFT layer (2K, L), then ONE 2 -> m -> 1 ReLU network
shared by every bin, mapping (re, im) to sqrt(re^2 + im^2). Only the magnitude net
is nonlinear, and it is fitted with surefit.fit on (re, im) -> |.| pairs taken from
the training signals' bins.

The geometric bound. A bias-free 2 -> m -> 1 ReLU net is positively homogeneous:
f(z) = r g(theta). Each unit's kink is a line through the origin, so m units cut the
plane into at most 2m sectors, and on each g is a sinusoid R cos(theta - beta) — a
flat facet of a pyramid. Its best version is the regular 2m-gon pyramid (seed 001's
"inverted hexagonal pyramid" for m = 3): within a sector of half-width a = pi / (2m),
g = c cos(psi), |psi| <= a. On circularly symmetric data (every DFT bin of white
noise but DC and Nyquist) the relative RMS error with the best scale c is

    B(m) = sqrt(1 - E[cos psi]^2 / E[cos^2 psi]) = sqrt(1 - (sin a / a)^2 / (1/2 + sin 2a / (4a)))
         ~ a^2 / sqrt(45) = pi^2 / (4 sqrt(45) m^2) ~ 0.368 / m^2,

and in the sup norm tan^2(a / 2) ~ 0.62 / m^2. Each sector's squared error grows as
its width^5, so by convexity equal sectors are best: B(m) is the least error of a
bias-free net, and odd m attain it exactly (unit i along angle 2 pi i / m, equal
output weights: the odd part sum a_i w_i vanishes). Even m cannot zero that odd part
with equal, evenly spaced units, so they sit between B(m) and B(m - 1).
Biases move kinks off the origin, which helps only near it, where errors weigh little.
The real DC and Nyquist bins (2 of K for even L) can be fitted exactly, so the
spectrum's error may fall to sqrt(1 - real_share) B(m) (0.94 B(m) for L = 32);
above B(m), the excess is the trainer's: m_eff = m sqrt(B(m) / error) is how many
units the ideal pyramid needs for the measured error.
"""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, replace

import numpy as np

from ..errors import SurefitError
from ..fitting import fit
from ..result import FitResult
from .generate import TEST, check_pairs, dft_pairs, spectrum_pairs
from .linear import learn_linear

DFT_STREAM = 2  # the random stream of the generated pairs the DFT layer is learned from


@dataclass(frozen=True)
class SpectrumSettings:
    hidden: int = 8  # m, the magnitude net's width
    signals: int = 500  # training signals (generated ones; a user's pairs bring their own)
    test_signals: int = 200  # held-out signals for relative_error
    pairs: int = 1000  # (re, im) -> |.| pairs the magnitude net is fitted on, drawn from the bins
    seed: int = 0
    candidates: int | None = None  # surefit.fit's default by network size when None
    max_steps: int | None = None

    def __post_init__(self) -> None:
        for name in ("hidden", "signals", "test_signals", "pairs"):
            if getattr(self, name) < 1:
                raise SurefitError(f"{name} must be at least 1, not {getattr(self, name)}")


@dataclass(frozen=True)
class SpectrumModel:
    """x (n, L) -> DFT layer -> (re, im) per bin -> shared magnitude net -> |X| (n, K)."""
    dft: np.ndarray  # (2K, L): rows of real parts, then of imaginary parts
    magnitude: FitResult  # the 2 -> m -> 1 net

    @property
    def n_params(self) -> int:
        return self.dft.size + self.magnitude.n_params

    def predict(self, signals: np.ndarray) -> np.ndarray:
        z = dft_bins(self.dft, signals)
        return self.magnitude.predict(z.reshape(-1, 2)).reshape(z.shape[:2])


def dft_bins(dft: np.ndarray, signals: np.ndarray) -> np.ndarray:
    """(n, L) -> (n, K, 2): each bin's (re, im) from a DFT layer dft (2K, L)."""
    z = np.asarray(signals, dtype=float) @ dft.T  # (n, 2K)
    K = dft.shape[0] // 2
    return np.stack([z[:, :K], z[:, K:]], axis=-1)


def relative_error(predicted: np.ndarray, true: np.ndarray) -> float:
    """||predicted - true|| / ||true|| over every bin of every signal."""
    return float(np.linalg.norm(predicted - true) / max(np.linalg.norm(true), 1e-300))


def geometric_bound(m: int) -> float:
    """B(m): the relative RMS error of the best regular 2m-gon pyramid against the cone."""
    a = np.pi / (2 * m)
    return float(np.sqrt(max(0.0, 1 - (np.sin(a) / a) ** 2 / (0.5 + np.sin(2 * a) / (4 * a)))))


def real_share(length: int) -> float:
    """The share of the spectrum's energy (white input) in the real bins: DC, and Nyquist for even L."""
    return (1 + (length % 2 == 0)) / (length // 2 + 1)


def fit_spectrum(before, after, settings: SpectrumSettings = SpectrumSettings()) -> SpectrumModel:
    """The structured model from a user's pairs: signals (n, L) and their magnitudes (n, K).

    The DFT layer is learned from generated DFT pairs of the same length (the spectrum
    alone does not determine the phases); the magnitude net then learns whatever scale
    the user's magnitudes have.
    """
    before, after = check_pairs(before, after)
    length, K = before.shape[1], before.shape[1] // 2 + 1
    if after.shape[1] != K:
        raise SurefitError(f"a length-{length} signal has {K} spectrum bins, but the after signals "
                           f"have {after.shape[1]} samples")
    dft = learn_linear(*dft_pairs(length, 2 * length, settings.seed, DFT_STREAM)).weights
    z = dft_bins(dft, before).reshape(-1, 2)
    chosen = np.random.default_rng(settings.seed).permutation(len(z))[: settings.pairs]
    magnitude = fit((z[chosen], after.reshape(-1)[chosen]), hidden=settings.hidden, seed=settings.seed,
                    candidates=settings.candidates, max_steps=settings.max_steps)
    return SpectrumModel(dft, magnitude)


@dataclass(frozen=True)
class SpectrumRun:
    """A fitted model and its relative error on held-out pairs (kept for plots)."""
    model: SpectrumModel
    error: float
    signals: int  # the model was fitted on
    test: tuple[np.ndarray, np.ndarray]  # held-out signals (n, L), magnitudes (n, K)


def generated_fit(length: int, settings: SpectrumSettings = SpectrumSettings()) -> SpectrumRun:
    """Fit on generated white-noise signals; the error on held-out ones."""
    model = fit_spectrum(*spectrum_pairs(length, settings.signals, settings.seed), settings)
    test = spectrum_pairs(length, settings.test_signals, settings.seed, TEST)
    return SpectrumRun(model, relative_error(model.predict(test[0]), test[1]), settings.signals, test)


def held_out_fit(before, after, settings: SpectrumSettings = SpectrumSettings(),
                 holdout: float = 0.2) -> SpectrumRun:
    """Fit on a user's pairs, keeping a random share `holdout` of the signals out for the error."""
    before, after = check_pairs(before, after)
    if len(before) < 2:
        raise SurefitError("need at least 2 pairs: one to fit on and one held out")
    order = np.random.default_rng(settings.seed).permutation(len(before))
    test, train = np.split(order, [max(1, int(round(holdout * len(order))))])
    model = fit_spectrum(before[train], after[train], settings)
    return SpectrumRun(model, relative_error(model.predict(before[test]), after[test]), len(train),
                       (before[test], after[test]))


def error_vs_m(length: int, widths, settings: SpectrumSettings = SpectrumSettings()) -> list[dict]:
    """One row per width m: measured held-out error, B(m), their ratio, m_eff, fit time."""
    rows = []
    for m in widths:
        start = time.perf_counter()
        run = generated_fit(length, replace(settings, hidden=int(m)))
        bound, error = geometric_bound(int(m)), run.error
        rows.append({"m": int(m), "params": run.model.magnitude.n_params, "relative_error": error,
                     "bound": bound, "ratio": error / bound, "m_eff": float(m * np.sqrt(bound / error)),
                     "time_s": time.perf_counter() - start})
    return rows


def predicted_m(threshold: float, max_m: int = 1000) -> int:
    """The smallest m with B(m) <= threshold: the width the geometry asks for."""
    if not 0 < threshold < 1:
        raise SurefitError(f"the threshold is a relative error between 0 and 1, not {threshold}")
    return next(m for m in range(2, max_m + 1) if geometric_bound(m) <= threshold or m == max_m)


def smallest_m(threshold: float, length: int, settings: SpectrumSettings = SpectrumSettings(),
               max_m: int = 32) -> dict:
    """The smallest width whose measured error is within threshold, and the width B(m) predicts."""
    predicted = predicted_m(threshold)
    for m in range(2, max_m + 1):
        error = generated_fit(length, replace(settings, hidden=m)).error
        if error <= threshold:
            return {"threshold": threshold, "m": m, "relative_error": error, "predicted_m": predicted}
    return {"threshold": threshold, "m": None, "relative_error": error, "predicted_m": predicted}


def plain_width(length: int, n_params: int) -> int:
    """Hidden width h of a plain L -> h -> K ReLU MLP with about n_params parameters."""
    K = length // 2 + 1
    return max(1, round((n_params - K) / (length + 1 + K)))


def plain_fit(before, after, width: int, seed: int):
    """A plain L -> width -> K ReLU MLP trained end to end (scikit-learn, L-BFGS: the strongest
    peer in BASELINES.md) on targets scaled to unit RMS; returns a predict function."""
    from sklearn.neural_network import MLPRegressor
    scale = float(np.sqrt(np.mean(after ** 2))) or 1.0
    net = MLPRegressor(hidden_layer_sizes=(width,), solver="lbfgs", max_iter=3000, tol=1e-10,
                       random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its "did not converge" is measured below, not printed
        net.fit(before, after / scale)
    return lambda signals: net.predict(signals) * scale


def compare_plain(length: int, seeds: int, threshold: float,
                  settings: SpectrumSettings = SpectrumSettings()) -> dict:
    """Structured vs plain MLP of the same parameter count, over seeds 0..seeds-1:
    held-out relative errors and the share of seeds within threshold."""
    if seeds < 1:
        raise SurefitError(f"compare over at least one seed, not {seeds}")
    structured, plain = [], []
    for seed in range(seeds):
        s = replace(settings, seed=seed)
        run = generated_fit(length, s)
        structured.append(run.error)
        width = plain_width(length, run.model.n_params)
        predict = plain_fit(*spectrum_pairs(length, s.signals, seed), width, seed)
        test = spectrum_pairs(length, s.test_signals, seed, TEST)
        plain.append(relative_error(predict(test[0]), test[1]))
    K = length // 2 + 1
    return {"threshold": threshold, "seeds": seeds,
            "structured": _summary(structured, threshold, run.model.n_params),
            "plain": _summary(plain, threshold, (length + 1) * width + (width + 1) * K) | {"width": width}}


def _summary(errors: list[float], threshold: float, n_params: int) -> dict:
    errors = np.array(errors)
    return {"params": int(n_params), "success_rate": float(np.mean(errors <= threshold)),
            "median_error": float(np.median(errors)), "worst_error": float(errors.max()),
            "errors": errors.tolist()}
