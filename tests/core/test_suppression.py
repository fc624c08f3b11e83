"""Small-cell suppression: no published cell under 10, and no hidden cell that the published
totals pin down, checked by linear algebra independent of the algorithm's own graph test."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.core.suppression import THRESHOLD, suppress


def _rank(matrix):
    rows = [list(map(Fraction, r)) for r in matrix]
    rank, cols = 0, len(rows[0]) if rows else 0
    for col in range(cols):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][col] != 0:
                factor = rows[i][col] / rows[rank][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def determined_cells(table):
    """Hidden cells that the published totals fix exactly (e_k in the row space of the system)."""
    hidden = [cell for cell, v in table.cells.items() if v is None]
    equations = [[1 if cell[0] == r else 0 for cell in hidden] for r in table.rows]
    if table.col_totals is not None:
        equations += [[1 if cell[1] == c else 0 for cell in hidden] for c in table.cols]
    equations.append([1] * len(hidden))  # the grand total
    base = _rank(equations)
    fixed = []
    for k, cell in enumerate(hidden):
        unit = [1 if i == k else 0 for i in range(len(hidden))]
        if _rank([*equations, unit]) == base:
            fixed.append(cell)
    return fixed


small_counts = st.one_of(st.integers(0, 12), st.integers(0, 200))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(2, 6))
    values = {(r, c): draw(small_counts) for r in range(n_rows) for c in range(n_cols)}
    col_totals = n_rows >= 2 and draw(st.booleans())
    return values, list(range(n_rows)), list(range(n_cols)), col_totals


@settings(max_examples=300, deadline=None)
@given(tables())
def test_no_small_cell_is_shown_and_no_hidden_cell_can_be_worked_out(case):
    values, rows, cols, col_totals = case
    table = suppress(values, rows, cols, col_totals=col_totals)
    for cell, shown in table.cells.items():
        assert shown is None or shown == 0 or shown >= THRESHOLD
        assert shown is None or shown == values[cell]
        if 0 < values[cell] < THRESHOLD:
            assert shown is None
    assert determined_cells(table) == []
    # Totals are exact, so readers can trust them.
    assert table.total == sum(values.values())
    assert all(table.row_totals[r] == sum(values[(r, c)] for c in cols) for r in rows)


def test_a_single_small_cell_gets_a_complement_in_its_row_and_column():
    values = {("ICE", "Jan"): 3, ("ICE", "Feb"): 50, ("FBI", "Jan"): 40, ("FBI", "Feb"): 60}
    table = suppress(values, ["ICE", "FBI"], ["Jan", "Feb"])
    assert table.hidden == 4  # a 2x2 table: one small cell means every cell hides
    one_row = suppress({("all", "a"): 4, ("all", "b"): 30, ("all", "c"): 12}, ["all"], ["a", "b", "c"],
                       col_totals=False)
    assert one_row.cells == {("all", "a"): None, ("all", "b"): 30, ("all", "c"): None}
    assert one_row.total == 46


def test_a_table_of_single_cells_cannot_be_protected():
    with pytest.raises(ValueError):
        suppress({(0, 0): 3}, [0], [0])
