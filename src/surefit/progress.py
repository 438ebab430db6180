"""A rich progress bar for training, or nothing when disabled (the library's default)."""
from __future__ import annotations

from rich.progress import BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn


class Progress:
    def __init__(self, total: int, enabled: bool = True, description: str = "training"):
        self.enabled, self.total, self.description = enabled, total, description
        self._bar = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                                     transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, note="")
        return self

    def advance(self, error: float | None = None) -> None:
        if self._bar is not None:
            note = "" if error is None else f"rel. error {error:.2e}"
            self._bar.update(self._task, advance=1, note=note)

    def finish_stage(self, skipped: int) -> None:
        """A trainer stopped early: move the bar past the steps it did not need."""
        if self._bar is not None:
            self._bar.update(self._task, advance=max(skipped, 0))

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
