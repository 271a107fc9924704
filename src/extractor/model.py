"""Plain data passed between the stages: the reader's `Document` and the `Report`.

Every reader returns a `Document` (paragraphs and grids in reading order, each
with provenance); everything after the reader is format-blind.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from typing import Any, Iterator


@dataclass(frozen=True)
class Where:
    """Provenance of a piece of text or a value.

    Text files use `line`/`line_end` (1-based) and `char`/`char_end` (offsets in
    the line or in the flattened body); tables use `table`/`row`/`col`
    (0-based grid positions); PDF and OCR readers add `page` and `bbox`.
    """

    line: int | None = None
    line_end: int | None = None
    char: int | None = None
    char_end: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.bbox is not None:
            parts.append("bbox " + ",".join(f"{v:.1f}" for v in self.bbox))
        if self.table is not None:
            parts.append(f"table {self.table}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.col is not None:
            parts.append(f"col {self.col}")
        if self.line is not None:
            if self.line_end is not None and self.line_end != self.line:
                parts.append(f"lines {self.line}-{self.line_end}")
            else:
                parts.append(f"line {self.line}")
        if self.char is not None:
            parts.append(f"chars {self.char}-{self.char_end if self.char_end is not None else self.char}")
        return " ".join(parts)


@dataclass(frozen=True)
class Paragraph:
    text: str
    where: Where = Where()


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    where: Where = Where()
    # OCR confidence in [0, 1]; None for text read from a text layer or markup
    confidence: float | None = None


@dataclass(frozen=True)
class Grid:
    """A table exactly as printed: merged cells are spans, blank cells are "".

    `ragged=True` means the source lost horizontal spans (a text export that
    prints each row's cells one after another): column positions are then only
    the order of the cells in their row.
    """

    cells: tuple[GridCell, ...]
    where: Where = Where()
    ragged: bool = False

    @cached_property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @cached_property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def rows(self) -> list[list[GridCell]]:
        """Cells that start in each row, left to right (span copies are not repeated)."""
        out: list[list[GridCell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def text(self) -> str:
        return "\n".join("\t".join(c.text for c in row) for row in self.rows())


Block = Paragraph | Grid


@dataclass
class Document:
    path: str
    format: str
    blocks: list[Block] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def paragraphs(self) -> Iterator[Paragraph]:
        return (b for b in self.blocks if isinstance(b, Paragraph))

    def grids(self) -> Iterator[Grid]:
        return (b for b in self.blocks if isinstance(b, Grid))


@dataclass
class Section:
    key: str
    title: str
    text: str
    where: Where = Where()
    title_score: float = 1.0
    # offsets of the section (heading included) in the document body string
    span: tuple[int, int] | None = None


@dataclass
class CellValue:
    key: str
    table: str
    row_key: str
    col_key: str
    value: float | None
    raw: str
    status: str
    where: Where = Where()
    unit: str | None = None
    label: str | None = None
    in_template: bool = True


@dataclass
class Evidence:
    text: str
    where: Where = Where()
    section: str | None = None


@dataclass
class Finding:
    rule_id: str
    severity: str
    message: str
    expected: str = ""
    actual: str = ""
    cells: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    # what distinguishes two findings of one rule in one report (a column, a row)
    scope: str = ""
    fingerprint: str = ""

    def fill_fingerprint(self, report_sha256: str) -> "Finding":
        """Stable across runs and versions: the file's content, the rule and the scope."""
        basis = "|".join([report_sha256, self.rule_id, self.scope, ",".join(sorted(self.cells))])
        self.fingerprint = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
        return self


@dataclass
class Report:
    report_id: str
    path: str
    sha256: str
    format: str
    status: str = "ok"
    error: str = ""
    template_version: str | None = None
    version_evidence: str = ""
    version_confidence: str = ""
    report_year: int | None = None
    year_evidence: str = ""
    agency: str | None = None
    agency_evidence: str = ""
    # the issuing body normalised, its level (state_council_dept, province, city, county,
    # township, local_dept, …) and region (province / city / county names as known)
    agency_normalised: str | None = None
    level: str | None = None
    region_province: str | None = None
    region_city: str | None = None
    region_county: str | None = None
    published_on: date | None = None
    published_on_source: str = ""
    title: str = ""
    period_year: int | None = None
    sections: list[Section] = field(default_factory=list)
    cells: list[CellValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    shape_issues: list[dict] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def cell(self, key: str) -> CellValue | None:
        return self._index().get(key)

    def _index(self) -> dict[str, CellValue]:
        """Cell lookup, rebuilt when the list is replaced or grows (cells are not edited in place)."""
        sig = (id(self.cells), len(self.cells))
        idx = getattr(self, "_cell_index", None)
        if idx is None or getattr(self, "_cell_sig", None) != sig:
            idx = {c.key: c for c in self.cells}
            object.__setattr__(self, "_cell_index", idx)
            object.__setattr__(self, "_cell_sig", sig)
        return idx

    def __getstate__(self):
        # caches kept as private attributes (cell index, narrative grams) are not pickled
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def frames(self):
        """The report as the four DataFrames of the output contract (and the wide view)."""
        from .frames import report_frames

        return report_frames([self])
