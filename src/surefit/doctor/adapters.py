"""Read any supported model into one common View: dense layers, activations, predictions.

Kinds: a torch.nn.Module built of Linear and activation modules (nn.Sequential or a
module whose children run in order), a Keras 3 model of Dense/activation layers, a
saved .keras file, a surefit Model / FitResult or a saved surefit model file.
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
from ..activations import ACTIVATIONS, Activation, activation
from ..errors import SurefitError
from ..network import Network


@dataclass(frozen=True)
class View(Network):
    """A model read as a plain Network, with what it is and its own predictions."""
    kind: str = ""  # "pytorch", "keras" or "surefit"
    predict: Callable[[np.ndarray], np.ndarray] | None = None  # the model's own predictions (N,), user units


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
    try:
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
    nn = torch.nn
    named = {nn.ReLU: lambda m: activation("relu"), nn.Tanh: lambda m: activation("tanh"),
             nn.Sigmoid: lambda m: activation("sigmoid"), nn.SiLU: lambda m: activation("silu"),
             nn.LeakyReLU: lambda m: activation("leaky_relu", m.negative_slope),
             nn.ELU: lambda m: activation("elu", m.alpha),
             nn.GELU: lambda m: activation("gelu", float(m.approximate == "tanh")),
             nn.Softplus: lambda m: activation("softplus") if m.beta == 1 else None,
             nn.Softmax: lambda m: activation("softmax"), nn.LogSoftmax: lambda m: activation("log_softmax")}
    steps = []
    for m in _leaves(module):
        if isinstance(m, nn.Linear):
            W = m.weight.detach().cpu().double().numpy().T.copy()
            b = m.bias.detach().cpu().double().numpy().copy() if m.bias is not None else np.zeros(W.shape[1])
            steps.append((W, b))
        elif isinstance(m, (nn.Identity, nn.Dropout, nn.Flatten)):
            continue  # no effect on one sample at inference
        elif type(m) in named and named[type(m)](m) is not None:
            steps.append(named[type(m)](m))
        else:
            raise SurefitError(f"cannot examine a module containing {type(m).__name__}: the doctor reads "
                               "Linear layers and activations (ReLU, LeakyReLU, Tanh, Sigmoid, GELU, ...)")

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

    return _assemble("pytorch", steps, predict)


def _leaves(module) -> list:
    children = list(module.children())
    return [module] if not children else [leaf for c in children for leaf in _leaves(c)]


def _keras(model) -> View:
    import keras
    steps = []
    for layer in _keras_leaves(model):
        kind = type(layer).__name__
        config = layer.get_config()
        if kind in ("InputLayer", "Dropout", "Flatten"):
            continue
        if kind == "Dense":
            weights = layer.get_weights()
            W = np.asarray(weights[0], dtype=float)
            steps.append((W, np.asarray(weights[1], float) if len(weights) > 1 else np.zeros(W.shape[1])))
            steps.append(_keras_activation(config["activation"]))
        elif kind == "Activation":
            steps.append(_keras_activation(config["activation"]))
        elif kind == "ReLU" and config.get("max_value") is None and not config.get("threshold"):
            slope = float(config.get("negative_slope") or 0.0)
            steps.append(activation("leaky_relu", slope) if slope else activation("relu"))
        elif kind == "LeakyReLU":
            steps.append(activation("leaky_relu", float(config["negative_slope"])))
        elif kind == "ELU":
            steps.append(activation("elu", float(config.get("alpha", 1.0))))
        elif kind == "Softmax":
            steps.append(activation("softmax"))
        else:
            raise SurefitError(f"cannot examine a Keras model containing {kind}: the doctor reads "
                               "Dense layers and activations")

    def predict(X: np.ndarray) -> np.ndarray:
        out = keras.ops.convert_to_numpy(model(np.asarray(X, dtype="float32"), training=False))
        return np.asarray(out, dtype=float).reshape(len(X), -1)[:, 0]

    return _assemble("keras", [s for s in steps if not (isinstance(s, Activation) and s.name == "linear")],
                     predict)


def _keras_leaves(model) -> list:
    inner = getattr(model, "layers", None)
    return [model] if inner is None else [leaf for layer in inner for leaf in _keras_leaves(layer)]


KERAS_NAMES = {"swish": "silu"}
KERAS_PARAMS = {"leaky_relu": 0.2, "elu": 1.0}  # keras.activations' defaults


def _keras_activation(name) -> Activation:
    if not isinstance(name, str) or KERAS_NAMES.get(name, name) not in ACTIVATIONS:
        raise SurefitError(f"cannot examine the Keras activation {name!r}")
    name = KERAS_NAMES.get(name, name)
    return activation(name, KERAS_PARAMS.get(name, 0.0))


def _assemble(kind: str, steps: list, predict) -> View:
    """steps: (W, b) pairs and Activations in the order the model runs them."""
    layers, acts = [], []
    for step in steps:
        if isinstance(step, Activation):
            if not layers or len(acts) == len(layers):
                raise SurefitError("cannot examine a model with an activation that does not follow "
                                   "exactly one dense layer")
            acts.append(step)
        else:
            if len(acts) < len(layers):
                acts.append(activation("linear"))
            layers.append(step)
    if not layers:
        raise SurefitError("the model has no dense layer to examine")
    acts += [activation("linear")] * (len(layers) - len(acts))
    for (W, _), (W_next, _) in zip(layers, layers[1:]):
        if W.shape[1] != W_next.shape[0]:
            raise SurefitError(f"cannot examine the model: a layer of {W.shape[1]} outputs feeds one "
                               f"of {W_next.shape[0]} inputs")
    if layers[-1][0].shape[1] != 1:
        raise SurefitError(f"the doctor examines networks with one output, not {layers[-1][0].shape[1]}")
    return View(tuple(layers), tuple(acts), kind=kind, predict=predict)


def check_readable(v: View, X: np.ndarray) -> np.ndarray:
    """The model's predictions on X (N,), after proving the View reproduces them; a model
    whose forward() does more than its layers in order is refused rather than misread."""
    if X.shape[1] != v.widths[0]:
        raise SurefitError(f"the model takes {v.widths[0]} input column(s), the data has {X.shape[1]}")
    theirs = v.predict(X)
    with np.errstate(all="ignore"):
        ours = v.forward(X)
    finite = np.isfinite(theirs) & np.isfinite(ours)
    scale = 1.0 + float(np.abs(theirs[finite]).max(initial=0.0))
    if (np.isfinite(theirs) != np.isfinite(ours)).any() or \
            np.abs(theirs[finite] - ours[finite]).max(initial=0.0) > 1e-3 * scale:
        raise SurefitError("cannot examine this model: its predictions are not those of its dense layers "
                           "and activations run in order (a custom forward()?); give an nn.Sequential")
    return theirs
