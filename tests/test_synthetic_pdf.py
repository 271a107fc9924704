"""Synthetic PDF reports (extractor.synth_pdf) through the real pipeline.

* Text-layer PDFs, printed by LibreOffice from the synthetic DOCX with T3 broken over a page
  (its header not repeated), header labels wrapped by narrow columns and vertical labels,
  compared EXACTLY with the truth they were built from (every cell's value, raw text and
  status; sections; edition, year, agency, publication date; expected rule ids; no other
  error) — the same comparison as test_synthetic.py.
* Scanned versions (an image-only PDF; the same pages as a multi-page TIFF and as PNG pages)
  read by OCR: at least 99% of the cells right (value and printed text; status as in the
  truth, or "uncertain"), EVERY wrong cell with status "uncertain", and few right cells
  flagged.

Needs: LibreOffice (soffice) to render fresh PDFs (the committed ones are read without it),
the PDF reader for PDFs, and the OCR extra (`pip install 'extractor[ocr]'`) for scans; each
test that lacks one skips and says which. The committed examples (corpus/synthetic/pdf-*,
scan-*) are written by `python -m extractor.synth corpus/synthetic`; PDF bytes are not stable,
so they are kept when present and their truth files are checked against the committed bytes.
"""
from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path

import pytest
from synthcheck import all_mismatches, show

import extractor
from extractor import synth
from extractor import synth_formats as sf
from extractor import synth_pdf as sp
from extractor.model import Grid, GridCell, Paragraph, Report, Where
from extractor.pipeline import build_report
from extractor.readers import ReadError, ocr, reader_for

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "corpus" / "synthetic"

NO_SOFFICE = ("LibreOffice (soffice) is not installed: fresh PDFs cannot be rendered "
              "(apt-get install libreoffice-writer-nogui fonts-noto-cjk)")
NO_OCR = "the OCR engine is not installed: scans cannot be read (pip install 'extractor[ocr]')"


def _pdf_reader() -> bool:
    try:
        return reader_for("pdf") is not None
    except ImportError:
        return False


NO_PDF_READER = "the PDF reader (extractor/readers/pdf.py) is not in this build: PDFs cannot be read"
needs_soffice = pytest.mark.skipif(sp.soffice_path() is None, reason=NO_SOFFICE)
needs_pdf_reader = pytest.mark.skipif(not _pdf_reader(), reason=NO_PDF_READER)
needs_ocr = pytest.mark.skipif(not ocr.engine_available(), reason=NO_OCR)

TEXT = [n for n, v in sp.PDF_VARIANTS.items() if v["kind"] == "text"]
SCANS = [n for n, v in sp.PDF_VARIANTS.items() if v["kind"] == "scan"]

MIN_RIGHT = 0.99  # share of the cells an OCR reading must get right
MAX_FLAGGED_RIGHT = 0.05  # share of right cells that may still be flagged "uncertain"


def _committed(name: str) -> Path:
    p = SYNTHETIC / sp.file_name(name)
    if not p.is_file():
        pytest.fail(f"{p} missing: run `python -m extractor.synth corpus/synthetic`")
    return p


def _source_pdf(name: str) -> bytes:
    return _committed(sp._text_source(name)).read_bytes()


def ocr_score(rep, tr: synth.Truth) -> tuple[int, list[str], list[str], list[str]]:
    """(cells, wrong cells not flagged, wrong cells flagged "uncertain", right cells flagged):
    a cell is right when its value and printed text are the truth's and its status is the
    truth's or "uncertain"."""
    unflagged, flagged, right_flagged = [], [], []
    for key, (value, raw, status) in tr.cells.items():
        c = rep.cell(key)
        if c is None:
            unflagged.append(f"{key}: missing (want {raw!r})")
            continue
        same = c.raw == raw and (value == c.value or (value is None and c.value is None))
        if same and c.status in (status, "uncertain"):
            if c.status == "uncertain" and status != "uncertain":
                right_flagged.append(key)
            continue
        line = f"{key}: want {value!r} {raw!r} {status}, got {c.value!r} {c.raw!r} {c.status} ({c.where.describe()})"
        (flagged if c.status == "uncertain" else unflagged).append(line)
    return len(tr.cells), unflagged, flagged, right_flagged


def assert_ocr_reading(rep, tr: synth.Truth, what: str) -> None:
    n, unflagged, flagged, right_flagged = ocr_score(rep, tr)
    wrong = len(unflagged) + len(flagged)
    print(f"{what}: {n} cells, {n - wrong} right ({len(right_flagged)} of them flagged uncertain), "
          f"{len(flagged)} wrong and flagged, {len(unflagged)} wrong and NOT flagged")
    assert not unflagged, f"{what}: wrong cells without status 'uncertain':" + show(unflagged)
    assert n - wrong >= MIN_RIGHT * n, f"{what}: only {n - wrong}/{n} cells right:" + show(flagged)
    assert len(right_flagged) <= MAX_FLAGGED_RIGHT * n, \
        f"{what}: {len(right_flagged)} right cells flagged uncertain: {right_flagged[:12]}"


# --------------------------------------------------------------------------- the writer (no reader)

def _page_texts(pdf: bytes) -> list[list[str]]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [[ln["text"].replace(" ", "") for ln in page.extract_text_lines()] for page in doc.pages]


@pytest.mark.parametrize("name", [n for n in TEXT if sp.variant(n)[1].t3_break_after])
def test_t3_breaks_after_the_row_asked_without_repeating_its_header(name):
    spec, layout, _ = sp.variant(name)
    pdf = _committed(name).read_bytes()
    rows = [r for r, _, _ in spec.t3_rows()]
    pages = sp.t3_pages(pdf, spec)
    after = rows[rows.index(layout.t3_break_after) + 1]
    assert pages[after] == pages[layout.t3_break_after] + 1
    assert {pages[r] for r in rows[: rows.index(after)]} == {pages[layout.t3_break_after]}
    assert {pages[r] for r in rows[rows.index(after):]} == {pages[after]}
    with_header = [i + 1 for i, lines in enumerate(_page_texts(pdf)) if any("申请人情况" in ln for ln in lines)]
    assert with_header == [pages[rows[0]]], "the T3 header must be printed once, before the break"


def test_narrow_columns_wrap_header_labels():
    name = next(n for n in TEXT if not sp.variant(n)[1].doc.header_breaks)
    spec, _, _ = sp.variant(name)
    pdf = _committed(name).read_bytes()
    page = sp.t3_pages(pdf, spec)["new_received"] - 1
    lines = _page_texts(pdf)[page]
    assert not any("法律服务机构" in ln for ln in lines), "法律服务机构 should wrap in its narrow column"
    assert any("法律" in ln for ln in lines) and any("机构" in ln for ln in lines)


@pytest.mark.parametrize("name", TEXT)
def test_vertical_labels_print_one_character_under_another(name):
    import pdfplumber

    spec, layout, _ = sp.variant(name)
    assert layout.doc.vertical in ("direction", "chars")
    pdf = _committed(name).read_bytes()
    page = sp.t3_pages(pdf, spec)["new_received"] - 1
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = doc.pages[page].chars
    zi = next(c for c in chars if c["text"] == "自")
    ran = next(c for c in chars if c["text"] == "然" and abs(c["x0"] - zi["x0"]) < 3)
    ren = next(c for c in chars if c["text"] == "人" and abs(c["x0"] - zi["x0"]) < 3 and c["top"] > ran["top"])
    assert zi["top"] < ran["top"] < ren["top"]


@pytest.mark.parametrize("name", list(sp.PDF_VARIANTS))
def test_committed_truth_file(name):
    """The committed truth equals the truth regenerated from the spec and the committed bytes."""
    data = _committed(name).read_bytes()
    assert (SYNTHETIC / f"{name}.truth.json").read_bytes() == sp._gold(name, data, _source_pdf(name)), \
        "truth out of date: run `python -m extractor.synth corpus/synthetic`"


def test_no_stray_pdf_examples():
    names = {sp.file_name(n) for n in sp.PDF_VARIANTS} | {f"{n}.truth.json" for n in sp.PDF_VARIANTS}
    stray = sorted(p.name for p in SYNTHETIC.iterdir() if p.name.startswith(sp.PREFIXES) and p.name not in names)
    assert not stray, f"files of removed examples: {stray} (run `python -m extractor.synth corpus/synthetic`)"


def test_committed_examples_stay_small():
    total = sum(_committed(n).stat().st_size + (SYNTHETIC / f"{n}.truth.json").stat().st_size
                for n in sp.PDF_VARIANTS)
    assert total < 700_000, f"the PDF examples take {total} bytes"


@pytest.mark.parametrize("name", SCANS)
def test_scan_is_image_only_and_skewed(name):
    """No text layer; every page turned by its seeded angle (the OCR reader's skew estimate,
    which needs no OCR engine, finds it back within 0.1°)."""
    import pypdfium2 as pdfium

    _, _, scan = sp.variant(name)
    data = _committed(name).read_bytes()
    doc = pdfium.PdfDocument(data)
    try:
        assert len(doc) == len(pdfium.PdfDocument(_source_pdf(name)))
        angles = scan.angles(len(doc))
        assert all(0.5 * scan.max_skew <= abs(a) <= scan.max_skew for a in angles)
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            assert tp.count_chars() == 0
            tp.close()
            img = page.render(scale=scan.dpi / 72, grayscale=True).to_pil()
            gray = ocr._gray(img)
            assert ocr.estimate_skew(gray < ocr._threshold(gray)) == pytest.approx(-angles[i], abs=0.1)
    finally:
        doc.close()


def test_scan_is_reproducible():
    """Scanning the same PDF with the same options gives the same pages."""
    name = SCANS[0]
    _, _, scan = sp.variant(name)
    src = _source_pdf(name)
    a = sp.png_pages(sp.scan_pages(src, replace(scan, dpi=72)), 72)
    b = sp.png_pages(sp.scan_pages(src, replace(scan, dpi=72)), 72)
    assert a == b


# --------------------------------------------------------------------------- text-layer PDFs through the pipeline

@needs_pdf_reader
@pytest.mark.parametrize("name", TEXT)
def test_committed_text_pdf_exact(name):
    spec, layout, _ = sp.variant(name)
    rep = extractor.parse(_committed(name))
    problems = all_mismatches(rep, sp.pdf_truth(spec, name))
    assert not problems, f"{name} ({layout}):" + show(problems)


SWEEP = [
    (dict(seed=301, edition="v2021", year=2021, scale="busy", zero_style="0", t3_subtotal_col=True),
     dict(doc=dict(vertical="plain", t2_tables="several"), t3_break_after="r_unprocessed_repeat")),
    (dict(seed=302, edition="v2019", year=2020, zero_style="slash", label_style="variants", date_style="chinese"),
     dict(doc=dict(vertical="direction", header_breaks=False, heading_style="heading"),
          t3_break_after="carried_over")),
]


@needs_soffice
@needs_pdf_reader
@pytest.mark.parametrize("spec_args,layout_args", SWEEP)
def test_fresh_text_pdf_exact(spec_args, layout_args):
    spec = synth.random_spec(**spec_args)
    lay = dict(layout_args)
    layout = sp.PdfLayout(doc=sf.DocLayout(**lay.pop("doc")), **lay)
    pdf = sp.render_text_pdf(spec, layout)
    rows = [r for r, _, _ in spec.t3_rows()]
    pages = sp.t3_pages(pdf, spec)
    assert pages[rows[rows.index(layout.t3_break_after) + 1]] == pages[layout.t3_break_after] + 1
    rep = extractor.parse_bytes("fresh.pdf", pdf)
    problems = all_mismatches(rep, sp.pdf_truth(spec, "fresh"))
    assert not problems, f"{spec_args} {layout_args}:" + show(problems)


@needs_soffice
@needs_pdf_reader
@pytest.mark.parametrize("name", TEXT)
def test_committed_text_pdf_equals_regeneration_by_cells(name):
    """LibreOffice output is not byte-stable: a fresh rendering must give the same cells."""
    spec, layout, _ = sp.variant(name)
    fresh = extractor.parse_bytes(sp.file_name(name), sp.render_text_pdf(spec, layout))
    committed = extractor.parse(_committed(name))
    assert {c.key: (c.value, c.status) for c in fresh.cells} == {c.key: (c.value, c.status) for c in committed.cells}


# --------------------------------------------------------------------------- scans through OCR

@pytest.fixture(scope="module")
def scan_pages():
    """name -> the committed scan's pages as images, at the scan's resolution."""
    import pypdfium2 as pdfium

    out = {}
    for name in SCANS:
        _, _, scan = sp.variant(name)
        doc = pdfium.PdfDocument(_committed(name).read_bytes())
        try:
            out[name] = [doc[i].render(scale=scan.dpi / 72, grayscale=True).to_pil() for i in range(len(doc))]
        finally:
            doc.close()
    return out


@needs_ocr
@needs_pdf_reader
@pytest.mark.parametrize("name", SCANS)
def test_scanned_pdf_through_ocr(name):
    spec, _, _ = sp.variant(name)
    t0 = time.perf_counter()
    rep = extractor.parse(_committed(name))
    print(f"{name}: {rep.meta.get('pages')} pages in {time.perf_counter() - t0:.1f} s")
    assert rep.status != "failed", rep.error
    assert_ocr_reading(rep, sp.pdf_truth(spec, name), f"{name} (image-only PDF)")


@needs_ocr
@pytest.mark.parametrize("name", SCANS)
def test_scanned_pages_as_tiff_through_ocr(name, scan_pages):
    """The same scan as a multi-page TIFF (CCITT G4, as scanners write them): read_image, the
    table continued on the next page joined."""
    spec, _, scan = sp.variant(name)
    pages = scan_pages[name]
    buf = io.BytesIO()
    pages[0].convert("1").save(buf, "TIFF", save_all=True, append_images=[p.convert("1") for p in pages[1:]],
                               compression="group4", dpi=(scan.dpi, scan.dpi))
    t0 = time.perf_counter()
    rep = extractor.parse_bytes(f"{name}.tif", buf.getvalue())
    seconds = time.perf_counter() - t0
    print(f"{name}: {len(pages)} pages OCR'd in {seconds:.1f} s ({seconds / len(pages):.1f} s/page; "
          f"engine {rep.meta.get('ocr_engine')}, skew {rep.meta.get('skew_degrees')})")
    assert rep.format == "image" and rep.status == "ok", rep.error
    assert_ocr_reading(rep, sp.pdf_truth(spec, name), f"{name} (TIFF)")
    angles = [float(a) for a in rep.meta["skew_degrees"].split(",")]
    assert angles == pytest.approx([-a for a in scan.angles(len(pages))], abs=0.1)


@needs_ocr
@pytest.mark.parametrize("name", SCANS)
def test_scanned_png_page_through_ocr(name, scan_pages):
    """One PNG page (the one holding T2) read alone: every T2 cell right or flagged; blocks carry
    the page and a bbox in points."""
    spec, _, scan = sp.variant(name)
    pngs = sp.png_pages(scan_pages[name], scan.dpi)
    tr = sp.pdf_truth(spec, name)
    doc = None
    for k, png in enumerate(pngs):
        doc = ocr.read_image(f"page-{k + 1}.png", png)
        if any("第二十条" in g.text() for g in doc.grids()):
            break
    else:
        pytest.fail("no PNG page with T2")
    assert doc.format == "image" and doc.meta["pages"] == 1
    w_pt = 612.0  # LibreOffice's page (Letter), at the scan's dpi
    for b in doc.blocks:
        assert b.where.page == 1 and b.where.bbox is not None
        x0, top, x1, bottom = b.where.bbox
        assert 0 <= x0 < x1 <= w_pt + 1 and 0 <= top < bottom
    rep = build_report(Report("x", "page.png", "0" * 64, "image"), doc)
    t2 = replace(tr, cells={k: v for k, v in tr.cells.items() if k.startswith("t2.")})
    assert_ocr_reading(rep, t2, f"{name} page {doc.blocks[0].where.page} (PNG, T2 only)")


# --------------------------------------------------------------------------- the OCR reader's parts (no engine)

def _draw_table(angle: float = 0.0):
    """A ruled table image at 200 dpi: 4 columns, 4 rows; the first row's cell spans columns
    1-3, the first column's cell spans rows 1-2 (merged cells), and a ruling-free text-like
    block of strokes beside it."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (1400, 900), 255)
    d = ImageDraw.Draw(img)
    xs, ys = [100, 400, 600, 800, 1000], [100, 160, 220, 280, 340]
    for y in ys:  # horizontal rulings, cut where cells merge
        if y == 220:
            d.line([(xs[1], y), (xs[-1], y)], fill=0, width=2)
        else:
            d.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for x in xs:
        if x in (600, 800):
            d.line([(x, ys[1]), (x, ys[-1])], fill=0, width=2)
        else:
            d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    for k in range(12):  # strokes of "text" under the table: no ruling
        d.line([(120 + 40 * k, 500), (150 + 40 * k, 500)], fill=0, width=3)
        d.line([(135 + 40 * k, 485), (135 + 40 * k, 520)], fill=0, width=3)
    if angle:
        img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    return img


@pytest.mark.parametrize("angle", [0.0, 1.4, -1.8])
def test_deskew_and_table_structure_from_rulings(angle):
    import numpy as np

    gray = ocr._gray(_draw_table(angle))
    est = ocr.estimate_skew(gray < ocr._threshold(gray))
    assert est == pytest.approx(-angle, abs=0.08)
    straight, turned = ocr.deskew(gray)
    assert turned == (est if abs(est) >= 0.05 else 0.0)  # a tiny angle is left alone
    dark = np.asarray(straight) < ocr._threshold(straight)
    tables = ocr.find_tables(dark, 200)
    assert len(tables) == 1
    t = tables[0]
    assert len(t.xs) == 5 and len(t.ys) == 5
    spans = sorted(t.cells.values())
    assert (0, 0, 1, 1) in spans and (0, 1, 1, 4) in spans  # row 0: a cell over columns 1-3
    assert (1, 0, 3, 1) in spans  # column 0: a cell over rows 1-2
    assert len(spans) == 1 + 1 + 1 + 3 * 2 + 4  # row 0: 2; rows 1-2: 1 + 3 + 3; row 3: 4


@needs_ocr  # OpenCV (connected components) comes with the OCR extra
def test_placeholder_symbols_by_shape():
    import numpy as np
    from PIL import Image, ImageDraw

    def blob(draw):
        img = Image.new("L", (80, 60), 255)
        draw(ImageDraw.Draw(img))
        dark = np.asarray(img) < 128
        (b,) = ocr._blobs(dark, 0, 0, 80, 60, 5)
        return b

    assert ocr._symbol(blob(lambda d: d.line([(20, 30), (48, 30)], fill=0, width=2)), 34) == "—"
    assert ocr._symbol(blob(lambda d: d.line([(30, 30), (40, 30)], fill=0, width=2)), 34) == "-"
    assert ocr._symbol(blob(lambda d: d.line([(33, 42), (42, 18)], fill=0, width=2)), 34) == "/"
    assert ocr._symbol(blob(lambda d: d.line([(40, 16), (40, 44)], fill=0, width=3)), 34) is None  # a "1"
    assert ocr._symbol(blob(lambda d: d.ellipse([(30, 16), (46, 44)], outline=0, width=2)), 34) is None  # "0"


def test_numbers_lose_specks_read_as_dots():
    assert ocr._tidy_number("0.") == "0" and ocr._tidy_number(".158") == "158" and ocr._tidy_number("6'") == "6"
    assert ocr._tidy_number("12.5") == "12.5" and ocr._tidy_number("35.6万元") == "35.6万元"
    assert ocr._tidy_number("行政许可。") == "行政许可。"


def _cell(r, c, x0, x1, page, text="1", rs=1, cs=1):
    return GridCell(r, c, text, rs, cs, Where(page=page, row=r, col=c, bbox=(x0, 10.0 * r, x1, 10.0 * r + 10)))


def test_tables_continued_on_the_next_page_are_joined():
    first = Grid((_cell(0, 0, 50, 150, 1), _cell(0, 1, 150, 300, 1, cs=2), _cell(1, 0, 50, 150, 1),
                  _cell(1, 1, 150, 220, 1), _cell(1, 2, 220, 300, 1)), Where(page=1, bbox=(50, 0, 300, 20)))
    cont = Grid((_cell(0, 0, 50, 150, 2), _cell(0, 1, 150, 220, 2), _cell(0, 2, 220, 300, 2)),
                Where(page=2, bbox=(50, 0, 300, 10)))
    other = Grid((_cell(0, 0, 60, 200, 2),), Where(page=2, bbox=(60, 0, 200, 10)))
    blocks = ocr.merge_continued_grids([[Paragraph("x", Where(page=1)), first, Paragraph("- 1 -", Where(page=1))],
                                        [cont, other]])
    grids = [b for b in blocks if isinstance(b, Grid)]
    assert len(grids) == 2 and grids[0].n_rows == 3 and grids[0].n_cols == 3
    assert [(c.row, c.col, c.colspan, c.where.page) for c in grids[0].cells][-3:] == \
        [(2, 0, 1, 2), (2, 1, 1, 2), (2, 2, 1, 2)]
    assert [b.text for b in blocks if not isinstance(b, Grid)] == ["x", "- 1 -"]
    numbered = ocr.number_tables(blocks)
    assert [g.where.table for g in numbered if isinstance(g, Grid)] == [0, 1]


def test_repeated_header_is_dropped_and_a_new_table_is_not_joined():
    head = [_cell(0, 0, 50, 300, 1, "申请人情况", cs=2)]
    first = Grid(tuple(head + [_cell(1, 0, 50, 150, 1, "（一）予以公开"), _cell(1, 1, 150, 300, 1, "3")]),
                 Where(page=1, bbox=(50, 0, 300, 20)))
    again = Grid((_cell(0, 0, 50, 300, 2, "申请人倩况", cs=2), _cell(1, 0, 50, 150, 2, "（二）部分公开"),
                  _cell(1, 1, 150, 300, 2, "4")), Where(page=2, bbox=(50, 0, 300, 20)))
    (joined,) = ocr.merge_continued_grids([[first], [again]])
    assert joined.n_rows == 3 and [c.text for c in joined.rows()[2]] == ["（二）部分公开", "4"]
    new = Grid((_cell(0, 0, 50, 300, 2, "行政复议", cs=2), _cell(1, 0, 50, 150, 2, "结果维持"),
                _cell(1, 1, 150, 300, 2, "0")), Where(page=2, bbox=(50, 0, 300, 20)))
    assert len(ocr.merge_continued_grids([[first], [new]])) == 2


def test_missing_engine_is_a_read_error_with_the_install_hint(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "rapidocr", None)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    ocr.engine.cache_clear()
    try:
        with pytest.raises(ReadError, match=r"pip install 'extractor\[ocr\]'"):
            ocr.read_image("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        rep = extractor.parse_bytes("scan.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        assert rep.status == "failed" and "extractor[ocr]" in rep.error
    finally:
        monkeypatch.undo()
        ocr.engine.cache_clear()


@needs_ocr
def test_unreadable_image_is_a_read_error():
    rep = extractor.parse_bytes("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    assert rep.status == "failed" and "broken.png" in rep.error


@needs_ocr
def test_engine_is_loaded_once():
    assert ocr.engine() is ocr.engine()
    assert isinstance(ocr.engine(), ocr.Engine)
