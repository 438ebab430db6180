"""Adam (torch.optim.Adam) on K stacked candidates, full batch or mini-batch.

The loss is the sum of the candidates' losses; Adam's update is elementwise,
so each candidate trains exactly as it would alone. The learning rate follows a
cosine from `lr` down to `lr * final_fraction` over max_steps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .base import Data, State, Stopping, Trainer, track


@dataclass(frozen=True)
class Adam(Trainer):
    lr: float = 1e-2
    batch_size: int | None = None  # None: the full batch
    final_fraction: float = 1e-2
    stopping: Stopping = Stopping(max_steps=1500, patience=200)

    def init(self, theta: torch.Tensor, data: Data) -> State:
        theta = theta.detach().clone().requires_grad_(True)
        optimiser = torch.optim.Adam([theta], lr=self.lr)
        gen = torch.Generator().manual_seed(0)  # one batch order for every seed: fits stay comparable
        with torch.no_grad():
            state = State(theta=theta, loss=data.losses(theta), inner=(optimiser, gen))
        return track(state, self.stopping, data)

    def step(self, state: State, data: Data) -> State:
        optimiser, gen = state.inner
        progress = min(state.step / max(self.stopping.max_steps, 1), 1.0)
        scale = self.final_fraction + (1 - self.final_fraction) * 0.5 * (1 + math.cos(math.pi * progress))
        for group in optimiser.param_groups:
            group["lr"] = self.lr * scale
        optimiser.zero_grad()
        if self.batch_size and self.batch_size < len(data.y):
            idx = torch.randperm(len(data.y), generator=gen)[: self.batch_size]
            Data(data.net, data.X[idx], data.y[idx]).losses(state.theta).sum().backward()
            with torch.no_grad():
                state.loss = data.losses(state.theta)
        else:  # the full batch: the loss we differentiate is the one we report
            losses = data.losses(state.theta)
            losses.sum().backward()
            state.loss = losses.detach()
        frozen = ~state.active
        before = state.theta.detach()[frozen].clone()
        optimiser.step()  # state.loss is the loss just before this update
        with torch.no_grad():
            state.theta[frozen] = before  # finished groups stay as they are
        state.step += 1
        return track(state, self.stopping, data)
