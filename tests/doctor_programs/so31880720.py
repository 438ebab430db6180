"""StackOverflow 31880720: a 128-50-50-1 ReLU classifier whose one output ends in softmax, with
Dense(50, activation='relu') followed by Activation('relu'), and Dropout(0.2) between the layers.

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/31880720
(buggy and correct code); in DeepFD's benchmark too.
Data: rows of 128 ones (label 1) and rows of 128 zeros (label 0), as in the question; 200 rows here
instead of 20000.
Bug: softmax over one output is 1 for every input: accuracy stays at the share of ones, no gradient.
(The doubled ReLU is harmless: relu(relu(z)) = relu(z); the doctor must read it, not refuse it.)
True cause: the output activation. Fix (the correct code): a sigmoid output, the doubled ReLU removed.
Port: RMSprop and binary cross-entropy as given; batch 1 for 3 epochs becomes batch 10 for 3 epochs.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 5  # the initialisation's seed; the test runs this one

X = np.concatenate([np.ones((100, 128)), np.zeros((100, 128))])
Y = np.concatenate([np.ones(100), np.zeros(100)])


def model(output, doubled):
    import keras
    layers = [keras.Input((128,)), keras.layers.Dense(50, activation="relu")]
    layers += [keras.layers.Activation("relu")] if doubled else []
    layers += [keras.layers.Dropout(0.2), keras.layers.Dense(50), keras.layers.Activation("relu"),
               keras.layers.Dropout(0.2), keras.layers.Dense(1), keras.layers.Activation(output)]
    m = keras.Sequential(layers)
    m.compile(optimizer=keras.optimizers.RMSprop(), loss="binary_crossentropy")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("softmax", True), X, Y, epochs=3, batch_size=10)


def fixed():
    seed(SEED)
    return keras_fit(model("sigmoid", False), X, Y, epochs=3, batch_size=10)


PROGRAM = Program("so31880720", "https://stackoverflow.com/questions/31880720 (DeepLocalize benchmark)",
                  "keras", ("output_activation",), buggy, fixed)
