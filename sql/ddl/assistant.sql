-- The assistant's request log in the warehouse (idempotent). Readers (the app, `c360 ask`) cannot write, so each
-- request is appended to $C360_HOME/logs/assistant_requests.jsonl and the next writer run (the semantic_model
-- step of `c360 up`) loads the new lines here, once each (by request_id).
create table if not exists OBSERVABILITY.ASSISTANT_REQUESTS (
    request_id varchar,
    asked_at timestamp,
    role varchar,
    backend varchar,
    question varchar,
    history_turns integer,
    status varchar,
    refusal_kind varchar,
    reason varchar,
    sql_text varchar,
    verified_query varchar,
    is_verified boolean,
    row_count bigint,
    latency_ms double,
    loaded_at timestamp
);
