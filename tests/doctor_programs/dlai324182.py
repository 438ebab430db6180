"""DeepLearning.AI community thread 324182 ("Loss values do not change"): y = 2x - 1 on seven points
with a 1-4-2-1 network whose output is a ReLU; the loss sticks in 6 or 7 runs of 10.

Source: https://community.deeplearning.ai/t/loss-values-do-not-change/324182 (the question's code).
Data: x = -1, 0, ..., 5 and y = -3, -1, ..., 9, as given.
Bug: Dense(1, activation='relu') as the output: it cannot produce the negative targets, and once its
unit is off on every point (or the narrow 2-unit layer dies) no gradient flows and the loss is frozen.
True cause: the output activation. Fix: a linear output (the stored copy of the thread has only the
question; this is the standard fix, ours). Port: MSE and Adam(0.001), one batch, 500 epochs as given.
The fix is not complete: seven points on one side of 0 mostly (x = -1..5) into Glorot ReLU units with
zero biases leave one of the two units of the narrow second layer off everywhere in most runs, and the
network stays nearly constant; the doctor names the dead units on the fixed model.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 8  # the initialisation's seed; the test runs this one

X = np.arange(-1.0, 6.0)
Y = 2 * X - 1


def model(output):
    import keras
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(4, activation="relu"),
                          keras.layers.Dense(2, activation="relu"), keras.layers.Dense(1, activation=output)])
    m.compile(optimizer=keras.optimizers.Adam(0.001), loss=keras.losses.MeanSquaredError())
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("relu"), X, Y, epochs=500, batch_size=7)


def fixed():
    seed(SEED)
    return keras_fit(model("linear"), X, Y, epochs=500, batch_size=7)


PROGRAM = Program("dlai324182", "https://community.deeplearning.ai/t/loss-values-do-not-change/324182",
                  "keras", ("output_activation",), buggy, fixed, fix_complete=False)
