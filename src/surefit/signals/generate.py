"""Before/after signal pairs: generated (FIR filter, real DFT, magnitude spectrum) or loaded.

A pair set is two arrays with one signal per row: before (n, L) and after (n, M).
Generated "before" signals are white Gaussian noise, which excites every frequency
equally, so any linear map is identifiable from L of them.
The real DFT of a length-L signal has K = L // 2 + 1 bins (numpy's rfft); its
"after" rows hold the K real parts then the K imaginary parts, (n, 2K).
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.signal import lfilter

from .. import csvfile
from ..errors import SurefitError

Pairs = tuple[np.ndarray, np.ndarray]  # before (n, L), after (n, M)
TRAIN, TEST = 0, 1  # random streams of one seed: training and held-out signals


def check_length(length: int) -> int:
    if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 2:
        raise SurefitError(f"a signal needs at least 2 samples, not {length!r}")
    return int(length)


def parse_taps(taps: str | Sequence[float]) -> np.ndarray:
    """'0.25,0.5,0.25' or a sequence of numbers -> taps (T,) float64, finite and not empty."""
    items = [t.strip() for t in taps.split(",")] if isinstance(taps, str) else list(np.ravel(taps))
    try:
        values = np.array([float(t) for t in items if not (isinstance(t, str) and t == "")])
    except (TypeError, ValueError):
        raise SurefitError(f"taps must be comma-separated numbers, not {taps!r}") from None
    if values.size == 0:
        raise SurefitError("give at least one tap, e.g. --taps 0.25,0.5,0.25")
    if not np.isfinite(values).all():
        raise SurefitError(f"taps must be finite numbers, not {taps!r}")
    return values


def white_signals(count: int, length: int, seed: int = 0, stream: int = TRAIN) -> np.ndarray:
    """(count, length) standard normal samples; (seed, stream) picks the random stream."""
    length = check_length(length)
    if count < 1:
        raise SurefitError(f"need at least one signal, not {count}")
    return np.random.default_rng([seed, stream]).standard_normal((count, length))


def fir_filter(taps: np.ndarray, signals: np.ndarray) -> np.ndarray:
    """Causal FIR filtering from rest, same length: y[n] = sum_k taps[k] x[n - k], x[<0] = 0."""
    return lfilter(parse_taps(taps), [1.0], signals, axis=-1)


def real_dft(signals: np.ndarray) -> np.ndarray:
    """(n, L) -> (n, 2K): the rfft's real parts, then its imaginary parts."""
    spectrum = np.fft.rfft(signals, axis=-1)
    return np.concatenate([spectrum.real, spectrum.imag], axis=-1)


def magnitude_spectrum(signals: np.ndarray) -> np.ndarray:
    """(n, L) -> (n, K): |rfft|, the amplitude spectrum."""
    return np.abs(np.fft.rfft(signals, axis=-1))


def true_matrix(linear_map, length: int) -> np.ndarray:
    """The (M, L) matrix of a linear map on length-L signals: its columns are the map of e_j."""
    return linear_map(np.eye(check_length(length))).T


def fir_pairs(taps, length: int, count: int | None = None, seed: int = 0,
              stream: int = TRAIN) -> Pairs:
    x = white_signals(count or 2 * check_length(length), length, seed, stream)
    return x, fir_filter(taps, x)


def dft_pairs(length: int, count: int | None = None, seed: int = 0, stream: int = TRAIN) -> Pairs:
    x = white_signals(count or 2 * check_length(length), length, seed, stream)
    return x, real_dft(x)


def spectrum_pairs(length: int, count: int | None = None, seed: int = 0,
                   stream: int = TRAIN) -> Pairs:
    x = white_signals(count or 2 * check_length(length), length, seed, stream)
    return x, magnitude_spectrum(x)


def check_pairs(before, after) -> Pairs:
    """Validate a user's pairs once: numeric 2-D arrays, the same rows, finite, >= 2 samples."""
    arrays = []
    for name, values in (("before", before), ("after", after)):
        try:
            values = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise SurefitError(f"the {name} signals must be numbers") from None
        values = values[None, :] if values.ndim == 1 else values
        if values.ndim != 2:
            raise SurefitError(f"the {name} signals must be one signal per row, not shape {values.shape}")
        if values.shape[1] < 2:
            raise SurefitError(f"the {name} signals have {values.shape[1]} sample(s); a signal needs at least 2")
        if not np.isfinite(values).all():
            row, col = np.argwhere(~np.isfinite(values))[0]
            raise SurefitError(f"the {name} signals contain NaN or infinity (signal {row}, sample {col})")
        arrays.append(values)
    before, after = arrays
    if len(before) != len(after):
        raise SurefitError(f"{len(before)} before signals but {len(after)} after signals; give one pair per row")
    return before, after


def load_signals(path: str | Path, fmt: str | None = None) -> np.ndarray:
    """One signal per row from a .npy file or a CSV of numbers (no header; any delimiter, decimal
    commas: csvfile.numbers_only); fmt "npy" or "csv", or None to go by the file's suffix."""
    path = Path(path)
    if not path.is_file():
        raise SurefitError(f"no file at {path}")
    if (fmt or ("npy" if path.suffix.lower() == ".npy" else "csv")) == "npy":
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            raise SurefitError(f"{path} is not a .npy array of numbers") from None
    return csvfile.numbers_only(path)


def load_pairs(before_path: str | Path, after_path: str | Path, fmt: str | None = None) -> Pairs:
    return check_pairs(load_signals(before_path, fmt), load_signals(after_path, fmt))
