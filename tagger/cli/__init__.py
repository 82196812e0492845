"""The ``tagger`` command: a thin argparse layer over importable functions. Only this package prints or exits.

Each command lives in its own module with ``add_parser(subparsers)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .._version import __version__
from ..errors import TaggerError
from . import evaluate_cmd, labels_cmd, suggest_cmd, tag_cmd, train_cmd

__all__ = ["build_parser", "main"]

COMMANDS = (tag_cmd, train_cmd, evaluate_cmd, suggest_cmd, labels_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tagger", description="Tag news articles by region, actor and event type; train and evaluate models."
    )
    parser.add_argument("--version", action="version", version=f"tagger {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds like Ctrl-C: outputs closed, workers stopped."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 ok, 1 error in the data/model, 2 usage error, 130 Ctrl-C,
    143 SIGTERM)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _sigterm_unwinds():
            return int(args.run(args) or 0)
    except TaggerError as exc:
        print(f"tagger {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `tagger tag ... | head`
        return 0
    except Terminated:
        print(f"tagger {args.command}: terminated (SIGTERM); the output written so far is complete", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"tagger {args.command}: interrupted", file=sys.stderr)
        return 130
