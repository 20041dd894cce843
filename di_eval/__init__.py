"""di-eval: evaluating the implementation of the Kurzeme deinstitutionalisation plan."""

from .dataset import Dataset, load
from .errors import ChoiceError, DataValidationError, DiEvalError, Problem

__version__ = "0.1.0"

__all__ = ["ChoiceError", "DataValidationError", "Dataset", "DiEvalError", "Problem", "__version__", "load"]
