-- Upload the validated semantic model to the stage Cortex Analyst reads (the Pulumi stack declares the stage).
-- `file` (Jinja, c360.sqlfiles.render_sql) is the absolute path of c360/assistant/semantic_model.yaml (never user input).
PUT 'file://{{ file }}' @CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE AUTO_COMPRESS = FALSE OVERWRITE = TRUE
