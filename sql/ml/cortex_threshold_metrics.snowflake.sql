-- Precision / recall / F1 per threshold and class on Cortex's evaluation rows (threshold choice).
select dataset_type, class, threshold, precision, recall, f1, tp, fp, tn, fn, support
from table({{ model }}!show_threshold_metrics())
