"""Training progress for the terminal: a tqdm bar with totals and ETA; off a terminal, one summary line at the end.

The trainers report free-text steps (``"region: cross-validating the ovr scorer …"``). The in-memory trainer works
family by family, so its bar counts families (total known up front); the streaming trainer reads the data in
passes, so its bar counts records (the total is known after the first pass).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Sequence
from typing import IO, Any

from tqdm import tqdm

__all__ = ["FamilyProgress", "StreamProgress"]


class _Progress:
    def __init__(self, desc: str, unit: str, total: int | None, file: IO[str] | None, tty: bool | None):
        self.file = file if file is not None else sys.stderr
        self.tty = tty if tty is not None else bool(getattr(self.file, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.bar: Any = tqdm(total=total, desc=desc, unit=unit, file=self.file, disable=not self.tty, leave=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _finish(self, summary: str) -> None:
        self.bar.close()
        if not self.tty:
            print(summary, file=self.file)


class FamilyProgress(_Progress):
    """``progress`` callback for :func:`tagger.train`: one bar step per family."""

    def __init__(self, families: Sequence[str], *, file: IO[str] | None = None, tty: bool | None = None):
        self.families = list(families)
        self.done: list[str] = []
        super().__init__("training", "family", len(self.families), file, tty)

    def __call__(self, message: str) -> None:
        family = message.split(":", 1)[0]
        if family in self.families and family not in self.done:
            if self.done:
                self.bar.update(1)
                self.bar.refresh()
            self.done.append(family)
        self.bar.set_postfix_str(message[:60], refresh=True)

    def close(self, records: int) -> None:
        self.bar.update(self.bar.total - self.bar.n)
        self._finish(f"trained {len(self.families)} families on {records} records in {self.elapsed():.1f} s")


_PASS = re.compile(r"pass (?P<n>\d)(?: \(epoch (?P<epoch>\d+)\))?: (?P<records>\d+) records")


class StreamProgress(_Progress):
    """``progress`` callback for :func:`tagger.train_stream.train_streaming`: records read, per pass."""

    def __init__(self, epochs: int, *, file: IO[str] | None = None, tty: bool | None = None):
        self.epochs = epochs
        self.first_pass = 0
        super().__init__("pass 1 (counting)", "record", None, file, tty)

    def __call__(self, message: str) -> None:
        match = _PASS.match(message)
        if match is None:
            self.bar.set_postfix_str(message[:60], refresh=True)
            return
        records = int(match["records"])
        if match["n"] == "1":
            self.first_pass = records
            self.bar.update(records - self.bar.n)
            self.bar.refresh()
            return
        if self.bar.total is None:  # the second pass: now the total is known
            self.bar.close()
            total = self.first_pass * self.epochs
            self.bar = tqdm(total=total, desc="pass 2 (fitting)", unit="record", file=self.file, disable=not self.tty)
        epoch = int(match["epoch"] or 1)
        self.bar.update(min((epoch - 1) * self.first_pass + records, self.bar.total) - self.bar.n)
        self.bar.refresh()

    def close(self, records: int) -> None:
        self._finish(f"trained (streaming, {self.epochs} epoch(s)) on {records} records in {self.elapsed():.1f} s")
