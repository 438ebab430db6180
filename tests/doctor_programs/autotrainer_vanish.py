"""AUTOTRAINER's Gradient_Vanish_Case: eight Dense(5) sigmoid layers on the circle data.

Source: github.com/shiningrain/AUTOTRAINER, AutoTrainer/demo_case/Gradient_Vanish_Case (model.h5:
8 x Dense(5, sigmoid, VarianceScaling(2, fan_in, uniform)) -> Dense(1, sigmoid); config.pkl: Adam
0.001, binary cross-entropy, batch 128, 300 epochs). AUTOTRAINER reports a vanishing gradient and
repairs it by switching the activation (its solution vanish_selu reaches 0.87 accuracy).
True cause: the vanishing gradient through eight sigmoid layers (their slope is at most 1/4).
Fix (AUTOTRAINER's repair): SELU units. Port (PyTorch, see circles.py): 300 epochs cut to 30 (bug)
and 100 (fix).
"""
from .circles import he_uniform, stack, train
from .common import Program

SEED = 11  # the initialisation's seed; the test runs this one


def buggy():
    import torch
    return train(stack(torch.nn.Sigmoid, he_uniform, seed=SEED), epochs=30)


def fixed():
    import torch
    return train(stack(torch.nn.SELU, he_uniform, seed=SEED), epochs=100)


PROGRAM = Program("autotrainer_vanish", "github.com/shiningrain/AUTOTRAINER demo_case/Gradient_Vanish_Case",
                  "pytorch", ("vanishing_gradient", "saturated_units"), buggy, fixed)
