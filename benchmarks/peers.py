"""The systems compared, behind one small interface: ``fit(texts, label_sets, dev=None)`` / ``predict(texts)`` →
label sets, ``save(folder)`` and ``load(folder)``.

- :class:`TaggerClassifier` — tagger's own trainer on a one-family taxonomy whose labels are the task's classes.
- :class:`FastTextClassifier` — fastText supervised (``loss="ova"`` for multi-label, softmax for multiclass), with its
  own autotune on the dev split when asked.
- :class:`SklearnClassifier` — a plain scikit-learn pipeline: TF-IDF word 1–2-grams + LogisticRegression
  (one-vs-rest for multi-label).

Heavy libraries are imported inside methods, so the speed suite can time a cold import of each system on its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from .common import Skip

__all__ = ["TaggerClassifier", "FastTextClassifier", "SklearnClassifier", "SYSTEMS", "fasttext_clean", "slug"]

SYSTEMS = {"tagger": "tagger", "fasttext": "fastText", "tfidf_lr": "TF-IDF + LogReg"}


def slug(name: str) -> str:
    """A label id tagger accepts (lowercase letters, digits, single hyphens) for a class name."""
    out = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return out or "x"


# --- tagger ----------------------------------------------------------------------------------------------------------


class TaggerClassifier:
    """tagger's trainer on one family. With ``taxonomy``/``family`` given (Reuters places), the labels are that family's
    ids and predictions keep only ids of the task's kind (``keep``: a predicate on ids)."""

    key = "tagger"

    def __init__(
        self, *, multiclass: bool = False, taxonomy: Any = None, family: str = "task", keep: Any = None, **options: Any
    ):
        self.multiclass = multiclass
        self.options = options
        self.family = family
        self.taxonomy = taxonomy
        self.keep = keep
        self.model: Any = None
        self._to_id: dict[str, str] = {}
        self._to_name: dict[str, str] = {}

    def _build_taxonomy(self, classes: Sequence[str]) -> Any:
        from tagger.taxonomy import Taxonomy

        ids: dict[str, str] = {}
        for name in classes:
            base = slug(name)
            candidate, n = base, 2
            while candidate in ids.values():
                candidate, n = f"{base}-{n}", n + 1
            ids[name] = candidate
        self._to_id = ids
        self._to_name = {v: k for k, v in ids.items()}
        # name "class X": a surface form that never occurs in text, so no alias evidence is invented
        labels = [{"id": ids[name], "name": f"class {name}"} for name in classes]
        return Taxonomy.from_dict({"version": 1, "name": "benchmark", "families": {self.family: {"labels": labels}}})

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]], dev: Any = None) -> TaggerClassifier:
        from tagger.training import train  # robust even when tagger.train was imported first

        if self.taxonomy is None:
            classes = sorted({label for labels in label_sets for label in labels})
            taxonomy = self._build_taxonomy(classes)
        else:
            taxonomy = self.taxonomy
            ids = list(taxonomy[self.family].ids)
            self._to_id = {i: i for i in ids}
            self._to_name = dict(self._to_id)
        records = self._records(texts, label_sets)
        options = dict(self.options)
        if options.get("select") and dev is not None:
            dev_texts, dev_labels = dev
            known = [
                (t, [x for x in labels if x in self._to_id]) for t, labels in zip(dev_texts, dev_labels, strict=True)
            ]
            options["dev"] = self._records([t for t, _ in known], [labels for _, labels in known])
        self.model = train(records, taxonomy, **options)
        return self

    def _records(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> list[dict[str, Any]]:
        return [
            {"text": text, "labels": {self.family: [self._to_id[label] for label in labels]}}
            for text, labels in zip(texts, label_sets, strict=True)
            if text.strip()
        ]

    def predict(self, texts: Sequence[str]) -> list[frozenset[str]]:
        if self.multiclass:
            import numpy as np

            scores = self.model.predict_scores(list(texts))[self.family]
            ids = self.model.families[self.family].family.ids
            return [frozenset([self._to_name[ids[int(j)]]]) for j in np.argmax(scores, axis=1)]
        out = []
        for result in self.model.tag_many(texts, batch_size=256):
            names = (self._to_name.get(i) for i in result.ids(self.family))
            out.append(frozenset(n for n in names if n is not None and (self.keep is None or self.keep(n))))
        return out

    def info(self) -> dict[str, Any]:
        summary = self.model.info.get("families", {}).get(self.family, {})
        return {
            "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.options.items()},
            "strategy": summary.get("strategy"),
            "cv_micro_f1": (summary.get("cv_metrics") or {}).get("micro_f1"),
            "selection": summary.get("selection"),
            "shrink": summary.get("shrink"),
        }

    def save(self, folder: Path) -> Path:
        return self.model.save(Path(folder) / "tagger-model")


# --- fastText --------------------------------------------------------------------------------------------------------

_PUNCT = re.compile(r"([^\w\s])")
_SPACE = re.compile(r"\s+")
NONE_LABEL = "NONE_"  # fastText skips lines without a label: documents with no label get this one, never reported


def fasttext_clean(text: str) -> str:
    """fastText's tutorial preprocessing: lower case, punctuation split off, one line."""
    return _SPACE.sub(" ", _PUNCT.sub(r" \1 ", text.lower())).strip()


@contextlib.contextmanager
def _quiet_native_output() -> Iterator[None]:
    """fastText's autotune writes its progress from C++ straight to file descriptors 1 and 2, whatever ``verbose``."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


class FastTextClassifier:
    """fastText supervised. ``autotune_seconds`` > 0 with a dev split runs fastText's own autotune (F1 on dev)."""

    key = "fasttext"

    def __init__(
        self, *, multiclass: bool = False, autotune_seconds: int = 0, threads: int = 1, seed: int = 0, **params: Any
    ):
        try:
            import fasttext  # noqa: F401
        except ImportError:
            raise Skip("fastText is not installed (pip install fasttext-numpy2)") from None
        self.multiclass = multiclass
        self.autotune_seconds = autotune_seconds
        self.threads = threads
        self.seed = seed
        self.params = params
        self.model: Any = None
        self.effective: dict[str, Any] = {}

    @staticmethod
    def _write(path: Path, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        with path.open("w", encoding="utf-8") as handle:
            for text, labels in zip(texts, label_sets, strict=True):
                tags = " ".join(f"__label__{label}" for label in sorted(labels)) or f"__label__{NONE_LABEL}"
                handle.write(f"{tags} {fasttext_clean(text)}\n")

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]], dev: Any = None) -> FastTextClassifier:
        import fasttext

        for labels in label_sets:
            for label in labels:
                if " " in label:
                    raise ValueError(f"fastText labels cannot contain spaces: {label!r}")
        loss = "softmax" if self.multiclass else "ova"
        with tempfile.TemporaryDirectory(prefix="bench-ft-") as tmp:
            train_file = Path(tmp) / "train.txt"
            self._write(train_file, texts, label_sets)
            if self.autotune_seconds and dev is not None:
                dev_texts, dev_labels = dev
                dev_file = Path(tmp) / "dev.txt"
                self._write(dev_file, dev_texts, dev_labels)
                with _quiet_native_output():
                    self.model = fasttext.train_supervised(
                        input=str(train_file),
                        autotuneValidationFile=str(dev_file),
                        autotuneDuration=int(self.autotune_seconds),
                        autotuneMetric="f1",
                        loss=loss,  # autotune keeps a loss set by hand ("will not be automatically optimized")
                        thread=self.threads,
                        verbose=0,
                    )
            else:
                params = {"loss": loss, "thread": self.threads, "seed": self.seed, "verbose": 0, **self.params}
                self.model = _train_retrying(fasttext, str(train_file), params)
        args = self.model.f.getArgs()
        self.effective = {
            "loss": str(args.loss).split(".")[-1],
            "epoch": args.epoch,
            "lr": round(float(args.lr), 4),
            "dim": args.dim,
            "wordNgrams": args.wordNgrams,
            "minn": args.minn,
            "maxn": args.maxn,
            "minCount": args.minCount,
            "bucket": args.bucket,
            "dsub": args.dsub,
            "ws": args.ws,
            "neg": args.neg,
        }
        return self

    def refit_params(self) -> dict[str, Any]:
        """The settings found (by autotune or given), to train again on more data."""
        keep = ("epoch", "lr", "dim", "wordNgrams", "minn", "maxn", "minCount", "bucket", "ws", "neg")
        return {k: self.effective[k] for k in keep}

    def predict(self, texts: Sequence[str]) -> list[frozenset[str]]:
        return predict_fasttext(self.model, texts, self.multiclass)

    def info(self) -> dict[str, Any]:
        return {"params": self.effective, "autotune_seconds": self.autotune_seconds or None}

    def save(self, folder: Path) -> Path:
        path = Path(folder) / "fasttext.bin"
        self.model.save_model(str(path))
        return path


def _train_retrying(fasttext: Any, train_file: str, params: dict[str, Any], attempts: int = 8) -> Any:
    """fastText's one-vs-all loss now and then stops with "Encountered NaN" at random — the same data and settings,
    one thread and a fixed seed, succeed on the next call — so a fit is tried up to ``attempts`` times."""
    for attempt in range(attempts):
        try:
            return fasttext.train_supervised(input=train_file, **params)
        except RuntimeError as error:
            if "NaN" not in str(error) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def predict_fasttext(model: Any, texts: Sequence[str], multiclass: bool) -> list[frozenset[str]]:
    clean = [fasttext_clean(t) for t in texts]
    if multiclass:
        labels, _ = model.predict(clean, k=1)
    else:
        labels, _ = model.predict(clean, k=-1, threshold=0.5)
    prefix = len("__label__")
    return [frozenset(lab[prefix:] for lab in row if lab[prefix:] != NONE_LABEL) for row in labels]


# --- scikit-learn ----------------------------------------------------------------------------------------------------


class SklearnClassifier:
    """TF-IDF (sublinear, word 1–2-grams, min_df 2) + LogisticRegression(C); one-vs-rest, threshold 0.5, for
    multi-label."""

    key = "tfidf_lr"

    def __init__(self, *, multiclass: bool = False, C: float = 1.0):
        self.multiclass = multiclass
        self.C = C
        self.pipeline: Any = None
        self.classes: list[str] = []

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]], dev: Any = None) -> SklearnClassifier:
        import warnings

        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import make_pipeline

        vectorizer = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, dtype=np.float32)
        if self.multiclass:
            y = [next(iter(labels)) for labels in label_sets]
            self.pipeline = make_pipeline(vectorizer, LogisticRegression(C=self.C, max_iter=1000))
            self.pipeline.fit(list(texts), y)
            self.classes = [str(c) for c in self.pipeline.classes_]
            return self
        self.classes = sorted({label for labels in label_sets for label in labels})
        index = {c: j for j, c in enumerate(self.classes)}
        # int64, not int8: scikit-learn's LabelBinarizer mangles int8 indicator columns with more than 127 positives
        y = np.zeros((len(label_sets), len(self.classes)), dtype=np.int64)
        for i, labels in enumerate(label_sets):
            for label in labels:
                y[i, index[label]] = 1
        # dual=True: the same L2-regularised optimum as liblinear's default primal solver, found ~8× faster when
        # features outnumber documents (as with word bigrams)
        clf = OneVsRestClassifier(LogisticRegression(C=self.C, solver="liblinear", dual=True, max_iter=1000))
        self.pipeline = make_pipeline(vectorizer, clf)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "label not present in all training examples"
            self.pipeline.fit(list(texts), y)
        return self

    def predict(self, texts: Sequence[str]) -> list[frozenset[str]]:
        return predict_sklearn(self.pipeline, self.classes, texts, self.multiclass)

    def info(self) -> dict[str, Any]:
        return {"C": self.C}

    def save(self, folder: Path) -> Path:
        import joblib

        path = Path(folder) / "pipeline.joblib"
        joblib.dump({"pipeline": self.pipeline, "classes": self.classes, "multiclass": self.multiclass}, path)
        return path


def predict_sklearn(
    pipeline: Any, classes: Sequence[str], texts: Sequence[str], multiclass: bool
) -> list[frozenset[str]]:
    if multiclass:
        return [frozenset([str(c)]) for c in pipeline.predict(list(texts))]
    matrix = pipeline.predict(list(texts))
    matrix = matrix.toarray() if hasattr(matrix, "toarray") else matrix
    return [frozenset(classes[j] for j in row.nonzero()[0]) for row in matrix]


# --- alias / gazetteer matching alone ---------------------------------------------------------------------------------


class AliasBaseline:
    """Tag every label whose alias (or gazetteer place name) appears, with its ancestors: no learning at all.

    ``matcher`` is a family's :class:`tagger.gazetteer.Matcher` (a model's ``matchers[family]``, or one built from a
    taxonomy); ``keep`` filters the ids reported (e.g. countries only).
    """

    key = "alias_only"

    def __init__(self, matcher: Any, family: Any, keep: Any = None):
        self.matcher = matcher
        self.family = family
        self.keep = keep

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]], dev: Any = None) -> AliasBaseline:
        return self

    def predict(self, texts: Sequence[str]) -> list[frozenset[str]]:
        from tagger.text import tokenize

        labels = self.family.labels
        out = []
        for text in texts:
            found = [labels[m.label].id for m in self.matcher.find(tokenize(text))]
            ids = self.family.with_ancestors(found)
            out.append(frozenset(i for i in ids if self.keep is None or self.keep(i)))
        return out

    def info(self) -> dict[str, Any]:
        return {"surface_forms": len(self.matcher)}


class LoadedTagger:
    """A trained tagger model used as it is (no training on the task): one family's ids, filtered by ``keep``."""

    key = "tagger_pretrained"

    def __init__(self, model: Any, family: str, keep: Any = None):
        self.model = model
        self.family = family
        self.keep = keep

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]], dev: Any = None) -> LoadedTagger:
        return self

    def predict(self, texts: Sequence[str]) -> list[frozenset[str]]:
        return [
            frozenset(i for i in result.ids(self.family) if self.keep is None or self.keep(i))
            for result in self.model.tag_many(texts, batch_size=256)
        ]

    def info(self) -> dict[str, Any]:
        return {"model": str(self.model)}
