"""Linear maps learned from before/after pairs, to float64 precision, by least squares.

A bias-free Dense layer trained to its minimum on these pairs *is* the least-squares
solution below; gradient training only approaches it, at a rate set by the
conditioning of the signals, so the network form adds nothing but iterations.
One lstsq solve reaches ~1e-13 from noiseless pairs.

Two forms:
  learn_linear: any linear map, after (n, M) ~= before (n, L) @ matrix.T, matrix (M, L).
  learn_fir:    a causal FIR filter, after[n] = sum_k taps[k] before[n - k]: only the
                taps are unknown (T numbers instead of L * L), one equation per sample.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SurefitError
from .generate import check_pairs


@dataclass(frozen=True)
class LinearFit:
    """A learned linear map and how well it explains the pairs."""
    weights: np.ndarray  # (M, L) matrix, or (T,) taps
    residual: float  # relative RMS residual on the pairs: 0 for an exact linear map
    rank: int  # of the least-squares design matrix

    def max_abs_error(self, true: np.ndarray) -> float:
        """Largest |learned - true|; the shorter of two tap vectors is padded with zeros."""
        return max_abs_error(self.weights, true)


def max_abs_error(learned: np.ndarray, true: np.ndarray) -> float:
    learned, true = np.asarray(learned, dtype=float), np.asarray(true, dtype=float)
    if learned.ndim == 1 and true.ndim == 1:
        n = max(len(learned), len(true))
        learned, true = (np.pad(v, (0, n - len(v))) for v in (learned, true))
    if learned.shape != true.shape:
        raise SurefitError(f"the learned map has shape {learned.shape}, the true one {true.shape}")
    return float(np.abs(learned - true).max())


def _solve(A: np.ndarray, B: np.ndarray, what: str) -> tuple[np.ndarray, float, int]:
    """Least squares A @ C ~= B; refuses an under-determined system rather than guess."""
    C, _, rank, _ = np.linalg.lstsq(A, B, rcond=None)
    if rank < A.shape[1]:
        raise SurefitError(f"the pairs determine only {rank} of the {A.shape[1]} unknowns of {what}; "
                           "give more (and more varied) before signals")
    scale = float(np.sqrt(np.mean(B ** 2))) or 1.0
    return C, float(np.sqrt(np.mean((A @ C - B) ** 2))) / scale, int(rank)


def learn_linear(before, after) -> LinearFit:
    """The (M, L) matrix with after ~= before @ matrix.T; needs >= L independent signals."""
    before, after = check_pairs(before, after)
    C, residual, rank = _solve(before, after, "the linear map")
    return LinearFit(C.T, residual, rank)


def lagged(signals: np.ndarray, n_taps: int) -> np.ndarray:
    """(n, L) -> (n, L, T): [i, t, k] = signals[i, t - k], zero before the signal starts."""
    padded = np.pad(signals, ((0, 0), (n_taps - 1, 0)))
    return np.lib.stride_tricks.sliding_window_view(padded, n_taps, axis=-1)[..., ::-1]


def learn_fir(before, after, n_taps: int | None = None) -> LinearFit:
    """Taps (T,) of the causal FIR filter mapping before to after (same length).

    T defaults to L, every lag a length-L signal can show; taps beyond the filter's
    true length come out as zeros, which the comparison with the true taps checks too.
    """
    before, after = check_pairs(before, after)
    length = before.shape[1]
    if after.shape[1] != length:
        raise SurefitError(f"a FIR filter keeps the length: the before signals have {length} samples, "
                           f"the after signals {after.shape[1]}")
    n_taps = length if n_taps is None else int(n_taps)
    if not 1 <= n_taps <= length:
        raise SurefitError(f"the number of taps must be between 1 and the signal length {length}, not {n_taps}")
    design = lagged(before, n_taps).reshape(-1, n_taps)  # (n * L, T)
    taps, residual, rank = _solve(design, after.reshape(-1), "the filter")
    return LinearFit(taps, residual, rank)


def significant(taps: np.ndarray, rel: float = 1e-9) -> np.ndarray:
    """The taps up to the last one above rel * max |tap| (at least one): for display."""
    big = np.flatnonzero(np.abs(taps) > rel * max(float(np.abs(taps).max()), 1e-300))
    return taps[: (big[-1] + 1) if big.size else 1]
