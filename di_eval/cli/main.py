"""The `di-eval` command: parses arguments, makes one library call, maps errors to exit codes.

Each group of commands lives in its own module with a ``register(subparsers)`` function; the
library itself never prints or exits.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from di_eval import __version__
from di_eval.errors import ChoiceError, DataValidationError, DiEvalError

COMMAND_MODULES = ("di_eval.cli.data", "di_eval.cli.intake", "di_eval.cli.run", "di_eval.cli.figures")

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="di-eval",
        description="Evaluate the Kurzeme deinstitutionalisation plan: data, indicators, reports.",
    )
    parser.add_argument("--version", action="version", version=f"di-eval {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or EXIT_OK)
    except DataValidationError as err:
        print(str(err), file=sys.stderr)
        return EXIT_PROBLEMS
    except ChoiceError as err:
        print(f"di-eval {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except DiEvalError as err:
        print(f"di-eval {args.command}: {err}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("di-eval: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): not an error of ours
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
