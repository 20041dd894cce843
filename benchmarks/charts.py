"""Chart time of a municipal report and of the region's small multiples, on the shipped sample.

    .venv/bin/python benchmarks/charts.py

Prints the time to import the report package, a municipal report's sections (summary to
implementation, Saldus) with the time its charts took (each chart function with its PNG), and
the small multiples (all groups, and one group) drawn five times: the first call, which imports
seaborn.objects, and the best of the others. Whether seaborn was imported by the municipal
report is printed too (it should not be).
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    start = time.perf_counter()
    import di_eval.report.page as page
    from di_eval import dataset, paths
    from di_eval.analysis.evaluation import evaluate
    from di_eval.report import charts

    imported = time.perf_counter() - start
    data = dataset.load(paths.SAMPLE_DIR)
    evaluation = evaluate(data, "2023-12-31", "2017", 5)
    spent = [0.0]

    def timed(function):
        def call(*args, **kwargs):
            began = time.perf_counter()
            chart = function(*args, **kwargs)
            chart.png_bytes()
            spent[0] += time.perf_counter() - began
            return chart

        return call

    class Timed:
        pass

    for name in charts.__all__:
        value = getattr(charts, name)
        setattr(Timed, name, staticmethod(timed(value)) if name.endswith("_chart") else value)
    page.charts = Timed
    scope = evaluation.resolve("Saldus")
    params = {"lang": "lv", "as_of": "2023-12-31", "data_dir": str(paths.SAMPLE_DIR), "structure": "2017"}
    report = page.Report("municipality", {**params, "threshold": 5, "municipality": scope}, data, evaluation, scope)
    began = time.perf_counter()
    for section in ("summary", "target_groups", "services", "infrastructure", "implementation"):
        getattr(report, section)()
    sections = time.perf_counter() - began
    print(f"import of the report package: {imported:.2f} s")
    print(f"municipal report: sections {sections:.2f} s, of which charts (drawing and PNG) {spent[0]:.2f} s")
    print(f"seaborn imported by the municipal report: {'seaborn' in sys.modules}")
    page.charts = charts
    rows = evaluation.persons_by_year[evaluation.persons_by_year["scope"] != "region"]
    for group in ("any", "FT"):
        times = []
        for _ in range(5):
            began = time.perf_counter()
            charts.small_multiples_chart(rows, "lv", group, names=evaluation.scopes).png_bytes()
            times.append(time.perf_counter() - began)
        print(f"small multiples ({group}): first {times[0]:.2f} s, best of the others {min(times[1:]):.2f} s")


if __name__ == "__main__":
    main()
