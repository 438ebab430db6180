"""surefit predict: a saved model's predictions for the rows of a CSV, written as a CSV."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import csvfile
from ..files import check_writable
from ..progress import status
from .options import saved_model
from .output import console, progress_wanted

if TYPE_CHECKING:
    from ..model import Model


def register(sub) -> None:
    p = sub.add_parser("predict", help="a saved model's predictions for the rows of a CSV",
                       description="Read the columns a model saved by `surefit fit --save` takes, by name, from "
                                   "a CSV (any delimiter, decimal commas), and write the CSV again with a column "
                                   "'prediction' in the model's target units added, in the same dialect; for a "
                                   "model of measured data also 'prediction_sd', each prediction's error bar.")
    saved_model(p)
    p.add_argument("--csv", required=True, help="CSV with a header row naming the model's inputs")
    p.add_argument("--out", help="the CSV to write (default: beside --csv, NAME.predicted.csv)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..store import load
    model = load(args.model)
    path = Path(args.csv)
    out = check_writable(args.out or path.with_name(f"{path.stem}.predicted.csv"))
    with status(f"reading {path}", progress_wanted(args)):  # a million rows: 1.5 s, and 3 s to write
        X, table = csvfile.named_columns(path, model.variables)
    with status(f"predicting {len(X):,} rows and writing {out}", progress_wanted(args)):
        columns = predictions(model, X, table)
        csvfile.with_columns(table, out, columns)
    console.print(f"predicted {len(X):,} rows from {', '.join(model.variables)}")
    if model.posterior is not None:
        console.print(f"{list(columns)[1]}: how far each prediction may be from the truth (1 standard deviation); "
                      f"new measurements scatter by {noise_words(model)} more")
    beyond = model.extrapolation(X)
    if beyond:
        console.print(beyond)
    console.print(f"wrote {out}")
    return 0


def noise_words(model: Model) -> str:
    """The noise a new measurement carries: the level, or where it changes along the input its range."""
    if model.noise_profile is None:
        return f"the noise level, {model.noise_level:.3g},"
    low, high = model.noise_range
    return (f"the noise there, mostly {low:.3g} to {high:.3g} along {model.variables[0]} "
            f"(the noise level over the training rows {model.noise_level:.3g}),")


def predictions(model: Model, X: np.ndarray, table: csvfile.Table) -> dict[str, np.ndarray]:
    """The columns to add: the predictions and, where the model keeps them, their error bars, each
    under a name the file does not use yet (csvfile.free_name)."""
    columns = {csvfile.free_name(table, "prediction"): model.predict(X)}
    if model.posterior is not None:
        columns[csvfile.free_name(table, "prediction_sd")] = model.error_bars(X)
    return columns
