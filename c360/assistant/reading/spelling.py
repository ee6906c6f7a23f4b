"""Typos and abbreviations: a word the reader does not know is read as the one vocabulary word it most
likely misspells ("segmnet" -> segment, "Califronia" -> California, "travellers" -> travelers) or as the
word a common abbreviation stands for ("txns" -> transactions), and the answer says so.

Only words that would otherwise make the question refused are corrected, and only when the correction is
unambiguous: one edit for words of 5-7 letters and two for longer ones (optimal string alignment distance,
so a swap of two neighbouring letters is one edit), the same first letter, and exactly one closest word (of
equally close words, the one the written word misses a double letter of or doubles one of: "acount" ->
account, not amount).
The candidates are the words of the semantic model's names, synonyms and sample values and of the small
grammar — never a merchant or city name (proper nouns are matched only as written). A correctly spelled English
word is not a typo ("actually" is not "annually"; pyspellchecker's English word list), except for a doubled
letter ("travellers" -> travelers, the British spelling of a vocabulary word).
Distances come from RapidFuzz (`rapidfuzz.distance.OSA`, `rapidfuzz.process.extract`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from c360.assistant.grammar import GRAMMAR
from c360.assistant.lexicon import Lexicon
from c360.assistant.text import Token, lemma
from c360.assistant.timeframe import GRAIN_ADJECTIVES, MONTHS, TREND_WORDS, UNITS

MIN_LENGTH = 5  # shorter words are too close to too many others ("hill" / "bill")
TWO_EDITS_FROM = 8
READ_AS = "I read "  # how a correction's note starts (service.py repeats these notes on verified answers)


@dataclass(frozen=True)
class Correction:
    index: int  # token position
    written: str
    read_as: str

    @property
    def note(self) -> str:
        return f"{READ_AS}'{self.written}' as '{self.read_as}'"


class Speller:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.abbreviations = {k.lower(): str(v) for k, v in lexicon.vocabulary.abbreviations.items()}

    @cached_property
    def words(self) -> tuple[str, ...]:
        """Every single word the reader can match (lemmas), except those of proper-noun-only values."""
        words: set[str] = set()
        for key, entries in self.lexicon.phrases.items():
            if all(e.proper or e.upper for e in entries):
                continue
            words.update(w for w in key if w.isalpha())
        for key in GRAMMAR:
            words.update(w for w in key if w.isalpha())
        words.update(MONTHS)
        words.update(UNITS)
        words.update(GRAIN_ADJECTIVES)
        words.update(TREND_WORDS)
        return tuple(sorted(w for w in words if len(w) >= MIN_LENGTH - 1))

    @cached_property
    def known(self) -> frozenset[str]:
        return frozenset(self.words)

    def correct(self, tokens: Sequence[Token], unknown: Iterable[Token]) -> list[Correction]:
        """Corrections for the unknown tokens that have exactly one likely reading."""
        positions = {id(t): i for i, t in enumerate(tokens)}
        out = []
        for token in unknown:
            read_as = self.abbreviations.get(token.norm) or self._closest(token.lemma)
            if read_as is not None:
                out.append(Correction(positions[id(token)], token.text, read_as))
        return out

    def _closest(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self.known:
            return None  # a vocabulary word used outside its phrases is not a typo
        limit = 1 if len(word) < TWO_EDITS_FROM else 2
        found = process.extract(word, self.words, scorer=OSA.distance, score_cutoff=limit, limit=5)
        same_start = [(w, d) for w, d, _ in found if w[0] == word[0]]
        if not same_start:
            return None
        best = min(d for _, d in same_start)
        closest = [w for w, d in same_start if d == best]
        if len(closest) > 1:  # "acount": account (a double letter typed once), not amount
            closest = [w for w in closest if _doubling_slip(word, w)]
        if len(closest) != 1:
            return None
        if _english().known([word]) and not _doubling_slip(word, closest[0]):
            return None  # a real word the reader does not know: the question is refused, not re-worded
        return closest[0]


@cache
def _english() -> SpellChecker:
    return SpellChecker(distance=1)  # its word list only; loaded once (~0.15 s)


def _doubling_slip(written: str, word: str) -> bool:
    """`written` is `word` with one double letter typed once or one letter typed twice: the commonest slip,
    preferred when several words are equally close."""
    for short, long in ((written, word), (word, written)):
        if any(long[i] == long[i + 1] and long[:i] + long[i + 1 :] == short for i in range(len(long) - 1)):
            return True
    return False


def apply(tokens: Sequence[Token], corrections: Sequence[Correction]) -> list[Token]:
    """The tokens with each corrected word read as its correction (the written text is kept)."""
    out = list(tokens)
    for c in sorted(corrections, key=lambda c: c.index, reverse=True):  # "mom": several words, from the end
        old = out[c.index]
        words = c.read_as.lower().split()
        out[c.index : c.index + 1] = [  # "l30d": last 30 days (the number read as one)
            Token(
                old.text if k == 0 else w,
                w,
                lemma(w),
                number=float(w) if w.isdigit() else None,
                quoted=old.quoted,
            )
            for k, w in enumerate(words)
        ]
    return out
