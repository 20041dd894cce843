"""The availability matrix (region page): per municipality × service, persons as published and the places of
ERDF projects whose service has opened by the evaluation date."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from di_eval import dataset, paths
from di_eval.analysis.evaluation import evaluate
from di_eval.report.page import Report


class _Cells(HTMLParser):
    """The first table's rows as lists of cell texts (header cells included)."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell, self._done = [], None, False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and not self._done:
            self.rows[-1].append(self._cell.strip())
            self._cell = None
        elif tag == "table":
            self._done = True

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def matrix():
    # on 31 December 2020 only Aizpute's project (AIZ-1: a day-care centre for FT and GRT, 17 places) has opened;
    # Saldus's (SAL-1) opened in October 2021
    data = dataset.load(paths.SAMPLE_DIR)
    ev = evaluate(data, "2020-12-31", "2017", 5)
    pages = {}
    for lang in ("lv", "en"):
        params = {"lang": lang, "as_of": "2020-12-31", "data_dir": str(paths.SAMPLE_DIR), "structure": "2017"}
        report = Report("region", {**params, "threshold": 5}, data, ev, "region")
        html = report._availability()
        parser = _Cells()
        parser.feed(html)
        head, *rows = parser.rows
        pages[lang] = html, head, {row[0]: dict(zip(head, row)) for row in rows}, ev
    return pages


def _persons(cell: str) -> str:
    return cell.split(" · ")[0]


def test_an_opened_project_shows_its_places_in_its_row_and_columns(matrix):
    html, head, rows, _ = matrix["lv"]
    aizpute = rows["Aizputes novads"]
    assert aizpute["FT: dienas aprūpe"].endswith(" · 17 vietas")
    assert aizpute["GRT: dienas aprūpe"].endswith(" · 17 vietas")
    # a service its facilities do not give has no places
    assert " · " not in aizpute["GRT: grupu dzīvoklis"]
    assert " · " not in aizpute["FT: atelpas brīdis"]
    assert "AIZ-1" in html and "SAL-1" not in html
    assert "2020. gada 31. decembrim" in html  # "līdz" takes the dative


def test_a_municipality_without_an_opened_project_shows_no_places(matrix):
    _, head, rows, _ = matrix["lv"]
    for name in ("Saldus novads", "Ventspils", "Liepāja"):
        assert not any(" · " in rows[name][c] for c in head[1:]), name
    assert sum(" · " in row[c] for row in rows.values() for c in head[1:]) == 2  # Aizpute's two cells only


def test_persons_are_shown_as_published(matrix):
    _, head, rows, ev = matrix["lv"]
    from di_eval.report import rounded as rd

    served = rd.mark(ev).persons_cumulative
    mine = served[(served["scope"] == "0640600") & (served["target_group"] == "FT")]
    value = mine.loc[mine["service"] == "day_care", "persons"].iloc[0]
    assert _persons(rows["Aizputes novads"]["FT: dienas aprūpe"]) == rd.shown(value, "lv")


def test_the_english_matrix_says_places_and_keeps_the_table_accessible(matrix):
    html, head, rows, _ = matrix["en"]
    assert any(cell.endswith(" · 17 places") for cell in rows["Aizputes novads"].values())
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "Numbers of places are not hidden" in html
