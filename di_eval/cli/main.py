"""The `di-eval` command: parses arguments, makes one library call, maps errors to exit codes.

Each group of commands lives in its own module with a ``register(subparsers)`` function; the
library itself never prints or exits.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import signal
import sys

from di_eval import __version__
from di_eval.errors import ChoiceError, DataValidationError, DiEvalError

COMMAND_MODULES = (
    "di_eval.cli.data",
    "di_eval.cli.intake",
    "di_eval.cli.run",
    "di_eval.cli.figures",
    "di_eval.cli.audit",
)
# Which module registers each command: a command's module (and what it imports) is loaded only
# when that command runs; `di-eval --help` and a mistyped command load them all.
COMMANDS = {
    "check": "di_eval.cli.data",
    "sample": "di_eval.cli.data",
    "form": "di_eval.cli.intake",
    "validate": "di_eval.cli.intake",
    "ingest": "di_eval.cli.intake",
    "run": "di_eval.cli.run",
    "figures": "di_eval.cli.figures",
    "audit": "di_eval.cli.audit",
}

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _command_in(argv: list[str] | None) -> str | None:
    """The command ``argv`` names (its first word that is not an option), if it is one of ours."""
    for word in sys.argv[1:] if argv is None else argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
        if word in ("-h", "--help", "--version"):
            return None
    return None


def build_parser(argv: list[str] | None = None, *, every: bool = True) -> argparse.ArgumentParser:
    """The parser; with ``every=False``, only the command ``argv`` names is registered (if known)."""
    parser = argparse.ArgumentParser(
        prog="di-eval",
        description="Evaluate the Kurzeme deinstitutionalisation plan: data, indicators, reports.",
    )
    parser.add_argument("--version", action="version", version=f"di-eval {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command = None if every else _command_in(argv)
    for name in (COMMANDS[command],) if command else COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread when the process is told to stop (SIGTERM, SIGHUP)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.status = 128 + signum


def _stop(signum, frame):
    signal.signal(signum, signal.SIG_IGN)  # once is enough: let the clean-up finish
    raise Interrupted(signum)


def _install_stop_handlers() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so that every command cleans up what it started."""
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            try:
                signal.signal(number, _stop)
            except ValueError:  # not the main thread (e.g. called from a test's thread)
                return


def os_error_message(err: OSError) -> str:
    """An OSError as a person reads it: the path, what went wrong and, for a full disk, what to do."""
    where = " → ".join(str(p) for p in (err.filename, err.filename2) if p is not None) or "a file"
    reason = err.strerror or type(err).__name__
    if err.errno == errno.ENOSPC:
        reason += " (the disk is full: free some space and run the command again; nothing was half-written)"
    elif err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason += " (choose a place you may write to)"
    return f"{where}: {reason}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(argv, every=False)
    args = parser.parse_args(argv)
    _install_stop_handlers()
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
        return EXIT_USAGE if getattr(err, "usage", False) else EXIT_PROBLEMS
    except KeyboardInterrupt as err:
        print(f"di-eval {args.command}: interrupted", file=sys.stderr)
        return getattr(err, "status", 130)
    except BrokenPipeError:
        # the reader of our output went away (e.g. `| head`): not an error of ours
        sys.stderr.close()
        return EXIT_OK
    except OSError as err:  # unreadable, unwritable, missing, a full disk: the path and the reason
        print(f"di-eval {args.command}: {os_error_message(err)}", file=sys.stderr)
        return EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
