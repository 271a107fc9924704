"""Text <-> table rules (TXT-*) and TYPO-TERMS: synthetic reports per rule, then the real corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor.checks import text as T
from extractor.model import CellValue, Report, Section

REAL = Path("/work/shared/corpus/real")

ZERO_T4 = {"t4.review.total": 0, "t4.lit_direct.total": 0, "t4.lit_after_review.total": 0}


def cell(key: str, value, label: str | None = None) -> CellValue:
    table, row, col = key.split(".")
    status = "blank" if value is None else "ok"
    return CellValue(key, table, row, col, None if value is None else float(value),
                     "" if value is None else str(value), status, label=label)


def report(sections, cells=None, version="v2021", year=2021, labels=None) -> Report:
    secs = [Section(k, "", t) for k, t in sections] if isinstance(sections, list) else \
        [Section(k, "", t) for k, t in sections.items()]
    cvs = [cell(k, v) for k, v in (cells or {}).items()]
    for k, (v, lab) in (labels or {}).items():
        cvs.append(cell(k, v, lab))
    return Report(report_id="x", path="x", sha256="0" * 64, format="txt", template_version=version,
                  report_year=year, sections=secs, cells=cvs)


def run(fn, rep):
    return list(fn(rep))


# --------------------------------------------------------------------------- TXT-APP-NEW

@pytest.mark.parametrize("sentence,n", [
    ("2021年全区各级行政机关共受理政府信息公开申请21件，受理的申请件已按规定在法定期限内予以答复。", 21),
    ("本年度全区共收到70件申请，及时依法依规办结69件。", 70),
    ("2021年我街道依申请公开的政府信息2条。", 2),
    ("全年新收政府信息公开申请一百二十件。", 120),
    ("2021 年，区政府办代表区政府受理政府\n信息公开申请 17 件，均已在法定期限内予以答复。", 17),
])
def test_txt_app_new_variants_pass_and_fail(sentence, n):
    ok = report({"s1_overview": "（二）依申请公开方面。" + sentence}, {"t3.new_received.total": n})
    assert run(T.txt_app_new, ok) == []
    bad = report({"s1_overview": "（二）依申请公开方面。" + sentence}, {"t3.new_received.total": n + 5})
    (f,) = run(T.txt_app_new, bad)
    assert f.rule_id == "TXT-APP-NEW" and f.severity == "error"
    assert f.expected == str(n) and f.actual == str(n + 5)
    assert f.cells == ("t3.new_received.total",)
    assert str(n) in f.message and str(n + 5) in f.message


def test_txt_app_new_evidence_points_into_section_text():
    text = "一段说明。本年度共收到政府信息公开申请25件，均已答复。后文。"
    rep = report({"s3_applications": text}, {"t3.new_received.total": 20})
    (f,) = run(T.txt_app_new, rep)
    ev = f.evidence[0]
    assert ev.section == "s3_applications"
    assert text[ev.where.char:ev.where.char_end] == "本年度共收到政府信息公开申请25件，均已答复。"
    assert ev.text == "本年度共收到政府信息公开申请25件，均已答复。"
    assert f.evidence[1].text.startswith("t3.new_received.total")  # cell evidence added by common.finding
    assert f.scope.startswith("s3_applications@")


@pytest.mark.parametrize("text", [
    # flattened table: digits glued to the label, no unit
    "一、本年新收政府信息公开申请数量640020470二、上年结转政府信息公开申请数量0000000",
    "收到群众诉求348件，现场解决162件，跟进解决186件，办结率100%。",
    "政务服务中心全年受理各类申请3000件。",
    "区行政审批局受理行政许可申请500件。",
    "全区共收到政府信息公开申请64件，其中，区发改委收到政府信息公开申请5件。",
    "2020年收到政府信息公开申请18件。",
    "收到申请后5个工作日内答复。",
    "办理人大代表建议12件次，政协提案8件次。",
    "答复依申请公开的政府信息20条。",
    "根据《条例》第二十条规定，联系电话0591-23165370。",
])
def test_txt_app_new_ignores_non_application_numbers(text):
    rep = report({"s1_overview": text}, {"t3.new_received.total": 64})
    assert run(T.txt_app_new, rep) == []


def test_txt_app_new_accepts_total_including_carried_over():
    rep = report({"s1_overview": "共收到政府信息公开申请25件（含上年结转3件）。"},
                 {"t3.new_received.total": 22, "t3.carried_over.total": 3})
    assert run(T.txt_app_new, rep) == []
    assert run(T.txt_app_carry_in, rep) == []


def test_txt_app_new_skipped_for_v2007_and_missing_cell():
    text = {"s3_applications": "共收到政府信息公开申请25件。"}
    assert run(T.txt_app_new, report(text, {"t3.new_received.total": 1}, version="v2007", year=2013)) == []
    assert run(T.txt_app_new, report(text, {})) == []


# --------------------------------------------------------------------------- carry in / out

def test_txt_app_carry_in_pass_and_fail():
    text = {"s3_applications": "本年新收政府信息公开申请30件，上年结转政府信息公开申请3件。"}
    cells = {"t3.new_received.total": 30, "t3.carried_over.total": 3}
    assert run(T.txt_app_carry_in, report(text, cells)) == []
    (f,) = run(T.txt_app_carry_in, report(text, {**cells, "t3.carried_over.total": 0}))
    assert f.rule_id == "TXT-APP-CARRY-IN" and f.expected == "3" and f.actual == "0"
    assert f.cells == ("t3.carried_over.total",)


@pytest.mark.parametrize("text,n", [
    ("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。", 1),
    ("另有2件因需征求第三方意见结转至2022年办理。", 2),
    ("结转下年度继续办理3件。", 3),
])
def test_txt_app_carry_out_pass_and_fail(text, n):
    assert run(T.txt_app_carry_out, report({"s1_overview": text}, {"t3.carried_forward.total": n})) == []
    (f,) = run(T.txt_app_carry_out, report({"s1_overview": text}, {"t3.carried_forward.total": n + 1}))
    assert f.rule_id == "TXT-APP-CARRY-OUT" and f.cells == ("t3.carried_forward.total",)


def test_txt_app_carry_to_report_year_is_a_carry_in():
    text = {"s3_applications": "2020年结转至2021年办理的政府信息公开申请2件已全部办结。"}
    rep = report(text, {"t3.carried_over.total": 2, "t3.carried_forward.total": 0})
    assert run(T.txt_app_carry_out, rep) == []
    assert run(T.txt_app_carry_in, rep) == []
    rep = report(text, {"t3.carried_over.total": 0, "t3.carried_forward.total": 0})
    assert [f.rule_id for f in run(T.txt_app_carry_in, rep)] == ["TXT-APP-CARRY-IN"]
    assert run(T.txt_app_carry_out, rep) == []


# --------------------------------------------------------------------------- TXT-REVIEW / TXT-LITIGATION

def test_txt_review_pass_and_fail():
    text = {"s4_review_litigation": "本年度被申请行政复议2件，被提起行政诉讼1件。"}
    cells = {"t4.review.total": 2, "t4.lit_direct.total": 1, "t4.lit_after_review.total": 0}
    assert run(T.txt_review, report(text, cells)) == []
    (f,) = run(T.txt_review, report(text, {**cells, "t4.review.total": 0}))
    assert f.rule_id == "TXT-REVIEW" and f.expected == "2" and f.actual == "0"
    assert f.cells == ("t4.review.total",)


@pytest.mark.parametrize("section,text", [
    ("s1_overview", "全市行政复议机关共办理行政复议案件1200件。"),  # a review body's own caseload
    ("s4_review_litigation", "全年共受理行政复议申请320件，其中涉及政府信息公开的2件。"),
    ("s4_review_litigation", "因政府信息公开被申请行政复议、提起行政诉讼共3件。"),  # combined count
    ("s5_problems", "有效降低行政复议、行政诉讼发生率和纠错率。"),
])
def test_txt_review_and_litigation_ignore_other_counts(section, text):
    rep = report({section: text}, {"t4.review.total": 2, "t4.lit_direct.total": 0, "t4.lit_after_review.total": 0})
    assert run(T.txt_review, rep) == [] and run(T.txt_litigation, rep) == []


def test_txt_litigation_pass_and_fail():
    text = {"s4_review_litigation": "本年度被申请行政复议2件，被提起行政诉讼3起。"}
    cells = {"t4.review.total": 2, "t4.lit_direct.total": 1, "t4.lit_after_review.total": 2}
    assert run(T.txt_litigation, report(text, cells)) == []
    (f,) = run(T.txt_litigation, report(text, {**cells, "t4.lit_after_review.total": 0}))
    assert f.rule_id == "TXT-LITIGATION" and f.expected == "3" and f.actual == "1"
    assert f.cells == ("t4.lit_direct.total", "t4.lit_after_review.total")


def test_txt_litigation_direct_and_after_review_blocks():
    text = {"s4_review_litigation": "未经复议直接提起行政诉讼1件，复议后提起行政诉讼2件。"}
    cells = {"t4.lit_direct.total": 1, "t4.lit_after_review.total": 2}
    assert run(T.txt_litigation, report(text, cells)) == []
    (f,) = run(T.txt_litigation, report(text, {"t4.lit_direct.total": 1, "t4.lit_after_review.total": 5}))
    assert f.cells == ("t4.lit_after_review.total",) and f.expected == "2" and f.actual == "5"


def test_txt_review_and_litigation_each_zero():
    rep = report({"s4_review_litigation": "本年度行政复议和行政诉讼各0件。"}, ZERO_T4)
    assert run(T.txt_review, rep) == [] and run(T.txt_litigation, rep) == []
    rep = report({"s4_review_litigation": "本年度行政复议和行政诉讼各0件。"}, {**ZERO_T4, "t4.review.total": 1})
    assert [f.rule_id for f in run(T.txt_review, rep)] == ["TXT-REVIEW"]


# --------------------------------------------------------------------------- TXT-NONE-CLAIM

def test_txt_none_claim_pass_and_fail():
    text = {"s4_review_litigation": "2021年我街道没有发生因政府信息公开申请行政复议和提起行政诉讼案件。"}
    assert run(T.txt_none_claim, report(text, {**ZERO_T4, "t3.new_received.total": 5})) == []
    fs = run(T.txt_none_claim, report(text, {**ZERO_T4, "t4.review.total": 1, "t4.lit_direct.total": 2,
                                             "t3.new_received.total": 5}))
    assert sorted(f.cells for f in fs) == [("t4.lit_direct.total", "t4.lit_after_review.total"),
                                            ("t4.review.total",)]
    assert all(f.rule_id == "TXT-NONE-CLAIM" and f.severity == "error" and f.expected == "0" for f in fs)


def test_txt_none_claim_applications():
    text = {"s3_applications": "本年度未收到政府信息公开申请。"}
    assert run(T.txt_none_claim, report(text, {"t3.new_received.total": 0})) == []
    (f,) = run(T.txt_none_claim, report(text, {"t3.new_received.total": 4}))
    assert f.cells == ("t3.new_received.total",) and "no applications" in f.message


@pytest.mark.parametrize("text", [
    "本年度未发生因政府信息公开引起的行政复议纠错案件。",
    "未发生因政府信息公开申请引发的行政复议。",  # not a claim about applications
    "本年度未收到法人或其他组织的政府信息公开申请。",  # one applicant type only
    "避免因答复不规范引发行政复议和行政诉讼。",
    "力争做到无投诉、无行政复议。",  # a goal, not a fact
])
def test_txt_none_claim_ignores_hedged_or_partial_statements(text):
    rep = report({"s4_review_litigation": text}, {"t4.review.total": 1, "t4.lit_direct.total": 1,
                                                  "t4.lit_after_review.total": 0, "t3.new_received.total": 3})
    if "行政复议纠错" in text or "引发的行政复议" in text:
        assert not any(f.cells == ("t3.new_received.total",) for f in run(T.txt_none_claim, rep))
        if "纠错" in text:
            assert run(T.txt_none_claim, rep) == []
    else:
        assert run(T.txt_none_claim, rep) == []


# --------------------------------------------------------------------------- TXT-PCT

def test_txt_pct_share_pass_and_fail():
    ok = report({"s3_applications": "共收到申请100件，其中网上申请60件，占60%；当面申请40件，占比40%。"}, version="v2007")
    assert run(T.txt_pct, ok) == []
    bad = report({"s3_applications": "共收到申请100件，其中网上申请60件，占70%。"}, version="v2007")
    (f,) = run(T.txt_pct, bad)
    assert f.rule_id == "TXT-PCT" and f.severity == "warning"
    assert f.actual == "70%" and f.expected == "60.00%"


def test_txt_pct_rate_pass_and_fail():
    assert run(T.txt_pct, report({"s1_overview": "全年受理申请50件，办结50件，办结率100%。"})) == []
    (f,) = run(T.txt_pct, report({"s1_overview": "全年受理申请50件，办结45件，办结率100%。"}))
    assert "45 / 50 = 90.00%" in f.message


@pytest.mark.parametrize("text", [
    "共发布信息300条，解读30条，占12%。",  # no 其中: denominator not unambiguous
    "公开率100%，群众满意度98%。",
    "同比增长12.5%，共发布信息300条。",
    "收到群众诉求348件，现场解决162件，跟进解决186件，办结率90%。",
])
def test_txt_pct_conservative(text):
    assert run(T.txt_pct, report({"s1_overview": text})) == []


# --------------------------------------------------------------------------- TYPO-TERMS

def test_typo_terms_text_pass_and_fail():
    assert run(T.typo_terms, report({"s0_preamble": "根据《中华人民共和国政府信息公开条例》编制。"})) == []
    fs = run(T.typo_terms, report({"s0_preamble": "根据《中华人民共和国政府信息公开条列》编制。本列数据的钩稽关系。"
                                                  "依据《条列》。"}))
    assert sorted(f.expected for f in fs) == ["勾稽", "条例"]
    tiaolie = next(f for f in fs if f.expected == "条例")
    assert "2 occurrence" in tiaolie.message and tiaolie.severity == "warning"
    # 逐条列出 is not a misspelling
    assert run(T.typo_terms, report({"s1_overview": "逐条列出公开事项。"})) == []


def test_typo_terms_misprinted_t3_label():
    labels = {"t3.r_denied_law_prohibited.total": (0, "三 2.其他法律行政止公开"),
              "t3.r_partial.total": (0, "（二）部分公开（区分处理的，只计这一情 形，不"),  # wrapped fragment
              "t3.r_unprocessed_confirm_reissue.total": (0, "5.要求行政机关确认或重 新出具")}
    rep = report({"s3_applications": "2.其他法律行政止公开0000000"}, labels=labels)
    (f,) = run(T.typo_terms, rep)  # the text hit is the same misprint: reported once
    assert f.cells == ("t3.r_denied_law_prohibited.total",)
    assert f.expected == "2.其他法律行政法规禁止公开"
    # without the label the text scan still finds it
    (g,) = run(T.typo_terms, report({"s3_applications": "2.其他法律行政止公开0000000"}))
    assert g.expected == "其他法律行政法规禁止公开"


def test_typo_terms_leaves_the_old_regulation_to_OLD_REG_CITE():
    from extractor.checks import years as Y
    text = {"s0_preamble": "根据《中华人民共和国政府信息公开条例》（国务院令第492号）编制本报告。"}
    assert run(T.typo_terms, report(text, year=2020, version="v2019")) == []
    (f,) = run(Y.old_reg_cite, report(text, year=2020, version="v2019"))
    assert f.rule_id == "OLD-REG-CITE" and f.actual == "国务院令第492号"


# --------------------------------------------------------------------------- real texts

HEADINGS = {
    "s1_overview": ["一、总体情况", "一、概述"],
    "s2_proactive": ["二、主动公开政府信息情况"],
    "s3_applications": ["三、收到和处理政府信息公开申请情况", "三、依申请公开"],
    "s_approvals": ["四、审批事项及处理情况"],
    "s4_review_litigation": ["四、政府信息公开行政复议", "四、因政府信息公开工作被申请", "五、申请行政复议"],
    "s5_problems": ["五、存在的主要问题", "五、政府信息公开工作存在"],
    "s_staff_expenses": ["六、工作人员"],
    "s6_other": ["六、其他需要报告的事项"],
}


def split_sections(text: str) -> list[Section]:
    """Approximate segmentation: the first occurrence of each known heading, in order."""
    body = text.split("==== 正文 ====", 1)[-1].lstrip("=\n")
    hits, pos = [], 0
    for key, titles in HEADINGS.items():
        found = [(body.find(t, pos), t) for t in titles if body.find(t, pos) >= 0]
        if found:
            i, t = min(found)
            hits.append((i, key, t))
            pos = i + 1
    out, prev, prev_key, prev_title = [], 0, "s0_preamble", ""
    for i, key, t in hits:
        out.append(Section(prev_key, prev_title, body[prev:i]))
        prev, prev_key, prev_title = i + len(t), key, t
    out.append(Section(prev_key, prev_title, body[prev:]))
    return out


def real_report(name: str, version: str, year: int, cells: dict, text: str | None = None) -> Report:
    if text is None:
        path = REAL / f"{name}.txt"
        if not path.exists():
            pytest.skip(f"real corpus file {path} not available")
        text = path.read_text(encoding="utf-8")
    return Report(report_id=name, path=name, sha256="0" * 64, format="txt", template_version=version,
                  report_year=year, sections=split_sections(text), cells=[cell(k, v) for k, v in cells.items()])


def t3t4(new, carry_in, carry_out, r_total, granted, partial, review, direct, after):
    return {"t3.new_received.total": new, "t3.carried_over.total": carry_in, "t3.carried_forward.total": carry_out,
            "t3.r_total.total": r_total, "t3.r_granted.total": granted, "t3.r_partial.total": partial,
            "t4.review.total": review, "t4.lit_direct.total": direct, "t4.lit_after_review.total": after}


TEXT_RULES = (T.txt_app_new, T.txt_app_carry_in, T.txt_app_carry_out, T.txt_review, T.txt_litigation,
              T.txt_none_claim, T.txt_pct, T.typo_terms)


def all_text_findings(rep):
    return [f for fn in TEXT_RULES for f in fn(rep)]


@pytest.mark.parametrize("name,version,year,cells", [
    ("songbei-chuankou-2020", "v2019", 2020, t3t4(2, 0, 0, 2, 2, 0, 0, 0, 0)),
    ("pingtan-2019", "v2019", 2019, t3t4(23, 0, 0, 23, 7, 1, 0, 0, 0)),
    ("pingtan-2020", "v2019", 2020, t3t4(21, 0, 0, 21, 7, 6, 0, 0, 0)),
    ("pingtan-2021", "v2021", 2021, t3t4(70, 0, 1, 69, 30, 5, 3, 12, 0)),
])
def test_real_reports_without_text_findings_TXT_APP_NEW_TXT_NONE_CLAIM(name, version, year, cells):
    rep = real_report(name, version, year, cells)
    assert all_text_findings(rep) == []


def test_real_claims_are_read_TXT_APP_NEW_TXT_APP_CARRY_OUT_TXT_NONE_CLAIM():
    rep = real_report("pingtan-2021", "v2021", 2021, {})
    assert {(c.kind, c.value) for c in T._app_claims(rep)} == {("new", 70), ("carry_out", 1)}
    rep = real_report("songbei-chuankou-2020", "v2019", 2020, {})
    assert {(c.kind, c.value) for c in T._app_claims(rep)} == {("new", 2)}
    assert {(c.kind, c.value, c.none) for c in T._none_claims(rep)} == {("review", 0, True), ("lit", 0, True)}
    rep = real_report("pingtan-2020", "v2019", 2020, {})
    assert {(c.kind, c.value) for c in T._app_claims(rep)} == {("new", 21)}


def test_real_songbei_table_contradicting_the_none_claim_TXT_NONE_CLAIM():
    rep = real_report("songbei-chuankou-2020", "v2019", 2020, t3t4(2, 0, 0, 2, 2, 0, 1, 0, 0))
    (f,) = run(T.txt_none_claim, rep)
    assert f.cells == ("t4.review.total",) and f.evidence[0].section == "s4_review_litigation"


def test_real_pingtan_tax_2013_TXT_PCT():
    rep = real_report("pingtan-tax-2013", "v2007", 2013, {})
    fs = all_text_findings(rep)
    (f,) = fs
    assert f.rule_id == "TXT-PCT" and "171 / 117" in f.message and f.actual == "100%"
    assert f.evidence[0].section == "s_approvals"
    # the consultation shares (1600/4900, 3200/4900, 100/4900 with "2.04%占") were read and hold
    items = [(m["m"], d) for s in T.sentences(rep) for m, d in T._pct_items(s)]
    assert items == [("1600", 4900.0), ("3200", 4900.0), ("100", 4900.0)]


def _pdf_text(name: str) -> str:
    path = REAL / f"{name}.pdf"
    if not path.exists():
        pytest.skip(f"real corpus file {path} not available")
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_real_hongze_2024_scope_mismatch_and_label_misprint_TXT_APP_NEW_TYPO_TERMS():
    cells = t3t4(95, 0, 0, 95, 50, 9, 2, 1, 3)
    rep = real_report("hongze-2024", "v2021", 2024, cells, text=_pdf_text("hongze-2024"))
    rep.cells.append(cell("t3.r_denied_law_prohibited.total", 0, label="2.其他法律行政止公开"))
    fs = all_text_findings(rep)
    assert sorted(f.rule_id for f in fs) == ["TXT-APP-NEW", "TYPO-TERMS"]
    new = next(f for f in fs if f.rule_id == "TXT-APP-NEW")
    assert (new.expected, new.actual) == ("17", "95")
    assert "区政府办代表区政府受理政府" in new.evidence[0].text
    typo = next(f for f in fs if f.rule_id == "TYPO-TERMS")
    assert typo.cells == ("t3.r_denied_law_prohibited.total",)


def test_real_hongze_2023_holds_TXT_APP_NEW():
    rep = real_report("hongze-2023", "v2021", 2023, t3t4(21, 0, 0, 21, 0, 4, 0, 0, 0),
                      text=_pdf_text("hongze-2023"))
    fs = all_text_findings(rep)
    # only the misprinted label of T3 (found in the table text), no text/table mismatch
    assert [f.rule_id for f in fs] == ["TYPO-TERMS"]
    assert fs[0].actual == "其他法律行政止公开"
