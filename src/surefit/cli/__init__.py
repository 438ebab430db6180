"""The `surefit` command: parse, build settings, call the library, print.

Each sibling module that defines `register(subparsers)` adds its own
subcommands and sets `run` as the handler; this file only wires them up and
turns a SurefitError into one line on stderr.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import sys

from ..errors import SurefitError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="surefit", description="Fit small neural networks reliably, and say why they fail.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def join_negative_values(argv: list[str]) -> list[str]:
    """'--domain -1:1' -> '--domain=-1:1': argparse would read '-1:1' as an unknown option."""
    out: list[str] = []
    for token in argv:
        if out and out[-1].startswith("--") and "=" not in out[-1] and re.match(r"^-\.?\d", token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(join_negative_values(sys.argv[1:] if argv is None else argv))
    try:
        return args.run(args) or 0
    except SurefitError as exc:
        print(f"surefit: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a disk full or a permission refused while writing
        print(f"surefit: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("surefit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
