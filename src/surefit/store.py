"""Save and load a fitted model: one safetensors file, no code executed on load.

The weights are a float64 tensor, and for measured data's error bars the training
rows and penalties they need two more (uncertainty.Posterior); the network shape,
scalers, variable names, the number of training rows and the noise level are JSON in
the safetensors header's metadata. Loading parses JSON and reads
raw numbers, nothing else, and checks every field (names against the known
tables, finite weights, positive scales), so a foreign, corrupt or tampered file
is refused when it is loaded, not when it is used.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file, save_file

from .activations import TRAINABLE
from .errors import SurefitError
from .files import atomic_path
from .model import Model
from .network import NetSettings
from .scaling import Scaler
from .uncertainty import Posterior

FORMAT = "surefit-model/1"


def save(model, path: str | Path) -> Path:
    """Write a Model (or a FitResult's model) to `path`, atomically."""
    model = getattr(model, "model", model)
    meta = {"format": FORMAT, "n_inputs": model.net.n_inputs, "hidden": list(model.net.hidden),
            "activation": model.net.activation, "x_scaler": model.x_scaler.to_dict(),
            "y_scaler": model.y_scaler.to_dict(), "variables": list(model.variables)}
    tensors = {"theta": np.ascontiguousarray(model.theta, dtype=np.float64)}
    if model.posterior is not None:
        meta["posterior"] = {"rows": model.posterior.rows, "sigma": model.posterior.sigma}
        tensors.update(posterior_inputs=model.posterior.inputs, posterior_penalty=model.posterior.penalty)
    if model.noise_profile is not None:
        tensors.update(noise_x=model.noise_profile[0], noise_level=model.noise_profile[1])
    path = Path(path)
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"surefit": json.dumps(meta)})
    return path


def load(path: str | Path) -> Model:
    """Read a model written by save(); anything else raises SurefitError."""
    path = Path(path)
    if not path.is_file():
        raise SurefitError(f"no model file at {path}")
    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = json.loads((f.metadata() or {})["surefit"])
        tensors = load_file(str(path))
        theta = tensors["theta"]
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise KeyError("format")
        net = NetSettings(int(meta["n_inputs"]), tuple(int(w) for w in meta["hidden"]), str(meta["activation"]))
        scalers = [Scaler.from_dict(meta[k]) for k in ("x_scaler", "y_scaler")]
        variables = tuple(str(v) for v in meta["variables"])
        posterior = (Posterior(tensors["posterior_inputs"], int(meta["posterior"]["rows"]),
                               tensors["posterior_penalty"], float(meta["posterior"]["sigma"]))
                     if "posterior" in meta else None)
        profile = (tensors["noise_x"], tensors["noise_level"]) if "noise_x" in tensors else None
    except (SafetensorError, OSError, KeyError, ValueError, TypeError) as exc:
        raise SurefitError(f"{path} is not a surefit model ({type(exc).__name__})") from None
    problem = (_defect(net, np.asarray(theta), scalers, variables) or _posterior_defect(net, posterior)
               or _profile_defect(net, profile))
    if problem:
        raise SurefitError(f"{path} is not a usable surefit model: {problem}")
    return Model.from_theta(net, np.asarray(theta, dtype=np.float64), *scalers, variables, posterior, profile)


def _defect(net: NetSettings, theta: np.ndarray, scalers: list[Scaler], variables: tuple) -> str | None:
    """What is wrong with a model file's fields, or None."""
    if net.n_inputs < 1 or any(w < 1 for w in net.hidden):
        return f"its shape {net.n_inputs} -> {list(net.hidden)} has an empty layer"
    if net.activation not in TRAINABLE:
        return f"its activation {net.activation!r} is not one of {', '.join(TRAINABLE)}"
    if theta.dtype.kind != "f" or theta.shape != (net.n_params,):
        return f"its weights ({theta.dtype}, shape {theta.shape}) do not match its shape ({net.n_params} numbers)"
    if not np.isfinite(theta).all():
        return f"{int((~np.isfinite(theta)).sum())} of its weights are not finite"
    for name, scaler, width in (("input", scalers[0], net.n_inputs), ("target", scalers[1], 1)):
        offset, scale = np.asarray(scaler.offset), np.asarray(scaler.scale)
        if offset.shape != (width,) or scale.shape != (width,):
            return f"its {name} scaler has {offset.size} offsets and {scale.size} scales for {width} column(s)"
        if not (np.isfinite(offset).all() and np.isfinite(scale).all() and (scale > 0).all()):
            return f"its {name} scaler's offsets and scales must be finite, and the scales positive"
    if len(variables) != net.n_inputs:
        return f"it names {len(variables)} variables for {net.n_inputs} inputs"
    return None


def _posterior_defect(net: NetSettings, posterior: Posterior | None) -> str | None:
    """What is wrong with a model file's error bars, or None (none kept is nothing wrong)."""
    if posterior is None:
        return None
    inputs, penalty = posterior.inputs, posterior.penalty
    shape_ok = inputs.ndim == 2 and inputs.shape[1] == net.n_inputs and 0 < len(inputs) <= posterior.rows
    if inputs.dtype.kind != "f" or not shape_ok:
        return f"its error bars' rows (shape {inputs.shape}) do not match its {net.n_inputs} input(s)"
    if penalty.dtype.kind != "f" or penalty.shape != (net.n_params,):
        return f"its error bars' penalties (shape {penalty.shape}) do not match its {net.n_params} weights"
    if not (np.isfinite(inputs).all() and np.isfinite(penalty).all() and (penalty >= 0).all()):
        return "its error bars' rows must be finite, and their penalties finite and not negative"
    if not (np.isfinite(posterior.sigma) and posterior.sigma > 0):
        return f"its noise level {posterior.sigma} is not a positive number"
    return None


def _profile_defect(net: NetSettings, profile: tuple[np.ndarray, np.ndarray] | None) -> str | None:
    """What is wrong with a model file's profile of the noise along its input, or None (none kept: even)."""
    if profile is None:
        return None
    x, level = profile
    if net.n_inputs != 1 or x.ndim != 1 or x.shape != level.shape or len(x) < 2:
        return f"its noise profile (shapes {x.shape} and {level.shape}) is not one level at each of 2 or more x"
    if not (np.isfinite(x).all() and np.isfinite(level).all() and (np.diff(x) > 0).all() and (level >= 0).all()):
        return "its noise profile's x must be finite and increasing, and its levels finite and not negative"
    return None
