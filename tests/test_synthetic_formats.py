"""One synthetic report written as txt, HTML, DOCX, DOC and WPS (extractor.synth_formats)
through the real pipeline, compared exactly with the truth it was built from — the same
comparison as test_synthetic.py (every cell's value, raw text and status; sections;
edition, year, agency, publication date; expected rule ids; no other error).

THE CROSS-FORMAT TEST: the same logical report in every format gives identical cells.

DOC and WPS need LibreOffice (soffice) to be written and read; without it those tests skip
with a message saying so. The committed examples (corpus/synthetic/{docx,html,doc,wps}-*)
must equal a fresh regeneration (`python -m extractor.synth corpus/synthetic`): DOCX, HTML
and every truth file byte for byte; DOC/WPS (LibreOffice stamps the conversion time) by the
cells extracted from them.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html
from synthcheck import all_mismatches, show

import extractor
from extractor import synth
from extractor import synth_formats as sf

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "corpus" / "synthetic"
TEMPLATE = REPO.parent / "shared" / "corpus" / "real" / "template-blank.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

NO_SOFFICE = ("LibreOffice (soffice) is not installed: DOC/WPS cannot be written or read "
              "(apt-get install libreoffice-writer-nogui fonts-noto-cjk)")
needs_soffice = pytest.mark.skipif(sf.soffice_path() is None, reason=NO_SOFFICE)


def parse_as(fmt: str, data: bytes, name: str = "report"):
    return extractor.parse_bytes(f"{name}{sf.EXTENSIONS[fmt]}", data)


def cell_map(rep) -> dict[str, tuple[float | None, str]]:
    return {c.key: (c.value, c.status) for c in rep.cells}


def truth_map(tr: synth.Truth) -> dict[str, tuple[float | None, str]]:
    return {k: (v, st) for k, (v, _, st) in tr.cells.items()}


def cell_diff(want: dict, got: dict, limit: int = 12) -> list[str]:
    keys = sorted(set(want) | set(got))
    return [f"{k}: want {want.get(k, 'absent')}, got {got.get(k, 'absent')}" for k in keys
            if want.get(k) != got.get(k)][:limit]


# --------------------------------------------------------------------------- the writers themselves (no reader)

def _docx_tables(data: bytes) -> list[list[list[tuple[str, int, str | None, str | None]]]]:
    """Each table's rows of <w:tc>: (text with paragraphs joined by "|", gridSpan, vMerge, textDirection)."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    out = []
    for tbl in root.iter(W + "tbl"):
        rows = []
        for tr in tbl.findall(W + "tr"):
            row = []
            for tc in tr.findall(W + "tc"):
                pr = tc.find(W + "tcPr")
                gs = pr.find(W + "gridSpan") if pr is not None else None
                vm = pr.find(W + "vMerge") if pr is not None else None
                td = pr.find(W + "textDirection") if pr is not None else None
                text = "|".join("".join(p.itertext()) for p in tc.findall(W + "p"))
                row.append((text, int(gs.get(W + "val")) if gs is not None else 1,
                            (vm.get(W + "val") or "continue") if vm is not None else None,
                            td.get(W + "val") if td is not None else None))
            rows.append(row)
        out.append(rows)
    return out


def _structure(rows, label_rows: int | None = None):
    """(gridSpan, vMerge) of every cell, and the label texts without line breaks or spaces."""
    spans = [[(gs, vm) for _, gs, vm, _ in row] for row in rows]
    labels = [[t.replace("|", "").strip().replace("\u3000", "") for t, _, _, _ in row]
              for row in rows[:label_rows]]
    return spans, labels


def test_docx_tables_follow_the_blank_template():
    """T2 (one table), T3 and T4 of a v2021 DOCX have the template's merged cells (w:gridSpan,
    w:vMerge) and the template's labels; T3 value rows keep their label columns."""
    if not TEMPLATE.is_file():
        pytest.skip(f"{TEMPLATE} not available")
    spec = synth.random_spec(41, "v2021", 2021)
    ours = _docx_tables(sf.render_docx(spec, sf.DocLayout(t2_tables="one", vertical="plain")))
    tpl = _docx_tables(TEMPLATE.read_bytes())
    assert len(ours) == len(tpl) == 3
    for i, (a, b) in enumerate(zip(ours, tpl)):
        sa, la = _structure(a)
        sb, lb = _structure(b)
        assert sa == sb, f"table {i}: merged cells differ from the template"
        # label cells (the template's value cells are empty or ideographic spaces)
        for r, (ra, rb) in enumerate(zip(la, lb)):
            for k, (x, y) in enumerate(zip(ra, rb)):
                if y:
                    assert x == y, f"table {i} row {r} cell {k}: {x!r} != template {y!r}"


def test_docx_vertical_labels_and_options():
    spec = synth.random_spec(42, "v2021", 2021, t3_subtotal_col=True)
    tables = _docx_tables(sf.render_docx(spec, sf.DocLayout(t2_tables="several", vertical="direction")))
    assert len(tables) == 4 + 2  # one T2 table per 第二十条 item, T3, T4
    t3 = tables[4]
    assert ("申请人情况", 8, None, None) == t3[0][1]  # over 7 columns + 小计
    assert t3[1][1] == ("自然人", 1, "restart", "tbRlV") and t3[1][2][:2] == ("法人或其他组织", 6)
    assert [c[0] for c in t3[2][2:]] == ["商业|企业", "科研|机构", "社会公益|组织", "法律服务|机构", "其他", "小计", ""]
    assert t3[2][6][3] == "tbRlV"
    assert t3[5][0] == ("三、本年度办理结果", 1, "restart", "tbRlV")
    chars = _docx_tables(sf.render_docx(spec, sf.DocLayout(vertical="chars")))[1]
    assert chars[1][1][0] == "自|然|人" and chars[5][0][0] == "三、|本|年|度|办|理|结|果"
    assert chars[7][1][0] == "（三）|不予|公开" and chars[7][1][2] == "restart"


def test_docx_cells_print_blank_zero_slash_dash_as_in_the_spec():
    spec = synth.random_spec(43, "v2021", 2021, zero_style="mixed")
    printed = {v for v in spec.cells.values()}
    assert {"", "0", "/", "—"} <= printed
    t3 = _docx_tables(sf.render_docx(spec))[1]
    rows = [r for r, _, _ in spec.t3_rows()]
    for i, r in enumerate(rows):
        values = [c[0] for c in t3[3 + i][-len(spec.t3_cols):]]
        assert values == [spec.cells[f"t3.{r}.{c}"] for c in spec.t3_cols]


def test_docx_and_html_are_byte_stable():
    spec = synth.random_spec(44, "v2019", 2020, zero_style="blank")
    assert sf.render_docx(spec) == sf.render_docx(spec)
    assert sf.render_html_bytes(spec, "gbk") == sf.render_html_bytes(spec, "gbk")
    with zipfile.ZipFile(io.BytesIO(sf.render_docx(spec))) as z:
        assert {i.date_time for i in z.infolist()} == {sf.FIXED_ZIP_TIME}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "2021-01-20T09:00:00Z" in core


def _html_spans(table) -> list[list[tuple[int, int]]]:
    return [[(int(td.get("rowspan", 1)), int(td.get("colspan", 1))) for td in tr.findall("td")]
            for tr in table.iter("tr")]


def _docx_spans(rows) -> list[list[tuple[int, int]]]:
    """w:gridSpan / w:vMerge -> (rowspan, colspan) of the cells that start in each row."""
    grid_cols = []  # per row: the grid column of each tc
    for row in rows:
        col, cols = 0, []
        for _, gs, _, _ in row:
            cols.append(col)
            col += gs
        grid_cols.append(cols)
    out = []
    for r, row in enumerate(rows):
        out_row = []
        for k, (_, gs, vm, _) in enumerate(row):
            if vm == "continue":
                continue
            span = 1
            if vm == "restart":
                for rr in range(r + 1, len(rows)):
                    at = [i for i, c in enumerate(grid_cols[rr]) if c == grid_cols[r][k]]
                    if at and rows[rr][at[0]][2] == "continue":
                        span += 1
                    else:
                        break
            out_row.append((span, gs))
        out.append(out_row)
    return out


@pytest.mark.parametrize("t2", ["one", "several"])
@pytest.mark.parametrize("subtotal", [False, True])
def test_html_tables_mirror_the_docx(t2, subtotal):
    spec = synth.random_spec(45, "v2019", 2020, t3_subtotal_col=subtotal)
    layout = sf.DocLayout(t2_tables=t2, vertical="chars")
    page = lxml_html.document_fromstring(sf.render_html(spec, layout))
    editor = page.find_class("TRS_Editor")
    assert len(editor) == 1
    html_tables = editor[0].findall(".//table")
    docx_tables = _docx_tables(sf.render_docx(spec, layout))
    assert len(html_tables) == len(docx_tables)
    for h, d in zip(html_tables, docx_tables):
        assert _html_spans(h) == _docx_spans(d)
    # header cells broken with <br> as in real pages
    assert "商业<br>企业" in sf.render_html(spec, layout)


def test_html_page_chrome_and_gbk():
    spec = synth.random_spec(46, "v2021", 2022, signature=False, page_date=date(2023, 1, 28))
    data = sf.render_html_bytes(spec, "gbk")
    text = data.decode("gbk")
    assert 'charset=gbk' in text[:600] and '<meta name="PubDate" content="2023-01-28 ' in text
    assert "当前位置" in text and "分享到" in text and '<div class="TRS_Editor">' in text
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    tree = lxml_html.document_fromstring(text)
    assert tree.findtext(".//title").startswith(spec.title)


# --------------------------------------------------------------------------- the committed examples

def _fmt(name: str) -> str:
    return sf.FORMAT_VARIANTS[name]["fmt"]


def _committed(name: str) -> Path:
    p = SYNTHETIC / sf.file_name(name)
    if not p.is_file():
        if _fmt(name) in sf.LEGACY and sf.soffice_path() is None:
            pytest.skip(f"{p.name} not committed and {NO_SOFFICE}")
        pytest.fail(f"{p} missing: run `python -m extractor.synth corpus/synthetic`")
    return p


@pytest.mark.parametrize("name", list(sf.FORMAT_VARIANTS))
def test_committed_example_round_trip(name):
    """The file on disk, parsed by its extension's path, equals the truth of its spec."""
    if _fmt(name) in sf.LEGACY and sf.soffice_path() is None:
        pytest.skip(NO_SOFFICE)
    spec, fmt, layout, encoding = sf.variant(name)
    tr = sf.format_truth(spec, fmt, name)
    rep = extractor.parse(_committed(name))
    problems = all_mismatches(rep, tr)
    assert not problems, f"{name} ({fmt}):" + show(problems)


@pytest.mark.parametrize("name", list(sf.FORMAT_VARIANTS))
def test_committed_example_truth_file(name):
    """The committed truth equals the truth regenerated from the spec and the committed bytes."""
    p = _committed(name)
    data = p.read_bytes()
    assert (SYNTHETIC / f"{name}.truth.json").read_bytes() == sf._gold(name, data), \
        "truth out of date: run `python -m extractor.synth corpus/synthetic`"


@pytest.mark.parametrize("name", [n for n in sf.FORMAT_VARIANTS if sf.FORMAT_VARIANTS[n]["fmt"] not in sf.LEGACY])
def test_committed_docx_html_equal_regeneration(name):
    p = _committed(name)
    spec, fmt, layout, encoding = sf.variant(name)
    assert p.read_bytes() == sf.render_format(spec, fmt, layout, encoding), \
        f"{p.name} is out of date: run `python -m extractor.synth corpus/synthetic`"


@needs_soffice
@pytest.mark.parametrize("name", [n for n in sf.FORMAT_VARIANTS if sf.FORMAT_VARIANTS[n]["fmt"] in sf.LEGACY])
def test_committed_doc_wps_equal_regeneration_by_cells(name):
    """LibreOffice output is not byte-stable: a fresh conversion must give the same cells."""
    p = _committed(name)
    spec, fmt, layout, _ = sf.variant(name)
    fresh = parse_as(fmt, sf.render_doc(spec, layout), name)
    committed = extractor.parse(p)
    assert committed.status == "ok" and fresh.status == "ok", (committed.error, fresh.error)
    assert cell_map(committed) == cell_map(fresh), show(cell_diff(cell_map(fresh), cell_map(committed)))


def test_no_stray_example_files():
    names = {sf.file_name(n) for n in sf.FORMAT_VARIANTS} | {f"{n}.truth.json" for n in sf.FORMAT_VARIANTS}
    prefixes = tuple(f"{f}-" for f in sf.FORMATS if f != "txt")
    stray = sorted(p.name for p in SYNTHETIC.iterdir() if p.name.startswith(prefixes) and p.name not in names)
    assert not stray, f"files of removed examples: {stray} (run `python -m extractor.synth corpus/synthetic`)"


def test_wps_example_is_word97_binary():
    wps = [n for n in sf.FORMAT_VARIANTS if _fmt(n) == "wps"]
    assert wps
    for name in wps:
        data = _committed(name).read_bytes()
        assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" and "WordDocument".encode("utf-16-le") in data


# --------------------------------------------------------------------------- random specs per format

SWEEP = [
    ("docx", dict(seed=201, edition="v2021", zero_style="mixed", scale="busy"), dict(t2_tables="one")),
    ("docx", dict(seed=202, edition="v2019", zero_style="blank", t3_subtotal_col=True),
     dict(t2_tables="several", vertical="chars")),
    ("docx", dict(seed=203, edition="v2021", label_style="variants", t3_single_other=True, date_style="chinese",
                  drop_sections=("s1_overview",)), dict(vertical="plain", heading_style="heading")),
    ("docx", dict(seed=204, edition="v2021", year=2022, fullwidth=True, defects=("t3_col_total_off",),
                  narrative="inconsistent"), dict(header_breaks=False)),
    ("html", dict(seed=205, edition="v2021", zero_style="mixed", scale="busy"), dict(t2_tables="several")),
    ("html", dict(seed=206, edition="v2019", zero_style="blank", t3_subtotal_col=True), dict(vertical="chars")),
    ("html", dict(seed=207, edition="v2021", signature=False, page_date=date(2022, 2, 8)),
     dict(html_title_in_body=False)),
    ("html", dict(seed=208, edition="v2019", year=2022, drop_sections=("s5_problems",), zero_style="dash"),
     dict(html_chrome=False)),
]


SWEEP_CASES = [(fmt, a, lay, enc) for fmt, a, lay in SWEEP for enc in (("utf-8", "gbk") if fmt == "html" else ("",))]


@pytest.mark.parametrize("fmt,spec_args,layout_args,encoding", SWEEP_CASES,
                         ids=[f"{f}-{a['seed']}-{a['edition']}{'-' + e if e else ''}" for f, a, _, e in SWEEP_CASES])
def test_random_spec_round_trip(fmt, spec_args, layout_args, encoding):
    spec = synth.random_spec(**spec_args)
    layout = sf.DocLayout(**layout_args)
    tr = sf.format_truth(spec, fmt)
    data = sf.render_html_bytes(spec, encoding, layout) if fmt == "html" else sf.render_format(spec, fmt, layout)
    problems = all_mismatches(parse_as(fmt, data, f"random-{spec_args['seed']}"), tr)
    assert not problems, show(problems)


# --------------------------------------------------------------------------- THE CROSS-FORMAT TEST

CROSS = {
    "v2021-mixed-placeholders": (dict(seed=301, edition="v2021", year=2021, zero_style="mixed", scale="busy"),
                                 dict(t2_tables="one", vertical="direction"), "utf-8"),
    "v2019-blank-subtotal": (dict(seed=302, edition="v2019", year=2020, zero_style="blank", scale="small",
                                  t3_subtotal_col=True, narrative="consistent"),
                             dict(t2_tables="several", vertical="chars"), "gbk"),
    "v2021-dash-variants-single-other": (dict(seed=303, edition="v2021", year=2023, zero_style="dash",
                                              label_style="variants", t3_single_other=True, fullwidth=True,
                                              title_lines=1),
                                         dict(t2_tables="one", vertical="plain", header_breaks=False), "utf-8"),
    "v2021-slash-defects": (dict(seed=304, edition="v2021", year=2022, zero_style="slash",
                                 defects=("t3_total_off", "t4_total_off")),
                            dict(t2_tables="several", vertical="direction", heading_style="heading"), "utf-8"),
}
_parsed: dict[tuple[str, str], object] = {}


def _cross(case: str, fmt: str):
    if (case, fmt) not in _parsed:
        args, layout, encoding = CROSS[case]
        spec = synth.random_spec(**args)
        data = sf.render_format(spec, fmt, sf.DocLayout(**layout), encoding)
        _parsed[(case, fmt)] = parse_as(fmt, data, f"cross-{case}")
    return _parsed[(case, fmt)]


@pytest.mark.parametrize("fmt", [f for f in sf.FORMATS if f != "txt"])
@pytest.mark.parametrize("case", list(CROSS))
def test_cross_format_identical_cells(case, fmt):
    """One logical report as cell-per-line text and as `fmt`: identical cells (key -> value
    and status), and both equal to the truth."""
    if fmt in sf.LEGACY and sf.soffice_path() is None:
        pytest.skip(NO_SOFFICE)
    spec = synth.random_spec(**CROSS[case][0])
    want = truth_map(sf.format_truth(spec, fmt))
    txt, other = _cross(case, "txt"), _cross(case, fmt)
    assert txt.status == "ok" and other.status == "ok", (txt.error, other.error)
    assert cell_map(txt) == want, "txt differs from the truth:" + show(cell_diff(want, cell_map(txt)))
    assert cell_map(other) == cell_map(txt), f"{fmt} differs from txt:" + show(cell_diff(cell_map(txt),
                                                                                             cell_map(other)))


@pytest.mark.parametrize("case", list(CROSS))
def test_cross_format_full_truth(case):
    """Beyond cells: every format agrees with the full truth (sections, metadata, findings)."""
    spec = synth.random_spec(**CROSS[case][0])
    problems = {}
    for fmt in sf.FORMATS:
        if fmt in sf.LEGACY and sf.soffice_path() is None:
            continue
        p = all_mismatches(_cross(case, fmt), sf.format_truth(spec, fmt))
        if p:
            problems[fmt] = p
    assert not problems, "\n".join(f"{fmt}:" + show(p) for fmt, p in problems.items())
