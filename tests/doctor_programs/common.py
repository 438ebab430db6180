"""What the catalogue's programs share: a Program record, seeding, and the training loops
that attach the doctor's watch (Keras: model.fit with the watch's callback; PyTorch: the
watch's update() around each optimiser step).

Keras programs are fed by a generator that reshuffles every epoch and cuts the same
batches model.fit(X, y, epochs=E, batch_size=B) would, run as one long epoch: the same
steps, without Keras's per-epoch overhead (about 10 ms an epoch on the torch backend).
"""
from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from typing import Callable

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

from surefit.doctor import watch  # noqa: E402


@dataclass(frozen=True)
class Program:
    name: str            # the source's id: a StackOverflow question, a forum thread, a benchmark model
    source: str          # where the buggy program and its fix were published
    framework: str       # "keras" or "pytorch"
    true_causes: tuple[str, ...]  # the finding code(s) naming what the published fix changed
    buggy: Callable      # () -> Run
    fixed: Callable      # () -> Run
    fix_complete: bool = True     # False: the published fix leaves a fault (said in the module's docstring)


@dataclass
class Run:
    model: object
    X: np.ndarray
    y: np.ndarray
    watcher: object

    def diagnose(self):
        return self.watcher.diagnose()


def seed(value: int) -> None:
    import keras
    import torch
    keras.utils.set_random_seed(value)  # python, numpy and the backend (torch) at once
    torch.manual_seed(value)


def keras_fit(model, X, y, *, epochs: int, batch_size: int = 32, shuffle: bool = True, every: int = 5,
              rng_seed: int = 0) -> Run:
    """model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=shuffle), watched."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float).reshape(len(X))
    w = watch(model, X, y, every=every)
    X32, y32 = X.astype("float32"), y.astype("float32")[:, None]
    rng = np.random.default_rng(rng_seed)

    def batches():
        while True:
            order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            for start in range(0, len(X), batch_size):
                take = order[start:start + batch_size]
                yield X32[take], y32[take]

    steps = epochs * math.ceil(len(X) / batch_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras's notes on generators and on numpy copies
        try:
            model.fit(batches(), steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[w.callback])
        except RuntimeError as exc:  # TensorFlow logs a NaN loss and goes on; torch's cross-entropy refuses
            if "between 0 and 1" not in str(exc):
                raise
            w.step(float("nan"))
    return Run(model, X, y, w)


def torch_fit(model, X, y, *, optimizer, loss, epochs: int, batch_size: int | None = None,
              every: int = 5, rng_seed: int = 0) -> Run:
    """The usual loop: for each epoch, for each (shuffled) batch, loss(model(xb), yb) and a step."""
    import torch
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float).reshape(len(X))
    w = watch(model, X, y, every=every, optimizer=optimizer, loss=loss)
    Xt = torch.as_tensor(X.reshape(len(X), -1), dtype=torch.float32)
    yt = torch.as_tensor(y[:, None], dtype=torch.float32)
    rng, size = np.random.default_rng(rng_seed), batch_size or len(X)
    for _ in range(epochs):
        order = torch.as_tensor(rng.permutation(len(X)) if batch_size else np.arange(len(X)))
        for start in range(0, len(X), size):
            take = order[start:start + size]
            w.update(loss(model(Xt[take]), yt[take]))
    return Run(model, X, y, w)
