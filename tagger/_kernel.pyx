# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled hot path: word folding and scanning, alias matching, and hashed n-gram counting.

Every function here computes exactly what the pure-Python reference in :mod:`tagger.text`, :mod:`tagger.gazetteer`
and :mod:`tagger.features` computes (``tests/property/test_kernel_properties.py`` compares them on many texts);
only faster. Character classes are Python's own (``Py_UNICODE_ISALNUM`` is what ``re``'s ``\\w`` tests, plus ``_``).
"""

from cpython.unicode cimport PyUnicode_READ, PyUnicode_KIND, PyUnicode_DATA, PyUnicode_GET_LENGTH
from cpython.unicode cimport Py_UNICODE_ISALNUM, Py_UNICODE_ISSPACE, Py_UNICODE_ISUPPER, Py_UNICODE_ISLOWER
from cpython.unicode cimport Py_UNICODE_ISTITLE
from libc.stdint cimport uint64_t, uint32_t, int64_t, int32_t, int8_t
from libc.stdlib cimport malloc, free, qsort
from libc.string cimport memcmp, memcpy, memset

import numpy as np

cdef extern from *:
    int __builtin_ctzll(unsigned long long x) nogil


cdef inline int _popcount(uint64_t x) noexcept nogil:
    """Set bits of ``x`` (SWAR: no libgcc call on CPUs compiled for without a popcount instruction)."""
    x = x - ((x >> 1) & 0x5555555555555555ULL)
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL
    return <int>((x * 0x0101010101010101ULL) >> 56)

cdef extern from "Python.h":
    str PyUnicode_FromKindAndData(int kind, const void *buffer, Py_ssize_t size)

cdef uint64_t PRIME = 0x100000001B3ULL
cdef uint64_t MIX1 = 0xBF58476D1CE4E5B9ULL
cdef uint64_t MIX2 = 0x94D049BB133111EBULL
cdef uint64_t GOLDEN = 0x9E3779B97F4A7C15ULL

cdef uint32_t CRC_TABLE[256]
cdef uint32_t CRC_ALL = 0xFFFFFFFFU  # a typed constant: a bare 0xFFFFFFFF literal would be a Python int


cdef void _init_crc() noexcept:
    cdef uint32_t c
    cdef int n, k
    for n in range(256):
        c = <uint32_t>n
        for k in range(8):
            if c & 1:
                c = (<uint32_t>0xEDB88320U) ^ (c >> 1)
            else:
                c = c >> 1
        CRC_TABLE[n] = c


_init_crc()


cdef inline bint _is_word(Py_UCS4 ch) noexcept:
    """``re``'s ``\\w`` for str patterns."""
    return Py_UNICODE_ISALNUM(ch) or ch == 95


cdef inline bint _is_apostrophe(Py_UCS4 ch) noexcept:
    # ' ’ ʼ ‘ ` ´
    return ch == 39 or ch == 0x2019 or ch == 0x02BC or ch == 0x2018 or ch == 96 or ch == 0xB4


cdef inline bint _is_possessive_mark(Py_UCS4 ch) noexcept:
    # ' ’ ʼ
    return ch == 39 or ch == 0x2019 or ch == 0x02BC


# --- folding: possessives and inner apostrophes (text._fold before NFKD) --------------------------------------------


cdef inline str _exact(object text):
    """``text`` as an exact ``str`` (subclasses, such as strings carrying a line number, are copied)."""
    if type(text) is str:
        return <str>text
    if isinstance(text, str):
        return str.__str__(text)
    raise TypeError(f"expected a str, got {type(text).__name__}")


def strip_apostrophes(object source):
    """``_APOSTROPHES.sub("", _POSSESSIVE.sub("", text))`` of :mod:`tagger.text`, in one pass each."""
    cdef str text = _exact(source)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i, m = 0
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 ch
    cdef Py_UCS4 *first
    cdef Py_UCS4 *out
    cdef bint changed = False
    if n == 0:
        return text
    first = <Py_UCS4 *>malloc(n * sizeof(Py_UCS4))
    out = <Py_UCS4 *>malloc(n * sizeof(Py_UCS4))
    if first == NULL or out == NULL:
        free(first)
        free(out)
        raise MemoryError()
    try:
        # pass 1: (?<=\w)['’ʼ]s\b  -> ""   (look-behind on the original text)
        i = 0
        while i < n:
            ch = PyUnicode_READ(kind, data, i)
            if (
                _is_possessive_mark(ch)
                and i > 0
                and i + 1 < n
                and PyUnicode_READ(kind, data, i + 1) == 115
                and _is_word(PyUnicode_READ(kind, data, i - 1))
                and (i + 2 >= n or not _is_word(PyUnicode_READ(kind, data, i + 2)))
            ):
                i += 2
                changed = True
                continue
            first[m] = ch
            m += 1
            i += 1
        # pass 2: (?<=\w)['’ʼ‘`´](?=\w) -> ""  on the result of pass 1
        n = m
        m = 0
        for i in range(n):
            ch = first[i]
            if _is_apostrophe(ch) and 0 < i < n - 1 and _is_word(first[i - 1]) and _is_word(first[i + 1]):
                changed = True
                continue
            out[m] = ch
            m += 1
        if not changed:
            return text
        return PyUnicode_FromKindAndData(4, out, m)
    finally:
        free(first)
        free(out)


cdef inline bint _is_upper_word(str word) noexcept:
    """``str.isupper``: some cased character, and no lowercase or titlecase one."""
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(word)
    cdef int kind = PyUnicode_KIND(word)
    cdef void *data = PyUnicode_DATA(word)
    cdef Py_UCS4 ch
    cdef bint cased = False
    for i in range(n):
        ch = PyUnicode_READ(kind, data, i)
        if Py_UNICODE_ISLOWER(ch) or Py_UNICODE_ISTITLE(ch):
            return False
        if not cased and Py_UNICODE_ISUPPER(ch):
            cased = True
    return cased


def scan_words(object source, list keys, list caps, list uppers, list sentences, Py_ssize_t sentence):
    """Append the words (runs of ``[^\\W_]``) of an already folded string to the token lists; returns their count."""
    cdef str folded = _exact(source)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(folded), i = 0, start, count = 0
    cdef int kind = PyUnicode_KIND(folded)
    cdef void *data = PyUnicode_DATA(folded)
    cdef Py_UCS4 ch
    cdef str word
    cdef bint ascii = folded.isascii()
    while i < n:
        ch = PyUnicode_READ(kind, data, i)
        if not Py_UNICODE_ISALNUM(ch):
            i += 1
            continue
        start = i
        i += 1
        while i < n and Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, i)):
            i += 1
        word = folded[start:i]
        keys.append(word.lower() if ascii else word.casefold())
        caps.append(bool(Py_UNICODE_ISUPPER(PyUnicode_READ(kind, data, start))))
        uppers.append(_is_upper_word(word))
        sentences.append(sentence)
        count += 1
    return count


def sentence_flags(
    list keys, list sentences, dict classes, list negated, list modal, list history, list year, list triggers
):
    """``SentenceContext``'s scan: per sentence negated / modal / history / names a year; trigger positions."""
    cdef Py_ssize_t position, n = len(keys), sentence
    cdef object code
    cdef str key
    cdef int c
    for position in range(n):
        key = keys[position]
        code = classes.get(key)
        sentence = sentences[position]
        if code is not None:
            c = code
            if c == 1:
                negated[sentence] = True
            elif c == 2:
                modal[sentence] = True
            elif c == 3:
                history[sentence] = True
            else:
                triggers.append(position)
        elif (
            PyUnicode_GET_LENGTH(key) == 4
            and (key.startswith("19") or key.startswith("20"))
            and key.isdigit()
        ):
            year[sentence] = True


# --- sentences ----------------------------------------------------------------------------------------------------


cdef inline bint _is_closer(Py_UCS4 ch) noexcept:
    # " ” ’ ' ) ]
    return ch == 34 or ch == 0x201D or ch == 0x2019 or ch == 39 or ch == 41 or ch == 93


cdef inline bint _is_opener(Py_UCS4 ch) noexcept:
    # " “ ‘ ' ( [
    return ch == 34 or ch == 0x201C or ch == 0x2018 or ch == 39 or ch == 40 or ch == 91


cdef inline bint _starts_sentence(Py_UCS4 ch) noexcept:
    # [A-Z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]
    return (
        (65 <= ch <= 90) or (48 <= ch <= 57) or (0xC0 <= ch <= 0x24F) or (0x370 <= ch <= 0x3FF)
        or (0x400 <= ch <= 0x4FF)
    )


def sentence_spans(object source):
    """``text.sentence_spans_reference`` (the ``SENTENCE_BREAK`` regular expression's splits) in one pass.

    A break is ``[.!?]`` followed by closing quotes or brackets, whitespace, and an optionally quoted capital,
    digit or Latin/Greek/Cyrillic letter (the break is the quotes and whitespace), or a run of line breaks.
    Spans of whitespace only are dropped.
    """
    cdef str text = _exact(source)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text), i = 0, j, start = 0, a, b, k
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_UCS4 ch
    cdef list bounds = []  # (start, end) of each span before the blank filter
    cdef list out = []
    cdef bint blank
    while i < n:
        ch = PyUnicode_READ(kind, data, i)
        if i > 0 and (PyUnicode_READ(kind, data, i - 1) in (46, 33, 63)):  # . ! ?
            j = i
            while j < n and _is_closer(PyUnicode_READ(kind, data, j)):
                j += 1
            k = j
            while k < n and Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
                k += 1
            if k > j and k < n and (
                _starts_sentence(PyUnicode_READ(kind, data, k))
                or (
                    _is_opener(PyUnicode_READ(kind, data, k))
                    and k + 1 < n
                    and _starts_sentence(PyUnicode_READ(kind, data, k + 1))
                )
            ):
                bounds.append((start, i))
                start = i = k
                continue
        if ch == 10:  # \n+
            j = i
            while j < n and PyUnicode_READ(kind, data, j) == 10:
                j += 1
            bounds.append((start, i))
            start = i = j
            continue
        i += 1
    bounds.append((start, n))
    for a, b in bounds:
        blank = True
        for k in range(a, b):
            if not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, k)):
                blank = False
                break
        if not blank:
            out.append((a, b))
    return out


# --- matching ---------------------------------------------------------------------------------------------------


cdef enum:
    _IS_KEY = 1
    _IS_PREFIX = 2

cdef uint64_t FNV_OFFSET = 0xCBF29CE484222325ULL
cdef uint64_t FNV_PRIME = 0x100000001B3ULL


cdef struct _Entry:
    uint64_t hash
    int64_t start  # its UTF-8 bytes are text[start : start + length]
    int32_t length
    int32_t key  # key number, or -1 for a string that is only a prefix
    int32_t flags  # _IS_KEY | _IS_PREFIX


cdef struct _Slot:
    uint32_t tag  # the hash's high 32 bits
    int32_t entry  # -1: empty


cdef inline uint64_t _fnv_byte(uint64_t h, unsigned char b) noexcept nogil:
    return (h ^ b) * FNV_PRIME


cdef inline uint64_t _fnv_word(uint64_t h, str word, Py_ssize_t *n_bytes) noexcept:
    """FNV-1a of ``word.encode("utf-8", "surrogatepass")`` continued from ``h``; adds its length to ``n_bytes``."""
    cdef int kind = PyUnicode_KIND(word)
    cdef void *data = PyUnicode_DATA(word)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(word)
    cdef int k, m
    cdef unsigned char b[4]
    for i in range(n):
        m = _utf8(<uint32_t>PyUnicode_READ(kind, data, i), b)
        for k in range(m):
            h = _fnv_byte(h, b[k])
        n_bytes[0] += m
    return h


cdef inline bint _word_equals(str word, const unsigned char *text, Py_ssize_t *at) noexcept:
    """Whether ``text[at:]`` starts with the UTF-8 bytes of ``word`` (``at`` moves past them when it does)."""
    cdef int kind = PyUnicode_KIND(word)
    cdef void *data = PyUnicode_DATA(word)
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(word), p = at[0]
    cdef unsigned char b[4]
    cdef int k, m
    for i in range(n):
        m = _utf8(<uint32_t>PyUnicode_READ(kind, data, i), b)
        for k in range(m):
            if text[p] != b[k]:
                return False
            p += 1
    at[0] = p
    return True


cdef class PhraseTable:
    """The surface forms of a matcher and their word prefixes in an open-addressing hash table (FNV-1a of the UTF-8
    bytes), built from the newline-joined blobs a model stores: no Python string, dict or set per form, and a phrase
    grows by hashing only its next word. Keys must be sorted and distinct (checked while building)."""

    cdef unsigned char *text
    cdef _Entry *entries
    cdef _Slot *slots
    cdef uint64_t mask
    cdef Py_ssize_t n_entries
    cdef readonly Py_ssize_t n_keys

    def __cinit__(self, const unsigned char[:] keys, const unsigned char[:] prefixes):
        cdef Py_ssize_t n_k = keys.shape[0], n_p = prefixes.shape[0], n_strings, size = 1, i
        n_strings = (_count_lines(&keys[0] if n_k else NULL, n_k) if n_k else 0) + (
            _count_lines(&prefixes[0] if n_p else NULL, n_p) if n_p else 0
        )
        while size < 2 * n_strings + 2:
            size *= 2
        self.mask = size - 1
        self.text = <unsigned char *>malloc(n_k + n_p + 1)
        self.entries = <_Entry *>malloc((n_strings + 1) * sizeof(_Entry))
        self.slots = <_Slot *>malloc(size * sizeof(_Slot))
        if self.text == NULL or self.entries == NULL or self.slots == NULL:
            raise MemoryError()
        for i in range(size):
            self.slots[i].entry = -1
        if n_k:
            memcpy(self.text, &keys[0], n_k)
        if n_p:
            memcpy(self.text + n_k, &prefixes[0], n_p)
        self.n_entries = 0
        self.n_keys = self._add_lines(0, n_k, True)
        self._add_lines(n_k, n_k + n_p, False)

    def __dealloc__(self):
        free(self.text)
        free(self.entries)
        free(self.slots)

    cdef Py_ssize_t _add_lines(self, Py_ssize_t begin, Py_ssize_t end, bint keys) except -1:
        """Insert the newline-separated strings of ``text[begin:end]``; returns how many there were."""
        cdef Py_ssize_t start = begin, stop, count = 0, prev_start = -1, prev_len = 0, common
        cdef int32_t found
        cdef int order
        if end == begin:
            return 0
        while True:
            stop = start
            while stop < end and self.text[stop] != 10:
                stop += 1
            if keys and prev_start >= 0:
                common = min(prev_len, stop - start)
                order = memcmp(self.text + prev_start, self.text + start, common)
                if order > 0 or (order == 0 and prev_len >= stop - start):
                    raise ValueError("matcher keys must be sorted and distinct")
            found = self._insert(start, stop - start, count if keys else -1)
            if keys and found >= 0:
                raise ValueError("matcher keys must be sorted and distinct")
            prev_start, prev_len = start, stop - start
            count += 1
            if stop >= end:
                break
            start = stop + 1
        return count

    cdef int32_t _insert(self, Py_ssize_t start, Py_ssize_t length, int32_t key) except -2:
        """Add a key (``key`` >= 0) or a prefix; returns the entry it already had, or -1 when it is new."""
        cdef uint64_t h = FNV_OFFSET
        cdef Py_ssize_t i
        cdef uint64_t s
        cdef _Entry *e
        for i in range(start, start + length):
            h = _fnv_byte(h, self.text[i])
        s = h & self.mask
        while self.slots[s].entry >= 0:
            e = &self.entries[self.slots[s].entry]
            if e.hash == h and e.length == length and memcmp(self.text + e.start, self.text + start, length) == 0:
                if key >= 0:
                    return self.slots[s].entry
                e.flags |= _IS_PREFIX
                return self.slots[s].entry
            s = (s + 1) & self.mask
        e = &self.entries[self.n_entries]
        e.hash, e.start, e.length, e.key = h, start, <int32_t>length, key
        e.flags = _IS_KEY if key >= 0 else _IS_PREFIX
        self.slots[s].tag = <uint32_t>(h >> 32)
        self.slots[s].entry = <int32_t>self.n_entries
        self.n_entries += 1
        return -1

    cdef const _Entry *_find(self, uint64_t h, Py_ssize_t n_bytes, list words, Py_ssize_t i, Py_ssize_t j) noexcept:
        """The entry of the phrase ``" ".join(words[i:j])`` (its hash ``h`` and UTF-8 length), or NULL."""
        cdef uint64_t s = h & self.mask
        cdef uint32_t tag = <uint32_t>(h >> 32)
        cdef const _Entry *e
        cdef Py_ssize_t at, k
        cdef bint same
        while self.slots[s].entry >= 0:
            if self.slots[s].tag == tag:
                e = &self.entries[self.slots[s].entry]
                if e.hash == h and e.length == n_bytes:
                    at = e.start
                    same = True
                    for k in range(i, j):
                        if k > i:
                            if self.text[at] != 32:
                                same = False
                                break
                            at += 1
                        if not _word_equals(<str>words[k], self.text, &at):
                            same = False
                            break
                    if same:
                        return e
            s = (s + 1) & self.mask
        return NULL

    def lookup(self, str phrase):
        """``(key number or -1, is a prefix)`` of a phrase (words joined by single spaces), or None (for tests)."""
        cdef list words = phrase.split(" ")
        cdef uint64_t h = FNV_OFFSET
        cdef Py_ssize_t n_bytes = 0, k
        for k in range(len(words)):
            if k:
                h = _fnv_byte(h, 32)
                n_bytes += 1
            h = _fnv_word(h, <str>words[k], &n_bytes)
        cdef const _Entry *e = self._find(h, n_bytes, words, 0, len(words))
        if e == NULL:
            return None
        return (e.key, bool(e.flags & _IS_PREFIX))


cdef Py_ssize_t _count_lines(const unsigned char *text, Py_ssize_t n) noexcept:
    cdef Py_ssize_t i, lines = 1
    for i in range(n):
        if text[i] == 10:
            lines += 1
    return lines


def find_mentions(
    list keys, list caps, list uppers, PhraseTable table, const int32_t[:] starts,
    const int32_t[:] labels, const int8_t[:] kinds, const int8_t[:] flags, const int64_t[:] populations, mention
):
    """``Matcher.find``: leftmost-longest, non-overlapping matches as ``mention`` tuples, in text order.

    A phrase grows word by word while it is a prefix of some key; the longest key found is tried first, and a
    shorter one only when every row of the longer one is refused (all-capitals aliases need all-capitals words,
    common-word places a capital).
    """
    cdef Py_ssize_t n = len(keys)
    cdef list out = []
    cdef int32_t *found_key = <int32_t *>malloc((n + 1) * sizeof(int32_t))
    cdef Py_ssize_t *found_end = <Py_ssize_t *>malloc((n + 1) * sizeof(Py_ssize_t))
    if found_key == NULL or found_end == NULL:
        free(found_key)
        free(found_end)
        raise MemoryError()
    try:
        _scan(keys, caps, uppers, table, starts, labels, kinds, flags, populations, mention, out, found_key, found_end)
    finally:
        free(found_key)
        free(found_end)
    return out


cdef int _scan(
    list keys, list caps, list uppers, PhraseTable table, const int32_t[:] starts,
    const int32_t[:] labels, const int8_t[:] kinds, const int8_t[:] flags, const int64_t[:] populations, mention,
    list out, int32_t *found_key, Py_ssize_t *found_end
) except -1:
    cdef Py_ssize_t n = len(keys), i, j, end, k, row, r0, r1, next_free = 0, n_found, n_bytes
    cdef int flag
    cdef bint all_upper, any_found, shared
    cdef const _Entry *e
    cdef uint64_t h
    cdef int32_t u
    for i in range(n):
        if i < next_free:
            continue
        n_bytes = 0
        h = _fnv_word(FNV_OFFSET, <str>keys[i], &n_bytes)
        e = table._find(h, n_bytes, keys, i, i + 1)
        if e == NULL:
            continue
        n_found = 0
        if e.flags & _IS_KEY:
            found_key[0] = e.key
            found_end[0] = i + 1
            n_found = 1
        j = i + 1
        while j < n and e.flags & _IS_PREFIX:
            h = _fnv_byte(h, 32)
            n_bytes += 1
            h = _fnv_word(h, <str>keys[j], &n_bytes)
            j += 1
            e = table._find(h, n_bytes, keys, i, j)
            if e == NULL:
                break
            if e.flags & _IS_KEY:
                found_key[n_found] = e.key
                found_end[n_found] = j
                n_found += 1
        for k in range(n_found - 1, -1, -1):
            u = found_key[k]
            end = found_end[k]
            r0 = starts[u]
            r1 = starts[u + 1]
            shared = r1 - r0 > 1
            any_found = False
            for row in range(r0, r1):
                flag = flags[row]
                if flag & 2:
                    all_upper = True
                    for j in range(i, end):
                        if not uppers[j]:
                            all_upper = False
                            break
                    if not all_upper:
                        continue
                if flag & 1 and not caps[i]:
                    continue
                out.append(
                    tuple.__new__(
                        mention,
                        (labels[row], i, end, kinds[row], bool(flag & 1), populations[row], shared),
                    )
                )
                any_found = True
            if any_found:
                next_free = end
                break
    return 0


# --- hashed n-grams -------------------------------------------------------------------------------------------------


cdef inline uint64_t _mix(uint64_t h, uint64_t salt) noexcept nogil:
    h = h ^ salt
    h = (h ^ (h >> 30)) * MIX1
    h = (h ^ (h >> 27)) * MIX2
    return h ^ (h >> 31)


cdef inline int _utf8(uint32_t ch, unsigned char *b) noexcept nogil:
    """The UTF-8 bytes of code point ``ch`` (a lone surrogate as "surrogatepass" writes it) into ``b``; their count."""
    if ch < 0x80:
        b[0] = <unsigned char>ch
        return 1
    if ch < 0x800:
        b[0] = <unsigned char>(0xC0 | (ch >> 6))
        b[1] = <unsigned char>(0x80 | (ch & 0x3F))
        return 2
    if ch < 0x10000:
        b[0] = <unsigned char>(0xE0 | (ch >> 12))
        b[1] = <unsigned char>(0x80 | ((ch >> 6) & 0x3F))
        b[2] = <unsigned char>(0x80 | (ch & 0x3F))
        return 3
    b[0] = <unsigned char>(0xF0 | (ch >> 18))
    b[1] = <unsigned char>(0x80 | ((ch >> 12) & 0x3F))
    b[2] = <unsigned char>(0x80 | ((ch >> 6) & 0x3F))
    b[3] = <unsigned char>(0x80 | (ch & 0x3F))
    return 4


cdef inline uint32_t _crc_update(uint32_t crc, unsigned char b) noexcept nogil:
    return CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)


cdef inline uint32_t _crc_utf8(int kind, void *data, Py_ssize_t start, Py_ssize_t end) noexcept:
    """zlib.crc32 of ``text[start:end].encode("utf-8", "surrogatepass")``."""
    return _crc_feed(CRC_ALL, kind, data, start, end) ^ CRC_ALL


cdef inline uint32_t _crc_feed(uint32_t crc, int kind, void *data, Py_ssize_t start, Py_ssize_t end) noexcept:
    """The CRC-32 state after feeding the UTF-8 bytes of ``text[start:end]`` (no final inversion)."""
    cdef Py_ssize_t i
    cdef int k, m
    cdef unsigned char b[4]
    for i in range(start, end):
        m = _utf8(<uint32_t>PyUnicode_READ(kind, data, i), b)
        for k in range(m):
            crc = _crc_update(crc, b[k])
    return crc


cdef inline int32_t _rank(const uint64_t *bits, const int32_t *before, int64_t col) noexcept nogil:
    """Chosen-column number of hashed column ``col``, or -1: a bitmap with per-word prefix counts (fits in cache)."""
    cdef uint64_t word = bits[col >> 6]
    cdef uint64_t mask = (<uint64_t>1) << (col & 63)
    if not (word & mask):
        return -1
    return before[col >> 6] + _popcount(word & (mask - 1))


def column_index(const int64_t[:] columns, int64_t width):
    """``(bitmap uint64, prefix int32)`` of the sorted chosen columns, for ``ngram_counts``."""
    cdef Py_ssize_t n_words = (width + 63) // 64, i
    bits = np.zeros(n_words, dtype=np.uint64)
    before = np.zeros(n_words, dtype=np.int32)
    cdef uint64_t[:] b = bits
    cdef int32_t[:] p = before
    cdef int64_t col
    cdef int32_t total = 0
    for i in range(columns.shape[0]):
        col = columns[i]
        if col < 0 or col >= width or (i and columns[i - 1] >= col):
            raise ValueError("columns must be sorted, unique and inside the width")
        b[col >> 6] |= (<uint64_t>1) << (col & 63)
    for i in range(n_words):
        p[i] = total
        total += _popcount(b[i])
    return bits, before


cdef Py_ssize_t _rolling(
    const uint64_t *units, Py_ssize_t length, int lo, int hi, uint64_t salt, uint64_t n_features,
    int64_t offset, const uint64_t *bits, const int32_t *before, int64_t *out, uint64_t *scratch
) noexcept nogil:
    """Columns of every ``lo..hi``-gram of ``units`` (``features._ngram_hashes`` then ``% n_features``)."""
    cdef Py_ssize_t i, m = 0, size = length
    cdef int n
    cdef int64_t col
    cdef uint64_t mask = n_features - 1
    cdef bint power_of_two = (n_features & mask) == 0
    for i in range(length):
        scratch[i] = units[i]
    for n in range(1, hi + 1):
        if n > 1:
            size = length - n + 1
            if size <= 0:
                break
            for i in range(size):
                scratch[i] = scratch[i] * PRIME + units[i + n - 1]
        if n >= lo:
            for i in range(size):
                if power_of_two:  # the same value as the modulo, without a division
                    col = <int64_t>(_mix(scratch[i], (salt + <uint64_t>n) * GOLDEN) & mask) + offset
                else:
                    col = <int64_t>(_mix(scratch[i], (salt + <uint64_t>n) * GOLDEN) % n_features) + offset
                if bits == NULL:
                    out[m] = col
                    m += 1
                else:
                    col = _rank(bits, before, col)
                    if col >= 0:
                        out[m] = col  # the chosen column's number
                        m += 1
    return m


cdef int _cmp_int64(const void *a, const void *b) noexcept nogil:
    cdef int64_t x = (<const int64_t *>a)[0], y = (<const int64_t *>b)[0]
    return (x > y) - (x < y)


def ngram_counts(
    list texts, int word_lo, int word_hi, int char_lo, int char_hi, int64_t n_features, index=None
):
    """CSR arrays ``(data float32, indices int64, indptr int64)`` of ``TextVectorizer.counts`` (``char_hi`` 0: none).

    With ``index`` (:func:`column_index` of the chosen columns) only the chosen columns are kept, numbered in
    column order (what ``TextVectorizer.weigh`` projects onto); they are counted in a dense array and read back in
    order from a bitmap, so no sort is needed.
    """
    cdef Py_ssize_t d, n_docs = len(texts), i, n, start, n_words, n_units, total, m, k, nnz = 0
    cdef Py_ssize_t n_cols = 0, n_blocks = 0, b
    cdef str text
    cdef int kind
    cdef void *data
    cdef uint64_t *units = NULL
    cdef uint64_t *scratch = NULL
    cdef int64_t *cols = NULL
    cdef int32_t *dense = NULL
    cdef uint64_t *bitmap = NULL
    cdef uint64_t word
    cdef int bit
    cdef int32_t pos
    cdef const uint64_t[:] bits_view
    cdef const int32_t[:] before_view
    cdef const uint64_t *bits_ptr = NULL
    cdef const int32_t *before_ptr = NULL
    cdef Py_ssize_t units_cap = 0, cols_cap = 0
    cdef int64_t[:] out_indices
    cdef float[:] out_data
    if index is not None:
        bits_view, before_view = index
        if bits_view.shape[0] != (2 * n_features + 63) // 64 and bits_view.shape[0] != (n_features + 63) // 64:
            raise ValueError("the column index does not fit n_features")
        bits_ptr = &bits_view[0]
        before_ptr = &before_view[0]
        n_cols = before_view[before_view.shape[0] - 1] + _popcount(bits_view[bits_view.shape[0] - 1])
        n_blocks = (n_cols + 63) // 64
        dense = <int32_t *>malloc((n_cols + 1) * sizeof(int32_t))
        bitmap = <uint64_t *>malloc((n_blocks + 1) * sizeof(uint64_t))
        if dense == NULL or bitmap == NULL:
            free(dense)
            free(bitmap)
            raise MemoryError()
        memset(dense, 0, (n_cols + 1) * sizeof(int32_t))
        memset(bitmap, 0, (n_blocks + 1) * sizeof(uint64_t))
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    cdef int64_t[:] indptr_view = indptr
    indices_parts = []
    data_parts = []
    try:
        for d in range(n_docs):
            text = _exact(texts[d]).lower()
            n = PyUnicode_GET_LENGTH(text)
            # units: one per word (CRC-32) or one per character of the whitespace-collapsed text
            if n + 2 > units_cap:
                units_cap = 2 * (n + 2) + 64
                free(units)
                free(scratch)
                units = <uint64_t *>malloc(units_cap * sizeof(uint64_t))
                scratch = <uint64_t *>malloc(units_cap * sizeof(uint64_t))
                if units == NULL or scratch == NULL:
                    raise MemoryError()
            total = (word_hi - word_lo + 1) * (n + 1) + ((char_hi - char_lo + 1) * (n + 2) if char_hi else 0)
            if total > cols_cap:
                cols_cap = 2 * total + 64
                free(cols)
                cols = <int64_t *>malloc(cols_cap * sizeof(int64_t))
                if cols == NULL:
                    raise MemoryError()
            kind = PyUnicode_KIND(text)
            data = PyUnicode_DATA(text)
            # words: \b\w\w+\b
            n_words = 0
            i = 0
            while i < n:
                if not _is_word(PyUnicode_READ(kind, data, i)):
                    i += 1
                    continue
                start = i
                while i < n and _is_word(PyUnicode_READ(kind, data, i)):
                    i += 1
                if i - start >= 2:
                    units[n_words] = _crc_utf8(kind, data, start, i)
                    n_words += 1
            m = _rolling(
                units, n_words, word_lo, word_hi, 0, <uint64_t>n_features, 0, bits_ptr, before_ptr, cols, scratch
            )
            if char_hi:
                # " " + " ".join(text.split()) + " "
                n_units = 0
                units[n_units] = 32
                n_units += 1
                i = 0
                while i < n:
                    if Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
                        i += 1
                        continue
                    if n_units > 1:
                        units[n_units] = 32
                        n_units += 1
                    while i < n and not Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)):
                        units[n_units] = <uint32_t>PyUnicode_READ(kind, data, i)
                        n_units += 1
                        i += 1
                units[n_units] = 32
                n_units += 1
                m += _rolling(
                    units, n_units, char_lo, char_hi, 100, <uint64_t>n_features, n_features, bits_ptr, before_ptr,
                    cols + m, scratch
                )
            if bits_ptr != NULL:
                k = 0
                for i in range(m):
                    pos = <int32_t>cols[i]
                    if dense[pos] == 0:
                        bitmap[pos >> 6] |= (<uint64_t>1) << (pos & 63)
                        k += 1
                    dense[pos] += 1
                idx = np.empty(k, dtype=np.int64)
                val = np.empty(k, dtype=np.float32)
                out_indices = idx
                out_data = val
                k = 0
                for b in range(n_blocks):
                    word = bitmap[b]
                    if word == 0:
                        continue
                    bitmap[b] = 0
                    while word:
                        bit = __builtin_ctzll(word)
                        word &= word - 1
                        pos = <int32_t>(b * 64 + bit)
                        out_indices[k] = pos
                        out_data[k] = <float>dense[pos]
                        dense[pos] = 0
                        k += 1
            else:
                qsort(cols, m, sizeof(int64_t), _cmp_int64)
                idx = np.empty(m, dtype=np.int64)
                val = np.empty(m, dtype=np.float32)
                out_indices = idx
                out_data = val
                k = -1
                for i in range(m):
                    if k >= 0 and cols[i] == out_indices[k]:
                        out_data[k] += 1.0
                    else:
                        k += 1
                        out_indices[k] = cols[i]
                        out_data[k] = 1.0
                k += 1
                idx = idx[:k]
                val = val[:k]
            indices_parts.append(idx)
            data_parts.append(val)
            nnz += k
            indptr_view[d + 1] = nnz
    finally:
        free(units)
        free(scratch)
        free(cols)
        free(dense)
        free(bitmap)
    if n_docs:
        return np.concatenate(data_parts), np.concatenate(indices_parts), indptr
    return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64), indptr


# --- mention features: candidate rows and alias evidence (features.candidate_rows, features.alias_features) ---------
#
# One pass per document: each mention is described once (zones, context words, salience), credited to its label and
# the label's ancestors (``flat[ptr[l]:ptr[l + 1]]``: the label first, then its ancestors), and the credits of each
# label are aggregated into that (document, label)'s row. Values are computed with the same double operations as
# the pure-Python references in :mod:`tagger.features`, so the rows are theirs bit for bit.

from libc.math cimport log1p, log10
from libc.stdlib cimport realloc


cdef struct _MentionInfo:
    int64_t label
    int64_t start
    int64_t kind
    int64_t population
    int64_t sentence
    int ambiguous
    int shared
    int cap
    int modifier
    int speaker
    int locative
    int negated
    int modal
    int history
    int dated
    int with_trigger
    int first_sentence
    int headline
    int lead
    int dateline
    int small
    double closeness
    int n_buckets
    int32_t buckets[4]


cdef int _cmp_int32(const void *a, const void *b) noexcept nogil:
    cdef int32_t x = (<const int32_t *>a)[0], y = (<const int32_t *>b)[0]
    return (x > y) - (x < y)


cdef enum:
    N_DENSE = 21  # len(features.CANDIDATE_FEATURES)
    N_SALIENCE = 14  # len(features.SALIENCE_FEATURES)


cdef int64_t _credits(list mentions, const int64_t[:] ptr, const int64_t[:] flat, int64_t *keys) except -1:
    """Fill ``keys`` with ``credited label * n_mentions + mention`` for every credit, sorted; returns how many."""
    cdef Py_ssize_t i, n = len(mentions)
    cdef int64_t q, label, n_keys = 0
    for i in range(n):
        label = (<tuple>mentions[i])[0]
        for q in range(ptr[label], ptr[label + 1]):
            keys[n_keys] = flat[q] * n + i
            n_keys += 1
    qsort(keys, n_keys, sizeof(int64_t), _cmp_int64)
    return n_keys


cdef int64_t _count_credits(list docs, object family, const int64_t[:] depth, int64_t *most) except -1:
    """Credits over the batch, and (in ``most``) the largest number of mentions of one document."""
    cdef int64_t total = 0
    cdef object mention
    most[0] = 0
    for doc in docs:
        mentions = doc.mentions.get(family)
        if not mentions:
            continue
        most[0] = max(most[0], len(mentions))
        for mention in mentions:
            total += depth[<int64_t>(<tuple>mention)[0]] + 1
    return total


def candidate_rows(
    list docs, object family, const int64_t[:] depth, const int64_t[:] ptr, const int64_t[:] flat, prior,
    frozenset modifier_next, frozenset speaker_next, frozenset speaker_after, frozenset locative_prev,
    tuple context_offsets, int64_t lead_tokens, int64_t dateline_tokens, int64_t small_place, int64_t n_buckets
):
    """``features.candidate_rows`` as CSR arrays: ``(data float32, indices, indptr, doc index, label index)``.

    ``prior`` is None or the label prior (float64, one per label) for the ``label_prior`` column.
    """
    cdef int64_t most = 0
    cdef int64_t total = _count_credits(docs, family, depth, &most)
    cdef Py_ssize_t cap = total * (N_DENSE + N_SALIENCE + 4)
    out_data = np.empty(cap, dtype=np.float32)
    out_indices = np.empty(cap, dtype=np.int64)
    out_indptr = np.zeros(total + 1, dtype=np.int64)
    out_doc = np.empty(total, dtype=np.int64)
    out_label = np.empty(total, dtype=np.int64)
    cdef float[:] o_data = out_data
    cdef int64_t[:] o_indices = out_indices, o_indptr = out_indptr, o_doc = out_doc, o_label = out_label
    cdef const double[:] prior_view
    cdef bint has_prior = prior is not None
    if has_prior:
        prior_view = prior
    cdef int64_t max_depth = 0, i
    for i in range(depth.shape[0]):
        max_depth = max(max_depth, depth[i])
    cdef int n_offsets = len(context_offsets), o
    if n_offsets > 4:
        raise ValueError("at most 4 context offsets")
    cdef int64_t offsets[4]
    cdef uint32_t prefix_crc[4]
    cdef str tag
    for o in range(n_offsets):
        offsets[o] = context_offsets[o][0]
        tag = context_offsets[o][1] + ":"
        prefix_crc[o] = _crc_feed(CRC_ALL, PyUnicode_KIND(tag), PyUnicode_DATA(tag), 0, PyUnicode_GET_LENGTH(tag))

    cdef _MentionInfo *info = <_MentionInfo *>malloc((most + 1) * sizeof(_MentionInfo))
    cdef int64_t *keys = <int64_t *>malloc((total + 1) * sizeof(int64_t))
    cdef int64_t *group_end = <int64_t *>malloc((total + 1) * sizeof(int64_t))
    cdef int64_t *scratch = <int64_t *>malloc((most + 1) * sizeof(int64_t))
    cdef int32_t *buckets = <int32_t *>malloc((4 * most + 1) * sizeof(int32_t))
    cdef int64_t *depth_max = <int64_t *>malloc((max_depth + 1) * sizeof(int64_t))
    cdef int64_t *trig_pos = NULL
    cdef int64_t *trig_sent = NULL
    cdef Py_ssize_t trig_cap = 0
    if info == NULL or keys == NULL or group_end == NULL or scratch == NULL or buckets == NULL or depth_max == NULL:
        free(info); free(keys); free(group_end); free(scratch); free(buckets); free(depth_max)
        raise MemoryError()

    cdef Py_ssize_t d, n_docs = len(docs), n_m, n_tok, n_trig, t, g, g0, g1, k, n_groups, row = 0, nnz = 0
    cdef int64_t n_tokens, body_start, body_first, n_sentences, start, end, pos, best, dist, p, label, lab
    cdef int64_t n_keys, count, own_alias, own_gaz, from_desc, first, population, capitalised, n_b, n_seen
    cdef int64_t modifier, speaker, locative, negated, modal, history, dated, with_trigger, dep
    cdef int headline, lead, dateline, ambiguous, first_sentence, all_shared, all_small, own
    cdef double closeness, scale, log_count, log_candidates, log_tokens
    cdef double dense[N_DENSE]
    cdef double salience[N_SALIENCE]
    cdef _MentionInfo *mi
    cdef tuple mt
    cdef list mentions, keys_list, sentence_of, caps, negated_of, modal_of, history_of, year_of, triggers
    cdef str word, after, before
    cdef bint is_modifier, is_speaker
    try:
        for d in range(n_docs):
            doc = docs[d]
            mentions = doc.mentions.get(family)
            if not mentions:
                continue
            n_m = len(mentions)
            tokens = doc.tokens
            keys_list = tokens.keys
            sentence_of = tokens.sentences
            caps = tokens.caps
            context = doc.context
            negated_of, modal_of, history_of, year_of = context.negated, context.modal, context.history, context.year
            triggers = context.triggers
            n_tok = len(keys_list)
            n_tokens = max(n_tok, 1)
            body_start = doc.headline_end
            body_first = sentence_of[body_start] if body_start < n_tokens and n_tok else 0
            n_sentences = max(len(negated_of), 1)
            n_trig = len(triggers)
            if n_trig > trig_cap:
                trig_cap = 2 * n_trig
                free(trig_pos)
                free(trig_sent)
                trig_pos = <int64_t *>malloc(trig_cap * sizeof(int64_t))
                trig_sent = <int64_t *>malloc(trig_cap * sizeof(int64_t))
                if trig_pos == NULL or trig_sent == NULL:
                    raise MemoryError()
            for t in range(n_trig):
                trig_pos[t] = triggers[t]
                trig_sent[t] = sentence_of[trig_pos[t]]

            # each mention once
            for i in range(n_m):
                mt = <tuple>mentions[i]
                mi = &info[i]
                mi.label = mt[0]
                start = mt[1]
                end = mt[2]
                mi.start = start
                mi.kind = mt[3]
                mi.ambiguous = bool(mt[4])
                mi.population = mt[5]
                mi.shared = bool(mt[6])
                mi.sentence = sentence_of[start]
                mi.cap = bool(caps[start])
                after = keys_list[end] if end < n_tokens else ""
                before = keys_list[start - 1] if start > 0 else ""
                is_modifier = after in modifier_next
                is_speaker = after in speaker_next or (end + 1 < n_tokens and keys_list[end + 1] in speaker_after)
                mi.modifier = is_modifier
                mi.speaker = is_speaker and not is_modifier
                mi.locative = before in locative_prev
                mi.negated = bool(negated_of[mi.sentence])
                mi.modal = bool(modal_of[mi.sentence])
                mi.history = bool(history_of[mi.sentence])
                mi.dated = bool(year_of[mi.sentence])
                best = -1
                for t in range(n_trig):
                    p = trig_pos[t]
                    if trig_sent[t] != mi.sentence or start <= p < end:
                        continue
                    dist = start - p if p < start else p - end + 1
                    if best < 0 or dist < best:
                        best = dist
                mi.with_trigger = best >= 0
                mi.closeness = 1.0 / (1.0 + <double>best / 5.0) if best >= 0 else 0.0
                mi.first_sentence = mi.sentence == body_first
                mi.headline = start < body_start
                mi.lead = body_start <= start < body_start + lead_tokens
                mi.dateline = body_start <= start < body_start + dateline_tokens
                mi.small = mi.kind != 0 and mi.population < small_place
                mi.n_buckets = 0
                for o in range(n_offsets):
                    pos = start + offsets[o] if offsets[o] < 0 else end + offsets[o] - 1
                    if 0 <= pos < n_tokens:
                        word = keys_list[pos]
                        mi.buckets[mi.n_buckets] = <int32_t>(
                            (_crc_feed(prefix_crc[o], PyUnicode_KIND(word), PyUnicode_DATA(word), 0,
                                       PyUnicode_GET_LENGTH(word)) ^ CRC_ALL) % n_buckets
                        )
                        mi.n_buckets += 1

            # credits grouped by label; per depth the largest count
            n_keys = _credits(mentions, ptr, flat, keys)
            n_groups = 0
            for i in range(max_depth + 1):
                depth_max[i] = 0
            g0 = 0
            while g0 < n_keys:
                g1 = g0 + 1
                while g1 < n_keys and keys[g1] // n_m == keys[g0] // n_m:
                    g1 += 1
                group_end[n_groups] = g1
                n_groups += 1
                dep = depth[keys[g0] // n_m]
                depth_max[dep] = max(depth_max[dep], g1 - g0)
                g0 = g1
            log_candidates = log1p(<double>n_groups)
            log_tokens = log1p(<double>n_tokens) / 10.0

            g0 = 0
            for g in range(n_groups):
                g1 = group_end[g]
                label = keys[g0] // n_m
                dep = depth[label]
                count = g1 - g0
                own_alias = own_gaz = from_desc = capitalised = population = 0
                modifier = speaker = locative = negated = modal = history = dated = with_trigger = 0
                headline = lead = dateline = first_sentence = 0
                ambiguous = all_shared = all_small = 1
                first = n_tokens
                closeness = 0.0
                n_b = 0
                for k in range(g0, g1):
                    mi = &info[keys[k] % n_m]
                    own = mi.label == label
                    if own:
                        if mi.kind == 0:
                            own_alias += 1
                        else:
                            own_gaz += 1
                    else:
                        from_desc += 1
                    headline |= mi.headline
                    lead |= mi.lead
                    dateline |= mi.dateline
                    first = min(first, mi.start)
                    ambiguous &= mi.ambiguous
                    population = max(population, mi.population)
                    capitalised += mi.cap
                    modifier += mi.modifier
                    speaker += mi.speaker
                    locative += mi.locative
                    negated += mi.negated
                    modal += mi.modal
                    history += mi.history
                    dated += mi.dated
                    with_trigger += mi.with_trigger
                    closeness = max(closeness, mi.closeness)
                    first_sentence |= mi.first_sentence
                    all_shared &= mi.shared
                    all_small &= mi.small
                    scratch[k - g0] = mi.sentence
                    for o in range(mi.n_buckets):
                        buckets[n_b] = mi.buckets[o]
                        n_b += 1
                qsort(scratch, count, sizeof(int64_t), _cmp_int64)
                n_seen = 0
                for k in range(count):
                    if k == 0 or scratch[k] != scratch[k - 1]:
                        n_seen += 1
                log_count = log1p(<double>count)
                dense[0] = 1.0
                dense[1] = log_count
                dense[2] = log1p(<double>own_alias)
                dense[3] = log1p(<double>own_gaz)
                dense[4] = log1p(<double>from_desc)
                dense[5] = headline
                dense[6] = lead
                dense[7] = dateline
                dense[8] = (<double>headline) * log_count
                dense[9] = <double>first / <double>n_tokens
                dense[10] = <double>count / <double>n_m
                dense[11] = count == depth_max[dep]
                dense[12] = ambiguous
                dense[13] = log10(<double>(population + 1)) / 7.0
                dense[14] = log_candidates
                dense[15] = dep == 0
                dense[16] = dep == 1
                dense[17] = dep >= 2
                dense[18] = <double>prior_view[label] if has_prior else 0.0
                dense[19] = log_tokens
                dense[20] = <double>capitalised / <double>count
                scale = 1.0 / <double>count
                salience[0] = modifier * scale
                salience[1] = speaker * scale
                salience[2] = locative * scale
                salience[3] = negated * scale
                salience[4] = modal * scale
                salience[5] = history * scale
                salience[6] = dated * scale
                salience[7] = with_trigger * scale
                salience[8] = closeness
                salience[9] = first_sentence
                salience[10] = <double>n_seen / <double>n_sentences
                salience[11] = all_shared
                salience[12] = all_small
                salience[13] = modifier + speaker == count
                for k in range(N_DENSE):
                    if dense[k] != 0.0:
                        o_data[nnz] = <float>dense[k]
                        o_indices[nnz] = k
                        nnz += 1
                qsort(buckets, n_b, sizeof(int32_t), _cmp_int32)
                k = 0
                while k < n_b:
                    t = k + 1
                    while t < n_b and buckets[t] == buckets[k]:
                        t += 1
                    o_data[nnz] = <float>((<double>(t - k)) * scale)
                    o_indices[nnz] = N_DENSE + buckets[k]
                    nnz += 1
                    k = t
                for k in range(N_SALIENCE):
                    if salience[k] != 0.0:
                        o_data[nnz] = <float>salience[k]
                        o_indices[nnz] = N_DENSE + n_buckets + k
                        nnz += 1
                o_doc[row] = d
                o_label[row] = label
                row += 1
                o_indptr[row] = nnz
                g0 = g1
    finally:
        free(info); free(keys); free(group_end); free(scratch); free(buckets); free(depth_max)
        free(trig_pos); free(trig_sent)
    return out_data[:nnz], out_indices[:nnz], out_indptr[: row + 1], out_doc[:row], out_label[:row]


def alias_rows(
    list docs, object family, const int64_t[:] depth, const int64_t[:] ptr, const int64_t[:] flat, int64_t lead_tokens
):
    """``features.alias_features`` as CSR arrays ``(data float32, indices, indptr)``, one row per document:
    label ``l`` owns columns ``4l .. 4l+3`` (log count, in headline, in lead, how early the first mention is)."""
    cdef int64_t most = 0
    cdef int64_t total = _count_credits(docs, family, depth, &most)
    cdef Py_ssize_t d, n_docs = len(docs), n_m, g0, g1, k, nnz = 0
    out_data = np.empty(4 * total, dtype=np.float32)
    out_indices = np.empty(4 * total, dtype=np.int64)
    out_indptr = np.zeros(n_docs + 1, dtype=np.int64)
    cdef float[:] o_data = out_data
    cdef int64_t[:] o_indices = out_indices, o_indptr = out_indptr
    cdef int64_t *keys = <int64_t *>malloc((total + 1) * sizeof(int64_t))
    cdef int64_t *starts = <int64_t *>malloc((most + 1) * sizeof(int64_t))
    if keys == NULL or starts == NULL:
        free(keys); free(starts)
        raise MemoryError()
    cdef int64_t n_keys, label, n_tokens, body_start, start
    cdef int headline, lead
    cdef double early
    cdef list mentions
    try:
        for d in range(n_docs):
            doc = docs[d]
            mentions = doc.mentions.get(family)
            if mentions:
                n_m = len(mentions)
                n_tokens = max(len(doc.tokens), 1)
                body_start = doc.headline_end
                for k in range(n_m):
                    starts[k] = (<tuple>mentions[k])[1]
                n_keys = _credits(mentions, ptr, flat, keys)
                g0 = 0
                while g0 < n_keys:
                    label = keys[g0] // n_m
                    headline = lead = 0
                    early = 0.0
                    g1 = g0
                    while g1 < n_keys and keys[g1] // n_m == label:
                        start = starts[keys[g1] % n_m]
                        headline |= start < body_start
                        lead |= body_start <= start < body_start + lead_tokens
                        early = max(early, 1.0 - <double>start / <double>n_tokens)
                        g1 += 1
                    o_data[nnz] = <float>log1p(<double>(g1 - g0))
                    o_indices[nnz] = 4 * label
                    nnz += 1
                    if headline:
                        o_data[nnz] = 1.0
                        o_indices[nnz] = 4 * label + 1
                        nnz += 1
                    if lead:
                        o_data[nnz] = 1.0
                        o_indices[nnz] = 4 * label + 2
                        nnz += 1
                    if early != 0.0:
                        o_data[nnz] = <float>early
                        o_indices[nnz] = 4 * label + 3
                        nnz += 1
                    g0 = g1
            o_indptr[d + 1] = nnz
    finally:
        free(keys); free(starts)
    return out_data[:nnz], out_indices[:nnz], out_indptr


# --- sparse rows times dense weights (sparse.Rows.dot) ----------------------------------------------------------------


def csr_dot(const float[:] data, const int64_t[:] indices, const int64_t[:] indptr, const float[:, ::1] weights):
    """``csr @ weights`` in float32, adding row by row and entry by entry as scipy's ``csr_matvecs`` does."""
    cdef Py_ssize_t n_rows = indptr.shape[0] - 1, k = weights.shape[1], n_cols = weights.shape[0], r, e, j
    cdef int64_t col
    cdef float a
    cdef const float *w_row
    cdef float *o_row
    out = np.zeros((n_rows, k), dtype=np.float32)
    if n_rows == 0 or k == 0:
        return out
    cdef float[:, ::1] o = out
    for e in range(indices.shape[0]):
        if indices[e] < 0 or indices[e] >= n_cols:
            raise IndexError("column index outside the weights")
    for r in range(n_rows):
        o_row = &o[r, 0]
        for e in range(indptr[r], indptr[r + 1]):
            col = indices[e]
            a = data[e]
            w_row = &weights[col, 0]
            for j in range(k):  # independent outputs: vectorised, each still summed in entry order
                o_row[j] += a * w_row[j]
    return out


# --- decisions through a label tree (hierarchy.LabelTree.decide) ----------------------------------------------------


def decide_tree(
    const float[:, :] scores, const float[:] thresholds, const int64_t[:] parent, const int64_t[:] up,
    const int64_t[:] down, const int64_t[:] child_ptr, const int64_t[:] children, bint prefer_specific
):
    """``(selected bool, effective float32)`` of ``LabelTree.decide_reference``, one document at a time.

    ``up``: the labels that have a parent, deepest first (decisions and scores are carried to the parent);
    ``down``: the labels that have children, shallowest first, with their children (ascending) in
    ``children[child_ptr[p]:child_ptr[p + 1]]`` (a selected parent with no selected child selects its best child
    that has any score).
    """
    cdef Py_ssize_t n_docs = scores.shape[0], n = scores.shape[1], d, j, k, q, best
    cdef int64_t p
    cdef bint any_child
    cdef float s
    selected_out = np.empty((n_docs, n), dtype=np.bool_)
    effective_out = np.empty((n_docs, n), dtype=np.float32)
    cdef unsigned char[:, ::1] sel = selected_out.view(np.uint8)
    cdef float[:, ::1] eff = effective_out
    for d in range(n_docs):
        for j in range(n):
            s = scores[d, j]
            sel[d, j] = s >= thresholds[j]
            eff[d, j] = s
        if prefer_specific:
            for k in range(down.shape[0]):
                p = down[k]
                if not sel[d, p]:
                    continue
                any_child = False
                for q in range(child_ptr[p], child_ptr[p + 1]):
                    if sel[d, children[q]]:
                        any_child = True
                        break
                if any_child or child_ptr[p] == child_ptr[p + 1]:
                    continue
                best = children[child_ptr[p]]
                for q in range(child_ptr[p] + 1, child_ptr[p + 1]):
                    if scores[d, children[q]] > scores[d, best]:
                        best = children[q]
                if scores[d, best] > 0:
                    sel[d, best] = 1
        for k in range(up.shape[0]):
            j = up[k]
            if sel[d, j]:
                p = parent[j]
                sel[d, p] = 1
                if eff[d, j] > eff[d, p]:
                    eff[d, p] = eff[d, j]
    return selected_out, effective_out
