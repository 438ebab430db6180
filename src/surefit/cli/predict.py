"""surefit predict: a saved model's predictions for the rows of a CSV, written as a CSV."""
from __future__ import annotations

from pathlib import Path

from .. import csvfile
from ..files import check_writable
from ..progress import status
from ..store import load
from .options import saved_model
from .output import console, progress_wanted


def register(sub) -> None:
    p = sub.add_parser("predict", help="a saved model's predictions for the rows of a CSV",
                       description="Read the columns a model saved by `surefit fit --save` takes, by name, from "
                                   "a CSV (any delimiter, decimal commas), and write the CSV again with a column "
                                   "'prediction' in the model's target units added, in the same dialect.")
    saved_model(p)
    p.add_argument("--csv", required=True, help="CSV with a header row naming the model's inputs")
    p.add_argument("--out", help="the CSV to write (default: beside --csv, NAME.predicted.csv)")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.set_defaults(run=run)


def run(args) -> int:
    model = load(args.model)
    path = Path(args.csv)
    out = check_writable(args.out or path.with_name(f"{path.stem}.predicted.csv"))
    with status(f"reading {path}", progress_wanted(args)):  # a million rows: 1.5 s, and 3 s to write
        X, table = csvfile.named_columns(path, model.variables)
    with status(f"predicting {len(X):,} rows and writing {out}", progress_wanted(args)):
        csvfile.with_column(table, out, "prediction", model.predict(X))
    console.print(f"predicted {len(X):,} rows from {', '.join(model.variables)}")
    beyond = model.extrapolation(X)
    if beyond:
        console.print(beyond)
    console.print(f"wrote {out}")
    return 0
