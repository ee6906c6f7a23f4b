"""Accuracy evaluation: run the question set against a platform and compare RESULT SETS with reference SQL.

A case is correct when every reference column appears among the assistant's columns with equal values
(numbers within 1e-6 relative), the row counts are equal, and (for `ordered` cases) the rows come in the same
order. The assistant may show extra columns. Must-refuse cases are correct only when refused. Used by
tests/assistant/test_evaluation.py and by `c360 bench --only assistant`.

Reference SQL runs as the role its writer validated it under (the set's `reference_role`, DATA_ANALYST unless
the YAML header says otherwise), through the same guard and masking `c360 sql --role` applies: a writer who
saw names as "Regina L." filters on `full_name = 'Regina L.'`, and that filter means the customer shown so.
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd
import yaml
from sqlglot import exp

from c360.assistant.messages import Message
from c360.assistant.model import YAML_LOADER
from c360.assistant.service import Assistant
from c360.errors import C360Error
from c360.grants import Role
from c360.guard import GuardError, catalog_columns, guard_select
from c360.masking import PII_COLUMNS, mask_expression
from c360.percentiles import percentile

Outcome = Literal["correct", "wrong", "refused", "not_refused", "error"]
REL_TOL = 1e-6
LISTING_CAP = 10_000  # rows a listing shows at most (vocabulary default_list_limit, the guard's row limit)
REFERENCE_VIEW = "c360_reference_result"
REFERENCE_ROLE = Role.DATA_ANALYST  # the role blind writers validate references under (`c360 sql --role`)
REFERENCE_MAX_ROWS = 1_000_000_000  # the guard's row limit for a reference: every row counts


@dataclass(frozen=True)
class EvalCase:
    id: str
    question: str
    sql: str | None
    refuse: bool
    ordered: bool
    source: str
    split: str
    conversation: tuple[str, ...] = ()
    note: str = ""
    reference_role: Role = REFERENCE_ROLE  # the role whose view of the data the reference SQL was written in


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    outcome: Outcome
    verified: bool
    latency_ms: float
    detail: str = ""
    answer: str = ""

    @property
    def correct(self) -> bool:
        return self.outcome == "correct"


@dataclass
class EvalSummary:
    results: list[CaseResult] = field(default_factory=list)

    def subset(self, *, split: str | None = None, refuse: bool | None = None) -> list[CaseResult]:
        return [
            r
            for r in self.results
            if (split is None or r.case.split == split) and (refuse is None or r.case.refuse == refuse)
        ]

    def accuracy(self, split: str | None = None) -> float:
        answerable = self.subset(split=split, refuse=False)
        return sum(r.correct for r in answerable) / len(answerable) if answerable else float("nan")

    @property
    def verified_wrong(self) -> list[CaseResult]:
        return [r for r in self.results if r.verified and not r.correct and not r.case.refuse]

    @property
    def refusals_missed(self) -> list[CaseResult]:
        return [r for r in self.subset(refuse=True) if not r.correct]

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if not r.correct]

    def latencies(self) -> list[float]:
        return [r.latency_ms for r in self.results if r.outcome != "error"]

    def splits(self) -> dict[str, tuple[int, int]]:
        """Answerable questions right / asked, per split (dev, holdout, blind_v1, ...), in first-seen order."""
        out: dict[str, tuple[int, int]] = {}
        for r in self.subset(refuse=False):
            right, total = out.get(r.case.split, (0, 0))
            out[r.case.split] = (right + r.correct, total + 1)
        return out

    def as_dict(self) -> dict[str, Any]:
        lat = self.latencies()
        dev, hold = self.subset(split="dev", refuse=False), self.subset(split="holdout", refuse=False)
        return {
            "cases": len(self.results),
            "answerable": len(self.subset(refuse=False)),
            "must_refuse": len(self.subset(refuse=True)),
            "accuracy": self.accuracy(),
            "accuracy_dev": self.accuracy("dev"),
            "accuracy_holdout": self.accuracy("holdout"),
            "dev_correct": sum(r.correct for r in dev),
            "dev_total": len(dev),
            "holdout_correct": sum(r.correct for r in hold),
            "holdout_total": len(hold),
            "splits": {name: {"correct": c, "total": t} for name, (c, t) in self.splits().items()},
            "verified_answers": sum(r.verified for r in self.results),
            "verified_wrong": len(self.verified_wrong),
            "refused_correctly": sum(r.correct for r in self.subset(refuse=True)),
            "wrongly_refused": sum(r.outcome == "refused" for r in self.subset(refuse=False)),
            "answered_wrong": sum(r.outcome in ("wrong", "error") for r in self.subset(refuse=False)),
            "latency_p50_ms": statistics.median(lat) if lat else float("nan"),
            "latency_p95_ms": percentile(lat, 95) if lat else float("nan"),
            "failures": [f"{r.case.id}: {r.outcome} ({r.detail})" for r in self.failures],
        }


def load_cases(path: Path) -> tuple[date, list[EvalCase]]:
    raw = yaml.load(path.read_text(), Loader=YAML_LOADER)
    as_of = date.fromisoformat(str(raw["as_of"]))
    role_name = str(raw.get("reference_role", REFERENCE_ROLE.value)).upper()
    if role_name not in Role.__members__:
        raise C360Error(
            f"{path}: reference_role {role_name!r} is not a role: one of {', '.join(Role.__members__)}"
        )
    reference_role = Role(role_name)
    cases = []
    seen: set[str] = set()
    for item in raw["questions"]:
        case_id = str(item["id"])
        if case_id in seen:
            raise C360Error(f"{path}: duplicate case id {case_id}")
        seen.add(case_id)
        refuse = bool(item.get("refuse", False))
        if not refuse and not item.get("sql"):
            raise C360Error(f"{path}: case {case_id} needs reference sql (or refuse: true)")
        cases.append(
            EvalCase(
                id=case_id,
                question=str(item["question"]),
                sql=item.get("sql"),
                refuse=refuse,
                ordered=bool(item.get("ordered", False)),
                source=str(item.get("source", "")),
                split=str(item.get("split", "dev")),
                conversation=tuple(str(q) for q in item.get("conversation") or ()),
                note=str(item.get("note", "")),
                reference_role=reference_role,
            )
        )
    return as_of, cases


def reference_frame(
    con: duckdb.DuckDBPyConnection, sql: str, as_of: date, role: Role | str = REFERENCE_ROLE
) -> pd.DataFrame:
    """Run reference SQL on a DuckDB connection as `role` sees the data (the guard's masking: personal
    columns masked in WHERE, joins and the projection alike); `$as_of` is bound as the platform as-of DATE
    (so that `date_trunc('month', $as_of)` and `$as_of - interval 90 day` work without a cast)."""
    try:
        guarded = guard_select(
            sql,
            role,
            dialect="duckdb",
            max_rows=REFERENCE_MAX_ROWS,
            columns=catalog_columns(lambda q, p: [r[0] for r in con.execute(q, p).fetchall()]),
        ).sql
    except GuardError as exc:
        raise C360Error(f"reference SQL refused for role {Role(str(role).upper()).value}: {exc}") from None
    params = {"as_of": as_of} if "$as_of" in sql else None
    return con.execute(guarded, params).df() if params else con.execute(guarded).df()


def run_case(assistant: Assistant, case: EvalCase, reference: pd.DataFrame | None) -> CaseResult:
    history: list[Message] = []
    try:
        for earlier in case.conversation:
            response = assistant.ask(earlier, history)
            history.extend(response.as_history())
        began = time.perf_counter()
        response = assistant.ask(case.question, history)
        latency = (time.perf_counter() - began) * 1000
    except C360Error as exc:
        return CaseResult(case, "error", False, 0.0, str(exc)[:300])
    verified = response.verified_query is not None
    if case.refuse:
        if response.refused:
            return CaseResult(
                case, "correct", verified, latency, response.refusal_kind or "", response.answer
            )
        return CaseResult(case, "not_refused", verified, latency, (response.sql or "")[:300], response.answer)
    if response.refused:
        return CaseResult(case, "refused", verified, latency, response.answer[:300], response.answer)
    assert reference is not None
    actual = response.frame
    if not case.ordered and len(reference) > len(actual) == LISTING_CAP and _truncation_stated(response):
        # a listing cut at the row cap (and saying so): every row shown must be a right one
        ok, detail = compare(
            reference.merge(_key_frame(actual, reference), how="inner"), actual, ordered=False
        )
        detail = detail or f"first {LISTING_CAP:,} of {len(reference):,} rows, all in the reference"
        return CaseResult(
            case, "correct" if ok else "wrong", verified, latency, "" if ok else detail, response.answer
        )
    ok, detail = compare(reference, actual, ordered=case.ordered)
    return CaseResult(case, "correct" if ok else "wrong", verified, latency, detail, response.answer)


def evaluate(
    assistant: Assistant, cases: Sequence[EvalCase], reference_con: duckdb.DuckDBPyConnection, as_of: date
) -> EvalSummary:
    summary = EvalSummary()
    for case in cases:
        ref = None
        if case.sql and not case.refuse:
            ref = as_seen_by(
                reference_frame(reference_con, case.sql, as_of, case.reference_role),
                assistant.role,
                reference_con,
            )
        summary.results.append(run_case(assistant, case, ref))
    return summary


def as_seen_by(frame: pd.DataFrame, role: Role | str, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The reference result as the assistant's role may see it: a personal column in the reference's output
    (a full name, an e-mail address) is shown through the role's mask (c360/masking.py), since no answer may
    show that role more. The reference's filters read the data as its writer's role saw it (reference_frame)."""
    kinds = {c.column: c.kind for c in PII_COLUMNS}
    replacements = []
    for name in frame.columns:
        kind = kinds.get(str(name).lower())
        quoted = exp.to_identifier(str(name), quoted=True).sql(dialect="duckdb")
        masked = mask_expression(kind, role, str(name), "duckdb") if kind is not None else None
        if masked is not None:
            replacements.append(f"{masked} AS {quoted}")
    if not replacements:
        return frame
    con.register(REFERENCE_VIEW, frame)
    try:
        return con.execute(f"SELECT * REPLACE ({', '.join(replacements)}) FROM {REFERENCE_VIEW}").df()
    finally:
        con.unregister(REFERENCE_VIEW)


def _truncation_stated(response: Any) -> bool:
    return any("Showing the first" in w for w in response.warnings)


def _key_frame(actual: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """The actual rows' values of the reference's first column, named like it (for a semi-join)."""
    key = reference.columns[0]
    for column in actual.columns:
        if set(actual[column].astype(str)) <= set(reference[key].astype(str)):
            return pd.DataFrame({key: actual[column].astype(reference[key].dtype)}).drop_duplicates()
    return pd.DataFrame({key: pd.Series([], dtype=reference[key].dtype)})


# ---- result-set comparison ------------------------------------------------------------------------------------
def compare(reference: pd.DataFrame, actual: pd.DataFrame, *, ordered: bool) -> tuple[bool, str]:
    """(equal, reason): reference columns found (by values) among the actual columns, same rows.

    A reference column stored rounded (every value at 1, 2 or 3 decimals, some not whole: a mart that keeps
    `round(x, 2)`, a coefficient written `round(corr(x, y), 3)`) is compared with the answer's values rounded
    the same way."""
    if len(reference) != len(actual):
        return False, f"{len(actual)} row(s), expected {len(reference)}"
    ref_cols = [_normalize(reference.iloc[:, i]) for i in range(reference.shape[1])]
    act_cols = {str(name): _normalize(actual.iloc[:, i]) for i, name in enumerate(actual.columns)}
    candidates: list[list[tuple[str, list[object]]]] = []
    for i, values in enumerate(ref_cols):
        digits = _stored_decimals(values)
        matches = []
        for name, got in act_cols.items():
            if _same_multiset(values, got):
                matches.append((name, got))
            elif digits is not None and _same_multiset(values, rounded := _rounded(got, digits)):
                matches.append((name, rounded))
        if not matches:
            return False, f"no column matches reference column {reference.columns[i]!r}"
        candidates.append(matches)
    for choice in itertools.product(*candidates):
        if len({name for name, _ in choice}) != len(choice):
            continue
        ref_rows = list(zip(*ref_cols, strict=True)) if ref_cols else []
        act_rows = list(zip(*(got for _, got in choice), strict=True)) if choice else []
        if ordered and _rows_equal(ref_rows, act_rows):
            return True, ""
        if not ordered and _rows_equal(sorted(ref_rows, key=_row_key), sorted(act_rows, key=_row_key)):
            return True, ""
    return False, "columns match individually but not row by row" + (" (order differs)" if ordered else "")


def _stored_decimals(values: list[object]) -> int | None:
    """1, 2 or 3 when every number of a reference column has at most that many decimals and some are not
    whole (a column stored rounded); None otherwise (exact values, whole numbers, text)."""
    numbers = [v for v in values if isinstance(v, float)]
    if not numbers or len(numbers) != sum(v is not None for v in values):
        return None
    if all(v == int(v) for v in numbers):
        return None
    for digits in (1, 2, 3):
        if all(math.isclose(v, round(v, digits), abs_tol=1e-9) for v in numbers):
            return digits
    return None


def _rounded(values: list[object], digits: int) -> list[object]:
    """Rounded as SQL's ROUND does, half away from zero on the decimal value (an average of whole numbers is
    often an exact tie, 1.775, that Python's round on the binary float takes to 1.77)."""
    step = Decimal(1).scaleb(-digits)
    return [
        float(Decimal(repr(v)).quantize(step, rounding=ROUND_HALF_UP))
        if isinstance(v, float) and math.isfinite(v)
        else v
        for v in values
    ]


def _normalize(series: pd.Series) -> list[object]:
    return [_value(v) for v in series.tolist()]


def _value(v: object) -> object:
    if v is None or v is pd.NaT or v is pd.NA:  # pd.NA: a reference column of NULLs read back as Int32
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Decimal)):
        return float(v)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            return _value(v.item())  # numpy scalars
        except (ValueError, AttributeError):
            pass
    if isinstance(v, (pd.Timestamp, datetime)):
        ts = pd.Timestamp(v)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _sort_key(v: object) -> tuple[int, object]:
    if v is None:
        return (0, 0)
    if isinstance(v, bool):
        return (1, int(v))
    if isinstance(v, float):
        return (2, _round(v))
    return (3, str(v))


def _row_key(row: tuple[object, ...]) -> tuple[tuple[int, object], ...]:
    return tuple(_sort_key(v) for v in row)


def _round(v: float) -> float:
    if v == 0 or not math.isfinite(v):
        return v
    return round(v, 6 - math.floor(math.log10(abs(v))))


def _same_multiset(a: list[object], b: list[object]) -> bool:
    return _rows_equal(sorted(((x,) for x in a), key=_row_key), sorted(((x,) for x in b), key=_row_key))


def _rows_equal(a: Iterable[tuple[object, ...]], b: Iterable[tuple[object, ...]]) -> bool:
    for ra, rb in itertools.zip_longest(a, b):
        if ra is None or rb is None or len(ra) != len(rb):
            return False
        for x, y in zip(ra, rb, strict=True):
            if not _equal(x, y):
                return False
    return True


def _equal(x: object, y: object) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, float) and isinstance(y, float):
        return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-9)
    return x == y


def report_lines(summary: EvalSummary) -> list[str]:
    d = summary.as_dict()
    per_split = ", ".join(f"{name} {c}/{t}" for name, (c, t) in summary.splits().items())
    right = sum(c for c, _ in summary.splits().values())
    return [
        f"answerable: {right}/{d['answerable']} correct ({per_split}); refused {d['wrongly_refused']}, "
        f"wrong {d['answered_wrong']}",
        f"must-refuse: {d['refused_correctly']}/{d['must_refuse']} refused; verified answers {d['verified_answers']}, "
        f"wrong verified {d['verified_wrong']}",
        *(f"  FAIL {line}" for line in d["failures"]),
    ]
