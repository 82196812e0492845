"""Text normalisation shared by the taxonomy, the gazetteer builder and the alias matcher.

One definition of "the same surface form" keeps aliases written in ``labels.yaml`` and words found in articles
comparable: accents are stripped, case is folded and every run of punctuation becomes a word break, so
"Deir ez-Zor", "DEIR EZ ZOR" and "Deir-ez-Zôr" are one key.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from . import _kernel

__all__ = [
    "Token",
    "Tokens",
    "is_case_sensitive_alias",
    "normalize",
    "sentence_spans",
    "token_offsets",
    "tokenize",
    "words",
]

# A word is a run of letters or digits (any script); apostrophes inside words are dropped first so that
# "Ma'arat" and "Maarat" meet.
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"(?<=\w)['’ʼ‘`´](?=\w)")
# English possessive "'s" ends a name: "Syria's" is "Syria" (a trailing bare "'" as in "Hamas'" is punctuation)
_POSSESSIVE = re.compile(r"(?<=\w)['’ʼ]s\b")


# combining marks of the scripts news is written in (Latin, Greek, Cyrillic, Hebrew, Arabic, Syriac, Thaana,
# Devanagari and other Indic vowel signs are letters to the regex and stay)
_COMBINING = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u0610-\u061a"
    "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u0711\u0730-\u074a"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


def _fold(text: str) -> str:
    text = _APOSTROPHES.sub("", _POSSESSIVE.sub("", text))
    if text.isascii():  # the common case: nothing to decompose
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def words(text: str) -> list[str]:
    """The words of ``text`` after folding accents and apostrophes, in their original case."""
    return _WORD.findall(_fold(text))


def normalize(text: str) -> str:
    """Return the matching key of ``text``: accent-free, case-folded words joined by single spaces.

    >>> normalize("Deir ez-Zôr")
    'deir ez zor'
    >>> normalize("  Ma'arat al-Nu'man ")
    'maarat al numan'
    >>> normalize("Syria's north")
    'syria north'
    """
    return " ".join(_keys(text))


def _keys(text: str) -> list[str]:
    """The case-folded words of ``text`` (``[w.casefold() for w in words(text)]``), scanned by the kernel."""
    keys: list[str] = []
    folded = _kernel.strip_apostrophes(text)
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    _kernel.scan_words(folded, keys, [], [], [], 0)
    return keys


class Token(NamedTuple):
    """One word of an article: its key and its capitalisation."""

    key: str  # normalised form, as in :func:`normalize`
    cap: bool  # starts with a capital letter
    upper: bool  # all capitals ("IS", "US")


class Tokens:
    """The words of an article as parallel lists (fast to build and scan): keys, capitalised, all-capitals, and
    the sentence each word is in.

    >>> tokens = tokenize("US-led strike on Abu Kamal. Nobody was hurt.")
    >>> tokens.keys
    ['us', 'led', 'strike', 'on', 'abu', 'kamal', 'nobody', 'was', 'hurt']
    >>> tokens[0].upper, tokens[4].cap, tokens.sentences
    (True, True, [0, 0, 0, 0, 0, 0, 1, 1, 1])
    """

    __slots__ = ("caps", "keys", "sentences", "uppers")

    def __init__(self, words: list[str], sentences: list[int] | None = None):
        self.keys = [word.casefold() for word in words]
        self.caps = [word[0].isupper() for word in words]
        self.uppers = [word.isupper() for word in words]
        self.sentences = sentences if sentences is not None else [0] * len(words)

    @classmethod
    def from_lists(cls, keys: list[str], caps: list[bool], uppers: list[bool], sentences: list[int]) -> Tokens:
        """Tokens from their parallel lists (as the compiled tokeniser builds them)."""
        tokens = cls.__new__(cls)
        tokens.keys, tokens.caps, tokens.uppers, tokens.sentences = keys, caps, uppers, sentences
        return tokens

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tokens):
            return NotImplemented
        return (self.keys, self.caps, self.uppers, self.sentences) == (
            other.keys,
            other.caps,
            other.uppers,
            other.sentences,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable lists inside

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: int) -> Token:
        return Token(self.keys[index], self.caps[index], self.uppers[index])


# a sentence ends at . ! ? (or a closing quote after one) followed by space and a capital, digit or quote, or at a
# line break; "U.S. officials" stays one sentence because a lowercase word follows
SENTENCE_BREAK = re.compile(
    r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff])|\n+"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` of the sentences of ``text`` (lines and ``. ! ?`` breaks), found by the
    compiled kernel; :func:`sentence_spans_reference` is the same with :data:`SENTENCE_BREAK`.

    >>> sentence_spans("Gunmen attacked. No one died.\\nNext")
    [(0, 16), (17, 29), (30, 34)]
    """
    return _kernel.sentence_spans(text)


def sentence_spans_reference(text: str) -> list[tuple[int, int]]:
    """:func:`sentence_spans` with the regular expression (the reference the kernel is tested against)."""
    spans, start = [], 0
    for match in SENTENCE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _has_break(text: str) -> bool:
    return "." in text or "\n" in text or "!" in text or "?" in text


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised word tokens with their sentence numbers (see :class:`Tokens`).

    The words are scanned by the compiled kernel (:mod:`tagger._kernel`); :func:`tokenize_reference` is the same
    in plain Python, and the tests hold them equal.
    """
    keys: list[str] = []
    caps: list[bool] = []
    uppers: list[bool] = []
    sentences: list[int] = []
    spans = sentence_spans(text) if _has_break(text) else [(0, len(text))]
    for number, (start, end) in enumerate(spans):
        folded = _kernel.strip_apostrophes(text[start:end])
        if not folded.isascii():  # the rare case: accents to decompose and drop
            folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
        _kernel.scan_words(folded, keys, caps, uppers, sentences, number)
    return Tokens.from_lists(keys, caps, uppers, sentences)


def tokenize_reference(text: str) -> Tokens:
    """:func:`tokenize` with regular expressions only: the reference the kernel is tested against."""
    if "." not in text and "\n" not in text and "!" not in text and "?" not in text:
        return Tokens(words(text))
    all_words: list[str] = []
    sentences: list[int] = []
    for number, (start, end) in enumerate(sentence_spans_reference(text)):
        found = words(text[start:end])
        all_words.extend(found)
        sentences.extend([number] * len(found))
    return Tokens(all_words, sentences)


_RAW_WORD = re.compile(r"[^\W_]+(?:['’ʼ‘`´][^\W_]+)*")


def token_offsets(text: str) -> list[tuple[int, int]]:
    """Character span in ``text`` of every token of :func:`tokenize` (for explanations; slower than tokenize).

    A raw word that folds into several tokens gives each of them its whole span.

    >>> text = "Strike near Deir ez-Zôr"
    >>> [text[a:b] for a, b in token_offsets(text)]
    ['Strike', 'near', 'Deir', 'ez', 'Zôr']
    """
    offsets: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        for match in _RAW_WORD.finditer(text, start, end):
            offsets.extend([match.span()] * len(words(match.group())))
    return offsets


def is_case_sensitive_alias(alias: str) -> bool:
    """All-capitals aliases ("IS", "US", "SDF") match only all-capitals words, so "is" and "us" never fire.

    >>> is_case_sensitive_alias("IS"), is_case_sensitive_alias("Daesh")
    (True, False)
    """
    letters = [ch for ch in alias if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)
