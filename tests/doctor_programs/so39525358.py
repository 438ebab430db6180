"""StackOverflow 39525358: a 3-12-3-1 ReLU classifier on inputs of size 65 to 70.

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/39525358
(buggy and correct code, with its 'sorted output.csv').
Data: rows of three numbers from 65..70 labelled 1 when the first is 68 or more, like the question's
file ([65, 66, 67] -> 0, [68, 69, 70] -> 1, [65, 66, 70] -> 0, [68, 69, 67] -> 1); generated here.
Bug: the inputs sit far from 0 (mean ~67, std ~1.5) and unscaled; with 'uniform' init (+-0.05) and
zero biases every ReLU unit starts on everywhere or off everywhere over the data.
True cause: unscaled inputs. Fix (the answer): StandardScaler on the inputs.
Port: binary cross-entropy, Adam, batch 10 as in the fix; 150 epochs cut to 60.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 7  # the initialisation's seed; the test runs this one


def data(scaled):
    rng = np.random.default_rng(39525358)
    label = rng.integers(0, 2, 40)
    first = np.where(label == 1, 68, 65)
    rows = np.stack([first, first + 1, np.where(rng.random(40) < 0.3, 135 - first - 1, first + 2)], axis=1)
    X = rows.astype(float)
    if scaled:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, label.astype(float)


def model():
    import keras
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(12, kernel_initializer="random_uniform"),
                          keras.layers.Activation("relu"),
                          keras.layers.Dense(3, kernel_initializer="random_uniform"), keras.layers.Activation("relu"),
                          keras.layers.Dense(1, kernel_initializer="random_uniform"), keras.layers.Activation("sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model(), *data(False), epochs=60, batch_size=10)


def fixed():
    seed(SEED)
    return keras_fit(model(), *data(True), epochs=60, batch_size=10)


PROGRAM = Program("so39525358", "https://stackoverflow.com/questions/39525358 (DeepLocalize benchmark)",
                  "keras", ("unscaled_inputs",), buggy, fixed)
