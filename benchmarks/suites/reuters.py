"""Reuters-21578: the 90 ApteMod topics next to the classic linear-SVM results, and ``places`` as country tagging.

The places task compares tagger's two ways of finding countries — the default model as shipped (candidate scorer
over gazetteer mentions, never trained on Reuters), the gazetteer matches alone, and the candidate scorer trained on
Reuters — with the text classifiers trained on Reuters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common import DEFAULT_MODEL, LABELS_YAML, REUTERS_CSV, Budget, Progress, Skip
from ..datasets import Doc, Task, reuters_places, reuters_topics
from ..peers import AliasBaseline, LoadedTagger, TaggerClassifier
from ..protocol import run_system, run_task, tagger_quick_options
from ..render import (
    _pct,
    _per_label_plot,
    _plot,
    _table,
    _task_detail,
)

__all__ = ["run"]


def run(budget: Budget, progress: Progress, workdir: Path) -> dict[str, Any]:
    if not REUTERS_CSV.is_file():
        raise Skip(f"{REUTERS_CSV} not found: Reuters-21578 (research use only) is staged only on the team's machines")
    tasks: dict[str, Any] = {}
    topics = reuters_topics(budget)
    tasks["reuters_topics"] = run_task(topics, budget, progress)
    tasks["reuters_places"] = _places(budget, progress)
    return {"tasks": tasks}


def is_country(label_id: str) -> bool:
    """Country-level ids of tagger's region family are ISO alpha-2 codes (regions and subdivisions are longer)."""
    return len(label_id) == 2


def _places(budget: Budget, progress: Progress) -> dict[str, Any]:
    task = reuters_places(budget)
    taxonomy, reason = _taxonomy()
    if taxonomy is not None:
        region = taxonomy["region"]
        missing = sorted({c for d in task.train + task.dev + task.test for c in d.labels if c not in region})
        if missing:
            _drop_labels(task, set(missing))
            task.notes.append(f"countries absent from tagger's region family, dropped for every system: {missing}.")
    result = run_task(task, budget, progress, keys=("fasttext", "tfidf_lr"))
    systems = result["systems"]
    if taxonomy is None:
        result["notes"].append(f"tagger's region family not available ({reason}): only the text classifiers ran.")
        return result
    region = taxonomy["region"]
    bar = progress.bar(3, "places · tagger")
    model, why = _default_model(taxonomy)
    if model is not None:
        systems["tagger_default_model"] = run_system(
            task, "tagger_default_model", budget, grid=[{}], factory=lambda s: LoadedTagger(model, "region", is_country)
        )
        systems["tagger_default_model"]["system"] = "tagger default model (not trained on Reuters)"
        matcher = model.matchers["region"]
    else:
        result["notes"].append(f"{why}: the 'as shipped' row is missing.")
        from tagger.gazetteer import Matcher, read_gazetteer

        rows = read_gazetteer(region.gazetteer_path) if region.gazetteer_path is not None else ()
        matcher = Matcher.for_family(region, rows)
    bar.update(1)
    systems["alias_only"] = run_system(
        task, "alias_only", budget, grid=[{}], factory=lambda s: AliasBaseline(matcher, region, is_country)
    )
    systems["alias_only"]["system"] = "gazetteer matches only (no learning)"
    bar.update(1)
    # The candidate scorer alone: "auto" (candidate vs hybrid, i.e. n-gram classifiers for the frequent countries with
    # char n-grams on 8,700 long articles) ran over 10 minutes here, beyond the full run's budget.
    options = {"strategy": "candidate", "seed": budget.seed, **tagger_quick_options(budget)}
    if budget.quick:
        options["cv"] = 2
    systems["tagger"] = run_system(
        task,
        "tagger",
        budget,
        grid=[options],
        factory=lambda s: TaggerClassifier(taxonomy=taxonomy, family="region", keep=is_country, **s),
        diagnostics=False,
    )
    systems["tagger"]["system"] = f"tagger trained on Reuters ({systems['tagger']['info'].get('strategy')})"
    bar.update(1)
    bar.close()
    return result


def _taxonomy() -> tuple[Any, str]:
    from tagger import load_taxonomy
    from tagger.errors import TaxonomyError

    if not LABELS_YAML.is_file():
        return None, f"{LABELS_YAML} not found (built by scripts/build_taxonomy.py)"
    try:
        taxonomy = load_taxonomy()
    except (TaxonomyError, OSError) as error:
        return None, str(error)
    if "region" not in taxonomy.families:
        return None, "the taxonomy has no 'region' family"
    return taxonomy, ""


def _default_model(taxonomy: Any) -> tuple[Any, str]:
    if not (DEFAULT_MODEL / "manifest.json").is_file():
        return None, f"no default model in {DEFAULT_MODEL}"
    from tagger import Tagger
    from tagger.errors import TaggerError

    try:
        return Tagger.load(DEFAULT_MODEL), ""
    except TaggerError as error:
        return None, f"{DEFAULT_MODEL} cannot be loaded by this tagger ({error})"


def _drop_labels(task: Task, drop: set[str]) -> None:
    def clean(docs: list[Doc]) -> list[Doc]:
        kept = [Doc(d.text, d.labels - drop, d.id) for d in docs]
        return [d for d in kept if d.labels]

    task.train, task.dev, task.test = clean(task.train), clean(task.dev), clean(task.test)
    task.labels = [label for label in task.labels if label not in drop]


# --- report section (rendered by benchmarks.report) ------------------------------------------------------------


def _reuters_section(results: dict[str, Any], out: Path) -> list[str]:
    reu = results["suites"].get("reuters", {})
    lines = ["## 3. Reuters-21578", ""]
    if reu.get("status") != "ok":
        return lines + [f"Skipped: {reu.get('reason', 'not run')}.", ""]
    topics = reu["tasks"].get("reuters_topics")
    if topics:
        pub = topics["published"]
        lines += ["Read from `../shared/data/reuters21578/` (research use only; never copied into the repository).", ""]
        rows = []
        for s in topics["systems"].values():
            if "metrics" in s:
                rows.append([s["system"], _pct(s["metrics"]["micro_f1"]), _pct(s["metrics"]["macro_f1"]), "this run"])
        for name in ("SVM (linear)", "kNN"):
            rows.append([name, _pct(pub[name]["micro_f1"]), _pct(pub[name]["macro_f1"]), "Yang & Liu 1999"])
        lines += _table(["system", "micro F1", "macro F1", "source"], rows, "lrrl")
        lines += ["", f"Published: {pub['source']}. {pub['note']}", ""]
        lines += _task_detail(topics, out, top=30)
    places = reu["tasks"].get("reuters_places")
    if places:
        lines += _places_detail(places, out)
    return lines


def _places_detail(task: dict[str, Any], out: Path) -> list[str]:
    lines = [f"### {task['title']}", ""]
    sizes = task["sizes"]
    lines.append(
        f"{sizes['train']} train / {sizes['dev']} dev / {sizes['test']} test documents, "
        f"{len(task['labels'])} countries. Country-level predictions only (ISO alpha-2 ids); the world "
        "regions and subdivisions tagger also reports are left out."
    )
    lines.append("")
    rows = []
    for s in task["systems"].values():
        if "metrics" not in s:
            rows.append([s["system"], "skipped: " + s.get("skipped", ""), "", "", "", ""])
            continue
        m = s["metrics"]
        rows.append(
            [
                s["system"],
                _pct(m["micro_precision"]),
                _pct(m["micro_recall"]),
                f"**{_pct(m['micro_f1'])}**",
                _pct(m["macro_f1"]),
                _pct(m["example_f1"]),
            ]
        )
    lines += _table(["system", "micro P", "micro R", "micro F1", "macro F1", "example F1"], rows)
    lines.append("")
    lines += [f"- {n}" for n in task.get("notes", [])] + [""]
    series = {
        k: {lab: v["f1"] for lab, v in s["metrics"]["per_label"].items()}
        for k, s in task["systems"].items()
        if "metrics" in s
    }
    if series:
        support = next(iter(s for s in task["systems"].values() if "metrics" in s))["metrics"]["per_label"]
        labels = sorted(
            (lab for lab in support if support[lab]["support"] > 0), key=lambda lab: -support[lab]["support"]
        )[:30]
        plot = "per_label_f1_reuters_places.png"
        names = {k: s["system"] for k, s in task["systems"].items() if "metrics" in s}
        if _plot(
            lines,
            _per_label_plot,
            out / plot,
            "Reuters places: per-country F1 (top 30 by support)",
            series,
            labels,
            None,
            names,
        ):
            lines += [f"![per-country F1]({plot})", ""]
    return lines


render = _reuters_section
