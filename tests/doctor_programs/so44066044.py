"""StackOverflow 44066044: an 11-12-12-1 classifier of network packets with a ReLU output under
binary cross-entropy, on raw packet fields (IP addresses ~3.2e9, window sizes ~5e5, ports ~5e4).

Source: DeepLocalize benchmark, github.com/Wardat-ISU/DeepLocalize, Benchmark/StackOverflow/44066044
(buggy code, correct model and NetworkPackets.csv); in DeepFD's benchmark too.
Data: packets like the question's 21 rows: source and destination IPv4 addresses as integers,
protocol 6, TTL 128, window size, port, and five option fields that are zero or small; label 1 for
the attacking host. Generated here, 42 rows.
Bug: inputs of size up to 3.2e9, unscaled, into ReLU units, and a ReLU output trained with binary
cross-entropy (an output of 0 or above 1 is not a probability).
True cause: both changed by the fix: unscaled inputs, output activation.
Fix (the correct model): preprocessing.scale(X) and a sigmoid output. Port: 100 epochs cut to 30.
"""
import numpy as np

from .common import Program, keras_fit, seed

SEED = 4  # the initialisation's seed; the test runs this one


def data(scaled):
    rng = np.random.default_rng(44066044)
    rows, label = [], []
    for _ in range(42):
        attack = rng.random() < 0.6
        source = 3232235781 if attack else rng.choice([3232235773, 3232235778])
        window = rng.choice([8192, 525558, 525568] if attack else [524032, 524288, 524544])
        port = rng.choice([502, 55924] if attack else [502, 55783, 56783])
        options = ([12, rng.choice([0, 65280]), 5, 0, rng.choice([100, 101, 102])] if attack else
                   [12, rng.choice([61, 0.860417]), 6, 0, rng.choice([206, 207])])
        rows.append([source, 3232235779, 6, 128, window, port] + (options if rng.random() < 0.5 else [0] * 5))
        label.append(float(attack))
    X = np.array(rows, dtype=float)
    if scaled:  # sklearn.preprocessing.scale: columns to mean 0, std 1 (constant columns to 0)
        std = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return X, np.array(label)


def model(output):
    import keras
    m = keras.Sequential([keras.Input((11,)), keras.layers.Dense(12, kernel_initializer="random_normal"),
                          keras.layers.Activation("relu"), keras.layers.Dense(12, kernel_initializer="random_normal"),
                          keras.layers.Activation("relu"), keras.layers.Dense(1, kernel_initializer="random_normal"),
                          keras.layers.Activation(output)])
    m.compile(optimizer="adam", loss="binary_crossentropy")
    return m


def buggy():
    seed(SEED)
    return keras_fit(model("relu"), *data(False), epochs=30, batch_size=5)


def fixed():
    seed(SEED)
    return keras_fit(model("sigmoid"), *data(True), epochs=30, batch_size=5)


PROGRAM = Program("so44066044", "https://stackoverflow.com/questions/44066044 (DeepLocalize benchmark)",
                  "keras", ("unscaled_inputs", "output_activation"), buggy, fixed)
