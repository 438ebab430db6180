"""Trainers behind one interface (init / step / done / forget; see base.py), wrappers that
compose them (chain.py, revival.py, early.py, subsample.py), a weight penalty (ridge.py) and the base of the
trainers that minimise it (penalised.py), and the loop
that runs them (driver.py)."""
from ..status import Status
from .adam import Adam
from .base import Data, State, Stopping, Trainer
from .cg import ConjugateGradientLM
from .chain import Chain
from .early import EarlyStopping
from .exact import Exact
from .lbfgs import LBFGS
from .lm import LevenbergMarquardt
from .revival import Revival
from .ridge import Evidence, Ridge
from .subsample import Subsample
from .wide import WideLevenbergMarquardt

__all__ = ["Adam", "Chain", "ConjugateGradientLM", "EarlyStopping", "Evidence", "Exact", "LBFGS",
           "LevenbergMarquardt", "Revival", "Ridge", "Subsample", "WideLevenbergMarquardt", "Data", "State",
           "Status", "Stopping", "Trainer"]
