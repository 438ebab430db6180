"""AUTOTRAINER circle model_8de47bdc: eight Dense(5) ReLU layers initialised by RandomUniform().

Source: AUTOTRAINER's circle models as published with DeepDiagnosis, github.com/DeepDiagnosis/ICSE2022,
'AUTOTRAINER Model Code/Models_Circle.py', model_8de47bdc: 8 x Dense(5, relu,
kernel_initializer=RandomUniform()) -> Dense(1, sigmoid, VarianceScaling(2, fan_in, uniform)).
Keras's RandomUniform() draws from [-0.05, 0.05]: each layer multiplies the signal by about
sqrt(5 * 0.05^2 / 3 / 2) = 0.046, so after eight layers nothing of the input is left and the output
is the same for every point (accuracy 50%).
True cause: the initialisation's scale (weight_scale). Fix: He initialisation with SELU units, the
repair AUTOTRAINER lands on for its circle models (its log for this kind of model tries relu_initial,
relu_leaky and relu_bn, and solves it with relu_selu: He init alone leaves an eight-deep stack of
five ReLUs that loses units). Port (PyTorch, see circles.py): 30 epochs (bug), 100 (fix).
"""
from .circles import he_uniform, small_uniform, stack, train
from .common import Program

SEED = 12  # the initialisation's seed; the test runs this one


def buggy():
    import torch
    return train(stack(torch.nn.ReLU, small_uniform, seed=SEED), epochs=30)


def fixed():
    import torch
    return train(stack(torch.nn.SELU, he_uniform, seed=SEED), epochs=100)


PROGRAM = Program("autotrainer_tiny_init", "github.com/DeepDiagnosis/ICSE2022 AUTOTRAINER Models_Circle model_8de47bdc",
                  "pytorch", ("weight_scale",), buggy, fixed)
