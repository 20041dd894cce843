"""di-eval: evaluating the implementation of the Kurzeme deinstitutionalisation plan.

The stages, in the order data flow through them: ``intake`` (forms in, canonical tables
out), the dataset modules here (``schemas``, ``dataset``, ``sample``), ``analysis``
(indicators, disclosure control, the evaluation), ``report`` (pages, sentences, charts),
``run`` (batches of notebooks, publication) and ``cli``. ``text`` holds the words.

The public names are loaded when first used (module ``__getattr__``): ``import di_eval`` costs
nothing, so a command that has nothing to do (``di-eval run`` with every report unchanged)
never imports pandas, pandera or the analysis stage.
"""

__version__ = "0.1.0"

__all__ = ["ChoiceError", "DataValidationError", "Dataset", "DiEvalError", "Problem", "__version__", "evaluate", "load"]

# name -> the module that defines it
_PUBLIC = {
    "Dataset": "di_eval.dataset",
    "load": "di_eval.dataset",
    "ChoiceError": "di_eval.errors",
    "DataValidationError": "di_eval.errors",
    "DiEvalError": "di_eval.errors",
    "Problem": "di_eval.errors",
    "evaluate": "di_eval.analysis.evaluation",  # the analysis stage (scipy, HiGHS)
}


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'di_eval' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
