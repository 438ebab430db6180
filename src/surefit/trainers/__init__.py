"""Trainers behind one interface (init / step / done); see base.py."""
from .adam import Adam
from .base import Data, State, Status, Stopping, Trainer
from .lbfgs import LBFGS
from .lm import LevenbergMarquardt

__all__ = ["Adam", "LBFGS", "LevenbergMarquardt", "Data", "State", "Status", "Stopping", "Trainer"]
