"""Progress for anything that takes seconds: a bar over known steps, or a spinner with a line
of status; on stderr, and nothing at all when disabled (the library's default) or when
stderr is not a terminal (a piped or logged run gets no bar remnants)."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

CONSOLE = Console(stderr=True)


class Progress:
    def __init__(self, total: int, enabled: bool = True, description: str = "training"):
        self.enabled = enabled and CONSOLE.is_terminal
        self.total, self.description = total, description
        self._bar = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                                     console=CONSOLE, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, note="")
        return self

    def advance(self, error: float | None = None, steps: int = 1) -> None:
        if self._bar is not None:
            note = "" if error is None else f"rel. error {error:.2e}"
            self._bar.update(self._task, advance=steps, note=note)

    def note(self, text: str) -> None:
        """Say what is happening now, without moving the bar."""
        if self._bar is not None:
            self._bar.update(self._task, note=text)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def status(text: str, enabled: bool = True):
    """A spinner with `text` while the block runs (work of unknown length)."""
    if enabled and CONSOLE.is_terminal:
        with CONSOLE.status(text):
            yield
    else:
        yield
