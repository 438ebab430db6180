"""init.step_units: a step unit on each monotone piece of the target, and different pieces for
different candidates when there are more pieces than units."""
import numpy as np
import torch

from surefit.init import monotone_pieces, step_units


def sine_on_grid(periods: float, n: int = 400) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.linspace(-1, 1, n, dtype=torch.float64)
    return x, torch.sin(np.pi * periods * x)


def test_pieces_are_the_half_periods_of_a_sine():
    x, y = sine_on_grid(3.0)  # 3 periods on [-1, 1]: turns at 6 interior extremes, 7 pieces
    pieces = monotone_pieces(x.numpy(), y.numpy())
    assert len(pieces) == 7
    full = np.abs(pieces[:, 3]) > 1.9  # the 5 inner pieces rise or fall the full 2; the two ends 1
    assert full.sum() == 5 and full[:5].all()  # largest first


def test_fewer_pieces_than_units_every_candidate_steps_on_all():
    x, y = sine_on_grid(3.0)
    W, centres = step_units(x, y, 10, 6, torch.Generator().manual_seed(0), "tanh")
    assert W.shape == (6, 7)
    assert torch.equal(torch.sign(W), torch.sign(W[:1]).expand(6, -1))  # the same pieces, jittered centres


def test_more_pieces_than_units_half_take_the_largest_the_rest_differ():
    x, y = sine_on_grid(3.0)
    K, width = 8, 4
    W, centres = step_units(x, y, width, K, torch.Generator().manual_seed(0), "tanh")
    largest = torch.as_tensor(monotone_pieces(x.numpy(), y.numpy())[:width, 2])  # their middles
    near = (centres[:, :, None] - largest[None, None, :]).abs().min(-1).values < 0.1  # (K, width)
    assert near[: K // 2].all()
    assert not near[K // 2:].all()  # some random choices took a smaller piece
    assert W.shape == (K, width)
