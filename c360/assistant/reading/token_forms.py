"""Everyday forms rewritten before the scan, each to the form the grammar reads.

- **"month by month"** (*day by day, week by week, quarter by quarter, year by year*, hyphenated too) is "by
  month": a series per period. The time reader knows both forms, but a measure's phrase ending in the unit took
  the first word ("CUST00000112's spend month by month …" had read *spend month*).
- **"same thing but only for Texas"** (*same but for Premium, the same for the last 90 days, do the same for
  Florida, same question for …*) opening a question is a follow-up: read as "now …" (the follow-up cue), so the
  rest refines the question before. Only at the start: "the same segment as …" elsewhere stays unread.
- **"how likely is CUST… to churn"**, *"will CUST… churn?"*: the yes/no "is CUST… likely to churn" (*will* only
  before one id or capitalised name and an outcome word).
- **a closing list of question words about a listed row** — *"the biggest purchase CUST… ever made — when, where
  and how much?"*, *"largest transaction ever — who made it and how much?"*, *"…'s largest transaction: when and where"* — asks for the columns a listing of those rows shows
  anyway (its date, merchant and amount: `vocabulary.yaml: entities.*.columns`), so the list is left out. Only at
  the end of the question, only two or more of *when / where / who / how much*, and only when the question names rows of
  a table whose listing shows a date column; elsewhere the words keep their meaning (*when did … upgrade*).
- **"the 90th percentile"** (*75th-percentile, 95 percentile*) is one word, *p90*: the grammar's aggregation
  (a continuous percentile, interpolated like the median).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Final

from c360.assistant.reading.lookups import Lookups
from c360.assistant.text import Token, lemma, phrase_key

UNITS: Final = frozenset({"day", "week", "month", "quarter", "year"})
ASKED: Final = frozenset({"when", "where", "much", "who"})
JOINERS: Final = frozenset({"and", "how", "for", "what", "was", "it", "made", "did", "make"})


SAME_LEAD: Final = frozenset({"ok", "okay", "and", "now", "then", "do", "can", "you", "please", "the", "so"})
SAME_TAIL: Final = frozenset({"thing", "question", "query", "again", "one", "but", "analysis", "breakdown"})


def rewrite(lk: Lookups, tokens: list[Token]) -> tuple[list[Token], str | None]:
    """The tokens in the forms the grammar reads, and the closing question words left out (or None): the
    reading must then list rows of `dated_tables` (the parser refuses otherwise)."""
    for form in FORMS:
        tokens = form(tokens)
    return _closing_questions(lk, _before_it_changed(lk, tokens))


def dated_tables(lk: Lookups) -> frozenset[str]:
    """Tables whose listing shows a date column (transactions): a listing of them answers 'when, where, how much'."""
    return frozenset(
        table
        for table, spec in lk.vocab.entities.items()
        if (column := lk.vocab.default_time_dimension.get(table)) and column in spec.get("columns", [])
    )


def _same_again(tokens: list[Token]) -> list[Token]:
    i = 0
    while i < len(tokens) and tokens[i].lemma in SAME_LEAD:
        i += 1
    if i >= len(tokens) or tokens[i].lemma != "same" or i > 4:
        return tokens
    j = i + 1
    while j < len(tokens) and tokens[j].lemma in SAME_TAIL:
        j += 1
    if j >= len(tokens):
        return tokens  # "the same" alone: nothing to refine with
    return [Token("now", "now", "now"), *tokens[j:]]


OUTCOMES: Final = frozenset({"churn", "leave", "lapse", "attrite"})


def _how_likely(tokens: list[Token]) -> list[Token]:
    """'how likely is CUST00000042 to churn' and 'will CUST00000042 / Jane D. churn?' are the yes/no 'is
    CUST00000042 likely to churn'. 'Will' only before one named row (an id or a capitalised name) and an outcome."""
    likely, to = Token("likely", "likely", "likely"), Token("to", "to", "to")
    words = [t.lemma for t in tokens]
    if words[:3] == ["how", "likely", "is"] and "to" in words[4:]:
        k = words.index("to", 4)
        if _one_named(tokens[3:k]):
            return [tokens[2], *tokens[3:k], likely, *tokens[k:]]
    if words[:1] == ["will"] and words[-1] in OUTCOMES and _one_named(tokens[1:-1]):
        return [Token("is", "is", "is"), *tokens[1:-1], likely, to, tokens[-1]]
    return tokens


def _one_named(tokens: list[Token]) -> bool:
    """An id ('CUST00000042', 'cust 42') or a capitalised name ('Jane D.'), not a group ('Premium customers')."""
    return 1 <= len(tokens) <= 4 and all(
        any(c.isdigit() for c in t.text)
        or (t.text[:1].isupper() and t.lemma not in ("customer", "cardholder"))
        or t.lemma == "cust"
        for t in tokens
    )


ORDINAL_ENDINGS: Final = frozenset({"th", "st", "nd", "rd"})


def _percentiles(tokens: list[Token]) -> list[Token]:
    """'the 90th percentile of LTV', 'the 75th-percentile credit limit': one word, p90 (the grammar's aggregation)."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        n = t.number
        j = i + 1 + (i + 1 < len(tokens) and tokens[i + 1].norm in ORDINAL_ENDINGS)
        if (
            n is not None
            and n == int(n)
            and 1 <= n <= 99
            and not (t.is_money or t.is_percent or t.is_plus)
            and j < len(tokens)
            and tokens[j].lemma == "percentile"
        ):
            out.append(Token(" ".join(x.text for x in tokens[i : j + 1]), f"p{int(n)}", f"p{int(n)}"))
            i = j + 1
            continue
        out.append(t)
        i += 1
    return out


def _put_on(tokens: list[Token]) -> list[Token]:
    """'how much did Mark P. put on travel': after 'how much', money put on something is money spent on it."""
    lemmas = [t.lemma for t in tokens]
    if not _has_pair(lemmas, "how", "much"):
        return tokens
    return [
        Token("spent", "spent", lemma("spent")) if t.lemma == "put" and lemmas[i + 1 : i + 2] == ["on"] else t
        for i, t in enumerate(tokens)
    ]


BOUNDS: Final = frozenset({"than", "over", "under", "above", "below", "least", "most", "exceeding"})


def _half_of(tokens: list[Token]) -> list[Token]:
    """'more than half of their credit limit', 'over half of it': half of a column after a comparison is 50% of it
    (reading/percent_of.py reads the percentage of a column). 'fell by more than half', 'dropped by over half': a
    change by more than half is a change by more than 50% (conditions.changes reads it)."""
    out = list(tokens)
    for i, t in enumerate(tokens):
        if t.norm != "half" or i == 0 or tokens[i - 1].norm not in BOUNDS:
            continue
        of = i < len(tokens) - 1 and tokens[i + 1].norm == "of"
        by = any(u.norm == "by" for u in tokens[max(0, i - 4) : i - 1])
        if of or by:
            out[i] = Token("50%", "50", "50", number=50.0, is_percent=True)
    return out


AUXILIARIES: Final = frozenset({"do", "does", "did", "dont", "doesnt", "didnt"})


def _shop_verb(tokens: list[Token]) -> list[Token]:
    """'which category does CUST… shop most often': after 'do / does / did' and its subject, 'shop' is the verb
    (shopped), not the merchant ('shop' is a synonym of merchant name, which had grouped by merchant too)."""
    out = list(tokens)
    for i, t in enumerate(tokens):
        if t.lemma == "shop" and any(u.norm in AUXILIARIES for u in tokens[max(0, i - 4) : i]):
            out[i] = Token("shopped", "shopped", lemma("shopped"))
    return out


MULTIPLIED: Final = frozenset({"more", "less", "higher", "lower", "bigger", "larger", "as", "likelier"})
# "how many times has her card or limit changed": the times counted are changes of the card, not transactions
CHANGED: Final = frozenset(
    {
        "change",
        "changed",
        "raise",
        "raised",
        "lower",
        "lowered",
        "increase",
        "increased",
        "decrease",
        "decreased",
        "cut",
        "reduce",
        "reduced",
        "upgrade",
        "upgraded",
        "downgrade",
        "downgraded",
        "adjust",
        "adjusted",
    }
)


def _counted_times(tokens: list[Token]) -> list[Token]:
    """'how many times has Janice D. been declined', 'how many times did he shop at Target': the times counted
    are transactions (attempts; a status named after them filters them). Not 'how many times more likely', nor
    'how many times has her limit changed' (changes of the card, left unread: refused, never a transaction count)."""
    out: list[Token] = []
    for i, t in enumerate(tokens):
        after = tokens[i + 1].lemma if i + 1 < len(tokens) else ""
        if (
            t.norm == "times"
            and i >= 2
            and [tokens[i - 2].lemma, tokens[i - 1].lemma] == ["how", "many"]
            and after not in MULTIPLIED
            and not any(u.norm in CHANGED or u.lemma in CHANGED for u in tokens[i + 1 :])
        ):
            out.append(Token("transactions", "transactions", lemma("transactions")))
            continue
        out.append(t)
    return out


ACTIVE_NOUNS: Final = frozenset({"customer", "cardholder", "client", "account", "user", "member", "shopper"})
ACTIVE_DEFINED: Final = re.compile(
    r"^(?:(?:with|having|ie|eg|meaning|so|=|that is|who made|who had|that made|that had) )?at least (?:1|one|a) "
    r"(?:approved |successful )?(?:transaction|purchase)(?: (?:in|during) (?:the|that|a|each) month| a month"
    r"| per month| that month| in it)?$"
)


def _active_defined(tokens: list[Token]) -> list[Token]:
    """'monthly active cardholders (at least one approved transaction)': the parentheses restate what an active
    customer in a period is (the active customer count: at least one approved transaction in it), so they are left
    out rather than read as a second measure. Only right after 'active <customers>' and only that definition."""
    for i in range(len(tokens) - 2):
        if tokens[i].lemma != "active" or tokens[i + 1].lemma not in ACTIVE_NOUNS or not tokens[i + 2].aside:
            continue
        if tokens[i].aside or tokens[i + 1].aside:
            continue
        j = i + 2
        while j < len(tokens) and tokens[j].aside:
            j += 1
        if ACTIVE_DEFINED.match(" ".join(t.lemma for t in tokens[i + 2 : j])):
            return tokens[: i + 2] + tokens[j:]
    return tokens


def _unit_by_unit(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        window = [t.lemma for t in tokens[i : i + 3]]
        if len(window) == 3 and window[0] in UNITS and window[1] == "by" and window[2] == window[0]:
            out.extend(tokens[i + 1 : i + 3])  # "month by month" -> "by month"
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


def _closing_questions(lk: Lookups, tokens: list[Token]) -> tuple[list[Token], str | None]:
    start = len(tokens)
    while start > 0 and tokens[start - 1].lemma in ASKED | JOINERS:
        start -= 1
    tail = [t.lemma for t in tokens[start:]]
    asked = {w for w in tail if w in ("when", "where", "who")} | (
        {"how much"} if _has_pair(tail, "how", "much") else set()
    )
    if len(asked) < 2 or (any(w == "how" for w in tail) and "how much" not in asked):
        return tokens, None
    if not any(t.lemma in _dated_row_nouns(lk) for t in tokens[:start]):
        return tokens, None
    return tokens[:start], " ".join(t.text for t in tokens[start:])


def _has_pair(words: list[str], first: str, second: str) -> bool:
    return any(a == first and b == second for a, b in itertools.pairwise(words))


def _dated_row_nouns(lk: Lookups) -> frozenset[str]:
    """Nouns of rows whose listing shows a date (transactions): their listing answers 'when, where, how much'."""
    return frozenset(
        lemma(n.split()[-1]) for table in dated_tables(lk) for n in lk.vocab.entities[table].get("nouns", [])
    )


# the rewrites in the order they apply (each reads the tokens the one before left)
CHANGE_WORDS: Final = frozenset({"change", "changed", "raised", "lowered", "increased", "decreased", "cut"})


LAST_CHANGE: Final = ("the", "last", "change")


def _before_it_changed(lk: Lookups, tokens: list[Token]) -> list[Token]:
    """'Has her credit limit changed? What was it before?': a closing 'before' about the 'it' that changed
    is before that change — the last one. Only when 'before the last change' names a column shown beside one
    the question names (vocabulary companion_columns: the limit before the last change beside the limit now):
    'her churn score changed? what was it before?' has no such column and stays unread."""
    if len(tokens) < 3 or tokens[-1].lemma != "before" or tokens[-2].lemma not in ("it", "that"):
        return tokens
    if not any(t.lemma in CHANGE_WORDS for t in tokens[:-2]):
        return tokens
    earlier = " ".join(t.lemma for t in tokens[:-2])
    for entry in lk.lex.phrases.get(phrase_key(" ".join(("before", *LAST_CHANGE))), []):
        for ref in lk.vocab.companion_columns.get(f"{entry.table}.{entry.column}", ()):
            table, _, column = ref.partition(".")
            col = lk.model.tables[table].columns.get(column)
            if (
                col is not None
                and col.kind != "time_dimension"
                and any(
                    re.search(rf"\b{re.escape(' '.join(lemma(w) for w in name.split()))}\b", earlier)
                    for name in (*col.synonyms, column.replace("_", " "))
                )
            ):
                return [*tokens, *(Token(w, w, w) for w in LAST_CHANGE)]
    return tokens


FORMS: Final[tuple[Callable[[list[Token]], list[Token]], ...]] = (
    _active_defined,
    _percentiles,
    _how_likely,
    _half_of,
    _shop_verb,
    _put_on,
    _counted_times,
    _same_again,
    _unit_by_unit,
)
