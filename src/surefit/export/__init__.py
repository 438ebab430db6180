"""Export a fitted model to where PyTorch is not: ONNX, one dependency-free C function, plain numpy.

Every format is written from Model.folded_layers(): both scalers are folded into the
first and last layers, so the exported function takes and returns the user's own units.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SurefitError
from ..model import Model
from ..store import load
from . import c, numpy as numpy_format, onnx as onnx_format
from .network import Network

WRITERS = {"onnx": onnx_format.write, "c": c.write, "numpy": numpy_format.write}
DTYPES = {"float64": np.float64, "float32": np.float32}


@dataclass(frozen=True)
class ExportSettings:
    format: str  # onnx | c | numpy
    name: str | None = None  # None: the output file's stem
    dtype: str = "float64"  # float64 | float32

    def validate(self) -> None:
        if self.format not in WRITERS:
            raise SurefitError(f"unknown export format {self.format!r}; choose one of {', '.join(WRITERS)}")
        if self.dtype not in DTYPES:
            raise SurefitError(f"unknown dtype {self.dtype!r}; choose float64 or float32")


def export(model, format: str, path: str | Path, *, name: str | None = None,
           dtype: str = "float64") -> list[Path]:
    """Write `model` (a Model, a FitResult, or a saved model's path) in `format` at `path`.

    Returns the files written: one, or the .h/.c pair for format "c" (`path` may then
    end in .c or .h, or be the pair's common stem). `name` defaults to the file's stem."""
    settings = ExportSettings(format, name, dtype)
    settings.validate()
    model = load(model) if isinstance(model, (str, Path)) else getattr(model, "model", model)
    if not isinstance(model, Model):
        raise SurefitError(f"can only export a surefit Model or FitResult, not {type(model).__name__}")
    path = Path(path)
    if path.is_dir():
        raise SurefitError(f"cannot write {path}: it is a directory")
    network = Network.from_model(model, DTYPES[settings.dtype], settings.name or path.stem or "model")
    return WRITERS[settings.format](network, path)


__all__ = ["export", "ExportSettings", "Network", "WRITERS"]
