"""Questions that try to inject SQL or instructions are refused before anything else looks at them.

The local analyst never puts question text into SQL (values are matched against the semantic model and bound),
and every statement passes the query guard anyway; this check exists so that such attempts are refused
with a clear message and logged as blocked, on both backends (Cortex Analyst receives no such question).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

ThreatKind = Literal["sql_injection", "prompt_injection", "secrets"]

_STATEMENT: Final = r"select|insert|update|delete|drop|alter|create|truncate|grant|revoke|merge|copy|attach|exec|execute|call|pragma|install|load|set|use|show|describe|with"
SQL_PATTERNS: Final = (
    re.compile(
        r"\bdrop\s+(?:table|database|schema|view|user|role|stage|warehouse|index|column)\b", re.IGNORECASE
    ),
    re.compile(r"\bdelete\s+from\b|\btruncate\s+(?:table\s+)?[\w.\"]+|\bmerge\s+into\b", re.IGNORECASE),
    re.compile(r"\balter\s+(?:table|database|schema|user|role|session|warehouse|system)\b", re.IGNORECASE),
    re.compile(r"\binsert\s+(?:into|overwrite)\b|\bupdate\s+[\w.\"]+\s+set\b", re.IGNORECASE),
    re.compile(r"\bgrant\s+[\w\s,]*?\b(?:to|on)\b|\brevoke\s+\w+", re.IGNORECASE),
    re.compile(
        r"\bcreate\s+(?:or\s+replace\s+)?(?:temp\w*\s+)?(?:table|view|database|schema|user|role|stage|function|procedure|secret|macro)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\battach\s+(?:database\s+)?['\"]|\bcopy\s+[\w.\"]+\s+(?:to|from|into)\s+['\"@]", re.IGNORECASE
    ),
    re.compile(r"\bexec(?:ute)?\s+(?:immediate|sp_\w+|xp_\w+)|\bcall\s+[\w.$]+\s*\(", re.IGNORECASE),
    re.compile(r"\b(?:install|load)\s+(?:extension\s+)?[\w']+\s*;", re.IGNORECASE),
    re.compile(rf";\s*(?:{_STATEMENT})\b", re.IGNORECASE),  # a second statement
    re.compile(r"--|/\*|\*/"),  # SQL comments
    re.compile(r"'\s*(?:or|and)\s+'?\w*'?\s*=\s*'?\w*", re.IGNORECASE),  # ' OR '1'='1
    re.compile(r"\b(?:or|and)\s+(\d+)\s*=\s*\1\b", re.IGNORECASE),  # OR 1=1
    re.compile(r"\bunion\b(?:\s+all)?\s+select\b", re.IGNORECASE),
    re.compile(
        r"\bselect\s+(?:\*|distinct\b|top\s+\d|\w+\s*\(|[\w.]+\s*,\s*[\w.]+|[\w.]+\s+from\s+[\w.]+\s+where\b)[\s\S]{0,200}?\bfrom\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:information_schema|pg_catalog|sqlite_master|duckdb_\w+|xp_cmdshell|sys\.\w+)\b", re.IGNORECASE
    ),
    re.compile(
        r"\b(?:read_csv\w*|read_parquet|read_json\w*|read_text|read_blob|glob|getenv|sleep|pg_sleep|benchmark|load_file|system|current_setting)\s*\(",
        re.IGNORECASE,
    ),
    re.compile(r"'\s*\)\s*;|'\s*;|\\x[0-9a-f]{2}|%27|%3b", re.IGNORECASE),
    re.compile(
        r"\b(?:run|execute|exec)\s+(?:this|the\s+following|my|a|raw)\s+(?:sql|query|statement|code|command)\b",
        re.IGNORECASE,
    ),
)
PROMPT_PATTERNS: Final = (
    re.compile(
        r"\b(?:ignore|disregard|forget|override|bypass|circumvent)\s+(?:all\s+|any\s+|your\s+|the\s+|my\s+|previous\s+|prior\s+|above\s+|earlier\s+|these\s+|those\s+|of\s+)*"
        r"(?:instructions?|rules?|prompts?|directions?|guardrails?|restrictions?|guard|guidelines?|policy|policies|constraints?|safety|filters?|everything)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\byou\s+are\s+(?:now|no\s+longer)\b", re.IGNORECASE),
    re.compile(r"\b(?:act|behave)\s+as\b|\bpretend\s+(?:to\s+be|you\s+are)\b|\broleplay\b", re.IGNORECASE),
    re.compile(r"\b(?:system|developer|hidden|initial)\s+(?:prompt|message|instructions?)\b", re.IGNORECASE),
    re.compile(
        r"\b(?:jailbreak|developer\s+mode|admin\s+mode|god\s+mode|dan\s+mode|do\s+anything\s+now|sudo)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:reveal|print|show|repeat|output|leak)\s+(?:your|the)\s+(?:prompt|instructions|rules|configuration|config|system)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\bnew\s+instructions?\b|\binstead\s+of\s+answering\b", re.IGNORECASE),
)
SECRET_PATTERNS: Final = (
    re.compile(
        r"\b(?:passwords?|passwd|api[\s_-]?keys?|secret(?:s|\s+key)?|credentials?|access[\s_-]?keys?|private[\s_-]?keys?|tokens?|connection\s+strings?|env(?:ironment)?\s+var(?:iable)?s?)\b",
        re.IGNORECASE,
    ),
)
REASONS: Final[dict[ThreatKind, str]] = {
    "sql_injection": "The question contains SQL or SQL-like syntax; I only answer questions in plain language and never run SQL from the question.",
    "prompt_injection": "The question tries to change my instructions; I only answer questions about customers, spend, segments, churn and the campaign.",
    "secrets": "I can't help with passwords, keys, tokens or other credentials.",
}


@dataclass(frozen=True)
class Threat:
    kind: ThreatKind
    matched: str

    @property
    def reason(self) -> str:
        return REASONS[self.kind]


def detect(question: str) -> Threat | None:
    """The first injection or secret-seeking pattern in the question, or None."""
    checks: tuple[tuple[ThreatKind, tuple[re.Pattern[str], ...]], ...] = (
        ("prompt_injection", PROMPT_PATTERNS),
        ("sql_injection", SQL_PATTERNS),
        ("secrets", SECRET_PATTERNS),
    )
    for kind, patterns in checks:
        for pattern in patterns:
            match = pattern.search(question)
            if match:
                return Threat(kind, match.group(0).strip()[:80])
    return None
