"""Text normalisation shared by the taxonomy, the gazetteer builder and the alias matcher.

One definition of "the same surface form" keeps aliases written in ``labels.yaml`` and words found in articles
comparable: accents are stripped, case is folded and every run of punctuation becomes a word break, so
"Deir ez-Zor", "DEIR EZ ZOR" and "Deir-ez-Zôr" are one key.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

__all__ = ["Token", "fold", "is_case_sensitive_alias", "normalize", "tokenize"]

# A word is a run of letters or digits (any script); apostrophes inside words are dropped first so that
# "Ma'arat" and "Maarat" meet.
_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"(?<=\w)['’ʼ‘`´](?=\w)")
# English possessive "'s" ends a name: "Syria's" is "Syria" (a trailing bare "'" as in "Hamas'" is punctuation)
_POSSESSIVE = re.compile(r"(?<=\w)['’ʼ]s\b")


def _fold(text: str) -> str:
    text = _APOSTROPHES.sub("", _POSSESSIVE.sub("", text))
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalize(text: str) -> str:
    """Return the matching key of ``text``: accent-free, case-folded words joined by single spaces.

    >>> normalize("Deir ez-Zôr")
    'deir ez zor'
    >>> normalize("  Ma'arat al-Nu'man ")
    'maarat al numan'
    >>> normalize("Syria's north")
    'syria north'
    """
    return " ".join(_WORD.findall(_fold(text).casefold()))


class Token(NamedTuple):
    """A word of an article, with offsets into the accent-folded text and its capitalisation."""

    key: str  # normalised form, as in :func:`normalize`
    start: int
    end: int
    cap: bool  # starts with a capital letter
    upper: bool  # all capitals ("IS", "US")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into normalised word tokens with character offsets into the folded text.

    Offsets index the accent-folded text, which keeps the original's line breaks, so a token's line (headline or
    body) can be found by counting newlines before ``start``.

    >>> [t.key for t in tokenize("US-led strike on Abu Kamal")]
    ['us', 'led', 'strike', 'on', 'abu', 'kamal']
    >>> tokenize("The IS cell")[1].upper
    True
    """
    folded = _fold(text)
    return [
        Token(word.casefold(), match.start(), match.end(), word[0].isupper(), word.isupper())
        for match in _WORD.finditer(folded)
        for word in (match.group(),)
    ]


def fold(text: str) -> str:
    """Strip accents and in-word apostrophes, keeping everything else (the text :func:`tokenize` offsets index)."""
    return _fold(text)


def is_case_sensitive_alias(alias: str) -> bool:
    """All-capitals aliases ("IS", "US", "SDF") match only all-capitals words, so "is" and "us" never fire.

    >>> is_case_sensitive_alias("IS"), is_case_sensitive_alias("Daesh")
    (True, False)
    """
    letters = [ch for ch in alias if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters)
