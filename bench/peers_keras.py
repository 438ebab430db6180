"""The seeds' own setups as their users wrote them, in Keras 3 on the torch backend.

Each build_* is the thread's model line for line; the accepted answers' fixes
are second rows. Where a thread drew fresh random inputs for every step (seeds
002's answer and 003), the inputs are drawn uniformly from the problem's
domain (the user's log(x) drew from [0, 1), where log is -inf at 0).
Time is build + compile + fit, what the user waits for; predicting on the
held-out grid is not timed.
"""
from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402
from keras import layers  # noqa: E402

from problems import BenchProblem, Contestant, Record, one_by_one, scaled, score  # noqa: E402

KERAS_SEEDS = 10  # a 1000-epoch Keras fit takes about 20 s here, so these rows run fewer seeds


def build_abs_user() -> list:
    return [layers.Dense(2, activation="relu"), layers.Dense(1)]


def linspace_init(shape, dtype=None):
    """The accepted answer's good_init: one negative, one positive first-layer weight."""
    return keras.ops.convert_to_tensor(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape), dtype=dtype)


def build_abs_answer() -> list:
    return [layers.Dense(2, activation="relu", kernel_initializer=linspace_init), layers.Dense(1)]


def build_sqrt_user() -> list:
    return [layers.Dense(3, activation="relu"), layers.Dense(1)]


def build_quad_user() -> list:
    """Flux's Chain(Dense(1, 45, relu), Dense(45, 45, relu), Dense(45, 1), softmax)."""
    return [layers.Dense(45, activation="relu"), layers.Dense(45, activation="relu"),
            layers.Dense(1), layers.Activation("softmax")]


def build_quad_answer() -> list:
    return [layers.Dense(40, activation="relu"), layers.Dense(40, activation="relu"), layers.Dense(1)]


def build_log_user() -> list:
    """tf.random_uniform for every weight and bias: uniform [0, 1)."""
    u = keras.initializers.RandomUniform(0.0, 1.0)
    return [layers.Dense(50, activation="relu", kernel_initializer=u, bias_initializer=u),
            layers.Dense(10, activation="relu", kernel_initializer=u, bias_initializer=u),
            layers.Dense(1, kernel_initializer=u, bias_initializer=u)]


def build_log_answer() -> list:
    """tf.truncated_normal(stddev=0.1) weights, constant 0.1 biases."""
    def dense(width, activation=None):
        return layers.Dense(width, activation=activation,
                            kernel_initializer=keras.initializers.TruncatedNormal(stddev=0.1),
                            bias_initializer=keras.initializers.Constant(0.1))
    return [dense(50, "relu"), dense(10, "relu"), dense(1)]


@dataclass(frozen=True)
class KerasSetup:
    name: str
    problem: str
    build: Callable[[], list]  # the layers after the input
    optimizer: Callable[[], keras.optimizers.Optimizer]
    batch_size: int
    epochs: int = 0  # over the problem's training points, reshuffled each epoch ...
    fresh_steps: int = 0  # ... or this many steps, each on a fresh batch from the domain
    scale: float = 1.0  # the answer to seed 002 divides x and y by 1000
    note: str = ""

    def fit_one(self, bp: BenchProblem, seed: int, effort: float) -> Record:
        keras.utils.set_random_seed(seed)
        X, y = self.training_data(bp, np.random.default_rng(seed), effort)
        start = time.perf_counter()
        model = keras.Sequential([keras.Input((X.shape[1],)), *self.build()])
        model.compile(optimizer=self.optimizer(), loss="mse")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras warns about softmax over one output: that is the point
            model.fit(X, y, batch_size=self.batch_size, verbose=0, shuffle=not self.fresh_steps,
                      epochs=scaled(self.epochs, effort) if self.epochs else 1)
            elapsed = time.perf_counter() - start
            pred = model.predict(bp.problem.X_eval / self.scale, batch_size=4096, verbose=0)
        return score(self.name, bp, seed, pred * self.scale, elapsed)

    def training_data(self, bp: BenchProblem, rng: np.random.Generator, effort: float):
        if self.fresh_steps:
            lo, hi = bp.bounds.T
            X = rng.uniform(lo, hi, size=(scaled(self.fresh_steps, effort) * self.batch_size, len(lo)))
            y = bp.target(X)
        else:
            X, y = bp.problem.X, bp.problem.y
        return (X / self.scale).astype("float32"), (y / self.scale).astype("float32")


SETUPS = [
    KerasSetup("keras: user's setup", "abs", build_abs_user, keras.optimizers.Adam, 32, epochs=1000),
    KerasSetup("keras: answer's linspace init", "abs", build_abs_answer, keras.optimizers.Adam, 32,
               epochs=1000, note="the answer's init with the user's 1000 epochs"),
    KerasSetup("keras: user's setup", "sqrt", build_sqrt_user, keras.optimizers.Adam, 32, epochs=200,
               note="the thread gives no code: Keras defaults, batch 32, 200 epochs (12.6k steps)"),
    KerasSetup("keras: user's Flux setup", "quad", build_quad_user, keras.optimizers.Adam, 1000, epochs=50,
               note="Flux's 50 full-batch ADAM steps, softmax output kept"),
    KerasSetup("keras: answer's fix", "quad", build_quad_answer, keras.optimizers.Adam, 32,
               fresh_steps=10_000, scale=1000.0,
               note="x/1000, y/1000, 1-40-40-1, 10k steps of 32 fresh points"),
    KerasSetup("keras: user's setup", "log", build_log_user, lambda: keras.optimizers.SGD(0.01), 50,
               fresh_steps=10_000, note="10k SGD steps of 50 fresh points, as in the thread"),
    KerasSetup("keras: answer's fix", "log", build_log_answer, lambda: keras.optimizers.Adam(1e-4), 500,
               fresh_steps=10_000, note="10k Adam steps of 500 fresh points (the answer ran 1e6: about 1 minute on its machine)"),
]

CONTESTANTS = [Contestant(s.name, "keras", (s.problem,), one_by_one(s.fit_one), max_seeds=KERAS_SEEDS, note=s.note)
               for s in SETUPS]
