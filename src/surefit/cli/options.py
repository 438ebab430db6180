"""Command-line flags derived from a settings dataclass (settings.FitSettings, MinimalSettings):
one flag per field, spelled --field-name, with the field's help and default.

Values are read as text and turned into settings after parsing, by the field's own
reader, so a bad value gets surefit's one-line error like any other bad input.
One list syntax everywhere: several values (a study's sweep, minimal's depths) are
separated by spaces; commas only join the widths of one network's layers (45,45).
"""
from __future__ import annotations

import argparse
from dataclasses import MISSING, fields

from ..errors import SurefitError


def shown(f) -> str:
    """A field's default as the command line writes it."""
    value = f.default if f.default is not MISSING else None
    if value is None:
        return f.metadata["none"] or "none"
    if isinstance(value, bool):  # as the flag reads it (yes_no), not Python's False
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return (" " if f.metadata["many"] else ",").join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_settings(parser: argparse.ArgumentParser, cls, *, sweep: bool = False, skip: tuple = ()) -> None:
    """A flag per field of cls; with sweep, a sweepable field takes several values to try."""
    for f in fields(cls):
        if f.name in skip:
            continue
        several = f.metadata["many"] or (sweep and f.metadata["sweep"])
        help = f"{f.metadata['help']} (default {shown(f)})"
        if sweep and f.metadata["sweep"]:
            help += "; several values, separated by spaces, are each tried"
        parser.add_argument(flag(f.name), nargs="+" if several else None, default=None,
                            metavar=f.name.upper(), help=help.replace("%", "%%"))


def _read(f, text: str):
    try:
        return f.metadata["parse"](text)
    except SurefitError:
        raise
    except ValueError:
        raise SurefitError(f"{flag(f.name)} takes {type(f.default).__name__ if f.default is not None else 'a number'}"
                           f" values, not {text!r}") from None


def settings_from(args: argparse.Namespace, cls, **fixed):
    """cls made from the flags given (the rest keep cls's defaults) and the values in `fixed`."""
    given = {}
    for f in fields(cls):
        text = getattr(args, f.name, None)
        if text is None or f.name in fixed:
            continue
        given[f.name] = tuple(_read(f, t) for t in text) if f.metadata["many"] else _read(f, text)
    return cls(**given, **fixed)


def sweeps_from(args: argparse.Namespace, cls) -> dict[str, list]:
    """{field: [values to try]} for every sweepable flag given (each read by its field's reader)."""
    return {f.name: [_read(f, t) for t in getattr(args, f.name)]
            for f in fields(cls) if f.metadata["sweep"] and getattr(args, f.name, None) is not None}


def saved_model(parser) -> None:
    """The first argument of the commands that read a model saved by `surefit fit --save`."""
    parser.add_argument("model", help="a model file written by surefit fit --save")
