"""Where ``Tagger.tag_many`` spends its time, stage by stage (CPU process time per article).

``python -m benchmarks.profile [MODEL]`` prints the table for the speed suite's 350-word articles; the speed suite
runs :func:`stage_profile` in a fresh process and the report sets it beside the pure-Python baseline
(``benchmarks/baselines/profile_cdcb320.json``). Stages are timed on the same batches ``tag_many`` uses, each
feature computed once (a :class:`tagger.features.FeatureBatch` caches it), so the stages add up to the total but
for result objects and the rest, which is the total of a plain ``tag_many`` run minus the stages.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

STAGES = (
    "tokenise + match (3 families)",
    "sentence context (negation, modality, triggers)",
    "delexicalise + n-gram hashing + TF-IDF",
    "candidate features (region, actor)",
    "alias features",
    "linear scoring",
    "decide (thresholds + hierarchy)",
    "result objects and the rest",
)


def _one_pass(tagger: Any, texts: list[str], batch_size: int) -> dict[str, float]:
    from tagger.features import FeatureBatch

    spent = dict.fromkeys(STAGES, 0.0)

    def clock(stage: str, start: float) -> float:
        now = time.process_time()
        spent[stage] += now - start
        return now

    for first in range(0, len(texts), batch_size):
        part = texts[first : first + batch_size]
        t = time.process_time()
        prepared = [tagger._prepare(text) for text in part]
        batch = FeatureBatch(prepared, tagger.matchers, tagger.vectorizer, place_families=tagger.place_families)
        docs = batch.docs
        t = clock(STAGES[0], t)
        for doc in docs:
            doc.context  # noqa: B018  # computed once, cached on the document
        t = clock(STAGES[1], t)
        for model in tagger.families.values():
            scorer = getattr(model.scorer, "ovr", None) or model.scorer
            if "ngrams" in model.scorer.needs:
                batch.ngram_rows(getattr(scorer, "sublinear_tf", True))
        t = clock(STAGES[2], t)
        for name, model in tagger.families.items():
            if "candidates" in model.scorer.needs:
                batch.candidate_rows(name, model.ancestors)
        t = clock(STAGES[3], t)
        for name, model in tagger.families.items():
            if "alias" in model.scorer.needs:
                batch.alias_rows(name, model.ancestors)
        t = clock(STAGES[4], t)
        raw = tagger._scores(batch)
        t = clock(STAGES[5], t)
        for name, model in tagger.families.items():
            model.decide(raw[name])
        clock(STAGES[6], t)
    t = time.process_time()
    list(tagger.tag_many(texts, batch_size=batch_size))
    total = time.process_time() - t
    spent[STAGES[7]] = max(total - sum(spent.values()), 0.0)
    return {stage: 1000.0 * seconds / len(texts) for stage, seconds in spent.items()}


def stage_profile(tagger: Any, texts: list[str], *, batch_size: int = 256, repeats: int = 3) -> dict[str, float]:
    """Median over ``repeats`` passes of the CPU milliseconds per article spent in each of :data:`STAGES`."""
    list(tagger.tag_many(texts[:batch_size], batch_size=batch_size))  # warm-up
    passes = [_one_pass(tagger, texts, batch_size) for _ in range(repeats)]
    return {stage: statistics.median(p[stage] for p in passes) for stage in STAGES}


def markdown(now: dict[str, float], before: dict[str, float] | None = None) -> list[str]:
    """The profile as a table; with ``before``, its stages side by side (stages it did not have are blank)."""
    total_now = sum(now.values())
    if before is None:
        lines = ["| stage | ms per article | share |", "| :--- | ---: | ---: |"]
        lines += [f"| {s} | {v:.3f} | {v / total_now:.0%} |" for s, v in now.items()]
        return [*lines, f"| total | {total_now:.3f} | 100% |"]
    total_before = sum(before.values())
    lines = ["| stage | before ms | share | now ms | share | faster |", "| :--- | ---: | ---: | ---: | ---: | ---: |"]
    for stage, value in now.items():
        old = before.get(stage)
        if old is None:
            lines.append(f"| {stage} | – | – | {value:.3f} | {value / total_now:.0%} | – |")
        else:
            faster = f"{old / value:.1f}×" if value > 0 else "–"
            lines.append(
                f"| {stage} | {old:.3f} | {old / total_before:.0%} | {value:.3f} | {value / total_now:.0%} | {faster} |"
            )
    lines.append(f"| total | {total_before:.3f} | 100% | {total_now:.3f} | 100% | {total_before / total_now:.1f}× |")
    return lines


def main(argv: list[str]) -> int:
    from benchmarks.datasets import corpus_texts, synthetic_articles
    from tagger import Tagger
    from tagger._resources import default_model_path

    tagger = Tagger.load(argv[0] if argv else default_model_path())
    texts = synthetic_articles(2000, 350, 0, corpus_texts())
    print("\n".join(markdown(stage_profile(tagger, texts))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
