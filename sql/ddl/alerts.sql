-- Alerting (c360/alerts/): fired alerts and the app's health checks. Idempotent; run by provision and by every
-- local alert evaluation (a platform built before alerting existed gains the tables on its next write).
-- One row per firing of a rule: when it fired, on what value against which threshold, the latest value
-- seen while open, and when it resolved (NULL while open). A rule has at most one open row.
create table if not exists OBSERVABILITY.ALERT_EVENTS (
    event_id varchar,
    rule_name varchar,
    severity varchar,
    fired_at timestamp,
    observed_value double,
    threshold double,
    last_value double,
    last_evaluated_at timestamp,
    resolved_at timestamp,
    notified varchar
);

-- The local app's health checks (`c360 app` probes its own server and a dashboard query; the lines are
-- appended to $C360_HOME/logs/app_health.jsonl and loaded here, once each, by the next alert evaluation).
create table if not exists OBSERVABILITY.APP_HEALTH_CHECKS (
    check_id varchar,
    checked_at timestamp,
    is_healthy boolean,
    http_status integer,
    query_seconds double,
    detail varchar
);
