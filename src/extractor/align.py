"""Grids (or flattened text) -> template cells, by row and column labels.

A grid row is its label cells followed by its value cells. Rows are matched to
the template by their most specific label (fuzzy, with the score kept); columns
by the header labels above them: by column position when the grid keeps its
spans, by the order of the header labels when it does not (`Grid.ragged`). A
blank header cell falls back to the template's column at that position and is
reported. Cells the template lacks (a 小计 column, the 2019-style single
（六）其他处理 row in a 2021 report) are kept under their own keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import flat
from .model import CellValue, Document, Grid, GridCell, Section, Where
from .numbers import parse_cell
from .segment import Body
from .templates import SubTable, Template, best_match, label_score, norm_label

SUBTOTAL_ROWS = {"（三）不予公开": "r_denied_subtotal", "（四）无法提供": "r_unable_subtotal",
                 "（五）不予处理": "r_unprocessed_subtotal", "（六）其他处理": "r_other_subtotal"}


@dataclass
class Aligned:
    cells: list[CellValue] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    sources: dict = field(default_factory=dict)  # table -> "grid" | "text"


def _issue(table, problem, severity="warning", cells=(), row=""):
    return {"table": table, "row": row, "problem": problem, "severity": severity, "cells": list(cells)}


# OCR cells read with less confidence than this are `uncertain` (PARSE-OCR-CONF)
OCR_CONFIDENCE = 0.90


def _value_cell(table, row_key, col_key, gc: GridCell | None, unit=None, label=None, in_template=True):
    key = f"{table}.{row_key}.{col_key}"
    text = gc.text if gc is not None else ""
    p = parse_cell(text)
    status = p.status
    if gc is not None and gc.confidence is not None and gc.confidence < OCR_CONFIDENCE:
        status = "uncertain"
    where = gc.where if gc is not None else Where()
    return CellValue(key, table, row_key, col_key, p.value, text.strip(), status, where, unit or p.unit, label,
                     in_template)


# ------------------------------------------------------------------ grid helpers

def _covering(grid: Grid) -> list[list[GridCell | None]]:
    """Dense matrix: the cell covering each (row, col) position, spans expanded."""
    m: list[list[GridCell | None]] = [[None] * grid.n_cols for _ in range(grid.n_rows)]
    for c in grid.cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                m[r][k] = c
    return m


def _split_row(row: list[GridCell], n_values: int) -> tuple[list[GridCell], list[GridCell]]:
    if len(row) < n_values:
        return [], row
    return row[: len(row) - n_values], row[len(row) - n_values:]


def _row_label(label_cells: list[GridCell], context: list[str] = ()) -> tuple[str, list[str]]:
    """(most specific label, all non-empty labels) of a row."""
    texts = [c.text for c in label_cells if c.text.strip()]
    allt = list(context) + texts
    return (texts[-1] if texts else (allt[-1] if allt else "")), allt


def _grid_kind(grid: Grid, tpl: Template) -> str | None:
    nt = norm_label(grid.text())
    t3_hits = sum(1 for r in tpl.t3_rows_all if norm_label(r.label) in nt)
    if t3_hits >= 3:
        return "t3"
    if norm_label("结果维持") in nt and (norm_label("行政复议") in nt or norm_label("复议后起诉") in nt):
        return "t4"
    t2_hits = sum(1 for _, r in tpl.t2_rows() for f in r.forms if norm_label(f) in nt)
    if t2_hits >= 1 and (norm_label("第二十条") in nt or norm_label("信息内容") in nt or t2_hits >= 2):
        return "t2"
    return None


# ------------------------------------------------------------------ T3

def _t3_columns(grid: Grid, header: list[list[GridCell]], tpl: Template, issues: list) -> list[str]:
    """Column keys of the value cells, in order."""
    labels = list(tpl.t3_columns) + list(tpl.t3_extra_columns)
    groups = {norm_label(g) for g in ("申请人情况", "法人或其他组织")}
    leaves: list[tuple[int, int, str]] = []  # (row, order, key)
    for r, row in enumerate(header):
        for i, c in enumerate(row):
            t = c.text.strip()
            if not t or norm_label(t) in groups or "勾稽" in t:
                continue
            lab, _ = best_match(t, labels, 0.85)
            if lab is not None:
                leaves.append((r, c.col if not grid.ragged else i, lab.key))
    found = [k for _, _, k in leaves]
    template = [c.key for c in tpl.t3_columns]
    missing = [k for k in template if k not in found]
    if missing:
        issues.append(_issue("t3", "header labels missing or unreadable for columns: " + ", ".join(missing)))
    if not grid.ragged and not missing:
        order = sorted({(col, k) for _, col, k in leaves})
        seen, keys = set(), []
        for _, k in order:
            if k not in seen:
                seen.add(k)
                keys.append(k)
        return keys
    keys = list(template)
    for r, i, k in leaves:
        if k in keys:
            continue
        same_row = [(ii, kk) for rr, ii, kk in leaves if rr == r and ii < i and kk in keys]
        at = keys.index(same_row[-1][1]) + 1 if same_row else keys.index("total")
        keys.insert(at, k)
    return keys


def align_t3(grid: Grid, tpl: Template, issues: list) -> list[CellValue]:
    rows = grid.rows()
    rows_all = list(tpl.t3_rows_all)
    first = None
    for r, row in enumerate(rows):
        if any(best_match(c.text, rows_all, 0.9)[0] is not None for c in row if c.text.strip()):
            first = r
            break
    if first is None:
        return []
    cols = _t3_columns(grid, rows[:first], tpl, issues)
    n = len(cols)
    cover = _covering(grid) if not grid.ragged else None
    out: list[CellValue] = []
    seen: set[str] = set()
    group = ""
    template_rows = {r.key for r in tpl.t3_rows}
    for r in range(first, len(rows)):
        row = rows[r]
        if not any(c.text.strip() for c in row):
            continue
        if cover is not None:
            # label cells: anything left of the first value column, spans from above included
            value_cols = sorted({c.col for c in row})[-n:] if len(row) >= n else []
            first_val = value_cols[0] if value_cols else grid.n_cols
            context = []
            for k in range(first_val):
                gc = cover[r][k]
                if gc is not None and gc.row < r and gc.text.strip() and gc.text not in context:
                    context.append(gc.text)
            labels, values = [c for c in row if c.col < first_val], [c for c in row if c.col >= first_val]
        else:
            context = []
            labels, values = _split_row(row, n)
        label, all_labels = _row_label(labels, context)
        for t in all_labels:
            for g in SUBTOTAL_ROWS:
                if label_score(t, g) >= 0.9:
                    group = g
        if len(values) != n:
            if label.strip():
                issues.append(_issue("t3", f"row {label!r} has {len(values)} value cells, expected {n}",
                                     row=label))
            continue
        lab, score = best_match(label, rows_all, 0.8)
        key = lab.key if lab else None
        if key is None and norm_label(label) in (norm_label("小计"), norm_label("合计")) and group:
            key = SUBTOTAL_ROWS[group]
        if key is None:
            if not any(v.text.strip() for v in values):
                continue
            issues.append(_issue("t3", f"row {label!r} matches no template row; its values are not kept",
                                 row=label))
            continue
        if key in seen:
            issues.append(_issue("t3", f"row {key} printed twice; the first is kept", row=key))
            continue
        seen.add(key)
        for col, gc in zip(cols, values):
            out.append(_value_cell("t3", key, col, gc, label=label if score < 1.0 else None,
                                   in_template=key in template_rows and col in {c.key for c in tpl.t3_columns}))
    return out


# ------------------------------------------------------------------ T4

def align_t4(grid: Grid, tpl: Template, issues: list) -> list[CellValue]:
    rows = grid.rows()
    blocks = [b.key for b in tpl.t4_blocks]
    cols = [c.key for c in tpl.t4_columns]
    n = len(blocks) * len(cols)
    # the data row: n numeric-or-blank cells after the header rows (a row of all blanks, as
    # in the blank template, counts when no row holds numbers)
    header_end = max((r for r, row in enumerate(rows)
                      if any(c.text.strip() and parse_cell(c.text).status == "nonnumeric" for c in row)), default=-1)
    data_row, blank_row = None, None
    for r, row in enumerate(rows):
        vals = row[-n:] if len(row) >= n else []
        if not vals or r <= header_end or any(parse_cell(c.text).status == "nonnumeric" for c in vals):
            continue
        if any(c.text.strip() for c in vals):
            data_row = r if data_row is None else data_row
        elif blank_row is None:
            blank_row = r
    if data_row is None:
        data_row = blank_row
    if data_row is None:
        issues.append(_issue("t4", f"no row with {n} value cells"))
        return []
    row = rows[data_row]
    values = row[-n:]
    keys = [(b, c) for b in blocks for c in cols]
    if not grid.ragged:
        cover = _covering(grid)
        mapped = []
        for gc in values:
            head = [cover[h][gc.col] for h in range(data_row)]
            texts = [h.text for h in head if h is not None and h.text.strip()]
            blk = next((b.key for t in texts for b in tpl.t4_blocks if label_score(t, b.label) >= 0.9), None)
            col = next((c.key for t in reversed(texts) for c in tpl.t4_columns if c.score(t) >= 0.9), None)
            mapped.append((blk, col))
        if all(b and c for b, c in mapped) and len(set(mapped)) == n:
            keys = mapped
        else:
            issues.append(_issue("t4", "header labels do not name every column; template order used"))
    else:
        header_text = norm_label(" ".join(c.text for row in rows[:data_row] for c in row))
        order = [header_text.find(norm_label(b.label)) for b in tpl.t4_blocks]
        if any(o < 0 for o in order) or order != sorted(order):
            issues.append(_issue("t4", "block labels 行政复议 / 未经复议直接起诉 / 复议后起诉 missing or out of "
                                 "order; template order used"))
    return [_value_cell("t4", b, c, gc) for (b, c), gc in zip(keys, values)]


# ------------------------------------------------------------------ T2

def _t2_header(row: list[GridCell], st: SubTable) -> tuple[list[str | None], bool] | None:
    """Column keys of a header row (None for a blank label), or None if not a header row."""
    texts = [c.text.strip() for c in row]
    if not texts or norm_label(texts[0]) != norm_label("信息内容"):
        return None
    keys = []
    for t in texts[1:]:
        lab, _ = best_match(t, st.columns, 0.8) if t else (None, 0)
        keys.append(lab.key if lab else None)
    return keys, True


def align_t2(grids: list[Grid], tpl: Template, issues: list) -> list[CellValue]:
    out: list[CellValue] = []
    seen: set[str] = set()
    all_rows = [(st, r) for st in tpl.t2 for r in st.rows]
    for grid in grids:
        st: SubTable | None = None
        header: list[str | None] | None = None
        after_header_blank = False
        for row in grid.rows():
            texts = [c.text.strip() for c in row]
            if not any(texts):
                if header is not None and after_header_blank:
                    issues.append(_issue("t2", f"an empty row of {len(row)} cells inside 第二十条 table "
                                         f"{st.article if st else ''}"))
                continue
            art = next((s for s in tpl.t2 if any(label_score(t, s.article) >= 0.9 for t in texts)), None)
            if art is not None:
                st, header = art, None
                continue
            if norm_label(texts[0]) == norm_label("信息内容"):
                if st is None:  # subtable from its column labels
                    st = max(tpl.t2, key=lambda s: sum(1 for t in texts[1:] if t and best_match(t, s.columns, .8)[0]))
                header, _ = _t2_header(row, st)
                after_header_blank = True
                continue
            after_header_blank = False
            match = None
            for s, r in all_rows:
                if r.score(texts[0]) >= 0.85 and (st is None or s is st or r.key not in {x.key for x in st.rows}):
                    match = (s, r)
                    if st is None or s is st:
                        break
            if match is None:
                continue
            s, r = match
            st = st or s
            values = row[1:]
            cols = list(s.columns)
            if header is not None and len(header) == len(values):
                keys = []
                for i, k in enumerate(header):
                    if k is None and i < len(cols):
                        k = cols[i].key
                        issues.append(_issue("t2", f"{s.article}: header of column {i + 2} is blank "
                                             f"(template: {cols[i].label})", cells=[f"t2.{r.key}.{k}"]))
                    keys.append(k)
            elif len(values) == len(cols):
                keys = [c.key for c in cols]
            else:
                issues.append(_issue("t2", f"row {texts[0]!r} has {len(values)} value cells, expected {len(cols)}",
                                     row=r.key))
                keys = [c.key for c in cols][: len(values)]
            for k, gc in zip(keys, values):
                if k is None:
                    continue
                key = f"t2.{r.key}.{k}"
                if key in seen:
                    continue
                seen.add(key)
                col = next(c for c in cols if c.key == k)
                unit = "万元" if col.amount and "万元" in col.label else None
                out.append(_value_cell("t2", r.key, k, gc, unit=unit))
    # the blank-header issue is stated once per column, not per row
    uniq, dedup = set(), []
    for i in issues:
        sig = (i["table"], i["problem"])
        if sig in uniq:
            for d in dedup:
                if (d["table"], d["problem"]) == sig:
                    d["cells"] = d["cells"] + i["cells"]
            continue
        uniq.add(sig)
        dedup.append(i)
    issues[:] = dedup
    return out


# ------------------------------------------------------------------ dispatch

def align(doc: Document, body: Body, sections: list[Section], tpl: Template) -> Aligned:
    res = Aligned()
    by_kind: dict[str, list[Grid]] = {"t2": [], "t3": [], "t4": []}
    for g in doc.grids():
        k = _grid_kind(g, tpl)
        if k:
            by_kind[k].append(g)
    if by_kind["t2"]:
        cells = align_t2(by_kind["t2"], tpl, res.issues)
        if cells:
            res.cells += cells
            res.sources["t2"] = "grid"
    for table, fn in (("t3", align_t3), ("t4", align_t4)):
        for g in by_kind[table]:
            cells = fn(g, tpl, res.issues)
            if cells:
                res.cells += cells
                res.sources[table] = "grid"
                break

    spans = {s.key: s.span for s in sections if s.span}
    full = (0, len(body.text))
    readers = (("t2", "s2_proactive", flat.t2_flat), ("t3", "s3_applications", flat.t3_flat),
               ("t4", "s4_review_litigation", flat.t4_flat))
    for table, sec, fn in readers:
        if table in res.sources:
            continue
        a, b = spans.get(sec, full)
        cells, issues = fn(body.text[a:b], a, tpl, body.where)
        if not cells and (a, b) != full:
            cells, issues = fn(body.text, 0, tpl, body.where)
        if cells:
            res.cells += cells
            res.issues += issues
            res.sources[table] = "text"
    return res
