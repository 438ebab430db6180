"""Export a fitted model to where PyTorch is not: ONNX, one dependency-free C function, plain numpy.

Every format is written from the model's Network with both scalers folded into the first
and last layers (Network.folded()), so the exported function takes and returns the user's
own units. Each writer is write(network, name, path) -> the files written.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SurefitError
from ..model import Model
from ..store import load
from ..registry import FORMATS

DTYPES = {"float64": np.float64, "float32": np.float32}


@dataclass(frozen=True)
class ExportSettings:
    format: str  # onnx | c | numpy
    name: str | None = None  # None: the output file's stem
    dtype: str = "float64"  # float64 | float32

    def __post_init__(self) -> None:
        if self.format not in FORMATS.names:
            raise SurefitError(f"unknown export format {self.format!r}; choose one of {', '.join(FORMATS.names)}")
        if self.dtype not in DTYPES:
            raise SurefitError(f"unknown dtype {self.dtype!r}; choose float64 or float32")


def export(model, format: str, path: str | Path, *, name: str | None = None,
           dtype: str = "float64") -> list[Path]:
    """Write `model` (a Model, a FitResult, or a saved model's path) in `format` at `path`.

    Returns the files written: one, or the .h/.c pair for format "c" (`path` may then
    end in .c or .h, or be the pair's common stem). `name` defaults to the file's stem."""
    settings = ExportSettings(format, name, dtype)
    model = load(model) if isinstance(model, (str, Path)) else getattr(model, "model", model)
    if not isinstance(model, Model):
        raise SurefitError(f"can only export a surefit Model or FitResult, not {type(model).__name__}")
    path = Path(path)
    if path.is_dir():
        raise SurefitError(f"cannot write {path}: it is a directory")
    with np.errstate(over="ignore"):  # too large for float32 becomes inf, refused below
        network = model.folded().astype(DTYPES[settings.dtype])
    if not all(np.isfinite(a).all() for layer in network.layers for a in layer):
        raise SurefitError(f"the model's weights are not all finite in {settings.dtype}; nothing to export")
    return FORMATS.load(settings.format)(network, settings.name or path.stem or "model", path)


__all__ = ["export", "ExportSettings"]
