"""HTML pages: the report as published on a government site.

Real pages are a CMS page template (navigation, search, share buttons, footer,
scripts) around the report, which is usually Word-pasted HTML: paragraphs of
styled spans and tables with real `rowspan`/`colspan`. The reader

* decodes the bytes (BOM, then the declared `<meta charset>` / `http-equiv`
  charset, then detection; GBK and GB2312 are read as GB18030, their superset);
* parses with lxml's HTML parser without network access, comments or
  processing instructions (the HTML parser never expands custom entities; an
  internal DTD subset is dropped before parsing so that it does not leak text);
* finds the report body: the smallest element holding the numbered section
  headings with their known titles (一、总体情况 … 六、其他需要报告的事项), widened to
  the CMS content container around it when that adds little (TRS_Editor,
  Custom_UnionStyle, …content/article/zoom/detail…); without headings, the
  content container with the most non-link text;
* emits blocks in reading order: paragraphs (block elements; inline text
  joined, whitespace collapsed as a browser does, `<br>` kept as a line break)
  and every data table as a `Grid` with its spans, laid out as browsers do
  (slots covered by a span from above are skipped). A table inside a cell is its
  own `Grid`, after the outer one. A table used for page layout (one cell, or
  cells holding section headings around nested tables) is walked through, not
  emitted;
* reads the page metadata (title, publication date, source, URL) from the
  `<meta>` tags and the page chrome around the body, under the keys the text
  reader uses (`HEADER_KEYS`).

Speed: an element holding only inline text (and line breaks) is read at once
from libxml2 (`_text`) instead of piece by piece, table cells without nested
structure included; headings are looked for only from the text nodes that start
with a numeral; chrome is looked for outside the data tables only; elements are
plain lxml elements (lxml.html's classes cost a Python call per element). The
quick paths give exactly what reading element by element gives
(`test_quick_paths_read_as_element_by_element`).
"""
from __future__ import annotations

import codecs
import dataclasses
import re as _re  # the standard library's engine, for the few ASCII-only fast checks
from functools import cache, lru_cache

import regex as re
from charset_normalizer import from_bytes
from lxml import etree
from lxml import html as lxml_html

from ..model import Document, Grid, GridCell, Paragraph, Where
from ..templates import norm_label, section_specs
from .text import ARTIFACTS, HEADER_KEYS, ReadError

MAX_BYTES = 50 * 1024 * 1024  # a report page is well under 5 MB; beyond 50 MB it is not a report page
MAX_TABLE_SLOTS = 2_000_000  # grid positions (sum of colspans) in one table
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534  # the HTML table model's own limits

# ------------------------------------------------------------------ decoding

META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
CHINESE_GB = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn",
              "csgb2312", "chinese", "iso-ir-58", "gb_2312", "x-euc-cn", "hz-gb-2312"}
WESTERN = {"ascii", "iso8859-1", "cp1252"}  # often declared by mistake on Chinese pages


def _codec(name: str) -> str | None:
    n = name.strip().lower()
    if n in CHINESE_GB or n.replace("_", "-") in CHINESE_GB:
        return "gb18030"
    try:
        c = codecs.lookup(n).name
    except LookupError:
        return None
    if c in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        return "utf-8"  # a page without a BOM that declares UTF-16 is UTF-8 (WHATWG)
    if c in ("gbk", "gb2312", "hz"):
        return "gb18030"
    return c


def declared_charset(data: bytes) -> str | None:
    head = data[:65536]
    m = XML_ENCODING.match(head) or META_CHARSET.search(head)
    return _codec(m.group(1).decode("ascii", "replace")) if m else None


def decode_html(data: bytes, path: str) -> tuple[str, str, str]:
    """Bytes -> (text, encoding, how the encoding was chosen)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8", "bom"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(enc, errors="replace"), enc, "bom"
    if b"\x00" in data[:4096]:
        raise ReadError(f"{path}: binary content (NUL bytes), not an HTML page")
    declared = declared_charset(data)
    if declared and declared != "utf-8" and not data.isascii():
        # valid UTF-8 with non-ASCII text is UTF-8 whatever the page says (CMS templates keep a
        # GB2312 <meta> after the site moved to UTF-8); GBK text is practically never valid UTF-8
        try:
            return data.decode("utf-8"), "utf-8", f"detected (the page declares {declared})"
        except UnicodeDecodeError:
            pass
    if declared and not (declared in WESTERN and not data.isascii()):
        text = _mostly(data, declared)
        if text is not None:
            return text, declared, "declared"
        # a mislabelled page: the content decides
    try:
        return data.decode("utf-8"), "utf-8", "detected"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:2_000_000]).best()
    if best is not None:
        enc = _codec(best.encoding) or best.encoding
        try:
            return data.decode(enc), enc, "detected"
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("gb18030"), "gb18030", "detected"
    except UnicodeDecodeError:
        pass
    if declared:
        return data.decode(declared, errors="replace"), declared, "declared (with errors)"
    raise ReadError(f"{path}: undecodable bytes (no usable charset declaration; not UTF-8, GB18030 or a "
                    f"detectable encoding)")


def _mostly(data: bytes, encoding: str) -> str | None:
    """The text if `encoding` decodes the bytes with at most a few bad sequences (a truncated
    character here and there), else None."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = data.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    return text if bad <= max(3, len(text) // 2000) else None


BAD_CHARS = _re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # control characters but \t \n \f \r; U+FFFD


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample or BAD_CHARS.search(sample) is None:  # (the usual page: nothing to count)
        return False
    bad = len(sample) - len(BAD_CHARS.sub("", sample))
    return bad / len(sample) > 0.02


# ------------------------------------------------------------------ element classes

BLOCK = {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
         "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
         "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol",
         "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp",
         "plaintext", "noframes", "frameset", "option", "optgroup"}
CONTAINERS = {"div", "td", "th", "article", "section", "main", "body", "blockquote", "form", "center",
              "table", "html", "dd", "li", "fieldset", "figure", "details"}
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
             "applet", "svg", "math", "canvas", "audio", "video", "map", "input", "button", "select",
             "textarea")
CHROME_TAGS = {"nav", "aside", "header", "footer", "menu", "dialog"}
CHROME_TOKENS = {"share", "fenxiang", "bdshare", "jiathis", "print", "dayin", "close", "guanbi", "comment",
                 "comments", "pinglun", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "position", "location",
                 "weizhi", "dqwz", "nav", "navbar", "menu", "footer", "foot", "header", "toolbar", "tools",
                 "qrcode", "ewm", "erweima", "related", "xglj", "relnews", "pager", "pagination", "sidebar",
                 "login", "search", "banner", "ad", "ads", "advert", "attachment", "attach", "download",
                 "fujian", "fontsize", "zihao", "function", "favorite", "fav", "shoucang"}
CHROME_SUBSTRINGS = ("bdshare", "jiathis", "share", "qrcode", "breadcrumb")
CONTAINER_ATTR = re.compile(r"TRS_Editor|Custom_UnionStyle|TRS_UEDITOR|content|article|zoom|detail|"
                            r"(?:^|[\s_\-])(?:con|cont|text|main|body|nr|zw|wz|info|news)(?:$|[\s_\-\d])", re.I)
TOKEN_SPLIT = re.compile(r"[\s_\-]+")
BR = "\x0b"  # a <br> in collected text, until lines are made
PRE_SPACE = "\x0e"  # a space inside <pre>, not collapsed

HEADING = re.compile(r"^(?P<num>十[一二]?|[一二三四五六七八九])[、.．,，]")


_TAGS: dict = {}  # lxml tag -> _tag() of it (a page has a few dozen distinct tags)


def _tag(el) -> str:
    t = el.tag
    try:
        return _TAGS[t]
    except KeyError:
        pass
    name = t.lower().rpartition("}")[2] if isinstance(t, str) else ""
    if len(_TAGS) < 4096:  # a hostile page may invent any number of tags
        _TAGS[t] = name
    return name


@lru_cache(maxsize=4096)
def _tokens(cls: str | None, ident: str | None) -> tuple[str, ...]:
    s = f"{cls or ''} {ident or ''}".lower()
    return tuple(t for t in TOKEN_SPLIT.split(s) if t)


def _attr_tokens(el) -> tuple[str, ...]:
    return _tokens(el.get("class"), el.get("id"))


@lru_cache(maxsize=4096)
def _chrome_tokens(cls: str | None, ident: str | None) -> bool:
    toks = _tokens(cls, ident)
    if any(t in CHROME_TOKENS for t in toks):
        return True
    return any(s in t for t in toks for s in CHROME_SUBSTRINGS)


@lru_cache(maxsize=4096)
def _hidden_style(style: str | None) -> bool:
    style = (style or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


def _is_chrome(el) -> bool:
    if _tag(el) in CHROME_TAGS:
        return True
    if _chrome_tokens(el.get("class"), el.get("id")):
        return True
    return _is_hidden(el)


def _is_hidden(el) -> bool:
    return _hidden_style(el.get("style")) or el.get("hidden") is not None


def _text(el) -> str:
    """All the text inside `el` (lxml.html's `text_content()`), without its tail."""
    if not len(el):
        return el.text or ""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _drop_tree(el) -> None:
    """Removes `el` with its content; its tail joins the previous element or the parent
    (lxml.html's `drop_tree()`)."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


def _text_prefix(el, limit: int = 80) -> str:
    out, n = [], 0
    for t in el.itertext():
        out.append(t)
        n += len(t)
        if n >= limit:
            break
    return "".join(out)


# ------------------------------------------------------------------ text normalisation

CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef"
SEGMENT_BREAK = re.compile(rf"(?<=[{CJK}])[ \t\r\f]*\n[ \t\r\n\f]*(?=[{CJK}])")
WS = _re.compile(r"[ \t\r\n\f\xa0]+")  # an explicit class: the same in either engine


LINES_WORK = _re.compile("[\t\n\r\f\xa0\x0b\x0e\\[<]|  ")  # what `_lines` may have to change inside a text


def _lines(raw: str) -> str:
    """Collected text -> the paragraph as printed: whitespace collapsed (a line break
    between two CJK characters disappears, as in browsers), <br> kept as a line break,
    escaped Word artefacts (`<!--[if !supportLists]-->`) dropped as the text reader does."""
    if LINES_WORK.search(raw) is None:
        return raw.strip()  # one line, no runs of whitespace, no artefacts: only the ends change
    raw = ARTIFACTS.sub("", SEGMENT_BREAK.sub("", raw))
    lines = [WS.sub(" ", part).strip().replace(PRE_SPACE, " ") for part in raw.split(BR)]
    return "\n".join(line for line in lines if line)


def _solid_len(s: str) -> int:
    """len(WS.sub("", s)): the characters that are not collapsible whitespace."""
    return len(s) - s.count(" ") - s.count("\n") - s.count("\t") - s.count("\r") - s.count("\f") - s.count("\xa0")


def _clean_source_text(s: str | None) -> str:
    if not s:
        return ""
    if BR in s or PRE_SPACE in s:
        s = s.replace(BR, " ").replace(PRE_SPACE, " ")
    return s


# ------------------------------------------------------------------ tables

def _rows(table) -> list:
    """The table's rows in rendering order: header group, body rows, footer group."""
    head, body, foot = [], [], []
    for ch in table:
        t = _tag(ch)
        if t == "tr":
            body.append(ch)
        elif t in ("thead", "tbody", "tfoot"):
            rows = [r for r in ch if _tag(r) == "tr"]
            (head if t == "thead" else foot if t == "tfoot" else body).extend(rows)
    return head + body + foot


def _cells(tr) -> list:
    return [c for c in tr if _tag(c) in ("td", "th")]


DIGITS = re.compile(r"\d+")


def _span(el, name: str, limit: int) -> int:
    v = el.get(name)
    return _span_value(v, name == "rowspan", limit) if v else 1


@lru_cache(maxsize=4096)
def _span_value(v: str, rowspan: bool, limit: int) -> int:
    m = DIGITS.match(v.strip())
    if not m:
        return 1
    n = int(m.group(0))
    if n == 0:
        return 0 if rowspan else 1
    return min(n, limit)


def _layout(table, path: str, rows: list | None = None) -> list[tuple[int, int, int, int, object]]:
    """(row, col, rowspan, colspan, td) with positions as a browser lays them out; `rows`: the
    table's cells by row when already known."""
    if rows is None:
        rows = [_cells(tr) for tr in _rows(table)]
    n = len(rows)
    covered: list[int] = []  # per column: the row where the cover from above ends (exclusive)
    out, slots = [], 0
    for r, tds in enumerate(rows):
        c = 0
        left = n - r
        for td in tds:
            width = len(covered)
            while c < width and covered[c] > r:
                c += 1
            v = td.get("rowspan")
            rs = _span_value(v, True, MAX_ROWSPAN) if v else 1
            rs = left if rs == 0 or rs > left else rs
            v = td.get("colspan")
            cs = _span_value(v, False, MAX_COLSPAN) if v else 1
            slots += cs
            if slots > MAX_TABLE_SLOTS:
                raise ReadError(f"{path}: a table (line {table.sourceline}) has more than {MAX_TABLE_SLOTS} "
                                f"cell positions; not a report table")
            end = c + cs
            if end > width:
                covered.extend([0] * (end - width))
            if cs == 1:
                covered[c] = r + rs
            else:
                covered[c:end] = [r + rs] * cs
            out.append((r, c, rs, cs, td))
            c = end
    return out


# ------------------------------------------------------------------ the page analysis

@cache
def _known_titles() -> tuple[str, ...]:
    return tuple(sorted({norm_label(t) for s in section_specs() for t in s["titles"]}, key=len, reverse=True))


NUMERALS = frozenset("一二三四五六七八九十")
_TEXT_NODES = etree.XPath("//text()")
HEADING_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "div", "dt", "dd", "blockquote",
                "section", "center", "font", "span", "b", "strong"}


class _Page:
    """The parsed page: its section headings, its layout tables, the report body."""

    def __init__(self, root, path: str):
        self.root = root
        self.path = path
        self.titles = _known_titles()
        self.layout_tables: set = set()
        self.table_rows: dict = {}  # table -> its rows of cells (data tables are not changed after this)
        self.headings: list[tuple[object, str]] = []  # (element, numeral) of known section headings
        self._first: dict = {}
        self.mixed: set = set()  # elements found to hold more than inline text and breaks (`_content_kind`)
        self._classify()

    def _heading_num(self, el) -> str | None:
        t = _text_prefix(el, 60).lstrip()
        if not t or t[0] not in "一二三四五六七八九十":
            return None
        t = norm_label(t)
        m = HEADING.match(t)
        if not m:
            return None
        rest = t[m.end():]
        return m.group("num") if rest.startswith(self.titles) else None

    def _first_char(self, el) -> str:
        """The first non-blank character of the text inside `el` ("" when there is none)."""
        memo = self._first
        c = memo.get(el)
        if c is not None:
            return c
        t = el.text
        t = t.lstrip() if t else ""
        if t:
            c = t[0]
        else:
            c = ""
            for ch in el:
                c = memo.get(ch)
                if c is None:
                    t = ch.text
                    t = t.lstrip() if t else ""
                    if not t:
                        t = _text(ch).lstrip()
                    c = t[0] if t else ""
                if c:
                    break
                t = ch.tail
                t = t.lstrip() if t else ""
                if t:
                    c = t[0]
                    break
        memo[el] = c
        return c

    def _candidates(self) -> list:
        """The elements whose text starts with a numeral (一 … 十), in document order: the only ones
        `_heading_num` can accept. Each is found from the text node holding that numeral by going
        up while the element's first non-blank character is still a numeral (an element higher up
        whose text starts with another text node is found from that one)."""
        found: list = []
        seen: set = set()
        hits = [(idx, s) for idx, s in enumerate(_TEXT_NODES(self.root)) if s.lstrip()[:1] in NUMERALS]
        for idx, s in hits:
            el = s.getparent()
            if el is not None and s.is_tail:
                el = el.getparent()
            step = 0
            while el is not None and el not in seen:
                seen.add(el)
                if self._first_char(el) not in NUMERALS:
                    break
                if _tag(el) in HEADING_TAGS:
                    found.append(((idx, -step), el))  # the outer of two elements starting alike comes first
                step += 1
                el = el.getparent()
        found.sort(key=lambda x: x[0])
        return [el for _, el in found]

    def _classify(self):
        cands = [(el, num) for el in self._candidates() for num in [self._heading_num(el)] if num]
        # the innermost element of each heading (not the ancestors whose text starts with it)
        found = {el for el, _ in cands}
        outer = set()
        for el in found:
            for a in el.iterancestors():
                if a in found:
                    outer.add(a)
                    break  # the ancestors above `a` are marked when `a` is looked at
        heads = [(el, num) for el, num in cands if el not in outer]
        # a hidden copy (a print version in display:none) does not count while a visible one exists
        visible = [(el, num) for el, num in heads
                   if not _is_hidden(el) and not any(_is_hidden(a) for a in el.iterancestors())]
        heads = visible or heads
        # layout tables: a single cell, or a cell holding two section headings, or a nested table
        # together with a section heading or running text
        per_cell: dict = {}
        for el, num in heads:
            td = el if _tag(el) in ("td", "th") else next(
                (a for a in el.iterancestors() if _tag(a) in ("td", "th")), None)
            if td is not None:
                per_cell.setdefault(td, set()).add(num)
        tables = list(self.root.iter("table"))
        around_tables = set()  # elements holding a table
        for table in tables:
            around_tables.update(table.iterancestors())
        for table in tables:
            rows = [_cells(tr) for tr in _rows(table)]
            self.table_rows[table] = rows
            cells = [c for row in rows for c in row]
            if len(cells) <= 1 or all(len(row) <= 1 and _span(row[0], "colspan", MAX_COLSPAN) <= 1
                                      for row in rows if row):
                self.layout_tables.add(table)  # one cell, or one column of boxes: not a data table
                continue
            for c in cells:
                n_heads = len(per_cell.get(c, ()))
                if n_heads >= 2 or (c in around_tables and (n_heads >= 1 or len(_text_prefix(c, 400)) >= 400)):
                    self.layout_tables.add(table)
                    break
        # headings inside data tables are row labels (一、主动公开情况 in a statistics table)
        self.headings = [(el, num) for el, num in heads if self.data_table_of(el) is None]

    def data_table_of(self, el):
        for a in el.iterancestors():
            if _tag(a) == "table" and a not in self.layout_tables:
                return a
        return None

    def body(self):
        b = self.root.find(".//body")
        return b if b is not None else self.root

    def container(self):
        """(element holding the report, how it was found)."""
        heads = [el for el, _ in self.headings]
        if len(heads) >= 2 and len({num for _, num in self.headings}) >= 2:
            node = _lca(heads)
            while node is not None and _tag(node) not in CONTAINERS:
                node = node.getparent()
            if node is None:
                node = self.body()
            return self._widen(node), "section headings"
        best = self._densest(heads[0] if heads else None)
        return best, ("content container" if best is not self.body() else "page body")

    def _widen(self, node):
        """The nearest CMS content container around `node`, if it adds little text
        (a title or a signature outside the headings' element), else `node`. A node that
        is a content container itself is kept."""
        if CONTAINER_ATTR.search(_attrs(node)):
            return node
        size = _solid_len(_text(node))
        for a in node.iterancestors():
            if _tag(a) in ("body", "html"):
                break
            if CONTAINER_ATTR.search(_attrs(a)) and not _is_chrome(a):
                extra = _solid_len(_text(a)) - size
                return a if extra <= max(300, size // 4) else node
        return node

    def _densest(self, must_contain=None):
        """The content container with the most non-link text (no section headings to go by)."""
        body = self.body()

        def score(el):
            text = _solid_len(_text(el))
            links = sum(_solid_len(_text(a)) for a in el.iter("a"))
            return text - 2 * links

        cands = [el for el in body.iterdescendants()
                 if _tag(el) in CONTAINERS and CONTAINER_ATTR.search(_attrs(el)) and not _is_chrome(el)
                 and (must_contain is None or _contains(el, must_contain))]
        if not cands:
            return body
        scored = [(score(el), el) for el in cands]
        top = max(s for s, _ in scored)
        if top < 50:
            return body
        # the deepest container holding nearly all of the best one's text
        best = next(el for s, el in scored if s == top)
        for s, el in scored:
            if s >= 0.9 * top and _contains(best, el):
                best = el
        return best


def _attrs(el) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _contains(a, b) -> bool:
    """a is b or an ancestor of b."""
    return a is b or any(x is a for x in b.iterancestors())


def _lca(els):
    paths = [([el] + list(el.iterancestors()))[::-1] for el in els]
    common = None
    for level in zip(*paths):
        if any(x is not level[0] for x in level):
            break
        common = level[0]
    return common


# ------------------------------------------------------------------ blocks and cells, made quickly

def _template(cls) -> dict | None:
    """The __dict__ of a new instance of the frozen dataclass `cls` (defaults, in field order)
    when an instance can be made by filling its __dict__ (as pickle and copy restore one), else
    None (slots, __post_init__, default factories, fields outside __init__)."""
    fields = dataclasses.fields(cls)
    if (hasattr(cls, "__slots__") or hasattr(cls, "__post_init__")
            or any(not f.init or f.default_factory is not dataclasses.MISSING for f in fields)):
        return None
    return {f.name: f.default for f in fields}


_WHERE, _CELL, _PARAGRAPH = _template(Where), _template(GridCell), _template(Paragraph)
_new = object.__new__


def _fast_paragraph(text: str, line: int | None) -> Paragraph:
    w = _new(Where)
    d = w.__dict__
    d.update(_WHERE)
    d["line"] = line
    p = _new(Paragraph)
    d = p.__dict__
    d.update(_PARAGRAPH)
    d["text"] = text
    d["where"] = w
    return p


def _fast_cell(row: int, col: int, text: str, rowspan: int, colspan: int, table: int, line: int | None) -> GridCell:
    w = _new(Where)
    d = w.__dict__
    d.update(_WHERE)
    d["table"] = table
    d["row"] = row
    d["col"] = col
    d["line"] = line
    c = _new(GridCell)
    d = c.__dict__
    d.update(_CELL)
    d["row"] = row
    d["col"] = col
    d["text"] = text
    d["rowspan"] = rowspan
    d["colspan"] = colspan
    d["where"] = w
    return c


def _slow_paragraph(text: str, line: int | None) -> Paragraph:
    return Paragraph(text=text, where=Where(line=line))


def _slow_cell(row: int, col: int, text: str, rowspan: int, colspan: int, table: int, line: int | None) -> GridCell:
    return GridCell(row=row, col=col, text=text, rowspan=rowspan, colspan=colspan,
                    where=Where(table=table, row=row, col=col, line=line))


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b and list(vars(a).items()) == list(vars(b).items())


def _fast_is_exact() -> bool:
    """The generated __init__ sets the fields one by one through object.__setattr__, which was
    most of the cost of a table cell; the quick way is used only when it makes exactly the same
    objects."""
    if None in (_WHERE, _CELL, _PARAGRAPH):
        return False
    try:
        a, b = _fast_cell(1, 2, "x", 3, 4, 5, 6), _slow_cell(1, 2, "x", 3, 4, 5, 6)
        c, d = _fast_paragraph("y", 7), _slow_paragraph("y", 7)
        return _same(a, b) and _same(a.where, b.where) and _same(c, d) and _same(c.where, d.where)
    except Exception:  # noqa: BLE001  (any surprise: the classes' own constructors)
        return False


_make_paragraph, _make_cell = (_fast_paragraph, _fast_cell) if _fast_is_exact() else (_slow_paragraph, _slow_cell)


# ------------------------------------------------------------------ walking the body

_KIND: dict = {}  # lxml tag -> 0: inline (read as text), 1: <br>, 2: anything else (block, table, hr, img, unnamed)
LEAVES = ("br", "table", "hr", "img")
INLINE, INLINE_BR, MIXED = 0, 1, 2


def _content_kind(el, mixed: set) -> int:
    """What is inside `el`: INLINE (inline elements only: its text is one run, `_text(el)`),
    INLINE_BR (inline elements and line breaks: `_br_text(el)`) or MIXED (anything else, read
    element by element). `mixed` collects the MIXED elements found on the way (so that a chain of
    inline elements is not scanned again at every level)."""
    if el in mixed:
        return MIXED
    known = _KIND
    kind = INLINE
    for d in el.iterdescendants():
        t = d.tag
        k = known.get(t)
        if k is None:
            name = _tag(d)
            k = INLINE if name and name not in BLOCK and name not in LEAVES else INLINE_BR if name == "br" else MIXED
            if len(known) < 4096:
                known[t] = k
        if k:
            if k == INLINE_BR and not len(d):
                kind = INLINE_BR
                continue
            mixed.add(el)
            for a in d.iterancestors():
                if a is el:
                    break
                mixed.add(a)
            return MIXED
    return kind


def _br_text(el) -> tuple[str, int | None]:
    """The text inside an INLINE_BR element with BR for each <br>, and the source line of its
    first text that is not blank (the pieces and the line `_Walker.add` would collect)."""
    pieces: list[str] = []
    line = None
    for event, d in etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            if d is not el and _tag(d) == "br":
                pieces.append(BR)
                continue
            t = d.text
        elif d is el:
            break
        else:
            t = d.tail
        if t:
            t = _clean_source_text(t)
            if line is None and t.strip():
                line = d.sourceline
            pieces.append(t)
    return "".join(pieces), line


def _first_line(el) -> int | None:
    """The source line of the first text inside `el` that is not blank (as `_Walker.add` takes it)."""
    t = el.text
    if t and _clean_source_text(t).strip():
        return el.sourceline
    if len(el):
        first = el[0]
        t = first.text
        if t and _clean_source_text(t).strip():
            return first.sourceline
    for event, d in etree.iterwalk(el, events=("start", "end")):
        if event == "start":
            t = d.text
        elif d is el:
            break
        else:
            t = d.tail
        if t and _clean_source_text(t).strip():
            return d.sourceline
    return None


def _cell_text(td, mixed: set) -> str | None:
    """The text of a table cell holding only inline text, line breaks and paragraphs of those
    (as a `_Walker` of the cell gives it, the paragraphs joined by line breaks); None for any
    other cell (a nested table, <pre>, images…)."""
    t = td.text
    if not len(td):
        return _lines(_clean_source_text(t)) if t else ""
    texts: list[str] = []
    cur = [_clean_source_text(t)] if t else []  # the pieces of the paragraph being collected
    for ch in td:
        name = _tag(ch)
        if name == "br":
            if len(ch):
                return None
            cur.append(BR)
        elif name == "hr":
            if len(ch):
                return None
            if cur:
                _paragraph_text(cur, texts)
                cur = []
        elif not name or name in LEAVES or name == "pre":
            return None
        else:
            kind = _content_kind(ch, mixed)
            if kind == MIXED:
                return None
            raw = _clean_source_text(_text(ch)) if kind == INLINE else _br_text(ch)[0]
            if name in BLOCK:
                if cur:
                    _paragraph_text(cur, texts)
                    cur = []
                text = _lines(raw)
                if text:
                    texts.append(text)
            else:
                cur.append(raw)
        t = ch.tail
        if t:
            cur.append(_clean_source_text(t))
    if cur:
        _paragraph_text(cur, texts)
    return "\n".join(texts)


def _paragraph_text(pieces: list[str], texts: list[str]) -> None:
    raw = "".join(pieces)
    if raw and not raw.isspace():  # blank (<br> included): no paragraph
        text = _lines(raw)
        if text:
            texts.append(text)


class _Walker:
    """Blocks of a subtree in reading order. Inside a table cell (`sink` given) nested
    tables are handed to `sink` instead of being emitted."""

    def __init__(self, page: _Page, state: dict, sink: list | None = None):
        self.page = page
        self.state = state  # shared by all walkers of a document: the table counter
        self.sink = sink
        self.blocks: list = []
        self.buf: list[str] = []
        self.line: int | None = None
        self.pre = 0

    def flush(self):
        if self.buf:
            text = _lines("".join(self.buf))
            if text:
                self.blocks.append(_make_paragraph(text, self.line))
            self.buf = []
        self.line = None

    def add(self, s: str | None, line: int | None):
        s = _clean_source_text(s)
        if not s:
            return
        if self.pre:
            s = s.replace("\n", BR).replace(" ", PRE_SPACE).replace("\t", PRE_SPACE)
        if self.line is None and s.strip():
            self.line = line
        self.buf.append(s)

    def open(self, el, root) -> bool:
        """Entering `el`: True when its children are to be read."""
        tag = _tag(el)
        if tag and tag not in LEAVES:
            if tag in BLOCK:
                self.flush()
            if tag == "pre":
                self.pre += 1
            self.add(el.text, el.sourceline)
            return True
        if tag == "br":
            self.buf.append(BR)
        elif tag == "hr":
            self.flush()
        elif tag == "table":
            if el in self.page.layout_tables:  # a page-layout table: its cells are read as blocks
                self.flush()
                self.add(el.text, el.sourceline)
                return True
            self.flush()
            if self.sink is not None:
                self.sink.append(el)
            else:
                self.table(el)
        if el is not root:
            self.add(el.tail, el.sourceline)
        return False

    def close(self, el, root):
        """Leaving `el` after its children."""
        tag = _tag(el)
        if tag in BLOCK:
            self.flush()
        if tag == "pre":
            self.pre -= 1
        if el is not root:
            self.add(el.tail, el.sourceline)

    def walk(self, root) -> list:
        """The blocks of `root`. An element holding nothing but inline text is read at once
        (`_text`), which is what the pieces `add` would collect one by one come to."""
        mixed = self.page.mixed
        blocks = self.blocks
        if self.open(root, root):
            stack = [(root, iter(root))]
            while stack:
                el, children = stack[-1]
                for ch in children:
                    tag = _tag(ch)
                    if self.pre or not tag or tag in LEAVES or tag == "pre":
                        kind = MIXED
                    else:
                        kind = _content_kind(ch, mixed)
                    if kind == INLINE:
                        raw = _clean_source_text(_text(ch))
                        if tag in BLOCK:  # a paragraph of its own
                            self.flush()
                            if raw:
                                text = _lines(raw)
                                if text:
                                    blocks.append(_make_paragraph(text, _first_line(ch)))
                        elif raw:  # inline text within the paragraph being collected
                            if self.line is None and raw.strip():
                                self.line = _first_line(ch)
                            self.buf.append(raw)
                        self.add(ch.tail, ch.sourceline)
                    elif kind == INLINE_BR:
                        raw, line = _br_text(ch)
                        if tag in BLOCK:
                            self.flush()
                            text = _lines(raw)
                            if text:
                                blocks.append(_make_paragraph(text, line))
                        else:
                            if self.line is None:
                                self.line = line
                            self.buf.append(raw)
                        self.add(ch.tail, ch.sourceline)
                    elif self.open(ch, root):
                        stack.append((ch, iter(ch)))
                        break
                else:
                    stack.pop()
                    self.close(el, root)
        self.flush()
        return blocks

    def table(self, table):
        caption = next((c for c in table if _tag(c) == "caption"), None)
        if caption is not None:
            self.blocks.extend(_Walker(self.page, self.state).walk(caption))
        index = self.state["tables"]
        self.state["tables"] += 1
        nested: list = []
        cells = []
        for r, c, rs, cs, td in _layout(table, self.page.path, self.page.table_rows.get(table)):
            text = _cell_text(td, self.page.mixed)
            if text is None:
                paras = _Walker(self.page, self.state, sink=nested).walk(td)
                text = "\n".join(p.text for p in paras)
            cells.append(_make_cell(r, c, text, rs, cs, index, td.sourceline))
        if cells and any(x.text for x in cells):
            self.blocks.append(Grid(tuple(cells), Where(table=index, line=table.sourceline), ragged=False))
        else:
            self.state["tables"] -= 1  # an empty spacer table is not a table of the report
        for t in nested:  # tables inside cells: each its own grid, after the outer one
            self.table(t)


def _drop_chrome(container, page: _Page):
    """Share buttons, print/close links, hidden boxes… inside the body, unless they hold
    a section heading or a data table."""
    layout = page.layout_tables
    if (_tag(container) == "table" and container not in layout) or page.data_table_of(container) is not None:
        return  # a data table's cells are read as they are
    keep = set()
    for el, _ in page.headings:
        keep.add(el)
        keep.update(el.iterancestors())
    for t in container.iter("table"):
        if t not in layout:
            keep.add(t)
            keep.update(t.iterancestors())
    doomed = []
    walk = etree.iterwalk(container, events=("start",))
    for _, el in walk:
        if el is container:
            continue
        tag = _tag(el)
        get = el.get
        if tag and el not in keep and (tag in CHROME_TAGS or _chrome_tokens(get("class"), get("id"))
                                       or _hidden_style(get("style")) or get("hidden") is not None):
            doomed.append(el)  # _is_chrome(el)
            walk.skip_subtree()  # dropped with it
        elif tag == "table" and el not in layout:
            walk.skip_subtree()  # a data table: its cells are read as they are
    for el in doomed:
        _drop_tree(el)  # keeps the tail text


def _describe(el) -> str:
    cls = (el.get("class") or "").split()
    ident = el.get("id")
    return (_tag(el) + (f"#{ident}" if ident else "") + "".join(f".{c}" for c in cls[:2])
            + f" (line {el.sourceline})")


# ------------------------------------------------------------------ metadata

DATE_VALUE = r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)"
PUBLISHED = re.compile(r"(?:发布时间|发布日期|公开日期|(?<!\p{Han})时间|(?<!\p{Han})日期)\s*[:：]\s*" + DATE_VALUE)
LABELLED = {"来源": "source", "信息来源": "source", "文章来源": "source", "发布机构": "publisher",
            "索引号": "index_number", "文号": "doc_number", "发文字号": "doc_number", "成文日期": "written",
            "栏目": "column"}
LABEL_VALUE = re.compile(r"(?<!\p{Han})(?P<label>" + "|".join(sorted(LABELLED, key=len, reverse=True))
                         + r")\s*[:：]\s*(?P<value>[^\s:：|｜]{1,60}+)(?!\s*[:：])")
TITLE_SEP = re.compile(r"\s*(?:[_|｜]|\s+[-—–]+\s+|——|--)\s*")
META_DATE = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "article:published_time",
             "dc.date.issued", "dc.date", "releasedate")
META_URL = ("og:url", "canonical", "url")


WS_WORK = _re.compile("[\t\n\r\f\xa0]|  ")  # what WS.sub(" ", …) may change


def _norm_ws(s: str) -> str:
    if not s:
        return ""
    if WS_WORK.search(s) is None:
        return s.strip()
    return WS.sub(" ", s).strip()


def _page_meta(root, container) -> dict:
    metas: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or m.get("itemprop") or "").strip().lower()
        content = _norm_ws(m.get("content") or "")
        if name and content and name not in metas:
            metas[name] = content
    for link in root.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical" and (link.get("href") or "").strip():
            metas.setdefault("canonical", link.get("href").strip())
    body = root.find(".//body")
    chrome = " \n ".join(_chrome_texts(body, container)) if body is not None else ""
    # an article-info line (发布时间：… 来源：…) may sit at the top of the body container
    chrome += " \n " + _norm_ws(_text_prefix(container, 600))[:600]

    meta: dict = {}
    title = metas.get("articletitle") or _content_title(root, container)
    if not title:
        t = root.find(".//title")
        title = _clean_title(_text(t) if t is not None else "") or metas.get("og:title", "")
    meta["title"] = _norm_ws(title)

    m = PUBLISHED.search(chrome)
    if m:
        meta["published"] = _norm_ws(m.group(1))
    else:
        meta["published"] = next((metas[k] for k in META_DATE if metas.get(k)), "")
    for m in LABEL_VALUE.finditer(chrome):
        key = LABELLED[m.group("label")]
        meta.setdefault(key, m.group("value"))
    meta.setdefault("source", metas.get("contentsource", ""))
    meta.setdefault("column", metas.get("columnname", ""))
    meta["url"] = next((metas[k] for k in META_URL if metas.get(k)), "")
    return {k: v for k, v in meta.items() if v}


_NO_BLOCK: dict = {}  # lxml tag -> whether `_chrome_texts` reads it as inline text (a tag, not a block)


def _no_blocks_inside(el, mixed: set) -> bool:
    """No block element inside `el` (nor an element `_tag` cannot name); `mixed` as in
    `_content_kind`."""
    if el in mixed:
        return False
    known = _NO_BLOCK
    for d in el.iterdescendants():
        t = d.tag
        inline = known.get(t)
        if inline is None:
            name = _tag(d)
            inline = bool(name) and name not in BLOCK
            if len(known) < 4096:
                known[t] = inline
        if not inline:
            mixed.add(el)
            for a in d.iterancestors():
                if a is el:
                    break
                mixed.add(a)
            return False
    return True


def _chrome_texts(body, skip) -> list[str]:
    """The page's texts outside the report body (title bar, date and source lines), one
    string per block element."""
    out: list[str] = []
    buf: list[str] = []
    if body is not skip:
        around_skip = set(skip.iterancestors())
        mixed: set = set()
        tag = _tag(body)
        if tag in BLOCK:
            out.append("")
        if tag and body.text:
            buf.append(body.text)
        stack = [(body, tag, iter(body))]
        while stack:
            el, tag, children = stack[-1]
            for ch in children:
                if ch is skip:
                    out.append("".join(buf))
                    buf = []
                else:
                    name = _tag(ch)
                    if name and ch not in around_skip and _no_blocks_inside(ch, mixed):
                        text = _text(ch)  # all of the inline text inside, at once
                        if name in BLOCK:
                            out.append("".join(buf))
                            out.append(text)
                            buf = []
                        elif text:
                            buf.append(text)
                    else:
                        if name in BLOCK:
                            out.append("".join(buf))
                            buf = []
                        if name and ch.text:
                            buf.append(ch.text)
                        stack.append((ch, name, iter(ch)))
                        break
                if ch.tail:
                    buf.append(ch.tail)
            else:
                stack.pop()
                if tag in BLOCK:
                    out.append("".join(buf))
                    buf = []
                if el.tail and el is not body:
                    buf.append(el.tail)
    out.append("".join(buf))
    return [t for t in (_norm_ws(x) for x in out if x and not x.isspace()) if t]


@lru_cache(maxsize=4096)
def _title_attrs(cls: str | None, ident: str | None) -> bool:
    return any(t in ("tit", "bt") or t.endswith("title") for t in _tokens(cls, ident))


def _content_title(root, container) -> str:
    """The article's title element (class/id …title…, or h1/h2) before the body, if it
    reads like a report title."""
    best = ""
    for el in root.iter():
        if el is container:
            break
        if _tag(el) in ("h1", "h2") or _title_attrs(el.get("class"), el.get("id")):
            text = _norm_ws(_text(el))
            if 4 <= len(text) <= 120 and "报告" in text:
                best = text
    return best


def _clean_title(t: str) -> str:
    """<title> without the site name and column (报告名_栏目_网站名)."""
    parts = [p for p in TITLE_SEP.split(_norm_ws(t)) if p.strip()]
    if not parts:
        return ""
    return next((p for p in parts if "报告" in p), parts[0])


# ------------------------------------------------------------------ entry point

DOCTYPE_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.S | re.I)
META_KEYS = set(HEADER_KEYS.values()) | {"encoding", "encoding_source", "source_format", "html_body"}


def _parse(text: str, path: str, raw: bytes | None = None):
    """`text` -> the lxml tree. `raw`, when given, is `text` encoded as UTF-8 (the page's own bytes):
    the usual page is then parsed from its bytes, without normalising and encoding the text again."""
    data = None
    if raw is not None and b"\x00" not in raw:
        # the bytes the text path below would give when there is no DTD subset to cut out: \r is ASCII,
        # never part of a multi-byte UTF-8 sequence, so line breaks are normalised in the bytes alike
        # (a NUL takes the text path); the subset is looked for in the first 200000 characters of
        # the normalised text, which the first 400002 characters give
        head = text[:400002]
        if "\r" in head:
            head = head.replace("\r\n", "\n").replace("\r", "\n")
        if DOCTYPE_SUBSET.search(head[:200000]) is None:
            data = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in raw else raw
    if data is None:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        m = DOCTYPE_SUBSET.search(text[:200000])
        if m:
            # an internal DTD subset (entity declarations, e.g. a billion-laughs bomb): the HTML parser
            # never expands them, but the subset would leak into the text; drop it, keep the line count
            text = text[: m.start()] + "\n" * m.group(0).count("\n") + text[m.end():]
        data = text.encode("utf-8", errors="replace")
    for huge in (False, True):
        # libxml2 stops at a nesting depth of 256 (2048 with huge_tree): a page of unclosed tags can
        # reach the first; the second is a resource limit. Plain lxml elements: lxml.html's element
        # classes cost a Python call for every element lxml hands out
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True,
                                  recover=True, default_doctype=False, collect_ids=False, huge_tree=huge)
        try:
            root = lxml_html.document_fromstring(data, parser=parser)
        except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
            raise ReadError(f"{path}: not a readable HTML page ({e})") from None
        limit = next((e for e in parser.error_log if "ERR_RESOURCE_LIMIT" in e.type_name), None)
        if limit is None:
            break
    else:
        raise ReadError(f"{path}: HTML nested too deeply (line {limit.line}: {limit.message.strip()}); the rest of "
                        f"the page would be lost")
    if root is None:
        raise ReadError(f"{path}: not a readable HTML page (no document element)")
    return root


def _utf8_source(data: bytes, text: str, encoding: str, how: str) -> bytes | None:
    """The page's bytes when they are exactly `text` in UTF-8 (a strict UTF-8 decoding: no
    replacement character), else None."""
    if encoding != "utf-8" or "\ufffd" in text:
        return None
    return data[3:] if how == "bom" else data


def read_html(path: str, data: bytes) -> Document:
    """An HTML page -> `Document` (format "html"); a page that cannot be read raises
    `ReadError` naming the file and the cause."""
    if len(data) > MAX_BYTES:
        raise ReadError(f"{path}: HTML page of {len(data) / 2**20:.1f} MB is over the {MAX_BYTES // 2**20} MB "
                        f"limit; not read")
    if not data or data.isspace():  # data.strip() without copying the page
        raise ReadError(f"{path}: empty HTML page")
    try:
        return _read(path, data)
    except ReadError:
        raise
    except RecursionError:
        raise ReadError(f"{path}: HTML nested too deeply to read") from None
    except Exception as e:  # noqa: BLE001  (a malformed page must not escape as another exception type)
        raise ReadError(f"{path}: cannot read the HTML page ({type(e).__name__}: {e})") from None


def _read(path: str, data: bytes) -> Document:
    text, encoding, how = decode_html(data, path)
    if _looks_binary(text):
        raise ReadError(f"{path}: control characters throughout, not an HTML page")
    root = _parse(text, path, _utf8_source(data, text, encoding, how))
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    page = _Page(root, path)
    container, found_by = page.container()
    meta = {"encoding": encoding, "encoding_source": how, "source_format": "html",
            "html_body": f"{_describe(container)} by {found_by}"}
    meta.update(_page_meta(root, container))
    _drop_chrome(container, page)
    blocks = _Walker(page, {"tables": 0}).walk(container)
    if not blocks:
        raise ReadError(f"{path}: HTML page without text (nothing readable in the page body)")
    return Document(path=path, format="html", blocks=blocks, meta={k: v for k, v in meta.items() if k in META_KEYS})
