"""Cross Validated 284189 ("Simple linear regression in Keras"): one Dense(1) unit trained with
plain SGD on television advertising budgets (0 to 300) against sales: the loss is NaN every epoch.

Source: https://stats.stackexchange.com/questions/284189 (question and accepted answer).
Data: like the Advertising data the question plots: TV budget uniform on [0.7, 296.4], sales
7.03 + 0.0475 TV + noise of std 3.26 (the least-squares fit of that data set); 200 rows.
Bug: SGD's default rate 0.01 on inputs of size ~170: each step multiplies the weight's error by
about 1 - 0.01 * 2 * 170^2, so the loss explodes at once.
True cause: unscaled inputs (the answer: "no normalization was done"; the steps overshoot because of it).
Fix (the answer): StandardScaler on x and y, the same SGD. Port: batch 1 without shuffling as given;
30 epochs cut to 2.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 0  # the initialisation's seed; the test runs this one


def data(scaled):
    rng = np.random.default_rng(284189)
    x = rng.uniform(0.7, 296.4, 200)
    y = 7.03 + 0.0475 * x + rng.normal(0, 3.26, 200)
    if scaled:
        return (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    return x, y


def model():
    import keras
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="linear")])
    m.compile(optimizer=keras.optimizers.SGD(), loss="mse")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model(), *data(False), epochs=1, batch_size=1, shuffle=False)


def fixed():
    seed(SEED)
    return keras_fit(model(), *data(True), epochs=2, batch_size=1, shuffle=False)


PROGRAM = Program("cv284189", "https://stats.stackexchange.com/questions/284189", "keras",
                  ("unscaled_inputs",), buggy, fixed)
