-- Attach the monthly resource monitor to the c360 warehouse. Run by the ADMIN role (components/warehouse.py):
-- only ACCOUNTADMIN may assign a resource monitor to a warehouse; MONITOR/MODIFY on the monitor are not
-- enough (https://docs.snowflake.com/en/user-guide/resource-monitors). The warehouse itself is created and
-- owned by the objects role, which ACCOUNTADMIN inherits (SYSADMIN).
alter warehouse C360_WH set resource_monitor = C360_WH_MONITOR
