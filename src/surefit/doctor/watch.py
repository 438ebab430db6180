"""Watch a training run: say at which step units die, the loss stalls or diverges.

    w = surefit.doctor.watch(model, X, y)
    PyTorch:  ...; optimizer.step(); w.step(loss)          (once per optimiser step)
    Keras:    model.fit(X, y, callbacks=[w.callback])
    then      w.diagnose()  (or surefit.doctor.doctor(model, X, y, watched=w))

Every `every` steps the watcher reads the model's weights through its adapter and
computes the loss on the watched data itself (MSE / variance of y), so the numbers
mean the same for every framework, batch size and loss. Events are logged as
warnings on the "surefit.doctor" logger and kept in `events`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from .adapters import View, view
from .case import Case, Thresholds
from .checks import diverged, stalled, unit_list

log = logging.getLogger("surefit.doctor")


@dataclass(frozen=True)
class WatchSettings:
    every: int = 10  # optimiser steps between checks; each check is one forward pass on the data
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class Event:
    step: int
    code: str  # "dead_units", "stalled" or "diverged"
    message: str


class Watcher:
    """Created by watch(); holds the loss history (step, loss / var y) and what happened when."""

    def __init__(self, model, X: np.ndarray, y: np.ndarray, variables: tuple[str, ...],
                 settings: WatchSettings):
        self.model, self.X, self.y, self.variables, self.settings = model, X, y, variables, settings
        self.steps = 0
        self.history: list[tuple[int, float]] = []
        self.deaths: dict[tuple[int, int], int] = {}  # (layer, unit) -> step it was first seen dead
        self.events: list[Event] = []
        self.initial: View = view(model)  # the weights training started from
        self._check(self.initial)

    def step(self, loss=None) -> None:
        """Call once after each optimiser step; `loss` (optional) lets a NaN be caught at once."""
        self.steps += 1
        blew_up = loss is not None and not np.isfinite(float(loss))
        if blew_up or self.steps % self.settings.every == 0:
            self._check(view(self.model))

    @property
    def callback(self):
        """A Keras callback that calls step() after every training batch."""
        import keras

        watcher = self

        class SurefitWatch(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                watcher.step((logs or {}).get("loss"))

        return SurefitWatch()

    def diagnose(self):
        from . import doctor
        return doctor(self.model, self.X, self.y, watched=self, variables=self.variables)

    def _check(self, v: View) -> None:
        with np.errstate(all="ignore"):
            pred = v.forward(self.X)
            loss = float(np.mean((pred - self.y) ** 2) / max(float(self.y.var()), 1e-300))
        self.history.append((self.steps, loss if np.isfinite(loss) else float("inf")))
        case = Case(v, self.X, self.y, pred, self.variables, self.history)
        for layer in range(len(v.hidden)):
            newly = [u for u in np.flatnonzero(case.dead(layer)) if (layer, u) not in self.deaths]
            for u in newly:
                self.deaths[(layer, int(u))] = self.steps
            if newly and self.steps:
                self._event("dead_units", f"hidden layer {layer + 1}: unit{'s' if len(newly) > 1 else ''} "
                            f"{unit_list([int(u) + 1 for u in newly])} died ({int(case.dead(layer).sum())} of "
                            f"{case.dead(layer).size} now off on every point)")
        for check in (diverged, stalled):
            if not any(e.code == check.__name__ for e in self.events):
                for finding in check(case, self.settings.thresholds):
                    self._event(finding.code, finding.message)

    def _event(self, code: str, message: str) -> None:
        self.events.append(Event(self.steps, code, message))
        log.warning("surefit doctor: step %d: %s", self.steps, message)
