"""Running report notebooks in batches and publishing what they make."""

# papermill loads every registered engine's entry point when it is first imported, this
# package's engine among them. Importing papermill here, before ``run.engine`` starts, means
# that loading never meets a half-imported engine module (whichever is imported first).
import papermill  # noqa: F401
