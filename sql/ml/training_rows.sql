-- Rows of one split of the training data (train | validation), in a stable order.
select *
from GOLD.ML_TRAINING_DATA
where dataset = ?
order by training_row_key
