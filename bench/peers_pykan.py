"""pykan (PyPI pykan): Kolmogorov-Arnold networks, run as hellokan.ipynb and the docs'
Example 1 (function fitting) show:

    torch.set_default_dtype(torch.float64)                      # hellokan's first cell
    model = KAN(width=[n, 5, 1], grid=5, k=3, seed=seed)        # hellokan's shape, "5 grid intervals"
    model.fit(dataset, opt="LBFGS", steps=200)                  # Example 1's steps per grid
    model = model.refine(10); model.fit(...)                    # grid extension 5 -> 10 -> 20
    model = model.refine(20); model.fit(...)

with no sparsity regularisation (lamb=0, fit's default: the README's advice when accuracy
is the goal). `dataset` is the dict create_dataset returns, filled with the case's own
training points (the same draw: 1000 uniform points on [-1, 1]^n) and a second uniform
draw of 1000 as its test set, which pykan only logs. Checkpoints (auto_save, on by
default) go to a temporary folder; the progress bar is sent to a string. Parameters are
the spline coefficients and the two scales of every edge, (grid + k + 2) per edge: the
symbolic branch's affine parameters, unused while no edge is symbolic, are not counted.
"""
from __future__ import annotations

import contextlib
import io
import tempfile
import time

import numpy as np
import torch
from kan import KAN

from problems import Contestant, one_by_one, scaled, score
from peer_cases import PeerRecord

WIDTH, GRID, K = 5, 5, 3
STEPS = 200  # docs Example 1: 200 LBFGS steps per grid
EXTENSION = (10, 20)  # grids after the first: 5 -> 10 -> 20


@contextlib.contextmanager
def float64():
    """hellokan's torch.set_default_dtype(torch.float64), undone afterwards."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


def dataset(bp) -> dict[str, torch.Tensor]:
    """create_dataset's dict from the case's points; labels are (N, 1)."""
    problem = bp.problem
    lo, hi = np.array(problem.domain).T
    X_test = np.random.default_rng(1).uniform(lo, hi, size=problem.X.shape)
    y_test = bp.f(*X_test.T)
    as_t = lambda a: torch.as_tensor(np.asarray(a, dtype=float))  # noqa: E731
    return {"train_input": as_t(problem.X), "train_label": as_t(problem.y[:, None]),
            "test_input": as_t(X_test), "test_label": as_t(np.asarray(y_test)[:, None])}


def fitter(name: str, grids: tuple[int, ...]):
    """fit_one for a KAN trained on the first grid, then refined to each later one."""
    def fit_one(bp, seed: int, effort: float) -> PeerRecord:
        with float64(), tempfile.TemporaryDirectory() as folder:
            data = dataset(bp)
            np.random.seed(seed)  # fit draws its batches with numpy's global generator
            quiet = io.StringIO()
            start = time.perf_counter()
            with contextlib.redirect_stderr(quiet), contextlib.redirect_stdout(quiet):
                model = KAN(width=[bp.problem.n_inputs, WIDTH, 1], grid=grids[0], k=K, seed=seed,
                            ckpt_path=folder)
                for i, grid in enumerate(grids):
                    if i:
                        model = model.refine(grid)
                    model.fit(data, opt="LBFGS", steps=scaled(STEPS, effort))
            elapsed = time.perf_counter() - start
            with torch.no_grad():
                pred = model(torch.as_tensor(bp.problem.X_eval, dtype=torch.float64)).numpy()[:, 0]
            params = sum(p.numel() for p in model.act_fun.parameters() if p.requires_grad)
        record = score(name, bp, seed, pred, elapsed)
        return PeerRecord(**vars(record), params=params)
    return fit_one


DEFAULTS = (f"KAN [n,{WIDTH},1] grid {GRID}, {STEPS} LBFGS steps", (GRID,))
EXTENDED = (f"KAN grid extension {GRID}->{'->'.join(map(str, EXTENSION))}, {STEPS} steps each",
            (GRID, *EXTENSION))


def contestants(keys: tuple[str, ...]) -> list[Contestant]:
    return [Contestant(name, "pykan", keys, one_by_one(fitter(name, grids))) for name, grids in (DEFAULTS, EXTENDED)]
