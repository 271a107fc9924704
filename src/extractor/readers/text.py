"""Plain-text reports.

Two real shapes are read:

* the cell-per-line export of a DOCX (the seed report): paragraphs are plain
  lines; a table is a run of lines where each cell starts with a tab, blank
  cells are a lone tab, rows are separated by empty lines, and a line without a
  tab right after a cell continues that cell (vertical labels print one
  character per line). Horizontal spans are lost, so grids are `ragged`.
* the text rendering of an archived web page: `key: value` header lines, a
  `==== 正文 ====` rule, then the page body, often on one line with the tables
  flattened (labels followed by run-together digits). Those stay paragraphs;
  `align` reads the flattened tables.
"""
from __future__ import annotations

import codecs

import regex as re
from charset_normalizer import from_bytes

from ..model import Document, Grid, GridCell, Paragraph, Where


class ReadError(Exception):
    """A file that cannot be read; the message names the cause."""


HEADER_KEYS = {"标题": "title", "发布时间": "published", "发布日期": "published", "文号": "doc_number",
               "发布机构": "publisher", "栏目": "column", "原文链接": "url", "来源": "source",
               "成文日期": "written", "索引号": "index_number"}
BODY_RULE = re.compile(r"^=+\s*正文\s*=+\s*$")
ARTIFACTS = re.compile(r"\[bookmark:[^\]]*\]|<!--\[if[^\]]*\]-->|<!--\[endif\]-->")
# navigation and share buttons of government CMS pages, before and after the report
CHROME_HEAD = re.compile(r"^\s*当前位置[:：].*?相关链接[:：]\s*-->\s*", re.S)
CHROME_TAIL = re.compile(r"\s*(附件下载|【打印本页】|【关闭窗口】)\s*$")


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Bytes -> (text, encoding): BOM first, then strict UTF-8, then GB18030 (a superset
    of GBK and GB2312), then detection. Binary content is refused."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), enc
    if b"\x00" in data[:4096]:
        raise ReadError(f"{path}: binary content (NUL bytes), not a text report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError(f"{path}: undecodable bytes (not UTF-8, GB18030 or a detectable encoding)")
    return str(best), best.encoding


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n\f") or ch == "\ufffd")
    return bad / len(sample) > 0.02


def read_text(path: str, data: bytes) -> Document:
    text, encoding = decode(data, path)
    if _looks_binary(text):
        raise ReadError(f"{path}: control characters throughout, not a text report")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    meta: dict = {"encoding": encoding, "source_format": "txt"}

    start = 0
    rule_at = next((i for i, l in enumerate(lines[:40]) if BODY_RULE.match(l)), None)
    if rule_at is not None:
        for l in lines[:rule_at]:
            k, sep, v = l.partition(":")
            if sep and k.strip() in HEADER_KEYS and v.strip():
                meta[HEADER_KEYS[k.strip()]] = v.strip()
        meta["page_text"] = True
        start = rule_at + 1

    tab_lines = sum(1 for l in lines if l.startswith("\t"))
    if tab_lines >= 8:
        blocks = _cell_per_line(lines, start)
        meta["text_shape"] = "cell-per-line"
    else:
        blocks = _paragraphs(lines, start)
        meta["text_shape"] = "flattened" if any(len(b.text) > 2000 for b in blocks) else "paragraphs"
    return Document(path=path, format="txt", blocks=blocks, meta=meta)


def _clean(line: str) -> str:
    return ARTIFACTS.sub("", line)


def _paragraphs(lines: list[str], start: int) -> list[Paragraph]:
    out = []
    body = [(i, _clean(l)) for i, l in enumerate(lines) if i >= start]
    for n, (i, l) in enumerate(body):
        t = l.lstrip()
        if n == 0 or len(out) == 0:
            t = CHROME_HEAD.sub("", t)
        offset = len(l) - len(t)  # characters of the line dropped before the text
        t = t.rstrip()
        if not t:
            continue
        out.append(Paragraph(t, Where(line=i + 1, char=offset if offset else None)))
    if out:
        last = out[-1]
        out[-1] = Paragraph(CHROME_TAIL.sub("", last.text), last.where)
        if not out[-1].text:
            out.pop()
    return out


def _cell_per_line(lines: list[str], start: int) -> list:
    blocks: list = []
    rows: list[list[list]] = []  # rows of cells; a cell is [text_lines, first_line, last_line]
    row: list[list] = []
    in_table = False
    table_no = 0
    table_start = 0

    def flush_row():
        nonlocal row
        if row:
            rows.append(row)
        row = []

    def flush_table():
        nonlocal rows, in_table, table_no
        flush_row()
        if rows:
            cells = []
            for r, cells_in_row in enumerate(rows):
                for c, (texts, l0, l1) in enumerate(cells_in_row):
                    cells.append(GridCell(r, c, "\n".join(texts).strip(),
                                          where=Where(table=table_no, row=r, col=c, line=l0 + 1, line_end=l1 + 1)))
            last = max(l1 for rr in rows for _, _, l1 in rr)
            blocks.append(Grid(tuple(cells), Where(table=table_no, line=table_start + 1, line_end=last + 1),
                               ragged=True))
            table_no += 1
        rows = []
        in_table = False

    prev_was_cell = False
    for i in range(start, len(lines)):
        raw = _clean(lines[i])
        if raw.startswith("\t"):
            if not in_table:
                in_table, table_start = True, i
            row.append([[raw[1:].strip()], i, i])
            prev_was_cell = True
        elif raw.strip() == "":
            if in_table:
                flush_row()
            prev_was_cell = False
        elif in_table and prev_was_cell and row and len(raw.strip()) <= 20 and not raw.strip().endswith("。"):
            row[-1][0].append(raw.strip())  # continuation of a cell (vertical label)
            row[-1][2] = i
        else:
            if in_table:
                flush_table()
            blocks.append(Paragraph(raw.strip(), Where(line=i + 1)))
            prev_was_cell = False
    if in_table:
        flush_table()
    return blocks
