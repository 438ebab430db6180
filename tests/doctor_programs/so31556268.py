"""StackOverflow 31556268: XOR with a 2-4-1 sigmoid network, mean absolute error and slow SGD.

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/31556268
(buggy and correct code); DeepFD's benchmark names the faults (1) loss (2) epochs (3) learning rate
(4) optimiser.
Data: the four XOR points.
Bug: loss='mean_absolute_error' with SGD(lr=0.05, momentum=0.11, nesterov=True): MAE's gradient has the
same size for every point, the four pushes cancel, and the output sits at 0.5 (accuracy 50%).
True cause: the loss (loss_function).
Fix (the correct code): loss='mse' with Adam. Port: the fix's 10000 epochs with Adam's default rate
0.001 become 400 epochs at rate 0.05 (the same fix, fewer larger steps, so the test takes seconds);
the bug's 1000 epochs become 300. Keras 3 has no 'decay' argument; 1e-6 per step is immaterial here.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 3  # the initialisation's seed; the test runs this one

X = np.array([[1, 1], [1, 0], [0, 0], [0, 1]], dtype=float)
Y = np.array([0, 1, 0, 1], dtype=float)


def model(loss, optimizer):
    import keras
    m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, kernel_initializer="glorot_uniform"),
                          keras.layers.Activation("sigmoid"), keras.layers.Dense(1), keras.layers.Activation("sigmoid")])
    m.compile(optimizer=optimizer, loss=loss)
    return m


def buggy():
    import keras
    seed(SEED)
    return keras_fit(model("mean_absolute_error", keras.optimizers.SGD(0.05, momentum=0.11, nesterov=True)),
                     X, Y, epochs=300, batch_size=4)


def fixed():
    import keras
    seed(SEED)
    return keras_fit(model("mse", keras.optimizers.Adam(0.05)), X, Y, epochs=400, batch_size=4)


PROGRAM = Program("so31556268", "https://stackoverflow.com/questions/31556268 (DeepLocalize benchmark)",
                  "keras", ("loss_function",), buggy, fixed)
