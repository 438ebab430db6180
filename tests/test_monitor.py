"""Dead units: found on a hand-built network, and revived without changing what it computes."""
import pytest
import torch

from surefit.monitor import alive_count, dead_units, revive
from surefit.nets import forward, pack
from surefit.network import NetSettings

X = torch.linspace(-1, 1, 41, dtype=torch.float64)[:, None]
Y = X[:, 0].abs()


def hand_built(activation="relu"):
    """1 -> 3 -> 2 -> 1. Layer 1: z = x, -x, x - 5 (the last is <= 0 on [-1, 1]: dead).
    Layer 2 reads relu outputs (>= 0): unit 0 has bias -1 and weights -0.1 (dead),
    unit 1 is live."""
    net = NetSettings(1, (3, 2), activation)
    W1, b1 = torch.tensor([[[1.0, -1.0, 1.0]]]), torch.tensor([[0.0, 0.0, -5.0]])
    W2, b2 = torch.tensor([[[-0.1, 1.0], [-0.1, 1.0], [-0.1, 1.0]]]), torch.tensor([[-1.0, 0.0]])
    W3, b3 = torch.tensor([[[2.0], [0.5]]]), torch.tensor([[0.25]])
    return net, pack(net, [(W.double(), b.double()) for W, b in [(W1, b1), (W2, b2), (W3, b3)]])


def test_dead_units_on_a_hand_built_net():
    net, theta = hand_built()
    first, second = dead_units(net, theta, X)
    assert first.tolist() == [[False, False, True]]
    assert second.tolist() == [[True, False]]
    assert alive_count(net, theta, X) == (3, 5)


def test_a_unit_active_on_one_point_is_alive():
    net, theta = hand_built()
    theta[0, 5] = -1.0 + 1e-9  # first layer bias of unit 2: z = x - 1 + 1e-9 > 0 only at x = 1
    assert dead_units(net, theta, X)[0].tolist() == [[False, False, False]]


@pytest.mark.parametrize("activation", ["tanh", "gelu", "sigmoid", "elu"])
def test_smooth_units_never_die(activation):
    net, theta = hand_built(activation)
    assert not any(m.any() for m in dead_units(net, theta, X))
    assert alive_count(net, theta, X) == (5, 5)


def test_revive_keeps_the_function_and_replaces_the_dead_units():
    net, theta = hand_built()
    theta = torch.cat([theta, theta])  # two groups of one candidate
    before = forward(net, theta, X)
    gens = [torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)]
    revived, counts = revive(net, theta, X, Y, gens, torch.tensor([True, True]))
    assert counts.tolist() == [2, 2]
    torch.testing.assert_close(forward(net, revived, X), before, rtol=0, atol=1e-15)
    assert not torch.equal(revived[0], revived[1])  # each group draws from its own generator
    # theta: W1 0..2, b1 3..5, W2 6..11 (row-major), b2 12..13, W3 14..15, b3 16.
    # Both dead units got a new kink (b1[2], b2[0]) and lost their outgoing weights.
    assert (revived[:, [5, 12]] != theta[:, [5, 12]]).all()
    assert (revived[:, [11, 14]] == 0).all()  # W2[2, 1] and W3[0]; W2[2, 0] is the revived unit 0's own


def test_revived_units_are_live():
    net, theta = hand_built()
    theta = theta.repeat(8, 1)
    gens = [torch.Generator().manual_seed(s) for s in range(8)]
    revived, _ = revive(net, theta, X, Y, gens, torch.ones(8, dtype=torch.bool))
    for k in range(8):
        assert alive_count(net, revived[k:k + 1], X) == (5, 5)


def test_revive_leaves_inactive_candidates_and_live_units_alone():
    net, theta = hand_built()
    theta = torch.cat([theta, theta])
    gens = [torch.Generator().manual_seed(0)]
    revived, counts = revive(net, theta, X, Y, gens, torch.tensor([False, True]))
    assert counts.tolist() == [0, 2]
    assert torch.equal(revived[0], theta[0])
    # the live first-layer units 0 and 1 (W at 0..1, b at 3..4) are unchanged in the revived candidate
    assert torch.equal(revived[1, [0, 1, 3, 4]], theta[1, [0, 1, 3, 4]])


def test_revived_kinks_sit_on_the_largest_residuals():
    net = NetSettings(1, (2,), "relu")
    # unit 0 covers x > 0 exactly; unit 1 is dead: abs(x) is missing its left half
    weights = [([[[1.0, 1.0]]], [[0.0, -3.0]]), ([[[1.0], [1.0]]], [[0.0]])]
    theta = pack(net, [(torch.tensor(W, dtype=torch.float64), torch.tensor(b, dtype=torch.float64))
                       for W, b in weights])
    revived, _ = revive(net, theta, X, Y, [torch.Generator().manual_seed(0)], torch.tensor([True]))
    w, b = revived[0, 1], revived[0, 3]
    assert float(-b / w) == pytest.approx(-1.0)  # the kink moved to x = -1, where |x| - relu(x) is largest
