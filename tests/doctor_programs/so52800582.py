"""StackOverflow 52800582: y = x^4 on [-100, 100) with a 1-50-50-1 network (sigmoid, then ELU).

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/52800582
(buggy and correct code); in DeepFD's benchmark too ("missing preprocess").
Data: x = -100, -99.5, ..., 99.5 and y = x^4 (up to 1e8), as in the question.
Bug: unscaled inputs (size ~58) saturate the sigmoid units; unscaled targets (size ~4e7) are out of
reach of a network whose outputs start at size ~1 and move by ~0.001 a step under Adam.
True cause: both scalings, which the answer adds (unscaled_inputs, unscaled_targets).
Fix (the answer): StandardScaler on x and on y, and ReLU for the first layer. Port: Adam and full
batches as given; 1000 epochs cut to 150 for the bug, 100 x 1000 to 500 for the fix.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 1  # the initialisation's seed; the test runs this one


def data(scaled):
    x = np.arange(-100, 100, 0.5)
    y = x ** 4
    if scaled:
        return (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    return x, y


def model(first):
    import keras
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(50), keras.layers.Activation(first),
                          keras.layers.Dense(50), keras.layers.Activation("elu"), keras.layers.Dense(1)])
    m.compile(optimizer="adam", loss="mse")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("sigmoid"), *data(False), epochs=150, batch_size=400)


def fixed():
    seed(SEED)
    return keras_fit(model("relu"), *data(True), epochs=500, batch_size=400)


PROGRAM = Program("so52800582", "https://stackoverflow.com/questions/52800582 (DeepLocalize benchmark)",
                  "keras", ("unscaled_inputs", "unscaled_targets"), buggy, fixed)
