"""From a dataset to published figures: indicators, the person cube, disclosure control, the evaluation."""
