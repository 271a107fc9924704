"""Synthetic PDF reports: text-layer PDFs printed by LibreOffice from the synthetic DOCX,
and scanned (image-only) versions of them, with the truth known by construction.

* `render_text_pdf(spec, layout)` — the DOCX of `synth_formats.render_docx` converted by
  `soffice --headless --convert-to pdf` (private profile, timeout). `PdfLayout` adds what
  only a printed page has:
  - `t3_break_after`: T3 continues on the next page after the named data row, without
    repeating its header. The break is placed exactly: section 三 starts a page, a first
    rendering measures where the rows fall, and a spacer paragraph of the measured height
    pushes the rows after the named one onto the next page (checked on the result).
  - `doc.header_breaks=False`: no line breaks written inside the header labels, so the
    narrow value columns wrap them (法律服务机构 over two or three lines);
  - `doc.vertical`: vertical labels rotated (`w:textDirection`) or one character per line.
* `scan_pages(pdf, ScanOptions(dpi, seed, …))` — a scanner's view of a PDF: pages rendered
  by pdfium (`page.render(scale=dpi/72)`), each turned by a seeded angle of 1–2° either
  way, blurred a little, with paper grain and specks (numpy, seeded), optionally
  thresholded to black and white (what most office scanners send); `images_to_pdf` writes
  them as an image-only PDF (no text layer, Pillow) and `png_pages` as PNG files, one per
  page. `render_scan_pdf` does both steps.

The truth is the spec's (`synth_formats.format_truth` as for DOCX: tables keep every cell
apart; the publication date is the signature's), whatever the page layout or the scan.
PDF bytes are not stable (LibreOffice stamps the time; pdfium's rasteriser may change
between versions), so the committed examples are made once and kept when present, like
DOC/WPS; tests compare what is extracted from them with the truth.

The committed examples (`PDF_VARIANTS`, about 500 KB in all: two text-layer PDFs and one
scan) are written with the rest of the synthetic corpus by

    python -m extractor.synth corpus/synthetic     (--refresh-pdf renders them again)
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import synth
from . import synth_formats as sf
from .synth import ReportSpec, Truth

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


class PdfRenderError(RuntimeError):
    pass


@dataclass(frozen=True)
class PdfLayout:
    """How a text-layer PDF is laid out: the DOCX layout and where T3 breaks across pages."""

    doc: sf.DocLayout = field(default_factory=sf.DocLayout)
    # a T3 data row key (e.g. "r_denied_state_secret"): T3 continues on the next page after it,
    # its header not repeated; None: wherever LibreOffice's pagination puts it
    t3_break_after: str | None = None


# --------------------------------------------------------------------------- LibreOffice

def soffice_path() -> str | None:
    return sf.soffice_path()


def docx_to_pdf(docx: bytes, timeout: float = 180) -> bytes:
    """DOCX bytes -> PDF bytes by LibreOffice (`synth_formats.docx_convert`)."""
    return sf.docx_convert(docx, "pdf:writer_pdf_Export", timeout)


# --------------------------------------------------------------------------- DOCX edits for the page layout

def _edit_document_xml(docx: bytes, edit) -> bytes:
    """The same DOCX with word/document.xml passed through `edit(root)` (zip dates kept fixed)."""
    from lxml import etree

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(data)
                edit(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zi = zipfile.ZipInfo(info.filename, date_time=sf.FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    return out.getvalue()


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(_w("t")))


def _t3_table(root):
    body = root.find(_w("body"))
    for el in body:
        if el.tag == _w("tbl") and "申请人情况" in _text(el):
            return el
    raise PdfRenderError("no T3 table (申请人情况) in the DOCX")


def _s3_heading(root, spec: ReportSpec):
    title = dict(spec.sections())["s3_applications"]
    body = root.find(_w("body"))
    for el in body:
        if el.tag == _w("p") and _text(el).strip() == title:
            return el
    raise PdfRenderError(f"no section heading {title!r} in the DOCX")


def _page_break_before(p) -> None:
    ppr = p.find(_w("pPr"))
    if ppr is None:
        ppr = p.makeelement(_w("pPr"), {})
        p.insert(0, ppr)
    el = ppr.makeelement(_w("pageBreakBefore"), {})
    # schema order: pStyle, keepNext, keepLines, pageBreakBefore, …
    style = ppr.find(_w("pStyle"))
    if style is not None:
        style.addnext(el)
    else:
        ppr.insert(0, el)


def _spacer(table, height_pt: float) -> None:
    """An empty paragraph of exactly `height_pt` points right before `table`."""
    twips = max(20, int(round(height_pt * 20)))
    p = table.makeelement(_w("p"), {})
    ppr = p.makeelement(_w("pPr"), {})
    ppr.append(ppr.makeelement(_w("spacing"), {_w("before"): "0", _w("after"): "0", _w("line"): str(twips),
                                               _w("lineRule"): "exact"}))
    ind = ppr.makeelement(_w("ind"), {_w("firstLine"): "0"})
    ppr.append(ind)
    p.append(ppr)
    table.addprevious(p)


# --------------------------------------------------------------------------- where rows fall on the page

def _row_labels(spec: ReportSpec) -> dict[str, str]:
    return {key: synth.t3_label(spec, label) for key, _, label in spec.t3_rows()}


def _find_rows(pdf: bytes, spec: ReportSpec) -> dict[str, tuple[int, float, float]]:
    """T3 data row key -> (page index, top, bottom) of the row's cell (in points from the page
    top), from the row label's position and the ruling lines around it."""
    import pdfplumber

    want = _row_labels(spec)
    found: dict[str, tuple[int, float, float]] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for pno, page in enumerate(doc.pages):
            lines = page.extract_text_lines(strip=True)
            hs = sorted({round(e["top"], 1) for e in page.horizontal_edges})
            for key, label in want.items():
                if key in found:
                    continue
                norm = re.sub(r"\s", "", label)
                for ln in lines:
                    if norm[:8] in re.sub(r"\s", "", ln["text"]):
                        mid = (ln["top"] + ln["bottom"]) / 2
                        above = [y for y in hs if y < mid]
                        below = [y for y in hs if y > mid]
                        if above and below:
                            found[key] = (pno, above[-1], below[0])
                            break
    return found


def _page_bottom(pdf: bytes) -> float:
    """The bottom of the printable area (points from the page top): python-docx's template has
    1-inch margins."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return doc.pages[0].height - 72.0


def render_text_pdf(spec: ReportSpec, layout: PdfLayout = PdfLayout(), timeout: float = 180) -> bytes:
    """The report as a text-layer PDF printed by LibreOffice (see the module docstring)."""
    docx = sf.render_docx(spec, layout.doc)
    if layout.t3_break_after is None:
        return docx_to_pdf(docx, timeout)
    rows = [r for r, _, _ in spec.t3_rows()]
    if layout.t3_break_after not in rows[:-1]:
        raise ValueError(f"t3_break_after must be a T3 row before the last, not {layout.t3_break_after!r}")
    nxt = rows[rows.index(layout.t3_break_after) + 1]

    def starts_page(root):
        _page_break_before(_s3_heading(root, spec))

    first = _edit_document_xml(docx, starts_page)
    pdf = docx_to_pdf(first, timeout)
    pos = _find_rows(pdf, spec)
    if layout.t3_break_after not in pos or nxt not in pos:
        raise PdfRenderError(f"T3 rows not found on the first rendering: {sorted(pos)}")
    page_a, _, bottom_a = pos[layout.t3_break_after]
    page_b, _, bottom_b = pos[nxt]
    if page_a != page_b:
        raise PdfRenderError("T3 already breaks before the requested row on the first rendering")
    limit = _page_bottom(pdf)
    # after the spacer the break row ends above the bottom and the next row below it
    height = limit - (bottom_a + bottom_b) / 2

    def with_spacer(root):
        _page_break_before(_s3_heading(root, spec))
        _spacer(_t3_table(root), height)

    pdf = docx_to_pdf(_edit_document_xml(docx, with_spacer), timeout)
    pos = _find_rows(pdf, spec)
    if layout.t3_break_after not in pos or nxt not in pos or pos[nxt][0] != pos[layout.t3_break_after][0] + 1:
        raise PdfRenderError(f"T3 did not break after {layout.t3_break_after}: {pos}")
    return pdf


def t3_pages(pdf: bytes, spec: ReportSpec) -> dict[str, int]:
    """T3 data row key -> 1-based page number in a text-layer PDF."""
    return {k: p + 1 for k, (p, _, _) in _find_rows(pdf, spec).items()}


# --------------------------------------------------------------------------- scanning

@dataclass(frozen=True)
class ScanOptions:
    dpi: int = 150
    seed: int = 0
    max_skew: float = 2.0  # degrees; each page turned by a seeded angle in ±[max_skew/2, max_skew]
    noise: float = 10.0  # standard deviation of the paper grain (grey levels)
    specks: float = 0.0003  # share of pixels turned into dark specks
    blur: float = 0.6  # Gaussian blur radius in pixels (scanner optics)
    bilevel: bool = True  # thresholded to black and white (1 bit per pixel), as office scanners send

    def angles(self, n: int) -> list[float]:
        import random

        rng = random.Random(self.seed)
        return [round(rng.choice((-1, 1)) * rng.uniform(self.max_skew / 2, self.max_skew), 2) for _ in range(n)]


def scan_pages(pdf: bytes, opts: ScanOptions = ScanOptions()) -> list:
    """The pages of `pdf` as a scanner returns them (PIL images: mode "1" when bilevel, else "L")."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    doc = pdfium.PdfDocument(pdf)
    try:
        angles = opts.angles(len(doc))
        out = []
        for i in range(len(doc)):
            img = doc[i].render(scale=opts.dpi / 72, grayscale=True).to_pil().convert("L")
            if opts.blur:
                img = img.filter(ImageFilter.GaussianBlur(opts.blur))
            img = img.rotate(angles[i], resample=Image.BICUBIC, expand=False, fillcolor=255)
            rng = np.random.default_rng(opts.seed * 1000 + i)
            a = np.asarray(img, dtype=np.float32)
            a = a * 0.94 + 8  # paper is not white, ink not black
            a += rng.normal(0.0, opts.noise, a.shape)
            if opts.specks:
                mask = rng.random(a.shape) < opts.specks
                a[mask] = rng.uniform(0, 90, int(mask.sum()))
            img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")
            if opts.bilevel:
                img = img.point(lambda v: 255 if v > 150 else 0).convert("1", dither=Image.Dither.NONE)
            img.info["dpi"] = (opts.dpi, opts.dpi)
            out.append(img)
        return out
    finally:
        doc.close()


def images_to_pdf(images: list, dpi: int) -> bytes:
    """An image-only PDF (no text layer), one page per image, page size from the dpi."""
    buf = io.BytesIO()
    first, rest = images[0], images[1:]
    first.save(buf, "PDF", save_all=True, append_images=rest, resolution=float(dpi),
               title="scan", creator="extractor.synth_pdf", producer="extractor.synth_pdf")
    return buf.getvalue()


def png_pages(images: list, dpi: int) -> list[bytes]:
    """The pages as PNG files (their resolution recorded, so a reader knows the page size)."""
    out = []
    for img in images:
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True, dpi=(dpi, dpi))
        out.append(buf.getvalue())
    return out


def render_scan_pdf(spec: ReportSpec, layout: PdfLayout = PdfLayout(), opts: ScanOptions = ScanOptions(),
                    text_pdf: bytes | None = None) -> bytes:
    """The text-layer rendering (or `text_pdf`) scanned: an image-only PDF."""
    pdf = text_pdf if text_pdf is not None else render_text_pdf(spec, layout)
    return images_to_pdf(scan_pages(pdf, opts), opts.dpi)


# --------------------------------------------------------------------------- truth

def pdf_truth(spec: ReportSpec, name: str = "") -> Truth:
    """What a correct extractor returns for `spec` printed to PDF (text layer or scanned): the
    DOCX truth — every cell exact, the publication date from the signature."""
    return replace(sf.format_truth(spec, "docx", name), shape="pdf")


# --------------------------------------------------------------------------- the committed examples

# name -> how it is built: "text" (LibreOffice from the DOCX: the random_spec arguments, the DocLayout
# and where T3 breaks) or "scan" (the pages of a text example, scanned)
PDF_VARIANTS: dict[str, dict] = {
    "pdf-v2021-2022-t3-page-break-wrapped-headers": dict(
        kind="text", layout=dict(doc=dict(vertical="direction", header_breaks=False),
                                 t3_break_after="r_denied_state_secret"),
        spec=dict(seed=31, edition="v2021", year=2022, scale="medium", zero_style="mixed")),
    "pdf-v2019-2020-vertical-chars-break-in-group": dict(
        kind="text", layout=dict(doc=dict(vertical="chars", t2_tables="several"),
                                 t3_break_after="r_unable_not_held"),
        spec=dict(seed=32, edition="v2019", year=2020, scale="small", zero_style="blank", narrative="consistent",
                  defects=("t3_total_off",))),
    "scan-v2021-2022-t3-page-break-skew-noise": dict(
        kind="scan", source="pdf-v2021-2022-t3-page-break-wrapped-headers",
        scan=dict(dpi=200, seed=5, max_skew=2.0, bilevel=True)),
}


def _text_source(name: str) -> str:
    v = PDF_VARIANTS[name]
    return v["source"] if v["kind"] == "scan" else name


def variant(name: str) -> tuple[ReportSpec, PdfLayout, ScanOptions | None]:
    """(spec, layout, scan options or None) of a committed example; a scan's spec and layout are
    those of the text example it was printed from."""
    v = PDF_VARIANTS[name]
    src = PDF_VARIANTS[_text_source(name)]
    lay = dict(src.get("layout", {}))
    layout = PdfLayout(doc=sf.DocLayout(**lay.pop("doc", {})), **lay)
    scan = ScanOptions(**v["scan"]) if v["kind"] == "scan" else None
    return synth.random_spec(**src["spec"]), layout, scan


def file_name(name: str) -> str:
    return name + ".pdf"


def _gold(name: str, data: bytes, source_pdf: bytes) -> bytes:
    spec, layout, scan = variant(name)
    tr = pdf_truth(spec, name)
    gold = tr.to_gold(f"synthetic/{file_name(name)}", hashlib.sha256(data).hexdigest(), spec)
    gold["format"] = "pdf"
    gold["shape"] = "tables"
    pages = t3_pages(source_pdf, spec)
    rows = [r for r, _, _ in spec.t3_rows()]
    gold["pdf"] = {
        "kind": PDF_VARIANTS[name]["kind"],
        "text_layer": scan is None,
        "layout": asdict(layout),
        # the pages (1-based) of T3's first and last data rows, and the row after which it breaks
        "t3_pages": [pages.get(rows[0]), pages.get(rows[-1])],
        "t3_break_after": layout.t3_break_after,
    }
    if scan is not None:
        import pypdfium2 as pdfium

        doc = pdfium.PdfDocument(data)
        try:
            n = len(doc)
        finally:
            doc.close()
        gold["pdf"]["scan"] = {**asdict(scan), "angles": scan.angles(n), "source": file_name(_text_source(name))}
        gold["notes"] += ("; an image-only PDF (no text layer): the text example's pages rendered by pdfium, "
                          "turned by the angles given, blurred, with grain and specks, black and white")
    gold["generator"] = {"call": "extractor.synth_pdf.variant", "arguments": synth._jsonable(PDF_VARIANTS[name])}
    return (synth._dump(gold) + "\n").encode("utf-8")


def build_variant(name: str, keep_dir: Path | None = None, built: dict[str, bytes] | None = None) -> bytes | None:
    """The bytes of an example: taken from `keep_dir` when already there (PDF bytes are not
    stable), else rendered (None when LibreOffice is missing for a text example or its
    source)."""
    if keep_dir is not None and (keep_dir / file_name(name)).is_file():
        return (keep_dir / file_name(name)).read_bytes()
    spec, layout, scan = variant(name)
    if scan is None:
        if soffice_path() is None:
            return None
        return render_text_pdf(spec, layout)
    src = _text_source(name)
    source = (built or {}).get(src) or build_variant(src, keep_dir)
    if source is None:
        return None
    return images_to_pdf(scan_pages(source, scan), scan.dpi)


def corpus_files(keep_dir: Path | None = None) -> tuple[dict[str, bytes], list[str]]:
    """({file name: bytes} of every example and its truth, [examples skipped])."""
    files: dict[str, bytes] = {}
    built: dict[str, bytes] = {}
    skipped = []
    for name in sorted(PDF_VARIANTS, key=lambda n: PDF_VARIANTS[n]["kind"] != "text"):
        data = build_variant(name, keep_dir, built)
        if data is None:
            skipped.append(name)
            continue
        built[name] = data
        source = built.get(_text_source(name))
        if source is None:
            skipped.append(name)
            continue
        files[file_name(name)] = data
        files[f"{name}.truth.json"] = _gold(name, data, source)
    return files, skipped


def write_corpus(out: Path, refresh: bool = False) -> tuple[list[Path], list[str]]:
    """Write the PDF examples into `out` (kept when present unless `refresh`); files of examples
    that no longer exist are removed."""
    out.mkdir(parents=True, exist_ok=True)
    files, skipped = corpus_files(None if refresh else out)
    return sf.write_examples(out, files, skipped, PREFIXES, file_name), skipped


PREFIXES = ("pdf-", "scan-")
