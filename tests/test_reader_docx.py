"""The DOCX reader: body order, run text, text boxes, spans from gridSpan/vMerge,
nested tables, core properties, hostile packages, the real blank template, and a
whole v2021 report built with python-docx run through the pipeline."""
from __future__ import annotations

import io
import random
import struct
import time
import zipfile
from datetime import datetime

import pytest
from conftest import real_file

from extractor.align import align_t3
from extractor.model import Grid, Paragraph
from extractor.readers import ReadError, read_document, sniff
from extractor.readers import docx as D
from extractor.readers.docx import read_docx
from extractor.templates import get_template

docx = pytest.importorskip("docx")

V21 = get_template("v2021")

# ------------------------------------------------------------------ a tiny mini-language for document.xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (f'xmlns:w="{W}" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
      'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def R(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def P(*runs: str) -> str:
    """A paragraph; plain strings are runs of text, strings starting with "<" are raw XML."""
    return "<w:p>" + "".join(x if x.startswith("<") else R(x) for x in runs) + "</w:p>"


def TC(text: str = "", span: int = 1, vm: str | None = None, td: str | None = None, inner: str = "") -> str:
    """A cell: each line of `text` is a paragraph; vm is "restart" or "continue"."""
    pr = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + \
         ('<w:vMerge w:val="restart"/>' if vm == "restart" else "<w:vMerge/>" if vm == "continue" else "") + \
         (f'<w:textDirection w:val="{td}"/>' if td else "")
    paras = "".join(P(line) if line else "<w:p/>" for line in text.split("\n"))
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{paras}{inner}</w:tc>"


def TR(*cells: str, before: int = 0, after: int = 0) -> str:
    pr = (f'<w:gridBefore w:val="{before}"/>' if before else "") + (f'<w:gridAfter w:val="{after}"/>' if after else "")
    return f"<w:tr><w:trPr>{pr}</w:trPr>{''.join(cells)}</w:tr>"


def TBL(*rows: str, cols: int = 3) -> str:
    grid = "".join('<w:gridCol w:w="1000"/>' for _ in range(cols))
    return f"<w:tbl><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def document_xml(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{body}' \
           f'<w:sectPr/></w:body></w:document>'


def package(parts: dict[str, str | bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, content in parts.items():
            z.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return buf.getvalue()


def make_docx(body: str = "", *, document: str | None = None, extra: dict | None = None) -> bytes:
    parts = {"[Content_Types].xml": CT, "_rels/.rels": RELS,
             "word/document.xml": document if document is not None else document_xml(body)}
    parts.update(extra or {})
    return package(parts)


def read(body: str = "", **kw):
    return read_docx("fixture.docx", make_docx(body, **kw))


def texts(doc):
    return [b.text if isinstance(b, Paragraph) else "GRID" for b in doc.blocks]


def spans(grid: Grid):
    return {(c.row, c.col): (c.text, c.rowspan, c.colspan) for c in grid.cells}


def docx_bytes(d) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ body order and run text

def test_body_order_paragraphs_tables_and_content_controls():
    body = (P("标题") + "<w:p/>" + P("一、总体情况")
            + TBL(TR(TC("a"), TC("b")), cols=2)
            + '<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>' + P("控件里的段落")
            + TBL(TR(TC("c")), cols=1) + "</w:sdtContent></w:sdt>"
            + P("结尾"))
    doc = read(body)
    assert doc.format == "docx" and doc.meta["source_format"] == "docx"
    assert texts(doc) == ["标题", "一、总体情况", "GRID", "控件里的段落", "GRID", "结尾"]
    # line = index of the paragraph among the body-level paragraphs, empty ones counted
    assert [b.where.line for b in doc.paragraphs()] == [1, 3, 4, 5]
    assert [g.where.table for g in doc.grids()] == [0, 1]
    assert [g.text() for g in doc.grids()] == ["a\tb", "c"]


def test_run_text_tabs_breaks_fields_and_tracked_changes():
    p = P("甲", "<w:r><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:cr/><w:t>丁</w:t></w:r>",
          '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE \\* MERGEFORMAT </w:instrText></w:r>'
          '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', R("7"), '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
          '<w:del w:id="1" w:author="x"><w:r><w:delText>删掉的</w:delText></w:r></w:del>',
          '<w:ins w:id="2" w:author="x"><w:r><w:t>插入的</w:t></w:r></w:ins>',
          '<w:moveFrom w:id="3" w:author="x"><w:r><w:t>移走的</w:t></w:r></w:moveFrom>',
          '<w:fldSimple w:instr="NUMPAGES">' + R("9") + "</w:fldSimple>",
          '<w:hyperlink r:id="rId9">' + R("链接") + "</w:hyperlink>")
    (para,) = read(p).paragraphs()
    assert para.text == "甲\t乙\n丙\n丁7插入的9链接"


def test_tab_stops_in_paragraph_properties_are_not_text_and_leading_space_is_counted():
    p = ('<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
         + R("\u3000\u3000根据条例") + "</w:p>")
    (para,) = read(p).paragraphs()
    assert para.text == "根据条例" and para.where.char == 2


def test_text_boxes_once_from_alternate_content_and_from_vml():
    drawing = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic>'
               '<a:graphicData><wps:wsp><wps:txbx><w:txbxContent>' + P("框里的标题") + P("第二段")
               + "</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
               '</mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>' + P("框里的标题")
               + P("第二段") + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
               "</mc:AlternateContent></w:r>")
    vml_only = '<w:r><w:pict><v:shape><v:textbox><w:txbxContent>' + P("旧式文本框") + \
               "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    fallback_only = ('<w:r><mc:AlternateContent><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>'
                     + P("只有后备") + "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
                     "</mc:AlternateContent></w:r>")
    doc = read(P("锚点", drawing) + P("下一段") + P(vml_only) + P(fallback_only))
    assert texts(doc) == ["锚点", "框里的标题", "第二段", "下一段", "旧式文本框", "只有后备"]
    assert [p.where.line for p in doc.paragraphs()] == [1, 1, 1, 2, 3, 4]   # box paragraphs: the anchor's line


def test_text_box_inside_a_cell_is_part_of_the_cell():
    box = '<w:r><w:pict><v:shape><v:textbox><w:txbxContent>' + P("框") + \
          "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    cell = "<w:tc><w:tcPr/>" + P("格", box) + "</w:tc>"
    (g,) = read(TBL(TR(cell), cols=1)).grids()
    assert g.cells[0].text == "格\n框"


def test_headers_and_footers_are_left_out():
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "页眉：某某局"
    d.sections[0].footer.paragraphs[0].text = "第 1 页"
    d.add_paragraph("正文第一段")
    doc = read_docx("hf.docx", docx_bytes(d))
    assert texts(doc) == ["正文第一段"]


def test_table_of_contents_control_is_skipped():
    toc = ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/></w:docPartObj></w:sdtPr>'
           "<w:sdtContent>" + P("一、总体情况\t1") + P("二、主动公开政府信息情况\t2") + "</w:sdtContent></w:sdt>")
    assert texts(read(toc + P("一、总体情况"))) == ["一、总体情况"]


# ------------------------------------------------------------------ tables: spans, positions, nesting

def test_spans_from_grid_span_and_vmerge_not_copies():
    body = TBL(
        TR(TC("勾稽", span=2, vm="restart"), TC("申请人情况", span=3)),
        TR(TC(span=2, vm="continue"), TC("自\n然\n人", vm="restart", td="btLr"), TC("法人", span=2)),
        TR(TC(span=2, vm="continue"), TC(vm="continue"), TC("商业企业"), TC("其他")),
        TR(TC("三、本年度办理结果", vm="restart", td="tbRl"), TC("（一）"), TC("1"), TC("2"), TC("3")),
        TR(TC(vm="continue"), TC("（二）"), TC("4"), TC(""), TC("6")),
        cols=5)
    (g,) = read(body).grids()
    assert g.ragged is False and g.n_rows == 5 and g.n_cols == 5
    s = spans(g)
    assert s[(0, 0)] == ("勾稽", 3, 2)
    assert s[(0, 2)] == ("申请人情况", 1, 3)
    assert s[(1, 2)] == ("自\n然\n人", 2, 1)          # vertical text kept as printed
    assert s[(1, 3)] == ("法人", 1, 2)
    assert s[(3, 0)] == ("三、本年度办理结果", 2, 1)
    assert s[(4, 3)] == ("", 1, 1)                   # a blank cell is a cell
    assert len(g.cells) == 15                        # continuation cells are not copies
    c = next(c for c in g.cells if c.text == "6")
    assert (c.where.table, c.where.row, c.where.col) == (0, 4, 4)


def test_grid_before_and_after_place_cells():
    (g,) = read(TBL(TR(TC("a"), TC("b"), TC("c")), TR(TC("x"), before=1, after=1),
                    TR(TC("y", span=2), before=1), cols=3)).grids()
    s = spans(g)
    assert s[(1, 1)] == ("x", 1, 1) and (1, 0) not in s and (1, 2) not in s
    assert s[(2, 1)] == ("y", 1, 2)


def test_vmerge_continuation_without_restart_and_merge_ending():
    (g,) = read(TBL(TR(TC("a", vm="continue"), TC("b")), TR(TC("c", vm="continue"), TC("d")),
                    TR(TC("e"), TC("f")), cols=2)).grids()
    s = spans(g)
    assert s[(0, 0)] == ("a", 2, 1)        # an orphan continuation starts a merge
    assert s[(2, 0)] == ("e", 1, 1)        # a plain cell ends it


def test_python_docx_merge_gives_real_spans():
    d = docx.Document()
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "横跨三列"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "竖跨两行"
    t.cell(1, 1).merge(t.cell(2, 2)).text = "二乘二"
    (g,) = read_docx("m.docx", docx_bytes(d)).grids()
    assert spans(g) == {(0, 0): ("横跨三列", 1, 3), (1, 0): ("竖跨两行", 2, 1), (1, 1): ("二乘二", 2, 2)}


def test_nested_tables_follow_the_outer_table_depth_first():
    deep = TBL(TR(TC("最深")), cols=1)
    inner1 = TBL(TR(TC("内1", inner=deep)), cols=1)
    inner2 = TBL(TR(TC("内2")), cols=1)
    outer = TBL(TR(TC("外A", inner=inner1), TC("外B", inner=inner2)), cols=2)
    doc = read(P("前") + outer + P("后") + TBL(TR(TC("下一个")), cols=1))
    assert texts(doc) == ["前", "GRID", "GRID", "GRID", "GRID", "后", "GRID"]
    grids = list(doc.grids())
    assert [g.cells[0].text for g in grids] == ["外A", "内1", "最深", "内2", "下一个"]
    assert [g.where.table for g in grids] == [0, 1, 2, 3, 4]
    assert grids[0].text() == "外A\t外B"           # outer cells exclude the nested tables
    assert grids[2].cells[0].where.table == 2


def test_tracked_deleted_row_and_legacy_hmerge():
    deleted = '<w:tr><w:trPr><w:del w:id="1" w:author="x"/></w:trPr>' + TC("删") + TC("删") + "</w:tr>"
    hm = ('<w:tr><w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr>' + P("合并") + "</w:tc>"
          '<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc></w:tr>')
    (g,) = read(TBL(TR(TC("a"), TC("b")), deleted, hm, cols=2)).grids()
    assert spans(g) == {(0, 0): ("a", 1, 1), (0, 1): ("b", 1, 1), (1, 0): ("合并", 1, 2)}


def test_hostile_spans_are_clipped():
    huge = '<w:tc><w:tcPr><w:gridSpan w:val="99999999999"/></w:tcPr>' + P("宽") + "</w:tc>"
    (g,) = read(TBL(TR(TC("a"), huge, TC("挤出去的")), TR(TC("b"), before=10 ** 12), cols=2)).grids()
    assert g.n_cols == D.MAX_COLS
    assert spans(g) == {(0, 0): ("a", 1, 1), (0, 1): ("宽", 1, D.MAX_COLS - 1)}


# ------------------------------------------------------------------ core properties

def test_core_properties_into_meta():
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:title>某局2021年报告</dc:title><dc:creator>张三</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2022-01-10T02:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2022-01-20T08:30:00Z</dcterms:modified>'
            "</cp:coreProperties>")
    doc = read(P("x"), extra={"docProps/core.xml": core})
    assert doc.meta == {"source_format": "docx", "doc_title": "某局2021年报告", "author": "张三",
                        "created": "2022-01-10T02:00:00+00:00", "modified": "2022-01-20T08:30:00+00:00"}


def test_core_properties_written_by_python_docx():
    d = docx.Document()
    d.core_properties.created = datetime(2023, 1, 5, 9, 0, 0)
    d.core_properties.modified = datetime(2023, 1, 6, 10, 0, 0)
    d.core_properties.author = "某某局办公室"
    d.core_properties.title = "年度报告"
    d.add_paragraph("x")
    m = read_docx("c.docx", docx_bytes(d)).meta
    assert (m["created"][:10], m["modified"][:10], m["author"], m["doc_title"]) == \
        ("2023-01-05", "2023-01-06", "某某局办公室", "年度报告")


# ------------------------------------------------------------------ hostile and broken packages

XXE = ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
       '<!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>'
       f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>前&xxe;&net;后</w:t></w:r></w:p></w:body></w:document>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + f']><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>a&lol9;b</w:t></w:r></w:p></w:body></w:document>')


def test_xxe_is_not_expanded():
    try:
        doc = read(document=XXE)
    except ReadError:
        return  # failing cleanly is allowed
    text = " ".join(b.text for b in doc.paragraphs())
    assert "root:" not in text and text == "前后"


def test_billion_laughs_neither_expands_nor_crashes():
    t0 = time.monotonic()
    try:
        doc = read(document=LAUGHS)
        assert [b.text for b in doc.paragraphs()] == ["ab"]
    except ReadError:
        pass
    assert time.monotonic() - t0 < 5


def test_entities_in_core_properties_are_inert():
    core = ('<?xml version="1.0"?><!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>&xxe;</dc:creator></cp:coreProperties>')
    doc = read(P("x"), extra={"docProps/core.xml": core})
    assert "author" not in doc.meta


def _set_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of `name` in the ZIP central directory (a lying directory)."""
    b = bytearray(data)
    i = b.find(b"PK\x01\x02")
    while i >= 0:
        n = struct.unpack_from("<H", b, i + 28)[0]
        if bytes(b[i + 46:i + 46 + n]).decode() == name:
            struct.pack_into("<I", b, i + 24, size)
        i = b.find(b"PK\x01\x02", i + 4)
    return bytes(b)


def test_zip_bomb_refused_from_the_directory():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        with z.open("word/document.xml", "w") as f:
            for _ in range(101):
                f.write(b" " * (1 << 20))   # 101 MB of spaces, about 100 kB compressed
    assert len(buf.getvalue()) < 1_000_000
    with pytest.raises(ReadError, match=r"bomb.docx: word/document.xml declares \d+ bytes"):
        read_docx("bomb.docx", buf.getvalue())


def test_zip_bomb_with_a_lying_directory_is_refused():
    big = document_xml(P("x") + " " * 3_000_000)
    data = make_docx(document=big)
    lying = _set_declared_size(data, "word/document.xml", 1000)
    with pytest.raises(ReadError, match="lie.docx: word/document.xml"):
        read_docx("lie.docx", lying)
    # the bytes actually decompressed are counted, whatever the directory says
    with pytest.raises(ReadError, match="more than 100 bytes"):
        D._read_limited(io.BytesIO(b"x" * 1000), 100)
    assert D._read_limited(io.BytesIO(b"x" * 100), 100) == b"x" * 100


def test_total_declared_size_and_read_budget(monkeypatch):
    monkeypatch.setattr(D, "MAX_DECLARED", 10_000)
    data = make_docx(P("x"), extra={"word/media/big.bin": b"\0" * 20_000})
    with pytest.raises(ReadError, match="declare 2\\d+ bytes uncompressed"):
        read_docx("t.docx", data)
    monkeypatch.setattr(D, "MAX_DECLARED", 10 ** 9)
    monkeypatch.setattr(D, "MAX_READ", 100)
    with pytest.raises(ReadError, match="t.docx: word/document.xml decompresses to more than"):
        read_docx("t.docx", data)


@pytest.mark.parametrize("data, cause", [
    (package({"[Content_Types].xml": CT, "xl/workbook.xml": "<workbook/>"}), "not a DOCX"),
    (package({"a.txt": "hello"}), "not a DOCX"),
    (make_docx(P("x"))[:200], "not a readable ZIP"),
    (b"PK\x03\x04" + b"\0" * 100, "not a readable ZIP"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "OLE compound file"),
    (make_docx(document="<w:document><w:body>"), "not well-formed XML"),
    (make_docx(document=f'<w:document xmlns:w="{W}"/>'), "no w:document/w:body"),
    (make_docx(document="<html><body>x</body></html>"), "no w:document/w:body"),
    (make_docx(document=""), "word/document.xml"),
])
def test_bad_packages_raise_read_error_naming_file_and_cause(data, cause):
    with pytest.raises(ReadError, match=cause) as e:
        read_docx("bad/报告.docx", data)
    assert "bad/报告.docx" in str(e.value)


def test_corrupt_deflate_stream_is_a_read_error():
    data = bytearray(make_docx(P("正文" * 200)))
    i = data.find(b"word/document.xml") + len("word/document.xml")  # first local header's data
    data[i + 10:i + 40] = b"\xff" * 30
    with pytest.raises(ReadError, match="broken.docx"):
        read_docx("broken.docx", bytes(data))


def test_random_damage_gives_a_document_or_a_read_error():
    good = make_docx(P("一、总体情况") + TBL(TR(TC("a", span=2)), TR(TC("b"), TC("c")), cols=2))
    rng = random.Random(7)
    for _ in range(300):
        b = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        cut = rng.choice([len(b), rng.randrange(len(b))])
        try:
            read_docx("fuzz.docx", bytes(b[:cut]))
        except ReadError:
            pass


def test_read_document_dispatches_docx():
    data = make_docx(P("正文"))
    assert sniff(data, "x.docx") == "docx"
    doc = read_document("x.docx", data)
    assert doc.format == "docx" and texts(doc) == ["正文"]


# ------------------------------------------------------------------ the real blank template

def test_real_blank_template_t3_spans_and_alignment():
    p = real_file("template-blank.docx")
    doc = read_docx(str(p), p.read_bytes())
    assert doc.meta["created"].startswith("20") and "modified" in doc.meta
    grids = list(doc.grids())
    assert len(grids) == 3 and all(not g.ragged for g in grids)
    heads = [b.text for b in doc.paragraphs() if b.text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert len(heads) == 6
    t3 = grids[1]
    by_text = {c.text.replace("\n", ""): c for c in t3.cells if c.text}

    def span(t):
        c = by_text[t]
        return c.row, c.col, c.rowspan, c.colspan

    assert t3.n_rows == 28 and t3.n_cols == 10
    assert span("申请人情况") == (0, 3, 1, 7)
    assert span("自然人") == (1, 3, 2, 1)
    assert span("法人或其他组织") == (1, 4, 1, 5)
    assert span("总计") == (1, 9, 2, 1)
    assert span("三、本年度办理结果") == (5, 0, 22, 1)
    assert span("（三）不予公开") == (7, 1, 8, 1)
    assert span("（四）无法提供") == (15, 1, 3, 1)
    assert span("（五）不予处理") == (18, 1, 5, 1)
    assert span("（六）其他处理") == (23, 1, 3, 1)
    assert span("（七）总计") == (26, 1, 1, 2)
    assert span("一、本年新收政府信息公开申请数量") == (3, 0, 1, 3)
    gouji = next(c for c in t3.cells if "勾稽" in c.text)
    assert (gouji.row, gouji.col, gouji.rowspan, gouji.colspan) == (0, 0, 3, 3)

    issues: list = []
    cells = align_t3(t3, V21, issues)
    assert issues == []
    assert len(cells) == 175 and {c.key for c in cells} == \
        {f"t3.{r.key}.{c.key}" for r in V21.t3_rows for c in V21.t3_columns}
    assert all(c.status == "blank" for c in cells)
    # each value cell comes from its row's grid row and its column's grid column
    col_of = {c.key: 3 + i for i, c in enumerate(V21.t3_columns)}
    row_of = {r.key: 3 + i for i, r in enumerate(V21.t3_rows)}
    assert all((c.where.row, c.where.col) == (row_of[c.row_key], col_of[c.col_key]) for c in cells)


# ------------------------------------------------------------------ a whole v2021 report through the pipeline

T3_ROWS = [  # (key, level-2 group or None, label) — from SCHEMA.md §3, v2021
    ("new_received", None, "一、本年新收政府信息公开申请数量"), ("carried_over", None, "二、上年结转政府信息公开申请数量"),
    ("r_granted", None, "（一）予以公开"), ("r_partial", None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("r_denied_state_secret", "（三）不予公开", "1.属于国家秘密"),
    ("r_denied_law_prohibited", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    ("r_denied_security_stability", "（三）不予公开", "3.危及“三安全一稳定”"),
    ("r_denied_third_party", "（三）不予公开", "4.保护第三方合法权益"),
    ("r_denied_internal_affairs", "（三）不予公开", "5.属于三类内部事务信息"),
    ("r_denied_process_info", "（三）不予公开", "6.属于四类过程性信息"),
    ("r_denied_enforcement_file", "（三）不予公开", "7.属于行政执法案卷"),
    ("r_denied_admin_inquiry", "（三）不予公开", "8.属于行政查询事项"),
    ("r_unable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    ("r_unable_needs_creation", "（四）无法提供", "2.没有现成信息需要另行制作"),
    ("r_unable_unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    ("r_unprocessed_petition", "（五）不予处理", "1.信访举报投诉类申请"),
    ("r_unprocessed_repeat", "（五）不予处理", "2.重复申请"),
    ("r_unprocessed_publication", "（五）不予处理", "3.要求提供公开出版物"),
    ("r_unprocessed_excessive", "（五）不予处理", "4.无正当理由大量反复申请"),
    ("r_unprocessed_confirm_reissue", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    ("r_other_no_correction", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("r_other_fee_unpaid", "（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("r_other_other", "（六）其他处理", "3.其他"),
    ("r_total", None, "（七）总计"), ("carried_forward", None, "四、结转下年度继续办理"),
]
T3_COLS = ["natural_person", "org_commercial", "org_research", "org_public_welfare", "org_legal_service",
           "org_other", "total"]
T4_KEYS = [f"t4.{b}.{c}" for b in ("review", "lit_direct", "lit_after_review")
           for c in ("upheld", "corrected", "other", "pending", "total")]


def report_values(seed: int = 3) -> dict[str, str]:
    """Cell raw text by key; every template identity holds."""
    rng = random.Random(seed)
    v: dict[str, int | str] = {}
    outcome = [k for k, _, _ in T3_ROWS[2:-2]]
    for col in T3_COLS[:-1]:
        for k in outcome:
            v[f"t3.{k}.{col}"] = rng.choice([0, 0, 1, 2, 5, 11])
        total = sum(v[f"t3.{k}.{col}"] for k in outcome)
        v[f"t3.r_total.{col}"] = total
        v[f"t3.carried_forward.{col}"] = rng.randint(0, 3)
        v[f"t3.carried_over.{col}"] = rng.randint(0, total + v[f"t3.carried_forward.{col}"])
        v[f"t3.new_received.{col}"] = total + v[f"t3.carried_forward.{col}"] - v[f"t3.carried_over.{col}"]
    for k, _, _ in T3_ROWS:
        v[f"t3.{k}.total"] = sum(v[f"t3.{k}.{c}"] for c in T3_COLS[:-1])
    for b in ("review", "lit_direct", "lit_after_review"):
        parts = [rng.randint(0, 4) for _ in range(4)]
        for c, x in zip(("upheld", "corrected", "other", "pending"), parts):
            v[f"t4.{b}.{c}"] = x
        v[f"t4.{b}.total"] = sum(parts)
    v.update({"t2.regulations.issued": 0, "t2.regulations.repealed": 1, "t2.regulations.in_force": 3,
              "t2.normative_docs.issued": 4, "t2.normative_docs.repealed": 2, "t2.normative_docs.in_force": 27,
              "t2.licensing.decisions": 1532, "t2.penalty.decisions": 86, "t2.coercion.decisions": 5,
              "t2.admin_fees.amount_10k_cny": "12.5"})
    return {k: str(x) for k, x in v.items()}


def _vertical(cell, text: str, direction: str = "tbRl", per_paragraph: bool = True):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    if per_paragraph:
        cell.text = text[0]
        for ch in text[1:]:
            cell.add_paragraph(ch)
    else:
        cell.text = "\n".join(text)  # python-docx writes w:br between the characters
    td = OxmlElement("w:textDirection")
    td.set(qn("w:val"), direction)
    cell._tc.get_or_add_tcPr().append(td)


def build_report(values: dict[str, str]) -> bytes:
    d = docx.Document()
    d.core_properties.created = datetime(2022, 1, 18, 1, 0, 0)
    d.core_properties.modified = datetime(2022, 1, 19, 1, 0, 0)
    d.sections[0].header.paragraphs[0].text = "某某市某某局"
    d.add_paragraph("某某市某某局2021年政府信息公开工作年度报告")
    d.add_paragraph("本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限为2021年1月1日至12月31日。")
    d.add_paragraph("一、总体情况")
    d.add_paragraph("2021年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，全面推进政务公开。")
    d.add_paragraph("二、主动公开政府信息情况")
    t2 = d.add_table(rows=14, cols=4)
    t2_layout = [("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
                  [("regulations", "规章"), ("normative_docs", "行政规范性文件")], ["issued", "repealed", "in_force"]),
                 ("第二十条第（五）项", ["本年处理决定数量"], [("licensing", "行政许可")], ["decisions"]),
                 ("第二十条第（六）项", ["本年处理决定数量"], [("penalty", "行政处罚"), ("coercion", "行政强制")],
                  ["decisions"]),
                 ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("admin_fees", "行政事业性收费")],
                  ["amount_10k_cny"])]
    r = 0
    for article, heads, rows, cols in t2_layout:
        t2.cell(r, 0).merge(t2.cell(r, 3)).text = article
        labels = ["信息内容"] + heads
        if len(heads) == 1:
            t2.cell(r + 1, 1).merge(t2.cell(r + 1, 3))
        for i, lab in enumerate(labels):
            t2.cell(r + 1, i).text = lab
        for j, (rk, lab) in enumerate(rows):
            rr = r + 2 + j
            t2.cell(rr, 0).text = lab
            if len(cols) == 1:
                t2.cell(rr, 1).merge(t2.cell(rr, 3))
            for i, ck in enumerate(cols):
                t2.cell(rr, 1 + i).text = values[f"t2.{rk}.{ck}"]
        r += 2 + len(rows)
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    t3 = d.add_table(rows=28, cols=10)
    t3.cell(0, 0).merge(t3.cell(2, 2)).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t3.cell(0, 3).merge(t3.cell(0, 9)).text = "申请人情况"
    _vertical(t3.cell(1, 3).merge(t3.cell(2, 3)), "自然人")
    t3.cell(1, 4).merge(t3.cell(1, 8)).text = "法人或其他组织"
    t3.cell(1, 9).merge(t3.cell(2, 9)).text = "总计"
    for i, lab in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        t3.cell(2, 4 + i).text = lab
    _vertical(t3.cell(5, 0).merge(t3.cell(26, 0)), "三、本年度办理结果", "btLr", per_paragraph=False)
    groups: dict[str, list[int]] = {}
    for i, (key, group, label) in enumerate(T3_ROWS):
        rr = 3 + i
        if key in ("new_received", "carried_over", "carried_forward"):
            t3.cell(rr, 0).merge(t3.cell(rr, 2)).text = label
        elif group is None:
            t3.cell(rr, 1).merge(t3.cell(rr, 2)).text = label
        else:
            groups.setdefault(group, []).append(rr)
            t3.cell(rr, 2).text = label
        for j, col in enumerate(T3_COLS):
            t3.cell(rr, 3 + j).text = values[f"t3.{key}.{col}"]
    for group, rows in groups.items():
        _vertical(t3.cell(rows[0], 1).merge(t3.cell(rows[-1], 1)), group)
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t4 = d.add_table(rows=4, cols=15)
    t4.cell(0, 0).merge(t4.cell(0, 4)).text = "行政复议"
    t4.cell(0, 5).merge(t4.cell(0, 14)).text = "行政诉讼"
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    for i, h in enumerate(heads):
        t4.cell(1, i).merge(t4.cell(2, i)).text = h
        t4.cell(2, 5 + i).text = h
        t4.cell(2, 10 + i).text = h
    t4.cell(1, 5).merge(t4.cell(1, 9)).text = "未经复议直接起诉"
    t4.cell(1, 10).merge(t4.cell(1, 14)).text = "复议后起诉"
    for i, k in enumerate(T4_KEYS):
        t4.cell(3, i).text = values[k]
    d.add_paragraph("五、存在的主要问题及改进情况")
    d.add_paragraph("一是公开内容还不够丰富；二是解读形式较为单一。下一步，我局将进一步加强培训。")
    d.add_paragraph("六、其他需要报告的事项")
    d.add_paragraph("本年度未收取信息处理费。")
    d.add_paragraph("某某市某某局")
    d.add_paragraph("2022年1月20日")
    return docx_bytes(d)


def test_whole_v2021_report_through_the_pipeline():
    from extractor.pipeline import parse_bytes

    values = report_values()
    rep = parse_bytes("某某局2021.docx", build_report(values))
    assert rep.format == "docx" and rep.status == "ok", rep.error
    assert rep.template_version == "v2021" and rep.report_year == 2021
    assert rep.meta["table_sources"] == "t2:grid,t3:grid,t4:grid"
    assert [s.key for s in rep.sections] == ["s0_preamble", "s1_overview", "s2_proactive", "s3_applications",
                                            "s4_review_litigation", "s5_problems", "s6_other"]
    got = {c.key: c for c in rep.cells}
    assert set(got) == set(values)           # 10 + 175 + 15 cells, nothing extra
    assert len(values) == 200
    for k, raw in values.items():
        assert got[k].raw == raw and got[k].status == "ok" and got[k].value == float(raw), k
        assert got[k].where.table is not None and got[k].where.row is not None, k
    assert got["t2.admin_fees.amount_10k_cny"].unit == "万元"
    assert rep.shape_issues == []
    errors = [f for f in rep.findings if f.severity == "error"]
    assert errors == [], [(f.rule_id, f.message) for f in errors]
    assert rep.published_on is not None and rep.published_on.isoformat() == "2022-01-20"


def test_real_template_filled_in_through_the_pipeline():
    """The official layout as circulated, its value cells filled: every cell comes back."""
    from extractor.pipeline import parse_bytes

    p = real_file("template-blank.docx")
    values = report_values(seed=11)
    d = docx.Document(str(p))
    t2, t3, t4 = d.tables
    t2_rows = {2: ("regulations", ["issued", "repealed", "in_force"]), 3: ("normative_docs", ["issued", "repealed",
               "in_force"]), 6: ("licensing", ["decisions"]), 9: ("penalty", ["decisions"]),
               10: ("coercion", ["decisions"]), 13: ("admin_fees", ["amount_10k_cny"])}
    for r, (rk, cols) in t2_rows.items():
        for i, ck in enumerate(cols):
            t2.cell(r, 1 + i).text = values[f"t2.{rk}.{ck}"]
    for i, (key, _, _) in enumerate(T3_ROWS):
        for j, col in enumerate(T3_COLS):
            t3.cell(3 + i, 3 + j).text = values[f"t3.{key}.{col}"]
    for i, k in enumerate(T4_KEYS):
        t4.cell(3, i).text = values[k]
    d.paragraphs[0].text = "某某市某某局2021年政府信息公开工作年度报告"
    rep = parse_bytes("filled-template.docx", docx_bytes(d))
    assert rep.status == "ok" and rep.template_version == "v2021" and rep.shape_issues == []
    got = {c.key: c.raw for c in rep.cells}
    assert got == values
    assert [f.rule_id for f in rep.findings if f.severity == "error"] == []
