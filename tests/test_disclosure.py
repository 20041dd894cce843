"""Disclosure control: small counts hidden, nothing recoverable, checked by an independent solver."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from di_eval.analysis import indicators as ind
from di_eval.analysis.disclosure import (
    NOT_REPORTED,
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    Cube,
    DisclosureRule,
    ProtectedCube,
    as_number,
    audit,
    protect,
)
from di_eval.errors import ChoiceError, DiEvalError


def cube_of(values, equalities=(), inequalities=(), preference=None) -> Cube:
    """A cube from plain lists: equalities as (total, [parts]), inequalities as ([low], [high])."""
    cells = pd.DataFrame({"name": [f"c{i}" for i in range(len(values))], "value": pd.array(values, dtype="Int64")})
    cells["preference"] = preference if preference is not None else 0
    eq = [(r, total, "total") for r, (total, _) in enumerate(equalities)]
    eq += [(r, part, "part") for r, (_, parts) in enumerate(equalities) for part in parts]
    ineq = [(r, c, "low", "test") for r, (low, _) in enumerate(inequalities) for c in low]
    ineq += [(r, c, "high", "test") for r, (_, high) in enumerate(inequalities) for c in high]
    return Cube(
        cells,
        pd.DataFrame(eq, columns=["relation", "cell", "role"]),
        pd.DataFrame(ineq, columns=["relation", "cell", "side", "kind"]),
    )


def published_as(cube: Cube, statuses: list[str], threshold: int = 5) -> ProtectedCube:
    return ProtectedCube(cube, DisclosureRule(threshold), np.array(statuses, dtype=object))


# --- the rule -------------------------------------------------------------------------------------


def test_the_rule_in_words_names_the_threshold_and_the_markers():
    rule = DisclosureRule(5)
    assert rule.primary_marker == "<5" and rule.secondary_marker == "x"
    lv, en = rule.text("lv"), rule.text("en")
    assert "1 līdz 4" in lv and "„<5“" in lv and "„x“" in lv and "nulle tiek rādīta" in lv
    assert "1 to 4" in en and "“<5”" in en and "“x”" in en
    assert "from 1 to 2" in DisclosureRule(3).text("en")
    with pytest.raises(ChoiceError):
        rule.text("de")


@pytest.mark.parametrize("threshold", [0, -1, 2.5, "5", True])
def test_a_threshold_must_be_a_whole_number_of_at_least_one(threshold):
    with pytest.raises(ChoiceError):
        DisclosureRule(threshold)


def test_as_number_turns_markers_and_blanks_into_nan():
    numbers = as_number(pd.Series([12, "<5", "x", None, 0], dtype=object))
    assert numbers.iloc[0] == 12 and numbers.iloc[4] == 0
    assert numbers.iloc[1:4].isna().all()


# --- primary and secondary suppression ------------------------------------------------------------


def test_small_counts_are_hidden_zero_and_larger_ones_shown():
    protected = protect(cube_of([0, 1, 4, 5, 12, None]), 5)
    assert protected.status.tolist() == [PUBLISHED, PRIMARY, PRIMARY, PUBLISHED, PUBLISHED, NOT_REPORTED]
    assert protected.cells["published"].tolist() == [0, "<5", "<5", 5, 12, None]


def test_the_threshold_is_configurable():
    protected = protect(cube_of([1, 2, 3, 0]), 3)
    assert protected.cells["published"].tolist() == ["<3", "<3", 3, 0]


def test_a_total_minus_the_other_parts_does_not_reveal_a_hidden_part():
    # region 20 = 2 + 8 + 10: hiding only the 2 would let a reader subtract
    cube = cube_of([20, 2, 8, 10], equalities=[(0, [1, 2, 3])])
    exposed = audit(published_as(cube, [PUBLISHED, PRIMARY, PUBLISHED, PUBLISHED]))
    assert not exposed.ok and exposed.findings[0].kind == "linear" and exposed.findings[0].key == {"name": "c1"}
    protected = protect(cube, 5)
    # the smallest other part goes too; the total stays
    assert protected.cells["published"].tolist() == [20, "<5", "x", 10]
    assert audit(protected).ok


def test_four_ones_under_a_small_total_are_not_shown_as_small():
    # total 4 = 1 + 1 + 1 + 1 + 0: with every part at least 1, "<5" on the total would pin them all
    cube = cube_of([4, 1, 1, 1, 1, 0], equalities=[(0, [1, 2, 3, 4, 5])])
    naive = audit(published_as(cube, [PRIMARY] * 5 + [PUBLISHED]))
    assert not naive.ok and {f.kind for f in naive.findings} == {"bounds"}
    assert len(naive.findings) == 5
    protected = protect(cube, 5)
    assert protected.cells["published"].tolist() == ["x", "<5", "<5", "<5", "<5", 0]
    assert audit(protected).ok


def test_a_chain_of_unique_person_relations_is_followed():
    # 'any' = 8 persons, two services each "<5": each must then be 4 (any <= sum of services)
    cube = cube_of([8, 4, 4], inequalities=[([0], [1, 2]), ([1], [0]), ([2], [0])])
    naive = audit(published_as(cube, [PUBLISHED, PRIMARY, PRIMARY]))
    assert sorted(f.kind for f in naive.findings) == ["chained", "chained"]
    protected = protect(cube, 5)
    assert audit(protected).ok
    assert (protected.status != PUBLISHED).sum() >= 2


def test_the_cumulative_minus_the_other_years_does_not_reveal_a_year():
    # cumulative 9 = 3 + 6 (years); the region relation links the years of two municipalities
    values = [9, 3, 6, 5, 1, 4, 4, 2, 2]  # region cum, region y1, y2, A cum, A y1, A y2, B cum, B y1, B y2
    equalities = [(0, [1, 2]), (3, [4, 5]), (6, [7, 8]), (0, [3, 6]), (1, [4, 7]), (2, [5, 8])]
    protected = protect(cube_of(values, equalities, preference=[5, 4, 4, 1, 0, 0, 1, 0, 0]), 5)
    result = audit(protected)
    assert result.ok, [str(f) for f in result.findings]
    assert protected.status[0] == PUBLISHED  # the region's cumulative is kept where possible


def test_a_count_left_visible_below_the_threshold_is_a_finding():
    result = audit(published_as(cube_of([3, 0]), [PUBLISHED, PUBLISHED]))
    assert [f.kind for f in result.findings] == ["shown"]


def test_the_audit_refuses_a_cube_that_hides_a_zero():
    with pytest.raises(DiEvalError):
        audit(published_as(cube_of([0, 7]), [SECONDARY, PUBLISHED]))


def test_protection_is_deterministic():
    cube = cube_of([20, 2, 8, 10, 3], equalities=[(0, [1, 2, 3, 4])])
    assert protect(cube, 5).status.tolist() == protect(cube, 5).status.tolist()


# --- random tables --------------------------------------------------------------------------------

SERVICES = ("social_rehabilitation", "care")
CODES = ("0100001", "0100002", "0100003", "0100004")
SUCCESSORS = {"0100001": "LV-901", "0100002": "LV-901", "0100003": "LV-901", "0100004": "LV-902"}


@st.composite
def small_tables(draw):
    """Consistent counts from a few simulated persons (aggregates only), over 2-3 years."""
    years = list(range(2017, 2017 + draw(st.integers(2, 3))))
    persons = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CODES),
                st.integers(0, len(years) - 1),  # first year
                st.integers(0, 2),  # further years
                st.sampled_from([(True, False), (False, True), (True, True)]),  # services used
            ),
            min_size=1,
            max_size=14,
        )
    )
    rows = []
    for year_index, year in enumerate(years):
        for code in CODES:
            mine = [p for p in persons if p[0] == code]
            active = [p for p in mine if p[1] <= year_index <= p[1] + p[2]]
            starting = [p for p in mine if p[1] == year_index]
            for s, service in enumerate(SERVICES):
                served = sum(p[3][s] for p in active)
                new = sum(p[3][s] for p in starting)
                rows.append((year, code, "FT", service, served, new))
            rows.append((year, code, "FT", "any", len(active), len(starting)))
    uptake = pd.DataFrame(
        rows, columns=["year", "atvk_code", "target_group", "service", "persons_served", "persons_new"]
    )
    moves = draw(st.lists(st.integers(0, 6), min_size=len(years) * len(CODES), max_size=len(years) * len(CODES)))
    transitions = pd.DataFrame(
        [(y, c, "vsac_to_municipality", m) for (y, c), m in zip([(y, c) for y in years for c in CODES], moves)],
        columns=["year", "atvk_code", "transition", "persons"],
    )
    needs = pd.DataFrame(columns=["year", "atvk_code", "target_group", "assessments", "support_plans"])
    for frame, columns in ((uptake, ["year", "persons_served", "persons_new"]), (transitions, ["year", "persons"])):
        for column in columns:
            frame[column] = frame[column].astype("Int64")
    needs = needs.astype({"year": "Int64", "assessments": "Int64", "support_plans": "Int64"})
    return ind.person_cube(uptake, transitions, needs, SUCCESSORS, years)


class ExactReader:
    """An independent reader: scipy's MILP over the same relations, in whole numbers."""

    def __init__(self, protected: ProtectedCube, joint: bool):
        cube = protected.cube
        values = cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
        hidden = protected.hidden
        self.index = {c: i for i, c in enumerate(np.flatnonzero(hidden))}
        rows, lower, upper = [], [], []
        relations = [(cube.equalities, "role", "total", True)]
        if joint:
            relations.append((cube.inequalities, "side", "low", False))
        for frame, column, positive, equal in relations:
            for _, group in frame.groupby("relation"):
                coefficients = np.zeros(len(self.index))
                constant = 0.0
                for c, role in zip(group["cell"], group[column]):
                    sign = 1.0 if role == positive else -1.0
                    if np.isnan(values[c]):
                        continue
                    if hidden[c]:
                        coefficients[self.index[c]] += sign
                    else:
                        constant += sign * values[c]
                if coefficients.any():
                    rows.append(coefficients)
                    lower.append(-constant if equal else -np.inf)
                    upper.append(-constant)
        small = protected.status[np.flatnonzero(hidden)] == PRIMARY
        self.bounds = Bounds(np.ones(len(self.index)), np.where(small, protected.rule.threshold - 1, 10_000.0))
        self.constraints = [LinearConstraint(np.array(rows), lower, upper)] if rows else []

    def range_of(self, cell: int) -> tuple[float, float]:
        """Smallest and largest whole number the hidden ``cell`` can take."""
        found = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(self.index))
            objective[self.index[cell]] = sign
            result = milp(objective, constraints=self.constraints, bounds=self.bounds, integrality=1)
            assert result.status == 0
            found.append(result.x[self.index[cell]])
        return found[0], found[1]


def some_hidden(protected: ProtectedCube, how_many: int = 12) -> np.ndarray:
    """Up to ``how_many`` hidden cells spread over the cube (every one when there are few)."""
    hidden = np.flatnonzero(protected.hidden)
    return hidden[np.linspace(0, len(hidden) - 1, min(how_many, len(hidden))).astype(int)] if len(hidden) else hidden


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables(), st.sampled_from([3, 5]))
def test_random_tables_protected_then_audited(cube, threshold):
    protected = protect(cube, threshold)
    result = audit(protected)
    assert result.ok, [str(f) for f in result.findings]
    values = cube.cells["value"].to_numpy(dtype=float, na_value=np.nan)
    assert not (protected.hidden & (values == 0)).any()
    assert (protected.hidden | ~((values >= 1) & (values < threshold))).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables())
def test_no_hidden_count_has_a_single_possible_whole_value(cube):
    """Sums, markers and whole numbers solved exactly by another solver: never one value left."""
    protected = protect(cube, 5)
    reader = ExactReader(protected, joint=False)
    for cell in some_hidden(protected):
        low, high = reader.range_of(int(cell))
        assert high - low >= 1 - 1e-6, (cube.cells.iloc[cell].to_dict(), low, high)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables())
def test_joint_protection_withstands_the_exact_joint_reader(cube):
    protected = protect(cube, 5, joint=True)
    assert audit(protected, joint=True).ok
    reader = ExactReader(protected, joint=True)
    for cell in some_hidden(protected):
        low, high = reader.range_of(int(cell))
        assert high - low >= 1 - 1e-6, (cube.cells.iloc[cell].to_dict(), low, high)


def test_a_sum_with_one_hidden_part_gets_a_second_hidden_cell():
    """The heuristic's first step: total = a + b + c with only a hidden gives a away, so the
    cheapest other eligible cell (least preferred, then smallest) is hidden too; a zero never."""
    import numpy as np

    from di_eval.analysis import disclosure as d

    # row 0: t - a - b - c - z == 0 (cells 0 = t, 1 = a, 2 = b, 3 = c, 4 = z, a zero)
    c = d._Constraints(
        row=np.zeros(5, np.int64),
        cell=np.arange(5, dtype=np.int64),
        coef=np.array([1.0, -1, -1, -1, -1]),
        equal=np.array([True]),
        total_part=np.array([True, False, False, False, False]),
    )
    values = np.array([20.0, 2, 9, 7, 0])
    state = d._State(
        values=values,
        preference=np.array([4, 0, 0, 0, 0]),
        eligible=values > 0,
        hidden=np.array([False, True, False, False, False]),
        small=np.array([False, True, False, False, False]),
    )
    d._secondary_on_equalities(c, state)
    assert state.hidden.tolist() == [False, True, False, True, False]  # c (7) before b (9); t last
    # with two hidden cells the sum tells neither: nothing more is hidden
    d._secondary_on_equalities(c, state)
    assert state.hidden.sum() == 2
