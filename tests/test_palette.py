"""The palette's contrast and colour-blindness promises, and the WCAG formula behind them.

What is checked, so that a reader knows what "accessible" means here:
- every mark colour (groups, statuses, series, the muted outline) >= 3:1 against the background;
- every text colour >= 4.5:1 against the background, and the text chosen on each tile fill >= 4.5:1;
- the WCAG formula against reference values (black/white 21:1, identical colours 1:1, ...);
- group and status colours: any two differ by >= 8 in CIE L* (tellable apart in greyscale) and
  by a CIE76 difference >= 20 both for typical vision and under simulated protanopia,
  deuteranopia and tritanopia (Machado et al. 2009, full severity);
- the other series colours stay >= 10 apart under every simulated vision.
"""

from __future__ import annotations

import itertools

import pytest

from di_eval.errors import ChoiceError
from di_eval.report import palette

MARK_COLOURS = {
    **{f"group {k}": v for k, v in palette.GROUP_COLOURS.items()},
    **{f"status {k}": v for k, v in palette.STATUS_COLOURS.items()},
    **{f"series {i}": v for i, v in enumerate(palette.SERIES)},
    "muted outline": palette.MUTED_TEXT,
}


@pytest.mark.parametrize("name", sorted(MARK_COLOURS))
def test_every_mark_colour_reaches_3_to_1_against_the_background(name):
    assert palette.contrast_ratio(MARK_COLOURS[name], palette.BACKGROUND) >= 3.0


@pytest.mark.parametrize("colour", [palette.TEXT, palette.MUTED_TEXT])
def test_text_colours_reach_4_5_to_1(colour):
    assert palette.contrast_ratio(colour, palette.BACKGROUND) >= 4.5


@pytest.mark.parametrize("fill", palette.SEQUENTIAL)
def test_text_on_every_tile_fill_reaches_4_5_to_1(fill):
    assert palette.contrast_ratio(palette.text_colour_on(fill), fill) >= 4.5


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("#000000", "#FFFFFF", 21.0),
        ("#FFFFFF", "#000000", 21.0),
        ("#777777", "#777777", 1.0),
        # reference values computed by hand from the WCAG 2.x definition
        ("#767676", "#FFFFFF", 4.54),
        ("#FF0000", "#FFFFFF", 4.0),
        ("#0000FF", "#FFFFFF", 8.59),
    ],
)
def test_contrast_ratio_matches_reference_values(first, second, expected):
    assert palette.contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


def test_relative_luminance_endpoints_and_channel_weights():
    assert palette.relative_luminance("#000000") == 0.0
    assert palette.relative_luminance("#FFFFFF") == pytest.approx(1.0)
    assert palette.relative_luminance("#00FF00") == pytest.approx(0.7152)
    assert palette.relative_luminance("00ff00") == pytest.approx(0.7152)


@pytest.mark.parametrize("bad", ["red", "#12345", "#GGGGGG", None])
def test_a_malformed_colour_is_a_choice_error(bad):
    with pytest.raises(ChoiceError):
        palette.contrast_ratio(bad, "#FFFFFF")


@pytest.mark.parametrize("colours", [palette.GROUP_COLOURS, palette.STATUS_COLOURS], ids=["groups", "statuses"])
def test_categorical_colours_differ_in_lightness_for_greyscale(colours):
    for (a, first), (b, second) in itertools.combinations(colours.items(), 2):
        gap = abs(palette.lightness(first) - palette.lightness(second))
        assert gap >= 8, f"{a} and {b} are only {gap:.1f} apart in L*"


@pytest.mark.parametrize("vision", palette.VISIONS, ids=lambda v: v or "typical")
@pytest.mark.parametrize("colours", [palette.GROUP_COLOURS, palette.STATUS_COLOURS], ids=["groups", "statuses"])
def test_categorical_colours_stay_apart_under_simulated_colour_blindness(colours, vision):
    for (a, first), (b, second) in itertools.combinations(colours.items(), 2):
        difference = palette.delta_e(first, second, vision)
        assert difference >= 20, f"{a} and {b}: delta E {difference:.1f} ({vision or 'typical'})"


@pytest.mark.parametrize("vision", palette.VISIONS, ids=lambda v: v or "typical")
def test_series_colours_stay_apart_under_simulated_colour_blindness(vision):
    for first, second in itertools.combinations(palette.SERIES, 2):
        assert palette.delta_e(first, second, vision) >= 10


def test_the_simulation_really_removes_red_green_differences():
    # a pure red and a green of similar lightness collapse for a deuteranope but not a typical viewer
    red, green = "#D00000", "#5A8A00"
    assert palette.delta_e(red, green) > 60
    assert palette.delta_e(red, green, "deuteranopia") < palette.delta_e(red, green) / 3


def test_simulation_leaves_white_and_black_alone():
    for vision in palette.VISIONS:
        assert palette.delta_e("#FFFFFF", "#FFFFFF", vision) == pytest.approx(0.0)
        assert palette.cielab("#000000", vision)[0] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ChoiceError):
        palette.simulate("#FFFFFF", "achromatopsia")


def test_status_and_group_have_a_marker_shape_each():
    assert set(palette.STATUS_MARKERS) == set(palette.STATUS_COLOURS)
    assert len(set(palette.STATUS_MARKERS.values())) == len(palette.STATUS_MARKERS)
    assert set(palette.GROUP_MARKERS) == set(palette.GROUP_COLOURS)
    assert len(set(palette.GROUP_MARKERS.values())) == len(palette.GROUP_MARKERS)


def test_sequential_scale_darkens_and_is_clipped():
    steps = [palette.lightness(c) for c in palette.SEQUENTIAL]
    assert steps == sorted(steps, reverse=True)
    assert palette.sequential_colour(-1) == palette.SEQUENTIAL[0]
    assert palette.sequential_colour(0) == palette.SEQUENTIAL[0]
    assert palette.sequential_colour(1) == palette.SEQUENTIAL[-1]
    assert palette.sequential_colour(7) == palette.SEQUENTIAL[-1]


def test_mark_styles_differ_by_more_than_colour():
    colour = palette.GROUP_COLOURS["FT"]
    actual = palette.mark_style("actual", colour)
    planned = palette.mark_style("planned", colour)
    suppressed = palette.mark_style("suppressed", colour)
    contracted = palette.mark_style("contracted", colour)
    assert actual["facecolor"] == colour and planned["facecolor"] == palette.BACKGROUND
    assert suppressed["hatch"] and contracted["hatch"] and suppressed["hatch"] != contracted["hatch"]
    with pytest.raises(ChoiceError):
        palette.mark_style("dotted", colour)
