"""Report pages: sections, sentences, charts, HTML and the nbconvert exporter."""

__all__ = ["Report"]


def __getattr__(name: str):
    # the page pulls in matplotlib and the evaluation; the exporter and HTML helpers do not need them
    if name == "Report":
        from di_eval.report.page import Report

        return Report
    raise AttributeError(f"module 'di_eval.report' has no attribute {name!r}")
