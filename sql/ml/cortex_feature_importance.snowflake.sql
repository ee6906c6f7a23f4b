-- Relative feature importance of one model version (score in [0, 1]).
select rank, feature, score, feature_type
from table({{ model }}!show_feature_importance())
