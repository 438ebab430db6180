"""A CSV of measured data in, its columns as numbers out; one line for whatever is wrong.

Spreadsheets write CSVs in their locale: a comma between cells and a point in numbers (English),
a semicolon between cells and a comma in numbers (Excel in Russian, Polish, German, French), or
tabs. Some files begin with a byte-order mark (Excel's "CSV UTF-8"), some with '#' lines (numpy's
savetxt writes its header as "# x,y"). So:
- the header is the first line that names the target, a leading '#' aside; '#' lines and blank
  lines elsewhere are skipped (a title line above the header is no matter);
- the delimiter is whichever of comma, semicolon and tab the header holds most (a comma on a tie
  or with none: one column);
- with another delimiter than a comma, a comma in a number is its decimal point.
Names are compared without surrounding spaces, in the header as in the target and the inputs.
A file of numbers alone (signals, one per row: numbers_only) has no header: its first line that is
neither blank nor '#' gives the delimiter.
"""
from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import SurefitError
from .files import atomic_path

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Table:
    path: Path
    lines: list[str]  # every line of the file, '#' lines blank, so that an index + 1 is a line number
    at: int  # the header's index in lines
    header: list[str]  # its names, without surrounding spaces
    delimiter: str

    def rows(self) -> list[tuple[int, list[str]]]:
        """(line number, cells) of every non-blank line below the header."""
        below = csv.reader(self.lines[self.at + 1:], delimiter=self.delimiter)
        try:
            return [(self.at + 2 + i, row) for i, row in enumerate(below) if row]
        except csv.Error as exc:
            raise SurefitError(f"cannot read {self.path}: {exc}") from None

    @property
    def decimal_comma(self) -> bool:
        """Whether a comma in a number is its decimal point: where cells are not between commas."""
        return self.delimiter != ","

    def inputs_but(self, target: str) -> list[str]:
        """The default inputs: every column but the target, and but columns with neither a name nor
        a value in any row (a spreadsheet writes them for a trailing delimiter, 'x;y;'), found in one
        pass over the rows, made only where a column is unnamed."""
        empty = {i for i, name in enumerate(self.header) if not name}
        for _, row in self.rows() if empty else ():
            empty -= {i for i in empty if i < len(row) and row[i].strip()}
        return [name for i, name in enumerate(self.header) if name != target and i not in empty]

    def numbers(self, names: list[str]) -> np.ndarray:
        """(rows, len(names)) the named columns' cells as numbers. numpy's C reader takes a million
        rows of 4 columns in 0.7 s where Python's csv module and float() take 5 s; where it fails (a
        cell that is not a number, rows of different lengths) or its rows are not the header's
        length or a number is not finite, the rows are read again one by one (numbers_line_by_line)
        to name the line and the cell."""
        columns = [self.header.index(name) for name in names]
        text = self.lines[self.at + 1:]
        if self.decimal_comma:
            text = [line.replace(",", ".") for line in text]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # numpy warns of a file with no rows, said in one line later
                every = np.loadtxt(text, delimiter=self.delimiter, ndmin=2, comments=None, quotechar='"')
        except ValueError:
            every = None
        if every is not None and every.shape[1] == len(self.header) and np.isfinite(every[:, columns]).all():
            return every[:, columns]
        return self.numbers_line_by_line(names)

    def numbers_line_by_line(self, names: list[str]) -> np.ndarray:
        columns = [self.header.index(name) for name in names]
        first = "the header" if self.at >= 0 else "the first line"
        values = []
        for line, row in self.rows():
            if len(row) != len(self.header):
                raise SurefitError(f"{self.path} line {line}: {len(row)} cells, {first} has {len(self.header)}")
            values.append([self.number(line, self.header[c], row[c].strip()) for c in columns])
        return np.array(values, dtype=float).reshape(-1, len(columns))

    def number(self, line: int, column: str, cell: str) -> float:
        try:
            value = float(cell.replace(",", ".") if self.decimal_comma else cell)
        except ValueError:
            what = "missing" if not cell else f"not a number ({cell!r})"
            raise NotANumber(f"{self.path} line {line}: {column} is {what}", column) from None
        if not np.isfinite(value):
            raise NotANumber(f"{self.path} line {line}: {column} is {cell}", column)
        return value


class NotANumber(SurefitError):
    """A cell of a used column that is not a finite number; `column` names it."""

    def __init__(self, message: str, column: str):
        super().__init__(message)
        self.column = column


def read(path: Path, target: str) -> Table:
    """The file's lines, its header and its delimiter. The header is the first line that is
    neither blank nor '#', or a '#' line above it that names the target (numpy's savetxt)."""
    lines = text_lines(path)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        header, delimiter = split(line)
        if target in header:
            return Table(path, [""] * i + blank_comments(lines[i:]), i, header, delimiter)
        if not line.lstrip().startswith("#"):
            raise SurefitError(f"{path} has no column {target!r}; its columns are {', '.join(header)}")
    raise SurefitError(f"{path} is empty" if not any(line.strip() for line in lines) else f"{path} has only '#' lines")


def numbers_only(path: Path) -> np.ndarray:
    """(rows, columns) the numbers of a file with no header, in any dialect read() takes: a Table
    whose header is above its first line (at -1, so that line numbers hold), its columns named
    'sample 1', 'sample 2', ... for the errors. Its delimiter is a semicolon or a tab where the
    first line holds one, else a comma: counted as in a header, the decimal commas of a line of
    numbers outnumber the semicolons between them."""
    lines = ["" if line.lstrip().startswith("#") else line for line in text_lines(path)]
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise SurefitError(f"{path} is empty")
    delimiter = max(DELIMITERS[1:], key=first.count) if any(d in first for d in DELIMITERS[1:]) else ","
    width = len(next(csv.reader([first], delimiter=delimiter)))
    table = Table(path, lines, -1, [f"sample {i + 1}" for i in range(width)], delimiter)
    return table.numbers(table.header)


def text_lines(path: Path) -> list[str]:
    """The file's lines, without a byte-order mark, or one line saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise SurefitError(f"cannot read {path}: it is not UTF-8 text (byte {exc.object[exc.start]:#x} at "
                           f"{exc.start}); save it as UTF-8 (Excel: \"CSV UTF-8\")") from None
    except OSError as exc:
        raise SurefitError(f"cannot read {path}: {exc}") from None


def split(line: str) -> tuple[list[str], str]:
    """(the names a line would give as the header, a leading '#' aside; its delimiter)."""
    text = line.lstrip().removeprefix("#")
    delimiter = max(DELIMITERS, key=text.count)  # the first, a comma, on a tie
    try:
        cells = next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:
        cells = [text]
    return [cell.strip() for cell in cells], delimiter


def blank_comments(lines: list[str]) -> list[str]:
    """The header line as it is, the '#' lines below it blank."""
    return lines[:1] + ["" if line.lstrip().startswith("#") else line for line in lines[1:]]


def columns(path: Path, target: str, inputs: list[str] | None) -> tuple[np.ndarray, list[str]]:
    """((rows, inputs + 1) the inputs' and the target's numbers, the inputs' names): by default
    every column but the target is an input (Table.inputs_but)."""
    target = target.strip()
    table = read(path, target)
    header = table.header
    chosen = [c.strip() for c in inputs] if inputs else None
    inputs = chosen or table.inputs_but(target)
    missing = [c for c in inputs if c not in header]
    if missing or not inputs:
        raise SurefitError(f"{path} has no input column{'s ' + ', '.join(missing) if missing else 's'}")
    check_columns(path, header, inputs, target)
    try:
        return table.numbers(inputs + [target]), inputs
    except NotANumber as exc:
        if chosen or exc.column == target:
            raise
        raise SurefitError(f"{exc}; every column but the target is an input unless the inputs are chosen") from None


def named_columns(path: Path, names: tuple[str, ...]) -> tuple[np.ndarray, Table]:
    """((rows, len(names)) the named columns' numbers, the table they came from): a saved model's
    inputs, for its predictions (surefit predict)."""
    table = read(path, names[0])
    missing = [name for name in names if name not in table.header]
    if missing:
        raise SurefitError(f"{path} has no column {', '.join(map(repr, missing))}; the model's inputs are "
                           f"{', '.join(names)}")
    return table.numbers(list(names)), table


def free_name(table: Table, name: str) -> str:
    """name, or where the table has a column of that name already, the first of name_2, name_3, ...
    it has not: a file predicted once and predicted again keeps both columns apart."""
    taken = set(table.header)
    return next(n for n in (name, *(f"{name}_{i}" for i in range(2, len(taken) + 3))) if n not in taken)


def with_columns(table: Table, path: Path, columns: dict[str, np.ndarray]) -> None:
    """Write the table's file to path with the columns {name: values (rows,)} added to the header
    and to each row, every other cell as it was (dates, notes, quotes), all or nothing; the numbers
    as Python writes them (they read back the same), in the file's own dialect (decimal commas
    where cells are not between commas), so that it opens in the spreadsheet that wrote it."""
    rows = [line for line in table.lines[table.at + 1:] if line.strip()]
    cells = [[repr(v) for v in values.tolist()] for values in columns.values()]
    if table.decimal_comma:
        cells = [[cell.replace(".", ",") for cell in column] for column in cells]
    d = table.delimiter
    with atomic_path(path) as tmp, tmp.open("w", newline="") as f:
        f.write(d.join([table.lines[table.at], *columns]) + "\n")
        f.writelines(d.join([row, *added]) + "\n" for row, *added in zip(rows, *cells, strict=True))


def check_columns(path: Path, header: list[str], inputs: list[str], target: str) -> None:
    """The columns used each named, once, and the target not among the inputs: a name twice would
    read the first such column twice, and the target as an input would fit y from itself. Columns
    not used may be anything (a spreadsheet's unnamed last columns)."""
    if "" in inputs:
        raise SurefitError(f"column {header.index('') + 1} of {path} has no name: name it in the header row "
                           "or choose the inputs")
    for name in [*inputs, target]:
        if header.count(name) > 1 or inputs.count(name) > 1:
            where = f"{path}'s header" if header.count(name) > 1 else "the inputs"
            raise SurefitError(f"{name!r} is named twice in {where}: each column needs a name of its own")
    if target in inputs:
        raise SurefitError(f"{target!r} is the target; it cannot be an input too")
