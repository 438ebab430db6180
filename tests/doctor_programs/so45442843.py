"""StackOverflow 45442843: a 1-1-1 network with a softmax output, trained with mean absolute error
on a threshold label of inputs of size ~20000.

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/45442843
(buggy and correct code, with its dataset.csv); in DeepFD's benchmark too.
Data: like the question's file, x uniform on [15000, 25000] and label 1 when x < 20000; 200 rows
here instead of 999.
Bug: Dense(1) sigmoid -> Dense(1) softmax: over one output softmax is always 1; MAE loss; x unscaled.
True cause: the output activation (the softmax); the fix also scales x and changes the loss.
Fix (the correct code): preprocessing.scale(X), a sigmoid output, binary cross-entropy, RMSprop.
Port: 100 epochs of one batch of 200 kept for the bug; the fix gets 400 (its one unit learns slowly).
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 7  # the initialisation's seed; the test runs this one


def data(scaled):
    rng = np.random.default_rng(45442843)
    x = rng.uniform(15000, 25000, 200)
    return ((x - x.mean()) / x.std() if scaled else x), (x < 20000).astype(float)


def model(output, loss):
    import keras
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1), keras.layers.Activation("sigmoid"),
                          keras.layers.Dense(1, kernel_initializer="random_normal"), keras.layers.Activation(output)])
    m.compile(optimizer="rmsprop", loss=loss)
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("softmax", "mean_absolute_error"), *data(False), epochs=100, batch_size=200)


def fixed():
    seed(SEED)
    return keras_fit(model("sigmoid", "binary_crossentropy"), *data(True), epochs=400, batch_size=200)


PROGRAM = Program("so45442843", "https://stackoverflow.com/questions/45442843 (DeepLocalize benchmark)",
                  "keras", ("output_activation",), buggy, fixed)
