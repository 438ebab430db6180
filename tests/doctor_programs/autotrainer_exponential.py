"""AUTOTRAINER circle model_0ae2cd88: eight Dense(5) layers with the exponential activation.

Source: github.com/DeepDiagnosis/ICSE2022, 'AUTOTRAINER Model Code/Models_Circle.py', model_0ae2cd88:
8 x Dense(5, VarianceScaling(2, fan_in, uniform)) + Activation('exponential') -> Dense(1, sigmoid).
DeepDiagnosis stops it at batch 0 ("numerical problem forward ... change the activation function at
layer 1"): e^z of e^z of ... overflows.
True cause: the hidden activation. Fix (DeepDiagnosis's advice, change the activation): SELU, the
activation AUTOTRAINER's repairs settle on for its circle models (see autotrainer_tiny_init).
Port: Keras (PyTorch has no exponential module), each activation given to its Dense layer (half the
layers of Keras-on-torch to step through); training as in circles.py; 5 epochs (bug), 40 (fix).
"""
from .circles import circles
from .common import Program, keras_fit, seed

SEED = 13  # the initialisation's seed; the test runs this one


def stack(activation):
    import keras
    he = keras.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="uniform")
    m = keras.Sequential([keras.Input((2,))] + [keras.layers.Dense(5, activation=activation, kernel_initializer=he)
                                                for _ in range(8)]
                         + [keras.layers.Dense(1, activation="sigmoid", kernel_initializer=he)])
    m.compile(optimizer=keras.optimizers.Adam(0.001), loss="binary_crossentropy")
    return m


def buggy():
    seed(SEED)
    return keras_fit(stack("exponential"), *circles(), epochs=5, batch_size=128)


def fixed():
    seed(SEED)
    return keras_fit(stack("selu"), *circles(), epochs=40, batch_size=128)


PROGRAM = Program("autotrainer_exponential", "github.com/DeepDiagnosis/ICSE2022 AUTOTRAINER Models_Circle model_0ae2cd88",
                  "keras", ("hidden_activation",), buggy, fixed)
