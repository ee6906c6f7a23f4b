-- Schemas both targets need. Idempotent.
create schema if not exists BRONZE;
create schema if not exists SILVER;
create schema if not exists GOLD;
create schema if not exists OBSERVABILITY;
