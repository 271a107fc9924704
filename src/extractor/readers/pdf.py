"""PDF reports: the text layer, read by geometry (pypdfium2), scans through OCR.

Why geometry
------------
A PDF has no paragraphs and no tables, only glyphs at positions and painted
lines. A text stream (`pdftotext`, `page.extract_text()`) loses exactly what the
tables need: a blank cell prints nothing, so the numbers of a row shift left,
and merged cells are invisible. This reader therefore rebuilds both from
positions:

* **Characters** come from PDFium's text page (`FPDFText_GetUnicode` and the
  loose character box, i.e. the font's ascent/descent box, so that every glyph
  of a line has the same height). Characters PDFium generates itself (spaces and
  line breaks it infers) are not kept as characters; a space, generated or real,
  only marks "a gap before the next character". Coordinates are turned into the
  page as displayed: origin top left, y downwards, in PDF points, the crop box
  origin and the page rotation (/Rotate 90/180/270) applied. Fake-bold glyphs
  (the same glyph painted twice, slightly offset) are kept once.
* **Ruling lines** come from the page's path objects (also inside form
  XObjects, their matrices composed): straight stroked segments, and thin filled
  rectangles (≤ 2.5 pt, how many producers draw borders). Large filled
  rectangles are backgrounds (cell shading, white boxes behind paragraphs) and
  are not borders; invisible paths (neither filled nor stroked) and white paint
  are ignored; curves and diagonals are not rulings.

Ruled tables
------------
Horizontal and vertical segments that touch (with a tolerance) form a
component. Its grid is the unique x positions of its vertical segments and y
positions of its horizontal ones, snapped (`SNAP`); bands thinner than
`MIN_BAND` (double borders) are merged. A grid cell extends to the right while
no vertical segment separates it from its neighbour over (most of) the row's
height, and downwards while no horizontal segment separates it: that gives
`colspan`/`rowspan`. A missing piece of an *outer* border changes nothing
(hongze-2023 p.3 lacks the top-left border). A cell's text is the characters
whose centre lies in the cell, grouped into lines by vertical overlap, lines
top to bottom and characters left to right; wrapped lines are joined (CJK
without a space: 法律服务 / 机构 -> 法律服务机构), so a vertical label printed one
character per line (or with its characters emitted in reverse or spaced) reads
top to bottom. A blank cell is "". A component of one cell (a frame around
text) or a frame around long prose is not a table.

Tables without rulings
----------------------
Lines whose trailing tokens are numbers (or "/", "—") with wide gaps before
them, several of them with their numbers aligned, and row labels or headers of
the official tables (T2/T3/T4 labels), are read as a grid: the numbers'
positions, clustered, give the value columns (per block: a T2 sub-table's title
row starts a new block with its own columns), label tokens give the label
columns by their left edges, header tokens span the value columns nearest to
them, a title row spans the whole table. Same `Grid`, same provenance.

Tables across pages
-------------------
A table that ends a page (nothing but the running footer after it) and a table
that starts the next page are one table when their outer x edges match, most
of the continuation's column edges are edges of the first part, and the
continuation continues the structure: its first row holds a row label of the
same official table (T3 row labels, T2 row labels or a T2 sub-table
header/title) or blank label cells under spanning label cells, and it does not
start a new table (T3 / T4 header). Rows are never matched by counting
numbers. A header repeated on the continuation is dropped. Label cells that
continue across the break (三、本年度办理结果, （四）无法提供: a blank cell in the
continuation's first row under a label cell that reaches the bottom of the
first part) are merged into one cell with the combined rowspan. A join can
repeat over several pages.

Narrative
---------
Characters outside tables become lines (vertical overlap), lines become
paragraphs in reading order: a new paragraph starts at a larger vertical gap,
a first-line indent, a heading pattern (一、 （一） 1.), a font size change, or
after a short line. CJK lines are joined without spaces (a space only between
two Latin letters or digits). Running headers and footers (the same text,
numbers aside, at the top or bottom of most pages) and page numbers (`- 3 -`,
`第3页`, `第3页 共5页`, `3/5`, `Page 3`) are removed. A two-column block (a
vertical gutter over at least three consecutive lines, with text on both sides)
is read left column first. A paragraph that runs over a page break (the last
line of the page reaches the right margin, the first line of the next page is
neither indented nor a heading) is joined; it keeps the first page's provenance.
Blocks are ordered by page, then vertical position.

Scans
-----
A page without text whose content is an image (or only vector paths: text
drawn as outlines), or with almost no text (fewer than `SCAN_MAX_CHARS`
characters: a stamped page number) over an image covering half the page, is
rendered with PDFium at `OCR_DPI` and handed to `.ocr.ocr_page_blocks(image,
page_no, page_size)`; its blocks take the page's place (their grids renumbered
among the document's grids, OCR confidence kept; "ocr_pages" in the metadata
lists the pages). OCR grids whose cells carry page and bbox are joined over page
breaks like text-layer tables (column edges from the cells' boxes, a wider
tolerance). A blank page is skipped. Without the OCR extra this is a `ReadError` that names
the pages and says `pip install 'extractor[ocr]'`.

Provenance
----------
Grid cells: `Where(page=n, bbox=(x0, top, x1, bottom), table=i, row=r, col=c)`,
`n` 1-based, the bbox in PDF points on the displayed page (origin top left),
`i` the 0-based order of the grid among the document's grids and `r`/`c` the
positions in the (joined) grid; a cell continued over a page break keeps its
first part. Paragraphs: `Where(page=n, bbox=...)`.

Metadata and errors
-------------------
`Document.meta`: "source_format" "pdf", "pages", and from the document
information dictionary "created", "modified" (ISO 8601), "doc_title",
"author". A password-protected, damaged (truncated: no %%EOF at the end) or
page-less PDF is a `ReadError` naming the file and the cause; any other
failure is wrapped into one.
"""
from __future__ import annotations

import ctypes
import statistics
from bisect import bisect_right
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from itertools import pairwise

import regex as re

from ..model import Document, Grid, GridCell, Paragraph, Where
from ..numbers import parse_cell
from ..templates import best_match, get_template, label_score, norm_label
from .geometry import cluster as _cluster
from .text import ReadError

OCR_HINT = "pip install 'extractor[ocr]'"
OCR_DPI = 200

SNAP = 2.5            # pt: positions of rulings closer than this are one position
MIN_BAND = 4.0        # pt: thinner rows/columns are double borders, merged
MAX_RULE = 2.5        # pt: a filled rectangle this thin is a ruling line
TOUCH = 3.0           # pt: segments this close touch (component building)
COVER = 0.5           # a separator must cover this share of the cell edge
MAX_SEGMENTS = 6000   # per page; beyond, only the longest are used (vector art)
SCAN_MAX_CHARS = 30   # a page image with fewer characters than this over it is a scan

# ------------------------------------------------------------------ pdfium access


def _pdfium():
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    return pdfium, pdfium_c


PDFIUM_ERRORS = {1: "unknown error", 2: "file not found or could not be opened", 3: "not a PDF or corrupted",
                 4: "password required or incorrect", 5: "unsupported security scheme", 6: "page not found"}


def _open(path: str, data: bytes):
    pdfium, _ = _pdfium()
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == 4:
            raise ReadError(f"{path}: password-protected PDF (encrypted with a user password; "
                            f"it cannot be read without it)") from None
        if code == 5:
            raise ReadError(f"{path}: password-protected PDF (unsupported security handler)") from None
        if b"%%EOF" not in data[-1024:]:  # every complete PDF ends with its trailer and %%EOF
            raise ReadError(f"{path}: damaged: the file looks truncated (it does not end with %%EOF: an "
                            f"interrupted download or copy?); PDFium could not load it ({e})") from None
        raise ReadError(f"{path}: damaged: {PDFIUM_ERRORS.get(code, e)} (PDFium could not load the "
                        f"document: {e})") from None


# ------------------------------------------------------------------ metadata

PDF_DATE = re.compile(r"^\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*"
                      r"(?:(Z)|([+\-])(\d{2})'?(\d{2})?'?)?")


def pdf_date(text: str) -> str | None:
    """A PDF date string (D:YYYYMMDDHHmmSSOHH'mm') -> ISO 8601, None if unreadable."""
    m = PDF_DATE.match(text or "")
    if not m:
        return None
    y, mo, d, hh, mi, ss = (int(g) if g else None for g in m.groups()[:6])
    try:
        if hh is None:
            return datetime(y, mo or 1, d or 1).date().isoformat()
        tz = None
        if m.group(7):
            tz = UTC
        elif m.group(8):
            off = timedelta(hours=int(m.group(9)), minutes=int(m.group(10) or 0))
            tz = timezone(off if m.group(8) == "+" else -off)
        return datetime(y, mo or 1, d or 1, hh, mi or 0, ss or 0, tzinfo=tz).isoformat()
    except (ValueError, OverflowError):
        return None


def _meta(pdf, n_pages: int) -> dict:
    meta: dict = {"source_format": "pdf", "pages": n_pages}
    try:
        info = pdf.get_metadata_dict(skip_empty=True)
    except (RuntimeError, ValueError, UnicodeError, OSError):  # a broken info dictionary, not a broken document
        return meta
    for key, name in (("CreationDate", "created"), ("ModDate", "modified")):
        v = pdf_date(info.get(key, ""))
        if v:
            meta[name] = v
    for key, name in (("Title", "doc_title"), ("Author", "author")):
        v = " ".join(str(info.get(key, "")).replace("\x00", "").split())
        if v:
            meta[name] = v
    return meta


# ------------------------------------------------------------------ page geometry

X0, TOP, X1, BOT, CH, SP = range(6)  # a character: (x0, top, x1, bottom, text, space before it)


def _display(page) -> tuple:
    """(transform user space -> displayed page, (width, height)) for the page's crop box and
    rotation. The transform is affine: (a, b, c, d, e, f) with X = a·x + b·y + c, Y = d·x + e·y + f."""
    l, b, r, t = page.get_cropbox()
    rot = page.get_rotation() % 360
    if rot == 90:
        return (0.0, 1.0, -b, 1.0, 0.0, -l), (t - b, r - l)
    if rot == 180:
        return (-1.0, 0.0, r, 0.0, 1.0, -b), (r - l, t - b)
    if rot == 270:
        return (0.0, -1.0, t, -1.0, 0.0, r), (t - b, r - l)
    return (1.0, 0.0, -l, 0.0, -1.0, t), (r - l, t - b)


def _to_display(tf: tuple, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = tf
    return a * x + b * y + c, d * x + e * y + f


SPACES = frozenset([0xA0, 0x3000, 0xFEFF, 0xFFFE, 0xFFFF, 0x200B] + list(range(0x2000, 0x200B)))


def _page_chars(textpage, tf: tuple) -> list[tuple]:
    """The page's characters (x0, top, x1, bottom, char, space before it), display space. Spaces
    and line breaks (PDFium's generated ones included) only set the flag of the next character."""
    _, c = _pdfium()
    raw = textpage.raw
    n = c.FPDFText_CountChars(raw)
    if n <= 0:
        return []
    buf = ctypes.create_string_buffer(2 * (n + 1))
    got = c.FPDFText_GetText(raw, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: 2 * max(got - 1, 0)].decode("utf-16-le", errors="replace")
    codes = [ord(ch) for ch in text] if len(text) == n else [c.FPDFText_GetUnicode(raw, i) for i in range(n)]
    rect = c.FS_RECTF()
    box, tight = c.FPDFText_GetLooseCharBox, c.FPDFText_GetCharBox
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    ta, tb, tc, td, te, tf_ = tf
    out = []
    space = False
    for i, u in enumerate(codes):
        if u <= 32 or u in SPACES:
            space = True
            continue
        if 0xD800 <= u <= 0xDFFF:  # a surrogate from the bulk text: ask for this character alone
            u = c.FPDFText_GetUnicode(raw, i)
        if not box(raw, i, rect):
            continue
        x0_, x1_, y0_, y1_ = rect.left, rect.right, rect.bottom, rect.top
        lw, lh = abs(x1_ - x0_), abs(y1_ - y0_)
        if (lw > 12 or lh > 12) and tight(raw, i, left, right, bottom, top):
            tw, th = right.value - left.value, top.value - bottom.value
            if (tw > 0.5 or th > 0.5) and lw > 4 * tw + 4 and lh > 4 * th + 4:
                # a loose box far larger than the glyph (broken font metrics, seen on vertical
                # labels): the glyph box, made square so that it still forms a line
                side = max(tw, th) / 2
                cx, cy = (left.value + right.value) / 2, (bottom.value + top.value) / 2
                x0_, x1_, y0_, y1_ = cx - side, cx + side, cy - side, cy + side
        ax, ay = ta * x0_ + tb * y1_ + tc, td * x0_ + te * y1_ + tf_
        bx, by = ta * x1_ + tb * y0_ + tc, td * x1_ + te * y0_ + tf_
        x0, x1 = (ax, bx) if ax <= bx else (bx, ax)
        t0, t1 = (ay, by) if ay <= by else (by, ay)
        if x1 - x0 <= 0.01 or t1 - t0 <= 0.01:
            continue
        out.append((x0, t0, x1, t1, chr(u), space))
        space = False
    return out


def _matmul(m, n):
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _whitish(c_, obj, stroke: bool) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    fn = c_.FPDFPageObj_GetStrokeColor if stroke else c_.FPDFPageObj_GetFillColor
    if not fn(obj, r, g, b, a):
        return False
    return a.value == 0 or min(r.value, g.value, b.value) >= 240


def _objects(page, depth: int = 8):
    """(raw object, its type, matrix to page space) of every page object, form XObjects opened
    (their matrices composed), through the raw API: no Python wrapper per object."""
    _, c = _pdfium()
    fm = c.FS_MATRIX()
    stack = [(None, None, 0)]  # (form object or None for the page, its matrix, depth)
    while stack:
        form, fmat, d = stack.pop()
        n = c.FPDFFormObj_CountObjects(form) if form is not None else c.FPDFPage_CountObjects(page.raw)
        for i in range(max(n, 0)):
            obj = c.FPDFFormObj_GetObject(form, i) if form is not None else c.FPDFPage_GetObject(page.raw, i)
            if not obj:
                continue
            typ = c.FPDFPageObj_GetType(obj)
            if typ not in (c.FPDF_PAGEOBJ_PATH, c.FPDF_PAGEOBJ_FORM, c.FPDF_PAGEOBJ_IMAGE):
                continue
            if not c.FPDFPageObj_GetMatrix(obj, fm):
                continue
            m = (fm.a, fm.b, fm.c, fm.d, fm.e, fm.f)
            if fmat is not None:
                m = _matmul(m, fmat)
            if typ == c.FPDF_PAGEOBJ_FORM:
                if d + 1 < depth:
                    stack.append((obj, m, d + 1))
                continue
            yield obj, typ, m


def _path_objects(page):
    _, c = _pdfium()
    return ((obj, m) for obj, typ, m in _objects(page) if typ == c.FPDF_PAGEOBJ_PATH)


def _page_segments(page, tf) -> tuple[list, list]:
    """Ruling segments of a page: horizontal (y, x0, x1) and vertical (x, y0, y1), display space."""
    _, c = _pdfium()
    hs: list = []
    vs: list = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    x, y = ctypes.c_float(), ctypes.c_float()
    for raw, m in _path_objects(page):
        if not c.FPDFPath_GetDrawMode(raw, ctypes.byref(fill), ctypes.byref(stroke)):
            continue
        is_fill, is_stroke = fill.value != 0, bool(stroke.value)
        if is_stroke and _whitish(c, raw, True):
            is_stroke = False
        if is_fill and _whitish(c, raw, False):
            is_fill = False
        if not is_fill and not is_stroke:
            continue
        a, b, cc, d, e, f = m
        subpaths: list[list] = []
        cur: list = []
        n = c.FPDFPath_CountSegments(raw)
        if n > 20000:
            continue
        for i in range(n):
            seg = c.FPDFPath_GetPathSegment(raw, i)
            if not seg or not c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                continue
            kind = c.FPDFPathSegment_GetType(seg)
            px, py = _to_display(tf, a * x.value + cc * y.value + e, b * x.value + d * y.value + f)
            if kind == c.FPDF_SEGMENT_MOVETO:
                if cur:
                    subpaths.append(cur)
                cur = [(px, py, True)]
            else:
                if not cur:
                    cur = [(px, py, True)]
                cur.append((px, py, kind == c.FPDF_SEGMENT_LINETO))
            if c.FPDFPathSegment_GetClose(seg) and cur:
                cur.append((cur[0][0], cur[0][1], True))
                subpaths.append(cur)
                cur = []
        if cur:
            subpaths.append(cur)
        for sp in subpaths:
            if is_stroke:
                for (x0_, y0_, _), (x1_, y1_, straight) in pairwise(sp):
                    if not straight:
                        continue
                    if abs(y1_ - y0_) <= 0.6 and abs(x1_ - x0_) >= 1.0:
                        hs.append(((y0_ + y1_) / 2, min(x0_, x1_), max(x0_, x1_)))
                    elif abs(x1_ - x0_) <= 0.6 and abs(y1_ - y0_) >= 1.0:
                        vs.append(((x0_ + x1_) / 2, min(y0_, y1_), max(y0_, y1_)))
            elif is_fill and len(sp) >= 4 and all(s for _, _, s in sp[1:]):
                xs_ = [p[0] for p in sp]
                ys_ = [p[1] for p in sp]
                w, h = max(xs_) - min(xs_), max(ys_) - min(ys_)
                axis = all(abs(p[0] - q[0]) <= 0.6 or abs(p[1] - q[1]) <= 0.6 for p, q in pairwise(sp))
                if not axis:
                    continue
                if h <= MAX_RULE and w >= 1.0:
                    hs.append(((max(ys_) + min(ys_)) / 2, min(xs_), max(xs_)))
                elif w <= MAX_RULE and h >= 1.0:
                    vs.append(((max(xs_) + min(xs_)) / 2, min(ys_), max(ys_)))
    if len(hs) + len(vs) > MAX_SEGMENTS:
        hs = sorted(hs, key=lambda s: s[1] - s[2])[: MAX_SEGMENTS // 2]
        vs = sorted(vs, key=lambda s: s[1] - s[2])[: MAX_SEGMENTS // 2]
    return hs, vs


def _scan_like(page, size: tuple[float, float], n_chars: int) -> bool:
    """A page to OCR: no text and an image (or text drawn as outlines), or almost no text (a
    stamped page number, a scanner's caption) over an image covering half the page or more."""
    _, c = _pdfium()
    n_paths = 0
    cover = 0.0
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    area = max(size[0] * size[1], 1.0)
    for obj, typ, _m in _objects(page, 4):
        if typ == c.FPDF_PAGEOBJ_IMAGE:
            if n_chars == 0:
                return True
            if c.FPDFPageObj_GetBounds(obj, l, b, r, t):
                cover = max(cover, (r.value - l.value) * (t.value - b.value) / area)
        elif typ == c.FPDF_PAGEOBJ_PATH:
            n_paths += 1
    if n_chars == 0:
        return n_paths >= 200  # text drawn as outlines
    return n_chars < SCAN_MAX_CHARS and cover >= 0.5


# ------------------------------------------------------------------ text helpers


def _wide(ch: str) -> bool:
    """CJK characters and full-width punctuation: joined without spaces."""
    o = ord(ch)
    return o >= 0x2E80 or 0x2010 <= o <= 0x206F


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _dedupe(chars: list[tuple]) -> list[tuple]:
    """Chars sorted by x0 with fake-bold doubles (same glyph painted twice) removed."""
    out: list[tuple] = []
    for c in chars:
        if out:
            p = out[-1]
            if p[CH] == c[CH] and abs(p[X0] - c[X0]) < 0.5 * (c[X1] - c[X0]) and abs(p[TOP] - c[TOP]) < 1.5:
                continue
        out.append(c)
    return out


def _join_text(chars: list[tuple]) -> str:
    """Text of one line (chars sorted left to right)."""
    if not chars:
        return ""
    out = [chars[0][CH]]
    prev = chars[0]
    for c in chars[1:]:
        a, b = prev[CH][-1], c[CH][0]
        if not (_wide(a) or _wide(b)):
            gap = c[X0] - prev[X1]
            size = c[BOT] - c[TOP]
            if c[SP] or gap > 0.25 * size and (_latin(a) and _latin(b)) and gap > 0.45 * size:
                out.append(" ")
        out.append(c[CH])
        prev = c
    return "".join(out)


def _join_lines(texts: list[str]) -> str:
    out = ""
    for t in texts:
        t = t.strip()
        if not t:
            continue
        if out and _latin(out[-1]) and _latin(t[0]):
            out += " "
        out += t
    return out


class _Line:
    __slots__ = ("_text", "bottom", "chars", "size", "top", "x0", "x1")

    def __init__(self, chars: list[tuple]):
        self.chars = chars
        self.x0 = min(c[X0] for c in chars)
        self.x1 = max(c[X1] for c in chars)
        self.top = min(c[TOP] for c in chars)
        self.bottom = max(c[BOT] for c in chars)
        hs = sorted(c[BOT] - c[TOP] for c in chars)
        self.size = hs[len(hs) // 2]
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _join_text(self.chars)
        return self._text

    def split(self, gap: float) -> list[_Line]:
        """Pieces of the line separated by gaps wider than `gap` (or a space and half of it)."""
        out, cur = [], [self.chars[0]]
        for c in self.chars[1:]:
            g = c[X0] - cur[-1][X1]
            if g > gap or (c[SP] and g > gap / 2):
                out.append(_Line(cur))
                cur = []
            cur.append(c)
        out.append(_Line(cur))
        return out


def _group_lines(chars: list[tuple]) -> list[_Line]:
    """Characters -> lines (vertical overlap), top to bottom, each left to right."""
    if not chars:
        return []
    order = sorted(chars, key=lambda c: c[TOP] + c[BOT])
    groups: list[list] = []  # [top, bottom, members]
    for c in order:
        h = c[BOT] - c[TOP]
        target = None
        for g in reversed(groups[-4:]):
            ov = min(g[1], c[BOT]) - max(g[0], c[TOP])
            if ov >= 0.5 * min(h, g[1] - g[0]):
                target = g
                break
        if target is None:
            groups.append([c[TOP], c[BOT], [c]])
        else:
            target[2].append(c)
    lines = [_Line(_dedupe(sorted(g[2], key=lambda c: c[X0]))) for g in groups]
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _cell_text(chars: list[tuple]) -> str:
    return _join_lines([ln.text for ln in _group_lines(chars)])


# ------------------------------------------------------------------ internal tables


class _Cell:
    __slots__ = ("bbox", "c", "conf", "cs", "page", "r", "rs", "text")

    def __init__(self, r, c, rs, cs, text, page, bbox, conf=None):
        self.r, self.c, self.rs, self.cs, self.text, self.page, self.bbox = r, c, rs, cs, text, page, bbox
        self.conf = conf  # OCR confidence, None for the text layer


class _Table:
    """A table as built from one page (or joined over several): cells with their page and bbox,
    the x edges of its columns, and how it was found ("ruled" or "aligned")."""

    def __init__(self, cells: list[_Cell], xs: list[float], page: int, bbox: tuple, kind: str):
        self.cells = cells
        self.xs = xs
        self.page = page
        self.bbox = bbox
        self.kind = kind
        self.last_page = page
        self.last_bbox = bbox

    @property
    def n_rows(self) -> int:
        return max((c.r + c.rs for c in self.cells), default=0)

    @property
    def top(self) -> float:
        return self.bbox[1]

    def rows_text(self) -> list[list[str]]:
        rows: list[list[_Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            rows[c.r].append(c)
        return [[c.text for c in sorted(r, key=lambda c: c.c)] for r in rows]

    def all_text(self) -> str:
        return "\n".join("\t".join(r) for r in self.rows_text())


def _merge_segments(segs: list[tuple]) -> list[tuple]:
    """Collinear segments (same position within SNAP) joined where they touch or overlap."""
    out = []
    segs = sorted(segs)
    i = 0
    while i < len(segs):
        j = i
        while j + 1 < len(segs) and segs[j + 1][0] - segs[j][0] <= SNAP:
            j += 1
        group = segs[i:j + 1]
        pos = sum(s[0] for s in group) / len(group)
        spans = sorted((s[1], s[2]) for s in group)
        a, b = spans[0]
        for s0, s1 in spans[1:]:
            if s0 <= b + SNAP:
                b = max(b, s1)
            else:
                out.append((pos, a, b))
                a, b = s0, s1
        out.append((pos, a, b))
        i = j + 1
    return out


def _components(hs: list[tuple], vs: list[tuple]) -> list[tuple[list, list]]:
    parent = list(range(len(hs) + len(vs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    vs_sorted = sorted(range(len(vs)), key=lambda k: vs[k][0])
    vx = [vs[k][0] for k in vs_sorted]
    for i, (y, a, b) in enumerate(hs):
        lo, hi = bisect_right(vx, a - TOUCH - 1e-9), bisect_right(vx, b + TOUCH)
        for k in vs_sorted[lo:hi]:
            _x, c0, c1 = vs[k]
            if c0 - TOUCH <= y <= c1 + TOUCH:
                ra, rb = find(i), find(len(hs) + k)
                if ra != rb:
                    parent[ra] = rb
    groups: dict[int, tuple[list, list]] = {}
    for i in range(len(hs)):
        groups.setdefault(find(i), ([], []))[0].append(hs[i])
    for k in range(len(vs)):
        groups.setdefault(find(len(hs) + k), ([], []))[1].append(vs[k])
    return [g for g in groups.values() if g[0] and g[1]]


def _covered(spans: list[tuple[float, float]], a: float, b: float) -> float:
    """Length of [a, b] covered by the spans."""
    total = 0.0
    for s0, s1 in spans:
        lo, hi = max(a, s0), min(b, s1)
        if hi > lo:
            total += hi - lo
    return total


def _drop_thin(bounds: list[float], weight) -> list[float]:
    """Merge bands thinner than MIN_BAND: of two close boundaries keep the better-drawn one."""
    out = list(bounds)
    changed = True
    while changed and len(out) > 2:
        changed = False
        for i in range(len(out) - 1):
            if out[i + 1] - out[i] < MIN_BAND:
                if i == 0:
                    drop = 1 if len(out) > 2 and weight(out[0]) >= weight(out[1]) else 0
                    drop = 1 if i + 1 < len(out) - 1 else drop
                elif i + 1 == len(out) - 1:
                    drop = i
                else:
                    drop = i if weight(out[i]) < weight(out[i + 1]) else i + 1
                del out[drop]
                changed = True
                break
    return out


def _ruled_tables(hs: list, vs: list, chars: list[tuple], page_no: int) -> tuple[list[_Table], set]:
    """Tables from the page's rulings, and the indices of the characters they hold."""
    hs, vs = _merge_segments(hs), _merge_segments(vs)
    tables: list[_Table] = []
    used: set[int] = set()
    if not hs or not vs:
        return tables, used
    centres = [((c[X0] + c[X1]) / 2, (c[TOP] + c[BOT]) / 2) for c in chars]
    for ch_, cv_ in _components(hs, vs):
        xs = _cluster([v[0] for v in cv_] + [min(h[1] for h in ch_), max(h[2] for h in ch_)], SNAP)
        ys = _cluster([h[0] for h in ch_] + [min(v[1] for v in cv_), max(v[2] for v in cv_)], SNAP)

        def vspans(x, cv_=cv_):
            return [(v[1], v[2]) for v in cv_ if abs(v[0] - x) <= SNAP]

        def hspans(y, ch_=ch_):
            return [(h[1], h[2]) for h in ch_ if abs(h[0] - y) <= SNAP]

        xs = _drop_thin(xs, lambda x: sum(b - a for a, b in vspans(x)))
        ys = _drop_thin(ys, lambda y: sum(b - a for a, b in hspans(y)))
        nx, ny = len(xs) - 1, len(ys) - 1
        if nx < 1 or ny < 1 or xs[-1] - xs[0] < 10 or ys[-1] - ys[0] < 8:
            continue
        vcache = [vspans(x) for x in xs]
        hcache = [hspans(y) for y in ys]
        # separators: vsep[i][j] between column j-1 and j in row i; hsep[i][j] between row i-1 and i in column j
        vsep = [[j in (0, nx) or _covered(vcache[j], ys[i], ys[i + 1]) >= COVER * (ys[i + 1] - ys[i])
                 for j in range(nx + 1)] for i in range(ny)]
        hsep = [[i in (0, ny) or _covered(hcache[i], xs[j], xs[j + 1]) >= COVER * (xs[j + 1] - xs[j])
                 for j in range(nx)] for i in range(ny + 1)]
        owner = [[-1] * nx for _ in range(ny)]
        spans: list[tuple[int, int, int, int]] = []
        for i in range(ny):
            for j in range(nx):
                if owner[i][j] >= 0:
                    continue
                cs = 1
                while j + cs < nx and not vsep[i][j + cs] and owner[i][j + cs] < 0:
                    cs += 1
                rs = 1
                while i + rs < ny and all(not hsep[i + rs][k] and owner[i + rs][k] < 0 for k in range(j, j + cs)) \
                        and all(not vsep[i + rs][k] for k in range(j + 1, j + cs)):
                    rs += 1
                for a in range(i, i + rs):
                    for b in range(j, j + cs):
                        owner[a][b] = len(spans)
                spans.append((i, j, rs, cs))
        if len(spans) < 2:
            continue  # a frame around text, not a table
        members: list[list[tuple]] = [[] for _ in spans]
        held: list[int] = []
        for k, (cx, cy) in enumerate(centres):
            if not (xs[0] <= cx <= xs[-1] and ys[0] <= cy <= ys[-1]) or k in used:
                continue
            j = min(max(bisect_right(xs, cx) - 1, 0), nx - 1)
            i = min(max(bisect_right(ys, cy) - 1, 0), ny - 1)
            members[owner[i][j]].append(chars[k])
            held.append(k)
        cells = []
        for (i, j, rs, cs), mem in zip(spans, members):
            bbox = (round(xs[j], 2), round(ys[i], 2), round(xs[j + cs], 2), round(ys[i + rs], 2))
            cells.append(_Cell(i, j, rs, cs, _cell_text(mem), page_no, bbox))
        if not any(c.text for c in cells):
            continue  # a drawing, not a table
        if len(cells) <= 3 and any(len(c.text) > 150 for c in cells):
            continue  # a frame around prose
        used.update(held)
        tables.append(_Table(cells, xs, page_no, (round(xs[0], 2), round(ys[0], 2), round(xs[-1], 2),
                                                  round(ys[-1], 2)), "ruled"))
    tables.sort(key=lambda t: t.top)
    return tables, used


# ------------------------------------------------------------------ official labels (evidence for tables)


@lru_cache(maxsize=1)
def _labels() -> dict:
    t19, t21 = get_template("v2019"), get_template("v2021")
    t3_rows = tuple({r.key: r for t in (t19, t21) for r in t.t3_rows_all}.values())
    t2_rows = tuple({r.key + "/" + t.id: r for t in (t19, t21) for _, r in t.t2_rows()}.values())
    return {"t3_rows": t3_rows, "t2_rows": t2_rows, "t3_groups": t21.t3_group_labels, "t4_blocks": t21.t4_blocks, "t4_cols": t21.t4_columns,
            "t3_cols": t21.t3_columns}


T3_HEAD = tuple(norm_label(x) for x in ("申请人情况", "本列数据的勾稽关系", "法人或其他组织"))
T2_TITLE = re.compile(r"第二十条第[（(][一二三四五六七八九十]+[）)]项")


def _kind(text: str) -> str | None:
    nt = norm_label(text)
    lab = _labels()
    if sum(1 for r in lab["t3_rows"] if norm_label(r.label) in nt) >= 3 or any(h in nt for h in T3_HEAD[:2]):
        return "t3"
    if norm_label("结果维持") in nt and (norm_label("行政复议") in nt or norm_label("复议后起诉") in nt):
        return "t4"
    if T2_TITLE.search(nt) or norm_label("信息内容") in nt:
        return "t2"
    return None


def _is_t3_row(text: str) -> bool:
    return bool(text) and best_match(text, _labels()["t3_rows"], 0.8)[0] is not None


def _is_t3_label(text: str) -> bool:
    """A T3 row label or one of its group labels (（三）不予公开 …)."""
    return _is_t3_row(text) or any(label_score(text, g) >= 0.85 for g in _labels()["t3_groups"])


def _is_t2_row(text: str) -> bool:
    t = text.strip()
    if not t:
        return False
    if T2_TITLE.search(norm_label(t)) or norm_label(t) == norm_label("信息内容"):
        return True
    return best_match(t, _labels()["t2_rows"], 0.85)[0] is not None


def _label_like(text: str) -> bool:
    t = text.strip()
    return bool(t) and parse_cell(t).status == "nonnumeric"


# ------------------------------------------------------------------ tables without rulings

NUM_TOKEN = re.compile(r"^[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$|^[/／—–\-－]+$")
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|"
                     r"\d{1,2}\s*[.、．](?!\d)|第[一二三四五六七八九十\d]+[章节部分条]\s)")


def _tokens(line: _Line) -> list[_Line]:
    return line.split(0.9 * line.size)


def _is_value(tok: _Line) -> bool:
    return bool(NUM_TOKEN.match(tok.text))


class _Row:
    """A narrative line seen as a possible table row: its tokens (split at wide gaps), the
    trailing value tokens and the label tokens before them. Lines without a digit are never
    data rows; their tokens are only cut when asked for (headers above a table)."""

    __slots__ = ("_toks", "labels", "line", "vals")

    def __init__(self, line: _Line):
        self.line = line
        self._toks = None
        self.vals: list[_Line] = []
        self.labels: list[_Line] = []
        if not any(c[CH].isdigit() for c in line.chars):
            return
        toks = self.toks
        k = len(toks)
        while k > 0 and _is_value(toks[k - 1]):
            k -= 1
        vals, labels = toks[k:], toks[:k]
        if len(vals) == 1 and labels and vals[0].x0 - labels[-1].x1 < 2.0 * line.size:
            return  # "… 大道 90": prose, not a cell
        if vals and any(ch.isdigit() for v in vals for ch in v.text):  # placeholders alone are not data
            self.vals, self.labels = vals, labels

    @property
    def toks(self) -> list[_Line]:
        if self._toks is None:
            self._toks = _tokens(self.line)
        return self._toks

    @property
    def data(self) -> bool:
        return len(self.vals) >= 2 or (len(self.vals) == 1 and bool(self.labels))


def _aligned_tables(lines: list[_Line], page_no: int) -> tuple[list[_Table], set[int]]:
    """Whitespace-aligned tables among the page's narrative lines; (tables, indices of lines used)."""
    rows = [_Row(ln) for ln in lines]
    tables: list[_Table] = []
    used: set[int] = set()
    i = 0
    n = len(rows)
    while i < n:
        if not rows[i].data:
            i += 1
            continue
        # a run of data rows with at most two other rows between them
        j, last = i, i
        while j + 1 < n:
            k = j + 1
            if rows[k].data:
                last = j = k
                continue
            if k + 1 < n and rows[k + 1].data or k + 2 < n and rows[k + 2].data and not rows[k + 1].data:
                if HEADING.match(rows[k].line.text) and not _is_t3_label(rows[k].line.text) \
                        and not _is_t2_row(rows[k].line.text):
                    break
                j = k
                continue
            break
        run = list(range(i, last + 1))
        data_rows = [k for k in run if rows[k].data]
        if len(data_rows) >= 2 or any(len(rows[k].vals) >= 10 for k in data_rows):
            # header rows above: lines over the value region, not headings
            vx0 = min(v.x0 for k in data_rows for v in rows[k].vals)
            vx1 = max(v.x1 for k in data_rows for v in rows[k].vals)
            h = i
            while h - 1 >= 0 and i - (h - 1) <= 5 and (h - 1) not in used:
                r = rows[h - 1]
                if r.data or HEADING.match(r.line.text) and not _is_t3_label(r.line.text):
                    break
                if not any(t.x1 > vx0 - r.line.size and t.x0 < vx1 + r.line.size for t in r.toks):
                    break
                if rows[h].line.top - r.line.bottom > 2.5 * r.line.size:
                    break
                h -= 1
            run = list(range(h, last + 1))
            t = _build_aligned([rows[k] for k in run], page_no)
            if t is not None:
                tables.append(t)
                used.update(run)
                i = last + 1
                continue
        i += 1
    return tables, used


def _split_header(tok: _Line, anchors: list[float]) -> list[_Line]:
    """Header labels printed without a gap between them (结果维持结果纠正…): the token cut where
    its characters fall under different columns, when at least two pieces are official labels."""
    if len(anchors) < 2 or len(tok.chars) < 4:
        return [tok]
    groups: list[list[tuple]] = []
    last = None
    for c in tok.chars:
        cx = (c[X0] + c[X1]) / 2
        k = min(range(len(anchors)), key=lambda q: abs(anchors[q] - cx))
        if k != last:
            groups.append([])
            last = k
        groups[-1].append(c)
    if len(groups) < 2:
        return [tok]
    pieces = [_Line(g) for g in groups]
    if sum(1 for p in pieces if _label_fit(p.text) >= 0.9) < 2:
        return [tok]
    return pieces


def _merge_wrapped(rows: list[_Row]) -> list[_Row]:
    """A row label wrapped onto a line of its own (no values, starting where the label of the
    data line just above or below starts, closer to it than half a line) joins that label."""
    out: list[_Row] = list(rows)
    k = 0
    while k < len(out):
        r = out[k]
        if r.data or len(r.toks) != 1:
            k += 1
            continue
        tok, size = r.toks[0], r.line.size
        for j, above in ((k - 1, True), (k + 1, False)):
            if not 0 <= j < len(out) or not out[j].data or not out[j].labels:
                continue
            host = out[j]
            lab = host.labels[-1]
            gap = r.line.top - host.line.bottom if above else host.line.top - r.line.bottom
            if gap < 0.5 * size and abs(lab.x0 - tok.x0) <= 0.5 * size and not HEADING.match(tok.text):
                host.labels[-1] = _Line(lab.chars + tok.chars if above else tok.chars + lab.chars)
                del out[k]
                break
        else:
            k += 1
    return out


def _build_aligned(rows: list[_Row], page_no: int) -> _Table | None:
    """A whitespace-aligned table from its lines, or None when the lines are not one of the
    official tables (or a plainly aligned numeric table)."""
    rows = _merge_wrapped(rows)
    data = [r for r in rows if r.data]
    kind = _kind("\n".join(r.line.text for r in rows))
    labels_hit = sum(1 for r in data if r.labels and (_is_t3_row(r.labels[-1].text) or _is_t2_row(r.labels[-1].text)))
    size = statistics.median(r.line.size for r in rows)
    centres = [(v.x0 + v.x1) / 2 for r in data for v in r.vals]
    anchors = _cluster(centres, 0.9 * size)
    counts = [sum(1 for c in centres if abs(c - a) <= 0.9 * size) for a in anchors]
    aligned = sum(c for c in counts if c >= 2) >= 0.8 * len(centres)
    multi = sum(1 for r in data if len(r.vals) >= 2)
    if not (kind is not None and (labels_hit >= 2 or kind == "t4" and any(len(r.vals) >= 10 for r in data)
                                  or kind == "t2" and labels_hit >= 1)
            or aligned and multi >= 3):
        return None
    left = min(r.line.x0 for r in rows)
    right = max(r.line.x1 for r in rows)
    vx0 = min(v.x0 for r in data for v in r.vals)
    label_right = vx0 - 0.5 * size

    def in_values(t: _Line) -> bool:
        return t.x1 > label_right - 0.5 * size

    # blocks: a T2 title row (第二十条第（x）项, alone on its line) starts a block with its own columns
    blocks: list[list[_Row]] = [[]]
    titles: set[int] = set()
    for r in rows:
        if not r.data and len(r.toks) == 1 and T2_TITLE.search(norm_label(r.toks[0].text)):
            titles.add(id(r))
            blocks.append([])
            continue
        blocks[-1].append(r)
    bounds = [left, label_right, right]
    block_of: dict[int, list[float]] = {}
    for blk in blocks:
        cs = [(v.x0 + v.x1) / 2 for r in blk if r.data for v in r.vals]
        anc = _cluster(cs, 0.9 * size) if cs else []
        for r in blk:
            block_of[id(r)] = anc
        bounds += [(a + b) / 2 for a, b in pairwise(anc)]
    xs = _cluster(bounds, 0.5 * size)
    first_val = next((k for k in range(len(xs) - 1) if xs[k] >= label_right - 0.5 * size), None)
    if first_val is None:
        return None
    # label sub-columns by the left edges of label tokens
    def label_toks(r: _Row) -> list[_Line]:
        return r.labels if r.data else [t for t in r.toks if not in_values(t)]

    lab_x = _cluster([t.x0 for r in rows if id(r) not in titles for t in label_toks(r)], size)
    n_lab = len(lab_x)  # 0 when no line has a label (T4)
    lab_bounds = [xs[0]] + lab_x[1:] + [xs[first_val]]
    ncols = n_lab + (len(xs) - 1 - first_val)

    def col_of_x(x: float) -> int:
        return n_lab + min(max(bisect_right(xs, x) - 1 - first_val, 0), len(xs) - 2 - first_val)

    def col_x(k: int) -> float:
        return lab_bounds[k] if k < n_lab else xs[first_val + k - n_lab]

    def col_x_end(k: int) -> float:
        return lab_bounds[k + 1] if k < n_lab else xs[first_val + k - n_lab + 1]

    def value_spans(anc: list[float]) -> list[tuple[int, int]]:
        edges = [xs[first_val]] + [(a + b) / 2 for a, b in pairwise(anc)] + [xs[-1]]
        out = []
        for a0, a1 in pairwise(edges):
            c0 = col_of_x(a0 + 0.1)
            out.append((c0, max(col_of_x(a1 - 0.1) + 1, c0 + 1)))
        return out

    def row_cells(r: _Row) -> list[list]:
        """[c0, c1, text] of one line."""
        if id(r) in titles:
            return [[0, ncols, r.toks[0].text]]
        out: list[list] = []
        slots = [""] * n_lab
        for t in label_toks(r) if n_lab else ():
            k = min(max(0, bisect_right(lab_x, t.x0 + 0.5 * size) - 1), n_lab - 1)
            slots[k] = _join_lines([slots[k], t.text]) if slots[k] else t.text
        out += [[k, k + 1, slots[k]] for k in range(n_lab)]
        anc = block_of.get(id(r), [])
        rest = [t for t in r.toks if in_values(t)] if not r.data else r.vals
        if not anc:
            out.append([n_lab, ncols, _join_lines([t.text for t in rest])])
            return out
        spans = value_spans(anc)
        if r.data:
            texts = [""] * len(anc)
            for v in r.vals:
                cx = (v.x0 + v.x1) / 2
                k = min(range(len(anc)), key=lambda q: abs(anc[q] - cx))
                texts[k] = _join_lines([texts[k], v.text]) if texts[k] else v.text
            out += [[c0, c1, t] for (c0, c1), t in zip(spans, texts)]
            return out
        if not rest:
            out += [[c0, c1, ""] for c0, c1 in spans]
            return out
        rest = [piece for t in rest for piece in _split_header(t, anc)]
        # a header line: each token takes the block's columns under it (within half a column's
        # pitch), or the nearest one; columns under no token are blank
        pitch = min((b - a for a, b in pairwise(anc)), default=4.0 * size)
        owner = [-1] * len(anc)
        for q, t in enumerate(rest):
            under = [k for k, a in enumerate(anc) if t.x0 - 0.45 * pitch <= a <= t.x1 + 0.45 * pitch
                     and owner[k] < 0]
            if not under:
                near = min(range(len(anc)), key=lambda k: abs(anc[k] - (t.x0 + t.x1) / 2))
                under = [near] if owner[near] < 0 else []
            for k in under:
                owner[k] = q
            if not under:  # its column is taken: the text goes with its neighbour
                k = min(range(len(anc)), key=lambda k: abs(anc[k] - (t.x0 + t.x1) / 2))
                rest[owner[k]] = _Line(rest[owner[k]].chars + t.chars)
        k = 0
        while k < len(anc):
            e = k
            while e + 1 < len(anc) and owner[e + 1] == owner[k] and owner[k] >= 0:
                e += 1
            out.append([spans[k][0], spans[e][1], rest[owner[k]].text if owner[k] >= 0 else ""])
            k = e + 1
        return out

    grid_rows: list[tuple[_Row, list[list]]] = []
    first_data = next(k for k, r in enumerate(rows) if r.data)
    for k, r in enumerate(rows):
        cells_ = row_cells(r)
        if grid_rows and k <= first_data and not r.data and id(r) not in titles:
            prev_r, prev_cells = grid_rows[-1]
            if not prev_r.data and id(prev_r) not in titles and r.line.top - prev_r.line.bottom < 0.5 * size:
                # a header label wrapped onto the next line: the same grid row
                for c0, c1, text in cells_:
                    if not text:
                        continue
                    host = next((pc for pc in prev_cells if pc[0] <= c0 < pc[1]), None)
                    if host is not None:
                        host[2] = _join_lines([host[2], text])
                grid_rows[-1] = (prev_r, prev_cells)
                continue
        grid_rows.append((r, cells_))
    cells: list[_Cell] = []
    for ri, (r, cells_) in enumerate(grid_rows):
        for c0, c1, text in cells_:
            cells.append(_Cell(ri, c0, 1, c1 - c0, text, page_no,
                               (round(col_x(c0), 2), round(r.line.top, 2), round(col_x_end(c1 - 1), 2),
                                round(r.line.bottom, 2))))
    return _Table(cells, [col_x(k) for k in range(ncols)] + [col_x_end(ncols - 1)], page_no,
                  (round(left, 2), round(rows[0].line.top, 2), round(right, 2), round(rows[-1].line.bottom, 2)),
                  "aligned")


# ------------------------------------------------------------------ running headers, page numbers

PAGE_NO = re.compile(
    r"^[\s\-－—–_·•~～]*(?:第\s*)?[0-9０-９]{1,4}\s*(?:页)?(?:\s*[/／]\s*[0-9０-９]{1,4}|\s*[,，]?\s*共\s*[0-9０-９]{1,4}\s*页)?"
    r"[\s\-－—–_·•~～]*$|^\s*(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$", re.I)
MARGIN = 0.12


def _strip_running(pages: list) -> None:
    """Remove page numbers and running headers/footers from each page's lines (in place)."""
    seen: dict[str, set[int]] = {}
    cands: list[list[tuple[int, str]]] = []
    for pg in pages:
        lines = pg["lines"]
        h = pg["size"][1]
        mine = []
        for idx in list(range(min(2, len(lines)))) + list(range(max(0, len(lines) - 2), len(lines))):
            ln = lines[idx]
            if ln.bottom <= MARGIN * h or ln.top >= (1 - MARGIN) * h:
                key = norm_label(ln.text)
                if len(key) <= 40:  # running headers are short; numbers in them change per page
                    key = re.sub(r"\d+", "#", key)
                mine.append((idx, key))
                seen.setdefault(key, set()).add(pg["no"])
        cands.append(mine)
    n = len(pages)
    for pg, mine in zip(pages, cands):
        drop = set()
        for idx, key in mine:
            ln = pg["lines"][idx]
            if PAGE_NO.match(ln.text) or (n >= 2 and len(seen[key]) >= max(2, 0.5 * n) and len(key) > 0):
                drop.add(idx)
        if drop:
            pg["lines"] = [ln for k, ln in enumerate(pg["lines"]) if k not in drop]


# ------------------------------------------------------------------ narrative


class _Para:
    """A paragraph: its lines on its first page (provenance), its text lines, the lines of its
    last part (for a further join) and the margins of the flow it was read from."""
    __slots__ = ("left", "lines", "page", "right", "tail", "texts")

    def __init__(self, lines: list[_Line], page: int, left: float, right: float):
        self.lines = lines
        self.page = page
        self.texts = [ln.text for ln in lines]
        self.tail = lines
        self.left, self.right = left, right

    @property
    def top(self) -> float:
        return min(ln.top for ln in self.lines)

    @property
    def bbox(self) -> tuple:
        return (round(min(ln.x0 for ln in self.lines), 2), round(min(ln.top for ln in self.lines), 2),
                round(max(ln.x1 for ln in self.lines), 2), round(max(ln.bottom for ln in self.lines), 2))


def _margins(lines: list[_Line], fallback: tuple[float, float] | None = None) -> tuple[float, float]:
    """(left, right) text margins of a flow: edges shared by several lines, else `fallback`
    (the document's margins), else the extremes."""
    def common(vals, pick, k):
        cl = _cluster(vals, 2.0)
        counts = [(sum(1 for v in vals if abs(v - c) <= 2.0), c) for c in cl]
        shared = [c for n, c in counts if n >= 2]
        if shared:
            return pick(shared)
        return fallback[k] if fallback else pick(vals)
    return common([ln.x0 for ln in lines], min, 0), common([ln.x1 for ln in lines], max, 1)


def _paragraphs(lines: list[_Line], page: int, margins: tuple[float, float] | None = None) -> list[_Para]:
    if not lines:
        return []
    left, right = margins or _margins(lines)
    gaps = [b.top - a.bottom for a, b in pairwise(lines) if b.top - a.bottom > -1]
    typical = statistics.median(gaps) if gaps else 0.0
    paras: list[_Para] = []
    cur: list[_Line] = []
    for ln in lines:
        if cur:
            p = cur[-1]
            size = max(ln.size, 1.0)
            brk = (ln.top - p.bottom > max(typical * 1.5 + 2.0, 0.8 * size)
                   or ln.x0 - left > 0.8 * size
                   or HEADING.match(ln.text)
                   or right - p.x1 > 2.0 * max(p.size, 1.0)
                   or abs(ln.size - p.size) > 0.25 * max(ln.size, p.size))
            if brk:
                paras.append(_Para(cur, page, left, right))
                cur = []
        cur.append(ln)
    if cur:
        paras.append(_Para(cur, page, left, right))
    return paras


def _columns(lines: list[_Line]) -> list[tuple[list[_Line], bool]]:
    """Flows of a band of lines: full-width runs, and two-column blocks as left then right column
    (flagged True: their margins are their own). A two-column block is a run of consecutive lines
    that share a vertical gutter: at least two lines with text on both sides of it, every other
    line of the run on one side (a line crossing the gutter ends the run)."""
    if len(lines) < 3:
        return [(lines, False)] if lines else []
    x_lo = min(ln.x0 for ln in lines)
    x_hi = max(ln.x1 for ln in lines)
    width = x_hi - x_lo
    mid_lo, mid_hi = x_lo + 0.2 * width, x_hi - 0.2 * width
    pieces = [ln.split(1.2 * ln.size) for ln in lines]

    def gaps(k: int) -> list[tuple[float, float]]:
        ps = pieces[k]
        out = []
        for p, q in pairwise(ps):
            lo, hi = max(p.x1, mid_lo), min(q.x0, mid_hi)
            if hi - lo >= 8.0:
                out.append((lo, hi))
        return out

    def crosses(k: int, g: tuple[float, float]) -> bool:
        return any(p.x0 < g[1] - 2.0 and p.x1 > g[0] + 2.0 for p in pieces[k])

    flows: list[tuple[list[_Line], bool]] = []
    plain: list[_Line] = []
    run: list[int] = []      # lines of the current candidate block
    gutter: tuple[float, float] | None = None
    both = 0

    def close() -> None:
        nonlocal run, gutter, both
        if gutter is not None and both >= 2 and len(run) >= 3:
            if plain:
                flows.append((list(plain), False))
                plain.clear()
            m = (gutter[0] + gutter[1]) / 2
            left = [_Line([c for p in pieces[k] if p.x1 <= m for c in p.chars]) for k in run
                    if any(p.x1 <= m for p in pieces[k])]
            right = [_Line([c for p in pieces[k] if p.x0 >= m for c in p.chars]) for k in run
                     if any(p.x0 >= m for p in pieces[k])]
            flows.extend([(left, True), (right, True)])
        else:
            plain.extend(lines[k] for k in run)
        run, gutter, both = [], None, 0

    for k in range(len(lines)):
        gs = gaps(k)
        if gutter is not None:
            hit = [(max(a, gutter[0]), min(b, gutter[1])) for a, b in gs
                   if min(b, gutter[1]) - max(a, gutter[0]) >= 8.0]
            if hit:
                gutter = max(hit, key=lambda g: g[1] - g[0])
                both += 1
                run.append(k)
                continue
            if not crosses(k, gutter):
                run.append(k)
                continue
            close()
        elif gs:
            g = max(gs, key=lambda g: g[1] - g[0])
            keep = [j for j in run if not crosses(j, g)]
            if len(keep) < len(run):  # lines before the gutter appeared that cross it: not in the block
                cut = max(j for j in run if crosses(j, g)) + 1
                plain.extend(lines[j] for j in run if j < cut)
                run = [j for j in run if j >= cut]
            gutter, both = g, 1
            run.append(k)
            continue
        run.append(k)
        if gutter is None and len(run) > 1:  # lines without a gutter stay plain
            plain.extend(lines[j] for j in run[:-1])
            run = run[-1:]
    close()
    if plain:
        flows.append((plain, False))
    return flows


# ------------------------------------------------------------------ joining over page breaks


def _edge_match(a: list[float], b: list[float], tol: float) -> float:
    """Share of b's interior edges found among a's edges."""
    inner = b[1:-1]
    if not inner:
        return 1.0
    return sum(1 for x in inner if any(abs(x - y) <= tol for y in a)) / len(inner)


def _repeated_header(a: _Table, b: _Table) -> int:
    """Number of leading rows of b that repeat a's leading rows."""
    ra, rb = a.rows_text(), b.rows_text()
    k = 0
    while k < min(len(ra), len(rb)) - 1 and [norm_label(x) for x in ra[k]] == [norm_label(x) for x in rb[k]] \
            and any(x.strip() for x in rb[k]):
        k += 1
    return k


@lru_cache(maxsize=1)
def _all_labels() -> tuple:
    out = []
    for t in (get_template("v2019"), get_template("v2021")):
        out += list(t.t3_rows_all) + list(t.t3_columns) + list(t.t3_extra_columns) + list(t.t4_blocks)
        out += list(t.t4_columns) + [r for st in t.t2 for r in st.rows] + [c for st in t.t2 for c in st.columns]
    return tuple(out)


def _label_fit(text: str) -> float:
    t = text.strip()
    return best_match(t, _all_labels(), 0.0)[1] if t else 0.0


def _is_number(text: str) -> bool:
    t = text.strip()
    return bool(t) and bool(NUM_TOKEN.match(t)) and any(ch.isdigit() for ch in t)


class _Plan:
    """How table b continues table a: the common column edges, each cell's (col, colspan) on
    them, the repeated header rows of b to drop and whether b's first row is the rest of a's
    last row (a row split by the page break)."""

    def __init__(self, a: _Table, b: _Table, tol: float):
        self.xs = _cluster(list(a.xs) + list(b.xs), tol)
        self.skip = _repeated_header(a, b)
        self.pos: dict[int, tuple[int, int]] = {}
        for t in (a, b):
            for c in t.cells:
                c0, c1 = self._idx(t.xs[c.c]), self._idx(t.xs[c.c + c.cs])
                self.pos[id(c)] = (c0, max(c1 - c0, 1))
        base = a.n_rows
        self.bottom = {self.pos[id(c)]: c for c in a.cells if c.r + c.rs == base}
        self.row0 = [c for c in b.cells if c.r == self.skip]
        self.numeric = {k for c in a.cells + b.cells if _is_number(c.text)
                        for k in range(self.pos[id(c)][0], sum(self.pos[id(c)]))}
        self.split = self._split_row()

    def _idx(self, x: float) -> int:
        return min(range(len(self.xs)), key=lambda k: abs(self.xs[k] - x))

    def _split_row(self) -> bool:
        texted = [c for c in self.row0 if c.text.strip()]
        if not texted:
            return False
        gain = False
        for c in texted:
            above = self.bottom.get(self.pos[id(c)])
            if above is None or not above.text.strip() or _is_number(c.text) or _is_number(above.text):
                return False
            whole = _label_fit(_join_lines([above.text, c.text]))
            if whole >= 0.9 and whole > max(_label_fit(c.text), _label_fit(above.text)) + 0.05:
                gain = True
        return gain

    def label_continued(self, c: _Cell) -> _Cell | None:
        """The label cell of a's last row that a blank first-row cell of b continues."""
        if c.r != self.skip or c.text.strip():
            return None
        p = self.pos[id(c)]
        above = self.bottom.get(p)
        if above is None or not _label_like(above.text) or any(k in self.numeric for k in range(p[0], sum(p))):
            return None
        return above


def _continues(a: _Table, b: _Table) -> _Plan | None:
    """The plan to join b (the top of the next page) to a (the bottom of this page), or None."""
    tol = 3.0 if a.kind == b.kind == "ruled" else 12.0
    if abs(a.xs[0] - b.xs[0]) > tol or abs(a.xs[-1] - b.xs[-1]) > tol:
        return None
    if _edge_match(a.xs, b.xs, tol) < 0.5:
        return None
    plan = _Plan(a, b, tol)
    if plan.split:
        return plan
    texts = [c.text for c in sorted(plan.row0, key=lambda c: c.c)]
    head = norm_label("".join(texts))
    kind_a = _kind(a.all_text())
    if kind_a != "t2" and not plan.skip and (any(h in head for h in T3_HEAD) or norm_label("结果维持") in head):
        return None  # a new T3 or T4 starts
    labels = [t for t in texts if _label_like(t)]
    first_label = labels[-1] if labels else ""
    if kind_a == "t3":
        blank_lead = bool(texts) and not texts[0].strip() and plan.label_continued(
            min(plan.row0, key=lambda c: c.c)) is not None
        return plan if _is_t3_row(first_label) or blank_lead and not first_label else None
    if kind_a == "t2":
        return plan if any(_is_t2_row(t) for t in texts if t.strip()) else None
    if kind_a == "t4":
        a_has_data = any(sum(1 for t in row if _is_number(t)) >= 5 for row in a.rows_text())
        values = [t for t in texts if t.strip()]
        return plan if not a_has_data and values and all(_is_number(t) or not _label_like(t) for t in values) \
            and sum(1 for t in values if _is_number(t)) >= 5 else None
    # a table of no known kind: the same columns exactly
    return plan if len(a.xs) == len(b.xs) and _edge_match(a.xs, b.xs, tol) == 1.0 else None


def _join(a: _Table, b: _Table, plan: _Plan) -> None:
    """Append b (the continuation on the next page) to a, in place."""
    for c in a.cells:
        c.c, c.cs = plan.pos[id(c)]
    base = a.n_rows
    shift = base - plan.skip - (1 if plan.split else 0)
    moved = []
    for c in b.cells:
        if c.r < plan.skip:
            continue
        if plan.split and c.r == plan.skip:
            above = plan.bottom.get(plan.pos[id(c)])
            if above is not None:  # the rest of a row cut by the page break
                above.text = _join_lines([above.text, c.text])
                above.rs += c.rs - 1
                continue
        elif (above := plan.label_continued(c)) is not None:
            above.rs += c.rs  # a label cell continued over the page break
            continue
        c.c, c.cs = plan.pos[id(c)]
        c.r += shift
        moved.append(c)
    a.cells += moved
    a.xs = plan.xs
    a.last_page, a.last_bbox = b.last_page, b.last_bbox


# ------------------------------------------------------------------ the reader


def read_pdf(path: str, data: bytes) -> Document:
    """A PDF file -> `Document` (format "pdf"); `ReadError` for anything unreadable."""
    try:
        return _read(path, data)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(f"{path}: damaged: PDF structure nested too deeply to read") from None
    except MemoryError:
        raise ReadError(f"{path}: PDF too large to read in memory") from None
    except Exception as e:  # the contract: bad input is a ReadError, whatever broke
        pdfium, _ = _pdfium()
        if isinstance(e, pdfium.PdfiumError):  # a page or its text that PDFium cannot load
            raise ReadError(f"{path}: damaged: {e}") from e
        raise ReadError(f"{path}: unreadable PDF ({type(e).__name__}: {e})") from e


def _read(path: str, data: bytes) -> Document:
    pdf = _open(path, data)
    try:
        n = len(pdf)
        if n <= 0:
            raise ReadError(f"{path}: damaged: the PDF has no pages")
        meta = _meta(pdf, n)
        pages: list[dict] = []
        scans: list[int] = []
        for i in range(n):
            page = pdf[i]
            try:
                pages.append(_read_page(page, i + 1))
                if pages[-1]["scan"]:
                    scans.append(i)
            finally:
                page.close()
        if scans:
            pages = _ocr_pages(path, pdf, pages, scans)
            meta["ocr_pages"] = ",".join(str(i + 1) for i in scans)
    finally:
        pdf.close()
    _strip_running([p for p in pages if not p.get("ocr")])
    every = [ln for p in pages if not p.get("ocr") for ln in p["lines"]]
    margins = _margins(every) if every else None
    items: list[list] = []
    for pg in pages:
        items.append([_from_ocr(b) for b in pg["ocr"]] if pg.get("ocr") is not None else _layout(pg, margins))
    _join_pages(items)
    return Document(path=path, format="pdf", blocks=_emit(items), meta=meta)


def _read_page(page, no: int) -> dict:
    tf, size = _display(page)
    textpage = page.get_textpage()
    try:
        chars = _page_chars(textpage, tf)
    finally:
        textpage.close()
    if len(chars) < SCAN_MAX_CHARS and _scan_like(page, size, len(chars)):
        return {"no": no, "size": size, "tables": [], "lines": [], "scan": True}
    if not chars:
        return {"no": no, "size": size, "tables": [], "lines": [], "scan": False}
    hs, vs = _page_segments(page, tf)
    tables, used = _ruled_tables(hs, vs, chars, no) if hs and vs else ([], set())
    rest = [c for k, c in enumerate(chars) if k not in used] if used else chars
    return {"no": no, "size": size, "tables": tables, "lines": _group_lines(rest), "scan": False}


def _ocr_pages(path: str, pdf, pages: list[dict], scans: list[int]) -> list[dict]:
    try:
        from .ocr import ocr_page_blocks
    except ImportError as e:
        listed = ", ".join(str(i + 1) for i in scans[:10]) + (" …" if len(scans) > 10 else "")
        raise ReadError(f"{path}: page(s) {listed} have no text layer (scanned images) and OCR is not "
                        f"installed ({e}); install the OCR extra: {OCR_HINT}") from None
    for i in scans:
        page = pdf[i]
        try:
            _, size = _display(page)
            image = page.render(scale=OCR_DPI / 72).to_pil()
        finally:
            page.close()
        try:
            pages[i]["ocr"] = list(ocr_page_blocks(image, i + 1, (float(size[0]), float(size[1]))))
        except ReadError as e:
            msg = str(e)
            raise ReadError(msg if msg.startswith(path) else f"{path}: page {i + 1} has no text layer "
                            f"(scanned image): {msg}") from None
    return pages


def _from_ocr(block):
    """An OCR grid whose cells all have a page and a bbox becomes a table that can be joined over
    a page break like any other (column edges from the cells' boxes); anything else stays as is."""
    if not isinstance(block, Grid) or block.ragged or not block.cells:
        return block
    cells = block.cells
    if any(c.where.bbox is None or c.where.page is None for c in cells):
        return block
    n = block.n_cols
    edges: list[list[float]] = [[] for _ in range(n + 1)]
    for c in cells:
        edges[c.col].append(c.where.bbox[0])
        edges[c.col + c.colspan].append(c.where.bbox[2])
    known = [(k, sum(e) / len(e)) for k, e in enumerate(edges) if e]
    if len(known) < 2:
        return block
    xs = []
    for k in range(n + 1):  # an edge no cell touches: interpolated between its neighbours
        lo = max((p for p in known if p[0] <= k), default=known[0])
        hi = min((p for p in known if p[0] >= k), default=known[-1])
        xs.append(lo[1] if hi[0] == lo[0] else lo[1] + (hi[1] - lo[1]) * (k - lo[0]) / (hi[0] - lo[0]))
    if any(b <= a for a, b in pairwise(xs)):
        return block
    own = [_Cell(c.row, c.col, c.rowspan, c.colspan, c.text, c.where.page, c.where.bbox, c.confidence)
           for c in cells]
    page = min(c.where.page for c in cells)
    bbox = block.where.bbox or (xs[0], min(c.where.bbox[1] for c in cells), xs[-1],
                                max(c.where.bbox[3] for c in cells))
    return ("table", _Table(own, xs, page, bbox, "ocr"))


def _layout(pg: dict, doc_margins: tuple[float, float] | None = None) -> list:
    """A page's items in reading order: ("table", _Table) and ("para", _Para)."""
    no = pg["no"]
    lines: list[_Line] = pg["lines"]
    tables: list[_Table] = list(pg["tables"])
    if lines:
        aligned, used = _aligned_tables(lines, no)
        if aligned:
            tables += aligned
            lines = [ln for k, ln in enumerate(lines) if k not in used]
    tables.sort(key=lambda t: t.top)
    margins = _margins(lines, doc_margins) if lines else None
    items: list = []
    band: list[_Line] = []
    ti = 0

    def flush():
        for flow, own in _columns(band):
            items.extend(("para", p) for p in _paragraphs(flow, no, None if own else margins))
        band.clear()

    for ln in lines:
        while ti < len(tables) and (ln.top + ln.bottom) / 2 > tables[ti].top:
            flush()
            items.append(("table", tables[ti]))
            ti += 1
        band.append(ln)
    flush()
    while ti < len(tables):
        items.append(("table", tables[ti]))
        ti += 1
    return items


SENTENCE_END = ("。", "！", "？", "!", "?", "：", ":")


def _join_pages(items: list[list]) -> None:
    """Tables and paragraphs continued over page breaks, joined in place. The continuation's
    place on its page becomes a placeholder ("joined"), which emits nothing and lets a table or
    paragraph that fills a whole page continue on the page after."""
    for k in range(1, len(items)):
        prev, cur = items[k - 1], items[k]
        if not prev or not cur or not isinstance(prev[-1], tuple) or not isinstance(cur[0], tuple):
            continue
        (pk, pv), (ck, cv) = prev[-1], cur[0]
        if pk in ("table", "joined-table") and ck == "table" and (plan := _continues(pv, cv)) is not None:
            _join(pv, cv, plan)
            cur[0] = ("joined-table", pv)
        elif pk in ("para", "joined-para") and ck == "para":
            last, first = pv.tail[-1], cv.lines[0]
            right = max(pv.right, last.x1)
            if right - last.x1 <= 2.0 * last.size and first.x0 - cv.left <= 0.8 * first.size \
                    and not HEADING.match(first.text) and abs(first.size - last.size) <= 0.25 * last.size \
                    and not last.text.rstrip().endswith(SENTENCE_END):
                pv.texts += cv.texts
                pv.tail = cv.lines
                cur[0] = ("joined-para", pv)


def _emit(items: list[list]) -> list:
    blocks: list = []
    n_tables = 0
    for page_items in items:
        for it in page_items:
            if not isinstance(it, tuple):  # OCR blocks kept as they came
                if isinstance(it, Grid):
                    idx = n_tables
                    n_tables += 1
                    it = Grid(tuple(replace(c, where=replace(c.where, table=idx)) for c in it.cells),
                              replace(it.where, table=idx), it.ragged)
                blocks.append(it)
                continue
            kind, v = it
            if kind == "para":
                text = _join_lines(v.texts)
                if text:
                    blocks.append(Paragraph(text, Where(page=v.page, bbox=v.bbox)))
            elif kind == "table":
                blocks.append(_grid(v, n_tables))
                n_tables += 1
    return blocks


def _grid(t: _Table, idx: int) -> Grid:
    cells = tuple(GridCell(c.r, c.c, c.text, c.rs, c.cs,
                           Where(page=c.page, bbox=c.bbox, table=idx, row=c.r, col=c.c), c.conf)
                  for c in sorted(t.cells, key=lambda c: (c.r, c.c)))
    return Grid(cells, Where(page=t.page, bbox=t.bbox, table=idx), ragged=False)
