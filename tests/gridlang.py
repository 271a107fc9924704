"""A tiny mini-language for grids in tests: rows of cells, a cell is "text" or
("text", rowspan, colspan); positions are laid out like HTML tables (slots covered by
a span from above are skipped)."""
from __future__ import annotations

from extractor.model import Grid, GridCell, Where


def grid(rows, ragged=False) -> Grid:
    cells, taken = [], set()
    for r, row in enumerate(rows):
        c = 0
        for spec in row:
            text, rs, cs = (spec, 1, 1) if isinstance(spec, str) else spec
            while (r, c) in taken:
                c += 1
            for i in range(rs):
                for j in range(cs):
                    taken.add((r + i, c + j))
            cells.append(GridCell(r, c, text, rs, cs, Where(table=0, row=r, col=c)))
            c += cs
    return Grid(tuple(cells), Where(table=0), ragged=ragged)
