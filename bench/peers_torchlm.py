"""torch-levenberg-marquardt (PyPI torch-levenberg-marquardt), run as its README and
examples/sinc_curve_fitting.py show: a float32 torch.nn.Sequential, and

    tlm.training.LevenbergMarquardtModule(model=model, loss_fn=tlm.loss.MSELoss(),
        learning_rate=1.0, attempts_per_step=10, solve_method='qr')
    tlm.utils.fit(module, FastDataLoader(TensorDataset(x, y), batch_size=1000, repeat=10,
                                         shuffle=True), epochs=10)

that is batches of 1000 shuffled points, 2000 steps on its 20,000 points. The full-batch
row is the same module on all points at once for the README's logged 1000 steps
(50 epochs of 20 batches). Both stop early when the module's damping says so.

Inputs are mapped to [-1, 1] and targets standardised with surefit's own scalers (the
example's data already lies in [-1, 1]; without it abs(x) on [-1000, 1000] is hopeless
for any trainer), predictions mapped back. Time is building the model and training,
what a user waits for; tlm.utils.fit's progress bars are sent to a string.
"""
from __future__ import annotations

import contextlib
import io
import time
from dataclasses import dataclass

import torch
import torch_levenberg_marquardt as tlm
from torch.utils.data import TensorDataset

from surefit.scaling import input_scaler, target_scaler

from problems import Contestant, one_by_one, score

EXAMPLE_BATCH, EXAMPLE_REPEAT, EXAMPLE_EPOCHS = 1000, 10, 10  # examples/sinc_curve_fitting.py
README_STEPS = 1000  # the README's logged run: 50 epochs x 20 batches
ACTIVATIONS = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}


def build(n_inputs: int, hidden: tuple[int, ...], activation: str) -> torch.nn.Sequential:
    """The example's create_model, with the case's widths: Linear, activation, ..., Linear(w, 1)."""
    layers, width = [], n_inputs
    for w in hidden:
        layers += [torch.nn.Linear(width, w), ACTIVATIONS[activation]()]
        width = w
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 1))


def module(model: torch.nn.Module) -> tlm.training.LevenbergMarquardtModule:
    return tlm.training.LevenbergMarquardtModule(model=model, loss_fn=tlm.loss.MSELoss(), learning_rate=1.0,
                                                 attempts_per_step=10, solve_method="qr")


@dataclass(frozen=True)
class Setup:
    name: str
    batch: int | None  # None: every point in one batch
    repeat: int  # passes over the data per epoch (FastDataLoader's repeat)
    epochs: int

    def passes(self, effort: float) -> tuple[int, int]:
        """(repeat, epochs) at `effort`: the real run's, or a share of its steps for the tests."""
        if effort >= 1:
            return self.repeat, self.epochs
        return max(1, round(self.repeat * self.epochs * effort)), 1

    def fit_one(self, bp, seed: int, effort: float):
        problem = bp.problem
        x_scaler, y_scaler = input_scaler(problem.X, problem.domain), target_scaler(problem.y)
        X = torch.as_tensor(x_scaler.forward(problem.X), dtype=torch.float32)
        y = torch.as_tensor(y_scaler.forward(problem.y[:, None]), dtype=torch.float32)  # (N, 1)
        torch.manual_seed(seed)  # the initial weights and the shuffling
        repeat, epochs = self.passes(effort)
        start = time.perf_counter()
        model = build(X.shape[1], tuple(bp.hidden), bp.activation)
        loader = tlm.utils.FastDataLoader(TensorDataset(X, y), batch_size=self.batch or len(X), repeat=repeat,
                                          shuffle=True)
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            tlm.utils.fit(module(model), loader, epochs=epochs)
        elapsed = time.perf_counter() - start
        with torch.no_grad():
            out = model(torch.as_tensor(x_scaler.forward(problem.X_eval), dtype=torch.float32)).double().numpy()
        return score(self.name, bp, seed, y_scaler.inverse(out)[:, 0], elapsed)


EXAMPLE = Setup("torch-LM: example (batch 1000, 2000 steps)", EXAMPLE_BATCH, EXAMPLE_REPEAT, EXAMPLE_EPOCHS)
FULL_BATCH = Setup(f"torch-LM: full batch, {README_STEPS} steps", None, README_STEPS, 1)


def contestants(keys: tuple[str, ...]) -> list[Contestant]:
    return [Contestant(s.name, "torchlm", keys, one_by_one(s.fit_one)) for s in (EXAMPLE, FULL_BATCH)]

