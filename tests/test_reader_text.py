"""The plain-text reader: both real shapes, encodings, bad input."""
import pytest

from extractor.model import Grid, Paragraph
from extractor.readers import ReadError, read_document, sniff

CELL_PER_LINE = "\n".join([
    "某某局2020年", "政府信息公开工作年度报告", "", "一、总体情况", "正文。", "",
    "\t信息内容", "\t本年新制作数量", "\t本年新公开数量", "",
    "\t规章", "\t0", "\t", "",
    "\t自", "然", "人", "\t其", "他", "",
    "二、主动公开政府信息情况", "",
]) + "\n\t" * 0


def test_cell_per_line_grid_rows_cells_and_vertical_labels():
    doc = read_document("x.txt", CELL_PER_LINE.encode("utf-8"))
    grids = [b for b in doc.blocks if isinstance(b, Grid)]
    assert len(grids) == 1 and grids[0].ragged
    rows = [[c.text for c in r] for r in grids[0].rows()]
    assert rows == [["信息内容", "本年新制作数量", "本年新公开数量"], ["规章", "0", ""], ["自\n然\n人", "其\n他"]]
    cell = grids[0].rows()[1][2]
    assert cell.text == "" and cell.where.line == 13          # provenance: source line of the blank cell
    paras = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert paras[-1] == "二、主动公开政府信息情况"


def test_web_text_header_and_chrome():
    text = ("标题: 某局2013年信息公开年度报告\n发布时间: 2014-02-25 00:00\n文号: \n"
            "==================== 正文 ====================\n"
            "当前位置： 首页 某局2013年信息公开年度报告 来源：x 相关链接： --> 某局2013年信息公开年度报告 根据… 附件下载")
    doc = read_document("p.txt", text.encode("utf-8"))
    assert doc.meta["title"] == "某局2013年信息公开年度报告"
    assert doc.meta["published"] == "2014-02-25 00:00"
    body = [b.text for b in doc.blocks]
    assert body == ["某局2013年信息公开年度报告 根据…"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_encodings_give_the_same_document(encoding):
    doc = read_document("x.txt", CELL_PER_LINE.encode(encoding))
    ref = read_document("x.txt", CELL_PER_LINE.encode("utf-8"))
    assert [getattr(b, "text", None) for b in doc.paragraphs()] == [b.text for b in ref.paragraphs()]
    assert [g.text() for g in doc.grids()] == [g.text() for g in ref.grids()]


def test_binary_garbage_is_refused_with_the_file_named():
    with pytest.raises(ReadError, match="junk.txt"):
        read_document("junk.txt", bytes(range(256)) * 20)


def test_empty_file():
    with pytest.raises(ReadError, match="empty"):
        read_document("e.txt", b"")


@pytest.mark.parametrize("data,fmt", [(b"%PDF-1.7 ...", "pdf"), (b"PK\x03\x04....word/document.xml", "docx"),
                                      (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "ole"),
                                      (b"<!DOCTYPE html><html>", "html"), ("纯文本".encode(), "txt")])
def test_sniff_by_content_not_extension(data, fmt):
    assert sniff(data, "report.txt") == fmt
