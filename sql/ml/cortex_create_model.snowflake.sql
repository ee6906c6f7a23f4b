-- Train one churn model version (SNOWFLAKE.ML.CLASSIFICATION) with the documented CONFIG_OBJECT keys:
-- evaluate (Cortex's own random hold-out of the training rows, used to pick the threshold),
-- on_error, evaluation_config.test_fraction. The temporal validation happens outside, on a later cutoff.
create or replace snowflake.ml.classification {{ model }}(
    input_data => system$reference('VIEW', '{{ training_view }}'),
    target_colname => '{{ target | upper }}',
    config_object => {
        'evaluate': true,
        'on_error': 'ABORT',
        'evaluation_config': {'test_fraction': {{ test_fraction }}}
    }
)
