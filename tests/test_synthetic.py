"""Synthetic reports (extractor.synth) through the real pipeline, compared exactly with the
truth they were built from: every cell (value, raw text, status; ambiguous where the text
alone cannot decide), sections in order with their printed titles, edition, year, agency,
publication date, the expected rule ids among error/warning findings and no other error.

The committed corpus (corpus/synthetic) must equal a fresh regeneration:
    python -m extractor.synth corpus/synthetic
"""
from __future__ import annotations

import codecs
from datetime import date
from pathlib import Path

import pytest
from synthcheck import (
    all_mismatches,
    cell_mismatches,
    finding_mismatches,
    meta_mismatches,
    parse_text,
    section_mismatches,
    show,
)

import extractor
from extractor import synth, synth_formats, synth_pdf

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = REPO / "corpus" / "synthetic"
SEED = REPO / "corpus" / "seed" / "songbei-chuankou-2020.txt"


# --------------------------------------------------------------------------- the committed variants

@pytest.fixture(scope="module", params=list(synth.VARIANTS))
def case(request):
    name = request.param
    spec, text, tr = synth.build(name)
    return name, spec, tr, parse_text(name, text)


def test_parsed_ok(case):
    name, spec, tr, rep = case
    assert rep.status == "ok", rep.error


def test_every_cell(case):
    name, spec, tr, rep = case
    problems = cell_mismatches(rep, tr)
    assert not problems, f"{name} ({spec.shape}):" + show(problems)


def test_no_cells_beyond_the_printed_ones(case):
    name, spec, tr, rep = case
    extra = sorted(c.key for c in rep.cells if c.key not in tr.cells)
    assert not extra, extra


def test_sections_in_order_with_titles(case):
    name, spec, tr, rep = case
    assert not section_mismatches(rep, tr), section_mismatches(rep, tr)


def test_metadata(case):
    name, spec, tr, rep = case
    assert not meta_mismatches(rep, tr), meta_mismatches(rep, tr)


def test_expected_findings_and_no_false_errors(case):
    name, spec, tr, rep = case
    problems = finding_mismatches(rep, tr)
    assert not problems, show(problems)


# --------------------------------------------------------------------------- random specs (a small benchmark)

SWEEP = [(seed, edition, shape, opts)
         for seed in (101, 102, 103)
         for edition in synth.EDITIONS
         for shape, opts in (("cell_per_line", {"zero_style": "mixed", "scale": "busy"}),
                             ("cell_per_line", {"t3_subtotal_col": True, "defects": ("t3_col_total_off",),
                                                "label_style": "variants", "date_style": "chinese"}),
                             ("flattened_web", {"scale": "busy", "t3_single_other": edition == "v2021"}),
                             ("flattened_web", {"spacing": "some", "zero_style": "mixed",
                                                "defects": ("t3_total_off",)}))]


@pytest.mark.parametrize("seed,edition,shape,opts", SWEEP,
                         ids=[f"{s}-{e}-{sh}-{'+'.join(k for k, v in o.items() if v)}" for s, e, sh, o in SWEEP])
def test_random_spec_round_trip(seed, edition, shape, opts):
    spec = synth.random_spec(seed, edition, None, shape, **opts)
    tr = synth.truth(spec)
    problems = all_mismatches(parse_text(f"random-{seed}", synth.render(spec)), tr)
    assert not problems, show(problems)


# --------------------------------------------------------------------------- encodings

ENCODINGS = {
    "utf-8-bom": lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
    "gb18030": lambda t: t.encode("gb18030"),
    "utf-8-crlf": lambda t: t.replace("\n", "\r\n").encode("utf-8"),
}


def _digest(rep):
    return ([(c.key, c.value, c.raw, c.status) for c in rep.cells],
            [(s.key, s.title, s.text) for s in rep.sections],
            (rep.template_version, rep.report_year, rep.agency, rep.published_on),
            sorted((f.rule_id, f.severity) for f in rep.findings))


@pytest.mark.parametrize("name", ["cpl-v2021-2021-mixed-placeholders-label-variants", "web-v2021-2021-ambiguous-t2",
                                  "cpl-v2021-2022-fullwidth-text-mismatch"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_encodings_give_identical_results(name, encoding):
    spec, text, tr = synth.build(name)
    plain = parse_text(name, text)
    other = extractor.parse_bytes(f"{name}.txt", ENCODINGS[encoding](text))
    assert other.status == "ok", other.error
    assert _digest(other) == _digest(plain)


# --------------------------------------------------------------------------- the committed files

def test_committed_corpus_equals_regeneration():
    if not SYNTHETIC.is_dir():
        pytest.fail(f"{SYNTHETIC} missing: run `python -m extractor.synth corpus/synthetic`")
    fresh = synth.corpus_files()
    stale = [n for n, data in fresh.items() if not (SYNTHETIC / n).is_file() or (SYNTHETIC / n).read_bytes() != data]
    # the DOCX/HTML/DOC/WPS and PDF examples are checked in test_synthetic_formats.py and test_synthetic_pdf.py
    formats = {synth_formats.file_name(n) for n in synth_formats.FORMAT_VARIANTS} \
        | {f"{n}.truth.json" for n in synth_formats.FORMAT_VARIANTS} \
        | {synth_pdf.file_name(n) for n in synth_pdf.PDF_VARIANTS} | {f"{n}.truth.json" for n in synth_pdf.PDF_VARIANTS}
    extra = sorted(p.name for p in SYNTHETIC.iterdir() if p.name not in fresh and p.name not in formats)
    assert not stale and not extra, (f"corpus/synthetic is out of date (stale {stale}, extra {extra}): "
                                     "run `python -m extractor.synth corpus/synthetic`")


def test_committed_files_parse_like_the_built_text():
    """The files on disk are what the tests above parse (no drift between disk and memory)."""
    for name in ("cpl-v2019-2020-blank-cells", "web-v2021-2021-ambiguous-t2"):
        p = SYNTHETIC / f"{name}.txt"
        if not p.is_file():
            pytest.fail(f"{p} missing")
        assert _digest(extractor.parse(p)) == _digest(parse_text(name, synth.build(name)[1]))


def test_generation_is_deterministic():
    assert synth.corpus_files() == synth.corpus_files()
    a = synth.random_spec(7, "v2021", 2022, "flattened_web", spacing="some", scale="busy")
    b = synth.random_spec(7, "v2021", 2022, "flattened_web", spacing="some", scale="busy")
    assert synth.render(a) == synth.render(b)


def test_seed_report_is_the_projects_own_copy():
    assert SEED.is_file(), "corpus/seed/songbei-chuankou-2020.txt missing"
    shared = REPO.parent / "shared" / "corpus" / "real" / SEED.name
    if shared.is_file():
        assert SEED.read_bytes() == shared.read_bytes()


# --------------------------------------------------------------------------- the builder itself

@pytest.mark.parametrize("edition", synth.EDITIONS)
@pytest.mark.parametrize("seed", range(20))
def test_random_data_satisfies_every_identity(seed, edition):
    """Without defects and with the edition of its year, a random spec expects no finding
    (all four template identities hold; blank and placeholders count as 0)."""
    spec = synth.random_spec(seed, edition, scale=("zero", "small", "medium", "busy")[seed % 4],
                             zero_style=("0", "blank", "slash", "dash", "mixed")[seed % 5])
    rules = synth.expected_rules(spec)
    rules.pop("FMT-NONNUMERIC", None)
    assert rules == {}


def test_defects_are_what_they_claim():
    base = dict(seed=5, edition="v2021", year=2021)
    assert set(synth.expected_rules(synth.random_spec(**base, defects=("t3_total_off",)))) == {"T3-BAL", "T3-TOTAL-ROW"}
    assert set(synth.expected_rules(synth.random_spec(**base, defects=("t4_total_off",)))) == {"T4-REVIEW-SUM"}
    assert set(synth.expected_rules(synth.random_spec(**base, defects=("t3_col_total_off",)))) == \
        {"T3-BAL", "T3-TOTAL-COL"}
    assert "TIME-EARLY" in synth.expected_rules(synth.random_spec(**base, signature_date=date(2021, 12, 30)))
    assert synth.expected_rules(synth.random_spec(5, "v2019", 2022))["FMT-VERSION-MISMATCH"].endswith("(error)")
    assert "TXT-APP-NEW" in synth.expected_rules(synth.random_spec(**base, narrative="inconsistent"))
    assert "TXT-APP-NEW" not in synth.expected_rules(synth.random_spec(**base, narrative="consistent"))


def test_oracle_splits_like_the_real_pingtan_2021_runs():
    # 行政规范性文件 "693665" (69 / 3 / 665 in the page's HTML): nothing decides it
    sols = synth.run_splits("693665", [synth.COUNT] * 3)
    assert ("69", "3", "665") in sols and len(sols) > 1
    # a space is always a cell boundary: "230 000023" is 23/0/0/0/0/0/23 read from pingtan-2019
    assert ("23", "0", "0", "0", "0", "0", "23") in synth.run_splits("230 000023", [synth.COUNT] * 7)
    sols = synth.run_splits("230 000023", [synth.COUNT] * 7)
    assert all(any("".join(s[:i]) == "230" for i in range(1, 7)) for s in sols)  # no cell spans the space
    # an amount keeps its unit and decimals in one cell
    assert synth.run_splits("24252.311082", [synth.AMOUNT]) == [("24252.311082",)]
    # leading zeros are not numbers
    assert ("0", "07") not in synth.run_splits("007", [synth.COUNT] * 2)


def test_cell_meaning():
    assert synth.cell_meaning("") == (None, "blank")
    assert synth.cell_meaning("/") == (0.0, "slash")
    assert synth.cell_meaning("—") == (0.0, "dash")
    assert synth.cell_meaning("１２") == (12.0, "ok")
    assert synth.cell_meaning("-2") == (-2.0, "ok")
    assert synth.cell_meaning("减少2") == (-2.0, "ok")
    assert synth.cell_meaning("394432.52元") == (394432.52, "ok")


def test_spec_rejects_layouts_a_shape_cannot_print():
    spec = synth.random_spec(3, "v2021", 2021, "cell_per_line", zero_style="blank")
    with pytest.raises(ValueError, match="blank"):
        synth.ReportSpec(**{**spec.__dict__, "shape": "flattened_web"})
    with pytest.raises(ValueError, match="小计"):
        synth.random_spec(3, "v2021", 2021, "flattened_web", t3_subtotal_col=True)
    with pytest.raises(ValueError, match="dropped"):
        synth.random_spec(3, "v2021", 2021, drop_sections=("s3_applications",))


def test_cell_per_line_shape_matches_the_seed_export():
    """The renderer prints what the seed export prints: a title broken over two lines, TAB-led
    cells, lone TABs for blanks and merged continuations, vertical labels one piece per line."""
    text = synth.render(synth.variant_spec("cpl-v2019-2020-blank-cells"))
    lines = text.split("\n")
    assert lines[1] == "政府信息公开工作年度报告" and lines[0].endswith("2020年")
    i = lines.index("\t（一）予以公开")
    assert lines[i - 8: i] == ["\t三、", "本", "年", "度", "办", "理", "结", "果"]
    j = lines.index("\t2.其他法律行政法规禁止公开")
    assert lines[j - 3: j] == ["", "\t", "\t"]  # merged 三 and （三） columns continue as lone tabs
    k = lines.index("\t（三）")
    assert lines[k - 1: k + 4] == ["\t", "\t（三）", "不予", "公开", "\t1.属于国家秘密"]
    seed_lines = SEED.read_text(encoding="utf-8").split("\n") if SEED.is_file() else []
    for probe in (["\t自", "然", "人", "\t法人或其他组织", "\t总计"], ["\t其", "他", "\t"]):
        assert any(lines[n:n + len(probe)] == probe for n in range(len(lines)))
        if seed_lines:
            assert any(seed_lines[n:n + len(probe)] == probe for n in range(len(seed_lines)))


def test_flattened_shape_matches_the_web_rendering():
    text = synth.render(synth.variant_spec("web-v2021-2021-ambiguous-t2"))
    head, rule, body = text.partition("==================== 正文 ====================\n")
    assert head.startswith("标题: ") and "\n发布时间: " in head and "\n栏目: 政府信息公开年报\n" in head
    assert body.count("\n") == 1 and body.endswith(" 附件下载\n")
    assert "行政规范性文件693665" in body
    assert "。一、总体情况" in body
