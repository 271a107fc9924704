"""The PDF reader: ruled tables with spans and per-cell provenance, a table continued over a
page break without its header, running headers and page numbers, blank cells, narrative
order (indents, headings, two columns, rotated pages, a paragraph over a page break),
tables without rulings, scans (the OCR path), encrypted / damaged / empty PDFs, metadata,
and the two real PDF reports of the shared corpus.

The small PDFs are written by `pdfbuild` (text at exact positions, rulings, encryption);
one test prints a synthetic DOCX through LibreOffice when `soffice` is installed."""
from __future__ import annotations

import subprocess
import sys
import types

import pytest
from conftest import GOLD, real_file
from pdfbuild import Page, build, text_width, wrap

from extractor.align import align_t2, align_t3, align_t4
from extractor.model import Grid, Paragraph
from extractor.pipeline import parse_bytes
from extractor.readers import READERS, REFUSED, ReadError, read_document, sniff
from extractor.readers import pdf as P
from extractor.readers.pdf import pdf_date, read_pdf
from extractor.templates import get_template

V21 = get_template("v2021")

# ------------------------------------------------------------------ a T3 in the official layout

XS = [60.0, 80.0, 135.0, 300.0, 332.0, 364.0, 396.0, 428.0, 460.0, 492.0, 530.0]
HEAD = [(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）", 3, 3),
        (0, 3, "申请人情况", 1, 7), (1, 3, "自然\n人", 2, 1), (1, 4, "法人或其他组织", 1, 5), (1, 9, "总计", 2, 1),
        (2, 4, "商业\n企业", 1, 1), (2, 5, "科研\n机构", 1, 1), (2, 6, "社会\n公益\n组织", 1, 1),
        (2, 7, "法律\n服务\n机构", 1, 1), (2, 8, "其他", 1, 1)]
HEAD_YS = [100.0, 118.0, 136.0, 176.0]
ROW_H = 17.0


def t3_rows() -> list[tuple[str, str, str, list[str]]]:
    """(key, group label, item label, 7 values) of every v2021 T3 data row, in order."""
    out = []
    groups = {"r_denied": "（三）不予公开", "r_unable": "（四）无法提供", "r_unprocessed": "（五）不予处理",
              "r_other": "（六）其他处理"}
    for i, r in enumerate(V21.t3_rows):
        group = next((g for k, g in groups.items() if r.key.startswith(k + "_")), "")
        vals = [str((i * 7 + k) % 5) for k in range(6)]
        vals.append(str(sum(int(v) for v in vals)))
        out.append((r.key, group, r.label, vals))
    out[0][3][2] = ""  # a blank cell (new_received / org_research) whose neighbours are printed
    out[0][3][6] = str(sum(int(v) for v in out[0][3][:6] if v))
    return out


OUTER = ("new_received", "carried_over", "carried_forward")


def t3_cells(rows, label_here: bool, cont_group: str | None) -> list[tuple]:
    """Grid cells (row, col, text, rowspan, colspan) of T3 data rows, the label columns merged
    as in the template: 三、本年度办理结果 over every outcome row (printed, one character per
    line, where `label_here`: on the page that holds most of its rows), a group label over its
    items (blank when it continues `cont_group` from the previous page)."""
    cells = []
    outcome = [k for k, (key, *_rest) in enumerate(rows) if key not in OUTER]
    if outcome:
        label = "\n".join("三、本年度办理结果") if label_here else ""
        cells.append((outcome[0], 0, label, len(outcome), 1))
    k = 0
    while k < len(rows):
        key, group, label, vals = rows[k]
        if key in ("new_received", "carried_over", "carried_forward"):
            cells.append((k, 0, label, 1, 3))
        elif group:
            n = 1
            while k + n < len(rows) and rows[k + n][1] == group:
                n += 1
            text = "" if group == cont_group else group
            cells.append((k, 1, text, n, 1))
            for j in range(n):
                cells.append((k + j, 2, rows[k + j][2], 1, 1))
                cells += [(k + j, 3 + c, v, 1, 1) for c, v in enumerate(rows[k + j][3])]
            k += n
            continue
        else:
            cells.append((k, 1, label, 1, 2))
        cells += [(k, 3 + c, v, 1, 1) for c, v in enumerate(vals)]
        k += 1
    return cells


def row_ys(rows, top: float) -> list[float]:
    """Row boundaries: a row is as tall as its wrapped item label needs."""
    ys = [top]
    for _key, group, label, _vals in rows:
        width = (XS[3] - XS[2] if group else XS[3] - XS[1]) - 4
        lines = len(wrap(label, width, 8))
        ys.append(ys[-1] + max(ROW_H, lines * 8 * 1.3 + 4))
    return ys


def report_pages(break_after: str = "r_unable_not_held", repeat_header: bool = False) -> list[Page]:
    """A small v2021 report over two pages: prose, T3 broken after `break_after` without its
    header (unless `repeat_header`), T4 on the second page, page numbers at the bottom."""
    rows = t3_rows()
    cut = next(k for k, r in enumerate(rows) if r[0] == break_after) + 1
    p1, p2 = Page(), Page()
    p1.centred(60, 530, 40, "某某区人民政府2023年政府信息公开工作年度报告", 16)
    p1.text(60, 66, "三、收到和处理政府信息公开申请情况", 12)
    p1.grid(XS, HEAD_YS, HEAD, size=8)
    ys1 = row_ys(rows[:cut], HEAD_YS[-1])
    n1 = sum(1 for r in rows[:cut] if r[0] not in OUTER)
    first = n1 >= sum(1 for r in rows[cut:] if r[0] not in OUTER)
    p1.grid(XS, ys1, t3_cells(rows[:cut], first, None), size=8)
    p1.centred(60, 530, 800, "- 1 -", 10)
    top = 60.0
    if repeat_header:
        p2.grid(XS, [y - HEAD_YS[0] + top for y in HEAD_YS], HEAD, size=8)
        top += HEAD_YS[-1] - HEAD_YS[0]
    cont = rows[cut - 1][1] if rows[cut][1] == rows[cut - 1][1] else None
    ys2 = row_ys(rows[cut:], top)
    p2.grid(XS, ys2, t3_cells(rows[cut:], not first, cont), size=8)
    y = ys2[-1] + 20
    p2.text(60, y, "四、政府信息公开行政复议、行政诉讼情况", 12)
    txs = [60 + 31 * k for k in range(16)]
    tys = [y + 20, y + 38, y + 56, y + 90, y + 108]
    t4 = [(0, 0, "行政复议", 1, 5), (0, 5, "行政诉讼", 1, 10), (1, 5, "未经复议直接起诉", 1, 5),
          (1, 10, "复议后起诉", 1, 5)]
    t4 += [(1, k, ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"][k], 2, 1) for k in range(5)]
    for b in (5, 10):
        t4 += [(2, b + k, ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"][k], 1, 1) for k in range(5)]
    t4 += [(3, k, str(v), 1, 1) for k, v in enumerate([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 1, 3])]
    p2.grid(txs, tys, t4, size=8)
    p2.centred(60, 530, 800, "- 2 -", 10)
    return [p1, p2]


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return build(report_pages())


def grids(doc) -> list[Grid]:
    return list(doc.grids())


# ------------------------------------------------------------------ registry, sniffing


def test_pdf_is_registered_not_refused():
    assert READERS["pdf"] == "pdf:read_pdf"
    assert "pdf" not in REFUSED
    assert sniff(build([Page().text(72, 72, "abc")])) == "pdf"


# ------------------------------------------------------------------ ruled tables


def test_ruled_table_spans_blank_cells_and_provenance(report_pdf):
    doc = read_pdf("r.pdf", report_pdf)
    t3, t4 = grids(doc)
    cells = {(c.row, c.col): c for c in t3.cells}
    # header spans as drawn
    assert cells[(0, 0)].rowspan == 3 and cells[(0, 0)].colspan == 3
    assert cells[(0, 3)].text == "申请人情况" and cells[(0, 3)].colspan == 7
    assert cells[(1, 4)].text == "法人或其他组织" and cells[(1, 4)].colspan == 5
    assert cells[(1, 3)].text == "自然人" and cells[(1, 3)].rowspan == 2  # wrapped label joined
    assert [cells[(2, k)].text for k in range(4, 9)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    # the blank cell stays, between its printed neighbours
    row = [c.text for c in t3.rows()[3]]
    assert row[0] == "一、本年新收政府信息公开申请数量" and len(row) == 8 and row[3] == ""
    # every cell: page and bbox inside the page; table/row/col as in the grid
    for g, idx in ((t3, 0), (t4, 1)):
        for c in g.cells:
            w = c.where
            assert w.page in (1, 2) and w.bbox is not None and (w.table, w.row, w.col) == (idx, c.row, c.col)
            x0, top, x1, bottom = w.bbox
            assert 0 <= x0 < x1 <= 595 and 0 <= top < bottom <= 842
    assert cells[(3, 0)].where.bbox == (60.0, 176.0, 300.0, 193.0)


def test_vertical_label_reads_top_to_bottom(report_pdf):
    t3 = grids(read_pdf("r.pdf", report_pdf))[0]
    label = next(c for c in t3.cells if c.col == 0 and c.text.startswith("三"))
    assert label.text == "三、本年度办理结果"
    # characters emitted in reverse order and spaced out read the same
    p = Page()
    for k, ch in reversed(list(enumerate("三、本年度"))):
        p.text(66, 110 + 12 * k, ch + " ", 8)
    p.grid([60, 80, 200], [100, 180], [(0, 0, "", 1, 1), (0, 1, "x", 1, 1)])
    g = grids(read_pdf("v.pdf", build([p])))[0]
    assert g.rows()[0][0].text == "三、本年度"


def test_table_across_page_break_without_header_is_one_grid(report_pdf):
    doc = read_pdf("r.pdf", report_pdf)
    t3 = grids(doc)[0]
    rows = t3_rows()
    assert t3.n_rows == 3 + len(rows)
    # the continuation's rows follow in order, with their values in the right columns
    body = t3.rows()[3:]
    for (key, _group, label, vals), row in zip(rows, body):
        texts = [c.text for c in row]
        assert texts[-7:] == vals, key
        assert label in texts, key
    # label cells continued over the break are one cell: 三、 over all 22 outcome rows, （四） over 3
    three = next(c for c in t3.cells if c.text == "三、本年度办理结果")
    assert three.rowspan == 22 and three.where.page == 1
    four = next(c for c in t3.cells if c.text == "（四）无法提供")
    assert four.rowspan == 3
    pages = {c.where.page for c in t3.cells}
    assert pages == {1, 2}
    row_page2 = next(c for c in t3.cells if c.text == "2.没有现成信息需要另行制作")
    assert row_page2.where.page == 2 and row_page2.where.row == row_page2.row


@pytest.mark.parametrize("break_after", ["r_partial", "r_denied_third_party", "r_unable_needs_creation",
                                         "r_other_fee_unpaid"])
def test_t3_across_pages_aligns_every_cell(break_after):
    doc = read_pdf("r.pdf", build(report_pages(break_after)))
    t3 = grids(doc)[0]
    issues: list = []
    cells = {c.key: c for c in align_t3(t3, V21, issues)}
    assert not issues
    for key, _group, _label, vals in t3_rows():
        for col, v in zip([c.key for c in V21.t3_columns], vals):
            assert cells[f"t3.{key}.{col}"].raw == v, (key, col)
            assert cells[f"t3.{key}.{col}"].where.page in (1, 2)


def test_repeated_header_on_the_next_page_is_dropped():
    doc = read_pdf("r.pdf", build(report_pages("r_denied_state_secret", repeat_header=True)))
    t3 = grids(doc)[0]
    assert t3.n_rows == 3 + len(t3_rows())
    assert sum(1 for c in t3.cells if c.text == "申请人情况") == 1


def test_two_tables_of_different_columns_are_not_joined():
    p1, p2 = Page(), Page()
    p1.grid([60, 200, 300], [700, 720, 740], [(r, c, f"a{r}{c}", 1, 1) for r in range(2) for c in range(2)])
    p2.grid([60, 150, 250, 400], [60, 80, 100], [(r, c, f"b{r}{c}", 1, 1) for r in range(2) for c in range(3)])
    assert len(grids(read_pdf("x.pdf", build([p1, p2])))) == 2


def test_t4_grid_maps_every_column(report_pdf):
    t4 = grids(read_pdf("r.pdf", report_pdf))[1]
    issues: list = []
    cells = {c.key: c.raw for c in align_t4(t4, V21, issues)}
    assert not issues
    assert cells["t4.review.upheld"] == "1" and cells["t4.review.total"] == "1"
    assert cells["t4.lit_after_review.total"] == "3" and cells["t4.lit_after_review.pending"] == "1"


def test_frame_around_text_is_not_a_table():
    p = Page()
    p.rect(50, 50, 545, 200)
    p.text(60, 60, "一、总体情况", 12).text(84, 80, "本机关认真贯彻落实条例。", 12)
    doc = read_pdf("f.pdf", build([p]))
    assert not grids(doc)
    assert [b.text for b in doc.blocks] == ["一、总体情况", "本机关认真贯彻落实条例。"]


# ------------------------------------------------------------------ narrative


def test_page_numbers_and_running_headers_removed():
    pages = []
    for n, footer in enumerate(["- 1 -", "第2页", "3/5"], start=1):
        p = Page()
        p.centred(60, 530, 20, "某某区人民政府信息公开", 9)  # a running header
        p.text(84, 100, f"第{n}段正文内容，共计{n}项。", 12)
        p.centred(60, 530, 810, footer, 10)
        pages.append(p)
    doc = read_pdf("n.pdf", build(pages))
    assert [b.text for b in doc.blocks] == ["第1段正文内容，共计1项。", "第2段正文内容，共计2项。", "第3段正文内容，共计3项。"]
    assert [b.where.page for b in doc.blocks] == [1, 2, 3]


def test_paragraphs_by_indent_heading_and_spacing():
    p = Page()
    y = 60.0
    lines = [(60, "一、总体情况"), (84, "本机关认真贯彻落实《条例》，主动公开政府信息"), (60, "一百二十条，依申请公开"),
             (60, "办结五件。"), (84, "第二段从这里开始，内容为"), (60, "Open Government Information"),
             (60, "annual report"), (60, "（一）主动公开情况")]
    for x, s in lines:
        p.text(x, y, s, 12)
        y += 20
    # lines of a paragraph reach the right margin: make the margin the longest line
    doc = read_pdf("p.pdf", build([p]))
    texts = [b.text for b in doc.paragraphs()]
    assert texts[0] == "一、总体情况"
    assert texts[1].startswith("本机关认真贯彻落实《条例》，主动公开政府信息一百二十条")
    assert "Information annual" in " ".join(texts) or "Informationannual" not in "".join(texts)
    assert texts[-1] == "（一）主动公开情况"
    for b in doc.paragraphs():
        assert b.where.page == 1 and b.where.bbox is not None


def test_paragraph_continued_over_page_break_is_joined():
    p1, p2 = Page(), Page()
    full = "政府信息公开工作稳步推进" * 3 + "，全年"  # 39 characters: 468 pt at 12 pt
    p1.text(84, 700, full[:37], 12).text(60, 720, full, 12)
    p1.centred(60, 530, 810, "- 1 -", 10)
    p2.text(60, 60, "受理申请五件。", 12).text(84, 80, "下一段。", 12)
    doc = read_pdf("j.pdf", build([p1, p2]))
    texts = [b.text for b in doc.paragraphs()]
    assert texts == [full[:37] + full + "受理申请五件。", "下一段。"]
    assert doc.blocks[0].where.page == 1 and doc.blocks[1].where.page == 2


def test_two_columns_read_left_column_first():
    p = Page()
    p.centred(40, 555, 40, "标题在上面", 16)
    for k in range(6):
        p.text(40, 100 + 16 * k, f"左栏第{k + 1}行文字内容", 12)
        p.text(320, 100 + 16 * k, f"右栏第{k + 1}行文字内容", 12)
    doc = read_pdf("c.pdf", build([p]))
    text = "".join(b.text for b in doc.blocks)
    assert text.index("标题") < text.index("左栏第1行") < text.index("左栏第6行") < text.index("右栏第1行")


def test_rotated_page_reads_in_display_order():
    p = Page(width=595, height=842, rotate=90)
    # drawn in the unrotated page: once turned 90° clockwise, x (user) runs down the screen
    p.ops.append("BT /F1 12 Tf 0 1 -1 0 470 100 Tm <" + "".join(f"{ord(c):04X}" for c in "第一行文字") + "> Tj ET")
    p.ops.append("BT /F1 12 Tf 0 1 -1 0 500 100 Tm <" + "".join(f"{ord(c):04X}" for c in "第二行文字") + "> Tj ET")
    doc = read_pdf("rot.pdf", build([p]))
    text = "".join(b.text for b in doc.blocks)
    assert text.index("第一行") < text.index("第二行")


# ------------------------------------------------------------------ tables without rulings

COLS = [330.0, 362.0, 394.0, 426.0, 458.0, 490.0, 522.0]  # right edges of the 7 value columns


def aligned_t3_page() -> Page:
    p = Page()
    p.text(60, 60, "三、收到和处理政府信息公开申请情况", 14)
    p.centred(300, 530, 90, "申请人情况", 9)
    p.centred(COLS[0] - 19, COLS[0] + 13, 104, "自然人", 9)
    p.centred(340, 500, 104, "法人或其他组织", 9)
    p.centred(COLS[6] - 19, COLS[6] + 13, 104, "总计", 9)
    for x, lab in zip(COLS[1:6], ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        p.centred(x - 19, x + 13, 118, lab[:2], 7).centred(x - 19, x + 13, 126, lab[2:], 7)
    top = 140.0
    for key, group, label, vals in t3_rows():
        if label.startswith("1.") and group:
            p.text(60, top, group, 9)
            top += 13
        x = 72 if group else 60
        p.text(x, top, label[:24], 9)
        for x1, v in zip(COLS, vals):
            if v:
                p.text(x1 - text_width(v, 9), top, v, 9)
        if len(label) > 24:  # the label wraps onto a line of its own
            top += 12
            p.text(x, top, label[24:], 9)
        top += 14
    return p


def test_table_without_rulings_becomes_a_grid():
    doc = read_pdf("a.pdf", build([aligned_t3_page()]))
    gs = grids(doc)
    assert len(gs) == 1
    issues: list = []
    cells = {c.key: c for c in align_t3(gs[0], V21, issues)}
    for key, _group, _label, vals in t3_rows():
        for col, v in zip([c.key for c in V21.t3_columns], vals):
            assert cells[f"t3.{key}.{col}"].raw == v, (key, col)
            w = cells[f"t3.{key}.{col}"].where
            assert w.page == 1 and w.bbox is not None
    assert cells["t3.new_received.org_research"].status == "blank"
    assert doc.blocks[0].text == "三、收到和处理政府信息公开申请情况"


def aligned_t2_t4_page() -> Page:
    p = Page()
    p.text(60, 50, "二、主动公开政府信息情况", 14)
    y = 80.0
    for title, head, rows in [
            ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
             [("规章", ["0", "0", "2"]), ("行政规范性文件", ["3", "", "25"])]),
            ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", ["120"])]),
            ("第二十条第（六）项", ["本年处理决定数量"], [("行政处罚", ["45"]), ("行政强制", ["0"])]),
            ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", ["1.5"])])]:
        p.centred(60, 530, y, title, 10)
        y += 16
        cols = [330.0, 430.0, 530.0] if len(head) == 3 else [430.0]
        p.text(60, y, "信息内容", 10)
        for x, h in zip(cols, head):
            p.centred(x - 90, x, y, h, 10)
        y += 16
        for lab, vals in rows:
            p.text(60, y, lab, 10)
            for x, v in zip(cols, vals):
                if v:
                    p.centred(x - 90, x, y, v, 10)
            y += 16
        y += 4
    p.text(60, y + 10, "四、政府信息公开行政复议、行政诉讼情况", 14)
    y += 34
    xs = [60.0 + 31 * k for k in range(16)]
    p.centred(xs[0], xs[5], y, "行政复议", 9).centred(xs[5], xs[15], y, "行政诉讼", 9)
    p.centred(xs[5], xs[10], y + 14, "未经复议直接起诉", 9).centred(xs[10], xs[15], y + 14, "复议后起诉", 9)
    for k in range(15):  # leaf labels printed edge to edge
        p.centred(xs[k], xs[k + 1], y + 28, ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"][k % 5], 7)
    for k, v in enumerate([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 1, 3]):
        p.centred(xs[k], xs[k + 1], y + 42, str(v), 9)
    return p


def test_t2_and_t4_without_rulings():
    doc = read_pdf("a.pdf", build([aligned_t2_t4_page()]))
    t2, t4 = grids(doc)
    issues: list = []
    cells = {c.key: c.raw for c in align_t2([t2], V21, issues)}
    assert not issues
    assert cells == {"t2.regulations.issued": "0", "t2.regulations.repealed": "0", "t2.regulations.in_force": "2",
                     "t2.normative_docs.issued": "3", "t2.normative_docs.repealed": "",
                     "t2.normative_docs.in_force": "25", "t2.licensing.decisions": "120",
                     "t2.penalty.decisions": "45", "t2.coercion.decisions": "0",
                     "t2.admin_fees.amount_10k_cny": "1.5"}
    # a sub-table's single value spans the columns of the three-column one, as in the ruled T2
    lic = next(c for c in t2.cells if c.text == "120")
    assert lic.colspan == 3
    assert [c.text for c in t4.rows()[2]][-15:] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
    cells = {c.key: c.raw for c in align_t4(t4, V21, [])}
    assert [cells[f"t4.{b}.{k}"] for b in ("review", "lit_direct", "lit_after_review")
            for k in ("upheld", "corrected", "other", "pending", "total")] == \
        ["1", "0", "0", "0", "1", "0", "0", "0", "0", "0", "2", "0", "0", "1", "3"]
    for g in (t2, t4):
        assert all(c.where.page == 1 and c.where.bbox for c in g.cells)


def test_prose_with_numbers_is_not_a_table():
    p = Page()
    for k, s in enumerate(["本年度收到申请 12 件，办结 11 件，结转 1 件。", "主动公开信息 300 条，其中 20 条",
                           "为规范性文件 5 件 6 件 7 件。"]):
        p.text(60, 60 + 16 * k, s, 12)
    doc = read_pdf("q.pdf", build([p]))
    assert not grids(doc)


# ------------------------------------------------------------------ the whole pipeline


def test_pipeline_reads_the_two_page_report(report_pdf):
    rep = parse_bytes("r.pdf", report_pdf)
    assert rep.status in ("ok", "partial") and rep.format == "pdf"
    assert rep.template_version == "v2021" and rep.report_year == 2023
    got = {c.key: c for c in rep.cells}
    for key, _group, _label, vals in t3_rows():
        for col, v in zip([c.key for c in V21.t3_columns], vals):
            assert got[f"t3.{key}.{col}"].raw == v
    assert got["t4.lit_after_review.total"].value == 3
    for c in rep.cells:
        assert c.where.page is not None and c.where.bbox is not None, c.key


# ------------------------------------------------------------------ scans and OCR


def scan_pdf() -> bytes:
    import io

    from PIL import Image, ImageDraw

    img = Image.new("L", (400, 560), 255)
    ImageDraw.Draw(img).rectangle((40, 40, 360, 120), outline=0, width=3)
    out = io.BytesIO()
    img.save(out, format="PDF", resolution=72)
    return out.getvalue()


def test_page_without_text_layer_needs_ocr(monkeypatch):
    monkeypatch.setitem(sys.modules, "extractor.readers.ocr", None)  # the OCR extra not installed
    with pytest.raises(ReadError) as e:
        read_pdf("scan.pdf", scan_pdf())
    msg = str(e.value)
    assert msg.startswith("scan.pdf:") and "no text layer" in msg and "pip install 'extractor[ocr]'" in msg


def test_page_without_text_layer_goes_through_ocr(monkeypatch):
    seen = {}

    def fake_ocr(image, page_no, page_size):
        seen.update(size=image.size, page=page_no, page_size=page_size)
        from extractor.model import GridCell, Where
        return [Paragraph("扫描页文字", Where(page=page_no, bbox=(1, 2, 3, 4))),
                Grid((GridCell(0, 0, "a", where=Where(page=page_no, table=7, row=0, col=0), confidence=0.5),))]

    monkeypatch.setitem(sys.modules, "extractor.readers.ocr", types.SimpleNamespace(ocr_page_blocks=fake_ocr))
    doc = read_pdf("scan.pdf", scan_pdf())
    assert seen["page"] == 1 and seen["page_size"] == (400.0, 560.0)
    assert abs(seen["size"][0] - 400 * 200 / 72) <= 2  # rendered at ~200 dpi
    assert doc.blocks[0].text == "扫描页文字"
    g = grids(doc)[0]
    assert g.cells[0].where.table == 0 and g.where.table == 0 and g.cells[0].confidence == 0.5
    assert doc.meta["ocr_pages"] == "1"


def test_scan_with_a_stamped_page_number_goes_to_ocr(monkeypatch):
    seen = []
    monkeypatch.setitem(sys.modules, "extractor.readers.ocr", types.SimpleNamespace(
        ocr_page_blocks=lambda image, no, size: seen.append(no) or [Paragraph("扫描", P.Where(page=no))]))
    text = Page().text(60, 60, "第一页正文", 12).image(500, 20, 560, 60, (8, 8))  # a small logo
    scan = Page().image(0, 0, 595, 842, (60, 84)).centred(60, 530, 800, "- 2 -")  # a page number stamped
    doc = read_pdf("s.pdf", build([text, scan]))
    assert seen == [2] and [b.text for b in doc.blocks] == ["第一页正文", "扫描"]


def ocr_grid(page: int, xs, ys, cells) -> Grid:
    """What the OCR returns for a ruled table: cells with page and bbox (the text one line)."""
    from extractor.model import GridCell, Where
    return Grid(tuple(GridCell(r, c, text.replace("\n", ""), rs, cs,
                               Where(page=page, bbox=(xs[c], ys[r], xs[c + cs], ys[r + rs]), row=r, col=c),
                               confidence=0.97)
                      for r, c, text, rs, cs in cells), Where(page=page, bbox=(xs[0], ys[0], xs[-1], ys[-1])))


def test_ocr_tables_across_a_page_break_are_joined(monkeypatch):
    rows = t3_rows()
    cut = next(k for k, r in enumerate(rows) if r[0] == "r_unable_not_held") + 1
    head = ocr_grid(1, XS, HEAD_YS + row_ys(rows[:cut], HEAD_YS[-1])[1:],
                    HEAD + [(r + 3, c, t, rs, cs) for r, c, t, rs, cs in t3_cells(rows[:cut], True, None)])
    cont = ocr_grid(2, [x + 1.5 for x in XS], row_ys(rows[cut:], 60.0),  # a scan is never quite aligned
                    t3_cells(rows[cut:], False, rows[cut - 1][1]))
    blocks = {1: [Paragraph("三、收到和处理政府信息公开申请情况", P.Where(page=1)), head], 2: [cont]}
    monkeypatch.setitem(sys.modules, "extractor.readers.ocr", types.SimpleNamespace(
        ocr_page_blocks=lambda image, no, size: blocks[no]))
    scans = [Page().image(0, 0, 595, 842, (20, 28)) for _ in range(2)]
    doc = read_pdf("s.pdf", build(scans))
    (t3,) = grids(doc)
    assert {c.where.page for c in t3.cells} == {1, 2} and all(c.confidence == 0.97 for c in t3.cells)
    issues: list = []
    cells = {c.key: c for c in align_t3(t3, V21, issues)}
    assert not issues
    for key, _group, _label, vals in rows:
        for col, v in zip([c.key for c in V21.t3_columns], vals):
            assert cells[f"t3.{key}.{col}"].raw == v, (key, col)
    assert cells["t3.carried_forward.total"].where.page == 2


def test_blank_page_is_not_sent_to_ocr(monkeypatch):
    monkeypatch.setitem(sys.modules, "extractor.readers.ocr", None)
    doc = read_pdf("b.pdf", build([Page(), Page().text(60, 60, "正文", 12)]))
    assert [b.text for b in doc.blocks] == ["正文"]


# ------------------------------------------------------------------ bad files


def test_encrypted_pdf_is_a_clear_error():
    data = build([Page().text(60, 60, "机密", 12)], password="secret")
    import pypdfium2 as pdfium
    assert pdfium.PdfDocument(data, password="secret")[0].get_textpage().get_text_range() == "机密"
    with pytest.raises(ReadError, match=r"^e\.pdf: password-protected"):
        read_pdf("e.pdf", data)
    rep = parse_bytes("e.pdf", data)
    assert rep.status == "failed" and "password-protected" in rep.error and rep.format == "pdf"


def test_permissions_only_encryption_is_read():
    # encrypted with an empty user password (only an owner password): every viewer opens it
    doc = read_pdf("o.pdf", build([Page().text(60, 60, "公开", 12)], password=""))
    assert [b.text for b in doc.blocks] == ["公开"]


def test_damaged_and_truncated_pdfs_are_read_errors(report_pdf):
    with pytest.raises(ReadError, match=r"^d\.pdf: damaged"):
        read_pdf("d.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(ReadError, match=r"^d\.pdf: damaged"):
        read_pdf("d.pdf", report_pdf[:300])
    for cut in (len(report_pdf) // 3, len(report_pdf) // 2, len(report_pdf) - 40):
        try:
            doc = read_pdf("t.pdf", report_pdf[:cut])  # PDFium may repair a truncated file
        except ReadError as e:
            assert str(e).startswith("t.pdf: ")
        else:
            assert doc.format == "pdf"


def test_pdf_without_pages():
    data = build([])
    with pytest.raises(ReadError, match=r"^z\.pdf: damaged: "):  # PDFium refuses it, or it has no pages
        read_pdf("z.pdf", data)


def test_reader_errors_are_always_read_errors(monkeypatch, report_pdf):
    def boom(*a, **k):
        raise ValueError("boom")

    monkeypatch.setattr(P, "_layout", boom)
    with pytest.raises(ReadError, match=r"^x\.pdf: unreadable PDF \(ValueError: boom\)"):
        read_pdf("x.pdf", report_pdf)


# ------------------------------------------------------------------ metadata


def test_metadata():
    info = {"Title": "某某区2023年政府信息公开工作年度报告", "Author": "王某", "CreationDate": "D:20240226144123+08'00'",
            "ModDate": "D:20240227"}
    doc = read_document("m.pdf", build([Page().text(60, 60, "正文", 12), Page()], info=info))
    assert doc.format == "pdf"
    assert doc.meta["source_format"] == "pdf" and doc.meta["pages"] == 2
    assert doc.meta["created"] == "2024-02-26T14:41:23+08:00" and doc.meta["modified"] == "2024-02-27"
    assert doc.meta["doc_title"] == info["Title"] and doc.meta["author"] == "王某"


@pytest.mark.parametrize("raw, iso", [("D:20240226144123+06'41'", "2024-02-26T14:41:23+06:41"),
                                      ("D:20240226144123Z", "2024-02-26T14:41:23+00:00"),
                                      ("D:20240226144123", "2024-02-26T14:41:23"),
                                      ("D:2024", "2024-01-01"), ("20231301", None), ("", None), ("junk", None)])
def test_pdf_dates(raw, iso):
    assert pdf_date(raw) == iso


# ------------------------------------------------------------------ a DOCX printed by LibreOffice


def test_docx_printed_by_libreoffice(tmp_path):
    from extractor import synth_formats as sf
    from extractor.readers.legacy import soffice

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice (soffice) not installed")
    spec, _fmt, layout, _enc = sf.variant("docx-v2021-2023-subtotal-several-t2")
    (tmp_path / "r.docx").write_bytes(sf.render_docx(spec, layout))
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "r.docx")], check=True, capture_output=True,
                   timeout=180)
    rep = parse_bytes("r.pdf", (tmp_path / "r.pdf").read_bytes())
    truth = sf.format_truth(spec, "docx")
    got = {c.key: c for c in rep.cells}
    wrong = [k for k, (v, raw, _s) in truth.cells.items() if k not in got or got[k].value != v]
    assert not wrong
    assert [s.key for s in rep.sections] == [k for k, _ in truth.sections]
    for c in rep.cells:
        assert c.where.page is not None and c.where.bbox is not None


# ------------------------------------------------------------------ the real reports


@pytest.mark.parametrize("name", ["hongze-2023", "hongze-2024"])
def test_real_pdf_reports(name):
    import json

    path = real_file(f"{name}.pdf")
    data = path.read_bytes()
    doc = read_document(str(path), data)
    gs = grids(doc)
    assert len(gs) == 3  # T2 (over p.2-3), T3 (over p.3-4), T4
    for g in gs:
        for c in g.cells:
            assert c.where.page in (2, 3, 4) and c.where.bbox is not None
    t2, t3, _t4 = gs
    assert {c.where.page for c in t2.cells} == {2, 3} and {c.where.page for c in t3.cells} == {3, 4}
    assert next(c for c in t3.cells if c.text == "三、本年度办理结果").rowspan == 20
    texts = [b.text for b in doc.paragraphs()]
    assert not any(P.PAGE_NO.match(t) for t in texts)
    assert all(b.where.page and b.where.bbox for b in doc.paragraphs())
    rep = parse_bytes(str(path), data)
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    want = {**gold["cells"], **gold["extra_cells"]}
    got = {c.key: c for c in rep.cells}
    wrong = [k for k, v in want.items() if k not in got or got[k].value != v["value"]]
    assert not wrong
    assert [s.key for s in rep.sections] == [s["key"] for s in gold["sections"]]
    rules = {f.rule_id for f in rep.findings}
    assert {d["rule"] for d in gold["true_inconsistencies"]} <= rules
    for c in rep.cells:
        assert c.where.page is not None and c.where.bbox is not None


@pytest.mark.parametrize("name", ["hongze-2023", "hongze-2024"])
def test_pdfium_gives_what_pdfplumber_gives(name):
    """Why the reader uses PDFium: on the real reports its characters are exactly pdfplumber's
    (same characters, centres within a few points: PDFium's loose boxes are the font's
    ascent/descent box) and its ruling segments are pdfplumber's lines, at a fraction of the time."""
    import statistics

    pdfplumber = pytest.importorskip("pdfplumber")
    import pypdfium2 as pdfium

    path = real_file(f"{name}.pdf")
    doc = pdfium.PdfDocument(str(path))
    with pdfplumber.open(str(path)) as pl:
        for i, pp in enumerate(pl.pages):
            page = doc[i]
            tf, size = P._display(page)
            assert size == (pp.width, pp.height)
            ours = P._page_chars(page.get_textpage(), tf)
            theirs = [c for c in pp.chars if c["text"].strip()]
            assert sorted(c[P.CH] for c in ours) == sorted(c["text"] for c in theirs)
            at: dict[str, list] = {}
            for c in theirs:
                at.setdefault(c["text"], []).append(((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2))
            dist = [min(abs(x - (c[0] + c[2]) / 2) + abs(y - (c[1] + c[3]) / 2) for x, y in at[c[P.CH]])
                    for c in ours]
            assert max(dist) < 4.0 and statistics.median(dist) < 1.5
            hs, vs = P._page_segments(page, tf)
            lines = sorted((round(ln["top"]), round(ln["x0"])) for ln in pp.lines)
            segs = sorted([(round(y), round(a)) for y, a, _ in hs] + [(round(a), round(x)) for x, a, _ in vs])
            assert len(segs) == len(lines)
            assert all(abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1 for a, b in zip(segs, lines))
