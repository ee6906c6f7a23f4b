"""Tokens -> items: time expressions, inactivity phrases, numbers, the longest vocabulary phrase or grammar
phrase at each position; words that are none of these are returned as unknown."""

from __future__ import annotations

import itertools

from c360.assistant.grammar import GRAMMAR, INACTIVITY, MAX_GRAMMAR, RECENCY_RANGE
from c360.assistant.lexicon import Entry
from c360.assistant.reading import absent, bands, named_ids, rolling, series
from c360.assistant.reading.items import Item
from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token, pattern_spans, phrase_key
from c360.assistant.timeframe import UNITS, TimeParser


# ---- tokens -> items --------------------------------------------------------------------------------
def scan(
    lk: Lookups, question: str, tokens: list[Token], time_adjectives: bool = False
) -> tuple[list[Item], list[Token]]:
    all_upper = sum(1 for t in tokens if t.text.isupper()) > 0.7 * len(tokens)
    changes = series.change_spans(tokens)
    befores = rolling.before_spans(tokens)
    time_adjectives = time_adjectives or bool(changes)  # "monthly spend with the % change": a series
    protected = multiword_spans(lk, tokens, all_upper, time_adjectives)
    spans = {s.start: s for s in TimeParser(tokens, lk.as_of, protected).parse()}
    inactivity = inactivity_spans(lk, tokens)
    ranges = recency_ranges(lk, tokens)
    absences = {k: v for k, v in absent.absent_spans(tokens).items() if k not in inactivity}
    banded = bands.band_spans(question, tokens)
    band_at = bands.band_word(tokens, banded)
    widths = bands.width_spans(tokens) if not banded else {}
    asks_when = asks_about_an_event(tokens)
    items: list[Item] = []
    unknown: list[Token] = []
    i = 0
    while i < len(tokens):
        if i == band_at:  # "age band" before its list
            items.append(Item("BAND", i, i + 1, (tokens[i],)))
            i += 1
            continue
        if i in widths:  # "in buckets of 10"
            end, width = widths[i]
            items.append(Item("WIDTH", i, end, tuple(tokens[i:end]), arg=f"{width:g}"))
            i = end
            continue
        if i in banded:  # "18-29, 30-44, 45-59, 60+" after 'age band'
            end, listed = banded[i]
            items.append(Item("BANDS", i, end, tuple(tokens[i:end]), arg=bands.encode(listed)))
            i = end
            continue
        if i in absences:  # "no spend", "didn't buy anything"
            items.append(Item("ABSENT", i, absences[i], tuple(tokens[i : absences[i]])))
            i = absences[i]
            continue
        if i in befores:  # "vs the 90 days before"
            end, before = befores[i]
            kind = "CHANGESHOWN" if before == rolling.SHOWN else "PRIORWINDOW"  # "give me the % change"
            items.append(Item(kind, i, end, tuple(tokens[i:end]), arg=before))
            i = end
            continue
        if i in changes:  # "% change from the previous month"
            end, grain = changes[i]
            items.append(Item("SERIESCHANGE", i, end, tuple(tokens[i:end]), arg=grain))
            i = end
            continue
        if i in ranges:
            end, low, high = ranges[i]
            items.append(Item("RECENCY", i, end, tuple(tokens[i:end]), arg=f"{low}|{high}"))
            i = end
            continue
        if i in inactivity:
            end, days = inactivity[i]
            items.append(Item("INACTIVE", i, end, tuple(tokens[i:end]), arg=days))
            i = end
            continue
        if unit_restated(items, tokens, i):  # "the payback period ..., in months": the measure's own unit
            items.append(Item("UNITASIDE", i, i + 2, tuple(tokens[i : i + 2])))
            i += 2
            continue
        if percent_restated(items, tokens, i):  # "avg spend change %": the percent column's own unit
            items.append(Item("UNITASIDE", i, i + 1, (tokens[i],)))
            i += 1
            continue
        if i in spans:
            span = spans[i]
            items.append(Item("TIME", i, span.end, tuple(tokens[i : span.end]), span=span))
            i = span.end
            continue
        tok = tokens[i]
        named = lk.lex.match(tokens, i, all_upper) if tok.is_percent else None
        if named is not None and named[0] > 1 and all(e.kind in ("fact", "metric") for e in named[1]):
            length, entries = named  # "95% confidence interval": a measure's name
            items.append(Item("LEX", i, i + length, tuple(tokens[i : i + length]), entries=tuple(entries)))
            i += length
            continue
        if tok.is_number:
            items.append(Item("NUM", i, i + 1, (tok,)))
            i += 1
            continue
        if (
            tok.lemma in ("more", "less")
            and i + 1 < len(tokens)
            and tokens[i + 1].lemma in ("likely", "likelier")
        ):
            items.append(Item("LIKELY", i, i + 1, (tok,), arg=tok.lemma))  # "more likely to churn"
            i += 1
            continue
        full_name = lk.named_value(tokens, i)
        if full_name is not None:  # "Tanner Hill": a customer's full name, read as the customer's id
            name_length, name_match = full_name
            name_span = tuple(tokens[i : i + name_length])
            settled = named_ids.settle(lk, tokens, name_match)  # "Charles M., CUST00000611"
            if settled is not None and settled.refusal:
                items.append(Item("AMBIGUOUS", i, i + name_length, name_span, arg=settled.refusal))
            elif settled is not None:
                items.append(
                    Item("LEX", i, i + name_length, name_span, entries=settled.entries, note=settled.note)
                )
            elif name_match.unique:
                key_entries = tuple(lk.key_entries(name_match))
                items.append(
                    Item("LEX", i, i + name_length, name_span, entries=key_entries, note=name_match.note)
                )
            else:
                items.append(Item("AMBIGUOUS", i, i + name_length, name_span, arg=name_match.ambiguity))
            i += name_length
            continue
        identified = lk.lex.identifier(tok)
        # an e-mail address the role sees masked
        if identified and identified[0].ref in lk.masked and identified[0].column is not None:
            reason = (
                f"{identified[0].column.replace('_', ' ')} values are masked for your role, so I can't find "
                f"anyone by {tok.text!r}; ask with the customer id."
            )
            items.append(Item("AMBIGUOUS", i, i + 1, (tok,), arg=reason))
            i += 1
            continue
        if identified:  # "CUST00000042", "aknapp@gmail.com": a key value of its own shape
            items.append(Item("LEX", i, i + 1, (tok,), entries=tuple(identified)))
            i += 1
            continue
        event = event_phrase(lk, tokens, i) if asks_when else None
        if event is not None:  # "when did ... last use their card": the event's date column
            length, ref = event
            items.append(Item("EVENT", i, i + length, tuple(tokens[i : i + length]), arg=ref))
            i += length
            continue
        special = special_phrase(lk, tokens, i)
        longer = grammar_phrase(lk, tokens, i)
        if special is not None and longer is not None and longer[0] > special[1]:
            special = None  # "newest first" is an ordering, "newest customers" a ranking
        if special is not None:  # time-dimension cues ("opened"), superlative words ("oldest")
            kind, length, arg = special
            items.append(Item(kind, i, i + length, tuple(tokens[i : i + length]), arg=arg))
            i += length
            continue
        lex = lk.lex.match(tokens, i, all_upper)
        if lex is not None and time_adjectives and ends_per_unit(tokens, i, lex[0]):
            lex = lk.lex.match(tokens[: i + lex[0] - 2], i, all_upper)  # "spend | per month": by month
        if lex is not None and lex[0] > 1 and _comparative_then_than(tokens, i + lex[0]):
            # "spending more than $4k a month": the measure, then a comparison (not the filter "spending more")
            lex = lk.lex.match(tokens[: i + lex[0] - 1], i, all_upper)
        if lex is not None and (split := value_then_rows(lk, tokens, i, lex, all_upper)) is not None:
            lex = split  # "approved transactions": the value approved, then the rows (not a column's name)
        if lex is not None and aggregate_then_measure(lk, tokens, i, lex, all_upper):
            lex = None  # "total transactions": 'total' aggregates the transactions, not one customer's column
        gram = grammar_phrase(lk, tokens, i)
        if gram is not None and gram[1][0] == "ELAPSED" and any(i < s < i + gram[0] for s in spans):
            gram = None  # "total spend per month since Sept": a window starts inside, no time since an event
        counted = gram is not None and gram[1][0] == "RECENT" and bool(items) and items[-1].kind == "NUM"
        if lex and (not gram or lex[0] >= gram[0]) and not counted:  # "the 3 most recent transactions": rows
            length, entries = lex
            items.append(Item("LEX", i, i + length, tuple(tokens[i : i + length]), entries=tuple(entries)))
            i += length
        elif gram:
            length, (symbol, arg) = gram
            # "broken down by quarter": the grain "by quarter" is read by the time parser; the grammar phrase
            # stops where a time expression starts
            if symbol == "GROUP":
                length = next((s - i for s in sorted(spans) if i < s < i + length), length)
            items.append(Item(symbol, i, i + length, tuple(tokens[i : i + length]), arg=arg))
            i += length
        elif tok.lemma in UNITS and items and items[-1].kind == "WH":  # "which day had the highest spend"
            items.append(Item("UNIT", i, i + 1, (tok,), arg=UNITS[tok.lemma]))
            i += 1
        elif (
            tok.lemma in COMPLETE_WORDS
            and i + 1 < len(tokens)
            and tokens[i + 1].lemma in UNITS
            and items
            and items[-1].kind == "WH"
        ):  # "which complete month had the lowest spend": whole periods only
            items.append(Item("UNIT", i, i + 2, (tok, tokens[i + 1]), arg=UNITS[tokens[i + 1].lemma]))
            i += 2
        else:
            shared = coordinated(lk, tokens, i, all_upper)
            if shared is not None:  # "medium or high risk": 'medium' borrows 'risk' from the next value
                items.append(Item("LEX", i, i + 1, (tok,), entries=tuple(shared)))
            elif tok.lemma not in lk.vocab.stopwords and not tok.is_date:
                unknown.append(tok)
            i += 1
    return items, unknown


COMPARATIVES = frozenset({"more", "less", "fewer", "higher", "lower", "greater"})


def _comparative_then_than(tokens: list[Token], end: int) -> bool:
    """A phrase that ends in a comparative word right before 'than' and a number ('spending more than $5K')."""
    return (
        end + 1 < len(tokens)
        and tokens[end - 1].lemma in COMPARATIVES
        and tokens[end].lemma == "than"
        and tokens[end + 1].is_number
    )


# superlatives of a row's own size (not of a count: "the highest declined transactions" may rank customers)
SIZED_ROWS = frozenset({"largest", "biggest", "smallest", "priciest", "cheapest"})


def value_then_rows(
    lk: Lookups, tokens: list[Token], i: int, lex: tuple[int, list[Entry]], all_upper: bool
) -> tuple[int, list[Entry]] | None:
    """A measure's own column name that reads as a value of a complete enumeration followed by the rows' noun
    ('approved transactions', 'declined transactions'): read the value alone, the noun comes next."""
    length, entries = lex
    if length < 2 or any(e.kind not in ("fact", "metric") for e in entries):
        return None
    sized = i > 0 and tokens[i - 1].lemma in SIZED_ROWS  # "the largest declined transaction": a row's size
    if any(not e.exact for e in entries) and not sized and not _lists_rows_of_one(lk, tokens):
        return None  # only a column's own name; a curated synonym ("declined transactions") is meant
    first = lk.lex.match(tokens[: i + 1], i, all_upper)
    rest = lk.lex.match(tokens[: i + length], i + 1, all_upper)
    if first is None or rest is None or rest[0] != length - 1:
        return None
    values = [
        e for e in first[1] if e.kind == "value" and lk.model.tables[e.table].columns[e.column or ""].is_enum
    ]
    if not values or not any(e.kind == "entity" for e in rest[1]):
        return None
    return 1, values


def _lists_rows_of_one(lk: Lookups, tokens: list[Token]) -> bool:
    """'Show me all of CUST00000042's declined transactions': a listing of one customer's rows (a list verb, a
    key value, nothing counted), where 'declined transactions' are rows with that status, not their count."""
    listed = any(GRAMMAR.get((t.lemma,), ("",))[0] == "LIST" for t in tokens)
    counted = any(t.lemma in ("many", "number", "count", "total", "much") for t in tokens)
    return listed and not counted and any(lk.lex.identifier(t) for t in tokens)


def aggregate_then_measure(
    lk: Lookups, tokens: list[Token], i: int, lex: tuple[int, list[Entry]], all_upper: bool
) -> bool:
    """A per-row column's own name that starts with an aggregation word ('total transactions' is a customer's
    count) while the rest names a measure ('transactions'): the aggregation applies to that measure."""
    length, entries = lex
    if length < 2 or any(e.kind != "fact" or not e.exact for e in entries):
        return False
    if GRAMMAR.get((tokens[i].lemma,), ("",))[0] != "AGG":
        return False
    rest = lk.lex.match(tokens[: i + length], i + 1, all_upper)
    return rest is not None and rest[0] == length - 1 and any(e.kind == "metric" for e in rest[1])


def coordinated(lk: Lookups, tokens: list[Token], i: int, all_upper: bool) -> list[Entry] | None:
    if i + 2 >= len(tokens) or tokens[i + 1].lemma not in ("or", "and"):
        return None
    nxt = lk.lex.match(tokens, i + 2, all_upper)
    if nxt is None or nxt[0] < 2:
        return None
    suffix = tuple(t.lemma for t in tokens[i + 3 : i + 2 + nxt[0]])
    entries = lk.lex.phrases.get((tokens[i].lemma, *suffix))
    values = [e for e in entries or [] if e.kind == "value"]
    if values and {(e.table, e.column) for e in values} == {
        (e.table, e.column) for e in nxt[1] if e.kind == "value"
    }:
        return values
    # "spend before and after the offer": 'before' borrows 'the offer' when both name columns of one table
    measures = [e for e in entries or [] if e.kind in ("fact", "metric")]
    if measures and {e.table for e in measures} == {e.table for e in nxt[1] if e.kind in ("fact", "metric")}:
        return measures
    return None


PERCENT_WORDS = frozenset({"percent", "percentage", "pct"})


def unit_restated(items: list[Item], tokens: list[Token], i: int) -> bool:
    """'in months' closing a question whose measure is counted in months (payback_months): it names the unit
    the answer is in, not a series by month; 'in %' / 'in percent' after a percent column (…_pct) likewise."""
    if i + 2 != len(tokens) or tokens[i].lemma != "in":
        return False
    if tokens[i + 1].lemma in PERCENT_WORDS:
        unit = "_pct"
    elif tokens[i + 1].lemma in UNITS:
        unit = f"_{UNITS[tokens[i + 1].lemma]}s"
    else:
        return False
    return any(
        e.column is not None and e.column.endswith(unit)
        for item in items
        if item.kind == "LEX"
        for e in item.of("fact", "metric")
    )


def percent_restated(items: list[Item], tokens: list[Token], i: int) -> bool:
    """'%' / 'percent' / 'pct' right after a percent column's name ('avg spend change %', 'the retention lift
    pct'): the unit it is already in."""
    if tokens[i].lemma not in PERCENT_WORDS or tokens[i].is_number or not items:
        return False
    last = items[-1]
    entries = last.of("fact", "metric") if last.kind == "LEX" else []
    return last.end == i and bool(entries) and all((e.column or "").endswith("_pct") for e in entries)


def multiword_spans(
    lk: Lookups, tokens: list[Token], all_upper: bool, time_adjectives: bool = False
) -> frozenset[int]:
    protected: set[int] = set()
    trend = (
        time_adjectives
        or any(t.lemma in ("trend", "trending") for t in tokens)
        or any(a.lemma == "over" and b.lemma == "time" for a, b in itertools.pairwise(tokens))
    )
    for i in range(len(tokens)):
        m = lk.lex.match(tokens, i, all_upper)
        if m and m[0] > 1:
            first = tokens[i].lemma
            if trend and first in ("monthly", "daily", "weekly", "quarterly", "yearly"):
                continue  # "monthly spend trend": the adjective is the time grain
            if time_adjectives and ends_per_unit(tokens, i, m[0]):
                protected.update(range(i, i + m[0] - 2))  # "total spend per month": by month
                continue
            protected.update(range(i, i + m[0]))
    return frozenset(protected)


def grammar_phrase(lk: Lookups, tokens: list[Token], i: int) -> tuple[int, tuple[str, str]] | None:
    for length in range(min(MAX_GRAMMAR, len(tokens) - i), 0, -1):
        key = tuple(t.lemma for t in tokens[i : i + length])
        if key in GRAMMAR and not _not_a_bound(tokens, i, length, GRAMMAR[key][0]):
            return length, GRAMMAR[key]
    return None


def _not_a_bound(tokens: list[Token], i: int, length: int, kind: str) -> bool:
    """'60 and over' is a bound on the number before it; 'TX or FL and older than 65' is 'and' + a comparison."""
    if kind != "POSTCMP":
        return False
    if i + length < len(tokens) and tokens[i + length].lemma == "than":
        return True
    return tokens[i].lemma == "and" and (i == 0 or tokens[i - 1].number is None)


def inactivity_spans(lk: Lookups, tokens: list[Token]) -> dict[int, tuple[int, str]]:
    """'no transactions in over 60 days' -> {start: (end, '60')}, '… in 45 days or more' -> (end, '45|>=')."""
    table, _, column = lk.vocab.recency_fact.partition(".")
    if table not in lk.model.tables or column not in lk.model.tables[table].columns:
        return {}
    found: dict[int, tuple[int, str]] = {}
    for start, end, m in pattern_spans(INACTIVITY, tokens, numbers=True):
        days = int(m.group("n") or m.group("m") or m.group("k") or m.group("j"))
        # "in 45 days or more", "for at least 45 days": the bound itself counts (>=), not only beyond it
        inclusive = "at least" in m.group(0)
        if [t.lemma for t in tokens[end : end + 2]] in (["or", "more"], ["or", "longer"]):
            end, inclusive = end + 2, True
        found[start] = (end, f"{days}|>=" if inclusive else str(days))
    return found


def recency_ranges(lk: Lookups, tokens: list[Token]) -> dict[int, tuple[int, int, int]]:
    """'31 to 59 days since their last purchase' -> {start: (end, 31, 59)} over token indices."""
    table, _, column = lk.vocab.recency_fact.partition(".")
    if table not in lk.model.tables or column not in lk.model.tables[table].columns:
        return {}
    found: dict[int, tuple[int, int, int]] = {}
    for start, end, m in pattern_spans(RECENCY_RANGE, tokens, numbers=True):
        low, high = int(m.group("lo")), int(m.group("hi"))
        if low < high:
            found[start] = (end, low, high)
    return found


def asks_about_an_event(tokens: list[Token]) -> bool:
    """The question asks when something happened, or how long ago."""
    lemmas = [t.lemma for t in tokens]
    return "when" in lemmas or any(
        GRAMMAR.get(tuple(lemmas[i : i + n]), ("",))[0] in ("WHEN", "ELAPSED")
        for i in range(len(lemmas))
        for n in range(1, MAX_GRAMMAR + 1)
    )


def event_phrase(lk: Lookups, tokens: list[Token], i: int) -> tuple[int, str] | None:
    """The longest event phrase at i ('last use their card', 'upgrade to a Premium card'): its words in order,
    with filler words between them and after them; (length, date column)."""
    fillers = lk.vocab.event_fillers
    best: tuple[int, str] | None = None
    for event in lk.vocab.time_events:
        for phrase in event.phrases:
            j, k = i, 0
            while j < len(tokens) and k < len(phrase):
                if tokens[j].lemma == phrase[k]:
                    k += 1
                elif k == 0 or tokens[j].lemma not in fillers:
                    break
                j += 1
            if k < len(phrase):
                continue
            while j < len(tokens) and tokens[j].lemma in fillers:
                j += 1
            if best is None or j - i > best[0]:
                best = (j - i, event.ref)
    return best


def special_phrase(lk: Lookups, tokens: list[Token], i: int) -> tuple[str, int, str] | None:
    best: tuple[str, int, str] | None = None
    for ref, cues in lk.vocab.time_dimension_cues.items():
        for cue in cues:
            key = phrase_key(cue)
            if tuple(t.lemma for t in tokens[i : i + len(key)]) == key and (
                best is None or len(key) > best[1]
            ):
                best = ("CUE", len(key), ref)
    for key, (descending, ref) in lk.vocab.superlative_words.items():
        if tuple(t.lemma for t in tokens[i : i + len(key)]) == key and (best is None or len(key) > best[1]):
            best = ("SUPERFACT", len(key), f"{'desc' if descending else 'asc'}|{ref}")
    for key, (more, ref) in lk.vocab.comparative_words.items():
        if tuple(t.lemma for t in tokens[i : i + len(key)]) == key and (best is None or len(key) > best[1]):
            best = ("COMPARATIVE", len(key), f"{'more' if more else 'less'}|{ref}")  # "riskier": its column
    return best


COMPLETE_WORDS = frozenset({"complete", "full", "whole", "finished", "closed"})


def ends_per_unit(tokens: list[Token], start: int, length: int) -> bool:
    """A vocabulary phrase that ends on "per month" / "each week" ("spend per month"): in the second reading
    those two words are the time grain."""
    if length < 3:
        return False
    end = start + length
    return tokens[end - 2].lemma in ("per", "each", "every") and tokens[end - 1].lemma in UNITS
