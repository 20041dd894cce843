"""The exceptions of di-eval: one root, a few subclasses with structured fields."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field


class DiEvalError(Exception):
    """Raised when di-eval cannot do what it was asked; the message is for people."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows in a notebook: the message itself, in the report's language, no traceback."""
        return render_error(self)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what it is and which rule it breaks."""

    file: str
    row: int | None  # as a person counts it: the header is row 1, the first data row is row 2
    column: str | None
    value: object
    rule: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        value = "" if self.value is None or self.value == "" else f" (value: {self.value!r})"
        return f"{where}: {self.rule}{value}"

    def as_dict(self) -> dict:
        value = self.value
        if value is not None and not isinstance(value, (int, float, str, bool)):
            value = str(value)
        return {"file": self.file, "row": self.row, "column": self.column, "value": value, "rule": self.rule}


class DataValidationError(DiEvalError):
    """Raised when a dataset breaks its schemas or cross-table rules; carries every problem."""

    def __init__(self, problems: list[Problem], source: str = "dataset"):
        self.problems = list(problems)
        self.source = source
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [f"{self.source}: {len(self.problems)} problem(s) found"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)

    def __reduce__(self):
        return (self.__class__, (self.problems, self.source))


@dataclass
class ChoiceError(DiEvalError):
    """Raised when a value is not one of the valid choices (a municipality, a date, a parameter)."""

    what: str
    value: object
    choices: list[str] = field(default_factory=list)
    hint: str = ""
    suggestions: list[str] = field(default_factory=list)  # the closest valid choices ("did you mean")
    hint_lv: str = ""  # the hint in Latvian, for notebooks

    def __post_init__(self):
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"unknown {self.what}: {self.value!r}"
        if self.hint:
            text += f" ({self.hint})"
        text += f". Did you mean: {' or '.join(self.suggestions)}?" if self.suggestions else ""
        if self.choices:
            text += (" " if self.suggestions else ". ") + "Valid choices: " + ", ".join(self.choices)
        return text

    def __reduce__(self):
        return (self.__class__, (self.what, self.value, self.choices, self.hint, self.suggestions, self.hint_lv))


# --- in a notebook ------------------------------------------------------------------------------

# The language a notebook's errors are told in: the one its report was opened with. A context
# variable, not a module global: ``Report.open`` sets it (``set_notebook_language``) for the code
# that runs after it in the same context, which in a kernel is the cells run after it; a thread
# or an asyncio task started elsewhere keeps its own value, and ``notebook_language`` sets it for
# a block only.
NOTEBOOK_LANGUAGE: ContextVar[str] = ContextVar("di_eval_notebook_language", default="lv")


def set_notebook_language(lang: str | None) -> Token:
    """Tell errors in ``lang`` from now on in this context (Latvian for anything but "en");
    ``NOTEBOOK_LANGUAGE.reset(token)`` undoes it."""
    return NOTEBOOK_LANGUAGE.set(lang if lang in ("lv", "en") else "lv")


@contextmanager
def notebook_language(lang: str | None) -> Iterator[None]:
    """Errors told in ``lang`` inside the ``with`` block, and as before after it."""
    token = set_notebook_language(lang)
    try:
        yield
    finally:
        NOTEBOOK_LANGUAGE.reset(token)


_WHAT_LV = {
    "parameter": "Nezināms parametrs",
    "municipality": "Nezināma pašvaldība",
    "date": "Nederīgs datums",
    "language": "Nezināma valoda",
    "structure": "Nezināma pašvaldību struktūra",
    "threshold": "Nederīgs slieksnis",
}


def error_lines(error: BaseException, lang: str | None = None) -> list[str]:
    """The message of a di-eval error as lines for people, in ``lang`` (default: the report's)."""
    lang = lang or NOTEBOOK_LANGUAGE.get()
    if not isinstance(error, ChoiceError):
        return [f"{type(error).__name__}: {line}" if i == 0 else line for i, line in enumerate(str(error).split("\n"))]
    if lang == "lv":
        head = _WHAT_LV.get(error.what, f"Nederīga vērtība ({error.what})")
        hint = error.hint_lv or error.hint
        lines = [f"{head}: {error.value!r}" + (f" ({hint})" if hint else "")]
        if error.suggestions:
            lines.append("Vai domājāt: " + " vai ".join(error.suggestions) + "?")
        if error.choices:
            lines.append("Derīgās vērtības: " + ", ".join(error.choices))
    else:
        lines = [f"Unknown {error.what}: {error.value!r}" + (f" ({error.hint})" if error.hint else "")]
        if error.suggestions:
            lines.append("Did you mean: " + " or ".join(error.suggestions) + "?")
        if error.choices:
            lines.append("Valid choices: " + ", ".join(error.choices))
    return lines


def render_error(error: DiEvalError) -> list[str]:
    """IPython's ``_render_traceback_``: the message itself (in red, like IPython's own), no traceback."""
    lines = error_lines(error)
    return [f"\x1b[31m{lines[0]}\x1b[0m", *lines[1:]]
