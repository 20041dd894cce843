"""Accessible charts for the reports, each with a title, caption, alt text and the data behind it.

``base`` holds the ``Chart`` type, the style and the helpers every chart shares; the charts are
grouped by what they show: ``persons``, ``infrastructure``, ``finance`` and ``regional``.
"""

from di_eval.report.charts.base import DPI, FIGURE_WIDTH, MIN_FONT_PT, STYLE, Chart
from di_eval.report.charts.finance import finance_chart
from di_eval.report.charts.infrastructure import milestones_chart, timeline_chart
from di_eval.report.charts.persons import achievement_chart, persons_by_year_chart, services_chart
from di_eval.report.charts.regional import TILES_2017, TILES_2021, small_multiples_chart, tile_map_chart
from di_eval.text.terms import scope_name

__all__ = [
    "DPI",
    "FIGURE_WIDTH",
    "MIN_FONT_PT",
    "STYLE",
    "TILES_2017",
    "TILES_2021",
    "Chart",
    "achievement_chart",
    "finance_chart",
    "milestones_chart",
    "persons_by_year_chart",
    "scope_name",
    "services_chart",
    "small_multiples_chart",
    "tile_map_chart",
    "timeline_chart",
]
