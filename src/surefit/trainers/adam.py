"""Adam (torch.optim.Adam) on K stacked candidates, full batch.

The loss is the sum of the candidates' losses; Adam's update is elementwise,
so each candidate trains exactly as it would alone. The learning rate follows a
cosine from `lr` down to `lr * final_fraction` over max_steps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from .base import Data, State, Stopping, Trainer, track


@dataclass(kw_only=True)
class AdamState(State):
    optimiser: torch.optim.Adam = field(repr=False)  # holds theta as its one parameter, and the moments


@dataclass(frozen=True)
class Adam(Trainer):
    lr: float = 1e-2
    final_fraction: float = 1e-2
    stopping: Stopping = Stopping(max_steps=1500, patience=200)

    def start(self, theta: torch.Tensor, data: Data) -> AdamState:
        theta = theta.detach().clone().requires_grad_(True)
        with torch.no_grad():
            loss = data.losses(theta)
        return AdamState(theta=theta, loss=loss, optimiser=torch.optim.Adam([theta], lr=self.lr))

    def step(self, state: AdamState, data: Data) -> AdamState:
        progress = min(state.step / max(self.stopping.max_steps, 1), 1.0)
        scale = self.final_fraction + (1 - self.final_fraction) * 0.5 * (1 + math.cos(math.pi * progress))
        for group in state.optimiser.param_groups:
            group["lr"] = self.lr * scale
        state.optimiser.zero_grad()
        losses = data.losses(state.theta)  # the loss we differentiate is the one we report
        losses.sum().backward()
        state.loss = losses.detach()
        frozen = ~state.active
        before = state.theta.detach()[frozen].clone()
        state.optimiser.step()  # state.loss is the loss just before this update
        with torch.no_grad():
            state.theta[frozen] = before  # finished groups stay as they are
        state.step += 1
        return track(state, self.stopping, data)

    def forget(self, state: AdamState, theta: torch.Tensor, which: torch.Tensor, data: Data) -> AdamState:
        """theta goes into the optimiser's own parameter; the changed rows' moments start afresh."""
        with torch.no_grad():
            state.theta.copy_(theta)
            for moment in state.optimiser.state[state.theta].values():
                if moment.shape == theta.shape:  # exp_avg, exp_avg_sq (K, P); not the step count
                    moment[which] = 0
        return state
