"""Read any supported model into one common View: dense layers, activations, predictions.

Kinds: a torch.nn.Module built of Linear, activation, BatchNorm1d and Dropout modules
(nn.Sequential or a module whose children run in order), a Keras 3 model of Dense,
activation, BatchNormalization and Dropout layers (readers.py), a saved .keras file, a surefit Model / FitResult
or a saved surefit model file.
Everything after this file works on the View in float64 numpy; check_readable()
proves the reading right on the data by comparing the View's own forward pass with
the model's predictions, so a model we misread is refused, never misdiagnosed.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .. import store
from ..activations import Activation, activation
from ..errors import SurefitError
from ..network import Network
from .readers import Affine, keras_steps, torch_steps
from .setup import Setup


@dataclass(frozen=True)
class View(Network):
    """A model read as a plain Network, with what it is and its own predictions."""
    kind: str = ""  # "pytorch", "keras" or "surefit"
    predict: Callable[[np.ndarray], np.ndarray] | None = None  # the model's own predictions (N,), user units
    setup: Setup = Setup()  # how it is trained, as far as the model says (setup.py)


def view(model) -> View:
    """Read `model` (any supported kind, or a path to a saved one) into a View."""
    from ..model import Model
    if isinstance(model, (str, Path)):
        model = load(model)
    model = getattr(model, "model", model)  # a FitResult holds its Model
    if isinstance(model, Model):
        return _surefit(model)
    if any(c.__module__.split(".")[0] == "keras" for c in type(model).__mro__):
        return _keras(model)  # checked first: Keras-on-torch models are nn.Modules too
    import torch
    if isinstance(model, torch.nn.Module):
        return _torch(model)
    raise SurefitError(f"cannot examine a {type(model).__name__}: give a torch.nn.Module, a Keras "
                       "model, a surefit model, or a path to a saved one")


def load(path: str | Path, *, trust_pickle: bool = False):
    """A saved model: .keras (Keras, safe mode), .pt/.pth (a whole pickled nn.Module, only with
    trust_pickle: unpickling runs code from the file), anything else a surefit model file."""
    path = Path(path)
    if not path.is_file():
        raise SurefitError(f"no model file at {path}")
    suffix = path.suffix.lower()
    if suffix == ".keras":
        return _load_keras(path)
    if suffix in (".pt", ".pth"):
        return _load_torch(path, trust_pickle)
    return store.load(path)


def _load_keras(path: Path):
    if not zipfile.is_zipfile(path):
        raise SurefitError(f"{path} is not a Keras model file: a .keras file is a zip archive "
                           "written by model.save()")
    os.environ.setdefault("KERAS_BACKEND", "torch")  # torch is installed with surefit; TF may not be
    try:
        import keras
    except ImportError:
        raise SurefitError("reading a .keras file needs keras 3: pip install 'surefit[keras]'") from None
    try:  # compiled if the file allows it: the loss and optimiser tell the doctor how it was trained
        try:
            return keras.saving.load_model(path, safe_mode=True, compile=True)
        except Exception:  # a custom loss or optimiser: the layers alone
            return keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # keras raises many kinds for a bad file
        raise SurefitError(f"cannot read {path} as a Keras model: {str(exc).splitlines()[0]}") from None


def _load_torch(path: Path, trust_pickle: bool):
    import torch
    if not trust_pickle:
        raise SurefitError(f"{path} is a pickle: loading it runs code stored in the file. Load it only "
                           "if you made it or trust who did (--trust-pickle, or trust_pickle=True)")
    try:
        module = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # unpickling can fail any way the file's code likes
        raise SurefitError(f"cannot read {path} with torch.load: {exc}") from None
    if not isinstance(module, torch.nn.Module):
        raise SurefitError(f"{path} holds a {type(module).__name__}, not a whole nn.Module "
                           "(save the model with torch.save(model, path), not its state_dict)")
    return module


def _surefit(model) -> View:
    return View(model.layers, model.activations, model.x_scaler, model.y_scaler, model.variables,
                kind="surefit", predict=model.predict)


def _torch(module) -> View:
    import torch
    steps, setup = torch_steps(module)

    def predict(X: np.ndarray) -> np.ndarray:
        p = next(module.parameters())
        was_training = module.training
        module.eval()
        try:
            with torch.no_grad():
                out = module(torch.as_tensor(X, dtype=p.dtype, device=p.device))
        finally:
            module.train(was_training)
        return out.detach().cpu().double().numpy().reshape(len(X), -1)[:, 0]

    return _assemble("pytorch", steps, predict, setup)


def _keras(model) -> View:
    import keras
    steps, setup = keras_steps(model)

    def predict(X: np.ndarray) -> np.ndarray:
        out = keras.ops.convert_to_numpy(model(np.asarray(X, dtype="float32"), training=False))
        return np.asarray(out, dtype=float).reshape(len(X), -1)[:, 0]

    return _assemble("keras", steps, predict, setup)


def _assemble(kind: str, steps: list, predict, setup: Setup) -> View:
    """steps: (W, b) pairs, Activations and Affines in the order the model runs them. Stacked
    activations compose; an Affine folds into the dense layer before it (when no activation
    came between) or into the one after it."""
    layers, acts, pending = [], [], None  # pending: an Affine waiting for the next dense layer
    for step in steps:
        if isinstance(step, Affine):
            if layers and len(acts) < len(layers):  # dense -> affine: fold into the dense output
                W, b = layers[-1]
                layers[-1] = (W * step.scale, b * step.scale + step.shift)
            else:
                pending = step if pending is None else Affine(pending.scale * step.scale,
                                                              pending.shift * step.scale + step.shift)
        elif isinstance(step, Activation) and step.name == "linear":
            continue  # Dense's default: nothing to apply
        elif isinstance(step, Activation):
            if not layers or pending is not None:
                raise SurefitError("cannot examine a model with an activation before its first dense layer "
                                   "or right after a normalisation that follows an activation")
            if len(acts) == len(layers):
                acts[-1] = compose(acts[-1], step)  # stacked activations: Dense(relu) then Activation(relu)
            else:
                acts.append(step)
        else:
            W, b = step
            if pending is not None:  # affine -> dense: fold into the dense input
                W, b, pending = pending.scale[:, None] * W, b + pending.shift @ W, None
            if len(acts) < len(layers):
                acts.append(activation("linear"))
            layers.append((W, b))
    if not layers:
        raise SurefitError("the model has no dense layer to examine")
    if pending is not None:
        raise SurefitError("cannot examine a model that ends in a normalisation after its last activation")
    acts += [activation("linear")] * (len(layers) - len(acts))
    for (W, _), (W_next, _) in zip(layers, layers[1:]):
        if W.shape[1] != W_next.shape[0]:
            raise SurefitError(f"cannot examine the model: a layer of {W.shape[1]} outputs feeds one "
                               f"of {W_next.shape[0]} inputs")
    if layers[-1][0].shape[1] != 1:
        raise SurefitError(f"the doctor examines networks with one output, not {layers[-1][0].shape[1]}")
    return View(tuple(layers), tuple(acts), kind=kind, predict=predict, setup=setup)


def _same(theirs: np.ndarray, ours: np.ndarray) -> bool:
    finite = np.isfinite(theirs) & np.isfinite(ours)
    scale = 1.0 + float(np.abs(theirs[finite]).max(initial=0.0))
    return bool((np.isfinite(theirs) == np.isfinite(ours)).all()
                and np.abs(theirs[finite] - ours[finite]).max(initial=0.0) <= 1e-3 * scale)


IDEMPOTENT = ("relu", "relu6", "hard_tanh", "linear")  # f(f(z)) = f(z)


def compose(first: Activation, second: Activation) -> Activation:
    """second(first(z)) as one activation (a Dense with an activation followed by an Activation
    layer). The properties are the ones both share, so a check never assumes more than holds."""
    if first.name == "linear":
        return second
    if second.name == "linear" or (first.name == second.name and first.name in IDEMPOTENT
                                   and first.param == second.param):
        return first
    lo, hi = second.output_range
    return Activation(f"{first.name}+{second.name}", lambda z, a: second(first(z)),
                      piecewise_linear=first.piecewise_linear and second.piecewise_linear,
                      can_die=first.can_die, output_range=(lo, hi),
                      refused_output=second.refused_output)


def check_readable(v: View, X: np.ndarray) -> np.ndarray:
    """The model's predictions on X (N,), after proving the View reproduces them; a model
    whose forward() does more than its layers in order is refused rather than misread."""
    if X.shape[1] != v.widths[0]:
        raise SurefitError(f"the model takes {v.widths[0]} input column(s), the data has {X.shape[1]}")
    theirs = v.predict(X)
    with np.errstate(all="ignore"):
        ours = [v.forward(X), v.astype(np.float32).forward(X.astype(np.float32)).astype(float)]
    if not any(_same(theirs, mine) for mine in ours):  # float32 models overflow where float64 does not
        raise SurefitError("cannot examine this model: its predictions are not those of its dense layers "
                           "and activations run in order (a custom forward()?); give an nn.Sequential")
    return theirs
