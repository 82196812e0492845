"""Output files that never cost the user data: refuse to write over the input, write beside and rename.

:func:`check_distinct` refuses an output that is the input (the same path, a symlink to it or a hard link: same
device and inode). :class:`SafeOutput` refuses an existing output unless asked to overwrite or resume, writes to a
hidden temporary file in the same folder and renames it over the output when the run stops, whether it finished,
hit a bad record or was interrupted (the rows written so far form a valid file). With ``resume`` the rows of the
existing output are copied first and their ids reported, so the run can skip them.
"""

from __future__ import annotations

import csv
import json
import os
import uuid
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ..errors import DataError, ParameterError

__all__ = ["SafeOutput", "check_distinct"]


def _same_file(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_distinct(input_path: str | Path | None, output_path: str | Path | None) -> None:
    """Raise ParameterError when ``output_path`` is the input file (path, symlink or hard link)."""
    if input_path in (None, "-") or output_path in (None, "-"):
        return
    source, target = Path(input_path), Path(output_path)  # type: ignore[arg-type]
    if source.resolve() == target.resolve() or _same_file(source, target):
        raise ParameterError(
            f"--output {target} is the input file {source}; writing it would destroy the input. "
            "Choose another output path."
        )


class SafeOutput:
    """Write ``path`` through a temporary sibling renamed into place on close (see the module docstring)."""

    def __init__(self, path: str | Path, fmt: str, *, binary: bool, force: bool = False, resume: bool = False):
        self.path = Path(path)
        self.fmt = fmt
        self.binary = binary
        self.resume = resume
        self.done: set[str] = set()  # ids already in the output (resume)
        self.existing: Any = None  # what the writer needs to continue: the CSV header or the Parquet table
        if self.path.is_dir():
            raise ParameterError(f"--output {self.path} is a folder; give a file name.")
        if self.path.exists() and not (force or resume):
            raise ParameterError(
                f"--output {self.path} exists; pass --force to replace it or --resume to continue the run that wrote it."
            )
        parent = self.path.parent
        if not parent.is_dir():
            raise ParameterError(f"--output {self.path}: the folder {parent} does not exist.")
        if not os.access(parent, os.W_OK):
            raise ParameterError(f"--output {self.path}: cannot write in the folder {parent} (permission denied).")
        self.temp = parent / f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp"
        self.handle: IO[Any] | None = None
        self.wrote = False  # set by the caller once this run has written a row

    def __enter__(self) -> SafeOutput:
        if self.binary:
            self.handle = open(self.temp, "wb")
        else:
            self.handle = open(self.temp, "w", encoding="utf-8", newline="")
        try:
            if self.resume and self.path.exists():
                self._copy_existing()
        except BaseException:
            self.handle.close()
            self.temp.unlink(missing_ok=True)
            raise
        return self

    def _copy_existing(self) -> None:
        assert self.handle is not None
        if self.fmt == "jsonl":
            with open(self.path, encoding="utf-8", errors="replace") as old:
                for line in old:
                    try:
                        row = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by the interruption: tagged again
                    if isinstance(row, dict) and row.get("id") is not None:
                        self.handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                        self.done.add(str(row["id"]))
        elif self.fmt == "csv":
            with open(self.path, encoding="utf-8", newline="") as old:
                reader = csv.reader(old)
                header = next(reader, None)
                if header is None:
                    return
                if "id" not in header:
                    raise DataError(f"{self.path}: no 'id' column, so --resume cannot tell which records are done.")
                at = header.index("id")
                writer = csv.writer(self.handle)
                writer.writerow(header)
                for row in reader:
                    if len(row) == len(header) and row[at]:
                        writer.writerow(row)
                        self.done.add(row[at])
                self.existing = header
        elif self.fmt == "parquet":
            import pyarrow.parquet as pq

            try:
                table = pq.read_table(self.path)
            except (OSError, ValueError) as exc:
                raise DataError(
                    f"{self.path}: cannot resume, the Parquet file is unreadable ({exc}); tag again with --force."
                ) from None
            if "id" not in table.column_names:
                raise DataError(f"{self.path}: no 'id' column, so --resume cannot tell which records are done.")
            self.done = {str(value) for value in table.column("id").to_pylist() if value is not None}
            self.existing = table
        self.handle.flush()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        # a run that failed before writing anything leaves the output as it was (or absent)
        self.close(keep=error is None or self.wrote or self.resume)

    def close(self, *, keep: bool = True) -> None:
        """Close the temporary file and rename it over the output (``keep=False``: remove it instead)."""
        if self.handle is None:
            return
        handle, self.handle = self.handle, None
        try:
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            handle.close()
        if keep:
            os.replace(self.temp, self.path)
        else:
            self.temp.unlink(missing_ok=True)
