"""PyTorch forums, "Failing to learn a quadratic function" (July 2020): f(x) = x^2/64 - 5x/4 + 25 on
x = 30, 31, ..., 50 with a ReLU network and Adam: it always predicts straight lines.

Source: https://discuss.pytorch.org/ (thread "Failing to learn a quadratic function with PyTorch",
hgfedcba, 2020-07-16; the question's code). Its network is 1-1000-1000-1000-1; the 1-100-100-1 network
in its code (commented out) is used here, the same failure at a tenth of the cost.
Data: the question's 21 points (f runs from 1.56 down to 0 at x = 40 and back).
Bug: inputs 30..50 sit 6.6 standard deviations from 0, where PyTorch's default initialisation puts
the kinks (biases and weights of size ~1): every unit is on everywhere or off everywhere over the
data, so the network is a straight line there; Adam at 1e-5 never moves a kink in.
True cause: unscaled inputs. Fix: standardise x (ours: the stored copy of the thread has no answer),
with Adam's default rate 1e-3 and the mean squared error. Port: loss sum|error| and 200 epochs as given.
"""
import numpy as np

from .common import Program, torch_fit

SEED = 2020  # the initialisation's seed; the test runs this one

X = np.arange(30.0, 51.0)
Y = X * X / 64 - 5 * X / 4 + 25


def net():
    import torch
    torch.manual_seed(SEED)
    return torch.nn.Sequential(torch.nn.Linear(1, 100), torch.nn.ReLU(), torch.nn.Linear(100, 100), torch.nn.ReLU(),
                               torch.nn.Linear(100, 1))


def buggy():
    import torch
    model = net()
    return torch_fit(model, X, Y, optimizer=torch.optim.Adam(model.parameters(), lr=1e-5),
                     loss=torch.nn.L1Loss(reduction="sum"), epochs=200)


def fixed():
    import torch
    model = net()
    return torch_fit(model, (X - X.mean()) / X.std(), Y, optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
                     loss=torch.nn.MSELoss(), epochs=500)


PROGRAM = Program("pt_quadratic", "https://discuss.pytorch.org/ 'Failing to learn a quadratic function with PyTorch'",
                  "pytorch", ("unscaled_inputs",), buggy, fixed)
