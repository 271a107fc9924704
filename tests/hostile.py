"""A hostile-input corpus, generated (no binary fixtures): files a real crawl of government
sites delivers sooner or later, and files built to hurt a parser.

`build_hostile_corpus(dir)` writes them into `dir` and returns {file name: `Expect`}:
what `extractor run` must make of each (status, format, and for a failure the cause the
error must name). Everything is built in a few seconds and little memory:

* ``empty.pdf``            0 bytes
* ``truncated.pdf``        a report PDF cut in half (a broken download: no trailer, no %%EOF)
* ``encrypted.pdf``        RC4 encryption with a user password (`pdfbuild`)
* ``docx_named.pdf``       a real DOCX report under a .pdf name
* ``pdf_named.html``       a PDF report under an .html name
* ``html_named.docx``      an HTML report page under a .docx name
* ``truncated.docx``       a DOCX cut in half (the ZIP directory is at the end)
* ``zipbomb.docx``         word/document.xml decompresses to 3 GiB of zeros (3 MB on disk)
* ``xxe.docx``             a DOCX report whose document.xml declares external entities
                           (file:///etc/passwd, http://example.invalid/, a local URL the test
                           listens on) and uses them in the text
* ``xxe_dtd.docx``         the same through an external DTD and a parameter entity (files
                           holding a canary string, outside the corpus)
* ``billion_laughs.docx``  the classic nested-entity bomb in word/document.xml
* ``billion_laughs.html``  an HTML report page with the bomb in its DOCTYPE, plus external
                           DTD, image, stylesheet and frame URLs
* ``garbage.txt``          random bytes
* ``garbage_high.txt``     random bytes without NUL or ASCII (no encoding fits)
* ``pages300.pdf``         a 300-page PDF: a report's text, repeated

No DOC/WPS (OLE) file: those go through LibreOffice and its conversion cache, which the
no-writes-outside-OUT assertion of the tests would have to allow for.
"""
from __future__ import annotations

import io
import random
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from pdfbuild import Page, build, wrap

CANARY = "HOSTILE-CANARY-5c1e9a"  # text in the external DTDs: it must never reach the outputs
BOMB_SIZE = 3 << 30               # bytes word/document.xml of the zip bomb decompresses to

SECTIONS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
PROSE = ("本机关坚持以公开为常态、不公开为例外，围绕重点领域信息公开，及时准确发布政府信息，回应社会关切，"
         "保障人民群众知情权、参与权、表达权和监督权。")
NAMES = ("empty.pdf", "truncated.pdf", "encrypted.pdf", "docx_named.pdf", "pdf_named.html", "html_named.docx",
         "truncated.docx", "zipbomb.docx", "xxe.docx", "xxe_dtd.docx", "billion_laughs.docx",
         "billion_laughs.html", "garbage.txt", "garbage_high.txt", "pages300.pdf")
TITLE = "某某区人民政府2023年政府信息公开工作年度报告"


@dataclass(frozen=True)
class Expect:
    """What the pipeline must make of a file: one of `statuses`; `fmt` the format column
    (None: any); `cause` a regex the error must match when the status is failed."""

    statuses: frozenset[str]
    fmt: str | None
    cause: str | None
    what: str


def _fail(fmt: str | None, cause: str, what: str) -> Expect:
    return Expect(frozenset({"failed"}), fmt, cause, what)


def _read(fmt: str, what: str, cause: str | None = None) -> Expect:
    """Read as a report (possibly partial: no tables); if it fails after all, `cause`."""
    return Expect(frozenset({"ok", "partial"} | ({"failed"} if cause else set())), fmt, cause, what)


# ------------------------------------------------------------------ PDFs


def report_pages(n: int) -> list[Page]:
    """`n` A4 pages of a report's text: the title, the six section headings spread over the
    pages, prose filling every page, a page number at the bottom."""
    lines = wrap(PROSE, 470, 10.5)
    pages = []
    for k in range(n):
        p = Page()
        y = 60.0
        if k == 0:
            p.centred(60, 530, 40, TITLE, 16)
            y = 80.0
        for s in range(len(SECTIONS)):
            if s * n // len(SECTIONS) == k:
                p.text(60, y, SECTIONS[s], 12)
                y += 24
        while y < 740:
            for ln in lines:
                p.text(60, y, ln, 10.5)
                y += 18
            y += 6
        p.centred(60, 530, 800, f"- {k + 1} -", 10)
        pages.append(p)
    return pages


# ------------------------------------------------------------------ DOCX


def _report_docx() -> bytes:
    from extractor.synth import random_spec
    from extractor.synth_formats import render_docx

    return render_docx(random_spec(7))


def _report_html() -> bytes:
    from extractor.synth import random_spec
    from extractor.synth_formats import render_html_bytes

    return render_html_bytes(random_spec(7))


def replace_part(docx: bytes, name: str, edit) -> bytes:
    """The DOCX with part `name` replaced by `edit(old bytes)`."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename == name else data)
    return out.getvalue()


def _with_doctype(xml: bytes, doctype: str, refs: str) -> bytes:
    """document.xml with `doctype` after the XML declaration and `refs` (entity references)
    inserted into the first run of text."""
    text = xml.decode("utf-8")
    decl = re.match(r"<\?xml[^>]*\?>\s*", text)
    at = decl.end() if decl else 0
    text = text[:at] + doctype + text[at:]
    m = re.search(r"<w:t(?: [^>]*)?>", text)
    assert m, "no w:t in the synthetic document"
    return (text[:m.end()] + refs + text[m.end():]).encode("utf-8")


class _Repeat:
    """A stand-in for the zlib compressor of `zipfile`'s streaming writer: every chunk of
    zeros written is one precompressed, byte-aligned deflate segment (history reset by a
    full flush, so segments concatenate into a valid stream). The archive is still written
    by `zipfile` (sizes, CRC, ZIP64 records), but 3 GiB take a second instead of ten."""

    def __init__(self, chunk: bytes):
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.chunk = chunk
        self.segment = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
        self.end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)

    def compress(self, data: bytes) -> bytes:
        assert data is self.chunk  # zip_bomb_docx writes the one chunk, over and over
        return self.segment

    def flush(self) -> bytes:
        return self.end


def zip_bomb_docx(size: int = BOMB_SIZE) -> bytes:
    """A DOCX whose word/document.xml decompresses to `size` zeros (a multiple of 16 MiB)."""
    chunk = bytes(16 << 20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            f._compressor = _Repeat(chunk)  # private, but stable since Python 3.6 (see _Repeat)
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return buf.getvalue()


LAUGHS = ('<!DOCTYPE {root} [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>")


# ------------------------------------------------------------------ the corpus


def build_hostile_corpus(dir: str | Path, *, url: str = "http://127.0.0.1:9/",
                         canary_dir: str | Path | None = None) -> dict[str, Expect]:
    """Write the hostile corpus into `dir` (created) and return {file name: Expect}.

    `url`: where the network-bound references point besides http://example.invalid/ (the
    tests pass a local port they listen on, to see a connection no audit hook would).
    `canary_dir`: where the external DTDs of xxe_dtd.docx are written (default: a hidden
    folder in `dir`, which corpus discovery skips)."""
    d = Path(dir)
    d.mkdir(parents=True, exist_ok=True)
    canary = Path(canary_dir) if canary_dir is not None else d / ".canary"
    canary.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    expect: dict[str, Expect] = {}

    def add(name: str, data: bytes, e: Expect) -> None:
        files[name], expect[name] = data, e

    report_pdf = build(report_pages(2))
    docx = _report_docx()
    page = _report_html()

    add("empty.pdf", b"", _fail(None, r"empty file", "0 bytes"))
    add("truncated.pdf", report_pdf[: len(report_pdf) // 2],
        _fail("pdf", r"truncated", "a report PDF cut in half"))
    add("encrypted.pdf", build(report_pages(1), password="secret"),
        _fail("pdf", r"password-protected|encrypted", "RC4 with a user password"))
    add("docx_named.pdf", docx, _read("docx", "a DOCX report named .pdf"))
    add("pdf_named.html", report_pdf, _read("pdf", "a PDF report named .html"))
    add("html_named.docx", page, _read("html", "an HTML report page named .docx"))
    add("truncated.docx", docx[: len(docx) // 2],
        _fail(None, r"truncated|corrupt", "a DOCX cut in half (no ZIP directory)"))
    add("zipbomb.docx", zip_bomb_docx(), _fail("docx", r"zip bomb", f"document.xml inflates to {BOMB_SIZE >> 30} GiB"))

    (canary / "outer.dtd").write_text(f'<!ENTITY ext "{CANARY}-external-subset">', encoding="utf-8")
    (canary / "param.dtd").write_text(f'<!ENTITY pe "{CANARY}-parameter-entity">', encoding="utf-8")
    xxe = ('<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
           '<!ENTITY net SYSTEM "http://example.invalid/xxe"><!ENTITY local SYSTEM "' + url + 'xxe">]>')
    add("xxe.docx", replace_part(docx, "word/document.xml", lambda x: _with_doctype(x, xxe, "&xxe;&net;&local;")),
        _read("docx", "external entities: file:///etc/passwd, http://example.invalid/, a local URL",
              cause=r"entit"))
    dtd = (f'<!DOCTYPE w:document SYSTEM "{(canary / "outer.dtd").as_uri()}" ['
           f'<!ENTITY % p SYSTEM "{(canary / "param.dtd").as_uri()}"> %p;'
           f'<!ENTITY % q SYSTEM "{url}param.dtd"> %q;]>')
    add("xxe_dtd.docx", replace_part(docx, "word/document.xml", lambda x: _with_doctype(x, dtd, "&ext;&pe;")),
        _read("docx", "an external DTD and external parameter entities (file and network)", cause=r"entit|DTD"))
    add("billion_laughs.docx",
        replace_part(docx, "word/document.xml", lambda x: _with_doctype(x, LAUGHS.format(root="w:document"),
                                                                          "&lol9;")),
        _read("docx", "nested entities (10^9 'lol') in document.xml", cause=r"entit"))

    html = page.decode("utf-8")
    m = re.match(r"\s*<!DOCTYPE[^>]*>", html, re.I)
    head = (f'<!DOCTYPE html SYSTEM "{url}html.dtd" '
            + LAUGHS.format(root="html")[len("<!DOCTYPE html "):])
    html = head + "\n" + (html[m.end():] if m else html)
    html = html.replace("</head>", f'<link rel="stylesheet" href="{url}s.css"></head>', 1)
    html = re.sub(r"(<body[^>]*>)", r'\1<p>&lol9;</p><img src="' + url + r'i.png"><iframe src="' + url
                  + r'f"></iframe>', html, count=1)
    add("billion_laughs.html", html.encode("utf-8"),
        _read("html", "nested entities in the DOCTYPE, external DTD/image/stylesheet/frame URLs", cause=r"entit"))

    rng = random.Random(20240601)
    add("garbage.txt", rng.randbytes(64 * 1024),
        _fail(None, r"binary|control characters|undecodable|not (look like )?an? ", "64 KiB of random bytes"))
    add("garbage_high.txt", bytes(rng.randrange(0x80, 0x100) for _ in range(64 * 1024)),
        _fail(None, r"binary|control characters|undecodable|not (look like )?an? ",
              "64 KiB of random bytes 0x80-0xFF"))
    add("pages300.pdf", build(report_pages(300)),
        _read("pdf", "300 pages of a report's text", cause=r"time|too (long|large|many)"))

    assert tuple(files) == NAMES
    for name, data in files.items():
        (d / name).write_bytes(data)
    return expect


if __name__ == "__main__":  # python tests/hostile.py DIR: write the corpus to look at it
    import sys

    for n, e in build_hostile_corpus(sys.argv[1]).items():
        print(f"{n:22} {e.what}")
