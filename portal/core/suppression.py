"""Small-cell suppression for published tables: cells under the threshold are hidden, and more
cells are hidden until no hidden cell can be worked out from the published totals.

A table's published totals (each row's, each column's if published, the grand total) are linear
equations over its cells. A hidden cell can be worked out exactly when it is a bridge in the
graph whose vertices are the constrained lines and whose edges are the hidden cells: only then
is there no cycle of hidden cells along which values could shift while every total stays the
same. Lines whose totals are not published are one free vertex (they constrain nothing). So the
rule here is: keep hiding the smallest further cell until no hidden cell is a bridge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

THRESHOLD = 10
FREE = ("free",)


@dataclass(frozen=True)
class Table:
    """A published table: cell values (None where hidden) and its exact totals."""

    rows: tuple
    cols: tuple
    cells: dict[tuple[Hashable, Hashable], int | None]
    row_totals: dict[Hashable, int]
    col_totals: dict[Hashable, int] | None  # None: not published (e.g. a one-row table)
    total: int

    @property
    def hidden(self) -> int:
        return sum(1 for v in self.cells.values() if v is None)


def _vertices(cell, col_totals_published: bool):
    row, col = cell
    return ("row", row), (("col", col) if col_totals_published else FREE)


def _bridges(hidden: set, col_totals_published: bool) -> list:
    """Hidden cells that no cycle of hidden cells passes through (each one can be worked out)."""
    edges = [(cell, *_vertices(cell, col_totals_published)) for cell in hidden]
    bridges = []
    for cell, a, b in edges:
        graph = defaultdict(list)
        for other, x, y in edges:
            if other != cell:
                graph[x].append(y)
                graph[y].append(x)
        seen, stack = {a}, [a]
        while stack:
            for nxt in graph[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        if b not in seen:
            bridges.append(cell)
    return sorted(bridges, key=repr)


def suppress(values: dict[tuple[Hashable, Hashable], int], rows: Sequence, cols: Sequence,
             col_totals: bool = True, threshold: int = THRESHOLD) -> Table:
    """Hide cells 1..threshold-1, then complementary cells, smallest first, until no hidden cell
    is determined by the totals. Zero cells are published: an absence reveals no one."""
    cells = {(r, c): int(values.get((r, c), 0)) for r in rows for c in cols}
    hidden = {cell for cell, v in cells.items() if 0 < v < threshold}
    while hidden:
        bridges = _bridges(hidden, col_totals)
        if not bridges:
            break
        row, col = bridges[0]
        # Prefer a cell in the same line (it can close a cycle), positive values before zeros.
        near = [c for c in cells if c not in hidden and (c[0] == row or (col_totals and c[1] == col))]
        pool = near or [c for c in cells if c not in hidden]
        if not pool:  # only a table whose every line is one cell long: its totals are its cells
            raise ValueError("this table cannot be protected by hiding cells; publish fewer totals")
        hidden.add(min(pool, key=lambda c: (cells[c] == 0, cells[c], repr(c))))
    return Table(
        rows=tuple(rows), cols=tuple(cols),
        cells={cell: (None if cell in hidden else v) for cell, v in cells.items()},
        row_totals={r: sum(cells[(r, c)] for c in cols) for r in rows},
        col_totals={c: sum(cells[(r, c)] for r in rows) for c in cols} if col_totals else None,
        total=sum(cells.values()),
    )
