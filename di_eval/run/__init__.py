"""Running report notebooks in batches and publishing what they make."""

# papermill loads every registered engine's entry point when it is first imported, this
# package's engine among them. Importing papermill here, before ``run.engine`` starts, means
# that loading never meets a half-imported engine module (whichever is imported first).
import sys

# jsonschema (which nbformat uses) checks the "iri" format with rfc3987_syntax when that is installed;
# importing it builds some forty Earley parsers (1.5-6 s per process, measured). No notebook schema
# uses the format, so the run's processes (main, workers and, through WARMUP, kernels) do without it.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment] — None: "import" fails

import papermill  # noqa: E402, F401
