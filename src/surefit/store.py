"""Save and load a fitted model: one safetensors file, no code executed on load.

The weights are a float64 tensor; the network shape, scalers and variable names
are JSON in the safetensors header's metadata. Loading parses JSON and reads
raw numbers, nothing else, so a foreign or corrupt file is refused, not run.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import load_file, save_file

from .errors import SurefitError
from .model import Model
from .nets import NetSettings
from .scaling import Scaler

FORMAT = "surefit-model/1"


def save(model, path: str | Path) -> Path:
    """Write a Model (or a FitResult's model) to `path`, atomically."""
    model = getattr(model, "model", model)
    meta = {"format": FORMAT, "n_inputs": model.net.n_inputs, "hidden": list(model.net.hidden),
            "activation": model.net.activation, "x_scaler": model.x_scaler.to_dict(),
            "y_scaler": model.y_scaler.to_dict(), "variables": list(model.variables)}
    path = Path(path)
    with atomic_path(path) as tmp:
        save_file({"theta": np.ascontiguousarray(model.theta, dtype=np.float64)}, str(tmp),
                  metadata={"surefit": json.dumps(meta)})
    return path


def load(path: str | Path) -> Model:
    """Read a model written by save(); anything else raises SurefitError."""
    path = Path(path)
    if not path.is_file():
        raise SurefitError(f"no model file at {path}")
    try:
        with safe_open(str(path), framework="numpy") as f:
            meta = json.loads((f.metadata() or {})["surefit"])
        theta = load_file(str(path))["theta"]
        if meta.get("format") != FORMAT:
            raise KeyError("format")
        net = NetSettings(int(meta["n_inputs"]), tuple(int(w) for w in meta["hidden"]),
                          str(meta["activation"]))
        model = Model(net, np.asarray(theta, dtype=np.float64), Scaler.from_dict(meta["x_scaler"]),
                      Scaler.from_dict(meta["y_scaler"]), tuple(meta["variables"]))
    except (SafetensorError, OSError, KeyError, ValueError, TypeError) as exc:
        raise SurefitError(f"{path} is not a surefit model ({type(exc).__name__})") from None
    if model.theta.shape != (net.n_params,):
        raise SurefitError(f"{path} is not a surefit model (its weights do not match its shape)")
    return model


class atomic_path:
    """Context manager yielding a temporary path beside `path`, renamed onto it on success,
    so a failed write never leaves a half-written file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        directory = self.path.parent if str(self.path.parent) else Path(".")
        if not directory.is_dir():
            raise SurefitError(f"cannot write {self.path}: no directory {directory}")
        try:
            fd, name = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError as exc:
            raise SurefitError(f"cannot write {self.path}: {exc.strerror}") from None
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
