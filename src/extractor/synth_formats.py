"""One synthetic report (`synth.ReportSpec`) written as HTML, DOCX, DOC and WPS.

`synth.py` renders a spec as the two plain-text shapes; this module writes the same
logical report in the file formats real reports are published in, with the truth
still known by construction (`format_truth`):

* `render_docx(spec, layout)` — a real Word document (python-docx) in the official
  layout of the blank template (../shared/corpus/real/template-blank.docx): REAL
  merged cells (`w:gridSpan`, `w:vMerge`), the T3 header in three rows (the
  勾稽关系 note over 3 columns × 3 rows, 申请人情况 over every value column, 自然人
  and 总计 over two rows, 法人或其他组织 over the organisation columns), the
  vertical 三、本年度办理结果 and the （三）…（六） group cells spanning their item rows,
  the T4 header (行政复议 over 5, 行政诉讼 over 10, 未经复议直接起诉 / 复议后起诉 over
  5, the five 行政复议 headers over two rows). File properties and zip entry dates
  are fixed, so the bytes are the same on every run.
* `render_html(spec, layout)` / `render_html_bytes(spec, encoding, layout)` — a
  government-CMS page: `<meta charset>`, `<title>`, `<meta name="PubDate">`,
  navigation, breadcrumb and share buttons around the report in
  `<div class="TRS_Editor">`; the tables with rowspan/colspan exactly mirroring
  the DOCX (both are drawn from the same `TableSpec`s); `<br>` inside some header
  cells; optionally GBK-encoded.
* `render_doc(spec, layout)` — the DOCX converted by LibreOffice
  (`soffice --headless --convert-to doc`) to the Word 97 binary format.
* `render_wps(spec, layout)` — WPS Office saves Writer documents (.wps) as OLE
  compound files in the Word 97 binary format, and LibreOffice cannot write
  Kingsoft's own format; so a WPS fixture is exactly the Word-97 binary (.doc)
  bytes, saved under a `.wps` name.

LibreOffice embeds conversion timestamps, so DOC/WPS bytes differ between runs:
the committed DOC/WPS examples are generated once (kept when present) and their
truth is the spec's. DOCX and HTML are byte-identical on regeneration.

Layout options (`DocLayout`): T2 as one table (the template: article rows inside
it) or several (one per 第二十条 sub-table); vertical labels (自然人, 其他,
三、本年度办理结果) by `w:textDirection` / CSS `writing-mode`, one character per
line, or plain; line breaks inside some header labels (商业|企业, 本年新|制作数量);
headings as bold paragraphs or Word heading styles; HTML chrome and whether the
title is repeated inside the content. What the spec itself prints (cells as
blank / "0" / "/" / "—", the 小计 column, the single （六） row, section-title
variants, dropped sections, dates, signature) comes from `synth.ReportSpec`.

The committed examples (`FORMAT_VARIANTS`) are written with the text corpus by

    python -m extractor.synth corpus/synthetic
"""
from __future__ import annotations

import hashlib
import html as _html
import io
import os
import random
import shutil
import signal
import subprocess
import tempfile
import zipfile
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from pathlib import Path

from . import synth
from .synth import R3, T2_LAYOUT, T3_COLS, T3_NOTE, T4_BLOCKS, T4_COLS, VERTICAL, ReportSpec, Truth

FORMATS = ("txt", "html", "docx", "doc", "wps")
EXTENSIONS = {"txt": ".txt", "html": ".html", "docx": ".docx", "doc": ".doc", "wps": ".wps"}
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class DocLayout:
    """How the tables and headings of a DOCX / HTML rendering are laid out (the spec says
    what is printed, this says how)."""

    t2_tables: str = "one"  # "one": the template's single T2 table; "several": one table per 第二十条 item
    vertical: str = "direction"  # "direction" (w:textDirection / writing-mode), "chars" (one piece per line), "plain"
    header_breaks: bool = True  # line breaks inside some header labels (商业|企业 as in the template)
    heading_style: str = "bold"  # DOCX headings: "bold" paragraphs or Word "heading" styles
    html_chrome: bool = True  # HTML: navigation, breadcrumb, share buttons, footer around the report
    html_title_in_body: bool = True  # HTML: the title repeated as the first paragraph of the content

    def __post_init__(self):
        if self.t2_tables not in ("one", "several"):
            raise ValueError(f"t2_tables must be 'one' or 'several', not {self.t2_tables!r}")
        if self.vertical not in ("direction", "chars", "plain"):
            raise ValueError(f"vertical must be 'direction', 'chars' or 'plain', not {self.vertical!r}")
        if self.heading_style not in ("bold", "heading"):
            raise ValueError(f"heading_style must be 'bold' or 'heading', not {self.heading_style!r}")


# --------------------------------------------------------------------------- tables as placed cells

@dataclass(frozen=True)
class TCell:
    row: int
    col: int
    lines: tuple[str, ...]  # paragraphs in DOCX, <br>-separated lines in HTML; ("",) = blank
    rowspan: int = 1
    colspan: int = 1
    vertical: bool = False  # printed with vertical text direction
    header: bool = False  # a label cell (not a value)


@dataclass(frozen=True)
class TableSpec:
    name: str
    n_rows: int
    n_cols: int
    cells: tuple[TCell, ...]
    widths: tuple[int, ...]  # column widths in twips (dxa)

    def check(self) -> None:
        """Every grid position is covered by exactly one cell."""
        seen: dict[tuple[int, int], TCell] = {}
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    if (r, k) in seen or r >= self.n_rows or k >= self.n_cols:
                        raise ValueError(f"{self.name}: cell {c} overlaps or leaves the grid at {(r, k)}")
                    seen[(r, k)] = c
        if len(seen) != self.n_rows * self.n_cols:
            raise ValueError(f"{self.name}: {self.n_rows * self.n_cols - len(seen)} grid positions uncovered")


# labels printed over two lines in real tables (the template prints 商业|企业 and 科研|机构)
HEADER_BREAKS = {"商业企业": ("商业", "企业"), "科研机构": ("科研", "机构"), "社会公益组织": ("社会公益", "组织"),
                 "法律服务机构": ("法律服务", "机构"), "本年新制作数量": ("本年新", "制作数量"),
                 "本年新公开数量": ("本年新", "公开数量"), "对外公开总数量": ("对外公开", "总数量"),
                 "本年收费金额（单位：万元）": ("本年收费金额", "（单位：万元）"),
                 "未经复议直接起诉": ("未经复议", "直接起诉")}


def _head(label: str, layout: DocLayout) -> tuple[str, ...]:
    return HEADER_BREAKS.get(label, (label,)) if layout.header_breaks else (label,)


def _vert(label: str, pieces: list[str] | None, layout: DocLayout) -> tuple[tuple[str, ...], bool]:
    """(lines, vertical flag) of a label printed vertically in real reports."""
    if layout.vertical == "chars":
        return tuple(pieces or list(label)), False
    return (label,), layout.vertical == "direction"


def _value(text: str) -> tuple[str, ...]:
    return (text,)


def t2_tables(spec: ReportSpec, layout: DocLayout) -> list[TableSpec]:
    """T2 as the template's one 4-column table (article rows spanning it; one value column
    spans 3, two value columns as 1 + 2, as in the real 2019 tables) or as one table per
    第二十条 item."""
    subs = []
    for article, cols, rows in T2_LAYOUT[spec.edition]:
        head = [("信息内容", None)] + [(lab, None) for _, lab, _ in cols]
        body = [[lab] + [spec.cells[f"t2.{r}.{c}"] for c, _, _ in cols] for r, lab in rows]
        subs.append((article, head, body))
    if layout.t2_tables == "several":
        out = []
        for i, (article, head, body) in enumerate(subs):
            n = len(head)
            cells = [TCell(0, 0, (article,), colspan=n, header=True)]
            cells += [TCell(1, k, _head(lab, layout), header=True) for k, (lab, _) in enumerate(head)]
            for r, vals in enumerate(body, start=2):
                cells.append(TCell(r, 0, (vals[0],), header=True))
                cells += [TCell(r, k, _value(v)) for k, v in enumerate(vals[1:], start=1)]
            widths = (2435,) + tuple((9740 - 2435) // (n - 1) for _ in range(n - 1))
            out.append(TableSpec(f"t2-{i + 1}", 2 + len(body), n, tuple(cells), widths))
        return out
    cells, r = [], 0
    spans = {1: [3], 2: [1, 2], 3: [1, 1, 1]}
    for article, head, body in subs:
        cells.append(TCell(r, 0, (article,), colspan=4, header=True))
        r += 1
        for is_head, vals in [(True, [lab for lab, _ in head])] + [(False, v) for v in body]:
            cells.append(TCell(r, 0, (vals[0],), header=True))
            col = 1
            for v, span in zip(vals[1:], spans[len(vals) - 1]):
                cells.append(TCell(r, col, _head(v, layout) if is_head else _value(v), colspan=span, header=is_head))
                col += span
            r += 1
    return [TableSpec("t2", r, 4, tuple(cells), (2435, 2435, 2435, 2435))]


def t3_table(spec: ReportSpec, layout: DocLayout) -> TableSpec:
    """T3 exactly as the template: three header rows, label columns A (三、本年度办理结果,
    vertical, spanning every outcome row), B (the （三）…（六） groups spanning their items) and
    C (items); top-level rows span A–C, (一)(二)(七) and the single （六） span B–C."""
    cols = spec.t3_cols
    nv = len(cols)
    n_org = nv - 2  # the organisation columns (and 小计)
    cells = [TCell(0, 0, (T3_NOTE,), rowspan=3, colspan=3, header=True),
             TCell(0, 3, ("申请人情况",), colspan=nv, header=True)]
    lines, vert = _vert("自然人", None, layout)
    cells.append(TCell(1, 3, lines, rowspan=2, vertical=vert, header=True))
    cells.append(TCell(1, 4, ("法人或其他组织",), colspan=n_org, header=True))
    cells.append(TCell(1, 3 + nv - 1, (synth.t3_total_label(spec),), rowspan=2, header=True))
    for k, key in enumerate(cols[1:-1], start=4):
        label = dict(T3_COLS).get(key, "小计")
        if label == "其他":
            lines, vert = _vert(label, None, layout)
            cells.append(TCell(2, k, lines, vertical=vert, header=True))
        else:
            cells.append(TCell(2, k, _head(label, layout), header=True))
    rows = spec.t3_rows()
    outcome = [i for i, (_, g, _) in enumerate(rows) if g is not None]
    group_size: dict[str, int] = {}
    for _, g, _ in rows:
        if g:
            group_size[g] = group_size.get(g, 0) + 1
    seen: set[str] = set()
    for i, (key, group, label) in enumerate(rows):
        r = 3 + i
        label = synth.t3_label(spec, label)
        if group is None:
            cells.append(TCell(r, 0, (label,), colspan=3, header=True))
        else:
            if i == outcome[0]:
                lines, vert = _vert(R3, VERTICAL[R3], layout)
                cells.append(TCell(r, 0, lines, rowspan=len(outcome), vertical=vert, header=True))
            if group == "":
                cells.append(TCell(r, 1, (label,), colspan=2, header=True))
            else:
                if group not in seen:
                    seen.add(group)
                    glabel = synth.t3_label(spec, group)
                    if layout.vertical == "chars":
                        glines = tuple(synth.t3_label(spec, x) for x in VERTICAL[group])
                    else:
                        glines = (glabel,)
                    cells.append(TCell(r, 1, glines, rowspan=group_size[group], header=True))
                cells.append(TCell(r, 2, (label,), header=True))
        cells += [TCell(r, 3 + k, _value(spec.cells[f"t3.{key}.{c}"])) for k, c in enumerate(cols)]
    label_w = 3271 - 685 * (nv - 7)
    widths = (754, 921, label_w) + (685,) * nv
    return TableSpec("t3", 3 + len(rows), 3 + nv, tuple(cells), widths)


def t4_table(spec: ReportSpec, layout: DocLayout) -> TableSpec:
    """T4 as the template: 行政复议 over 5 and 行政诉讼 over 10; the five 行政复议 headers
    span two rows; 未经复议直接起诉 and 复议后起诉 over 5 each; one row of 15 values."""
    def head(label):
        if layout.vertical == "chars":
            return tuple(label)
        return (label,)

    cells = [TCell(0, 0, ("行政复议",), colspan=5, header=True), TCell(0, 5, ("行政诉讼",), colspan=10, header=True)]
    cells += [TCell(1, k, head(lab), rowspan=2, header=True) for k, (_, lab) in enumerate(T4_COLS)]
    cells += [TCell(1, 5, _head("未经复议直接起诉", layout), colspan=5, header=True),
              TCell(1, 10, ("复议后起诉",), colspan=5, header=True)]
    cells += [TCell(2, 5 + k, head(lab), header=True) for k, (_, lab) in enumerate(T4_COLS * 2)]
    keys = [f"t4.{b}.{c}" for b, _ in T4_BLOCKS for c, _ in T4_COLS]
    cells += [TCell(3, k, _value(spec.cells[key])) for k, key in enumerate(keys)]
    return TableSpec("t4", 4, 15, tuple(cells), (649,) * 7 + (650,) * 8)


# --------------------------------------------------------------------------- the report as blocks

def blocks(spec: ReportSpec, layout: DocLayout = DocLayout()) -> list[tuple[str, object]]:
    """The report in reading order: ("title" | "p" | "h" | "sub" | "sig", text) and ("table", TableSpec).
    The narrative is the cell-per-line rendering's (same seed, same sentences)."""
    rng = random.Random(spec.seed)
    preamble = synth._preamble(spec, rng)
    overview = synth._overview(spec, rng)
    s5 = synth._s5_parts(rng)
    out: list[tuple[str, object]] = []
    if spec.title_lines == 2:
        out += [("title", f"{spec.agency}{spec.year}{spec.title_suffix}"), ("title", "政府信息公开工作年度报告")]
    else:
        out.append(("title", spec.title))
    out.append(("p", preamble))
    for key, heading in spec.sections():
        out.append(("h", heading))
        if key == "s1_overview":
            out.append(("p", overview[0]))
            for p in overview[1:]:
                head, _, rest = p.partition("。")
                out += [("sub", head), ("p", rest)]
        elif key == "s2_proactive":
            out.append(("p", f"{spec.year}年，本机关依法依规做好主动公开工作，具体情况如下。"))
            out += [("table", t) for t in t2_tables(spec, layout)]
        elif key == "s3_applications":
            out.append(("p", synth._s3_text(spec) or f"{spec.year}年，本机关收到和处理政府信息公开申请情况如下。"))
            out.append(("table", t3_table(spec, layout)))
        elif key == "s4_review_litigation":
            out.append(("p", synth._s4_text(spec)))
            out.append(("table", t4_table(spec, layout)))
        elif key == "s5_problems":
            out += [("sub", s5[0]), ("p", s5[1]), ("sub", s5[2]), ("p", s5[3])]
        elif key == "s6_other":
            out.append(("p", synth._s6_text(spec)))
    if spec.signature:
        out += [("sig", spec.signature_org or spec.agency), ("sig", synth._cn_date(spec.sig_date, spec.date_style))]
    for kind, t in out:
        if kind == "table":
            t.check()
    return out


# --------------------------------------------------------------------------- DOCX

def _docx_fonts(doc, east_asia: str, size_pt: float | None = None, style_name: str = "Normal") -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    style = doc.styles[style_name]
    if size_pt:
        style.font.size = Pt(size_pt)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")


def _run_font(run, east_asia: str) -> None:
    from docx.oxml.ns import qn
    rpr = run._r.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _docx_table(doc, t: TableSpec) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, Twips

    table = doc.add_table(rows=t.n_rows, cols=t.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for gc, w in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), t.widths):
        gc.set(qn("w:w"), str(w))
    for row in table.rows:
        for c, w in zip(row.cells, t.widths):
            c.width = Twips(w)
    # `table.cell(r, c)` rebuilds the whole grid on every call (seconds per report): the grid is
    # taken once, before any merge. Cells never overlap, so each cell's top-left `w:tc` is still
    # the one of the plain grid after the other cells' merges, and a merge keeps it.
    grid = table._cells

    def at(r: int, k: int):
        return grid[r * t.n_cols + k]

    for c in t.cells:  # merges first (python-docx writes w:gridSpan and w:vMerge)
        if c.rowspan > 1 or c.colspan > 1:
            # what `_Cell.merge` does once it has found the span's top-left `w:tc` and size
            at(c.row, c.col)._tc._grow_to(c.colspan, c.rowspan)
    for c in t.cells:
        cell = at(c.row, c.col)
        cell.width = Twips(sum(t.widths[c.col:c.col + c.colspan]))
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if c.vertical:
            tcpr = cell._tc.get_or_add_tcPr()
            td = tcpr.makeelement(qn("w:textDirection"), {qn("w:val"): "tbRlV"})
            valign = tcpr.find(qn("w:vAlign"))
            if valign is not None:
                valign.addprevious(td)
            else:
                tcpr.append(td)
        for i, line in enumerate(c.lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if not c.header or c.col > 0 else WD_ALIGN_PARAGRAPH.LEFT
            if line:
                run = p.add_run(line)
                run.font.size = Pt(10.5)


def render_docx(spec: ReportSpec, layout: DocLayout = DocLayout()) -> bytes:
    """The report as a Word document in the template's layout (see the module docstring).
    The same bytes on every run: file properties from the spec, zip entries dated 2000-01-01."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    if not spec.signature:
        raise ValueError("a DOCX/DOC/WPS rendering needs the signature: it is the publication date the truth "
                         "promises (file properties are rewritten by converters)")
    doc = Document()
    _docx_fonts(doc, "仿宋_GB2312", 16)
    when = datetime(spec.sig_date.year, spec.sig_date.month, spec.sig_date.day, 9, 0, 0)
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by = spec.title, spec.agency, spec.agency
    cp.subject = cp.keywords = cp.comments = cp.category = ""
    cp.created = cp.modified = cp.last_printed = when
    cp.revision = 1
    for kind, item in blocks(spec, layout):
        if kind == "table":
            _docx_table(doc, item)
        elif kind == "title":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(item)
            run.bold = True
            run.font.size = Pt(22)
            _run_font(run, "方正小标宋简体")
        elif kind == "h":
            if layout.heading_style == "heading":
                p = doc.add_heading(item, level=2)
            else:
                p = doc.add_paragraph()
                p.paragraph_format.first_line_indent = Pt(32)
                run = p.add_run(item)
                run.bold = True
                _run_font(run, "黑体")
        elif kind == "sub":
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            _run_font(p.add_run(item), "楷体_GB2312")
        elif kind == "sig":
            p = doc.add_paragraph(item)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            p = doc.add_paragraph(item)
            p.paragraph_format.first_line_indent = Pt(32)
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry dated FIXED_ZIP_TIME (python-docx stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, zin.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- HTML

SITE = "青山市人民政府门户网站"
ENCODING_NAMES = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gb2312", "gb18030": "gb18030"}


def _esc(t: str) -> str:
    return _html.escape(t, quote=False)


def _html_table(t: TableSpec) -> str:
    rows: list[list[TCell]] = [[] for _ in range(t.n_rows)]
    for c in t.cells:
        rows[c.row].append(c)
    total = sum(t.widths)
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" '
           'style="border-collapse:collapse;border:none;">', "<tbody>"]
    for i, row in enumerate(rows):
        out.append('<tr class="firstRow">' if i == 0 else "<tr>")
        for c in sorted(row, key=lambda c: c.col):
            attrs = []
            if c.rowspan > 1:
                attrs.append(f'rowspan="{c.rowspan}"')
            if c.colspan > 1:
                attrs.append(f'colspan="{c.colspan}"')
            width = round(100 * sum(t.widths[c.col:c.col + c.colspan]) / total)
            style = "border:1px solid #000;padding:2px;text-align:center;"
            if c.vertical:
                style += "writing-mode:vertical-rl;"
            attrs.append(f'width="{width}%"')
            attrs.append(f'style="{style}"')
            inner = "<br>".join(_esc(x) for x in c.lines) if any(c.lines) else "&nbsp;" if c.header else ""
            if c.header:
                inner = f'<p style="text-align:center;margin:0">{inner}</p>'
            out.append(f"<td {' '.join(attrs)}>{inner}</td>")
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _page_stamp(spec: ReportSpec) -> str:
    d = spec.web_date
    return f"{d.isoformat()} {9 + spec.seed % 8:02d}:{(spec.seed * 13) % 60:02d}"


def render_html(spec: ReportSpec, layout: DocLayout = DocLayout(), encoding: str = "utf-8") -> str:
    """The report as a government-CMS web page (see the module docstring). `encoding` only
    names the charset in the page's <meta>; `render_html_bytes` encodes."""
    charset = ENCODING_NAMES[encoding.lower()]
    stamp = _page_stamp(spec)
    d = spec.web_date
    doc_id = int(hashlib.sha256(spec.title.encode("utf-8")).hexdigest()[:5], 16)
    url = f"https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/{d.year}{d.month:02d}/t{d.strftime('%Y%m%d')}_{doc_id}.htm"
    head = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        f'<meta charset="{charset}">' if charset == "utf-8"
        else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
        f'<meta name="SiteName" content="{_esc(SITE)}">',
        '<meta name="ColumnName" content="政府信息公开年报">',
        f'<meta name="ArticleTitle" content="{_esc(spec.title)}">',
        f'<meta name="PubDate" content="{stamp}">',
        f'<meta name="ContentSource" content="{_esc(spec.agency)}">',
        f'<meta name="Url" content="{url}">',
        f"<title>{_esc(spec.title)}_政府信息公开年报_{_esc(SITE)}</title>",
        '<link rel="stylesheet" type="text/css" href="/images/base.css">',
        "</head>",
        "<body>",
    ]
    chrome_top: list[str] = []
    if layout.html_chrome:
        chrome_top = [
            '<div class="header"><div class="top_link"><a href="https://www.gov.cn/" target="_blank">中国政府网</a>'
            '<a href="/">无障碍</a><a href="/">长者模式</a></div>',
            '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
            '<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li>'
            '<li><a href="/zjqs/">走进本地</a></li></ul></div></div>',
            '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            '<a href="/zwgk/zfxxgk/">政府信息公开</a> &gt; <a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a></div>',
        ]
    article = ['<div class="article">',
               f'<h1 class="article_title">{_esc(spec.title)}</h1>',
               f'<div class="article_extend"><span>发布时间：{stamp}</span><span>来源：{_esc(spec.agency)}</span>'
               '<span>浏览次数：<script>document.write(GetVisitCount());</script></span>',
               '<div class="share_box">分享到：<a href="#">微信</a><a href="#">微博</a><a href="#">QQ空间</a></div>'
               '<div class="font_size">字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></div></div>']
    if not layout.html_chrome:
        article = ['<div class="article">']
    content = ['<div class="article_content">', '<div class="TRS_Editor">']
    for kind, item in blocks(spec, layout):
        if kind == "table":
            content.append('<div align="center">' + _html_table(item) + "</div>")
        elif kind == "title":
            if layout.html_title_in_body or not layout.html_chrome:
                style = "text-align:center;font-size:22pt;font-family:方正小标宋简体;"
                content.append(f'<p style="{style}"><strong>{_esc(item)}</strong></p>')
        elif kind == "h":
            content.append(f'<p style="text-indent:2em;font-family:黑体;"><strong>{_esc(item)}</strong></p>')
        elif kind == "sub":
            content.append(f'<p style="text-indent:2em;font-family:楷体_GB2312;">{_esc(item)}</p>')
        elif kind == "sig":
            content.append(f'<p style="text-align:right;">{_esc(item)}</p>')
        else:
            content.append(f'<p style="text-indent:2em;">{_esc(item)}</p>')
    content += ["</div>", "</div>"]
    tail = ['<div class="article_btn">【<a href="javascript:window.print()">打印本页</a>】'
            '【<a href="javascript:window.close()">关闭窗口</a>】</div>', "</div>"]
    footer = []
    if layout.html_chrome:
        footer = ['<div class="footer"><p>主办：青山市人民政府办公室　承办：青山市大数据中心</p>'
                  '<p>网站标识码：3700000001　<a href="https://beian.miit.gov.cn/">京ICP备00000000号</a></p></div>',
                  '<script type="text/javascript">var _hmt = _hmt || [];</script>']
    return "\n".join(head + chrome_top + article + content + tail + footer + ["</body>", "</html>", ""])


def render_html_bytes(spec: ReportSpec, encoding: str = "utf-8", layout: DocLayout = DocLayout()) -> bytes:
    """`render_html` encoded (utf-8, gbk, gb2312 or gb18030; the <meta> names the charset).
    Characters the encoding lacks become numeric character references."""
    return render_html(spec, layout, encoding).encode(encoding, errors="xmlcharrefreplace")


# --------------------------------------------------------------------------- DOC / WPS (LibreOffice)

class ConversionError(RuntimeError):
    pass


def soffice_path() -> str | None:
    """LibreOffice's soffice, or None when it is not installed."""
    found = os.environ.get("EXTRACTOR_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")
    return found if found and Path(found).exists() else None


def docx_convert(docx: bytes, target: str, timeout: float = 180) -> bytes:
    """DOCX bytes -> bytes of another format (`target` like "doc:MS Word 97" or
    "pdf:writer_pdf_Export") by `soffice --headless --convert-to` with a private profile (so a
    running LibreOffice or a parallel run does not interfere) and a time limit."""
    exe = soffice_path()
    if exe is None:
        raise ConversionError("LibreOffice (soffice) is not installed: "
                              "apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    with tempfile.TemporaryDirectory(prefix="synth-lo-") as tmp:
        tmpd = Path(tmp)
        src, outdir, profile = tmpd / "report.docx", tmpd / "out", tmpd / "profile"
        src.write_bytes(docx)
        outdir.mkdir()
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--nologo", "--norestore",
               "--nodefault", "--nolockcheck", "--convert-to", target, "--outdir", str(outdir), str(src)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the process group started here, nothing else
            proc.communicate()
            raise ConversionError(f"soffice did not finish within {timeout:.0f}s")
        produced = outdir / f"report.{target.split(':')[0]}"
        if proc.returncode != 0 or not produced.is_file():
            raise ConversionError(f"soffice failed (exit {proc.returncode}): "
                                  f"{(err or out).decode('utf-8', 'replace').strip()[:500]}")
        return produced.read_bytes()


def docx_to_doc(docx: bytes, timeout: float = 180) -> bytes:
    """DOCX bytes -> Word 97 binary bytes."""
    return docx_convert(docx, "doc:MS Word 97", timeout)


def render_doc(spec: ReportSpec, layout: DocLayout = DocLayout(), timeout: float = 180) -> bytes:
    """The DOCX rendering converted to the Word 97 binary format by LibreOffice (bytes vary
    between runs: LibreOffice stamps the conversion time)."""
    return docx_to_doc(render_docx(spec, layout), timeout)


def render_wps(spec: ReportSpec, layout: DocLayout = DocLayout(), timeout: float = 180) -> bytes:
    """A WPS Writer file: WPS Office saves .wps documents as OLE compound files in the Word 97
    binary format and LibreOffice cannot write Kingsoft's own format, so this is exactly the
    Word-97 binary (.doc) rendering, to be saved under a `.wps` name."""
    return render_doc(spec, layout, timeout)


def render_format(spec: ReportSpec, fmt: str, layout: DocLayout = DocLayout(), encoding: str = "utf-8") -> bytes:
    """One logical report as the bytes of one format (txt = the cell-per-line export)."""
    if fmt == "txt":
        return synth.render_cell_per_line(_as_table_spec(spec)).encode("utf-8")
    if fmt == "html":
        return render_html_bytes(spec, encoding, layout)
    if fmt == "docx":
        return render_docx(spec, layout)
    if fmt in ("doc", "wps"):
        return render_doc(spec, layout)
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


# --------------------------------------------------------------------------- truth

def _as_table_spec(spec: ReportSpec) -> ReportSpec:
    """Real tables keep every cell apart: the cell-per-line truth applies (no ambiguity)."""
    return spec if spec.shape == "cell_per_line" else replace(spec, shape="cell_per_line")


def format_truth(spec: ReportSpec, fmt: str, name: str = "") -> Truth:
    """What a correct extractor returns for `spec` written as `fmt`: every cell exact (tables
    keep cells apart), the publication date from the signature, else (HTML) the page's PubDate."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    base = _as_table_spec(spec)
    if spec.signature:
        tr = synth.truth(base, name)
    elif fmt == "html":  # published_on: the page date; the rules see that date
        tr = synth.truth(replace(base, signature=True, signature_date=spec.web_date), name)
        tr = replace(tr, signature_date=None)
    else:
        raise ValueError(f"a {fmt} rendering without a signature has no publication date")
    return replace(tr, shape=fmt, page_date=spec.web_date if fmt == "html" else None)


# --------------------------------------------------------------------------- the committed examples

# name -> how it is built: the random_spec arguments, the format, the layout, the HTML encoding
FORMAT_VARIANTS: dict[str, dict] = {
    "docx-v2019-2020-blank-cells-one-t2": dict(
        fmt="docx", layout=dict(t2_tables="one", vertical="chars"),
        spec=dict(seed=21, edition="v2019", year=2020, scale="small", zero_style="blank", narrative="consistent")),
    "docx-v2021-2023-subtotal-several-t2": dict(
        fmt="docx", layout=dict(t2_tables="several", vertical="direction", heading_style="heading"),
        spec=dict(seed=22, edition="v2021", year=2023, scale="busy", t3_subtotal_col=True,
                  defects=("t4_total_off",), title_suffix="年度")),
    "docx-v2021-2021-early-date-no-s5-placeholders": dict(
        fmt="docx", layout=dict(t2_tables="one", vertical="plain", header_breaks=False),
        spec=dict(seed=23, edition="v2021", year=2021, zero_style="mixed", drop_sections=("s5_problems",),
                  signature_date=date(2021, 12, 30), title_lines=1,
                  section_titles={"s1_overview": "一、总体情况概述",
                                  "s4_review_litigation": "四、政府信息公开行政复议和行政诉讼情况"})),
    "html-v2021-2022-mixed-placeholders-section-variants": dict(
        fmt="html", encoding="utf-8", layout=dict(t2_tables="one", vertical="chars"),
        spec=dict(seed=24, edition="v2021", year=2022, zero_style="mixed", label_style="variants",
                  narrative="inconsistent", title_lines=1,
                  section_titles={"s4_review_litigation": "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                                  "s5_problems": "五、政府信息公开工作存在的主要问题及改进情况"})),
    "html-v2019-2020-gbk-several-t2-no-signature": dict(
        fmt="html", encoding="gbk", layout=dict(t2_tables="several", vertical="direction", html_title_in_body=False),
        spec=dict(seed=25, edition="v2019", year=2020, zero_style="dash", signature=False, title_lines=1,
                  page_date=date(2021, 1, 26))),
    "doc-v2021-2022-slash-no-s6-single-other": dict(
        fmt="doc", layout=dict(t2_tables="one", vertical="chars"),
        spec=dict(seed=26, edition="v2021", year=2022, zero_style="slash", drop_sections=("s6_other",),
                  t3_single_other=True, date_style="chinese")),
    "wps-v2019-2020-subtotal-several-t2-early-date": dict(
        fmt="wps", layout=dict(t2_tables="several", vertical="direction"),
        spec=dict(seed=27, edition="v2019", year=2020, t3_subtotal_col=True, zero_style="blank",
                  signature_date=date(2020, 12, 28), defects=("t3_total_off",))),
}
LEGACY = ("doc", "wps")


def variant(name: str) -> tuple[ReportSpec, str, DocLayout, str]:
    """(spec, format, layout, encoding) of a committed example."""
    v = FORMAT_VARIANTS[name]
    return synth.random_spec(**v["spec"]), v["fmt"], DocLayout(**v.get("layout", {})), v.get("encoding", "utf-8")


def file_name(name: str) -> str:
    return name + EXTENSIONS[FORMAT_VARIANTS[name]["fmt"]]


def _gold(name: str, data: bytes) -> bytes:
    spec, fmt, layout, encoding = variant(name)
    tr = format_truth(spec, fmt, name)
    gold = tr.to_gold(f"synthetic/{file_name(name)}", hashlib.sha256(data).hexdigest(), spec)
    gold["format"] = fmt
    gold["shape"] = "tables"
    gold["layout"] = asdict(layout)
    if fmt == "html":
        gold["encoding"] = encoding
    if fmt == "wps":
        gold["notes"] += ("; the .wps file is the Word 97 binary (.doc) written by LibreOffice, which is what "
                          "WPS Office saves for Writer documents")
    gold["generator"] = {"call": "extractor.synth_formats.variant",
                         "arguments": synth._jsonable(FORMAT_VARIANTS[name])}
    return (synth._dump(gold) + "\n").encode("utf-8")


def build_variant(name: str, legacy_dir: Path | None = None) -> bytes | None:
    """The bytes of an example: rendered (DOCX, HTML); DOC/WPS taken from `legacy_dir` when
    already there (LibreOffice output is not byte-stable), else converted (None without soffice)."""
    spec, fmt, layout, encoding = variant(name)
    if fmt in LEGACY:
        if legacy_dir is not None and (legacy_dir / file_name(name)).is_file():
            return (legacy_dir / file_name(name)).read_bytes()
        if soffice_path() is None:
            return None
        return render_doc(spec, layout)
    return render_format(spec, fmt, layout, encoding)


def corpus_files(legacy_dir: Path | None = None) -> tuple[dict[str, bytes], list[str]]:
    """({file name: bytes} of every example and its truth, [examples skipped]): DOCX and HTML
    the same bytes on every run; DOC/WPS reused from `legacy_dir` (see `build_variant`)."""
    files: dict[str, bytes] = {}
    skipped = []
    for name in FORMAT_VARIANTS:
        data = build_variant(name, legacy_dir)
        if data is None:
            skipped.append(name)
            continue
        files[file_name(name)] = data
        files[f"{name}.truth.json"] = _gold(name, data)
    return files, skipped


def write_corpus(out: Path, refresh_legacy: bool = False) -> tuple[list[Path], list[str]]:
    """Write the examples into `out` (DOC/WPS kept when present unless `refresh_legacy`);
    example files of variants that no longer exist are removed."""
    out.mkdir(parents=True, exist_ok=True)
    files, skipped = corpus_files(None if refresh_legacy else out)
    prefixes = tuple(f"{f}-" for f in FORMATS if f != "txt")
    return write_examples(out, files, skipped, prefixes, file_name), skipped


def write_examples(out: Path, files: dict[str, bytes], skipped: list[str], prefixes: tuple[str, ...],
                   name_of) -> list[Path]:
    """Write example files into `out` (unchanged files left alone) and remove the files with
    one of `prefixes` that belong to no current example; `skipped` examples keep theirs."""
    keep = set(files) | {name_of(n) for n in skipped} | {f"{n}.truth.json" for n in skipped}
    for old in out.glob("*"):
        if old.is_file() and old.name.startswith(prefixes) and old.name not in keep:
            old.unlink()
    written = []
    for fname, data in files.items():
        p = out / fname
        if not p.is_file() or p.read_bytes() != data:
            p.write_bytes(data)
        written.append(p)
    return written
