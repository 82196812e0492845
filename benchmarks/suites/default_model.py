"""The shipped default model on its own held-out split (``scripts/build_default_model.py``'s ``is_heldout``): per family
micro/macro P/R/F1 and per-label table, next to the alias-only baseline (every label whose alias or place name appears,
with its ancestors) and the two text classifiers trained on the same training split.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from ..common import DEFAULT_MODEL, Budget, Progress, Skip, load_script, stopwatch
from ..peers import SYSTEMS, AliasBaseline, FastTextClassifier, SklearnClassifier
from ..render import (
    NAMES,
    _pct,
    _per_label_plot,
    _plot,
    _table,
)

__all__ = ["run"]

PEER_SETTINGS = {"fasttext": {"epoch": 25, "lr": 0.5, "wordNgrams": 2}, "tfidf_lr": {"C": 10.0}}


def run(budget: Budget, progress: Progress, workdir: Path) -> dict[str, Any]:
    if not (DEFAULT_MODEL / "manifest.json").is_file():
        raise Skip(f"no default model in {DEFAULT_MODEL}: build it with `python scripts/build_default_model.py`")
    from tagger import Tagger, evaluate
    from tagger.errors import TaggerError

    try:
        model = Tagger.load(DEFAULT_MODEL)
    except TaggerError as error:
        raise Skip(
            f"{DEFAULT_MODEL} cannot be loaded by this tagger ({error}); rebuild it with "
            "`python scripts/build_default_model.py`"
        ) from None
    build = load_script("build_default_model")
    try:
        team = build.read_team(model.taxonomy)
        ucdp, ucdp_status = build.read_ucdp(model.taxonomy, build.DEFAULT_GED)
    except TaggerError as error:
        raise Skip(f"the corpus no longer matches the model's taxonomy ({error}); rebuild the default model") from None
    sources = {"team": team, "ucdp": ucdp}
    heldout = {name: [r for r in recs if build.is_heldout(r.id)] for name, recs in sources.items()}
    training = [r for recs in sources.values() for r in recs if not build.is_heldout(r.id)]
    test = [r for recs in heldout.values() for r in recs]
    notes = [
        f"UCDP GED headlines: {ucdp_status}.",
        f"held-out rule: {build.HELDOUT_PERCENT}% of ids by SHA-1 (is_heldout).",
    ]
    if budget.quick:
        rng = random.Random(budget.seed)
        test = rng.sample(test, min(len(test), 60))
        training = rng.sample(training, min(len(training), 200))
        notes.append("quick mode: 60 held-out and 200 training records.")
    if not test:
        raise Skip("the held-out split is empty")

    out: dict[str, Any] = {
        "model": str(DEFAULT_MODEL),
        "model_repr": repr(model),
        "sizes": {"train": len(training), "heldout": len(test)},
        "heldout_by_source": {name: len(recs) for name, recs in heldout.items()},
        "notes": notes,
        "systems": {},
        "recorded_at_build": model.info.get("heldout_metrics", {}).get("all"),
    }
    bar = progress.bar(4, "default model")
    with stopwatch() as t:
        report = evaluate(model, test)
    out["systems"]["tagger"] = {
        "system": "tagger default model",
        "families": {fam: m.to_dict() for fam, m in report.items()},
        "predict_seconds": t["seconds"],
    }
    if not budget.quick:
        out["systems"]["tagger"]["by_source"] = {
            name: {fam: m.to_dict() for fam, m in evaluate(model, recs).items()}
            for name, recs in heldout.items()
            if recs
        }
    bar.update(1)

    families = {name: fm.family for name, fm in model.families.items()}
    texts = [r.text for r in test]
    alias = {}
    for name, family in families.items():
        predictions = AliasBaseline(model.matchers[name], family).predict(texts)
        alias[name] = _score(family, test, predictions)
    out["systems"]["alias_only"] = {"system": "alias matches only (no learning)", "families": alias}
    bar.update(1)

    for key, make in (("fasttext", FastTextClassifier), ("tfidf_lr", SklearnClassifier)):
        try:
            scores, seconds = {}, 0.0
            for name, family in families.items():
                rows = [r for r in training if name in r.labels]
                gold = [family.with_ancestors(list(r.labels[name])) for r in rows]
                clf = make(**PEER_SETTINGS[key])
                with stopwatch() as t:
                    clf.fit([r.text for r in rows], [frozenset(g) for g in gold])
                seconds += t["seconds"]
                predictions = [frozenset(family.with_ancestors(sorted(p))) for p in clf.predict(texts)]
                scores[name] = _score(family, test, predictions)
            out["systems"][key] = {
                "system": SYSTEMS[key],
                "families": scores,
                "setting": PEER_SETTINGS[key],
                "fit_seconds": seconds,
            }
        except Skip as skip:
            out["systems"][key] = {"system": SYSTEMS[key], "skipped": str(skip)}
        bar.update(1)
    bar.close()
    return out


def _score(family: Any, records: list[Any], predictions: list[frozenset[str]]) -> dict[str, Any]:
    """Score one family exactly as tagger.evaluate does: records that annotate it, gold closed under the hierarchy."""
    import numpy as np

    from tagger.evaluate import gold_matrix, score_matrices

    rows = [i for i, r in enumerate(records) if r.labels.get(family.name) is not None]
    gold = gold_matrix(family, [records[i].labels[family.name] for i in rows])
    pred = np.zeros_like(gold)
    for k, i in enumerate(rows):
        for label_id in predictions[i]:
            if label_id in family:
                pred[k, family.index(label_id)] = True
    return score_matrices(family.name, family.ids, gold, pred).to_dict()


# --- report section (rendered by benchmarks.report) ------------------------------------------------------------


def _default_model_section(results: dict[str, Any], out: Path) -> list[str]:
    dm = results["suites"].get("default_model", {})
    lines = ["## 1. Default model on its held-out split", ""]
    if dm.get("status") != "ok":
        return lines + [f"Skipped: {dm.get('reason', 'not run')}.", ""]
    lines += [
        f"Model: `{dm['model_repr']}`. {dm['sizes']['heldout']} held-out records "
        f"({', '.join(f'{k}: {n}' for k, n in dm['heldout_by_source'].items())}), "
        f"{dm['sizes']['train']} training records for the peers.",
        "",
    ]
    lines += [f"- {n}" for n in dm["notes"]] + [""]
    rows = []
    for fam in dm["systems"]["tagger"]["families"]:
        for key in ("tagger", "alias_only", "fasttext", "tfidf_lr"):
            m = dm["systems"].get(key, {}).get("families", {}).get(fam)
            if not m:
                continue
            rows.append(
                [
                    fam,
                    NAMES.get(key, key),
                    str(m["documents"]),
                    _pct(m["micro_precision"], 1),
                    _pct(m["micro_recall"], 1),
                    _pct(m["micro_f1"], 1),
                    _pct(m["macro_precision"], 1),
                    _pct(m["macro_recall"], 1),
                    _pct(m["macro_f1"], 1),
                ]
            )
    lines += _table(
        ["family", "system", "docs", "micro P", "micro R", "micro F1", "macro P", "macro R", "macro F1"],
        rows,
        "llrrrrrrr",
    )
    lines.append("")
    for fam, m in dm["systems"]["tagger"]["families"].items():
        labels = [lm for lm in m["labels"] if lm["support"] > 0]
        alias = {lm["id"]: lm for lm in dm["systems"]["alias_only"]["families"][fam]["labels"]}
        series = {
            "tagger": {lm["id"]: lm["f1"] for lm in m["labels"]},
            "alias_only": {k: v["f1"] for k, v in alias.items()},
        }
        for key in ("fasttext", "tfidf_lr"):
            fm = dm["systems"].get(key, {}).get("families", {}).get(fam)
            if fm:
                series[key] = {lm["id"]: lm["f1"] for lm in fm["labels"]}
        shown = [lm["id"] for lm in labels[:40]]
        plot = f"per_label_f1_default_{fam}.png"
        drawn = _plot(
            lines,
            _per_label_plot,
            out / plot,
            f"default model, {fam}: per-label F1 (held-out, top {len(shown)} by support)",
            series,
            shown,
        )
        lines += [
            f"**{fam}** per label (held-out; alias-only F1 for comparison)" + (f" — ![]({plot})" if drawn else ""),
            "",
        ]
        rows = [
            [
                lm["id"],
                _pct(lm["precision"], 1),
                _pct(lm["recall"], 1),
                _pct(lm["f1"], 1),
                str(lm["support"]),
                str(lm["predicted"]),
                _pct(alias.get(lm["id"], {}).get("f1", 0.0), 1),
            ]
            for lm in labels[:40]
        ]
        lines += _table(["label", "P", "R", "F1", "support", "predicted", "alias-only F1"], rows)
        if len(labels) > 40:
            lines.append(
                f"\n{len(labels) - 40} more labels with 1–{labels[40]['support']} held-out examples each: "
                "see results.json."
            )
        lines.append("")
    return lines


render = _default_model_section
