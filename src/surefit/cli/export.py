"""surefit export: a saved model as ONNX, a dependency-free C function, or a numpy module."""
from __future__ import annotations

from ..registry import FORMATS
from .options import saved_model
from .output import console


def register(sub) -> None:
    p = sub.add_parser("export", help="write a saved model as ONNX, C or numpy",
                       description="Write a model saved by `surefit fit --save` as ONNX, a C99 .h/.c pair, "
                                   "or a standalone numpy module; the scaling is folded in, so the "
                                   "exported function takes and returns your own units.")
    saved_model(p)
    p.add_argument("--format", required=True,
                   help="; ".join(f"{name}: {FORMATS.help(name)}" for name in FORMATS.names))
    p.add_argument("--out", required=True,
                   help="the file to write; for c, the .h/.c pair's stem (or either file's name)")
    p.add_argument("--name", help="the function's name prefix (C) or graph name (default: --out's stem)")
    p.add_argument("--float32", action="store_true", help="single precision (default double)")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..exporters import export
    from ..store import load
    model = load(args.model)
    paths = export(model, args.format, args.out, name=args.name,
                   dtype="float32" if args.float32 else "float64")
    net = model.net
    console.print(f"exported {net.n_inputs} -> {','.join(map(str, net.hidden)) or '-'} {net.activation} -> 1 "
                  f"({net.n_params} parameters) as {args.format}, {'float32' if args.float32 else 'float64'}")
    for path in paths:
        console.print(f"wrote {path}")
    return 0
