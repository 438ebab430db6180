"""Writing files so that nothing is ever half-written: a temporary file beside the target,
renamed onto it when complete; several files renamed only once all are written."""
from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Callable, Sequence

from .errors import SurefitError


def umask() -> int:
    """The process's umask, read without changing it where Linux allows (os.umask sets it)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_writable(path: str | Path) -> Path:
    """path, if a file can be written there; else one line saying why. Checked before long work."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise SurefitError(f"cannot write {path}: it is a directory")
    if not directory.is_dir():
        raise SurefitError(f"cannot write {path}: no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise SurefitError(f"cannot write {path}: the directory {directory} is not writable")
    return path


class atomic_path:
    """Context manager yielding a temporary path beside `path`, renamed onto it on success,
    so a failed write never leaves a half-written file. The file gets the mode an ordinary
    open() would give it (0666 less the umask), not mkstemp's private 0600."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        directory = check_writable(self.path).parent
        try:
            fd, name = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError as exc:
            raise SurefitError(f"cannot write {self.path}: {exc.strerror}") from None
        os.fchmod(fd, 0o666 & ~umask())
        os.close(fd)
        self.tmp = Path(name)
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def write_all(writes: Sequence[tuple[str | Path, Callable[[Path], object]]]) -> list[Path]:
    """Each write(temporary path) writes one file; all are renamed into place once every one is
    written, and none is if any write fails. Returns the paths written."""
    with ExitStack() as stack:
        for path, write in writes:
            write(stack.enter_context(atomic_path(path)))
    return [Path(path) for path, _ in writes]
