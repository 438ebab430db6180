"""Printing and writing for the CLI: rich tables on stdout, progress on stderr, output files
checked before the work and written all or none."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.table import Table

from ..files import atomic_path, check_writable, write_all

console = Console()
errors = Console(stderr=True)  # progress and status lines: never mixed into a piped stdout


def progress_wanted(args) -> bool:
    """A progress bar only for a person watching a terminal: piped output gets none."""
    return not getattr(args, "quiet", False) and errors.is_terminal


def json_text(obj) -> str:
    return json.dumps(obj, indent=2, default=float) + "\n"


def write_json(path: str | Path, obj) -> Path:
    """Write obj as indented JSON to path, all or nothing."""
    with atomic_path(path) as tmp:
        tmp.write_text(json_text(obj))
    return Path(path)


def planned_outputs(args, names: tuple[str, ...]) -> dict[str, Path]:
    """The output files the flags `names` ask for, each checked now, before any long work: its
    directory exists and is writable, and a picture's name is a format matplotlib writes."""
    out = {}
    for name in names:
        path = getattr(args, name, None)
        if path:
            out[name] = check_writable(path)
            if name == "plot":
                from ..plots import image_format
                image_format(path)
    return out


def write_outputs(outputs: dict[str, Path], writers: dict[str, Callable[[Path], object]]) -> None:
    """writer(temporary path) for each planned output; renamed into place all together, or none."""
    for path in write_all([(path, writers[name]) for name, path in outputs.items()]):
        console.print(f"wrote {path}")


def table(title: str, columns: list[str], rows: list[list]) -> Table:
    t = Table(title=title, title_justify="left", show_header=any(columns))
    for c in columns:
        t.add_column(c, overflow="fold")
    for row in rows:
        t.add_row(*[fmt(v) for v in row])
    return t


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
