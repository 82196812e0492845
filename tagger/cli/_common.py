"""Helpers shared by the CLI commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..model import Tagger, default_tagger
from ..taxonomy import Taxonomy, load_taxonomy


def load_tagger(model: str | None) -> Tagger:
    return default_tagger() if model is None else Tagger.load(model)


def load_labels(path: str | None) -> Taxonomy:
    return load_taxonomy(path)


def add_model_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", metavar="PATH", help="model folder (default: the shipped default model)")


def stdin_or_path(value: str):
    return sys.stdin if value == "-" else Path(value)
