"""Sums over chunks of rows: what a step needs from all N training rows, in memory bounded by
a chunk of rows instead of by N.

Everything a Gauss-Newton step takes from the data is a sum over rows: J^T J (P x P), the
gradient J^T r, and H^T J (w+1 x P), from which variable projection's Q^T J = R^-T (H^T J)
follows once R is known (H = Q R). R itself comes from a tall-skinny QR: the R of
[R so far; the chunk's H], chunk after chunk, with y as one more column, whose entries
above the diagonal are then Q^T y (Golub & Van Loan, Matrix Computations, 5.2-5.3).
So a step holds one chunk's Jacobian (K, rows, P) and the P x P sums: O(P^2 + rows P)
memory, not O(N P), for the same result up to rounding. A problem that fits in one chunk
is computed at once, exactly as before chunking existed.
"""
from __future__ import annotations

import functools
import platform

import torch

from ..nets import output_features, solve_output

CHUNK_ELEMENTS = 2 ** 21  # a chunk's Jacobian (K, rows, P) holds at most this many numbers: 16 MB
MIN_ROWS = 256  # below this BLAS runs slower than it need (measured: Gram of 256 x 61 rows per call)


def chunk_rows(K: int, P: int) -> int:
    """Rows per chunk for K candidates of P parameters."""
    return max(MIN_ROWS, CHUNK_ELEMENTS // max(1, K * P))


def chunks(N: int, rows: int) -> list[slice]:
    return [slice(start, min(start + rows, N)) for start in range(0, N, rows)]


def gram(M: torch.Tensor) -> torch.Tensor:
    """M^T M for each candidate: (K, N, P) -> (K, P, P), by the BLAS that numpy_gram picks."""
    if numpy_gram():
        Mn = M.detach().numpy()
        return torch.from_numpy(Mn.transpose(0, 2, 1) @ Mn)
    return M.transpose(1, 2) @ M


@functools.cache
def numpy_gram() -> bool:
    """Whether numpy's BLAS (OpenBLAS) computes the Gram, not torch's (MKL): on every processor but
    Intel's. Chosen by the vendor, not timed: the two round differently, and Levenberg-Marquardt
    grows the last bits into other end points, so the choice must not change from run to run.

    torch's wheels carry MKL, which takes a slow generic path on AMD processors; numpy's
    OpenBLAS does not. Measured on AMD EPYC (2 cores, loaded, one thread): numpy 2.1-3.4x
    faster for (8, 2000, 40), (2, 20000, 40), (1, 100000, 40) and (2, 1000, 2000); on another
    AMD EPYC 1.4-2.0x for (4, 2000, 40), where timing both in each process (best of 5, numpy
    taken past 1.5x) chose torch in about one process in five: the same fit of 60 noisy rows of a
    triangle wave, 8 relu, read 0.0321 in one process and 0.0322 in another, and a Ray worker's
    abs(x) fits differed from this process's. On Intel, MKL is expected to be the faster (not
    measured on this project's Intel machines), and torch's own matmul is kept there."""
    return "Intel" not in _vendor()  # GenuineIntel; AuthenticAMD, Apple's and others' take numpy


def _vendor() -> str:
    """The processor's vendor: /proc/cpuinfo's vendor_id on Linux, else the platform's name for it."""
    try:
        with open("/proc/cpuinfo") as info:
            return next((line.split(":")[1].strip() for line in info if line.startswith("vendor_id")), "")
    except OSError:
        return platform.processor()


def tsqr(blocks) -> torch.Tensor:
    """R (K, n, n) of the rows of every block (K, rows, n) stacked: QR chunk after chunk."""
    R = None
    for B in blocks:
        R = torch.linalg.qr(B if R is None else torch.cat([R, B], dim=1), mode="r").R
    return R


def sum_rows(parts):
    """Position by position, the sums of the tuples of tensors in `parts` (one tuple per chunk)."""
    total = None
    for part in parts:
        total = list(part) if total is None else [t + p for t, p in zip(total, part)]
    return total


def output_solved(net, theta: torch.Tensor, X: torch.Tensor, y: torch.Tensor, penalty: torch.Tensor) -> torch.Tensor:
    """theta with its output layer solved (nets.solve_output), over chunks of rows if need be:
    with more rows than a chunk holds, from the tall-skinny QR of [H y] (above)."""
    K, P = theta.shape
    if len(y) <= chunk_rows(K, P):
        return solve_output(net, theta, X, y, penalty)
    R = tsqr(torch.cat([output_features(net, theta, X[rows]), y[rows].expand(K, -1).unsqueeze(-1)], -1)
             for rows in chunks(len(y), chunk_rows(K, P)))
    w = R.shape[-1] - 1
    # min |H c - y| is min |R_H c - Q^T y| (plus a constant): the same solve on w rows, whose column
    # norms are H's, so solve_output's floor and ridge apply unchanged
    return solve_output(net, theta, X, R[:, :w, w], penalty, H=R[:, :w, :w])
