-- Cortex's own evaluation (its random test_fraction of the training rows): one row per class and metric.
select dataset_type, class, error_metric, metric_value
from table({{ model }}!show_evaluation_metrics())
