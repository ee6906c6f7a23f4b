-- P(churn) per row of a dataset (validation or scoring): !PREDICT returns {class, probability: {<class>: p}}.
-- The feature object is built from the same feature list as the training view (upper-case keys, as the
-- training view's unquoted column names). Values of the filter are bound (?), never formatted in.
with predicted as (
    select
        {{ key }} as row_key,
        {{ model }}!predict(
            input_data => object_construct(
            {%- for feature in features %}
                '{{ feature | upper }}', {{ feature }}{{ "," if not loop.last }}
            {%- endfor %}
            )
        ) as prediction
    from {{ relation }}
    where {{ where }}
)
select
    row_key,
    prediction:class::string as predicted_class,
    prediction:probability:"{{ positive_class }}"::float as churn_probability
from predicted
