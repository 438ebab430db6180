"""The penalised trainers' shared base: progress that counts afresh when the objective changes."""
import torch

from surefit.trainers.base import State
from surefit.trainers.penalised import restart


def test_progress_counts_afresh_when_the_ridge_grows():
    """restart: a group whose ridge grew by more than the factor has its best set to its objective
    now (the old best, under a smaller ridge, is out of reach); the others keep theirs."""
    state = State(theta=torch.zeros(4, 1), loss=torch.tensor([2.0, 3.0, 5.0, 7.0]))
    state.best, state.since_best = torch.tensor([1.0, 4.0]), torch.tensor([30, 40])
    state.ridge = torch.tensor([1.2, 1.0, 1.0, 1.0])  # the new ridge: candidate 0's grew by 1.2x
    restart(state, before=torch.ones(4), groups=2)  # by less than GREW: nothing restarts
    assert state.best.tolist() == [1.0, 4.0] and state.since_best.tolist() == [30, 40]
    restart(state, before=torch.ones(4), groups=2, factor=1.0)
    assert state.best.tolist() == [2.0, 4.0] and state.since_best.tolist() == [0, 40]
