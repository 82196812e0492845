"""Write MODEL_CARD.md for a model folder from its manifest (sources, held-out scores, thresholds, versions)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _table(metrics: dict) -> list[str]:
    lines = [
        "| family | docs | micro P | micro R | micro F1 | macro P | macro R | macro F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for family, m in metrics.items():
        lines.append(
            f"| {family} | {m['documents']} | {m['micro_precision']:.3f} | {m['micro_recall']:.3f} | "
            f"{m['micro_f1']:.3f} | {m['macro_precision']:.3f} | {m['macro_recall']:.3f} | {m['macro_f1']:.3f} |"
        )
    return lines


def write_model_card(folder: Path) -> Path:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    info = manifest["info"]
    build = info.get("build", {})
    heldout = info.get("heldout_metrics", {})
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    out = [
        f"# Model card — {folder.name}",
        "",
        f"Built {info.get('trained_at', '?')} with `{build.get('command', '?')}` (seed {build.get('seed', '?')}, "
        f"{build.get('seconds', '?')} s). Versions: "
        + ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items())
        + f". Size on disk: {size / 1e6:.2f} MB. Format version {manifest['format_version']}.",
        "",
        "## Training data",
        "",
        "| source | records | train | held out |",
        "|---|---|---|---|",
    ]
    for name, counts in build.get("sources", {}).items():
        out.append(f"| {name} | {counts['records']} | {counts['train']} | {counts['heldout']} |")
    out += [
        "",
        "- `team`: articles written by the tagger team for this corpus (`data/corpus/`), labelled by "
        "`data/GUIDELINES.md`.",
        f"- `ucdp`: UCDP GED Syria headlines, hand-labelled (`data/ucdp/`). Status in this build: {build.get('ucdp_ged', '?')}.",
        f"  Citation: {build.get('ucdp_citation', '')}",
        f"- Held-out rule: {build.get('heldout_rule', '?')}.",
        "",
        "## Scorers (chosen by cross-validation)",
        "",
    ]
    for family, fam in info.get("families", {}).items():
        out.append(
            f"- **{family}**: `{fam['strategy']}` (cross-validated micro-F1 by strategy: {fam['cv_micro_f1_by_strategy']}); "
            f"{fam['records']} training records, {fam['labels_with_examples']} labels with examples."
        )
    for name, metrics in heldout.items():
        out += ["", f"## Held-out scores — {name}", "", *_table(metrics)]
    if "all" in heldout:
        out += ["", "## Per-label F1 on the whole held-out split", ""]
        for family, m in heldout["all"].items():
            out += [
                f"### {family}",
                "",
                "| label | P | R | F1 | support | predicted | threshold |",
                "|---|---|---|---|---|---|---|",
            ]
            thresholds = manifest.get("thresholds", {}).get(family, {})
            for lm in m["labels"]:
                t = thresholds.get(lm["id"])
                shown = f"{t:.2f}" if t is not None else "via children"
                out.append(
                    f"| {lm['id']} | {lm['precision']:.2f} | {lm['recall']:.2f} | {lm['f1']:.2f} | {lm['support']} | "
                    f"{lm['predicted']} | {shown} |"
                )
            out.append("")
    path = folder / "MODEL_CARD.md"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    write_model_card(Path(sys.argv[1]))
