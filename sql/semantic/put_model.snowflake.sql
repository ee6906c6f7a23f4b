-- Upload the validated semantic model to the stage Cortex Analyst reads (the Pulumi stack declares the stage).
-- `file` (Jinja, c360.sqlfiles.render_sql) is the absolute path of the rendered semantic_model.yaml the step wrote (never user input).
PUT 'file://{{ file }}' @CUSTOMER_ANALYTICS.GOLD.SEMANTIC_STAGE AUTO_COMPRESS = FALSE OVERWRITE = TRUE
