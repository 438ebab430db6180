"""Watch a training run: every step's training loss, and at which step units die, the
loss overshoots, stalls or diverges.

    w = surefit.doctor.watch(model, X, y, optimizer=opt, loss=criterion)
    PyTorch:  loss = criterion(model(xb), yb); w.update(loss)   (zero_grad, backward, step, record)
              or, in your own loop, w.step(loss) after each optimizer.step()
    Keras:    model.fit(X, y, callbacks=[w.callback])
    then      w.diagnose()  (or surefit.doctor.doctor(model, X, y, watched=w))

Every step costs one float (the loss the optimiser saw; Keras reports a running mean
over the epoch, which the callback turns back into each batch's loss). Every `every`
steps the watcher also reads the model's weights through its adapter and computes the
loss on the watched data itself (MSE / variance of y), so those numbers mean the same
for every framework, batch size and loss. Events are logged as warnings on the
"surefit.doctor" logger and kept in `events`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from .adapters import View, view
from .case import Case, Thresholds
from .setup import Setup, loss_setup, optimizer_setup
from .training import diverged, learning_rate, stalled
from .words import unit_list

log = logging.getLogger("surefit.doctor")


@dataclass(frozen=True)
class WatchSettings:
    every: int = 10  # optimiser steps between checks; each check is one forward pass on the data
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class Event:
    step: int
    code: str  # "dead_units", "learning_rate", "stalled" or "diverged"
    message: str


class Watcher:
    """Created by watch(); holds the losses and what happened when."""

    def __init__(self, model, X: np.ndarray, y: np.ndarray, variables: tuple[str, ...],
                 settings: WatchSettings, optimizer=None, loss=None):
        self.model, self.X, self.y, self.variables, self.settings = model, X, y, variables, settings
        self.optimizer = optimizer
        self.steps = 0
        self.losses: list[tuple[int, float]] = []   # (step, training loss) for every step given one
        self.history: list[tuple[int, float]] = []  # (step, MSE / var y on the watched data) every `every` steps
        self.jumps: list[tuple[int, list[float]]] = []  # (step, per layer |W - W before| / |W before|) at each check
        self.deaths: dict[tuple[int, int], int] = {}  # (layer, unit) -> step it was first seen dead
        self.events: list[Event] = []
        self.shared: dict = {}  # the noise and k-NN estimates of the watched data, computed once
        self.initial: View = view(model)  # the weights training started from
        self.setup: Setup = self.initial.setup.merged(loss_setup(loss)).merged(optimizer_setup(optimizer))
        self._check(self.initial)

    def step(self, loss=None) -> None:
        """Call once after each optimiser step, with that step's loss (a float or a tensor)."""
        self.steps += 1
        value = None if loss is None else float(loss.detach() if hasattr(loss, "detach") else loss)
        if value is not None:
            self.losses.append((self.steps, value))
        if (value is not None and not np.isfinite(value)) or self.steps % self.settings.every == 0:
            self._check(view(self.model))

    def update(self, loss) -> None:
        """PyTorch: one optimiser step on `loss` (zero_grad, backward, step), then step(loss)."""
        if self.optimizer is None:
            from ..errors import SurefitError
            raise SurefitError("update() needs the optimiser: watch(model, X, y, optimizer=opt)")
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.step(loss)

    @property
    def callback(self):
        """A Keras callback that calls step() after every training batch with that batch's loss."""
        import keras

        watcher = self

        class SurefitWatch(keras.callbacks.Callback):
            mean = 0.0

            def on_train_batch_end(self, batch, logs=None):
                running = (logs or {}).get("loss")
                if running is None:
                    return watcher.step()
                running = float(running)
                # Keras logs the mean over the epoch so far: batch k's own loss is (k+1) m_k - k m_(k-1)
                own = running if batch == 0 else (batch + 1) * running - batch * self.mean
                self.mean = running
                watcher.step(own if np.isfinite(own) or not np.isfinite(running) else running)

        return SurefitWatch()

    def diagnose(self):
        from . import doctor
        return doctor(self.model, self.X, self.y, watched=self, variables=self.variables)

    def _check(self, v: View) -> None:
        if self.history:
            self.jumps.append((self.steps, [_jump(W, W0) for (W, _), (W0, _) in zip(v.layers, self._last.layers)]))
        self._last = v
        with np.errstate(all="ignore"):
            pred = v.forward(self.X)
            loss = float(np.mean((pred - self.y) ** 2) / max(float(self.y.var()), 1e-300))
        self.history.append((self.steps, loss if np.isfinite(loss) else float("inf")))
        case = Case(v, self.X, self.y, pred, self.variables, self.history, steps=self.losses, setup=self.setup,
                    shared=self.shared, jumps=self.jumps, deaths=self.deaths)
        for layer in range(len(v.hidden)):
            newly = [u for u in np.flatnonzero(case.dead(layer)) if (layer, u) not in self.deaths]
            for u in newly:
                self.deaths[(layer, int(u))] = self.steps
            if newly and self.steps:
                self._event("dead_units", f"hidden layer {layer + 1}: unit{'s' if len(newly) > 1 else ''} "
                            f"{unit_list([int(u) + 1 for u in newly])} died ({int(case.dead(layer).sum())} of "
                            f"{case.dead(layer).size} now off on every point)")
        for check in (learning_rate, diverged, stalled):
            if not any(e.code == check.__name__ for e in self.events):
                for finding in check(case, self.settings.thresholds)[:1]:
                    self._event(finding.code, finding.message)

    def _event(self, code: str, message: str) -> None:
        self.events.append(Event(self.steps, code, message))
        log.warning("surefit doctor: step %d: %s", self.steps, message)


def _jump(W: np.ndarray, before: np.ndarray) -> float:
    """How far a layer's weights moved, in their own size (at least a Glorot-sized matrix's, so
    that small or zero starting weights do not make every step look huge)."""
    fan_in, fan_out = W.shape
    size = max(float(np.linalg.norm(before)), float(np.sqrt(W.size * 2 / (fan_in + fan_out))))
    with np.errstate(all="ignore"):
        return float(np.linalg.norm(W - before)) / size
