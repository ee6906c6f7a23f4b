"""The small grammar the local analyst reads besides the semantic model's vocabulary.

Phrases (as lemma sequences) mapped to a symbol and an argument: aggregations, counting, comparisons,
grouping, ranking, negation, question words, comparison of groups, shares, follow-up cues; and the regular
expression for inactivity phrases ("no transaction in over 60 days").
"""

from __future__ import annotations

import re
from typing import Final

from c360.assistant.text import phrase_key

# ---- the grammar: phrase (lemmas) -> (symbol, argument) -----------------------------------------------------
_GRAMMAR_SOURCE: Final[dict[str, tuple[str, str]]] = {
    # aggregations
    "average": ("AGG", "avg"), "avg": ("AGG", "avg"), "mean": ("AGG", "avg"), "average of": ("AGG", "avg"),
    "total": ("AGG", "sum"), "sum": ("AGG", "sum"), "sum of": ("AGG", "sum"), "combined": ("AGG", "sum"),
    "median": ("AGG", "median"), "maximum": ("AGG", "max"), "max": ("AGG", "max"),
    "minimum": ("AGG", "min"), "min": ("AGG", "min"),
    "standard deviation": ("AGG", "stddev"), "standard deviation of": ("AGG", "stddev"), "std dev": ("AGG", "stddev"),
    "stddev": ("AGG", "stddev"), "stdev": ("AGG", "stddev"), "std deviation": ("AGG", "stddev"),
    # counting
    "how many": ("COUNT", ""), "number of": ("COUNT", ""), "count of": ("COUNT", ""), "count": ("COUNT", ""),
    "total number of": ("COUNT", ""), "how many of": ("COUNT", ""),
    "different": ("DISTINCT", ""), "distinct": ("DISTINCT", ""), "unique": ("DISTINCT", ""),
    # comparisons
    "over": ("CMP", ">"), "above": ("CMP", ">"), "exceeding": ("CMP", ">"), "exceed": ("CMP", ">"),
    "more than": ("CMP", ">"), "greater than": ("CMP", ">"), "higher than": ("CMP", ">"),
    "larger than": ("CMP", ">"), "bigger than": ("CMP", ">"), "in excess of": ("CMP", ">"),
    "upwards of": ("CMP", ">"), "north of": ("CMP", ">"), "great than": ("CMP", ">"),
    "at least": ("CMP", ">="), "no less than": ("CMP", ">="), "minimum of": ("CMP", ">="),
    "or more": ("POSTCMP", ">="), "and above": ("POSTCMP", ">="), "and up": ("POSTCMP", ">="),
    "or higher": ("POSTCMP", ">="), "or greater": ("POSTCMP", ">="), "and over": ("POSTCMP", ">="),
    "or over": ("POSTCMP", ">="), "and higher": ("POSTCMP", ">="), "and greater": ("POSTCMP", ">="),
    "and older": ("POSTCMP", ">="), "or older": ("POSTCMP", ">="),
    "under": ("CMP", "<"), "below": ("CMP", "<"), "less than": ("CMP", "<"), "lower than": ("CMP", "<"),
    "fewer than": ("CMP", "<"), "smaller than": ("CMP", "<"), "beneath": ("CMP", "<"),
    "at most": ("CMP", "<="), "no more than": ("CMP", "<="), "up to": ("CMP", "<="), "maximum of": ("CMP", "<="),
    "or less": ("POSTCMP", "<="), "or fewer": ("POSTCMP", "<="), "and below": ("POSTCMP", "<="),
    "or lower": ("POSTCMP", "<="), "and under": ("POSTCMP", "<="), "or under": ("POSTCMP", "<="),
    "and lower": ("POSTCMP", "<="), "and younger": ("POSTCMP", "<="), "or younger": ("POSTCMP", "<="),
    "and less": ("POSTCMP", "<="),
    "equal to": ("CMP", "="), "exactly": ("CMP", "="), "equals": ("CMP", "="),
    "older than": ("AGECMP", ">"), "over the age of": ("AGECMP", ">"), "aged over": ("AGECMP", ">"),
    "above the age of": ("AGECMP", ">"), "age over": ("AGECMP", ">"), "age above": ("AGECMP", ">"),
    "younger than": ("AGECMP", "<"), "under the age of": ("AGECMP", "<"), "aged under": ("AGECMP", "<"),
    "below the age of": ("AGECMP", "<"), "age under": ("AGECMP", "<"), "age below": ("AGECMP", "<"),
    "aged at least": ("AGECMP", ">="), "at least age": ("AGECMP", ">="),
    "between": ("BETWEEN", ""), "aged between": ("AGEBETWEEN", ""), "age between": ("AGEBETWEEN", ""),
    "aged": ("AGED", ""),
    # grouping
    "by": ("GROUP", ""), "per": ("GROUP", ""), "for each": ("GROUP", ""), "in each": ("GROUP", ""),
    "for every": ("GROUP", ""), "across": ("GROUP", ""), "broken down by": ("GROUP", ""),
    "split by": ("GROUP", ""), "grouped by": ("GROUP", ""), "break down by": ("GROUP", ""),
    "breakdown by": ("GROUP", ""), "broken out by": ("GROUP", ""), "break out by": ("GROUP", ""),
    "each": ("GROUP", ""), "among": ("GROUP", ""), "of each": ("GROUP", ""),
    "within each": ("GROUP", ""), "for all": ("GROUP", ""), "by each": ("GROUP", ""), "in every": ("GROUP", ""),
    # ranking
    "highest": ("SUPER", "desc"), "largest": ("SUPER", "desc"), "biggest": ("SUPER", "desc"),
    "greatest": ("SUPER", "desc"), "most": ("SUPER", "desc"), "top": ("SUPER", "desc"), "best": ("SUPER", "desc"),
    "the most": ("SUPER", "desc"),
    # the direction of a sort, without a cut: "sort them by LTV, highest first"
    "highest to lowest": ("DIRECTION", "desc"), "descending": ("DIRECTION", "desc"),
    "lowest to highest": ("DIRECTION", "asc"), "ascending": ("DIRECTION", "asc"),
    "highest first": ("DIRECTION", "desc"), "largest first": ("DIRECTION", "desc"),
    "biggest first": ("DIRECTION", "desc"), "most first": ("DIRECTION", "desc"),
    "lowest first": ("DIRECTION", "asc"), "smallest first": ("DIRECTION", "asc"), "least first": ("DIRECTION", "asc"),
    "in descending order": ("DIRECTION", "desc"), "in ascending order": ("DIRECTION", "asc"),
    "high to low": ("DIRECTION", "desc"), "low to high": ("DIRECTION", "asc"),
    "largest to smallest": ("DIRECTION", "desc"), "smallest to largest": ("DIRECTION", "asc"),
    "longest": ("SUPER", "desc"), "shortest": ("SUPER", "asc"), "priciest": ("SUPER", "desc"),
    "cheapest": ("SUPER", "asc"),
    "lowest": ("SUPER", "asc"), "smallest": ("SUPER", "asc"), "least": ("SUPER", "asc"),
    "fewest": ("SUPER", "asc"), "bottom": ("SUPER", "asc"), "worst": ("SUPER", "asc"),
    "popular": ("POPULAR", ""), "common": ("POPULAR", ""), "frequent": ("POPULAR", ""),
    "often": ("POPULAR", ""), "frequently": ("POPULAR", ""),  # "which channel does she use most often"
    "rank": ("RANK", ""), "ranked": ("RANK", ""), "sort": ("RANK", ""), "sorted": ("RANK", ""),
    "order": ("RANK", ""), "ordered": ("RANK", ""), "ranking": ("RANK", ""),
    # negation
    "not": ("NEG", ""), "without": ("NEG", ""), "excluding": ("NEG", ""), "exclude": ("NEG", ""),
    "except": ("NEG", ""), "other than": ("NEG", ""), "non": ("NEG", ""), "arent": ("NEG", ""),
    "isnt": ("NEG", ""), "dont": ("NEG", ""), "doesnt": ("NEG", ""), "but not": ("NEG", ""),
    "havent": ("NEG", ""), "hasnt": ("NEG", ""), "didnt": ("NEG", ""), "wasnt": ("NEG", ""), "werent": ("NEG", ""),
    "except for": ("NEG", ""), "apart from": ("NEG", ""), "outside": ("NEG", ""), "outside of": ("NEG", ""),
    # an exclusion as a request: "ignore uncategorized transactions", "leaving out lapsed customers"
    "ignore": ("NEG", ""), "ignoring": ("NEG", ""), "disregard": ("NEG", ""), "disregarding": ("NEG", ""),
    "leave out": ("NEG", ""), "leaving out": ("NEG", ""), "left out": ("NEG", ""), "omit": ("NEG", ""),
    "omitting": ("NEG", ""), "not counting": ("NEG", ""), "not including": ("NEG", ""),
    # a change in a direction: "saw their spend drop by more than 50% month over month"
    "drop": ("CHANGE", "down"), "dropped": ("CHANGE", "down"), "fall": ("CHANGE", "down"),
    "fell": ("CHANGE", "down"), "fallen": ("CHANGE", "down"), "decrease": ("CHANGE", "down"),
    "decreased": ("CHANGE", "down"), "shrink": ("CHANGE", "down"), "shrank": ("CHANGE", "down"),
    "go down": ("CHANGE", "down"), "went down": ("CHANGE", "down"), "gone down": ("CHANGE", "down"),
    "rise": ("CHANGE", "up"), "rose": ("CHANGE", "up"), "risen": ("CHANGE", "up"), "grow": ("CHANGE", "up"),
    "grew": ("CHANGE", "up"), "grown": ("CHANGE", "up"), "jump": ("CHANGE", "up"), "jumped": ("CHANGE", "up"),
    "increase": ("CHANGE", "up"), "go up": ("CHANGE", "up"), "went up": ("CHANGE", "up"),
    "gone up": ("CHANGE", "up"),
    # the versions of a row over time: "has CUST00000042's credit limit changed over time?"
    "changed over time": ("HISTORY", ""), "change over time": ("HISTORY", ""), "changes over time": ("HISTORY", ""),
    "changed": ("HISTORY", ""), "evolved": ("HISTORY", ""), "over the years": ("HISTORY", ""),
    # question words and requests
    "which": ("WH", ""), "what": ("WH", ""), "who": ("WHO", ""), "whose": ("WHO", ""),
    "show": ("LIST", ""), "list": ("LIST", ""), "find": ("LIST", ""), "display": ("LIST", ""),
    "identify": ("LIST", ""), "give": ("LIST", ""), "get": ("LIST", ""), "pull": ("LIST", ""),
    "fetch": ("LIST", ""), "return": ("LIST", ""), "name": ("LIST", ""),
    "walk me through": ("LIST", ""), "walk through": ("LIST", ""), "take me through": ("LIST", ""),
    # comparative adjectives of a yes/no comparison: "do Premium customers have a higher churn score than
    # Standard ones?" ("higher than 50" stays a comparison with a number)
    "higher": ("COMPARATIVE", "more"), "greater": ("COMPARATIVE", "more"), "larger": ("COMPARATIVE", "more"),
    "bigger": ("COMPARATIVE", "more"), "lower": ("COMPARATIVE", "less"), "smaller": ("COMPARATIVE", "less"),
    "older": ("COMPARATIVE", "more"), "younger": ("COMPARATIVE", "less"), "on average": ("ONAVERAGE", ""),
    # comparison of groups
    "compare": ("COMPARE", ""), "comparison": ("COMPARE", ""), "compared to": ("COMPARE", ""),
    "compared with": ("COMPARE", ""), "vs": ("COMPARE", ""), "versus": ("COMPARE", ""),
    "against": ("COMPARE", ""), "differ": ("COMPARE", ""), "vary": ("COMPARE", ""), "varies": ("COMPARE", ""), "difference between": ("COMPARE", ""),
    "relative to": ("COMPARE", ""),
    # the correlation of two columns of the rows (reading/correlation.py)
    "correlation": ("CORR", ""), "corr": ("CORR", ""), "correlated": ("CORR", ""), "correlate": ("CORR", ""),
    "correlation coefficient": ("CORR", ""), "correlations": ("CORR", ""),
    # implied counts
    "distribution": ("DIST", ""), "breakdown": ("DIST", ""), "mix": ("DIST", ""), "size": ("DIST", ""), "how big": ("DIST", ""), "how large": ("DIST", ""),
    "break down": ("DIST", ""), "breakdown of": ("DIST", ""), "composition": ("DIST", ""), "spread": ("DIST", ""), "split": ("DIST", ""), "headcount": ("DIST", ""),
    "distributed": ("DIST", ""), "concentrated": ("DIST", ""), "clustered": ("DIST", ""), "spread out": ("DIST", ""), "broken down": ("DIST", ""),
    # coordination and follow-up cues
    "and": ("AND", ""), "or": ("OR", ""), "either": ("EITHER", ""), "as well as": ("AND", ""), "plus": ("AND", ""),
    "instead": ("INSTEAD", ""), "rather": ("INSTEAD", ""), "only": ("ONLY", ""), "just": ("ONLY", ""),
    "what share of": ("SHARE", ""), "share of": ("SHARE", ""), "what share": ("SHARE", ""),
    "what percentage": ("SHARE", ""), "what percent": ("SHARE", ""), "what proportion": ("SHARE", ""),
    "what fraction": ("SHARE", ""), "what percentage of": ("SHARE", ""),
    "percentage of": ("SHARE", ""), "what percent of": ("SHARE", ""), "percent of": ("SHARE", ""),
    "proportion of": ("SHARE", ""), "what proportion of": ("SHARE", ""), "what fraction of": ("SHARE", ""),
    "fraction of": ("SHARE", ""), "how many percent of": ("SHARE", ""), "portion of": ("SHARE", ""),
    "what portion of": ("SHARE", ""), "share by": ("SHARE", ""), "share in": ("SHARE", ""),
    "share per": ("SHARE", ""), "share across": ("SHARE", ""), "rate by": ("SHARE", ""), "rate in": ("SHARE", ""),
    "rate per": ("SHARE", ""), "rate across": ("SHARE", ""), "rates by": ("SHARE", ""),
    "percent of total": ("PCTTOTAL", ""), "percentage of total": ("PCTTOTAL", ""),
    "percent of the total": ("PCTTOTAL", ""), "percentage of the total": ("PCTTOTAL", ""),
    "share of total": ("PCTTOTAL", ""), "share of the total": ("PCTTOTAL", ""),
    "proportion of the total": ("PCTTOTAL", ""), "of total": ("PCTTOTAL", ""), "of the total": ("PCTTOTAL", ""),
    # "counts and percentages by status", "customers by region with percentages", "and their shares": each
    # group's part of the measure asked for (a longer phrase — "percentage of", "what share" — reads first)
    "percentage": ("PCTTOTAL", ""), "and share": ("PCTTOTAL", ""), "with share": ("PCTTOTAL", ""),
    # "are Premium customers more likely to be High Risk (than Standard ones)?": the comparative is read by
    # the scanner ("more"/"less" before "likely"); these only carry the outcome that follows
    "likely to be": ("LIKELYTO", ""), "likely to have": ("LIKELYTO", ""), "likely to hold": ("LIKELYTO", ""),
    "likely to get": ("LIKELYTO", ""), "likely to": ("LIKELYTO", ""), "likely": ("LIKELYTO", ""),
    # every row tied for the first place: "(list everyone tied at the max)"
    "tied": ("TIES", ""), "ties": ("TIES", ""), "with ties": ("TIES", ""), "tied at the max": ("TIES", ""),
    "tied at the top": ("TIES", ""), "tied for first": ("TIES", ""), "tied at the maximum": ("TIES", ""),
    "how much": ("HOWMUCH", ""), "how much money": ("HOWMUCH", ""),
    # the length of a span a measure states in its unit: "how many months until the offer pays for itself"
    "how many month until": ("HOWMUCH", ""), "how many month before": ("HOWMUCH", ""),
    "how many month to": ("HOWMUCH", ""), "how long until": ("HOWMUCH", ""), "how long before": ("HOWMUCH", ""),
    "how long will it take": ("HOWMUCH", ""), "how long will it take to": ("HOWMUCH", ""),
    "how long do": ("HOWMUCH", ""), "how long does it take": ("HOWMUCH", ""),
    # the date or the time since an event of one customer ("when did ... last use their card")
    "what date": ("WHEN", ""), "which date": ("WHEN", ""), "on what date": ("WHEN", ""),
    "how many day since": ("ELAPSED", "day"), "how many day has it been since": ("ELAPSED", "day"),
    "how long since": ("ELAPSED", "day"), "how long has it been since": ("ELAPSED", "day"),
    "how long ago": ("ELAPSED", "day"), "how many day ago": ("ELAPSED", "day"),
    "how many month since": ("ELAPSED", "month"), "how long has": ("ELAPSED", ""), "how long have": ("ELAPSED", ""),
    "how many month has it been since": ("ELAPSED", "month"),
    "how many month has": ("ELAPSED", "month"), "how many month have": ("ELAPSED", "month"),  # "... been with us"
    "how many day has": ("ELAPSED", "day"), "how many day have": ("ELAPSED", "day"),
    # "when did he open his account, and how many months ago is that?", "days since her last purchase"
    "how many month ago": ("ELAPSED", "month"), "day since": ("ELAPSED", "day"), "month since": ("ELAPSED", "month"),
    "what about": ("FOLLOW", ""), "how about": ("FOLLOW", ""), "and for": ("FOLLOW", ""),
    "same for": ("FOLLOW", ""), "now": ("FOLLOW", ""), "and what about": ("FOLLOW", ""),
    "them": ("PRONOUN", ""), "those": ("PRONOUN", ""), "these": ("PRONOUN", ""), "they": ("PRONOUN", ""),
    "that": ("PRONOUN", ""), "it": ("PRONOUN", ""), "she": ("PRONOUN", ""), "he": ("PRONOUN", ""),
    "together": ("TOGETHER", ""), "altogether": ("TOGETHER", ""), "in total": ("TOGETHER", ""),
    # one row's record: "the profile of CUST00000042", "look up aknapp@gmail.com"
    "profile": ("LIST", ""), "complete profile": ("LIST", ""), "full profile": ("LIST", ""),
    "summary": ("LIST", ""), "overview": ("LIST", ""), "look up": ("LIST", ""), "lookup": ("LIST", ""),
    "pull up": ("LIST", ""), "bring up": ("LIST", ""),
    # the whole history (no window): "lifetime spending", "biggest purchase ever", "on record"
    "lifetime": ("ALLTIME", ""), "all time": ("ALLTIME", ""), "of all time": ("ALLTIME", ""),
    "on record": ("ALLTIME", ""), "whole history": ("ALLTIME", ""), "entire history": ("ALLTIME", ""),
    "full history": ("ALLTIME", ""), "since the beginning": ("ALLTIME", ""),
    # "including declined ones": the value is not excluded (no filter)
    "including": ("INCLUDING", ""), "include": ("INCLUDING", ""), "incl": ("INCLUDING", ""),
    # the most recent rows by the table's own time: "the last 5 transactions", "latest purchases"
    "last": ("RECENT", "desc"), "latest": ("RECENT", "desc"), "most recent": ("RECENT", "desc"),
    "newest": ("RECENT", "desc"), "recent": ("RECENT", "desc"),
    # time order: "oldest first", "in chronological order"
    "oldest first": ("TIMEORDER", "asc"), "newest first": ("TIMEORDER", "desc"),
    "latest first": ("TIMEORDER", "desc"), "most recent first": ("TIMEORDER", "desc"),
    "chronological order": ("TIMEORDER", "asc"), "in chronological order": ("TIMEORDER", "asc"),
    "chronologically": ("TIMEORDER", "asc"), "in date order": ("TIMEORDER", "asc"),
}  # fmt: skip
# "p90 lifetime value", "the 90th percentile of LTV" (reading/token_forms.py writes it p90): a percentile
_GRAMMAR_SOURCE.update({f"p{n}": ("AGG", f"p{n}") for n in range(1, 100)})
_GRAMMAR_SOURCE.update({f"p{n} of": ("AGG", f"p{n}") for n in range(1, 100)})
GRAMMAR: Final = {phrase_key(k): v for k, v in _GRAMMAR_SOURCE.items()}
MAX_GRAMMAR: Final = max(len(k) for k in GRAMMAR)
FOLLOWUP_OPENERS: Final = frozenset(
    {
        "and",
        "what",
        "how",
        "only",
        "just",
        "now",
        "same",
        "also",
        "but",
        "then",
        "instead",
        "ok",
        "okay",
        "break",
        "split",
        "sort",
        "rank",
        "list",
        "show",
    }
)
INACTIVITY: Final = re.compile(
    r"\b(?:no|without|havent|have not|hasnt|has not|not|zero)\s+(?:made\s+|had\s+|any\s+|a\s+|used\s+their\s+card\s+)*"
    r"(?:transaction|transacted|purchase|purchased|activity|spend|spending|spent|shopped|bought|card use|been active"
    r"|active|used their card|used the card)(?:\s+(?:anything|something|a\s+thing|at\s+all))*"
    r"\s+(?:in|for|within)\s+(?:over\s+|more\s+than\s+|the\s+last\s+|the\s+past\s+|last\s+|past\s+)?(?P<n>\d+)\s+day\b"
    r"|\binactive\s+(?:for\s+)?(?:over\s+|more\s+than\s+|at\s+least\s+)?(?P<m>\d+)\s+day\b"
    r"|\b(?:over\s+|more\s+than\s+)?(?P<k>\d+)\+?\s+day\s+(?:without|since)\s+(?:a\s+|any\s+|their\s+|the\s+)?(?:last\s+)?"
    r"(?:transaction|purchase|activity)\b"
    # "spent nothing in the last 30 days", "bought nothing for 45 days": no approved transaction in that many days
    r"|\b(?:spent|spend|bought|buy|purchased|charged)\s+nothing\s+(?:at\s+all\s+)?(?:in|for|within|over)\s+"
    r"(?:the\s+last\s+|the\s+past\s+|last\s+|past\s+)?(?P<j>\d+)\s+day\b"
)

# "31 to 59 days since their last purchase", "(last purchase 31-59 days ago)": a range of the recency column
RECENCY_RANGE: Final = re.compile(
    r"\b(?:(?:last\s+(?:purchase|transaction)\s+(?:was\s+)?)?(?:between\s+)?(?P<lo>\d+)\s+(?:(?:to|and|through)\s+)?"
    r"(?P<hi>\d+)\s+day\s+(?:(?:without|since)\s+(?:a\s+|any\s+|their\s+|the\s+)?(?:last\s+)?"
    r"(?:transaction|purchase|activity)|ago)\b)"
)

SHARE_VERBS: Final = frozenset(
    {
        "happened",
        "happen",
        "happens",
        "occurred",
        "occur",
        "occurs",
        "are",
        "is",
        "were",
        "was",
        "have",
        "has",
        "had",
        "hold",
        "holds",
        "own",
        "owns",
        "do",
        "does",
        "did",
        "use",
        "uses",
        "made",
        "make",
        "makes",
        "with",
        "who",
        "that",
        "which",
        "carry",
        "get",
        "got",
        "came",
        "come",
        "comes",
        "from",
        "fall",
        "falls",
        "held",  # "share of total LTV held by High-Value Travelers"
        # "what percent of at-risk customers sit in / belong to / fall into the Declining segment": the part of
        # that group which is in the other
        "sit",
        "sits",
        "lie",
        "lies",
        "belong",
        "belongs",
        "live",
        "lives",
        "reside",
        "resides",
        "land",
        "lands",
        "go",  # "what % of her spend goes to travel"
        "goes",
        "went",
    }
)
AGGREGATE_WORDS: Final = frozenset(
    {
        "average",
        "avg",
        "mean",
        "total",
        "sum",
        "median",
        "number",
        "count",
        "maximum",
        "minimum",
        "deviation",
        "stddev",
    }
)
