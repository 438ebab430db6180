"""Progress for anything that takes seconds: a bar over known steps, shown once the work has
run DELAY_S, or a spinner with a line of status; on stderr, and nothing at all when disabled
(the library's default) or when stderr is not a terminal (a piped or logged run gets no bar
remnants)."""
from __future__ import annotations

import time
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn

CONSOLE = Console(stderr=True)


DELAY_S = 2.0  # a bar appears once the work has taken this long: quick fits show none


class Progress:
    def __init__(self, total: int, enabled: bool = True, description: str = "training", delay: float = DELAY_S):
        self.enabled = enabled and CONSOLE.is_terminal
        self.total, self.description, self.delay = total, description, delay
        self._bar = None
        self._done, self._note = 0, ""

    def __enter__(self) -> "Progress":
        self._start = time.perf_counter()
        self._show_if_due()
        return self

    def _show_if_due(self) -> None:
        if self.enabled and self._bar is None and time.perf_counter() - self._start >= self.delay:
            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                                     console=CONSOLE, transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, completed=self._done, note=self._note)

    def advance(self, error: float | None = None, steps: int = 1) -> None:
        self._done += steps
        self._note = "" if error is None else f"rel. error {error:.2e}"
        self._show_if_due()
        if self._bar is not None:
            self._bar.update(self._task, advance=steps, note=self._note)

    def note(self, text: str) -> None:
        """Say what is happening now, without moving the bar."""
        self._note = text
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
