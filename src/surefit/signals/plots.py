"""PNGs for signals: learned vs true taps or matrix; the magnitude net over the (re, im)
plane with its linear regions; a test signal's spectrum, true vs predicted."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..plots import plt, save_figure
from .linear import significant
from .spectrum import SpectrumModel, dft_bins, relative_error

GRID = 301  # points per axis of the (re, im) plane


def plot_taps(learned: np.ndarray, true: np.ndarray | None, path: str | Path, format: str | None = None) -> Path:
    """Stems of the learned taps (over the true ones) and |learned - true| on a log scale."""
    n = max(len(significant(learned)), 0 if true is None else len(true)) + 2
    n = min(n, len(learned))
    k = np.arange(n)
    panels = 1 if true is None else 2
    fig, axes = plt.subplots(panels, 1, figsize=(7, 3 + 2 * panels), squeeze=False)
    top = axes[0, 0]
    if true is not None:
        padded = np.pad(true, (0, max(0, n - len(true))))[:n]
        top.stem(k, padded, linefmt="tab:blue", markerfmt="o", basefmt=" ", label="true")
    top.plot(k, learned[:n], "x", color="tab:red", ms=9, label="learned")
    top.set_xlabel("tap k")
    top.set_ylabel("h[k]")
    top.legend(fontsize=8)
    if true is not None:
        diff = np.abs(learned - np.pad(true, (0, max(0, len(learned) - len(true))))[:len(learned)])
        axes[1, 0].semilogy(np.arange(len(diff)), np.maximum(diff, 1e-18), ".", color="tab:red")
        axes[1, 0].set_xlabel("tap k (all learned taps)")
        axes[1, 0].set_ylabel("|learned - true|")
    fig.suptitle(f"FIR taps learned from before/after pairs (first {n} of {len(learned)} shown)", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, format)


def plot_matrix(learned: np.ndarray, true: np.ndarray | None, path: str | Path,
                format: str | None = None) -> Path:
    """Heat maps of the learned matrix, the true one, and |learned - true| (log10)."""
    panels = [("learned", learned, "RdBu_r")]
    if true is not None:
        panels += [("true", true, "RdBu_r"),
                   ("log10 |learned - true|", np.log10(np.maximum(np.abs(learned - true), 1e-18)), "viridis")]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 4.5), squeeze=False)
    for ax, (title, values, cmap) in zip(axes[0], panels):
        image = ax.imshow(values, cmap=cmap, aspect="auto", interpolation="nearest")
        fig.colorbar(image, ax=ax, shrink=0.8)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("input sample n")
        ax.set_ylabel("output row (re parts, then im parts)")
    fig.suptitle("real DFT matrix learned from before/after pairs", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, format)


def plot_spectrum(model: SpectrumModel, signals: np.ndarray, spectra: np.ndarray, path: str | Path,
                  format: str | None = None) -> Path:
    """Three panels: the magnitude net's surface with its linear regions and kink lines, its
    relative error against sqrt(re^2 + im^2), and the first test signal's spectrum."""
    radius = float(np.quantile(np.linalg.norm(dft_bins(model.dft, signals), axis=-1), 0.99)) * 1.1
    axis = np.linspace(-radius, radius, GRID)
    re, im = np.meshgrid(axis, axis)
    plane = np.stack([re.ravel(), im.ravel()], axis=1)
    surface = model.magnitude.predict(plane).reshape(re.shape)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    _surface(axes[0], fig, model, plane, surface, radius)
    _error(axes[1], fig, model, surface, np.hypot(re, im), radius)
    _test_spectrum(axes[2], model, signals[:1], spectra[:1])
    net = model.magnitude.model.net
    fig.suptitle(f"amplitude spectrum: learned DFT layer, then one 2 -> {net.hidden[0]} -> 1 ReLU "
                 f"magnitude net shared by every bin ({model.n_params} parameters); held-out relative "
                 f"error {relative_error(model.predict(signals), spectra):.3g}", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, format)


def _kinks(ax, model: SpectrumModel, radius: float, color: str) -> None:
    """Each hidden unit's kink line w . z + b = 0, in the user's (re, im) units."""
    W, b = model.magnitude.model.folded().layers[0]  # (2, m), (m,)
    t = np.linspace(-2 * radius, 2 * radius, 3)
    for w, c in zip(W.T, b):
        point = -c * w / max(w @ w, 1e-300)  # the line's point nearest the origin
        ax.plot(point[0] - t * w[1], point[1] + t * w[0], color=color, lw=0.8, ls="--")
    ax.set_xlim(-radius, radius)
    ax.set_ylim(-radius, radius)
    ax.set_aspect("equal")
    ax.set_xlabel("re")
    ax.set_ylabel("im")


def _surface(ax, fig, model, plane, surface, radius) -> None:
    W, b = model.magnitude.model.folded().layers[0]
    pattern = (plane @ W + b > 0) @ (2 ** np.arange(W.shape[1]))  # which units are on: one id per region
    _, region = np.unique(pattern, return_inverse=True)
    extent = (-radius, radius, -radius, radius)
    ax.imshow(region.reshape(surface.shape) % 20, origin="lower", extent=extent, cmap="tab20", alpha=0.55,
              interpolation="nearest")
    lines = ax.contour(np.linspace(-radius, radius, GRID), np.linspace(-radius, radius, GRID), surface,
                       levels=8, colors="black", linewidths=0.7)
    ax.clabel(lines, fontsize=6)
    _kinks(ax, model, radius, "white")
    ax.set_title(f"network output (contours) and its {len(np.unique(pattern))} linear regions; "
                 "dashed: kinks", fontsize=8)


def _error(ax, fig, model, surface, r, radius) -> None:
    rel = (surface - r) / np.maximum(r, 1e-12)
    limit = float(np.quantile(np.abs(rel[r > 0.2 * radius]), 0.99))
    image = ax.imshow(rel, origin="lower", extent=(-radius, radius, -radius, radius), cmap="RdBu_r",
                      vmin=-limit, vmax=limit)
    fig.colorbar(image, ax=ax, shrink=0.8)
    _kinks(ax, model, radius, "dimgray")
    ax.set_title("(network - |z|) / |z|: a pyramid's facets against the cone", fontsize=8)


def _test_spectrum(ax, model, signal, spectrum) -> None:
    k = np.arange(spectrum.shape[1])
    ax.plot(k, spectrum[0], "o-", color="tab:blue", lw=1.5, label="true |DFT|")
    ax.plot(k, model.predict(signal)[0], "x--", color="tab:red", lw=1, label="structured network")
    ax.set_xlabel("frequency bin k")
    ax.set_ylabel("amplitude")
    ax.legend(fontsize=8)
    ax.set_title("a held-out test signal", fontsize=8)
