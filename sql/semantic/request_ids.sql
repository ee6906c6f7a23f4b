-- Request ids already loaded into OBSERVABILITY.ASSISTANT_REQUESTS.
select request_id from OBSERVABILITY.ASSISTANT_REQUESTS
