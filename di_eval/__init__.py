"""di-eval: evaluating the implementation of the Kurzeme deinstitutionalisation plan.

The stages, in the order data flow through them: ``intake`` (forms in, canonical tables
out), the dataset modules here (``schemas``, ``dataset``, ``sample``), ``analysis``
(indicators, disclosure control, the evaluation), ``report`` (pages, sentences, charts),
``run`` (batches of notebooks, publication) and ``cli``. ``text`` holds the words.
"""

__version__ = "0.1.0"

from di_eval.dataset import Dataset, load  # noqa: E402
from di_eval.errors import ChoiceError, DataValidationError, DiEvalError, Problem  # noqa: E402

__all__ = ["ChoiceError", "DataValidationError", "Dataset", "DiEvalError", "Problem", "__version__", "evaluate", "load"]


def __getattr__(name: str):
    # evaluate pulls in the analysis stage (scipy, HiGHS): loaded only when asked for
    if name == "evaluate":
        from di_eval.analysis.evaluation import evaluate

        return evaluate
    raise AttributeError(f"module 'di_eval' has no attribute {name!r}")
