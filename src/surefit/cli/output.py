"""Printing and writing for the CLI: rich tables on stdout, JSON and files written atomically."""
from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ..store import atomic_path

console = Console()


def write_json(path: str | Path, obj) -> Path:
    """Write obj as indented JSON to path, all or nothing."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, default=float) + "\n")
    return Path(path)


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


def parse_widths(text: str) -> tuple[int, ...]:
    """'45,45' -> (45, 45); the library refuses zero or negative widths."""
    from ..errors import SurefitError
    try:
        widths = tuple(int(w) for w in text.split(",") if w.strip() != "")
    except ValueError:
        raise SurefitError(f"--hidden must be comma-separated integers, not {text!r}") from None
    if not widths:
        raise SurefitError("--hidden needs at least one width, e.g. 8 or 45,45")
    return widths
