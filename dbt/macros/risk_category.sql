{#- Churn risk category from a 0..100 score (contract: c360/names.py); 'Not Scored' without a score. -#}
{% macro risk_category(score) -%}
    case
        when {{ score }} is null then 'Not Scored'
        when {{ score }} >= {{ var('churn_high_risk_threshold') }} then 'High Risk'
        when {{ score }} >= {{ var('churn_medium_risk_threshold') }} then 'Medium Risk'
        else 'Low Risk'
    end
{%- endmacro %}
