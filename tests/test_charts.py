"""Charts: complete (title, caption, alt text from the data, data table), accessible (contrast,
font size, status and suppression never by colour alone), compact PNGs, and every chart drawn
from the real sample data aggregated here by hand."""

from __future__ import annotations

import io
import time

import matplotlib
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from PIL import Image

from di_eval import paths
from di_eval.errors import ChoiceError, DiEvalError
from di_eval.report import charts
from di_eval.report import palette as p
from di_eval.text import formats as fmt
from di_eval.text import terms

AS_OF = pd.Timestamp("2020-12-31")
EXPECTED = 4 / 7  # 2017-01-01 .. 2020-12-31 of 2017-01-01 .. 2023-12-31, in whole years

# --- hand-made tables in the shapes of the evaluation contract -------------------------------------


def achievement_table(grt_achieved=91) -> pd.DataFrame:
    rows = [
        ("FT", 288, 240, "ahead"),
        ("GRT", 350, grt_achieved, "behind"),
        ("VSAC", 35, "<5", None),
    ]
    return pd.DataFrame(
        [
            {
                "scope": "region",
                "target": target,
                "plan_version": "2020-01-15",
                "target_value": value,
                "achieved": achieved,
                "rate": achieved / value if isinstance(achieved, int) else None,
                "expected_rate": EXPECTED,
                "status": status,
            }
            for target, value, achieved, status in rows
        ]
    )


SALDUS = {
    "FT": [3, 12, 25, 31, 28, 22, None],
    "GRT": [0, "<5", 8, 11, 21, 19, None],
    "BSAC": [0, 0, 0, 0, 0, "<5", None],
}


def persons_by_year_table(scope="0840200", series=SALDUS) -> pd.DataFrame:
    rows = []
    for group, values in series.items():
        for year, value in zip(range(2017, 2024), values):
            new = value if not isinstance(value, int) else value // 2
            rows.append((scope, year, group, "any", value, new))
            rows.append(
                (scope, year, group, "care", 0 if value is not None else None, 0 if value is not None else None)
            )
    frame = pd.DataFrame(rows, columns=["scope", "year", "target_group", "service", "persons_served", "persons_new"])
    return frame.astype({"persons_served": object, "persons_new": object})


def persons_cumulative_table() -> pd.DataFrame:
    values = {"any": 240, "social_rehabilitation": 159, "care": 39, "respite": 52, "day_care": "<5"}
    rows = [("region", "FT", service, persons) for service, persons in values.items()]
    rows += [("region", "GRT", "any", 91), ("region", "GRT", "care", 20)]
    return pd.DataFrame(rows, columns=["scope", "target_group", "service", "persons"]).astype({"persons": object})


def milestones_table() -> pd.DataFrame:
    rows = [
        ("PRI-1", "0641600", "construction_start", "2019-08-01", "2019-08-01", 0, "done_on_time"),
        ("PRI-1", "0641600", "construction_end", "2020-08-16", "2020-09-30", 45, "done_late"),
        ("PRI-1", "0641600", "service_opened", "2020-09-02", None, 120, "overdue"),
        ("RUC-1", "0648500", "construction_start", "2021-03-01", None, None, "not_due"),
    ]
    frame = pd.DataFrame(
        rows, columns=["project_id", "scope", "milestone", "planned_date", "actual_date", "slippage_days", "status"]
    )
    frame["planned_date"] = pd.to_datetime(frame["planned_date"])
    frame["actual_date"] = pd.to_datetime(frame["actual_date"])
    return frame


def finance_table() -> pd.DataFrame:
    rows = [
        ("ESF_services", "ESF", 5_610_000, 5_207_777, 4_468_821),
        ("ESF_services", "state", 990_000, 919_019, 788_615),
        ("ESF_services", "total", 6_600_000, 6_126_796, 5_257_436),
        ("ERDF_infrastructure", "ERDF", 6_205_000, 5_846_175, 4_978_743),
        ("ERDF_infrastructure", "state", 365_000, 343_893, 292_867),
        ("ERDF_infrastructure", "municipal", 730_000, 687_785, 585_734),
        ("ERDF_infrastructure", "total", 7_300_000, 6_877_853, 5_857_344),
    ]
    frame = pd.DataFrame(rows, columns=["programme", "fund", "planned_eur", "contracted_eur", "paid_eur"])
    frame.insert(0, "scope", "region")
    frame["absorption_rate"] = frame["paid_eur"] / frame["planned_eur"]
    return frame


MUNICIPALITIES = pd.read_csv(paths.REFERENCE_DIR / "municipalities.csv", dtype=str)
MUNICIPALITIES_2021 = pd.read_csv(paths.REFERENCE_DIR / "municipalities_2021.csv", dtype=str)
# The names an evaluation gives its scopes (its ``scopes`` table): charts take names from here only.
NAMES = pd.concat(
    [
        pd.DataFrame({"scope": ["region"], "name": ["Kurzemes plānošanas reģions"], "name_short": ["Kurzemes"]}),
        MUNICIPALITIES.rename(columns={"atvk_code": "scope"})[["scope", "name", "name_short"]],
        MUNICIPALITIES_2021.rename(columns={"iso_code": "scope"})[["scope", "name", "name_short"]],
    ],
    ignore_index=True,
)


def all_municipalities_table() -> pd.DataFrame:
    frames = []
    for index, code in enumerate(MUNICIPALITIES["atvk_code"]):
        series = {
            "FT": [(index * 3 + year) % 40 if (index + year) % 5 else "<5" for year in range(7)],
            "GRT": [(index + year * 2) % 15 for year in range(7)],
        }
        if code == "0648500":  # Rucava did not report 2023
            series = {group: [*values[:6], None] for group, values in series.items()}
        frames.append(persons_by_year_table(code, series))
    return pd.concat(frames, ignore_index=True)


def tiles_table() -> pd.DataFrame:
    codes = MUNICIPALITIES["atvk_code"].tolist()
    values = [(i * 7) % 50 for i in range(len(codes))]
    labels = [str(v) if v >= 5 or v == 0 else "<5" for v in values]
    return pd.DataFrame(
        {"scope": codes, "name_short": MUNICIPALITIES["name_short"], "value": values, "label": labels}
    ).astype({"value": float})


EVENTS = pd.DataFrame(
    [
        ("2015-01-01", "year", "project", "Sākas projekts", "The project starts"),
        ("2017-10-05", "day", "plan_version", "Apstiprina DI plānu", "The DI plan is approved"),
        ("2020-01-15", "day", "plan_version", "VSAC mērķis – 35", "The VSAC target is 35"),
        ("2021-07-01", "day", "reform", "Administratīvi teritoriālā reforma", "The territorial reform"),
    ],
    columns=["date", "date_precision", "kind", "event_lv", "event_en"],
)

BUILDERS = {
    "achievement": lambda lang: charts.achievement_chart(achievement_table(), lang, as_of=AS_OF),
    "persons_by_year": lambda lang: charts.persons_by_year_chart(persons_by_year_table(), lang, names=NAMES),
    "services": lambda lang: charts.services_chart(persons_cumulative_table(), "FT", lang, as_of=AS_OF),
    "milestones": lambda lang: charts.milestones_chart(milestones_table(), lang, as_of=AS_OF),
    "finance": lambda lang: charts.finance_chart(finance_table(), lang, as_of=AS_OF),
    "small_multiples": lambda lang: charts.small_multiples_chart(all_municipalities_table(), lang, names=NAMES),
    "small_multiples_GRT": lambda lang: charts.small_multiples_chart(
        all_municipalities_table(), lang, "GRT", names=NAMES
    ),
    "tile_map": lambda lang: charts.tile_map_chart(tiles_table(), lang, terms.tile_map_title(lang)),
    "timeline": lambda lang: charts.timeline_chart(EVENTS, lang),
}


@pytest.fixture(
    scope="module", params=[(name, lang) for name in BUILDERS for lang in ("lv", "en")], ids=lambda x: f"{x[0]}-{x[1]}"
)
def built(request):
    name, lang = request.param
    return name, lang, BUILDERS[name](lang)


# --- helpers that look at a figure independently --------------------------------------------------


def drawn(figure: Figure) -> list:
    """Every artist that is drawn: visible itself and all its parents (an axis turned off hides its labels)."""
    found, stack = [], [figure]
    while stack:
        artist = stack.pop()
        if not artist.get_visible():
            continue
        found.append(artist)
        children = artist.get_children()
        if isinstance(artist, Axes) and not artist.axison:  # axis("off") hides the axes' axis and spines
            hidden = {artist.xaxis, artist.yaxis, *artist.spines.values()}
            children = [c for c in children if c not in hidden]
        stack.extend(children)
    return found


def visible_texts(figure: Figure) -> list[Text]:
    return [t for t in drawn(figure) if isinstance(t, Text) and t.get_text().strip()]


def all_text(chart) -> str:
    return "\n".join(t.get_text() for t in visible_texts(chart.figure))


def mark_colours(figure: Figure) -> set[str]:
    """Every colour a mark is drawn with (fills, outlines, lines, markers), minus the background and gridlines."""
    colours = set()
    for artist in drawn(figure):
        if not isinstance(artist, (Patch, Line2D)) or artist is figure.patch:
            continue
        if isinstance(artist, Patch):
            if artist.get_fill() and artist.get_facecolor()[3] > 0:
                colours.add(to_hex(artist.get_facecolor()))
            if artist.get_linewidth() > 0 and artist.get_edgecolor()[3] > 0:
                colours.add(to_hex(artist.get_edgecolor()))
        else:
            if artist.get_linestyle() not in ("None", "none", "") and artist.get_linewidth() > 0:
                colours.add(to_hex(artist.get_color()))
            if artist.get_marker() not in ("None", "none", "", None):
                colours.add(to_hex(artist.get_markerfacecolor()))
                colours.add(to_hex(artist.get_markeredgecolor()))
    return {c.upper() for c in colours} - {p.BACKGROUND.upper(), p.GRID.upper()}


# --- every chart -----------------------------------------------------------------------------------


def test_a_chart_has_title_caption_alt_and_data(built):
    name, lang, chart = built
    assert isinstance(chart, charts.Chart) and isinstance(chart.figure, Figure)
    assert chart.lang == lang
    assert isinstance(chart.title, str) and len(chart.title) > 5
    for text in (chart.caption, chart.alt):
        assert isinstance(text, str) and len(text) > 40
    assert chart.alt != chart.title and chart.alt != chart.caption
    assert any(ch.isdigit() for ch in chart.alt), "alt text should state numbers from the data"
    assert isinstance(chart.data, pd.DataFrame) and len(chart.data) > 0
    assert all(isinstance(c, str) and c[:1].isupper() for c in chart.data.columns)
    assert all(isinstance(v, str) for v in chart.data.to_numpy().ravel()), "data is formatted as published"


def test_a_chart_speaks_the_report_language(built):
    name, lang, chart = built
    latvian = "āčēģīķļņšūž"
    words = " ".join([chart.title, chart.caption, chart.alt, *chart.data.columns])
    if lang == "lv":
        assert any(ch in words.lower() for ch in latvian)
    else:
        own = " ".join([chart.caption, *chart.data.columns]).lower()  # names of places keep their letters
        assert not any(ch in own.replace("kurzemes", "") for ch in "āčēģīķļņšž") or name == "tile_map"
        assert "gadā" not in words and "nav iesniegts" not in words


def test_every_text_is_at_least_10_points(built):
    _, _, chart = built
    sizes = [t.get_fontsize() for t in visible_texts(chart.figure)]
    assert sizes and min(sizes) >= charts.MIN_FONT_PT


def test_png_is_compact_deterministic_and_sized_as_the_figure(built):
    name, _, chart = built
    first, second = chart.png_bytes(), chart.png_bytes()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == second
    assert len(first) < 60_000, f"{name}: {len(first)} bytes"
    with Image.open(io.BytesIO(first)) as image:
        width, height = chart.figure.get_size_inches() * charts.DPI
        assert image.size == (int(width), int(height)) == chart.pixel_size()  # matplotlib truncates to whole pixels
        assert image.size[0] == round(charts.FIGURE_WIDTH * charts.DPI)


def test_marks_reach_3_to_1_and_text_4_5_to_1(built):
    name, _, chart = built
    colours = mark_colours(chart.figure)
    if name == "tile_map":
        colours -= {c.upper() for c in p.SEQUENTIAL}  # fills behind text: checked below with their text
    assert colours, "a chart draws marks"
    for colour in colours:
        assert p.contrast_ratio(colour, p.BACKGROUND) >= 3.0, f"{name}: mark colour {colour}"
    for text in visible_texts(chart.figure):
        colour = to_hex(text.get_color())
        background = _fill_under(chart, text) if name == "tile_map" else p.BACKGROUND
        assert p.contrast_ratio(colour, background) >= 4.5, f"{name}: text {text.get_text()!r} in {colour}"


def _fill_under(chart, text: Text) -> str:
    """The fill of the tile a text sits on (white outside tiles)."""
    x, y = text.get_position()  # data coordinates, as the tiles are
    for patch in text.axes.patches:
        if isinstance(patch, Rectangle) and patch.get_bbox().contains(x, y):
            return to_hex(patch.get_facecolor())
    return p.BACKGROUND


def test_no_figure_is_left_open_in_pyplot(built):
    _, _, chart = built
    from matplotlib._pylab_helpers import Gcf

    assert all(manager.canvas.figure is not chart.figure for manager in Gcf.get_all_fig_managers())
    assert matplotlib.get_backend()  # the caller's backend is left as it was


def test_report_colours_survive_compression_exactly():
    chart = BUILDERS["persons_by_year"]("lv")
    with Image.open(io.BytesIO(chart.png_bytes())) as image:
        colours = {"#{:02X}{:02X}{:02X}".format(*rgb) for _, rgb in image.convert("RGB").getcolors(1 << 16)}
    for group in ("FT", "GRT", "BSAC"):
        assert p.GROUP_COLOURS[group].upper() in colours
    assert p.BACKGROUND.upper() in colours and p.TEXT.upper() in colours


def test_the_notebook_view_escapes_its_text():
    chart = charts.tile_map_chart(tiles_table().assign(label="<b>x</b>"), "lv", "<script>t</script>")
    html = chart._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html


# --- what each chart says ----------------------------------------------------------------------------


def test_achievement_states_share_expected_progress_and_status_in_words():
    chart = BUILDERS["achievement"]("lv")
    text = all_text(chart)
    assert "▲ apsteidz plānoto" in text and "▼ atpaliek no plānotā" in text and "○ nav nosakāms" in text
    assert f"91 no 350 personām ({fmt.format_percent(91 / 350, 'lv')})" in text
    assert f"sagaidāms {fmt.format_percent(EXPECTED, 'lv')}" in text
    assert any(pt.get_hatch() == p.HATCHES["suppressed"] for pt in chart.figure.axes[0].patches), "VSAC <5 is hatched"
    assert chart.figure.axes[0].get_legend() is None
    assert list(chart.data["Statuss"]) == ["▲ apsteidz plānoto", "▼ atpaliek no plānotā", "○ nav nosakāms"]
    assert list(chart.data["Sasniegts"]) == ["240", "91", "<5"]


@pytest.mark.parametrize("grt", [91, 150, 21])
def test_achievement_alt_text_follows_the_numbers(grt):
    chart = charts.achievement_chart(achievement_table(grt), "lv", as_of=AS_OF)
    share = fmt.format_percent(grt / 350, "lv")
    assert f"GRT — {share} ({grt} no 350 personām)" in chart.alt
    assert f"FT — {fmt.format_percent(240 / 288, 'lv')} (240 no 288 bērniem)" in chart.alt
    assert "Līdz 2020. gada 31. decembrim" in chart.alt
    assert "apsteidz plānoto" in chart.alt and "▲" not in chart.alt  # words, not symbols, for screen readers
    english = charts.achievement_chart(achievement_table(grt), "en", as_of=AS_OF)
    assert f"GRT: {fmt.format_percent(grt / 350, 'en')} ({grt} of 350 persons)" in english.alt


def test_persons_by_year_labels_every_bar_and_shows_gaps():
    table = persons_by_year_table()
    chart = charts.persons_by_year_chart(table, "lv", names=NAMES)
    texts = [t.get_text() for t in visible_texts(chart.figure)]
    for values in SALDUS.values():
        for value in values:
            assert fmt.format_number(value, "lv") in texts
    assert texts.count("nav iesniegts") == 3 and texts.count("<5") == 2
    hatched = [pt for ax in chart.figure.axes for pt in ax.patches if pt.get_hatch() == p.HATCHES["suppressed"]]
    assert len(hatched) == 2
    assert all(ax.get_legend() is None for ax in chart.figure.axes)
    peak = max(range(7), key=lambda i: SALDUS["FT"][i] or 0)
    assert f"visvairāk {2017 + peak}. gadā ({SALDUS['FT'][peak]})" in chart.alt
    assert "dati nav iesniegti: 2023" in chart.alt
    assert "Saldus novads" in chart.caption and "„<5“" in chart.caption
    rows = chart.data[chart.data["Mērķa grupa"] == "Personas ar GRT"]
    assert list(rows["Pakalpojumus saņēma"]) == [fmt.format_number(x, "lv") for x in SALDUS["GRT"]]


def test_a_value_hidden_by_secondary_suppression_is_a_labelled_gap():
    series = {"FT": [3, 12, "x", 31, 28, "<5", 20], "GRT": [0, "x", 8, 11, 21, 19, 7]}
    chart = charts.persons_by_year_chart(persons_by_year_table(series=series), "lv")
    texts = [t.get_text() for t in visible_texts(chart.figure)]
    assert texts.count("x") == 2
    bars = [pt for ax in chart.figure.axes for pt in ax.patches if pt.get_height() > 0]
    assert len(bars) == 11  # 14 values: two hidden and one zero are not drawn as bars
    assert "„x“ — skaitlis slēpts" in chart.caption
    assert "skaitlis slēpts: 2019" in chart.alt and "skaitlis slēpts: 2018" in chart.alt
    assert "x" in set(chart.data["Pakalpojumus saņēma"])
    hidden = achievement_table().assign(achieved=["x", 91, "<5"], rate=[None, 0.26, None])
    english = charts.achievement_chart(hidden, "en", as_of=AS_OF)
    assert "FT — x of 288 children, share not computable" in english.alt
    assert "“x”: a count hidden" in english.caption


def test_persons_by_year_for_one_service():
    chart = charts.persons_by_year_chart(persons_by_year_table(), "en", service="care")
    assert chart.title.endswith("— care")
    assert set(chart.data["Persons served"]) <= {"0", "not submitted"}


def test_services_puts_the_total_first_and_ranks_the_alt_text():
    chart = BUILDERS["services"]("lv")
    assert list(chart.data["Pakalpojums"])[0] == "Kopā (personas, katra skaitīta vienu reizi)"
    assert list(chart.data["Personas"]) == ["240", "159", "39", "52", "<5"]
    assert "saņēmuši 240 bērni ar FT" in chart.alt
    assert (
        chart.alt.index("sociālā rehabilitācija (159)")
        < chart.alt.index("atelpas brīdis (52)")
        < chart.alt.index("aprūpe (39)")
    )


def test_milestones_write_status_and_slippage_beside_each_row():
    chart = BUILDERS["milestones"]("lv")
    text = all_text(chart)
    assert "✓ laikā" in text and "◷ ar nokavējumu +45 dienas" in text and "! nokavēts +120 dienas" in text
    assert "○ vēl nav termiņš" in text
    assert "izpildīts laikā — 1" in chart.alt and "nokavēts — 1" in chart.alt
    assert "Lielākais kavējums: PRI-1, pakalpojuma uzsākšana — 120 dienas" in chart.alt
    assert list(chart.data["Novirze, dienas"]) == ["0", "+45", "+120", "—"]
    assert list(chart.data["Faktiskais datums"])[1] == "2020. gada 30. septembris"
    one = charts.milestones_chart(milestones_table().iloc[[1]], "lv")
    assert [t.get_text() for t in one.figure.axes[0].get_xticklabels()] == ["2020", "2021"]


def test_finance_labels_every_bar_with_its_kind():
    chart = BUILDERS["finance"]("en")
    text = all_text(chart)
    for word in ("planned: ", "contracted: ", "paid: "):
        assert text.count(word) == 5  # five funds
    assert "absorption 80%" in text  # 5 257 436 / 6 600 000
    assert "EUR\u00a06,600,000 planned" in chart.alt
    assert set(chart.data["Fund"]) == {
        "European Social Fund",
        "state budget",
        "European Regional Development Fund",
        "municipal budget",
    }


def test_small_multiples_draw_one_panel_per_municipality_on_one_scale():
    chart = BUILDERS["small_multiples"]("lv")
    panels = [ax for ax in chart.figure.axes if ax.get_visible()]
    assert len(panels) == 20
    assert len({ax.get_ylim() for ax in panels}) == 1
    titles = sorted(ax.get_title("left") for ax in panels)
    assert titles == sorted(MUNICIPALITIES["name_short"])
    rucava = next(ax for ax in panels if ax.get_title("left") == "Rucava")
    assert "nav iesniegts" in [t.get_text() for t in rucava.texts]
    assert "Rucava 2023" in chart.alt
    ft = all_municipalities_table().query("target_group == 'FT' and service == 'any'")
    ft = ft[ft["persons_served"].map(lambda v: isinstance(v, int))]
    top = max(ft["persons_served"])
    names = MUNICIPALITIES.set_index("atvk_code")["name_short"]
    leaders = {f"{names[r.scope]} {r.year}. gadā ({top})" for r in ft[ft["persons_served"] == top].itertuples()}
    assert any(f"Bērni ar FT: visvairāk {leader}" in chart.alt for leader in leaders)
    assert len(chart.data) == 20 * 7


def test_small_multiples_of_one_group_use_labelled_bars():
    chart = BUILDERS["small_multiples_GRT"]("en")
    assert "Persons with GRT" in chart.title
    assert list(chart.data.columns) == ["Municipality", "Year", "Persons with GRT"]


def test_tile_map_places_every_municipality_and_labels_it():
    chart = BUILDERS["tile_map"]("lv")
    texts = [t.get_text() for t in visible_texts(chart.figure)]
    tiles = tiles_table()
    for name, label in zip(tiles["name_short"], tiles["label"]):
        assert name.replace(" ", "\n") in texts or name in texts
        assert label in texts
    best = tiles.sort_values("value", ascending=False).iloc[0]
    assert f"{best['name_short']} ({best['label']})" in chart.alt


def test_tile_map_refuses_unknown_codes_clearly():
    bad = tiles_table()
    bad.loc[0, "scope"] = "9999999"
    with pytest.raises(ChoiceError) as err:
        charts.tile_map_chart(bad, "lv", "t")
    assert "9999999" in str(err.value)


def test_tile_map_of_the_2021_structure_and_of_a_partial_list():
    tiles = pd.DataFrame(
        {
            "scope": ["LV-112", "LV-LPX"],
            "name_short": ["Dienvidkurzeme", "Liepāja"],
            "value": [10.0, 30.0],
            "label": ["10", "30"],
        }
    )
    chart = charts.tile_map_chart(tiles, "en", "2021", names=NAMES)
    text = all_text(chart)
    assert "Saldus" in text and "no data" in text  # a municipality without a row is still drawn, as such
    assert "No data:" in chart.alt


def test_tile_layouts_cover_the_municipalities_in_rough_geography():
    layout = charts.TILES_2017
    assert set(layout) == set(MUNICIPALITIES["atvk_code"])
    assert len(set(layout.values())) == len(layout)
    names = dict(zip(MUNICIPALITIES["name_short"], MUNICIPALITIES["atvk_code"]))
    col = {name: layout[code][0] for name, code in names.items()}
    row = {name: layout[code][1] for name, code in names.items()}
    assert row["Ventspils"] == row["Dundaga"] == 0 and col["Ventspils"] < col["Dundaga"] < col["Roja"]
    assert row["Rucava"] == max(row.values()) and row["Liepāja"] > row["Kuldīga"]
    assert col["Brocēni"] == max(col.values()) and col["Saldus"] > col["Kuldīga"]
    codes_2021 = pd.read_csv(paths.REFERENCE_DIR / "municipalities_2021.csv")["iso_code"]
    assert set(charts.TILES_2021) == set(codes_2021)


def test_timeline_orders_events_and_marks_plan_versions():
    shuffled = EVENTS.iloc[[2, 0, 3, 1]]
    chart = charts.timeline_chart(shuffled, "lv")
    assert list(chart.data["Datums"]) == [
        "2015. gads",
        "2017. gada 5. oktobris",
        "2020. gada 15. janvāris",
        "2021. gada 1. jūlijs",
    ]
    assert "4 notikumi no 2015. gada līdz 2021. gadam" in chart.alt
    assert "2017. gada 5. oktobris, 2020. gada 15. janvāris" in chart.alt
    bold = [t.get_text() for t in visible_texts(chart.figure) if t.get_fontweight() == "bold"]
    assert "Apstiprina DI plānu" in bold


# --- refusals ------------------------------------------------------------------------------------------


def test_charts_of_one_scope_refuse_two():
    two = pd.concat([persons_by_year_table(), persons_by_year_table("0170000")])
    with pytest.raises(ChoiceError) as err:
        charts.persons_by_year_chart(two, "lv")
    assert "0170000" in str(err.value)
    with pytest.raises(ChoiceError):
        charts.finance_chart(pd.concat([finance_table(), finance_table().assign(scope="0170000")]), "lv")


@pytest.mark.parametrize(
    "call",
    [
        lambda: charts.achievement_chart(achievement_table(), "de"),
        lambda: charts.services_chart(persons_cumulative_table(), "VSAC", "lv"),
        lambda: charts.persons_by_year_chart(persons_by_year_table(), "lv", service="teleport"),
        lambda: charts.small_multiples_chart(all_municipalities_table(), "lv", "XX"),
        lambda: charts.milestones_chart(milestones_table().assign(status="lost"), "lv"),
    ],
)
def test_wrong_choices_are_choice_errors(call):
    with pytest.raises(ChoiceError):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: charts.achievement_chart(achievement_table().iloc[0:0], "lv"),
        lambda: charts.persons_by_year_chart(persons_by_year_table().drop(columns="year"), "lv"),
        lambda: charts.timeline_chart(EVENTS.iloc[0:0], "lv"),
        lambda: charts.services_chart(persons_cumulative_table().iloc[0:0], "FT", "lv"),
    ],
)
def test_empty_or_malformed_tables_are_errors(call):
    with pytest.raises(DiEvalError):
        call()


# --- the real sample -------------------------------------------------------------------------------------


def _published(value):
    if pd.isna(value):
        return None
    value = int(value)
    return "<5" if 1 <= value <= 4 else value  # primary suppression only: enough for drawing


@pytest.fixture(scope="module")
def sample_tables():
    """The sample aggregated the simple way, in the evaluation's shapes."""
    uptake = pd.read_csv(paths.SAMPLE_DIR / "service_uptake.csv", dtype={"atvk_code": str}).rename(
        columns={"atvk_code": "scope"}
    )
    region = uptake.groupby(["year", "target_group", "service"], as_index=False)[["persons_served", "persons_new"]].sum(
        min_count=1
    )
    by_year = pd.concat([uptake, region.assign(scope="region")], ignore_index=True)
    upto = by_year[by_year["year"] <= AS_OF.year]
    cumulative = upto.groupby(["scope", "target_group", "service"], as_index=False)["persons_new"].sum(min_count=1)
    cumulative = cumulative.rename(columns={"persons_new": "persons"})
    raw_region = cumulative[(cumulative["scope"] == "region") & (cumulative["service"] == "any")].set_index(
        "target_group"
    )["persons"]
    for column in ("persons_served", "persons_new"):
        by_year[column] = by_year[column].map(_published).astype(object)
    cumulative["persons"] = cumulative["persons"].map(_published).astype(object)
    transitions = pd.read_csv(paths.SAMPLE_DIR / "transitions.csv")
    moved = int(
        transitions[(transitions["transition"] == "vsac_to_municipality") & (transitions["year"] <= 2020)][
            "persons"
        ].sum()
    )
    achieved = {"FT": int(raw_region["FT"]), "GRT": int(raw_region["GRT"]), "VSAC": moved}
    targets = pd.read_csv(paths.REFERENCE_DIR / "targets.csv", dtype=str)
    targets = targets[targets["plan_version"] == "2020-01-15"].set_index("target")["value"].astype(int)
    achievement = pd.DataFrame(
        [
            {
                "scope": "region",
                "target": t,
                "plan_version": "2020-01-15",
                "target_value": int(targets[t]),
                "achieved": achieved[t],
                "rate": achieved[t] / int(targets[t]),
                "expected_rate": EXPECTED,
                "status": "on_track",
            }
            for t in ("FT", "GRT", "VSAC")
        ]
    )
    milestones = pd.read_csv(
        paths.SAMPLE_DIR / "infrastructure_milestones.csv", parse_dates=["planned_date", "actual_date"]
    )
    done = milestones["actual_date"] <= AS_OF
    milestones["slippage_days"] = (milestones["actual_date"] - milestones["planned_date"]).dt.days.where(done)
    overdue = ~done & (milestones["planned_date"] < AS_OF)
    milestones.loc[overdue, "slippage_days"] = (AS_OF - milestones.loc[overdue, "planned_date"]).dt.days
    milestones["status"] = "not_due"
    milestones.loc[done, "status"] = [
        "done_late" if s > 0 else "done_on_time" for s in milestones.loc[done, "slippage_days"]
    ]
    milestones.loc[overdue, "status"] = "overdue"
    milestones.loc[~done, "actual_date"] = pd.NaT
    milestones["scope"] = "region"
    finance = pd.read_csv(paths.SAMPLE_DIR / "finance.csv")
    finance = (
        finance[finance["year"] <= AS_OF.year]
        .groupby(["programme", "fund"], as_index=False)[["planned_eur", "contracted_eur", "paid_eur"]]
        .sum()
    )
    finance["scope"] = "region"
    finance["absorption_rate"] = finance["paid_eur"] / finance["planned_eur"]
    municipal = cumulative[
        (cumulative["scope"] != "region")
        & (cumulative["service"] == "any")
        & (cumulative["target_group"].isin(["FT", "GRT"]))
    ]
    totals = municipal.groupby("scope")["persons"].agg(lambda s: sum(x for x in s if isinstance(x, int)))
    names = MUNICIPALITIES.set_index("atvk_code")["name_short"]
    tiles = pd.DataFrame(
        {
            "scope": totals.index,
            "name_short": names[totals.index].values,
            "value": totals.values.astype(float),
            "label": [str(x) for x in totals.values],
        }
    )
    events = pd.read_csv(paths.REFERENCE_DIR / "events.csv")
    return {
        "by_year": by_year,
        "cumulative": cumulative,
        "achievement": achievement,
        "milestones": milestones,
        "finance": finance,
        "tiles": tiles,
        "events": events,
        "region_any": uptake[uptake["service"] == "any"].groupby(["year", "target_group"])["persons_served"].sum(),
    }


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_every_chart_renders_from_the_sample(sample_tables, lang):
    t = sample_tables
    started = time.perf_counter()
    made = {
        "achievement": charts.achievement_chart(t["achievement"], lang, as_of=AS_OF),
        "persons_region": charts.persons_by_year_chart(t["by_year"][t["by_year"]["scope"] == "region"], lang),
        "persons_municipality": charts.persons_by_year_chart(t["by_year"][t["by_year"]["scope"] == "0624200"], lang),
        "services_FT": charts.services_chart(t["cumulative"][t["cumulative"]["scope"] == "region"], "FT", lang),
        "services_GRT": charts.services_chart(t["cumulative"][t["cumulative"]["scope"] == "0620200"], "GRT", lang),
        "milestones": charts.milestones_chart(t["milestones"], lang, as_of=AS_OF),
        "finance": charts.finance_chart(t["finance"], lang, as_of=AS_OF),
        "small_multiples": charts.small_multiples_chart(t["by_year"], lang),
        "tile_map": charts.tile_map_chart(t["tiles"], lang, terms.tile_map_title(lang)),
        "timeline": charts.timeline_chart(t["events"], lang),
    }
    sizes = {name: len(chart.png_bytes()) for name, chart in made.items()}
    elapsed = time.perf_counter() - started
    assert max(sizes.values()) < 60_000, sizes
    assert elapsed < 30, f"{elapsed:.1f} s"
    # the region's persons in 2019 are the sample's published figures (FT 206, GRT 57)
    region = made["persons_region"].data
    group = terms.column_label("target_group", lang)
    year = terms.column_label("year", lang)
    served = terms.column_label("persons_served", lang)
    for target_group in ("FT", "GRT"):
        row = region[(region[year] == "2019") & (region[group] == charts.base._group_name(target_group, lang))]
        assert row[served].iloc[0] == fmt.format_number(int(t["region_any"][(2019, target_group)]), lang)
    assert "nav iesniegts" in all_text(made["persons_municipality"]) or "not submitted" in all_text(
        made["persons_municipality"]
    )
    assert len(made["timeline"].data) == len(t["events"])
    assert "91" in made["achievement"].alt  # the published GRT figure to the end of 2020


# --- names come from the evaluation, never from module constants ----------------------------------------


def test_charts_of_another_region_use_that_evaluations_names():
    # a scope of the national-scale sample: its code is not a Kurzeme code, its region not Kurzeme
    names = pd.DataFrame(
        {
            "scope": ["region", "9116000", "9117000"],
            "name": ["Sintētiskā datu kopa: visas pašvaldības", "Sintētiskais novads 117", "Sintētiskais novads 118"],
            "name_short": ["Sintētiskā", "Sintētiskais 117", "Sintētiskais 118"],
        }
    )
    for lang in ("lv", "en"):
        chart = charts.persons_by_year_chart(persons_by_year_table("9116000"), lang, names=names)
        assert "Sintētiskais novads 117" in chart.caption and "9116000" not in chart.caption + chart.alt
        region = charts.persons_by_year_chart(persons_by_year_table("region"), lang, names=names)
        assert "Sintētiskā datu kopa: visas pašvaldības" in region.caption
        assert "Kurzem" not in region.caption + region.alt
        both = pd.concat([persons_by_year_table("9116000"), persons_by_year_table("9117000")])
        multiples = charts.small_multiples_chart(both, lang, "FT", names=names)
        titles = sorted(ax.get_title("left") for ax in multiples.figure.axes if ax.get_visible())
        assert titles == ["Sintētiskais 117", "Sintētiskais 118"]
    # the plan's own region keeps its name in each language
    kurzeme = charts.persons_by_year_chart(persons_by_year_table("region"), "en", names=NAMES)
    assert kurzeme.caption.startswith("Kurzeme Planning Region:")


def test_a_chart_without_names_shows_codes_rather_than_guessing():
    chart = charts.persons_by_year_chart(persons_by_year_table("9116000"), "lv")
    assert chart.caption.startswith("9116000:")


# --- hidden values and milestones tell the truth (issue: charts that tell the truth when values are hidden) -----


def test_a_hidden_small_count_never_reaches_across_the_axis():
    from di_eval.report.charts.base import _value_top

    # all others zero: "<5" is drawn up to 5, the axis reaches at least 20, so the bar spans a quarter at most
    assert _value_top([0, "<5", 0], 1.15) >= 20
    # known larger counts set the scale as before
    assert _value_top([100, "<5"], 1.2) == pytest.approx(120)


def test_a_late_milestone_is_not_ticked_and_an_early_one_is_early():
    from di_eval.text import terms

    assert terms.MILESTONE_SYMBOLS["done_late"] != "✓"
    assert terms.milestone_status("done_on_time", -30) == "done_early"
    assert terms.milestone_status_label("done_early", "lv") == "✓ izpildīts agrāk"
    assert terms.milestone_status("done_on_time", 0) == "done_on_time"


def test_the_services_alt_text_never_puts_a_zero_before_a_hidden_count():
    from di_eval.report.charts.persons import _services_alt

    services = ["any", "social_rehabilitation", "care", "day_care", "group_apartment"]
    values = {"any": 20, "social_rehabilitation": 12, "care": "<5", "day_care": "x", "group_apartment": 0}
    alt = _services_alt("GRT", values, services, "lv")
    assert "sākot ar lielāko" not in alt  # hidden values could change the order
    assert alt.index("sociālā rehabilitācija") < alt.index("aprūpe (mazāk nekā 5)") < alt.index("grupu dzīvoklis (0)")
    assert "to secība nav zināma" in alt


def test_an_alt_text_never_calls_a_peak_the_largest_when_a_hidden_value_could_be_larger():
    from di_eval.report.charts.persons import _year_summary

    hidden = _year_summary("FT", {2018: 3, 2019: "x", 2020: "x", 2021: 9, 2022: 4}, "lv")
    assert "visvairāk" not in hidden and "lielākais publicētais skaitlis 2021. gadā (9)" in hidden
    # "<5" cannot exceed a known 9: the peak is the largest
    known = _year_summary("FT", {2018: 3, 2019: "<5", 2021: 9, 2022: 4}, "lv")
    assert "visvairāk 2021. gadā (9)" in known


def test_small_multiples_are_drawn_by_seaborn_and_never_bridge_a_gap():
    # Saldus: FT hidden ("x") in 2019, nothing submitted in 2021; the line stops at each gap
    rows = pd.concat(
        [
            persons_by_year_table(
                "0840200", {"FT": [10, 12, "x", 14, None, 16, 18], "GRT": [5, 6, 7, 8, None, 10, 11]}
            ),
            persons_by_year_table("0840601", {"FT": [1, 2, 3, 4, 5, 6, 7], "GRT": [0, 0, 0, 0, 0, 0, 0]}),
        ]
    )
    chart = charts.small_multiples_chart(rows, "lv", names=None)
    saldus = next(ax for ax in chart.figure.axes if ax.get_visible() and ax.get_title("left") == "0840200")
    ft_colour = matplotlib.colors.to_rgba(p.GROUP_COLOURS["FT"])
    ft_lines = [
        ln for ln in saldus.lines if matplotlib.colors.to_rgba(ln.get_color()) == ft_colour and len(ln.get_xdata())
    ]
    spans = sorted((min(ln.get_xdata()), max(ln.get_xdata())) for ln in ft_lines)
    assert spans == [(2017, 2018), (2020, 2020), (2022, 2023)]  # nothing drawn across 2019 or 2021
    texts = [t.get_text() for t in saldus.texts]
    assert "x" in texts and "nav iesniegts" in texts  # marked as in every other chart
    assert chart.figure.legends and len(chart.figure.legends) == 1  # the report's own key, not seaborn's
    import sys

    assert "seaborn.objects" in sys.modules


def test_a_year_missing_for_one_group_is_labelled_in_its_colour_and_never_bridged():
    # Saldus: GRT not submitted for 2020 while FT was; Brocēni: nothing submitted for 2021
    rows = pd.concat(
        [
            persons_by_year_table("0840200", {"FT": [10, 12, 13, 14, 15, 16, 18], "GRT": [5, 6, 7, None, 9, 10, 11]}),
            persons_by_year_table("0840601", {"FT": [1, 2, 3, 4, None, 6, 7], "GRT": [6, 6, 6, 6, None, 6, 6]}),
        ]
    )
    for lang, words in (("lv", "nav iesniegts"), ("en", "not submitted")):
        chart = charts.small_multiples_chart(rows, lang, names=None)
        panels = {ax.get_title("left"): ax for ax in chart.figure.axes if ax.get_visible()}
        saldus = [t for t in panels["0840200"].texts if t.get_text() == words]
        assert len(saldus) == 1  # the gap is labelled, at 2020, in GRT's colour (not the muted "none")
        assert saldus[0].xy[0] == 2020
        grt = matplotlib.colors.to_rgba(p.GROUP_COLOURS["GRT"])
        assert matplotlib.colors.to_rgba(saldus[0].get_color()) == grt
        broceni = [t for t in panels["0840601"].texts if t.get_text() == words]
        assert [t.xy[0] for t in broceni] == [2021]  # the whole year: one muted label
        assert matplotlib.colors.to_rgba(broceni[0].get_color()) == matplotlib.colors.to_rgba(p.MUTED_TEXT)
        grt_lines = [
            ln
            for ln in panels["0840200"].lines
            if matplotlib.colors.to_rgba(ln.get_color()) == grt and len(ln.get_xdata())
        ]
        spans = sorted((min(ln.get_xdata()), max(ln.get_xdata())) for ln in grt_lines)
        assert spans == [(2017, 2019), (2021, 2023)]  # never drawn across 2020
    assert "0840200 2020 (persons with GRT)" in chart.alt and "0840601 2021" in chart.alt
    assert "not submitted" in chart.caption


def test_small_multiples_of_rounded_counts_say_so():
    from di_eval.report.rounded import Rounded

    rows = persons_by_year_table("0840200", {"FT": [Rounded(10), 12, "x", 14, None, 16, Rounded(20)]})
    chart = charts.small_multiples_chart(rows, "lv", "FT")
    assert "≈10" in set(chart.data.iloc[:, 2]) and "noapaļoti līdz tuvākajam 5" in chart.caption
    assert "(apmēram 20)" in chart.alt


def test_the_tile_map_caption_says_what_colours_a_tile_with_a_hidden_figure():
    tiles = tiles_table()
    assert "slēpts" not in charts.tile_map_chart(tiles, "lv", "t").caption
    tiles.loc[0, "label"] = "FT <5 / GRT 12"
    caption = charts.tile_map_chart(tiles, "lv", "t").caption
    assert "laukuma krāsu nosaka tikai publicētais skaitlis (slēptais netiek pieskaitīts)" in caption
    english = charts.tile_map_chart(tiles, "en", "t").caption
    assert "the tile is coloured by the published figure alone" in english


def test_the_achievement_caption_names_its_target_groups_in_correct_latvian():
    caption = charts.achievement_chart(achievement_table(), "lv", as_of=AS_OF).caption
    assert "(bērni ar FT, personas ar GRT un VSAC „Kurzeme“ iemītnieki)" in caption
    assert "progress, kas sagaidāms, ņemot vērā pagājušo laiku" in caption and "pēc laika, kas pagājis" not in caption
