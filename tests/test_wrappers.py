"""The pieces training is composed of: a chain of trainers, revival around any trainer,
and the closed-form trainer; each keeps the trainer contract (init / step / done / forget)."""
import pytest
import torch

from surefit.monitor import dead_units
from surefit.network import NetSettings
from surefit.status import Status
from surefit.trainers import LBFGS, Adam, Chain, Data, Exact, LevenbergMarquardt, Revival, Ridge, Stopping
from surefit.trainers.driver import History, run
from surefit.trainers.lbfgs import value_and_grad
from surefit.trainers.ridge import objective

X = torch.linspace(-1, 1, 41, dtype=torch.float64)[:, None]


def abs_data(groups=1):
    y = X[:, 0].abs()
    y = (y - y.mean()) / y.std()
    gens = tuple(torch.Generator().manual_seed(g) for g in range(groups))
    return Data(NetSettings(1, (3,), "relu"), X, y, groups=groups, gens=gens)


def dead_start(K=2):
    """3 relu units: unit 1 covers x > 0, units 2 and 3 are off everywhere (kinks at x = 5, 6)."""
    W = torch.tensor([[1.0, 1.0, 1.0]], dtype=torch.float64).expand(K, 1, 3)
    b = torch.tensor([0.0, -5.0, -6.0], dtype=torch.float64).expand(K, 3)
    out = torch.zeros(K, 4, dtype=torch.float64)
    return torch.cat([W.reshape(K, -1), b, out], dim=1)


def test_chain_runs_its_stages_in_turn_and_keeps_converged_groups_done():
    data = abs_data(groups=2)
    chain = Chain((Adam(stopping=Stopping(max_steps=3)), LBFGS(stopping=Stopping(max_steps=4))))
    assert chain.names == ("Adam", "LBFGS") and chain.max_steps == 7
    state = chain.init(dead_start(4), data)
    for _ in range(3):
        state = chain.step(state, data)
    assert state.stage == 1 and state.step == 3  # Adam's three steps, then L-BFGS from where it stopped
    state.inner.verdicts = [Status.CONVERGED, None]
    frozen = state.theta[:2].clone()
    while chain.done(state) is None:
        state = chain.step(state, data)
    assert state.step == 7 and torch.equal(state.theta[:2], frozen)
    assert state.verdicts == [Status.CONVERGED, Status.MAX_STEPS]


@pytest.mark.parametrize("inner", [LevenbergMarquardt(), Adam(), LBFGS()], ids=["lm", "adam", "lbfgs"])
def test_revival_replaces_dead_units_without_changing_the_function(inner):
    data = abs_data()
    trainer = Revival(inner.stopped_by(max_steps=100), every=1)
    state = trainer.init(dead_start(), data)
    before = data.losses(state.theta.detach())
    state = trainer.step(state, data)
    assert state.revived.tolist() == [4]  # two dead units in each of the two candidates
    assert not any(m.any() for m in dead_units(data.net, state.theta.detach(), X))
    if not isinstance(inner, Adam):  # (Adam's step itself moved theta before the revival)
        assert torch.all(data.losses(state.theta.detach()) <= before + 1e-12)


@pytest.mark.parametrize("inner", [LevenbergMarquardt(ridge=Ridge(0.1)), LBFGS(ridge=Ridge(0.1))], ids=["lm", "lbfgs"])
def test_revival_under_a_penalty_charges_the_revived_units_weights(inner):
    """The revived units leave the function as it was but bring new weights, which the penalty
    charges: the state's objective is the one at the new theta (kept at the lower one before, no
    step could beat it and the candidate froze), and the group's best is no lower than it."""
    data = abs_data()
    trainer = Revival(inner.stopped_by(max_steps=100), every=1)
    state = trainer.step(trainer.init(dead_start(), data), data)
    assert state.revived.tolist() == [4]
    now = objective(data, state.inner.theta.detach(), state.inner.penalty)
    torch.testing.assert_close(state.inner.loss, now, rtol=1e-12, atol=0)
    assert float(state.inner.best[0]) >= float(now.min())


def test_revival_clears_lbfgs_curvature_pairs_of_the_revived_candidates_only():
    data = abs_data()
    theta = dead_start()
    theta[1, 4:6] = torch.tensor([-0.5, -0.2], dtype=torch.float64)  # candidate 1: every unit live
    trainer = Revival(LBFGS(stopping=Stopping(max_steps=100)), every=4)
    state = trainer.init(theta, data)
    for _ in range(3):
        state = trainer.step(state, data)
    assert len(state.inner.s) == 3 and all(bool((s[0] != 0).any()) for s in state.inner.s)  # pairs kept
    state = trainer.step(state, data)  # step 4: candidate 0's two dead units are revived
    assert state.revived.tolist() == [2]
    assert all(bool((s[0] == 0).all()) and bool((y[0] == 0).all()) for s, y in zip(state.inner.s, state.inner.y))
    assert all(bool((s[1] != 0).any()) for s in state.inner.s)  # the live candidate keeps its memory
    _, grad = value_and_grad(data, state.theta.detach(), state.inner.penalty)
    torch.testing.assert_close(state.inner.grad, grad, rtol=0, atol=0)  # the gradient where it now is


def test_adam_forgets_the_moments_of_revived_candidates():
    data = abs_data()
    adam = Adam()
    state = adam.init(dead_start(), data)
    state = adam.step(state, data)
    theta = state.theta.detach().clone()
    state = adam.forget(state, theta, torch.tensor([True, False]), data)
    moments = state.optimiser.state[state.theta]
    assert bool((moments["exp_avg"][0] == 0).all()) and bool((moments["exp_avg"][1] != 0).any())


def test_exact_takes_no_step():
    data = abs_data()
    for status in (Status.CONSTANT, Status.LINEAR):
        history = History(1)
        state = run(Exact(status), dead_start(), data, [history])
        assert state.verdicts == [status] and history.per_group == [[]]
    assert torch.equal(run(Exact(Status.CONSTANT), dead_start(), data).theta, torch.zeros(2, 10, dtype=torch.float64))
