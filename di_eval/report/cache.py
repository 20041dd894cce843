"""What a report reads, and what one kernel keeps of it between cells.

``Memory`` is that keeping, as an object: the loaded dataset, its evaluations and the sections
already drawn, each bounded. A kernel's memory lives on its IPython shell (``memory()``), so it
lasts as long as the kernel and no longer, and two kernels never share it; outside IPython every
``memory()`` is a new, empty one, and a script that wants reuse keeps its own ``Memory`` and
passes it to ``Report.open``. A batch run's snapshot folder (``prime_cache``) is what its kernels
read instead of the files on disk.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from di_eval import dataset, fs, paths
from di_eval.analysis.disclosure import DisclosureRule
from di_eval.analysis.evaluation import Evaluation, evaluate

# A batch run passes its cache folder to each notebook as this (hidden) papermill parameter.
CACHE_PARAMETER = "_di_eval_cache"
DEFAULT_METHOD = DisclosureRule().method  # the method a report without ``disclosure`` uses


def _dataset_key(data_dir: str | Path | None) -> tuple:
    folder = Path(data_dir) if data_dir else paths.SAMPLE_DIR
    signature = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.csv")))
    return (str(folder.resolve()), signature)


def _cache_file(cache_dir: str | Path, kind: str, key: tuple) -> Path:
    """Where a batch run left this object for its kernels (a private folder it made)."""
    return Path(cache_dir) / f"{kind}-{hashlib.sha256(repr(key).encode()).hexdigest()[:24]}.pickle"


def _from_cache(cache_dir: str | Path | None, kind: str, key: tuple):
    path = _cache_file(cache_dir, kind, key) if cache_dir else None
    if path is not None and path.is_file():
        with path.open("rb") as handle:
            return pickle.load(handle)
    return None


def _snapshot_key(data_dir: str | Path | None) -> tuple:
    return (str((Path(data_dir) if data_dir else paths.SAMPLE_DIR).resolve()),)


def prime_cache(cache_dir: Path, data: dataset.Dataset, evaluation: Evaluation) -> None:
    """Leave a loaded dataset and its evaluation in ``cache_dir`` for the run's kernels.

    A batch loads and evaluates once in its main process; each report's kernel, given the
    folder as the notebook parameter ``_di_eval_cache``, reads that same snapshot instead of the
    files on disk, so every page carries the run's data fingerprint even if the dataset changes
    during the run, and nothing is validated and suppressed twice.
    """
    evaluation_key = _evaluation_key(
        data.fingerprint,
        str(evaluation.as_of.date()),
        evaluation.structure,
        evaluation.threshold,
        evaluation.rule.method,
    )
    for kind, key, value in (
        ("dataset", _snapshot_key(data.data_dir), data),
        ("evaluation", evaluation_key, evaluation),
    ):
        fs.write_atomic(_cache_file(cache_dir, kind, key), pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _evaluation_key(fingerprint: str, as_of: str, structure: str, threshold: int, disclosure: str | None) -> tuple:
    return (fingerprint, as_of, structure, threshold, disclosure or DEFAULT_METHOD)


class Memory:
    """What one kernel keeps between cells: datasets (the last one), evaluations and drawn sections.

    Each kind is bounded (``limits``): past its limit the oldest entry goes. ``clear()`` forgets
    everything, as a restart would.
    """

    def __init__(self, datasets: int = 1, evaluations: int = 8, sections: int = 48):
        self.limits = {"datasets": datasets, "evaluations": evaluations, "sections": sections}
        self.datasets: dict = {}
        self.evaluations: dict = {}
        self.sections: dict = {}

    def clear(self) -> None:
        for kind in self.limits:
            getattr(self, kind).clear()

    def _keep(self, kind: str, key, value):
        store = getattr(self, kind)
        while len(store) >= self.limits[kind]:
            store.pop(next(iter(store)))
        store[key] = value
        return value

    def dataset(self, data_dir: str | Path | None, cache_dir: str | Path | None = None) -> dataset.Dataset:
        """The dataset in ``data_dir``, loaded once; a changed file on disk is loaded again.

        With a batch run's ``cache_dir``, the run's snapshot of the dataset is used, whatever the
        files say now.
        """
        key = (str(cache_dir), *_snapshot_key(data_dir)) if cache_dir else _dataset_key(data_dir)
        if key not in self.datasets:
            snapshot = _from_cache(cache_dir, "dataset", _snapshot_key(data_dir)) if cache_dir else None
            self._keep("datasets", key, snapshot if snapshot is not None else dataset.load(_dataset_key(data_dir)[0]))
        return self.datasets[key]

    def evaluation(
        self,
        data: dataset.Dataset,
        as_of,
        structure: str,
        threshold: int,
        cache_dir: str | Path | None = None,
        disclosure: str | None = None,
    ) -> Evaluation:
        """Evaluate once per dataset, date, structure, threshold and disclosure method (None or "":
        the rule's default): suppression is done once, then sliced."""
        key = _evaluation_key(data.fingerprint, str(as_of), structure, threshold, disclosure)
        if key not in self.evaluations:
            rule = DisclosureRule(threshold, method=key[-1])
            found = _from_cache(cache_dir, "evaluation", key) or evaluate(
                data, as_of=as_of, structure=structure, threshold=threshold, rule=rule
            )
            self._keep("evaluations", key, found)
        return self.evaluations[key]

    def section(self, key: tuple, draw):
        """A drawn section under ``key`` (``draw()`` the first time)."""
        if key not in self.sections:
            self._keep("sections", key, draw())
        return self.sections[key]


MEMORY_ATTRIBUTE = "di_eval_memory"  # where a kernel's memory is kept on its IPython shell


def memory() -> Memory:
    """This kernel's memory (kept on its IPython shell); outside IPython, a new one."""
    try:  # IPython itself, not di_eval.report.notebook (which imports di_eval.run: a cycle)
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        return Memory()
    found = getattr(shell, MEMORY_ATTRIBUTE, None)
    if not isinstance(found, Memory):
        found = Memory()
        setattr(shell, MEMORY_ATTRIBUTE, found)
    return found


def cached_load(*args, **kwargs) -> dataset.Dataset:
    """``memory().dataset(...)``: the dataset as this kernel keeps it."""
    return memory().dataset(*args, **kwargs)


def cached_evaluate(*args, **kwargs) -> Evaluation:
    """``memory().evaluation(...)``: the evaluation as this kernel keeps it."""
    return memory().evaluation(*args, **kwargs)
