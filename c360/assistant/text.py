"""Tokens of a question: surface text (for capitalisation checks), a normalised form and a lemma.

Numbers are parsed here ("$5K" -> 5000 money, "12%" -> 12 percent, "100,000" -> 100000, "-30%" -> -30).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Final

IRREGULAR: Final = {
    "categories": "category",
    "people": "person",
    "men": "man",
    "women": "woman",
    "children": "child",
    "companies": "company",
    "entries": "entry",
    "countries": "country",
    "cities": "city",
    "quarters": "quarter",
    "analyses": "analysis",
    "indices": "index",
}
NUMBER_WORDS: Final = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}  # fmt: skip
NUMBER_SUFFIX: Final = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
TOKEN_RE: Final = re.compile(
    r"""
    (?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)
    | (?P<date>\b\d{4}-\d{2}-\d{2}\b)
    | (?P<number>(?<![\w.])-?\$?-?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|mm|bn|b|thousand|million|billion)\b)?(?:\+%|%\+|\+|%)?)
    | (?P<quoted>"[^"]+"|“[^”]+”)
    | (?P<word>[A-Za-z0-9][A-Za-z0-9'&.+]*)
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Token:
    text: str  # as written (punctuation trimmed)
    norm: str  # lower case, apostrophes and dots removed
    lemma: str  # singular form used for matching
    number: float | None = None
    is_money: bool = False
    is_percent: bool = False
    is_plus: bool = False  # "60+"
    quoted: bool = False
    is_date: bool = False  # an ISO date, YYYY-MM-DD (norm holds it)
    aside: bool = False  # inside parentheses: "(Airlines, Hotels, Travel, Car Rental)" explains, never groups

    @property
    def is_number(self) -> bool:
        return self.number is not None

    @property
    def capitalized(self) -> bool:
        return bool(self.text) and (self.text[0].isupper() or self.quoted or not self.text[0].isalpha())


def lemma(word: str) -> str:
    """A light, deterministic singular form (the same function is applied to questions and vocabularies)."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


MONTH_WORD: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)"
)
MONTH_DASH: Final = re.compile(rf"\b({MONTH_WORD}\.?(?:\s+\d{{4}})?)\s*-\s*(?={MONTH_WORD}\b)", re.IGNORECASE)


def normalize_text(text: str) -> str:
    """Unicode quotes and dashes to ASCII, '&' spelled out, hyphenated words split, '/month' -> 'per month'."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", " - ")
    text = MONTH_DASH.sub(r"\1 to ", text)  # "Jan-Nov 2026", "Mar 2026 - Sep 2026": a range of months
    text = re.sub(r"\s*/\s*(month|mo|day|year|yr|week)\b", r" per \1", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<![\d%])%", " percent ", text)  # "what % of": the word; "12%" stays a number
    text = re.sub(r"(?<![\w.])(\d+)d\b", r"\1 days", text)  # "90d vs prior 90d", "last 30d": days
    text = re.sub(r"\b(more|fewer|less) than one\b", r"\1 than 1", text, flags=re.IGNORECASE)  # a number
    text = re.sub(r"\b(i|we|you|they|who)'(d|m|ll|ve|re)\b", _contraction, text, flags=re.IGNORECASE)  # "I'd"
    text = DURING.sub(
        "in ", text
    )  # "during 2026", "during the last 90 days": a period (never "during the campaign")
    text = re.sub(r"\s*(>=|=>|≥)\s*(?=[$\d.])", " at least ", text)  # "churn prob >= 0.7", "> $10k"
    text = re.sub(r"\s*(<=|=<|≤)\s*(?=[$\d.])", " at most ", text)
    text = re.sub(r"\s*>\s*(?=[$\d.])", " over ", text)
    text = re.sub(r"\s*<\s*(?=[$\d.])", " under ", text)
    text = re.sub(r"\b(\w+)'s\b", r"\1s", text)  # possessive / contraction: "joe's" -> "joes"
    text = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z0-9])", " ", text)  # high-value -> high value
    text = re.sub(r"\bcard\s+holder", "cardholder", text, flags=re.IGNORECASE)  # card holders -> cardholders
    text = re.sub(r"(?<=\w)&(?=\w)", " and ", text)
    text = text.replace("&", " and ")
    return text


DURING: Final = re.compile(
    r"\bduring\s+(?=(?:the\s+)?(?:last|past|previous|prior|first|this|same|\d{4}\b|q[1-4]\b|(?:jan|feb|mar|apr|may|jun"
    r"|jul|aug|sep|oct|nov|dec)[a-z]*\b|(?:month|quarter|year|week|holiday)s?\b))",
    re.IGNORECASE,
)
CONTRACTIONS: Final = {"d": "would", "m": "am", "ll": "will", "ve": "have", "re": "are"}


def _contraction(match: re.Match[str]) -> str:
    return f"{match.group(1)} {CONTRACTIONS[match.group(2).lower()]}"


def norm_word(word: str) -> str:
    return word.lower().replace("'", "").replace(".", "").strip()


def tokenize(text: str) -> list[Token]:
    """Split a question into tokens; numbers carry their value and money/percent flags."""
    tokens: list[Token] = []
    normalized = normalize_text(text)
    asides = [(m.start(), m.end()) for m in re.finditer(r"\([^()]*\)", normalized)]
    starts: list[int] = []
    for match in TOKEN_RE.finditer(normalized):
        before = len(tokens)
        if match.group("email"):
            email = match.group("email").rstrip(".").lower()
            tokens.append(Token(match.group("email").rstrip("."), email, email))
        elif match.group("date"):
            iso = match.group("date")
            tokens.append(Token(iso, iso, iso, is_date=True))
        elif match.group("number"):
            raw = match.group("number")
            tokens.append(_number_token(raw))
        elif match.group("quoted"):
            inner = match.group("quoted")[1:-1]
            for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9'&.+]*", normalize_text(inner)):
                n = norm_word(word)
                tokens.append(Token(word, n, lemma(n), quoted=True))
        else:
            word = match.group("word").rstrip(".")
            n = norm_word(word)
            if not n:
                continue
            if n in NUMBER_WORDS:  # "the five customers", "in the last three months"
                value = float(NUMBER_WORDS[n])
                tokens.append(Token(word, f"{value:g}", f"{value:g}", number=value))
            else:
                tokens.append(Token(word, n, lemma(n)))
        starts.extend([match.start()] * (len(tokens) - before))
    return [
        replace(t, aside=True) if any(a <= start < b for a, b in asides) else t
        for t, start in zip(tokens, starts, strict=True)
    ]


def _number_token(raw: str) -> Token:
    text = raw.strip()
    negative = "-" in text.split("$")[0] or text.startswith("$-")
    is_money = "$" in text
    is_percent = text.endswith("%") or text.endswith("%+")  # "30%", "30%+" (a 30%+ drop)
    is_plus = text.rstrip("%").endswith("+")
    body = text.replace("$", "").replace("-", "").replace("%", "").replace("+", "").strip()
    multiplier = 1.0
    suffix_match = re.search(r"([a-zA-Z]+)$", body)
    if suffix_match:
        multiplier = NUMBER_SUFFIX.get(suffix_match.group(1).lower(), 1.0)
        body = body[: suffix_match.start()].strip()
    value = float(body.replace(",", "")) * multiplier
    if negative:
        value = -value
    norm = f"{value:g}"
    return Token(text, norm, norm, number=value, is_money=is_money, is_percent=is_percent, is_plus=is_plus)


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The lemma sequence of a vocabulary phrase, matched against question tokens."""
    return tuple(t.lemma for t in tokenize(phrase))


def pattern_spans(
    pattern: re.Pattern[str], tokens: list[Token], *, numbers: bool = False
) -> Iterator[tuple[int, int, re.Match[str]]]:
    """(start, end, match) over token indices for every match of `pattern` in the tokens' lemmas joined by
    spaces; with `numbers`, a number token is written as its integer value."""
    text, offsets = "", []
    for t in tokens:
        offsets.append(len(text))
        text += (str(int(t.number or 0)) if numbers and t.is_number else t.lemma) + " "
    for m in pattern.finditer(text):
        start = max(i for i, o in enumerate(offsets) if o <= m.start())
        end = max(i for i, o in enumerate(offsets) if o < m.end()) + 1
        yield start, end, m
