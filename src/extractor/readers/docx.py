"""DOCX (WordprocessingML) reports, read from the package XML with lxml.

What is read
------------
* The main document part (the `officeDocument` relationship of `_rels/.rels`,
  else `word/document.xml`): the children of `w:body` in order — paragraphs
  (`w:p`), tables (`w:tbl`), and both inside content controls (`w:sdt`),
  `w:customXml` and `mc:AlternateContent` wrappers. Headers, footers, footnotes
  and comments live in other parts and are left out. A content control that is a
  table of contents (docPartGallery "Table of Contents") is skipped: its entries
  repeat the section headings.
* Paragraph text is the run text: `w:t`; `w:tab`/`w:ptab` -> tab; `w:br`/`w:cr`
  -> line break; `w:noBreakHyphen` -> "-". Field codes (`w:instrText`), tracked
  deletions (`w:del`, `w:moveFrom`) and ruby annotations (`w:rt`) are left out;
  tracked insertions are kept. Text boxes (`w:txbxContent`, found in DrawingML
  and VML shapes; of an `mc:AlternateContent` only the first `mc:Choice`, else
  the `mc:Fallback`, is read, so a box is never read twice) become paragraphs
  (and grids) right after the paragraph that anchors them; in a table cell they
  become lines of the cell.
* Tables become `Grid`s with real spans, read from the XML (python-docx's
  `row.cells` repeats merged cells): column positions from `w:gridBefore` and
  `w:gridSpan` (also the legacy `w:hMerge`); `w:vMerge` restart/continue gives
  the rowspan (continuation cells below in the same grid column; their own
  content, which Word does not print, is dropped). Cell text is
  its paragraphs joined with "\\n", ends stripped; vertical text
  (`w:textDirection`) and one-character-per-line labels stay as printed. A table
  inside a cell becomes its own `Grid` right after the outer table (depth first)
  and is not part of the outer cell's text. Tracked-deleted rows are dropped.
* Core properties (`docProps/core.xml`) go to `Document.meta` as "created",
  "modified" (ISO 8601 strings, as stored: usually UTC), "doc_title", "author";
  "source_format" is "docx".

Provenance
----------
Grid cells: `Where(table=i, row=r, col=c)`, with `i` the 0-based order of the
grid among the document's grids (nested grids counted where they are emitted)
and `r`/`c` grid positions. Paragraphs: `Where(line=n)` where `n` is the 1-based
index of the paragraph among the body-level paragraphs (`w:p` children of
`w:body`, including those inside body-level content controls; empty paragraphs
are counted though not emitted; table-cell paragraphs are not counted);
text-box paragraphs carry the index of their anchor paragraph. `char` is set
when leading whitespace was stripped (like the text reader).

Safety
------
Every XML part is parsed without entity expansion, DTD loading or network
(an XXE payload is inert: entity references are dropped; a part whose entities
would expand exponentially — billion laughs — or that needs the entities of an
external DTD is a `ReadError` saying so). The
ZIP directory is checked before anything is decompressed (entry count, size of
each part read, total declared size) and the bytes actually decompressed are
counted while reading. Grid positions are clipped to `MAX_COLS` columns (a
hostile `w:gridSpan`/`w:gridBefore` cannot make a huge grid). Every failure is
a `ReadError` naming the file and the cause.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import datetime

from lxml import etree

from ..model import Document, Grid, GridCell, Paragraph, Where
from .text import ReadError

W_NS = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main")  # transitional, strict
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
CORE_KEYS = {"created": "created", "modified": "modified", "title": "doc_title", "creator": "author"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

MAX_PART = 100 * 1024 * 1024          # one XML part, declared or decompressed
MAX_READ = 200 * 1024 * 1024          # all parts read, decompressed
MAX_DECLARED = 1024 * 1024 * 1024     # all entries of the ZIP directory, declared
MAX_ENTRIES = 20000
DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
MAX_COLS = 256                        # grid columns (Word allows 63); spans and offsets are clipped

# inline elements whose content is not printed text
SKIP_INLINE = {"del", "moveFrom", "instrText", "delText", "delInstrText", "rt", "fldData"}
TRANSPARENT = {"customXml", "ins", "moveTo", "smartTag"}


def _split(tag) -> tuple[str | None, str | None]:
    if not isinstance(tag, str):  # comments, processing instructions, unexpanded entities
        return None, None
    if tag[:1] == "{":
        ns, _, ln = tag[1:].partition("}")
        return ns, ln
    return "", tag


def _wl(el) -> str | None:
    """Local name of a WordprocessingML element, None for anything else."""
    ns, ln = _split(el.tag)
    return ln if ns in W_NS else None


def _wchild(el, name: str):
    if el is None:
        return None
    return next((c for c in el if _wl(c) == name), None)


def _wval(el) -> str | None:
    if el is None:
        return None
    return next((v for k, v in el.attrib.items() if k.endswith("}val") or k == "val"), None)


def _int(el, default: int) -> int:
    try:
        return int(_wval(el))
    except (TypeError, ValueError):
        return default


def _branch(alt):
    """The one branch of an mc:AlternateContent that is read: first Choice, else Fallback."""
    kids = [c for c in alt if _split(c.tag)[0] == MC_NS]
    return next((c for c in kids if _split(c.tag)[1] == "Choice"),
                next((c for c in kids if _split(c.tag)[1] == "Fallback"), None))


def _is_toc(sdt) -> bool:
    pr = _wchild(sdt, "sdtPr")
    for obj in (_wchild(pr, "docPartObj"), _wchild(pr, "docPartList")):
        gallery = _wval(_wchild(obj, "docPartGallery")) or ""
        if "table of contents" in gallery.lower():
            return True
    return False


def _flat(parent) -> Iterator:
    """Children of a block container (body, cell, text box, table, row) with the
    transparent wrappers opened and deleted content dropped."""
    for el in parent:
        ns, ln = _split(el.tag)
        if ln is None:
            continue
        if ns in W_NS:
            if ln == "sdt":
                content = _wchild(el, "sdtContent")
                if content is not None and not _is_toc(el):
                    yield from _flat(content)
            elif ln in TRANSPARENT:
                yield from _flat(el)
            elif ln not in ("del", "moveFrom"):
                yield el
        elif ns == MC_NS and ln == "AlternateContent":
            branch = _branch(el)
            if branch is not None:
                yield from _flat(branch)


def _t(el) -> str:
    """Text of a w:t, skipping unexpanded entity references."""
    return (el.text or "") + "".join(c.tail or "" for c in el)


class _Walker:
    def __init__(self) -> None:
        self.blocks: list = []
        self.n_paras = 0
        self.n_tables = 0

    # ------------------------------------------------------------ paragraphs
    def inline(self, el, buf: list[str], boxes: list) -> None:
        for ch in el:
            ns, ln = _split(ch.tag)
            if ln is None:
                continue
            if ns in W_NS:
                if ln == "t":
                    buf.append(_t(ch))
                elif ln in ("tab", "ptab"):
                    buf.append("\t")
                elif ln in ("br", "cr"):
                    buf.append("\n")
                elif ln == "noBreakHyphen":
                    buf.append("-")
                elif ln == "txbxContent":
                    boxes.append(ch)
                elif ln in SKIP_INLINE or ln.endswith("Pr"):
                    continue
                else:
                    self.inline(ch, buf, boxes)
            elif ns == MC_NS and ln == "AlternateContent":
                branch = _branch(ch)
                if branch is not None:
                    self.inline(branch, buf, boxes)
            else:  # drawings, VML shapes: only the text boxes inside matter
                self.inline(ch, buf, boxes)

    def para(self, p) -> tuple[str, list]:
        buf: list[str] = []
        boxes: list = []
        self.inline(p, buf, boxes)
        return "".join(buf), boxes

    def emit_paragraph(self, text: str, line: int) -> None:
        stripped = text.lstrip()
        offset = len(text) - len(stripped)
        stripped = stripped.rstrip()
        if stripped:
            self.blocks.append(Paragraph(stripped, Where(line=line, char=offset or None)))

    def body(self, parent, line: int | None = None) -> None:
        """Body-level blocks; `line` is the anchor paragraph when reading a text box."""
        for el in _flat(parent):
            ln = _wl(el)
            if ln == "p":
                if line is None:
                    self.n_paras += 1
                at = line if line is not None else self.n_paras
                text, boxes = self.para(el)
                self.emit_paragraph(text, at)
                for box in boxes:
                    self.body(box, at)
            elif ln == "tbl":
                self.blocks.extend(self.table(el))

    # ------------------------------------------------------------ tables
    def cell(self, container) -> tuple[list[str], list[Grid]]:
        lines: list[str] = []
        nested: list[Grid] = []
        for el in _flat(container):
            ln = _wl(el)
            if ln == "p":
                text, boxes = self.para(el)
                lines.append(text)
                for box in boxes:
                    more, inner = self.cell(box)
                    lines += more
                    nested += inner
            elif ln == "tbl":
                nested += self.table(el)
        return lines, nested

    def table(self, tbl) -> list[Grid]:
        """The grid of `tbl` followed by the grids of the tables nested in it."""
        trs = [el for el in _flat(tbl) if _wl(el) == "tr"]
        if not trs:
            return []
        idx = self.n_tables
        self.n_tables += 1
        nested: list[Grid] = []
        rows: list[list[dict]] = []
        for tr in trs:
            trpr = _wchild(tr, "trPr")
            if _wchild(trpr, "del") is not None:
                continue  # a tracked-deleted row
            col = min(max(0, _int(_wchild(trpr, "gridBefore"), 0)), MAX_COLS)
            row: list[dict] = []
            for tc in _flat(tr):
                if _wl(tc) != "tc":
                    continue
                pr = _wchild(tc, "tcPr")
                if _wchild(pr, "cellDel") is not None:
                    continue
                span = min(max(1, _int(_wchild(pr, "gridSpan"), 1)), MAX_COLS - col)
                vm, hm = _wchild(pr, "vMerge"), _wchild(pr, "hMerge")
                lines, inner = self.cell(tc)
                nested += inner
                if span <= 0:
                    continue  # beyond the last column a grid may have
                text = "\n".join(x.strip() for x in "\n".join(lines).split("\n")).strip()
                if hm is not None and (_wval(hm) or "continue") == "continue" and row:
                    row[-1]["span"] += span  # legacy horizontal merge: widen the cell on the left
                else:
                    merge = None if vm is None else ("restart" if _wval(vm) == "restart" else "continue")
                    row.append({"col": col, "span": span, "merge": merge, "text": text})
                col += span
            rows.append(row)
        built: list[dict] = []
        open_: dict[int, dict] = {}  # grid column -> the vertically merged cell still open there
        for r, row in enumerate(rows):
            still: dict[int, dict] = {}
            for c in row:
                top = open_.get(c["col"])
                if c["merge"] == "continue" and top is not None:
                    top["rowspan"] += 1
                    still[c["col"]] = top
                    continue
                b = {"row": r, "col": c["col"], "colspan": c["span"], "rowspan": 1, "text": c["text"]}
                built.append(b)
                if c["merge"] is not None:  # restart (or a continuation with nothing above)
                    still[c["col"]] = b
            open_ = still
        if not built:
            if self.n_tables == idx + 1:
                self.n_tables = idx
            return nested
        cells = tuple(GridCell(b["row"], b["col"], b["text"], b["rowspan"], b["colspan"],
                               Where(table=idx, row=b["row"], col=b["col"])) for b in built)
        return [Grid(cells, Where(table=idx), ragged=False)] + nested


# ---------------------------------------------------------------- package access

def _parse_xml(path: str, part: str, xml: bytes):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as e:
        msg = str(e)
        # Word never writes a DTD: entity declarations in a part are an attack or a broken producer
        if DOCTYPE.search(xml[:1 << 20]) is not None:
            if "amplification" in msg or "entity reference loop" in msg.lower():
                raise ReadError(f"{path}: {part} declares nested entities that would expand exponentially "
                                f"(a 'billion laughs' entity bomb); refused ({msg})") from None
            if "entity" in msg.lower() or "PEReference" in msg:
                raise ReadError(f"{path}: {part} has a DTD (<!DOCTYPE>, which Word never writes) and needs its "
                                f"entities, but external DTDs and entities are never loaded ({msg})") from None
        raise ReadError(f"{path}: {part} is not well-formed XML ({msg})") from None
    if root is None:
        raise ReadError(f"{path}: {part} is empty")
    return root


class _Package:
    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.read_total = 0
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as e:
            raise ReadError(f"{path}: not a readable ZIP package, truncated or corrupt ({e})") from None
        if len(infos) > MAX_ENTRIES:
            raise ReadError(f"{path}: ZIP directory lists {len(infos)} entries (limit {MAX_ENTRIES})")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_DECLARED:
            raise ReadError(f"{path}: ZIP entries declare {declared} bytes uncompressed (limit {MAX_DECLARED}); "
                            f"refused as a likely zip bomb")
        # part names are case-insensitive in OPC
        self.names = {i.filename.replace("\\", "/").lstrip("/").lower(): i for i in infos if not i.is_dir()}

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def read(self, name: str) -> bytes:
        info = self.names[name.lower()]
        if info.flag_bits & 0x1:
            raise ReadError(f"{self.path}: {name} is encrypted (password-protected ZIP)")
        if info.file_size > MAX_PART:
            raise ReadError(f"{self.path}: {name} declares {info.file_size} bytes uncompressed "
                            f"(limit {MAX_PART}); refused as a likely zip bomb")
        try:
            with self.zf.open(info) as f:
                out = _read_limited(f, min(MAX_PART, MAX_READ - self.read_total))
        except ReadError as e:
            raise ReadError(f"{self.path}: {name} {e}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
                RuntimeError) as e:
            raise ReadError(f"{self.path}: {name} cannot be decompressed ({type(e).__name__}: {e})") from None
        self.read_total += len(out)
        return out

    def xml(self, name: str):
        return _parse_xml(self.path, name, self.read(name))

    def relationship(self, suffix: str) -> str | None:
        """Target of the package relationship whose type ends with `suffix`."""
        if not self.has("_rels/.rels"):
            return None
        try:
            rels = self.xml("_rels/.rels")
        except ReadError:
            return None
        for rel in rels:
            if (rel.get("Type") or "").endswith(suffix) and rel.get("TargetMode", "Internal") == "Internal":
                target = posixpath.normpath((rel.get("Target") or "").replace("\\", "/").lstrip("/"))
                if target and self.has(target):
                    return target
        return None


def _read_limited(f, limit: int) -> bytes:
    """Read a stream fully, refusing more than `limit` bytes (the directory may lie)."""
    out = bytearray()
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            return bytes(out)
        out += chunk
        if len(out) > limit:
            raise ReadError(f"decompresses to more than {limit} bytes; refused as a likely zip bomb")


def _iso(text: str) -> str | None:
    t = text.strip()
    try:
        return datetime.fromisoformat(t).isoformat()
    except ValueError:
        return None


def _core_properties(pkg: _Package) -> dict:
    name = pkg.relationship("/core-properties") or ("docProps/core.xml" if pkg.has("docProps/core.xml") else None)
    if name is None:
        return {}
    try:
        root = pkg.xml(name)
    except ReadError as e:
        return {"core_properties_error": str(e)}
    meta = {}
    for el in root:
        _, ln = _split(el.tag)
        key = CORE_KEYS.get(ln or "")
        text = _t(el).strip() if key else ""
        if not text:
            continue
        value = _iso(text) if key in ("created", "modified") else " ".join(text.split())
        if value:
            meta[key] = value
    return meta


def read_docx(path: str, data: bytes) -> Document:
    """A DOCX file -> `Document` (format "docx"); `ReadError` for anything unreadable."""
    if data.startswith(OLE_MAGIC):
        raise ReadError(f"{path}: an OLE compound file (legacy DOC/WPS or a password-protected DOCX), "
                        f"not a DOCX package")
    try:
        return _read(path, data)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(f"{path}: DOCX content nested too deeply to read") from None
    except Exception as e:  # the contract: bad input is a ReadError, whatever broke
        raise ReadError(f"{path}: unreadable DOCX ({type(e).__name__}: {e})") from e


def _read(path: str, data: bytes) -> Document:
    pkg = _Package(path, data)
    with pkg.zf:
        main = pkg.relationship("/officeDocument")
        if main is None or not main.lower().startswith("word/"):
            main = "word/document.xml" if pkg.has("word/document.xml") else None
        if main is None:
            raise ReadError(f"{path}: not a DOCX (a ZIP package without word/document.xml)")
        root = pkg.xml(main)
        body = _wchild(root, "body") if _wl(root) == "document" else None
        if body is None:
            raise ReadError(f"{path}: not a DOCX ({main} has no w:document/w:body)")
        walker = _Walker()
        walker.body(body)
        meta = {"source_format": "docx", **_core_properties(pkg)}
    return Document(path=path, format="docx", blocks=walker.blocks, meta=meta)
