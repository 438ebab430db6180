"""Trainers behind one interface (init / step / done / forget; see base.py), wrappers that
compose them (chain.py, revival.py), and the loop that runs them (driver.py)."""
from ..status import Status
from .adam import Adam
from .base import Data, State, Stopping, Trainer
from .chain import Chain
from .exact import Exact
from .lbfgs import LBFGS
from .lm import LevenbergMarquardt
from .revival import Revival

__all__ = ["Adam", "Chain", "Exact", "LBFGS", "LevenbergMarquardt", "Revival", "Data", "State", "Status",
           "Stopping", "Trainer"]
