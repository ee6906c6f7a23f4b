-- Streaming ingestion additions to the observability tables (idempotent; run by provision and the pipe).
--   LOAD_HISTORY.file_size          bytes of the landed object as delivered (compressed size for .gz)
--   LOAD_HISTORY.gold_refreshed_at  when the incremental gold refresh that includes the file's rows became
--                                   visible to readers (landing -> gold latency = gold_refreshed_at - landed_at)
--   QUARANTINE.reason_code          a stable code per rule (the reason text carries the offending value)
alter table OBSERVABILITY.LOAD_HISTORY add column if not exists file_size bigint;
alter table OBSERVABILITY.LOAD_HISTORY add column if not exists gold_refreshed_at timestamp;
alter table OBSERVABILITY.QUARANTINE add column if not exists reason_code varchar;
