"""StackOverflow 34311586: XOR (six rows) with a 2-2-3-1 sigmoid network ending in softmax.

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/34311586
(buggy and correct code); DeepFD's benchmark lists learning rate, activation, initialisation, epochs
and batch size among its faults.
Data: [1,1] [0,0] [1,0] [0,1] [1,1] [0,0] -> 0 0 1 1 0 0, as in the question.
Bug: softmax over the one output is always 1, whatever is learnt.
True cause: the output activation. Fix (the correct code): a sigmoid output and SGD at rate 0.1
(momentum 0.9, Nesterov) for 10000 epochs of batch 4. Port: the bug's 20 epochs (one batch of 32
each) as given; the fix's 20000 steps cut to 600.
The fix is not complete in 600 steps: with 'uniform' init (+-0.05) the six points leave the network
near its symmetric start for hundreds of steps; the doctor's findings on it say what holds it there.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 2  # the initialisation's seed; the test runs this one

X = np.array([[1, 1], [0, 0], [1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
Y = np.array([0, 0, 1, 1, 0, 0], dtype=float)


def model(output, rate):
    import keras
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, kernel_initializer="random_uniform"),
                          keras.layers.Activation("sigmoid"), keras.layers.Dense(3, kernel_initializer="random_uniform"),
                          keras.layers.Activation("sigmoid"), keras.layers.Dense(1, kernel_initializer="random_uniform"),
                          keras.layers.Activation(output)])
    m.compile(optimizer=keras.optimizers.SGD(rate, momentum=0.9, nesterov=True), loss="mean_squared_error")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("softmax", 0.001), X, Y, epochs=20, batch_size=32)


def fixed():
    seed(SEED)
    return keras_fit(model("sigmoid", 0.1), X, Y, epochs=300, batch_size=4)


PROGRAM = Program("so34311586", "https://stackoverflow.com/questions/34311586 (DeepLocalize benchmark)",
                  "keras", ("output_activation",), buggy, fixed, fix_complete=False)
