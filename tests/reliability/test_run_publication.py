"""Publication: only good runs are published, in one step, one run at a time, and kills at any
instant leave the last good release in place. Workers are stand-ins (tests/reliability/fakes.py),
so these cases start no kernel.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import time

import pytest
from conftest import HERE, state

from di_eval import fs
from di_eval.run import publish

ONLY = ["--only", "Saldus", "region"]


def run(cli_run, out, *extra):
    return cli_run("run", *ONLY, "--out", out, "--no-progress", *extra)


def shown(out):
    """The release ``out`` shows: its manifest and its page names."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    pages = sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    return manifest, pages


def strict_json(text):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_first_run_publishes_a_link_to_a_release(cli_run, fakes, tmp_path):
    out = tmp_path / "outputs" / "reports"
    code, stdout, err = run(cli_run, out)
    assert code == 0, err
    assert out.is_symlink() and os.readlink(out).startswith(".releases/reports/")
    release = out.parent / os.readlink(out)
    assert (release / ".di-eval-release").is_file()
    manifest = strict_json((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["published"] is True and manifest["failed"] == []
    assert {"index.html", "region.html", "pasvaldibas/0840200.html"} <= set(shown(out)[1])
    assert f"published to {out}/index.html" in stdout


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize("mask", [0o022, 0o002])
def test_published_files_are_readable_by_a_web_server(cli_run, fakes, tmp_path, mask):
    old = os.umask(mask)
    try:
        code, _, err = run(cli_run, tmp_path / "reports")
    finally:
        os.umask(old)
    assert code == 0, err
    release = (tmp_path / "reports").resolve()
    for path in [release, *release.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        want = (0o777 if path.is_dir() else 0o666) & ~mask
        if path.name.endswith(".ipynb"):  # written by the stand-in workers, not by fs
            continue
        assert mode == want, f"{path}: {oct(mode)}"


def test_runs_swap_the_link_and_keep_the_one_before(cli_run, fakes, tmp_path):
    out = tmp_path / "reports"
    links = []
    for _ in range(4):
        code, _, err = run(cli_run, out)
        assert code == 0, err
        links.append(os.readlink(out))
    assert len(set(links)) == 4
    kept = sorted(p.name for p in (tmp_path / ".releases" / "reports").iterdir() if not p.name.startswith("."))
    assert kept == sorted(link.split("/")[2] for link in links[-2:]), "the shown release and the one before"
    assert not list(tmp_path.glob(".reports.link-*"))


@pytest.mark.parametrize("partial", [False, True], ids=["refused", "publish-partial"])
def test_a_run_with_failures_is_published_only_when_asked(cli_run, tmp_path, monkeypatch, partial):
    import fakes as module

    out = tmp_path / "reports"
    module.install(monkeypatch)
    assert run(cli_run, out)[0] == 0
    good_link, good = os.readlink(out), state(out.resolve())
    module.install(monkeypatch, fail=("0840200",))
    # --force: the stand-in's failure is injected into execution, and unchanged reports are not executed
    code, stdout, err = run(cli_run, out, "--force", *(["--publish-partial"] if partial else []))
    assert code == 1
    if partial:
        assert os.readlink(out) != good_link and "1 failed (0840200)" in stdout
        assert strict_json((out / "manifest.json").read_text(encoding="utf-8"))["failed"] == ["0840200"]
    else:
        assert os.readlink(out) == good_link and state(out.resolve()) == good, "the last good release is untouched"
        assert "nothing was published" in stdout and "still shows the last good release" in stdout
        failed = list((tmp_path / ".releases" / "reports").glob("*.failed"))
        assert len(failed) == 1 and (failed[0] / "notebooks" / "0840200.ipynb").is_file()
        assert f"executed notebook: {failed[0]}/notebooks/0840200.ipynb" in stdout


def test_repeated_failed_runs_never_remove_the_good_release(cli_run, tmp_path, monkeypatch):
    import fakes as module

    out = tmp_path / "reports"
    module.install(monkeypatch)
    assert run(cli_run, out)[0] == 0
    good = state(out.resolve())
    module.install(monkeypatch, fail=("region", "0840200"))
    for _ in range(3):
        assert run(cli_run, out, "--force")[0] == 1
    assert state(out.resolve()) == good
    assert len(list((tmp_path / ".releases" / "reports").glob("*.failed"))) == 1, "only the last failed run is kept"


def test_a_first_run_that_fails_publishes_nothing(cli_run, tmp_path, monkeypatch):
    import fakes as module

    module.install(monkeypatch, fail=("region",))
    out = tmp_path / "reports"
    code, stdout, _ = run(cli_run, out)
    assert code == 1 and not os.path.lexists(out) and f"nothing is at {out} yet" in stdout


def test_an_older_plain_folder_output_is_migrated(cli_run, fakes, tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("old index", encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({"generator": "di-eval 0.9", "reports": []}), encoding="utf-8")
    code, _, err = run(cli_run, out)
    assert code == 0, err
    assert out.is_symlink()
    legacy = list((tmp_path / ".releases" / "reports").glob("*-legacy"))
    assert len(legacy) == 1 and (legacy[0] / "index.html").read_text(encoding="utf-8") == "old index"


def test_one_run_per_output_folder(cli_run, fakes, tmp_path):
    out = tmp_path / "reports"
    assert run(cli_run, out)[0] == 0
    before = state(tmp_path)
    lock = publish.lock_path(out)
    code = f"from di_eval import fs\nwith fs.locked({str(lock)!r}, what='x'):\n    print('held', flush=True)\n    input()\n"
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        code_, _, err = run(cli_run, out)
        assert time.monotonic() - started < 5
    finally:
        holder.communicate("\n", timeout=30)
    assert code_ == 1 and f"process {holder.pid}" in err and "is in use" in err
    after = state(tmp_path)
    assert {k: v for k, v in after.items() if ".lock" not in k} == {
        k: v for k, v in before.items() if ".lock" not in k
    }, "the second run changed nothing"


def test_another_runs_staging_folder_is_left_alone(cli_run, fakes, tmp_path):
    """Staging folders are only cleared with the lock held; a different --out's are never touched."""
    other = fs.staging_dir(fs.make_dir(tmp_path / ".releases" / "reports-en"), ".staging-")
    (other / "page.html").write_text("busy", encoding="utf-8")
    assert run(cli_run, tmp_path / "reports")[0] == 0
    assert (other / "page.html").read_text(encoding="utf-8") == "busy"


@pytest.mark.parametrize("where", ["page", "manifest", "index"])
def test_a_full_disk_is_named_and_nothing_is_half_published(cli_run, fakes, tmp_path, monkeypatch, where):
    out = tmp_path / "reports"
    assert run(cli_run, out)[0] == 0
    good_link, good = os.readlink(out), state(out.resolve())
    real = fs.write_atomic

    def full(path, data, **kwargs):
        name = str(path)
        if (where == "manifest" and name.endswith("manifest.json")) or (
            where == "index" and name.endswith("index.html")
        ):
            raise OSError(errno.ENOSPC, "No space left on device", name)
        return real(path, data, **kwargs)

    monkeypatch.setattr(fs, "write_atomic", full)
    if where == "page":
        import fakes as module

        original = module.fake_execute()

        def execute(jobs, staging, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device", str(staging / jobs[0].html_path))

        monkeypatch.setattr("di_eval.run.batch.execute", execute)
        del original
    code, _, err = run(cli_run, out, "--force")
    assert code == 1 and "No space left on device" in err and "the disk is full" in err
    assert str(tmp_path) in err, "the path is named"
    assert os.readlink(out) == good_link and state(out.resolve()) == good
    assert not list((tmp_path / ".releases" / "reports").glob(".staging-*")), "the half-made release is removed"


def test_the_manifest_is_strict_json(cli_run, fakes, tmp_path):
    code, _, _ = run(cli_run, tmp_path / "reports", "--timeout", "1e308")
    assert code == 0
    manifest = strict_json((tmp_path / "reports" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["timeout"] == 1e308


def test_strict_manifest_writes_no_nan(tmp_path):
    publish.write_manifest(tmp_path, {"a": float("nan"), "b": [float("inf")], "c": 1.5})
    assert strict_json((tmp_path / "manifest.json").read_text(encoding="utf-8")) == {"a": None, "b": [None], "c": 1.5}


def test_without_symbolic_links_the_folder_itself_is_swapped(cli_run, fakes, tmp_path, monkeypatch):
    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "symbolic links are not allowed here")

    monkeypatch.setattr(os, "symlink", no_links)
    out = tmp_path / "reports"
    for _ in range(2):
        code, _, err = run(cli_run, out)
        assert code == 0, err
    assert out.is_dir() and not out.is_symlink() and (out / ".di-eval-release").is_file()
    assert (out / "index.html").is_file()


# --- kills at chosen instants ---------------------------------------------------------------


def killed_run(out, point):
    """A publication (stand-in reports, through batch.run) in a process killed at ``point``."""
    env = dict(os.environ, DI_EVAL_TEST_KILL_AT=point)
    command = [sys.executable, str(HERE / "fakes.py"), "--batch", str(out)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def whole(out):
    manifest, pages = shown(out)
    return "index.html" in pages and manifest["published"] is True


@pytest.mark.parametrize("point", publish.KILL_POINTS[:3])
@pytest.mark.parametrize("before", ["a release", "nothing"])
def test_killed_while_publishing_leaves_a_whole_release(tmp_path, point, before):
    import fakes as module

    out = tmp_path / "reports"
    if before == "a release":
        assert module.batch_run(str(out)) == 0
        old = shown(out)
    done = killed_run(out, point)
    assert done.returncode == -9, done.stderr[-1500:]
    if os.path.lexists(out):
        assert whole(out), "whichever release it shows, it is whole"
        if point != "linked" and before == "a release":
            assert shown(out) == old, "killed before the link moved: the old release"
    else:
        assert before == "nothing" and point != "linked"
    assert module.batch_run(str(out)) == 0, "the next run clears what the killed one left"
    assert whole(out)
    assert not list((tmp_path / ".releases" / "reports").glob(".staging-*"))
    assert not list(tmp_path.glob(".reports.link-*"))


def test_killed_while_migrating_an_older_output(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    (out / "index.html").write_text("old index", encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({"generator": "di-eval 0.9", "reports": []}), encoding="utf-8")
    done = killed_run(out, "migrated")
    assert done.returncode == -9, done.stderr[-1500:]
    assert os.path.lexists(out), "the output never disappears"
    assert (out / "index.html").read_text(encoding="utf-8") in ("old index", "<html>index</html>")
    import fakes as module

    assert module.batch_run(str(out)) == 0
    legacy = list((tmp_path / ".releases" / "reports").glob("*-legacy"))
    assert [(p / "index.html").read_text(encoding="utf-8") for p in legacy] == ["old index"], "the old output is kept"


def test_kernels_read_the_runs_snapshot_not_the_changed_files(data, tmp_path):
    """What a report's kernel does with the run's cache folder (``_di_eval_cache``)."""
    from di_eval import load
    from di_eval.analysis.evaluation import evaluate
    from di_eval.report import page

    snapshot = load(data)
    evaluation = evaluate(snapshot, as_of="2020-12-31")
    cache = tmp_path / "cache"
    cache.mkdir()
    page.prime_cache(cache, snapshot, evaluation)
    table = data / "service_uptake.csv"
    table.write_bytes(table.read_bytes().replace(b"\n", b"\r\n"))  # an ingest rewrote it meanwhile
    assert load(data).fingerprint != snapshot.fingerprint
    seen = page.cached_load(str(data), str(cache))
    assert seen.fingerprint == snapshot.fingerprint
    again = page.cached_evaluate(seen, evaluation.as_of.date(), "2017", 5, str(cache))
    assert again.figures("region") == evaluation.figures("region")
    assert page.cached_load(str(data)).fingerprint != snapshot.fingerprint, "without the cache: the files"
