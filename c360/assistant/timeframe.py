"""Time expressions in a question, resolved against the platform's as-of date (never the wall clock).

Windows are half-open [start, end). "Last N days/weeks/months/years" is rolling and open-ended, like the
gold marts' trailing windows (transactions streamed after the as-of date count as recent). Calendar
expressions ("last month", "March 2026", "Q4 2025", "2025") cover whole calendar periods; a bare month or
quarter name means the most recent one that has ended by the as-of date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from c360.assistant.query import Grain, TimeWindow
from c360.assistant.text import Token

MONTHS: Final = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
MONTH_NAMES: Final = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
POST_COMPARISONS: Final = frozenset(
    {("or", "more"), ("or", "less"), ("or", "higher"), ("or", "greater"), ("or", "lower"), ("or", "fewer"),
     ("and", "above"), ("and", "up"), ("and", "below")}
)  # fmt: skip
UNITS: Final[dict[str, Grain]] = {
    "day": "day",
    "week": "week",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
    "yr": "year",
}
GRAIN_ADJECTIVES: Final[dict[str, Grain]] = {
    "daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter", "yearly": "year",
    "annually": "year", "annual": "year",
}  # fmt: skip
ORDINAL_QUARTERS: Final = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
TREND_WORDS: Final = frozenset({"trend", "trending", "trended", "timeline"})
# "90-day spend change" is a window; these words around "N days" make it something else
ADJECTIVE_WINDOW_BEFORE: Final = frozenset(
    {"over", "than", "least", "most", "within", "last", "past", "next", "first", "for", "in", "under", "above",
     "below", "about", "around", "after", "before", "every", "each", "per", "top", "bottom", "to", "and"}
)  # fmt: skip
ADJECTIVE_WINDOW_AFTER: Final = frozenset(
    {"ago", "old", "without", "since", "later", "before", "after", "or", "and", "of", "inactive", "window",
     "period", "gap"}
)  # fmt: skip
COMPLETE_WORDS: Final = frozenset({"complete", "full", "whole", "completed", "closed", "finished"})
LIST_JOINERS: Final = frozenset({"and", "to", "through", "thru", "or"})  # "Sep, Oct and Nov", "Sep to Nov"

MONTH_CONTEXT: Final = frozenset(
    {"in", "during", "of", "since", "from", "to", "until", "between", "and", "for", "through"}
)


@dataclass(frozen=True)
class TimeSpan:
    start: int  # token index range [start, end)
    end: int
    window: TimeWindow | None = None
    grain: Grain | None = None
    trend: bool = False  # "trend", "over time": a time series was asked for
    rate: Grain | None = None  # "$5K per month": the unit of a rate, not a grouping
    note: str | None = None  # an assumption worth telling the user


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last_day))


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def current_period_start(unit: str, d: date) -> date:
    """The first day of the calendar period (day, week, month, quarter, year) that `d` is in."""
    if unit == "week":
        return d - timedelta(days=d.weekday())
    if unit == "month":
        return month_start(d)
    if unit == "quarter":
        return quarter_start(d)
    if unit == "day":
        return d
    return date(d.year, 1, 1)


def month_label(d: date) -> str:
    return f"{MONTH_NAMES[d.month - 1]} {d.year}"


def complete_periods(count: int, unit: str, as_of: date) -> TimeWindow:
    """The last `count` whole calendar periods (week, month, quarter, year) before the as-of date's own."""
    end = current_period_start(unit, as_of)
    step = {"week": 0, "month": 1, "quarter": 3, "year": 12}[unit]
    start = end - timedelta(days=7 * count) if unit == "week" else add_months(end, -step * count)
    plural = "" if count == 1 else "s"
    last_day = end - timedelta(days=1)  # the window is half-open; a reader counts the last day in
    span = (
        f"{month_label(start)} to {month_label(last_day)}"
        if unit == "month"
        else f"{start.isoformat()} to {last_day.isoformat()}"
    )
    label = f"the last {count} complete {unit}{plural} ({span})"
    if count == 1 and unit == "month":
        label = month_label(start)
    return TimeWindow(start, end, label)


class TimeParser:
    """Finds time expressions; `protected` token indices (inside multi-word vocabulary phrases) are skipped."""

    def __init__(self, tokens: Sequence[Token], as_of: date, protected: frozenset[int] = frozenset()) -> None:
        self.t = tokens
        self.lemmas = [tok.lemma for tok in tokens]
        self.as_of = as_of
        self.protected = protected

    def parse(self) -> list[TimeSpan]:
        spans: list[TimeSpan] = []
        i = 0
        rules: tuple[Callable[[int], TimeSpan | None], ...] = (
            self._rate,
            self._between,
            self._month_range,
            self._since_until,
            self._complete,
            self._last_n,
            self._adjective_window,
            self._relative_period,
            self._to_date,
            self._quarter,
            self._month,
            self._year,
            self._iso_date,
            self._grain,
            self._trend,
        )
        while i < len(self.t):
            if i in self.protected:
                i += 1
                continue
            span = next((s for rule in rules if (s := rule(i)) is not None), None)
            if span is not None and any(j in self.protected for j in range(span.start, span.end)):
                span = None  # "by day of the week": 'day' belongs to a vocabulary phrase
            if span is None:
                i += 1
                continue
            spans.append(span)
            i = span.end
        return spans

    # ---- helpers ------------------------------------------------------------------------------
    def _lemma(self, i: int) -> str:
        return self.lemmas[i] if 0 <= i < len(self.lemmas) else ""

    def _number(self, i: int) -> float | None:
        return self.t[i].number if 0 <= i < len(self.t) and not self.t[i].is_percent else None

    def _year_at(self, i: int) -> int | None:
        value = self._number(i)
        if value is not None and value == int(value) and 2000 <= value <= 2100 and not self.t[i].is_money:
            return int(value)
        return None

    def _month_at(self, i: int) -> int | None:
        month = MONTHS.get(self._lemma(i))
        if month is None:
            return None
        # "may" and short forms are months only in a time context or right before a year
        if (
            self._lemma(i)
            in (
                "may",
                "mar",
                "jun",
                "dec",
                "jan",
                "sep",
                "oct",
                "nov",
                "aug",
                "feb",
                "apr",
                "jul",
            )
            and self._lemma(i - 1) not in MONTH_CONTEXT
            and self._year_at(i + 1) is None
            and not self._listed_month(i)
        ):
            return None
        return month

    def _listed_month(self, i: int) -> bool:
        """'Sep, Oct and Nov': a short form next to another month's name (or one 'and'/'to' away) is a month."""
        return any(self._lemma(j) in MONTHS for j in (i - 1, i + 1)) or any(
            self._lemma(j) in LIST_JOINERS and self._lemma(k) in MONTHS
            for j, k in ((i - 1, i - 2), (i + 1, i + 2))
        )

    def _point(self, i: int) -> tuple[int, date, date, str] | None:
        """A calendar point at i: (tokens used, start, end, label) for MONTH [YEAR], YEAR or an ISO date."""
        if 0 <= i < len(self.t) and self.t[i].is_date:
            day = date.fromisoformat(self.t[i].norm)
            return 1, day, day + timedelta(days=1), day.isoformat()
        month = self._month_at(i)
        if month is not None and (day_of_month := self._day_at(i + 1)) is not None:
            year = self._year_at(i + 2)  # "June 1, 2026"; "June 1": the latest one by the as-of date
            start = (
                date(year or self.as_of.year, month, day_of_month)
                if _valid(year or self.as_of.year, month, day_of_month)
                else None
            )
            if start is not None and year is None and start > self.as_of:
                start = (
                    date(start.year - 1, month, day_of_month)
                    if _valid(start.year - 1, month, day_of_month)
                    else None
                )
            if start is not None:
                return (3 if year else 2), start, start + timedelta(days=1), start.isoformat()
        if month is not None:
            year = self._year_at(i + 1)
            if year is not None:
                start = date(year, month, 1)
                return 2, start, add_months(start, 1), month_label(start)
            start = self._latest_complete_month(month)
            return 1, start, add_months(start, 1), month_label(start)
        year = self._year_at(i)
        if year is not None:
            return 1, date(year, 1, 1), date(year + 1, 1, 1), str(year)
        return self._period_beginning(i)

    def _period_beginning(self, i: int) -> tuple[int, date, date, str] | None:
        """'the start of the year', 'the beginning of this month': the first day of the as-of date's period."""
        j = i + (self._lemma(i) == "the")
        if self._lemma(j) not in ("start", "beginning") or self._lemma(j + 1) != "of":
            return None
        k = j + 2 + (self._lemma(j + 2) in ("the", "this"))
        unit = UNITS.get(self._lemma(k))
        if unit not in ("week", "month", "quarter", "year"):
            return None
        start = current_period_start(unit, self.as_of)
        return k + 1 - i, start, start + timedelta(days=1), f"the start of this {unit} ({start.isoformat()})"

    def _day_at(self, i: int) -> int | None:
        value = self._number(i)
        if value is None or value != int(value) or not 1 <= value <= 31 or self.t[i].is_money:
            return None
        return int(value)

    def _latest_complete_month(self, month: int) -> date:
        candidate = date(self.as_of.year, month, 1)
        if add_months(candidate, 1) > self.as_of:
            candidate = date(self.as_of.year - 1, month, 1)
        return candidate

    def _window(self, start: int, end: int, window: TimeWindow, note: str | None = None) -> TimeSpan:
        return TimeSpan(start, end, window=window, note=note)

    # ---- rules ----------------------------------------------------------------------------------
    def _rate(self, i: int) -> TimeSpan | None:
        # "$5K per month", "$5K a month", "5000 monthly": a rate unit right after a number (or after a number
        # and its comparison: "$3K or more a month")
        after_comparison = (
            i >= 3
            and self._number(i - 3) is not None
            and (self._lemma(i - 2), self._lemma(i - 1)) in POST_COMPARISONS
        )
        if i == 0 or (self._number(i - 1) is None and not after_comparison):
            return None
        if self._lemma(i) in ("per", "a", "each", "every", "an") and self._lemma(i + 1) in UNITS:
            return TimeSpan(i, i + 2, rate=UNITS[self._lemma(i + 1)])
        if self._lemma(i) in GRAIN_ADJECTIVES:
            return TimeSpan(i, i + 1, rate=GRAIN_ADJECTIVES[self._lemma(i)])
        return None

    def _between(self, i: int) -> TimeSpan | None:
        if self._lemma(i) not in ("between", "from"):
            return None
        return self._range(i, i + 1, ("and", "to", "through", "until", "till"))

    def _month_range(self, i: int) -> TimeSpan | None:
        """'Jan-Nov 2026', 'January to November 2026', 'Mar 2026 through Sep 2026': two months joined by a
        range word (a dash between month names is written 'to' by normalize_text), no 'from' before them."""
        first = self._point(i) if self._month_at(i) is not None else None
        if first is None or self._month_at(i + first[0] + 1) is None:
            return None
        return self._range(i, i, ("to", "through", "thru", "until", "till"))

    def _range(self, i: int, k: int, joiners: tuple[str, ...]) -> TimeSpan | None:
        """The window from the calendar point at k to the one after a joiner, as a span from i."""
        first = self._point(k)
        if first is None:
            return None
        j = k + first[0]
        if self._lemma(j) not in joiners:
            return None
        second = self._point(j + 1)
        if second is None:
            return None
        start, end = first[1], second[2]
        if first[0] == 1 and second[0] == 2 and self._month_at(k) is not None:
            # "between March and June 2026": the year applies to both months
            start = date(second[1].year, start.month, 1)
        if end <= start:
            return None
        label = f"{first[3]} to {second[3]}"
        return self._window(i, j + 1 + second[0], TimeWindow(start, end, label))

    def _since_until(self, i: int) -> TimeSpan | None:
        word = self._lemma(i)
        if word not in ("since", "after", "before", "until", "till") and not (
            word == "prior" and self._lemma(i + 1) == "to"
        ):
            return None
        offset = 2 if word == "prior" else 1
        point = self._point(i + offset)
        if point is None:
            return None
        used, start, end, label = point
        if word == "since":
            window = TimeWindow(start, None, f"since {label}")
        elif word == "after":
            window = TimeWindow(end, None, f"after {label}")
        else:
            window = TimeWindow(None, start, f"before {label}")
        return self._window(i, i + offset + used, window)

    def _complete(self, i: int) -> TimeSpan | None:
        """'the last 6 complete months', 'last full quarter', 'the last complete calendar month': whole
        calendar periods that ended before the as-of date's own period."""
        if self._lemma(i) not in ("last", "past", "previous", "prior"):
            return None
        j = i + 1
        n = self._number(j)
        count = 1
        if n is not None:
            if n != int(n) or not 0 < n <= 120:
                return None
            count, j = int(n), j + 1
        if self._lemma(j) not in COMPLETE_WORDS:
            return None
        j += 1
        if self._lemma(j) == "calendar":
            j += 1
        unit = UNITS.get(self._lemma(j))
        if unit not in ("week", "month", "quarter", "year"):
            return None
        return self._window(i, j + 1, complete_periods(count, unit, self.as_of))

    def _last_n(self, i: int) -> TimeSpan | None:
        if self._lemma(i) not in ("last", "past", "previous", "trailing", "recent", "prior"):
            return None
        n = self._number(i + 1)
        unit = UNITS.get(self._lemma(i + 2))
        if n is None or unit is None or n != int(n) or not 0 < n <= 3650:
            return None
        count = int(n)
        start = self._shift(unit, -count)
        days = count * 7 if unit == "week" else count if unit == "day" else None
        plural = "" if count == 1 else "s"
        window = TimeWindow(start, None, f"the last {count} {unit}{plural}", days=days, rolling=(count, unit))
        return self._window(i, i + 3, window)

    def _adjective_window(self, i: int) -> TimeSpan | None:
        """'the average 90-day spend change', '12-month spend': a trailing window written as an adjective
        (a count and a unit before what is measured; not 'over 90 days', '90 days ago', '60 days without')."""
        n = self._number(i)
        unit = UNITS.get(self._lemma(i + 1))
        if n is None or unit is None or n != int(n) or not 0 < n <= 3650 or self.t[i].is_money:
            return None
        if self._lemma(i - 1) in ADJECTIVE_WINDOW_BEFORE or self._lemma(i + 2) in ADJECTIVE_WINDOW_AFTER:
            return None
        if i + 2 >= len(self.t) or self._number(i + 2) is not None:
            return None
        count = int(n)
        days = count * 7 if unit == "week" else count if unit == "day" else None
        plural = "" if count == 1 else "s"
        window = TimeWindow(self._shift(unit, -count), None, f"the last {count} {unit}{plural}", days=days)
        return self._window(i, i + 2, window)

    def _shift(self, unit: str, n: int) -> date:
        if unit == "day":
            return self.as_of + timedelta(days=n)
        if unit == "week":
            return self.as_of + timedelta(days=7 * n)
        if unit == "month":
            return add_months(self.as_of, n)
        if unit == "quarter":
            return add_months(self.as_of, 3 * n)
        return add_months(self.as_of, 12 * n)

    def _relative_period(self, i: int) -> TimeSpan | None:
        word = self._lemma(i)
        unit = UNITS.get(self._lemma(i + 1))
        if unit is None or word not in ("last", "previous", "past", "this", "current", "prior"):
            return None
        if word in ("this", "current"):
            start = self._period_start(unit, self.as_of)
            label = f"this {unit} (since {start.isoformat()})"
            return self._window(i, i + 2, TimeWindow(start, None, label, current=True))
        rolling = word == "past" or self._lemma(i - 1) == "the"
        if rolling:  # "the past month", "in the last month": one rolling unit
            start = self._shift(unit, -1)
            days = 7 if unit == "week" else 1 if unit == "day" else None
            return self._window(i, i + 2, TimeWindow(start, None, f"the last {unit}", days=days))
        end = self._period_start(unit, self.as_of)
        start = self._period_start(unit, end - timedelta(days=1))
        label = {
            "month": month_label(start),
            "year": str(start.year),
            "quarter": f"Q{(start.month - 1) // 3 + 1} {start.year}",
        }.get(unit, f"the {unit} of {start.isoformat()}")
        return self._window(i, i + 2, TimeWindow(start, end, label))

    def _period_start(self, unit: str, d: date) -> date:
        return current_period_start(unit, d)

    def _to_date(self, i: int) -> TimeSpan | None:
        word = self._lemma(i)
        unit = {"ytd": "year", "mtd": "month", "qtd": "quarter"}.get(word)
        used = 1
        if unit is None and word in UNITS and self._lemma(i + 1) == "to" and self._lemma(i + 2) == "date":
            unit, used = UNITS[word], 3
        if unit is None:
            return None
        start = self._period_start(unit, self.as_of)
        return self._window(
            i, i + used, TimeWindow(start, None, f"{unit} to date (since {start.isoformat()})", current=True)
        )

    def _quarter(self, i: int) -> TimeSpan | None:
        word = self._lemma(i)
        quarter: int | None = None
        used = 1
        if len(word) == 2 and word[0] == "q" and word[1] in "1234":
            quarter = int(word[1])
        elif word in ORDINAL_QUARTERS and self._lemma(i + 1) == "quarter":
            quarter, used = ORDINAL_QUARTERS[word], 2
        elif len(word) == 2 and word[0] == "h" and word[1] in "12":
            return self._half(i, int(word[1]), 1)
        elif word in ("first", "second") and self._lemma(i + 1) == "half":
            return self._half(i, 1 if word == "first" else 2, 2)
        if quarter is None:
            return None
        j = i + used
        if self._lemma(j) == "of" and self._year_at(j + 1) is not None:
            j += 1
        year = self._year_at(j)
        note = None
        if year is not None:
            used_total = j + 1 - i
        else:
            used_total = j - i
            year = self.as_of.year
            if add_months(date(year, 3 * quarter - 2, 1), 3) > self.as_of:
                year -= 1
            note = f"Q{quarter} read as Q{quarter} {year}, the latest complete Q{quarter}"
        start = date(year, 3 * quarter - 2, 1)
        return self._window(
            i, i + used_total, TimeWindow(start, add_months(start, 3), f"Q{quarter} {year}"), note
        )

    def _half(self, i: int, half: int, used: int) -> TimeSpan:
        """'H1 2026', 'the second half of 2025', 'H2' (the latest complete one): six calendar months."""
        j = i + used
        if self._lemma(j) == "of" and self._year_at(j + 1) is not None:
            j += 1
        year = self._year_at(j)
        note = None
        if year is not None:
            end = j + 1
        else:
            end, year = j, self.as_of.year
            if add_months(date(year, 6 * half - 5, 1), 6) > self.as_of:
                year -= 1
            note = f"H{half} read as H{half} {year}, the latest complete H{half}"
        start = date(year, 6 * half - 5, 1)
        return self._window(i, end, TimeWindow(start, add_months(start, 6), f"H{half} {year}"), note)

    def _month(self, i: int) -> TimeSpan | None:
        month = self._month_at(i)
        if month is None:
            return None
        point = self._point(i)
        assert point is not None
        used, start, end, label = point
        note = None if used != 1 else f"{MONTH_NAMES[month - 1]} read as {label}, the latest complete one"
        return self._window(i, i + used, TimeWindow(start, end, label), note)

    def _year(self, i: int) -> TimeSpan | None:
        if self._lemma(i - 1) not in ("in", "during", "for", "of", "year") or self._year_at(i) is None:
            return None
        year = self._year_at(i)
        assert year is not None
        return self._window(i, i + 1, TimeWindow(date(year, 1, 1), date(year + 1, 1, 1), str(year)))

    def _iso_date(self, i: int) -> TimeSpan | None:
        if not self.t[i].is_date:
            return None
        day = date.fromisoformat(self.t[i].norm)
        return self._window(i, i + 1, TimeWindow(day, day + timedelta(days=1), day.isoformat()))

    def _grain(self, i: int) -> TimeSpan | None:
        word = self._lemma(i)
        if word in GRAIN_ADJECTIVES:
            return TimeSpan(i, i + 1, grain=GRAIN_ADJECTIVES[word])
        if word in ("by", "per", "each", "every") and self._lemma(i + 1) in UNITS:
            unit = UNITS[self._lemma(i + 1)]
            if self._lemma(i + 2) == "over" and self._lemma(i + 3) == self._lemma(i + 1):
                # "month over month" is a measure, not a grain ("by month over the last 6 months" is one)
                return None
            return TimeSpan(i, i + 2, grain=unit)
        if word in UNITS and self._lemma(i + 1) == "by" and self._lemma(i + 2) == word:
            return TimeSpan(i, i + 3, grain=UNITS[word])
        return None

    def _trend(self, i: int) -> TimeSpan | None:
        word = self._lemma(i)
        if word in TREND_WORDS:
            return TimeSpan(i, i + 1, trend=True)
        if word == "over" and self._lemma(i + 1) == "time":
            return TimeSpan(i, i + 2, trend=True)
        if word == "time" and self._lemma(i + 1) == "series":
            return TimeSpan(i, i + 2, trend=True)
        return None
