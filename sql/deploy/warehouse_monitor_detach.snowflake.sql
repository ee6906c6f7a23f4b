-- Revert of deploy/warehouse_monitor.snowflake.sql (pulumi destroy, or a quota of 0): the warehouse goes back
-- to no monitor before the monitor is dropped.
alter warehouse if exists C360_WH unset resource_monitor
