"""PyTorch forums 96648 ("Neural network could not learn on this type of data, why?"): y = x^3 for
x = 1 .. 3999 with a 1-50-1 ReLU network and Adam.

Source: https://discuss.pytorch.org/t/neural-network-could-not-learn-on-this-type-of-data-why/96648
(the answer reproduces the question's network and data, then normalises input and target).
Data: x = 1, 11, 21, ..., 3991 (every tenth of the thread's points) and y = x^3 (up to 6.4e10).
Bug: the target is ~2e10 in size; Adam moves each weight by ~0.001 a step, so the output never gets
near it and the network predicts almost nothing.
True cause: unscaled targets (the inputs, up to 4000, too). Fix (the answer): standardise input and
target; Adam(1e-3), MSELoss, full batch, 1000 epochs as given (the bug gets 300).
"""
import numpy as np

from .common import Program, torch_fit

SEED = 96648  # the initialisation's seed; the test runs this one


def data(scaled):
    x = np.arange(1.0, 4000.0, 10.0)
    y = x ** 3
    if scaled:
        return (x - x.mean()) / x.std(ddof=1), (y - y.mean()) / y.std(ddof=1)
    return x, y


def net():
    import torch
    torch.manual_seed(SEED)
    return torch.nn.Sequential(torch.nn.Linear(1, 50), torch.nn.ReLU(), torch.nn.Linear(50, 1))


def run(scaled, epochs):
    import torch
    model = net()
    return torch_fit(model, *data(scaled), optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
                     loss=torch.nn.MSELoss(), epochs=epochs)


def buggy():
    return run(False, 300)


def fixed():
    return run(True, 1000)


PROGRAM = Program("pt96648", "https://discuss.pytorch.org/t/neural-network-could-not-learn-on-this-type-of-data-why/96648",
                  "pytorch", ("unscaled_targets", "unscaled_inputs"), buggy, fixed)
