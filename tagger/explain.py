"""The evidence behind each reported label: spans of the article and the sentences that carried them.

Computed only when asked for (``Tagger.tag(text, explain=True)``), after the scores, so tagging without it pays
nothing. Two kinds of evidence:

- ``mention``: a name, alias or gazetteer place of the label or of a label inside it (``Mosul`` for ``iq``),
  weighted by how it is used: in the headline or lead, next to an event word, not as a modifier ("Iranian-made")
  or speaker ("US officials said"), not in a negated, hypothetical or historical sentence;
- ``ngram``: for labels scored by n-gram classifiers, the words of the article that raised the label's score most
  (their TF-IDF weight times the classifier's coefficient).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .features import LOCATIVE_PREV, MODIFIER_NEXT, SPEAKER_NEXT, Document, FeatureBatch, _mix
from .text import sentence_spans, token_offsets

if TYPE_CHECKING:
    from .model import Evidence, LabelScore, Tagger

__all__ = ["explain_batch"]

MAX_EVIDENCE = 5
_PRIME = 0x100000001B3
_MASK = 0xFFFFFFFFFFFFFFFF


def explain_batch(
    tagger: Tagger, batch: FeatureBatch, results: Sequence[Mapping[str, tuple[LabelScore, ...]]]
) -> list[dict[str, dict[str, tuple[Evidence, ...]]]]:
    """Per document, family → label id → evidence (strongest first) for the labels in ``results``."""
    out = []
    for i, families in enumerate(results):
        text = batch.texts[i]
        doc = batch.docs[i]
        offsets = token_offsets(text)
        if len(offsets) != len(doc.tokens):  # cannot happen for text tokenize() splits the same way; be safe
            offsets = []
        sentences = sentence_spans(text)
        per_family: dict[str, dict[str, tuple[Evidence, ...]]] = {}
        for name, labels in families.items():
            model = tagger.families[name]
            family = model.family
            found: dict[str, tuple[Evidence, ...]] = {}
            for item in labels:
                index = family.index(item.id)
                evidence = _mention_evidence(doc, name, index, model.ancestors, text, offsets, sentences)
                evidence += _ngram_evidence(tagger, batch, i, name, index, text, offsets, sentences)
                evidence.sort(key=lambda e: -e.weight)
                found[item.id] = tuple(evidence[:MAX_EVIDENCE])
            per_family[name] = found
        out.append(per_family)
    return out


def _sentence_of(start: int, sentences: list[tuple[int, int]], text: str) -> str:
    for a, b in sentences:
        if a <= start < b:
            return text[a:b].strip()
    return ""


def _evidence(start: int, end: int, text: str, sentences: list[tuple[int, int]], kind: str, weight: float):
    from .model import Evidence

    return Evidence(start, end, text[start:end], _sentence_of(start, sentences, text), kind, float(weight))


def _mention_evidence(
    doc: Document,
    family: str,
    label: int,
    ancestors: Sequence[Sequence[int]],
    text: str,
    offsets: list[tuple[int, int]],
    sentences: list[tuple[int, int]],
) -> list[Evidence]:
    if not offsets:
        return []
    keys, sentence_of = doc.tokens.keys, doc.tokens.sentences
    context = doc.context
    n = len(keys)
    found = []
    for mention in doc.mentions.get(family, ()):
        own = mention.label == label
        if not own and label not in ancestors[mention.label]:
            continue
        sentence = sentence_of[mention.start]
        after = keys[mention.end] if mention.end < n else ""
        before = keys[mention.start - 1] if mention.start > 0 else ""
        weight = 1.0 if own else 0.8
        weight *= 1.5 if mention.start < max(doc.headline_end, 1) or sentence <= 1 else 1.0
        weight *= 0.3 if after in MODIFIER_NEXT or after in SPEAKER_NEXT else 1.0
        weight *= 1.2 if before in LOCATIVE_PREV else 1.0
        weight *= 0.5 if context.negated[sentence] or context.modal[sentence] or context.history[sentence] else 1.0
        weight *= (
            1.3 if context.trigger_distance(mention.start, mention.end, sentence, sentence_of) is not None else 1.0
        )
        start, end = offsets[mention.start][0], offsets[mention.end - 1][1]
        found.append(_evidence(start, end, text, sentences, "mention", weight))
    # one entry per span: the same words matched for a label and its parent count once
    unique: dict[tuple[int, int], Evidence] = {}
    for item in found:
        if (item.start, item.end) not in unique or unique[(item.start, item.end)].weight < item.weight:
            unique[(item.start, item.end)] = item
    return list(unique.values())


def _ngram_evidence(
    tagger: Tagger,
    batch: FeatureBatch,
    row: int,
    family: str,
    label: int,
    text: str,
    offsets: list[tuple[int, int]],
    sentences: list[tuple[int, int]],
) -> list[Evidence]:
    """The word unigrams and bigrams of the document that raise ``label``'s n-gram classifier the most."""
    from .scorers import OvrScorer

    scorer = tagger.families[family].scorer
    ovr = scorer if isinstance(scorer, OvrScorer) else getattr(scorer, "ovr", None)
    if not isinstance(ovr, OvrScorer) or not offsets:
        return []
    positions = np.flatnonzero(ovr.labels == label)
    if positions.size == 0:
        return []
    column = int(positions[0])
    vectorizer = tagger.vectorizer
    if vectorizer.analyzer != "tagger-hash-2":
        return []  # raw-text hashing: spans of the original words cannot be recovered cheaply
    doc = batch.docs[row]
    keys = list(doc.tokens.keys)
    place = np.zeros(len(keys), dtype=bool)
    for name in batch.place_families:
        for mention in doc.mentions.get(name, ()):
            place[mention.start : mention.end] = True
    lookup = vectorizer._position()
    rows = batch.ngram_rows(ovr.sublinear_tf)
    a, b = int(rows.indptr[row]), int(rows.indptr[row + 1])
    tfidf = dict(zip(rows.indices[a:b].tolist(), rows.data[a:b].tolist(), strict=True))
    scored = []
    n_features = np.uint64(vectorizer.n_features)
    usable = [i for i, key in enumerate(keys) if len(key) >= 2 and not place[i]]
    for size in range(vectorizer.word_ngrams[0], vectorizer.word_ngrams[1] + 1):
        for k in range(len(usable) - size + 1):
            span = usable[k : k + size]
            if span[-1] - span[0] != size - 1:
                continue  # a place name or a one-letter word sat between them in the hashed text
            h = 0
            for j in span:  # the rolling hash of features._ngram_hashes, in Python integers (no overflow warnings)
                h = (h * _PRIME + zlib.crc32(keys[j].encode("utf-8", "surrogatepass"))) & _MASK
            hashed = int(_mix(np.asarray([h], dtype=np.uint64), size)[0] % n_features)
            col = int(lookup[hashed]) if hashed < lookup.size else -1
            if col < 0 or col not in tfidf:
                continue
            contribution = tfidf[col] * float(ovr.w_text[col, column])
            if contribution > 0:
                scored.append((contribution, span[0], span[-1]))
    scored.sort(reverse=True)
    return [
        _evidence(offsets[a][0], offsets[b][1], text, sentences, "ngram", weight)
        for weight, a, b in scored[:MAX_EVIDENCE]
    ]
