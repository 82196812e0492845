"""``tagger labels``: show a taxonomy, or check a taxonomy file and report the first problem."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import TaxonomyError
from ..taxonomy import Taxonomy, load_taxonomy


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("labels", help="show the taxonomy, or validate one with --check")
    parser.add_argument("--check", metavar="FILE", help="validate this taxonomy file")
    parser.add_argument("--labels", metavar="FILE", help="show this taxonomy instead of the default")
    parser.add_argument("--family", metavar="NAME", help="show only this family (e.g. region)")
    parser.set_defaults(run=run)


def describe(taxonomy: Taxonomy, family: str | None = None) -> list[str]:
    """Lines describing a taxonomy: each family with its labels indented under their parents."""
    lines = []
    for name in [family] if family else list(taxonomy):
        fam = taxonomy[name]
        lines.append(f"{name} ({len(fam)} labels){': ' + fam.description if fam.description else ''}")
        children: dict[str | None, list[str]] = {}
        for label in fam.labels:
            children.setdefault(label.parent, []).append(label.id)
        stack = [(label_id, 1) for label_id in reversed(children.get(None, []))]
        while stack:
            label_id, depth = stack.pop()
            label = fam.label(label_id)
            lines.append(f"{'  ' * depth}{label.id:<24} {label.name}  [{len(label.aliases)} aliases]")
            stack.extend((child, depth + 1) for child in reversed(children.get(label_id, [])))
    return lines


def run(args: argparse.Namespace) -> int:
    if args.check:
        taxonomy = load_taxonomy(args.check)
        counts = ", ".join(f"{name}: {len(taxonomy[name])}" for name in taxonomy)
        print(f"{args.check}: ok ({counts} labels; hash {taxonomy.hash[:12]})")
        return 0
    taxonomy = load_taxonomy(args.labels)
    if args.family is not None and args.family not in taxonomy.families:
        raise TaxonomyError(f"no family {args.family!r} in the taxonomy; it has: {', '.join(taxonomy.families)}.")
    print("\n".join(describe(taxonomy, args.family)))
    return 0
