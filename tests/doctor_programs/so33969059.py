"""StackOverflow 33969059: a linear target of three inputs in [0, 10000], fitted by a 3-3-2-1 tanh
network with Dropout(0.5) whose output ends in softmax.

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/33969059
(buggy and correct code). DeepFD's benchmark notes of the correct code: "no fix can help".
Data: x uniform on [0, 10000]^3, y = 2 x1 + x2 + 0.5 x3 + 2.2 (the question's weights); the correct
code divides the weights and offset by 2.2. 400 rows here instead of 100000.
Bug: softmax over the one output is always 1. True cause: the output activation.
Fix (the correct code): a linear output. Port: SGD(0.1, momentum 0.9, Nesterov), MSE, batch 32 as
given; 20 epochs cut to 3.
The fix is not complete: the inputs stay unscaled (size ~6000) and the target too, so tanh units
saturate and SGD at 0.1 blows up; the doctor's findings on the fixed model name that.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 6  # the initialisation's seed; the test runs this one


def data(weights, offset):
    x = np.random.default_rng(33969059).random((400, 3)) * 10000
    return x, x @ np.asarray(weights) + offset


def model(output):
    import keras
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, kernel_initializer="random_uniform"),
                          keras.layers.Activation("tanh"), keras.layers.Dropout(0.5),
                          keras.layers.Dense(2, kernel_initializer="random_uniform"), keras.layers.Activation("tanh"),
                          keras.layers.Dropout(0.5), keras.layers.Dense(1, kernel_initializer="random_uniform"),
                          keras.layers.Activation(output)])
    m.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True), loss="mean_squared_error")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("softmax"), *data([2.0, 1.0, 0.5], 2.2), epochs=3, batch_size=32)


def fixed():
    seed(SEED)
    return keras_fit(model("linear"), *data([2.0 / 2.2, 1.0 / 2.2, 0.5 / 2.2], 1.0), epochs=3, batch_size=32)


PROGRAM = Program("so33969059", "https://stackoverflow.com/questions/33969059 (DeepLocalize benchmark)",
                  "keras", ("output_activation",), buggy, fixed, fix_complete=False)
