"""Read a PyTorch module or a Keras model into steps, in the order the model runs them:
(W (in, out), b (out,)) for a dense layer, an Activation, or an Affine (a per-feature
scale and shift: batch normalisation at inference). adapters.py assembles the steps
into a View. Layers that do nothing to one sample at inference (Dropout, Flatten,
Identity, InputLayer, noise layers) are skipped; anything else is refused by name.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activations import ACTIVATIONS, Activation, activation
from ..errors import SurefitError
from .setup import Setup, keras_setup, torch_setup


@dataclass(frozen=True)
class Affine:
    """x -> scale * x + shift, per feature: BatchNormalization in inference form."""
    scale: np.ndarray
    shift: np.ndarray


def batch_norm(gamma, beta, mean, var, eps) -> Affine:
    scale = np.asarray(gamma, float) / np.sqrt(np.asarray(var, float) + eps)
    return Affine(scale, np.asarray(beta, float) - np.asarray(mean, float) * scale)


# ---------------------------------------------------------------- PyTorch

def torch_steps(module) -> tuple[list, Setup]:
    import torch
    nn = torch.nn
    named = {nn.ReLU: lambda m: activation("relu"), nn.Tanh: lambda m: activation("tanh"),
             nn.Sigmoid: lambda m: activation("sigmoid"), nn.SiLU: lambda m: activation("silu"),
             nn.LeakyReLU: lambda m: activation("leaky_relu", m.negative_slope),
             nn.ELU: lambda m: activation("elu", m.alpha), nn.CELU: lambda m: activation("celu", m.alpha),
             nn.GELU: lambda m: activation("gelu", float(m.approximate == "tanh")),
             nn.Softplus: lambda m: activation("softplus") if m.beta == 1 else None,
             nn.SELU: lambda m: activation("selu"), nn.Mish: lambda m: activation("mish"),
             nn.ReLU6: lambda m: activation("relu6"), nn.Softsign: lambda m: activation("softsign"),
             nn.Hardsigmoid: lambda m: activation("hard_sigmoid"), nn.Hardswish: lambda m: activation("hard_silu"),
             nn.Hardtanh: lambda m: activation("hard_tanh") if (m.min_val, m.max_val) == (-1, 1) else None,
             nn.LogSigmoid: lambda m: activation("log_sigmoid"), nn.Tanhshrink: lambda m: activation("tanh_shrink"),
             nn.Softshrink: lambda m: activation("soft_shrink", m.lambd),
             nn.Hardshrink: lambda m: activation("hard_shrink", m.lambd),
             nn.PReLU: lambda m: activation("leaky_relu", float(m.weight.item())) if m.weight.numel() == 1 else None,
             nn.Softmax: lambda m: activation("softmax"), nn.LogSoftmax: lambda m: activation("log_softmax")}
    steps, leaves = [], _torch_leaves(module)
    for m in leaves:
        if isinstance(m, nn.Linear):
            W = m.weight.detach().cpu().double().numpy().T.copy()
            b = m.bias.detach().cpu().double().numpy().copy() if m.bias is not None else np.zeros(W.shape[1])
            steps.append((W, b))
        elif isinstance(m, (nn.Identity, nn.Dropout, nn.AlphaDropout, nn.Flatten)):
            continue  # no effect on one sample at inference
        elif isinstance(m, nn.BatchNorm1d) and m.track_running_stats and m.running_mean is not None:
            gamma = m.weight.detach().double().numpy() if m.affine else np.ones(m.num_features)
            beta = m.bias.detach().double().numpy() if m.affine else np.zeros(m.num_features)
            steps.append(batch_norm(gamma, beta, m.running_mean.double().numpy(), m.running_var.double().numpy(),
                                    m.eps))
        elif type(m) in named and named[type(m)](m) is not None:
            steps.append(named[type(m)](m))
        else:
            raise SurefitError(f"cannot examine a module containing {type(m).__name__}: the doctor reads "
                               "Linear layers, activations (ReLU, Tanh, Sigmoid, GELU, ...), BatchNorm1d and Dropout")
    return steps, torch_setup(leaves)


def _torch_leaves(module) -> list:
    children = list(module.children())
    return [module] if not children else [leaf for c in children for leaf in _torch_leaves(c)]


# ---------------------------------------------------------------- Keras

SKIPPED = ("InputLayer", "Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise", "Flatten",
           "ActivityRegularization", "Identity")
KERAS_NAMES = {"swish": "silu", "hard_swish": "hard_silu"}
KERAS_PARAMS = {"leaky_relu": 0.2, "elu": 1.0, "celu": 1.0, "hard_shrink": 0.5, "soft_shrink": 0.5,
                "squareplus": 4.0}  # keras.activations' defaults


def keras_steps(model) -> tuple[list, Setup]:
    steps, leaves = [], keras_leaves(model)
    for layer in leaves:
        kind = type(layer).__name__
        config = layer.get_config()
        if kind in SKIPPED:
            continue
        if kind == "Dense":
            weights = layer.get_weights()
            W = np.asarray(weights[0], dtype=float)
            steps.append((W, np.asarray(weights[1], float) if len(weights) > 1 else np.zeros(W.shape[1])))
            steps.append(keras_activation(config["activation"]))
        elif kind == "Activation":
            steps.append(keras_activation(config["activation"]))
        elif kind == "BatchNormalization" and config.get("axis") in (-1, [-1], 1, [1]):
            steps.append(_keras_batch_norm(layer, config))
        elif kind in KERAS_LAYERS and KERAS_LAYERS[kind](config) is not None:
            steps.append(KERAS_LAYERS[kind](config))
        else:
            raise SurefitError(f"cannot examine a Keras model containing {kind}: the doctor reads Dense layers, "
                               "activations, BatchNormalization and Dropout")
    return steps, keras_setup(model, leaves)


def _keras_relu(config) -> Activation | None:
    if config.get("threshold"):
        return None
    slope = float(config.get("negative_slope") or 0.0)
    if config.get("max_value") is not None:
        return activation("relu6") if float(config["max_value"]) == 6.0 and not slope else None
    return activation("leaky_relu", slope) if slope else activation("relu")


KERAS_LAYERS = {
    "ReLU": _keras_relu,
    "LeakyReLU": lambda c: activation("leaky_relu", float(c["negative_slope"])),
    "ELU": lambda c: activation("elu", float(c.get("alpha", 1.0))),
    "Softmax": lambda c: activation("softmax"),
    "PReLU": lambda c: None,  # a learned slope per unit: not one activation
}


def _keras_batch_norm(layer, config) -> Affine:
    import keras

    def numbers(variable, default):
        return default if variable is None else np.asarray(keras.ops.convert_to_numpy(variable), float)

    mean = numbers(layer.moving_mean, None)
    return batch_norm(numbers(getattr(layer, "gamma", None), np.ones_like(mean)),
                      numbers(getattr(layer, "beta", None), np.zeros_like(mean)),
                      mean, numbers(layer.moving_variance, None), float(config.get("epsilon", 1e-3)))


def keras_leaves(model) -> list:
    inner = getattr(model, "layers", None)
    return [model] if inner is None else [leaf for layer in inner for leaf in keras_leaves(layer)]


def keras_activation(name) -> Activation:
    if isinstance(name, dict):  # a serialised activation object: {"class_name": ..., "config": ...}
        name = name.get("config", {}).get("name", name.get("class_name"))
    if not isinstance(name, str) and callable(name):
        name = getattr(name, "__name__", None)
    if not isinstance(name, str) or KERAS_NAMES.get(name, name) not in ACTIVATIONS:
        raise SurefitError(f"cannot examine the Keras activation {name!r}")
    name = KERAS_NAMES.get(name, name)
    return activation(name, KERAS_PARAMS.get(name, ACTIVATIONS[name].param))
