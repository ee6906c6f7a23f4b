"""`ask()`: question (+ conversation) -> guarded SQL -> result -> one-line answer, chart and log line.

Both backends return the Cortex Analyst message shape; whatever SQL they produce runs only through the query
guard (one SELECT, tables the role may read, row limit, timeout). Every request is logged.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from c360.assistant import per_group_answer, per_period_answer, safety, zero_rows
from c360.assistant.answer import (
    Baseline,
    absent_meanings,
    chart_for,
    check_verdict,
    describe_columns,
    refine_chart,
    summarize,
    verdict,
)
from c360.assistant.backend import AnalystBackend, BackendName, open_backend
from c360.assistant.compiler import CompiledQuery
from c360.assistant.lexicon import load_vocabulary, table_noun
from c360.assistant.local import LocalAnalyst, LocalTurn
from c360.assistant.messages import (
    ANALYST,
    Message,
    SqlContent,
    SuggestionsContent,
    TextContent,
    conversation,
)
from c360.assistant.model import SemanticModel, load_model
from c360.assistant.query import SemanticQuery
from c360.assistant.reading.month_in_progress import LEFT_OUT
from c360.assistant.reading.spelling import READ_AS
from c360.assistant.requestlog import RequestRecord, append_request
from c360.assistant.suggest import suggestions_for
from c360.config import Settings
from c360.engines.base import WarehouseSession
from c360.errors import C360Error
from c360.grants import DEFAULT_APP_ROLE, Role
from c360.guard import (
    DEFAULT_TIMEOUT_SECONDS,
    GuardError,
    guard_select,
    relation_columns,
    run_with_timeout,
)
from c360.sqlfiles import load_sql
from c360.values import as_int

log = logging.getLogger(__name__)

MAX_ROWS = 10_000


class AssistantError(C360Error):
    """The assistant could not answer for a technical reason (no platform, service error); not a refusal."""


@dataclass(frozen=True)
class AnalystResponse:
    """One answered (or refused) question; `to_dict()` is the `c360 ask --format json` contract."""

    question: str
    answer: str
    sql: str | None
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[object, ...], ...] = ()
    verified_query: Mapping[str, Any] | None = None
    suggestions: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    chart: str = "table"
    formats: Mapping[str, str] = field(default_factory=dict)  # column -> currency | percent | count | ...
    interpretation: str = ""
    request_id: str = ""
    backend: str = ""
    latency_ms: float = 0.0
    refusal_kind: str | None = None

    @property
    def refused(self) -> bool:
        return self.sql is None

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "sql": self.sql,
            "columns": list(self.columns),
            "rows": [[_jsonable(v) for v in row] for row in self.rows],
            "verified_query": dict(self.verified_query) if self.verified_query else None,
            "suggestions": list(self.suggestions),
            "warnings": list(self.warnings),
            "chart": self.chart,
            "formats": dict(self.formats),
            "interpretation": self.interpretation,
            "row_count": len(self.rows),
            "request_id": self.request_id,
            "backend": self.backend,
            "latency_ms": round(self.latency_ms, 1),
            "refused": self.refused,
        }

    def as_history(self) -> tuple[Message, Message]:
        """The user and analyst turns to append to the history for the next (follow-up) question."""
        content: list[TextContent | SqlContent | SuggestionsContent] = [
            TextContent(self.interpretation or self.answer)
        ]
        if self.sql:
            content.append(SqlContent(self.sql))
        if self.suggestions:
            content.append(SuggestionsContent(self.suggestions))
        return Message.user(self.question), Message(ANALYST, tuple(content))


class Assistant:
    """A warm assistant: one read-only session, the semantic model and a backend, for many questions."""

    def __init__(
        self,
        settings: Settings,
        session: WarehouseSession,
        backend: AnalystBackend,
        model: SemanticModel,
        *,
        role: Role | str = DEFAULT_APP_ROLE,
        as_of: date | None = None,
        log_requests: bool = True,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.settings = settings
        self.session = session
        self.backend = backend
        self.model = model
        self.absent = absent_meanings(model)  # what an unset text column means, read once per model
        self.role = Role(str(role).upper())
        self.as_of = as_of
        self.log_requests = log_requests
        self.timeout_seconds = timeout_seconds

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        role: Role | str = DEFAULT_APP_ROLE,
        backend: BackendName | str = BackendName.auto,
        session: WarehouseSession | None = None,
        log_requests: bool = True,
    ) -> Assistant:
        """Open a read-only session on the latest snapshot (or Snowflake) and the configured backend."""
        from c360.engines.readers import open_reader

        own = session is None
        session = session or open_reader(settings)
        try:
            model = load_model()
            as_of = platform_as_of(session)
            chosen = open_backend(backend, settings, session, model, as_of, role)
        except Exception:
            if own:
                session.close()
            raise
        return cls(settings, session, chosen, model, role=role, as_of=as_of, log_requests=log_requests)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- asking ------------------------------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Message | Mapping[str, Any]] = ()) -> AnalystResponse:
        began = time.perf_counter()
        question = (question or "").strip()
        if not question:
            raise AssistantError("the question is empty")
        messages = conversation(history, question)
        threat = safety.detect(question)
        if threat is not None:  # never forwarded to any backend
            response = self._refusal(question, threat.reason, "unsafe", began, blocked=True)
            self._log(response, len(history), status="blocked")
            return response
        try:
            if isinstance(self.backend, LocalAnalyst):
                turn = self.backend.turn(messages)
            else:
                turn = LocalTurn(self.backend.message(messages))
            response = self._answer(question, turn, began)
        except C360Error as exc:
            self._log_error(question, len(history), str(exc), began)
            raise
        self._log(response, len(history))
        return response

    def _answer(self, question: str, turn: LocalTurn, began: float) -> AnalystResponse:
        reply = turn.reply
        sql_block = reply.sql
        if sql_block is None:
            kind = turn.refusal.kind if turn.refusal else "not_understood"
            text = reply.text or "I can't answer that from this data."
            suggestions = reply.suggestions or tuple(self._suggestions(question))
            return self._refusal(
                question, text, kind, began, suggestions=suggestions, request_id=reply.request_id
            )
        compiled = turn.compiled
        try:
            if compiled is not None:
                frame = self._run(compiled.sql, list(compiled.params), compiled.dialect)
                shown_sql = compiled.display_sql()
            else:
                frame = self._run(sql_block.statement, [], self.session.dialect)
                shown_sql = sql_block.statement
        except GuardError as exc:
            return self._refusal(
                question,
                f"The generated query was refused by the guard: {exc}.",
                "guard",
                began,
                request_id=reply.request_id,
            )
        warnings = list(reply.warnings)
        limit_hit = False
        zero_note = None
        if compiled is not None and frame.empty and turn.query is not None:
            frame, zero_note = self._zero_of_one_customer(turn.query, compiled, frame)
        if compiled is not None:
            columns = compiled.columns
            chart = refine_chart(compiled.chart, frame, columns)
            limit = _limit_of(compiled.sql)
            limit_hit = (
                limit is not None
                and len(frame) >= limit
                and turn.query is not None
                and turn.query.mode == "list"
                and turn.query.limit is None
            )
            baseline = self._baseline(turn.baseline)
            entity = (
                table_noun(load_vocabulary(), compiled.anchor, plural=True) if turn.query else "customers"
            )
            answer = summarize(
                frame,
                columns,
                mode=turn.query.mode if turn.query else "aggregate",
                filters=compiled.filters_text,
                window=compiled.window_label,
                baseline=baseline,
                as_of=self.as_of,
                window_start=turn.query.window.start if turn.query and turn.query.window else None,
                limit_hit=limit_hit,
                entity=entity,
                ascending=turn.query is not None and _ranked_from_lowest(turn.query),
                absent=self.absent,
            )
            if compiled.partition is not None:  # "top 3 categories per channel": the rows of each channel
                answer = per_group_answer.sentence(frame, columns, compiled.partition)
            if compiled.changes:  # "November vs October": both periods and the change
                answer = per_period_answer.sentence(frame, columns, compiled.changes, compiled.period_labels)
            if turn.query is not None and turn.query.claim is not None:
                answer = " ".join(x for x in (verdict(frame, columns, *turn.query.claim), answer) if x)
            if turn.query is not None and turn.query.checks:
                told = check_verdict(frame, columns, turn.query.checks)
                answer = " ".join(x for x in (told, answer) if x)
            read_as_said = [*(turn.query.notes if turn.query is not None else ()), *compiled.told]
            if read_as_said:  # a corrected word, a default applied, which card a card type is
                answer = f"{'; '.join(read_as_said)}. {answer}"
            if zero_note is not None:
                answer = f"{zero_note} {answer}"
        else:
            columns = describe_columns(frame, self.model)
            chart = chart_for(frame, shown_sql)
            mode = (
                "list"
                if not any(c.role == "measure" for c in columns) or "customer_id" in frame.columns
                else "aggregate"
            )
            answer = summarize(
                frame,
                columns,
                mode=mode,
                as_of=self.as_of,
                window_start=turn.query.window.start if turn.query and turn.query.window else None,
                entity="rows" if mode == "aggregate" else "customers",
            )
            read_as = [
                n for n in (turn.query.notes if turn.query else ()) if n.startswith(READ_AS) or LEFT_OUT in n
            ]
            if read_as:  # a verified answer to a question with a corrected word still says how it was read
                # (and which month in progress its monthly series leaves out)
                answer = f"{'; '.join(read_as)}. {answer}"
        if limit_hit:
            total = self._count(turn.total)
            more = f"{total:,} match" if total is not None else "more match"
            warnings.append(
                f"Showing the first {len(frame):,} rows ({more}); add filters or ask for a count."
            )
        if len(frame) >= MAX_ROWS and not limit_hit:
            warnings.append(f"Showing the first {MAX_ROWS:,} rows (the row limit); more may match.")
        warnings.extend(_data_warnings(frame))
        used = sql_block.verified_query_used
        return AnalystResponse(
            question=question,
            answer=answer,
            sql=shown_sql,
            columns=tuple(str(c) for c in frame.columns),
            rows=tuple(tuple(row) for row in frame.itertuples(index=False, name=None)),
            verified_query=used.to_dict() if used else None,
            suggestions=(),
            warnings=tuple(dict.fromkeys(warnings)),
            chart=chart,
            formats={c.name: c.format for c in columns},
            interpretation=reply.text,
            request_id=reply.request_id,
            backend=self.backend.name,
            latency_ms=(time.perf_counter() - began) * 1000,
        )

    def _zero_of_one_customer(
        self, query: SemanticQuery, compiled: CompiledQuery, frame: pd.DataFrame
    ) -> tuple[pd.DataFrame, str | None]:
        """A count or sum of one named customer with no matching rows is 0 (`zero_rows.py`), said so."""
        zero = zero_rows.plan(query, compiled, self.model, load_vocabulary().anchor_preference[0])
        if zero is None:
            return frame, None
        found = self._run(zero.sql, list(zero.params), compiled.dialect)
        if len(found) != 1:
            return frame, None  # no such customer: still no rows
        scope = f" in {compiled.window_label}" if compiled.window_label else ""
        return zero.frame(found), f"No matching rows for this customer{scope}, so the figure is 0."

    def _run(self, sql: str, params: list[object], dialect: str) -> pd.DataFrame:
        guarded = guard_select(
            sql, self.role, dialect=dialect, max_rows=MAX_ROWS, columns=relation_columns(self.session)
        )
        return run_with_timeout(self.session, guarded.sql, params, self.timeout_seconds)

    def _count(self, compiled: CompiledQuery | None) -> int | None:
        if compiled is None:
            return None
        try:
            frame = self._run(compiled.sql, list(compiled.params), compiled.dialect)
        except C360Error as exc:
            log.debug("count query failed: %s", exc)
            return None
        return None if frame.empty else as_int(frame.iloc[0, 0])

    def _baseline(self, compiled: CompiledQuery | None) -> Baseline | None:
        if compiled is None:
            return None
        try:
            frame = self._run(compiled.sql, list(compiled.params), compiled.dialect)
        except C360Error as exc:
            log.debug("baseline query failed: %s", exc)
            return None
        if frame.empty:
            return None
        return Baseline({str(k): v for k, v in frame.iloc[0].items()})

    def _suggestions(self, question: str) -> list[str]:
        if isinstance(self.backend, LocalAnalyst):
            return suggestions_for(question, self.model, self.backend.lexicon)
        from c360.assistant.lexicon import build_lexicon

        return suggestions_for(question, self.model, build_lexicon(self.model))

    def _refusal(
        self,
        question: str,
        reason: str,
        kind: str,
        began: float,
        *,
        suggestions: Sequence[str] = (),
        request_id: str = "",
        blocked: bool = False,
    ) -> AnalystResponse:
        suggestions = tuple(suggestions) or tuple(self._suggestions(question))
        if blocked and not reason.endswith("instead."):
            reason = reason + " Try one of these questions instead."
        return AnalystResponse(
            question=question,
            answer=reason,
            sql=None,
            suggestions=suggestions,
            warnings=(),
            chart="table",
            interpretation=reason,
            request_id=request_id or f"{self.backend.name}-{uuid.uuid4()}",
            backend=self.backend.name,
            latency_ms=(time.perf_counter() - began) * 1000,
            refusal_kind=kind,
        )

    # ---- logging ----------------------------------------------------------------------------------------
    def _log(self, response: AnalystResponse, history_turns: int, status: str | None = None) -> None:
        if not self.log_requests:
            return
        append_request(
            self.settings,
            RequestRecord(
                request_id=response.request_id,
                asked_at=datetime.now().isoformat(timespec="milliseconds"),
                role=self.role.value,
                backend=response.backend,
                question=response.question,
                history_turns=history_turns,
                status=status or ("refused" if response.refused else "answered"),
                refusal_kind=response.refusal_kind,
                reason=response.answer if response.refused else None,
                sql_text=response.sql,
                verified_query=(response.verified_query or {}).get("name"),
                is_verified=response.verified_query is not None,
                row_count=None if response.refused else len(response.rows),
                latency_ms=round(response.latency_ms, 2),
            ),
        )

    def _log_error(self, question: str, history_turns: int, reason: str, began: float) -> None:
        if not self.log_requests:
            return
        append_request(
            self.settings,
            RequestRecord(
                request_id=f"{self.backend.name}-{uuid.uuid4()}",
                asked_at=datetime.now().isoformat(timespec="milliseconds"),
                role=self.role.value,
                backend=self.backend.name,
                question=question,
                history_turns=history_turns,
                status="error",
                refusal_kind=None,
                reason=reason[:2000],
                sql_text=None,
                verified_query=None,
                is_verified=False,
                row_count=None,
                latency_ms=round((time.perf_counter() - began) * 1000, 2),
            ),
        )


def ask(
    question: str,
    history: Sequence[Message | Mapping[str, Any]] = (),
    *,
    role: Role | str = DEFAULT_APP_ROLE,
    settings: Settings | None = None,
    backend: BackendName | str = BackendName.auto,
) -> AnalystResponse:
    """Answer one question (with optional conversation history) and close everything afterwards."""
    settings = settings or Settings.load(create_home=False)
    with Assistant.open(settings, role=role, backend=backend) as assistant:
        return assistant.ask(question, history)


def platform_as_of(session: WarehouseSession) -> date:
    """The as-of date the gold tables were built for (relative windows are anchored on it)."""
    try:
        value = session.scalar(load_sql("semantic/as_of", session.dialect))
    except C360Error as exc:
        raise AssistantError(f"the gold tables are not built yet ({exc}); run `c360 up` first") from None
    if value is None:
        raise AssistantError("the gold tables are empty; run `c360 up` first")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _limit_of(sql: str) -> int | None:
    tail = sql.rsplit(" LIMIT ", 1)
    if len(tail) == 2 and tail[1].strip().isdigit():
        return int(tail[1].strip())
    return None


def _data_warnings(frame: pd.DataFrame) -> list[str]:
    out = []
    for column in frame.columns:
        if "churn" in str(column) and len(frame) and frame[column].isna().all():
            out.append("No churn model has scored these customers yet, so churn values are empty.")
    return out


def _jsonable(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if value is pd.NaT:
        return None
    if hasattr(value, "item"):
        try:
            return value.item()  # numpy scalars
        except (ValueError, AttributeError):
            return str(value)
    return value


def _ranked_from_lowest(query: SemanticQuery) -> bool:
    """A cut ranking of the first measure from its lowest value ("bottom 5 states by average LTV")."""
    first = query.order[0] if query.order else None
    return (
        first is not None
        and not first.descending
        and query.limit is not None
        and bool(query.measures)
        and first.measure == query.measures[0]
    )
