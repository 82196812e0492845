"""Turn articles into features: hashed n-gram TF-IDF, alias-match evidence per label, and candidate rows.

Nothing here knows about training. Every transform is a pure function of the text and of plain arrays that a
model folder stores (selected hash columns, idf weights, matcher table), so a loaded model computes exactly the
features the trained one did.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import _kernel
from .gazetteer import Matcher, Mention
from .sparse import Rows
from .text import Tokens, tokenize, tokenize_reference, words

if TYPE_CHECKING:  # scipy is imported where a scipy matrix is made (training, references), not to tag
    import scipy.sparse as sp

__all__ = [
    "ALIAS_FEATURES",
    "ANALYZER",
    "CANDIDATE_FEATURES",
    "CANDIDATE_WIDTH",
    "SALIENCE_FEATURES",
    "Document",
    "FeatureBatch",
    "TextVectorizer",
    "alias_features",
    "analyse",
    "alias_features_reference",
    "candidate_rows",
    "candidate_rows_reference",
]

HEADLINE_MAX_TOKENS = 40
LEAD_TOKENS = 60
DATELINE_TOKENS = 6


# The n-gram analyzers a model can record. ``tagger-hash-1`` hashes the raw text; ``tagger-hash-2`` hashes the
# analysed words with every place name (a match of a family that has a gazetteer) replaced by one class token, so
# that the n-grams of actors and event types never learn geography ("Aleppo" is no evidence for shelling).
ANALYZER_RAW = "tagger-hash-1"
ANALYZER_DELEX = "tagger-hash-2"
ANALYZERS = (ANALYZER_RAW, ANALYZER_DELEX)
ANALYZER = ANALYZER_DELEX  # what new models use
PLACE_TOKEN = "zzplace"
_WORD_PATTERN = re.compile(r"\b\w\w+\b")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_PRIME = np.uint64(0x100000001B3)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray, salt: int) -> np.ndarray:
    """A 64-bit finaliser (splitmix64): spreads polynomial hashes over every bit before the modulo."""
    h = h ^ np.uint64(salt * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF)
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


def _ngram_hashes(units: np.ndarray, ngrams: tuple[int, int], salt: int) -> np.ndarray:
    """Polynomial rolling hashes of every run of ``ngrams[0]..ngrams[1]`` consecutive units, mixed and salted."""
    parts = []
    h = units
    for n in range(1, ngrams[1] + 1):
        if n > 1:
            h = h[:-1] * _PRIME + units[n - 1 :]
        if n >= ngrams[0] and h.size:
            parts.append(_mix(h, salt + n))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _word_hashes(text: str, ngrams: tuple[int, int]) -> np.ndarray:
    """Hashes of the lowercase word n-grams (words of two or more letters or digits), 64-bit."""
    tokens = _WORD_PATTERN.findall(text.lower())
    words = np.fromiter((zlib.crc32(t.encode("utf-8", "surrogatepass")) for t in tokens), np.uint64, len(tokens))
    return _ngram_hashes(words, ngrams, 0)


def _char_hashes(text: str, ngrams: tuple[int, int]) -> np.ndarray:
    """Hashes of the character n-grams of the lowercase text with whitespace runs made single spaces."""
    flat = " " + " ".join(text.lower().split()) + " "
    codes = np.frombuffer(flat.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    return _ngram_hashes(codes, ngrams, 100)


class TextVectorizer:
    """Hashed word and character n-grams with TF-IDF (sublinear by default) over the ``max_features`` most frequent
    columns.

    Hashing keeps no vocabulary (a model stores only the chosen column numbers and their idf), and the counts of a
    corpus can be computed once and re-weighted per cross-validation fold. The hashing is our own (CRC-32 of words,
    a polynomial rolling hash of characters, both mixed with splitmix64): vectorised with numpy, identical on every
    platform, and it needs no scikit-learn at prediction time.
    """

    def __init__(
        self,
        *,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (3, 5),
        n_features: int = 2**20,
        max_features: int = 2**15,
        min_df: int = 2,
        analyzer: str = ANALYZER,
    ):
        if analyzer not in ANALYZERS:
            raise ValueError(f"unknown text analyzer {analyzer!r}; this tagger computes {', '.join(ANALYZERS)}")
        self.analyzer = analyzer
        self.word_ngrams: tuple[int, int] = (int(word_ngrams[0]), int(word_ngrams[1]))
        self.char_ngrams: tuple[int, int] | None = (int(char_ngrams[0]), int(char_ngrams[1])) if char_ngrams else None
        self.n_features = n_features
        self.max_features = max_features
        self.min_df = min_df
        self.columns = np.zeros(0, dtype=np.int64)
        self.idf = np.zeros(0, dtype=np.float32)

    def config(self) -> dict:
        return {
            "analyzer": self.analyzer,
            "word_ngrams": list(self.word_ngrams),
            "char_ngrams": list(self.char_ngrams) if self.char_ngrams else None,
            "n_features": self.n_features,
            "max_features": self.max_features,
            "min_df": self.min_df,
        }

    @classmethod
    def from_config(cls, config: dict) -> TextVectorizer:
        """An unfitted vectorizer with the settings of :meth:`config` (the analyzer must be this one)."""
        return cls(
            word_ngrams=tuple(config["word_ngrams"]),
            char_ngrams=tuple(config["char_ngrams"]) if config["char_ngrams"] else None,
            n_features=int(config["n_features"]),
            max_features=int(config["max_features"]),
            min_df=int(config["min_df"]),
            analyzer=config.get("analyzer", ANALYZER_RAW),
        )

    def prepare(
        self, texts: Sequence[str], docs: Sequence[Document] | None, place_families: Sequence[str]
    ) -> list[str]:
        """The strings the n-grams are hashed from: the raw texts, or their words with place names delexicalised."""
        if self.analyzer == ANALYZER_RAW:
            return list(texts)
        if docs is None:
            raise ValueError("the delexicalising analyzer needs the analysed documents")
        return [delexicalise(doc, place_families) for doc in docs]

    @property
    def width(self) -> int:
        """Columns of :meth:`counts`: word n-grams in ``[0, n)``, character n-grams in ``[n, 2n)``."""
        return 2 * self.n_features if self.char_ngrams else self.n_features

    def _kernel_args(self) -> tuple[int, int, int, int, int]:
        chars = self.char_ngrams or (0, 0)
        return (self.word_ngrams[0], self.word_ngrams[1], chars[0], chars[1], self.n_features)

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Raw hashed counts: word n-grams in columns ``[0, n)``, character n-grams in ``[n, 2n)``.

        Computed by the compiled kernel; :meth:`counts_reference` is the same with numpy, and the tests hold them
        equal bit for bit.
        """
        data, indices, indptr = _kernel.ngram_counts(list(texts), *self._kernel_args())
        return Rows(data, indices, indptr, (len(texts), self.width)).scipy()

    def counts_reference(self, texts: Sequence[str]) -> sp.csr_matrix:
        """:meth:`counts` in numpy (the reference the kernel is tested against)."""
        import scipy.sparse as sp

        n_features = np.uint64(self.n_features)
        indices, values = [], []
        indptr = [0]
        for text in texts:
            cols = (_word_hashes(text, self.word_ngrams) % n_features).astype(np.int64)
            if self.char_ngrams:
                chars = (_char_hashes(text, self.char_ngrams) % n_features).astype(np.int64) + self.n_features
                cols = np.concatenate([cols, chars])
            unique, count = np.unique(cols, return_counts=True)  # sorted, one entry per column
            indices.append(unique)
            values.append(count.astype(np.float32))
            indptr.append(indptr[-1] + unique.size)
        return sp.csr_matrix(
            (
                np.concatenate(values) if values else np.zeros(0, dtype=np.float32),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.int64),
                np.asarray(indptr, dtype=np.int64),
            ),
            shape=(len(texts), self.width),
        )

    def fit(self, counts: sp.csr_matrix) -> TextVectorizer:
        """Choose the columns (document frequency ≥ ``min_df``, the ``max_features`` most frequent) and their idf."""
        return self.fit_df(np.bincount(counts.indices, minlength=counts.shape[1]), counts.shape[0])

    def fit_df(self, df: np.ndarray, n_docs: int) -> TextVectorizer:
        """:meth:`fit` from document frequencies gathered elsewhere (e.g. batch by batch over a stream)."""
        eligible = np.flatnonzero(df >= self.min_df)
        if eligible.size > self.max_features:
            # stable sort: ties broken by column number, so the choice is deterministic
            order = np.argsort(-df[eligible], kind="stable")[: self.max_features]
            eligible = np.sort(eligible[order])
        self.columns = eligible.astype(np.int64)
        self.idf = (np.log((1.0 + n_docs) / (1.0 + df[eligible])) + 1.0).astype(np.float32)
        return self

    def _position(self) -> np.ndarray:
        """Hashed column -> chosen column (or -1), built once per fitted vectorizer: an O(1) look-up per n-gram."""
        if getattr(self, "_lookup_for", None) is not self.columns:
            lookup = np.full(self.width, -1, dtype=np.int32)
            lookup[self.columns] = np.arange(self.columns.size, dtype=np.int32)
            self._lookup, self._lookup_for = lookup, self.columns
        return self._lookup

    def _column_index(self) -> tuple[np.ndarray, np.ndarray]:
        """The chosen columns as the kernel's bitmap + prefix counts, built once per fitted vectorizer."""
        if getattr(self, "_index_for", None) is not self.columns:
            self._index, self._index_for = _kernel.column_index(self.columns, self.width), self.columns
        return self._index

    def weigh(self, counts: sp.csr_matrix, *, sublinear: bool = True) -> sp.csr_matrix:
        """Project counts onto the chosen columns as L2-normalised TF-IDF (float32): sublinear ``(1 + log tf) * idf``
        by default, ``tf * idf`` with ``sublinear=False``."""
        return self.weigh_chosen(self.chosen(counts), sublinear=sublinear).scipy()

    def chosen(self, counts: sp.csr_matrix) -> Rows:
        """Full hashed counts projected onto the chosen columns (raw counts, columns in order; not weighted)."""
        counts = counts.tocsr()
        n_docs, n_cols = counts.shape[0], self.columns.size
        if n_cols == 0:
            return Rows.empty(n_docs, 0)
        position = self._position()[counts.indices]
        full = Rows(counts.data, counts.indices, counts.indptr, counts.shape)
        return full.keep(position >= 0, position, n_cols)

    def counts_chosen(self, texts: Sequence[str]) -> Rows:
        """:meth:`chosen` of the texts' counts without the full counts: the kernel counts only the chosen columns
        (tagging path)."""
        n_docs, n_cols = len(texts), self.columns.size
        if n_cols == 0:
            return Rows.empty(n_docs, 0)
        data, position, indptr = _kernel.ngram_counts(list(texts), *self._kernel_args(), self._column_index())
        return Rows(data, position, indptr, (n_docs, n_cols))

    def transform_chosen(self, texts: Sequence[str], *, sublinear: bool = True) -> Rows:
        """:meth:`transform` without the full counts: the kernel counts only the chosen columns (tagging path)."""
        return self.weigh_chosen(self.counts_chosen(texts), sublinear=sublinear)

    def weigh_chosen(self, chosen: Rows, *, sublinear: bool = True) -> Rows:
        """TF-IDF (sublinear ``(1 + log tf) * idf`` or linear ``tf * idf``), L2-normalised per row, of counts already
        on the chosen columns, in column order (from :meth:`chosen` or :meth:`counts_chosen`, which give the same
        matrix)."""
        n_docs = chosen.shape[0]
        if self.columns.size == 0:
            return Rows.empty(n_docs, 0)
        data, position = chosen.data, chosen.indices
        values: np.ndarray
        if sublinear:
            values = (1.0 + np.log(data, dtype=np.float32)) * self.idf[position]
        else:
            values = data.astype(np.float32) * self.idf[position]
        row_of = np.repeat(np.arange(n_docs), np.diff(chosen.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=values * values, minlength=n_docs)).astype(np.float32)
        norms[norms == 0] = 1.0
        values = (values / norms[row_of]).astype(np.float32)
        return Rows(values, position, chosen.indptr, chosen.shape)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.weigh(self.counts(texts))


@dataclass
class Document:
    """An article reduced to what the mention features need: tokens, their zones and the matches per family."""

    tokens: Tokens
    headline_end: int  # tokens [0, headline_end) form the headline (0 when there is none)
    mentions: dict[str, list[Mention]]
    _context: SentenceContext | None = field(default=None, repr=False, compare=False)

    @property
    def context(self) -> SentenceContext:
        """What each sentence says about the time and reality of its events (computed once, on first use)."""
        if self._context is None:
            self._context = SentenceContext(self.tokens)
        return self._context


def delexicalise(doc: Document, place_families: Sequence[str]) -> str:
    """The document's words joined by spaces, every place-name match replaced by :data:`PLACE_TOKEN`.

    >>> from tagger.gazetteer import Mention
    >>> from tagger.text import tokenize
    >>> doc = Document(tokenize("Shelling hit Deir ez-Zor"), 0, {"region": [Mention(0, 2, 5, 3, False, 0)]})
    >>> delexicalise(doc, ["region"])
    'shelling hit zzplace'
    """
    keys = doc.tokens.keys
    spans = sorted((m.start, m.end) for family in place_families for m in doc.mentions.get(family, ()))
    if not spans:
        return " ".join(keys)
    out: list[str] = []
    position = 0
    for start, end in spans:
        if start < position:
            continue  # overlapping matches of two families: the first wins
        out.extend(keys[position:start])
        out.append(PLACE_TOKEN)
        position = end
    out.extend(keys[position:])
    return " ".join(out)


# --- what a sentence says about its events: negated, hypothetical, historical, or a report of something done ----

NEGATION_WORDS = frozenset(
    "no not never without none nobody neither nor denied denies deny unharmed rejected refuted".split()
)
MODAL_WORDS = frozenset(
    "could would might may should if unless plans plan planned planning threatened threatens threaten threat "
    "threats warned warns warning intends intend intention prepare preparing possible potential likely fears "
    "feared vowed vows pledged pledge proposed proposal considering consider ready will".split()
)
HISTORY_WORDS = frozenset(
    "since ago former formerly previously earlier anniversary history historic legacy past decade decades once "
    "recalled remembered defeat defeated".split()
)
TRIGGER_WORDS = frozenset(
    "killed kill killing killings attacked attack attacks struck strike strikes airstrike airstrikes bombed "
    "bombing bombings shelled shelling clashed clashes clash fighting fought exploded explosion blast wounded "
    "injured died dead shot fired raided raid raids arrested arrests detained abducted kidnapped protest protests "
    "protested protesters rally rallied demonstrators demonstration marched rioters riot rioting captured seized "
    "ambushed ambush massacre executed looted burned torched stormed intercepted downed deployed talks met signed "
    "agreement ceasefire hit targeted opened launched".split()
)
# a word after a mention that makes it a modifier ("Iranian-made", "Russian-backed", "US-led") or a speaker
MODIFIER_NEXT = frozenset(
    "made backed led funded supported sponsored armed trained built allied aligned linked affiliated brokered "
    "manufactured supplied designed based owned style born origin".split()
)
SPEAKER_NEXT = frozenset(
    "official officials spokesman spokeswoman spokesperson minister ministry president prime secretary embassy "
    "envoy ambassador diplomat diplomats government leader leaders authorities said says told warned announced "
    "condemned urged called denied accused department foreign officer commander sources media press statement "
    "counterpart delegation administration".split()
)
_SPEAKER_AFTER = frozenset(("said", "says", "told"))  # "Turkey's ministry said": a speaker one word on
LOCATIVE_PREV = frozenset(
    "in near outside at into across inside around towards toward through throughout within north south east west "
    "northern southern eastern western central northeast northwest southeast southwest province district village "
    "town city county governorate state region area border countryside outskirts".split()
)


def _is_year(key: str) -> bool:
    return len(key) == 4 and key.isdigit() and key[:2] in ("19", "20")


# word -> its class for the kernel's scan (1 negation, 2 modal, 3 history, 4 trigger); the first set named wins,
# as in the reference's elif chain
_WORD_CLASS: dict[str, int] = {}
for _code, _words in ((4, TRIGGER_WORDS), (3, HISTORY_WORDS), (2, MODAL_WORDS), (1, NEGATION_WORDS)):
    _WORD_CLASS.update(dict.fromkeys(_words, _code))


class SentenceContext:
    """Per sentence: negated, modal, dated in the past; and where the event trigger words are."""

    __slots__ = ("history", "modal", "negated", "triggers", "year")

    def __init__(self, tokens: Tokens):
        n_sentences = (tokens.sentences[-1] + 1) if len(tokens) else 0
        self.negated = [False] * n_sentences
        self.modal = [False] * n_sentences
        self.history = [False] * n_sentences
        self.year = [False] * n_sentences
        self.triggers: list[int] = []
        # the compiled scan of :meth:`reference_scan`: one dict look-up per token
        _kernel.sentence_flags(
            tokens.keys, tokens.sentences, _WORD_CLASS, self.negated, self.modal, self.history, self.year, self.triggers
        )

    def reference_scan(self, tokens: Tokens) -> None:
        """The flags and triggers in plain Python (what the kernel is tested against)."""
        for position, (key, sentence) in enumerate(zip(tokens.keys, tokens.sentences, strict=True)):
            if key in NEGATION_WORDS:
                self.negated[sentence] = True
            elif key in MODAL_WORDS:
                self.modal[sentence] = True
            elif key in HISTORY_WORDS:
                self.history[sentence] = True
            elif key in TRIGGER_WORDS:
                self.triggers.append(position)
            elif _is_year(key):
                self.year[sentence] = True

    def trigger_distance(self, start: int, end: int, sentence: int, sentences: list[int]) -> int | None:
        """Tokens between the span and the nearest trigger word of the same sentence (None when there is none)."""
        best = None
        for position in self.triggers:
            if sentences[position] != sentence or start <= position < end:
                continue
            distance = start - position if position < start else position - end + 1
            if best is None or distance < best:
                best = distance
        return best


def analyse(text: str, matchers: Mapping[str, Matcher]) -> Document:
    """Tokenise ``text``, find its headline and run every family's matcher over it."""
    tokens = tokenize(text)
    return Document(tokens, _headline_end(text, tokens), {name: m.find(tokens) for name, m in matchers.items()})


def analyse_reference(text: str, matchers: Mapping[str, Matcher]) -> Document:
    """:func:`analyse` in plain Python (reference tokeniser and matcher): what the kernel is tested against."""
    tokens = tokenize_reference(text)
    return Document(
        tokens, _headline_end(text, tokens), {name: m.find_reference(tokens) for name, m in matchers.items()}
    )


def _headline_end(text: str, tokens: Tokens) -> int:
    stripped = text.lstrip()
    newline = stripped.find("\n")
    if newline < 0:
        return 0
    end = len(words(stripped[:newline]))
    return end if 0 < end <= HEADLINE_MAX_TOKENS and end < len(tokens) else 0


def _zones(doc: Document, mention: Mention) -> tuple[bool, bool, bool]:
    """(in headline, in lead, in dateline) for one mention."""
    start = mention.start
    body_start = doc.headline_end
    in_headline = start < body_start
    in_lead = body_start <= start < body_start + LEAD_TOKENS
    in_dateline = body_start <= start < body_start + DATELINE_TOKENS
    return in_headline, in_lead, in_dateline


def _lift(mentions: list[Mention], ancestors: Sequence[Sequence[int]]) -> list[tuple[int, Mention, bool]]:
    """Each mention credited to its label and to the label's ancestors: ``(label, mention, is_own)``."""
    lifted = []
    for mention in mentions:
        lifted.append((mention.label, mention, True))
        for ancestor in ancestors[mention.label]:
            lifted.append((ancestor, mention, False))
    return lifted


ALIAS_FEATURES = ("log_count", "in_headline", "in_lead", "early")


class _Lift:
    """A family's labels with their ancestors as flat arrays: label ``i`` is credited to
    ``flat[ptr[i]:ptr[i + 1]]`` (itself first, then its ancestors, nearest first)."""

    __slots__ = ("depth", "flat", "ptr")

    def __init__(self, ancestors: Sequence[Sequence[int]]):
        self.depth = np.asarray([len(a) for a in ancestors], dtype=np.int64)
        self.ptr = np.zeros(len(ancestors) + 1, dtype=np.int64)
        np.cumsum(self.depth + 1, out=self.ptr[1:])
        self.flat = np.asarray([x for label, a in enumerate(ancestors) for x in (label, *a)], dtype=np.int64)


_LIFTS: dict[int, tuple[Sequence[Sequence[int]], _Lift]] = {}


def _lift_of(ancestors: Sequence[Sequence[int]]) -> _Lift:
    """The :class:`_Lift` of an ancestors table, built once per table (models keep theirs for their lifetime)."""
    found = _LIFTS.get(id(ancestors))
    if found is None or found[0] is not ancestors:
        if len(_LIFTS) > 64:
            _LIFTS.clear()
        found = _LIFTS[id(ancestors)] = (ancestors, _Lift(ancestors))
    return found[1]


def alias_features(docs: Sequence[Document], family: str, ancestors: Sequence[Sequence[int]]) -> Rows:
    """Per label: log count of mentions (its own and its descendants'), headline, lead, and how early the first is.

    Columns are label-major: label ``i`` owns columns ``4i .. 4i+3``. Computed by the compiled kernel in one pass
    per document; the values are :func:`alias_features_reference`'s bit for bit.
    """
    lift = _lift_of(ancestors)
    data, indices, indptr = _kernel.alias_rows(list(docs), family, lift.depth, lift.ptr, lift.flat, LEAD_TOKENS)
    return Rows(data, indices, indptr, (len(docs), len(ancestors) * len(ALIAS_FEATURES)))


def alias_features_reference(
    docs: Sequence[Document], family: str, ancestors: Sequence[Sequence[int]]
) -> sp.csr_matrix:
    """:func:`alias_features` document by document in plain Python (the reference)."""
    import scipy.sparse as sp

    n_labels = len(ancestors)
    width = len(ALIAS_FEATURES)
    rows, cols, vals = [], [], []
    for row, doc in enumerate(docs):
        n_tokens = max(len(doc.tokens), 1)
        stats: dict[int, list[float]] = {}
        for label, mention, _ in _lift(doc.mentions.get(family, []), ancestors):
            s = stats.setdefault(label, [0.0, 0.0, 0.0, 0.0])
            headline, lead, _dateline = _zones(doc, mention)
            s[0] += 1
            s[1] = max(s[1], float(headline))
            s[2] = max(s[2], float(lead))
            s[3] = max(s[3], 1.0 - mention.start / n_tokens)
        for label, s in stats.items():
            s[0] = math.log1p(s[0])
            for k, value in enumerate(s):
                if value:
                    rows.append(row)
                    cols.append(label * width + k)
                    vals.append(value)
    return sp.csr_matrix(
        (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(len(docs), n_labels * width), dtype=np.float32
    )


CANDIDATE_FEATURES = (
    "bias_candidate",
    "log_count",
    "log_own_alias",
    "log_own_gazetteer",
    "log_from_descendants",
    "in_headline",
    "in_lead",
    "in_dateline",
    "headline_x_count",
    "first_position",
    "share_of_mentions",
    "is_top",
    "only_ambiguous",
    "log_population",
    "log_candidates",
    "depth_0",
    "depth_1",
    "depth_2plus",
    "label_prior",
    "log_doc_tokens",
    "capitalised",
)
CONTEXT_BUCKETS = 2**10
_CONTEXT_OFFSETS = ((-2, "L2"), (-1, "L1"), (1, "R1"), (2, "R2"))
# Mention salience, appended after the context buckets (columns ``len(CANDIDATE_FEATURES) + CONTEXT_BUCKETS + k``):
# what the mentions' contexts say, as shares of the label's mentions. They mean the same for any country or actor.
SALIENCE_FEATURES = (
    "share_modifier",  # "Iranian-made", "Russian-backed", "US-led"
    "share_speaker",  # "US officials said", "the Turkish ministry"
    "share_locative",  # "in", "near", "outside", "X province"
    "share_negated",  # the sentence has a negation
    "share_modal",  # could, would, plans, threatened, if
    "share_history",  # since, ago, former, defeat
    "share_dated_year",  # the sentence names a year
    "share_with_trigger",  # the sentence reports an event (killed, struck, protest…)
    "trigger_closeness",  # 1 / (1 + distance to the nearest trigger / 5), best mention
    "in_first_sentence",  # a mention in the first sentence of the body (or the only sentence)
    "share_of_sentences",  # sentences naming the label / sentences of the document
    "all_shared",  # every mention's form also names other labels
    "all_small_places",  # every mention is a place of fewer than 15,000 people (and no alias)
    "only_modifier_or_speaker",  # no mention is used as a place or a party: only adjectives and speakers
)
SMALL_PLACE = 15_000


@functools.lru_cache(maxsize=1 << 16)
def _context_bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8", "surrogatepass")) % CONTEXT_BUCKETS


PRIOR_COLUMN = CANDIDATE_FEATURES.index("label_prior")
# the kernel computes these columns in this order (tagger/_kernel.pyx: N_DENSE, N_SALIENCE)
assert len(CANDIDATE_FEATURES) == 21 and len(SALIENCE_FEATURES) == 14
CANDIDATE_WIDTH = len(CANDIDATE_FEATURES) + CONTEXT_BUCKETS + len(SALIENCE_FEATURES)


def candidate_rows_reference(
    docs: Sequence[Document],
    family: str,
    ancestors: Sequence[Sequence[int]],
    label_prior: np.ndarray | None = None,
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """:func:`candidate_rows` label by label in plain Python: the reference the batch version is tested against.

    Candidates are the labels mentioned and their ancestors. ``label_prior`` holds, per label, the log-odds that
    the label is right when it is a candidate (estimated on training data); it lets frequent true places count
    more than, say, a city name that is usually a false match. Without it the prior column is left empty, for the
    scorer to fill (:class:`tagger.features.FeatureBatch` computes rows once for any prior).
    """
    import scipy.sparse as sp

    n_dense = len(CANDIDATE_FEATURES)
    salience_at = n_dense + CONTEXT_BUCKETS
    rows, cols, vals = [], [], []
    doc_index: list[int] = []
    label_index: list[int] = []
    row = 0
    for d, doc in enumerate(docs):
        mentions = doc.mentions.get(family, [])
        if not mentions:
            continue
        n_tokens = max(len(doc.tokens), 1)
        per_label: dict[int, list[tuple[Mention, bool]]] = {}
        for label, mention, own in _lift(mentions, ancestors):
            per_label.setdefault(label, []).append((mention, own))
        counts = {label: len(items) for label, items in per_label.items()}
        depth_max: dict[int, int] = {}
        for label, count in counts.items():
            depth = len(ancestors[label])
            depth_max[depth] = max(depth_max.get(depth, 0), count)
        log_candidates = math.log1p(len(per_label))
        log_tokens = math.log1p(n_tokens) / 10.0
        tokens = doc.tokens
        keys, sentence_of = tokens.keys, tokens.sentences
        context_of = doc.context
        n_sentences = max(len(context_of.negated), 1)
        body_first = sentence_of[doc.headline_end] if doc.headline_end < n_tokens and len(tokens) else 0
        for label in sorted(per_label):
            items = per_label[label]
            depth = len(ancestors[label])
            own_alias = sum(1 for m, own in items if own and m.kind == 0)
            own_gaz = sum(1 for m, own in items if own and m.kind != 0)
            from_desc = sum(1 for _, own in items if not own)
            headline = lead = dateline = False
            first = n_tokens
            population = 0
            capitalised = 0
            context: dict[int, float] = {}
            modifier = speaker = locative = negated = modal = history = dated = with_trigger = 0
            closeness = 0.0
            first_sentence = False
            all_shared = all_small = True
            sentences_seen: set[int] = set()
            for mention, _ in items:
                sentence = sentence_of[mention.start]
                sentences_seen.add(sentence)
                after = keys[mention.end] if mention.end < n_tokens else ""
                before = keys[mention.start - 1] if mention.start > 0 else ""
                is_modifier = after in MODIFIER_NEXT
                is_speaker = after in SPEAKER_NEXT or (
                    mention.end + 1 < n_tokens and keys[mention.end + 1] in _SPEAKER_AFTER
                )
                modifier += is_modifier
                speaker += is_speaker and not is_modifier
                locative += before in LOCATIVE_PREV
                negated += context_of.negated[sentence]
                modal += context_of.modal[sentence]
                history += context_of.history[sentence]
                dated += context_of.year[sentence]
                distance = context_of.trigger_distance(mention.start, mention.end, sentence, sentence_of)
                if distance is not None:
                    with_trigger += 1
                    closeness = max(closeness, 1.0 / (1.0 + distance / 5.0))
                first_sentence |= sentence == body_first
                all_shared &= mention.shared
                all_small &= mention.kind != 0 and mention.population < SMALL_PLACE
                h, lead_zone, dl = _zones(doc, mention)
                headline |= h
                lead |= lead_zone
                dateline |= dl
                first = min(first, mention.start)
                population = max(population, mention.population)
                capitalised += tokens.caps[mention.start]
                for offset, tag in _CONTEXT_OFFSETS:
                    pos = mention.start + offset if offset < 0 else mention.end + offset - 1
                    if 0 <= pos < n_tokens:
                        bucket = _context_bucket(f"{tag}:{tokens.keys[pos]}")
                        context[bucket] = context.get(bucket, 0.0) + 1.0
            count = len(items)
            log_count = math.log1p(count)
            dense = (
                1.0,
                log_count,
                math.log1p(own_alias),
                math.log1p(own_gaz),
                math.log1p(from_desc),
                float(headline),
                float(lead),
                float(dateline),
                float(headline) * log_count,
                first / n_tokens,
                count / len(mentions),
                float(count == depth_max[depth]),
                float(all(m.ambiguous for m, _ in items)),
                math.log10(population + 1) / 7.0,
                log_candidates,
                float(depth == 0),
                float(depth == 1),
                float(depth >= 2),
                float(label_prior[label]) if label_prior is not None else 0.0,
                log_tokens,
                capitalised / count,
            )
            for k, value in enumerate(dense):
                if value:
                    rows.append(row)
                    cols.append(k)
                    vals.append(value)
            scale = 1.0 / count
            for bucket in sorted(context):
                rows.append(row)
                cols.append(n_dense + bucket)
                vals.append(context[bucket] * scale)
            salience = (
                modifier * scale,
                speaker * scale,
                locative * scale,
                negated * scale,
                modal * scale,
                history * scale,
                dated * scale,
                with_trigger * scale,
                closeness,
                float(first_sentence),
                len(sentences_seen) / n_sentences,
                float(all_shared),
                float(all_small),
                float(modifier + speaker == count),
            )
            for k, value in enumerate(salience):
                if value:
                    rows.append(row)
                    cols.append(salience_at + k)
                    vals.append(value)
            doc_index.append(d)
            label_index.append(label)
            row += 1
    matrix = sp.csr_matrix(
        (np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(row, CANDIDATE_WIDTH), dtype=np.float32
    )
    return matrix, np.asarray(doc_index, dtype=np.int64), np.asarray(label_index, dtype=np.int64)


def candidate_rows(
    docs: Sequence[Document],
    family: str,
    ancestors: Sequence[Sequence[int]],
    label_prior: np.ndarray | None = None,
) -> tuple[Rows, np.ndarray, np.ndarray]:
    """One feature row per (document, candidate label) found by the matcher, plus their doc and label indices.

    Candidates are the labels mentioned and their ancestors. ``label_prior`` holds, per label, the log-odds that
    the label is right when it is a candidate (estimated on training data); it lets frequent true places count
    more than, say, a city name that is usually a false match. Without it the prior column is left empty, for the
    scorer to fill (:class:`tagger.features.FeatureBatch` computes rows once for any prior).

    Computed by the compiled kernel (``_kernel.candidate_rows``) in one pass per document: each mention is
    described once (its context, zones, salience) and credited to its label and the label's ancestors; the values
    are those of :func:`candidate_rows_reference` bit for bit (same double operations, entries in column order).
    """
    lift = _lift_of(ancestors)
    prior = None if label_prior is None else np.asarray(label_prior, dtype=np.float64)
    data, indices, indptr, doc_index, label_index = _kernel.candidate_rows(
        list(docs), family, lift.depth, lift.ptr, lift.flat, prior,
        MODIFIER_NEXT, SPEAKER_NEXT, _SPEAKER_AFTER, LOCATIVE_PREV, _CONTEXT_OFFSETS,
        LEAD_TOKENS, DATELINE_TOKENS, SMALL_PLACE, CONTEXT_BUCKETS,
    )  # fmt: skip
    return Rows(data, indices, indptr, (doc_index.size, CANDIDATE_WIDTH)), doc_index, label_index


class FeatureBatch:
    """The features of one batch of texts, each computed once and only when a scorer asks for it.

    ``docs`` (tokens and matches), the n-gram ``counts`` and their TF-IDF ``ngrams`` (sublinear; the linear variant
    from :meth:`ngrams_for`), and per family the
    ``alias`` evidence matrix and the ``candidates`` rows. :meth:`subset` gives the same features for some of the
    documents (cross-validation folds), optionally under another vectorizer.
    """

    def __init__(
        self,
        texts: Sequence[str],
        matchers: Mapping[str, Matcher],
        vectorizer: TextVectorizer,
        *,
        place_families: Sequence[str] = (),
        docs: list[Document] | None = None,
        counts: sp.csr_matrix | None = None,
    ):
        self.texts = list(texts)
        self.matchers = matchers
        self.vectorizer = vectorizer
        self.place_families = tuple(place_families)
        self._docs = docs
        self._counts = counts
        self._chosen: Rows | None = None  # the counts on the vectorizer's chosen columns
        self._ngrams: dict[bool, Rows] = {}  # by sublinear_tf
        self._alias: dict[str, Rows] = {}
        self._candidates: dict[str, tuple[Rows, np.ndarray, np.ndarray]] = {}
        self._scipy_candidates: dict[str, tuple[sp.csr_matrix, np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def docs(self) -> list[Document]:
        if self._docs is None:
            self._docs = [analyse(text, self.matchers) for text in self.texts]
        return self._docs

    @property
    def counts(self) -> sp.csr_matrix:
        if self._counts is None:
            self._counts = self.vectorizer.counts(self._prepared())
        return self._counts

    @property
    def ngrams(self) -> sp.csr_matrix:
        """The sublinear TF-IDF (what models read unless trained with ``sublinear_tf=False``)."""
        return self.ngrams_for(True)

    def ngrams_for(self, sublinear: bool) -> sp.csr_matrix:
        """:meth:`ngram_rows` as a scipy matrix (for training)."""
        return self.ngram_rows(sublinear).scipy()

    def ngram_rows(self, sublinear: bool = True) -> Rows:
        """The n-gram TF-IDF, sublinear ``(1 + log tf) * idf`` or linear ``tf * idf`` (both L2-normalised), each
        computed once from the same counts on the chosen columns."""
        sublinear = bool(sublinear)
        if sublinear not in self._ngrams:
            self._ngrams[sublinear] = self.vectorizer.weigh_chosen(self._chosen_counts(), sublinear=sublinear)
        return self._ngrams[sublinear]

    def _chosen_counts(self) -> Rows:
        if self._chosen is None:
            if self._counts is None and self.vectorizer.columns.size:
                # tagging: no full counts are needed, only the chosen columns (bit-identical to chosen(counts))
                self._chosen = self.vectorizer.counts_chosen(self._prepared())
            else:
                self._chosen = self.vectorizer.chosen(self.counts)
        return self._chosen

    def _prepared(self) -> list[str]:
        needs_docs = self.vectorizer.analyzer != ANALYZER_RAW
        return self.vectorizer.prepare(self.texts, self.docs if needs_docs else None, self.place_families)

    def alias_rows(self, family: str, ancestors: Sequence[Sequence[int]]) -> Rows:
        """The family's alias evidence (:func:`alias_features`), as the tagging path multiplies it."""
        if family not in self._alias:
            self._alias[family] = alias_features(self.docs, family, ancestors)
        return self._alias[family]

    def alias(self, family: str, ancestors: Sequence[Sequence[int]]) -> sp.csr_matrix:
        """:meth:`alias_rows` as a scipy matrix (for training)."""
        return self.alias_rows(family, ancestors).scipy()

    def candidate_rows(self, family: str, ancestors: Sequence[Sequence[int]]) -> tuple[Rows, np.ndarray, np.ndarray]:
        """Candidate rows (prior column empty), document indices and label indices of one family."""
        if family not in self._candidates:
            self._candidates[family] = candidate_rows(self.docs, family, ancestors)
        return self._candidates[family]

    def candidates(
        self, family: str, ancestors: Sequence[Sequence[int]]
    ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """:meth:`candidate_rows` with the rows as a scipy matrix (for training)."""
        if family not in self._scipy_candidates:
            rows, doc_index, label_index = self.candidate_rows(family, ancestors)
            self._scipy_candidates[family] = (rows.scipy(), doc_index, label_index)
        return self._scipy_candidates[family]

    def subset(self, index: np.ndarray, vectorizer: TextVectorizer | None = None) -> FeatureBatch:
        """The batch restricted to the documents ``index`` (n-gram counts kept, weights recomputed)."""
        return FeatureBatch(
            [self.texts[i] for i in index],
            self.matchers,
            vectorizer or self.vectorizer,
            place_families=self.place_families,
            docs=[self.docs[i] for i in index],
            counts=self.counts[index] if self._counts is not None else None,
        )
