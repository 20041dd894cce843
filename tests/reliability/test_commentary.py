"""The evaluator's commentary under attack: links out of the data folder, huge files, control characters.

A commentary file must be a regular file inside ``<data>/commentary/``, at most 64 KB, UTF-8; what
is not is refused with a message naming the file (the report that needs it fails, so nothing is
published with another file's text). Control characters are removed before rendering. Each case
also asserts that nothing under the test's folder changed.
"""

from __future__ import annotations

import os

import pytest
from conftest import state

from di_eval.errors import DataValidationError
from di_eval.report import commentary

CODE = "0840200"


def _commentary(data):
    folder = data / "commentary"
    folder.mkdir(exist_ok=True)
    return folder / f"{CODE}.md"


def _outside(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret\n", encoding="utf-8")
    return secret


REFUSED = {
    "a link to /etc/passwd": (lambda p, tmp: p.symlink_to("/etc/passwd"), "symbolic link"),
    "a link to a file outside": (lambda p, tmp: p.symlink_to(_outside(tmp)), "symbolic link"),
    "a relative link out": (lambda p, tmp: p.symlink_to("../../secret.txt") or _outside(tmp), "symbolic link"),
    "a link to another commentary": (
        lambda p, tmp: ((p.parent / "other.md").write_text("x", encoding="utf-8"), p.symlink_to("other.md")),
        "symbolic link",
    ),
    "a dangling link": (lambda p, tmp: p.symlink_to(tmp / "nothing"), "symbolic link"),
    "the commentary folder a link out": (
        lambda p, tmp: (p.parent.rmdir(), p.parent.symlink_to(_outside(tmp).parent)),
        "is a symbolic link",
    ),
    "a folder": (lambda p, tmp: p.mkdir(), "not a regular file"),
    "a FIFO": (lambda p, tmp: os.mkfifo(p), "not a regular file"),
    "64 KB + 1 byte": (lambda p, tmp: p.write_bytes(b"a" * (64 * 1024 + 1)), "larger than 64 KB"),
    "5 MB": (lambda p, tmp: p.write_bytes(b"# Liela\n" + b"teksts " * 750_000), "larger than 64 KB"),
    "not UTF-8 (cp1257)": (lambda p, tmp: p.write_bytes("Komentārs".encode("cp1257")), "must be UTF-8 text"),
    "UTF-16": (lambda p, tmp: p.write_bytes("Komentārs".encode("utf-16")), "must be UTF-8 text"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_commentary_that_is_not_a_small_regular_utf8_file_is_refused(case, data, tmp_path):
    make, message = REFUSED[case]
    make(_commentary(data), tmp_path)
    before = state(tmp_path)
    with pytest.raises(DataValidationError) as err:
        commentary.read_commentary(data, CODE)
    text = str(err.value)
    assert message in text and f"{CODE}.md" in text
    assert "root:x" not in text
    assert state(tmp_path) == before


def test_an_unreadable_commentary_is_refused(data, tmp_path, monkeypatch):
    _commentary(data).write_text("Komentārs", encoding="utf-8")
    real = os.open

    def guarded(path, *args, **kwargs):
        if str(path).endswith(f"{CODE}.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)
    with pytest.raises(DataValidationError) as err:
        commentary.read_commentary(data, CODE)
    assert "cannot be read (Permission denied)" in str(err.value) and f"{CODE}.md" in str(err.value)


def test_exactly_64_kb_is_accepted(data):
    _commentary(data).write_bytes(b"a" * (64 * 1024))
    assert len(commentary.read_commentary(data, CODE)) == 64 * 1024


def test_a_missing_commentary_is_none(data):
    _commentary(data)
    assert commentary.read_commentary(data, CODE) is None


CONTROL = {
    "BEL": "\x07",
    "ESC (an ANSI colour)": "\x1b[31m",
    "NUL": "\x00",
    "backspace": "\x08",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "DEL": "\x7f",
    "C1 NEL": "\x85",
    "C1 CSI": "\x9b",
    "U+202E right-to-left override": "\u202e",
    "U+202D left-to-right override": "\u202d",
    "U+202A left-to-right embedding": "\u202a",
    "U+202B right-to-left embedding": "\u202b",
    "U+2066 left-to-right isolate": "\u2066",
    "U+2067 right-to-left isolate": "\u2067",
    "U+2068 first strong isolate": "\u2068",
    "U+2069 pop directional isolate": "\u2069",
    "U+200F right-to-left mark": "\u200f",
    "a byte-order mark inside": "\ufeff",
}


@pytest.mark.parametrize("case", list(CONTROL))
def test_control_characters_are_removed_before_rendering(case, data):
    bad = CONTROL[case]
    _commentary(data).write_text(f"# Saldus\n\nKomen{bad}tārs\tar tabulāciju.\n", encoding="utf-8")
    text = commentary.read_commentary(data, CODE)
    rest = "[31m" if bad.startswith("\x1b") else ""  # the colour's letters are harmless text
    assert text == f"# Saldus\n\nKomen{rest}tārs\tar tabulāciju.\n"
    html = commentary.commentary_html(text)
    assert bad[0] not in html
    assert "Komen" in html and "tārs" in html


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_carriage_returns_become_newlines(ending, data):
    _commentary(data).write_bytes(f"# Saldus{ending}{ending}Teksts.{ending}".encode())
    assert commentary.read_commentary(data, CODE) == "# Saldus\n\nTeksts.\n"


@pytest.mark.parametrize("case", ["a link to /etc/passwd", "5 MB", "U+202E"])
def test_run_final_refuses_before_any_worker_starts(case, data, tmp_path, cli_run, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("workers were started")

    monkeypatch.setattr("di_eval.run.batch.Workers", refuse)
    monkeypatch.setattr("di_eval.run.batch.execute", refuse)
    path = _commentary(data)
    if case == "U+202E":
        path.write_text("\u202e\u202d\x07", encoding="utf-8")  # empty once cleaned: a missing conclusion
    elif case == "5 MB":
        path.write_bytes(b"a" * 5_000_000)
    else:
        path.symlink_to("/etc/passwd")
    out = tmp_path / "reports"
    before = state(tmp_path)
    code, text, err = cli_run("run", "--final", "--data", data, "--out", out, "--only", "Saldus", "--no-progress")
    assert code == 1, err
    expected = {"a link to /etc/passwd": "is a symbolic link", "5 MB": "larger than 64 KB", "U+202E": "no evaluator's"}
    assert expected[case] in err and CODE in err and "root:" not in err
    assert state(tmp_path) == before
