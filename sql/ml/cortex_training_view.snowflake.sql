-- The Cortex training input: the training cutoffs' rows with exactly the model's features and the label.
-- customer_id, the split and the cutoff are left out on purpose: every column but the target is a feature.
-- Rendered by c360/ml/cortex.py (identifiers from c360/ml/features.py and c360/names.py only).
create or replace view {{ training_view }} as
select
{%- for feature in features %}
    {{ feature }},
{%- endfor %}
    iff(churned, '{{ positive_class }}', '{{ negative_class }}') as {{ target }}
from {{ training_table }}
where dataset = 'train'
