"""Text normalisation shared by the taxonomy, the gazetteer builder and the alias matcher.

One definition of "the same surface form" keeps aliases written in ``labels.yaml`` and words found in articles
comparable: accents are stripped, case is folded and every run of punctuation becomes a word break, so
"Deir ez-Zor", "DEIR EZ ZOR" and "Deir-ez-Zôr" are one key.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = ["Token", "Tokens", "is_case_sensitive_alias", "normalize", "tokenize", "words"]

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
    return " ".join(word.casefold() for word in words(text))


class Token(NamedTuple):
    """One word of an article: its key and its capitalisation."""

    key: str  # normalised form, as in :func:`normalize`
    cap: bool  # starts with a capital letter
    upper: bool  # all capitals ("IS", "US")


class Tokens:
    """The words of an article as parallel lists (fast to build and scan): keys, capitalised, all-capitals.

    >>> tokens = tokenize("US-led strike on Abu Kamal")
    >>> tokens.keys
    ['us', 'led', 'strike', 'on', 'abu', 'kamal']
    >>> tokens[0].upper, tokens[4].cap
    (True, True)
    """

    __slots__ = ("caps", "keys", "uppers")

    def __init__(self, words: list[str]):
        self.keys = [word.casefold() for word in words]
        self.caps = [word[0].isupper() for word in words]
        self.uppers = [word.isupper() for word in words]

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index: int) -> Token:
        return Token(self.keys[index], self.caps[index], self.uppers[index])


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised word tokens (see :class:`Tokens`)."""
    return Tokens(words(text))


def is_case_sensitive_alias(alias: str) -> bool:
    """All-capitals aliases ("IS", "US", "SDF") match only all-capitals words, so "is" and "us" never fire.

    >>> is_case_sensitive_alias("IS"), is_case_sensitive_alias("Daesh")
    (True, False)
    """
    letters = [ch for ch in alias if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)
