"""StackOverflow 48221692: y = x^2 + 3 on [-10, 10] with a 1-5-1 sigmoid network whose output is
a sigmoid too.

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/48221692
(buggy and correct model, with Linear_Data.csv: x = -10, -9.9, ..., 10 and y = x^2 + 3); in DeepFD's
benchmark too. The issue notes Keras's default Dense(5) on one input: 5 weights and zero biases,
which must not be read as a one-signed initialisation.
Bug: a sigmoid output can only produce values in (0, 1); the target runs from 3 to 103.
True cause: the output activation. Fix (the correct model): a linear output.
Port: MSE and plain SGD (Keras's default rate 0.01), one batch of the 75% training split, as given;
1000 epochs cut to 300 for the bug.
The fix is not complete: with the target unscaled (up to 103) plain SGD at 0.01 overshoots on the
linear output; the doctor's learning-rate and scaling findings on the fixed model name what remains.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 7  # the initialisation's seed; the test runs this one


def data():
    x = np.round(np.arange(-10, 10.05, 0.1), 1)
    keep = np.random.default_rng(7).permutation(len(x))[:150]  # train_test_split(test_size=0.25)
    return x[keep], x[keep] ** 2 + 3


def model(output):
    import keras
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(5), keras.layers.Activation("sigmoid"),
                          keras.layers.Dense(1), keras.layers.Activation(output)])
    m.compile(optimizer="sgd", loss="mean_squared_error")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("sigmoid"), *data(), epochs=300, batch_size=150)


def fixed():
    seed(SEED)
    return keras_fit(model("linear"), *data(), epochs=300, batch_size=150)


PROGRAM = Program("so48221692", "https://stackoverflow.com/questions/48221692 (DeepLocalize benchmark)",
                  "keras", ("output_activation",), buggy, fixed, fix_complete=False)
