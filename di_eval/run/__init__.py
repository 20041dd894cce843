"""Running report notebooks in batches and publishing what they make.

Nothing heavy is imported here: ``di_eval.run.incremental`` must be able to tell that every
report is unchanged without papermill, pandas or a kernel. ``di_eval.run.batch`` imports
papermill (which registers this package's engine, ``di_eval.run.engine``, as ``di_eval_warm``).
"""

import sys

# jsonschema (which nbformat uses) checks the "iri" format with rfc3987_syntax when that is installed;
# importing it builds some forty Earley parsers (1.5-6 s per process, measured). No notebook schema
# uses the format, so the run's processes (main, workers and, through WARMUP, kernels) do without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment] — None: "import" fails
