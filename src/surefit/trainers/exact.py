"""A trainer that takes no step: the answer in closed form.

A constant target is fitted exactly by the output bias alone (0 in scaled units, with
every other weight 0); a network with no hidden layer is linear, and the least-squares
output layer is its optimum. Either way the fit is done at init, with that status.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from ..nets import solve_output
from ..status import Status
from .base import Data, State, Stopping, Trainer


@dataclass(frozen=True)
class Exact(Trainer):
    status: Status  # CONSTANT or LINEAR
    stopping: Stopping = Stopping(max_steps=0)

    def init(self, theta: torch.Tensor, data: Data) -> State:
        if self.status is Status.CONSTANT:
            theta = torch.zeros_like(theta)
        else:
            theta = solve_output(data.net, theta, data.X, data.y)
        return State(theta=theta, loss=data.losses(theta), verdicts=[self.status] * data.groups)

    @property
    def names(self) -> tuple[str, ...]:
        return ()
