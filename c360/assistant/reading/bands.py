"""Numeric bands read from the question's own numbers: "how many customers fall in each age band: 18-29, 30-44,
45-59, 60+", "average spend per LTV bracket 0-10k, 10k-50k, 50k+". The column named before the band word is
grouped by the listed ranges (each includes both ends, 'N+' is N and above; a value on an edge shared by two
bands counts in the first); rows in no band are left out, and the answer says so."""

from __future__ import annotations

import math
import re
from typing import Final

from c360.assistant.query import Dimension, Option
from c360.assistant.reading.items import Item, Reading, Refusal
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token, tokenize

NUMBER: Final = r"\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?[kKmM]\b)?"
RANGE: Final = re.compile(rf"({NUMBER})\s*(?:-|–|—|to)\s*({NUMBER})")
Band = tuple[float, float | None, str]
BAND_WORDS: Final = frozenset({"band", "bucket", "bracket", "group"})  # "age group (18-34, 35-49, 65+)"


def band_spans(question: str, tokens: list[Token]) -> dict[int, tuple[int, tuple[Band, ...]]]:
    """{start: (end, bands)}: a list of at least two ranges ('18-29, 30-44, 60+') over consecutive number
    tokens, in a question that names bands at all."""
    if not any(t.lemma in BAND_WORDS for t in tokens):
        return {}
    pairs = []
    for m in RANGE.finditer(question):
        low, high = (_value(m.group(1)), _value(m.group(2)))
        if low is not None and high is not None and low <= high:
            pairs.append((low, high, m.group(0).replace(" ", "")))
    scaled = {p: _shared_unit(p) for p in pairs}  # "25-50k" is 25,000 to 50,000
    numbers = [(i, t) for i, t in enumerate(tokens) if t.number is not None]
    bands: list[Band] = []
    start = end = None
    k = 0
    while k < len(numbers):
        i, token = numbers[k]
        pair = next(
            (p for p in pairs if k + 1 < len(numbers) and (token.number, numbers[k + 1][1].number) == p[:2]),
            None,
        )
        if pair is not None and (end is None or i == end):
            bands.append(scaled[pair])
            start = i if start is None else start
            end = numbers[k + 1][0] + 1
            pairs.remove(pair)
            k += 2
            continue
        if token.is_plus and token.number is not None and end is not None and i == end:
            bands.append((token.number, None, token.text))
            end = i + 1
        if start is not None:
            break  # the list ended
        k += 1  # a number before the list ("the last 90 days by age band 18-39, ...")
    if not bands or start is None or end is None:
        return {}
    start, end = _open_below(tokens, start, bands), _open_above(tokens, end, bands)
    return {start: (end, tuple(bands))} if len(bands) >= 2 else {}


def _shared_unit(pair: Band) -> Band:
    """'25-50k', '$1-2M': a unit written once after the second number is the first one's too, when the first
    scaled by it still starts the range (a plain '1-100' or '0-10k' is unchanged)."""
    low, high, label = pair
    unit = re.search(r"[kKmM]$", label)
    first = re.match(r"\$?[\d,.]+(?=\s*(?:-|–|—|to))", label)
    if unit is None or first is None or high is None or re.search(r"[kKmM]", first.group(0)):
        return pair
    scale = 1_000.0 if unit.group(0) in "kK" else 1_000_000.0
    return (low * scale, high, label) if 0 < low * scale <= high else pair


BELOW: Final = frozenset({"under", "below"})
BELOW_TWO: Final = frozenset({"less than", "younger than", "fewer than", "lower than"})


def _open_below(tokens: list[Token], start: int, bands: list[Band]) -> int:
    """'under 30, 30-44, ...', 'less than 30, 30-44, ...': a first band below a number (that number excluded,
    low None)."""
    if start < 2 or tokens[start - 1].number is None:
        return start
    number = tokens[start - 1].number
    if number is None or number > bands[0][0]:
        return start
    if tokens[start - 2].lemma in BELOW:
        words = 1
    elif _lemmas(tokens, start - 3, 2) in BELOW_TWO and start >= 3:
        words = 2
    else:
        return start
    bands.insert(0, (float("nan"), number, f"under {_written(tokens[start - 1])}"))
    return start - 1 - words


def _open_above(tokens: list[Token], end: int, bands: list[Band]) -> int:
    """'..., 60 and over' / '60 or more' (60 included); '45-60, over 60' only when the band before ends at
    that number (then the first band wins on 60 and both readings agree)."""
    if bands[-1][1] is None or end >= len(tokens):
        return end
    last = bands[-1][1]
    number = tokens[end].number
    if number is not None and _lemmas(tokens, end + 1, 2) in OPEN_ABOVE:
        bands.append((number, None, f"{_written(tokens[end])}+"))
        return end + 3
    if tokens[end].lemma in ("over", "above") and end + 1 < len(tokens):
        number = tokens[end + 1].number
        if number is not None:  # any other number: 'over 60' after '45-59' is 60+ or 61+ (no band: refused)
            bands.append((number if number == last else float("nan"), None, f"over {number:g}"))
            return end + 2
    return end


OPEN_ABOVE: Final = frozenset(
    {"and over", "and above", "and older", "or more", "or older", "or over", "and up", "or above", "and more"}
)


def _written(token: Token) -> str:
    """A number as the question wrote it ('25k', '$100,000'), without the punctuation after it."""
    return token.text.rstrip(",;:.)") or f"{token.number:g}"


def _lemmas(tokens: list[Token], start: int, n: int) -> str:
    return " ".join(t.lemma for t in tokens[start : start + n]) if start >= 0 else ""


def encode(bands: tuple[Band, ...]) -> str:
    return "|".join(f"{low}:{'' if high is None else high}:{label}" for low, high, label in bands)


def decode(arg: str) -> tuple[Band, ...]:
    out = []
    for part in arg.split("|"):
        low, high, label = part.split(":", 2)
        out.append((float(low), float(high) if high else None, label))
    return tuple(out)


def band_word(tokens: list[Token], banded: dict[int, tuple[int, tuple[Band, ...]]]) -> int | None:
    """The band word right before a list of bands ('age band 18-29, ...'): a word of the grammar there only
    (elsewhere 'the High Risk band' restates a column)."""
    start = next(iter(banded), None)
    if start is None:
        return None
    return next((i for i in range(start - 1, -1, -1) if tokens[i].lemma in BAND_WORDS), None)


def _value(text: str) -> float | None:
    tokens = tokenize(text)
    return tokens[0].number if len(tokens) == 1 else None


def banded(lk: Lookups, r: Reading) -> Refusal | None:
    item = next((i for i in r.items if i.kind == "BANDS"), None)
    if item is None:
        return None
    word = next((i for i in r.items if i.kind == "BAND"), None)
    column = _column(lk, r, word)
    if word is None or column is None:
        return Refusal(
            "incomplete",
            "I can't tell which number the bands are of; name it, e.g. 'age bands 18-29, 30-44'.",
        )
    listed = decode(item.arg)
    unclear = next((label for low, high, label in listed if math.isnan(low) and high is None), None)
    if unclear is not None:
        return Refusal(
            "incomplete",
            f"I can't tell whether '{unclear}' includes its number next to the band before it; write it as "
            f"'{unclear.removeprefix('over ')}+' or the next number with '+'.",
        )
    item.used = word.used = True
    before = r.items[r.items.index(word) - 2] if r.items.index(word) >= 2 else None
    if before is not None and before.kind == "GROUP":
        before.used = True  # "in each age band"
    r.dimensions.append(Dimension(column, bands=listed))
    shown = ", ".join(label for _, _, label in listed)
    ends = (
        "each includes both ends"
        if not any(math.isnan(low) for low, _, _ in listed)
        else ("each includes both ends, 'under' excludes its number")
    )
    r.notes.append(f"bands {shown} ({ends}; customers in no band are left out)")
    return None


def _column(lk: Lookups, r: Reading, word: Item | None) -> tuple[Option, ...] | None:
    """The numeric column named right before the band word ('age band', 'LTV brackets')."""
    if word is None:
        return None
    idx = r.items.index(word)
    named = r.items[idx - 1] if idx else None
    if named is None or named.kind not in ("LEX", "AGED") or named.end != word.start:
        return None
    if named.kind == "AGED":
        named.used = True
        return (lk.option(lk.vocab.age_fact),)
    facts = lk.facts_of(named)
    if not facts:
        return None
    named.used = True
    return facts


def one_grouping(lk: Lookups, r: Reading) -> Refusal | None:
    """'by age band 18-39, 40-64': the column is grouped by its bands only, not also by its every value."""
    banded = {o.key for d in r.dimensions if d.bands for o in d.options}
    if banded:
        r.dimensions[:] = [d for d in r.dimensions if d.bands or not {o.key for o in d.options} & banded]
    return None


WIDTH_WORDS: Final = frozenset({"bucket", "bin", "band", "bracket", "step", "interval"})


def width_spans(tokens: list[Token]) -> dict[int, tuple[int, float]]:
    """{start: (end, width)}: '(in) buckets of 10', 'bins of 5,000', 'in steps of 20' — fixed-width buckets of
    the number named before them (a positive width; 'bucket' then 'of' then one number, nothing after it that
    would make it a range)."""
    out: dict[int, tuple[int, float]] = {}
    for i in range(len(tokens) - 2):
        word, of, number = tokens[i], tokens[i + 1], tokens[i + 2]
        if word.lemma not in WIDTH_WORDS or of.lemma != "of" or number.number is None or number.number <= 0:
            continue
        if number.is_plus or (i + 3 < len(tokens) and tokens[i + 3].lemma in ("-", "to", "and")):
            continue  # '… of 18-29', a list of bands
        start = i - 1 if i and tokens[i - 1].lemma == "in" else i
        out[start] = (i + 3, float(number.number))
    return out


def widths(lk: Lookups, r: Reading) -> Refusal | None:
    """'churn scores in buckets of 10', 'age bucket of 10', 'by credit limit in bins of 5000': the numeric column
    named right before the buckets, grouped by FLOOR(column / width) * width (the bucket's lower bound)."""
    for item in r.items:
        if item.kind != "WIDTH":
            continue
        idx = r.items.index(item)
        named = r.items[idx - 1] if idx else None
        facts = lk.facts_of(named) if named is not None and named.kind == "LEX" else ()
        if named is None or not facts or named.end != item.start or named.of("dimension"):
            return Refusal(
                "incomplete",
                "I can't tell which number the buckets are of; name it, e.g. 'churn scores in buckets of 10'.",
            )
        before = r.items[idx - 2] if idx >= 2 else None
        if before is not None and before.kind == "GROUP" and not before.used:
            before.used = True  # "by churn score in bins of 20", "per age bucket of 10"
        named.used = item.used = True
        r.dimensions.append(Dimension(tuple(facts), width=float(item.arg)))
        r.notes.append(f"{named.text} in buckets of {float(item.arg):g} (each row is a bucket's lower bound)")
    return None
