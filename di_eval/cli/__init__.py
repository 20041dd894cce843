"""The `di-eval` command line."""

from di_eval.cli.main import main

__all__ = ["main"]
