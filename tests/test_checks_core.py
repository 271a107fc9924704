"""One passing and one failing case per core rule (rule ids from RULES.md)."""
from datetime import date

import pytest

from extractor.checks import RULES, run_checks
from extractor.model import CellValue, Report, Section
from extractor.templates import get_template

COLS = ["natural_person", "org_commercial", "org_research", "org_public_welfare", "org_legal_service",
        "org_other", "total"]


def make(edition="v2019", year=2020, t3=None, t4=None, sections=None, published=None, **kw) -> Report:
    """A consistent report (every identity holds) with overrides: t3={row: [7 values]}."""
    tpl = get_template(edition)
    rows = {r.key: [0] * 7 for r in tpl.t3_rows}
    rows.update({"new_received": [3, 1, 0, 0, 0, 0, 4], "r_granted": [2, 1, 0, 0, 0, 0, 3],
                 "r_unable_not_held": [1, 0, 0, 0, 0, 0, 1], "r_total": [3, 1, 0, 0, 0, 0, 4]})
    rows.update(t3 or {})
    cells = []
    for r, vals in rows.items():
        for c, v in zip(COLS, vals):
            cells.append(CellValue(f"t3.{r}.{c}", "t3", r, c, None if v is None else float(v),
                                   "" if v is None else str(v), "blank" if v is None else "ok"))
    blocks = {"review": [1, 0, 0, 0, 1], "lit_direct": [0, 0, 0, 0, 0], "lit_after_review": [0, 0, 0, 0, 0]}
    blocks.update(t4 or {})
    for b, vals in blocks.items():
        for c, v in zip(["upheld", "corrected", "other", "pending", "total"], vals):
            cells.append(CellValue(f"t4.{b}.{c}", "t4", b, c, float(v), str(v), "ok"))
    if sections is None:
        sections = [Section(k, t, "…") for k, t in [("s1_overview", "一、总体情况"), ("s2_proactive", "二、主动公开政府信息情况"),
                                                    ("s3_applications", "三、收到和处理政府信息公开申请情况"),
                                                    ("s4_review_litigation", "四、政府信息公开行政复议、行政诉讼情况"),
                                                    ("s5_problems", "五、存在的主要问题及改进情况"),
                                                    ("s6_other", "六、其他需要报告的事项")]]
    return Report("r", "r.txt", "0" * 64, "txt", template_version=edition, version_confidence="high",
                  report_year=year, cells=cells, sections=sections, published_on=published, **kw)


def ids(report, rule_id):
    return [f for f in run_checks(report, only=[rule_id])]


def test_consistent_report_has_no_core_error():
    errors = [f for f in run_checks(make()) if f.severity == "error"]
    assert errors == []


def test_T3_BAL_fails_per_column():
    rep = make(t3={"r_total": [2, 1, 0, 0, 0, 0, 3], "r_granted": [1, 1, 0, 0, 0, 0, 2]})
    f = ids(rep, "T3-BAL")
    assert {x.scope for x in f} == {"natural_person", "total"}
    assert f[0].severity == "error" and "t3.r_total.natural_person" in f[0].cells
    assert f[0].evidence  # raw text and location of each cell


def test_T3_BAL_blank_counts_as_zero():
    rep = make(t3={"r_total": [None, 1, 0, 0, 0, 0, 4]})
    assert [x.scope for x in ids(rep, "T3-BAL")] == ["natural_person"]


def test_T3_TOTAL_ROW():
    assert ids(make(), "T3-TOTAL-ROW") == []
    rep = make(t3={"r_partial": [1, 0, 0, 0, 0, 0, 1]})
    assert {x.scope for x in ids(rep, "T3-TOTAL-ROW")} == {"natural_person", "total"}


def test_T3_TOTAL_ROW_v2021_counts_the_2019_style_other_row_when_items_absent():
    rep = make(edition="v2021", year=2023)
    rep.cells = [c for c in rep.cells if not c.row_key.startswith("r_other_")]
    for c in COLS:
        rep.cells.append(CellValue(f"t3.r_other.{c}", "t3", "r_other", c, 1.0 if c in ("natural_person", "total") else 0.0,
                                   "1", "ok", in_template=False))
    assert {x.scope for x in ids(rep, "T3-TOTAL-ROW")} == {"natural_person", "total"}


def test_T3_TOTAL_COL():
    assert ids(make(), "T3-TOTAL-COL") == []
    rep = make(t3={"r_granted": [2, 1, 0, 0, 0, 0, 4]})
    f = ids(rep, "T3-TOTAL-COL")
    assert [x.scope for x in f] == ["r_granted"] and f[0].expected == "3" and f[0].actual == "4"


def test_T3_PARTIAL_ONCE():
    assert ids(make(), "T3-PARTIAL-ONCE") == []
    rep = make(t3={"r_partial": [1, 0, 0, 0, 0, 0, 1], "r_total": [4, 1, 0, 0, 0, 0, 5]})
    assert ids(rep, "T3-PARTIAL-ONCE")[0].severity == "warning"


@pytest.mark.parametrize("rule,block", [("T4-REVIEW-SUM", "review"), ("T4-LITDIRECT-SUM", "lit_direct"),
                                        ("T4-LITAFTER-SUM", "lit_after_review")])
def test_T4_block_sums(rule, block):
    assert ids(make(), rule) == []
    rep = make(t4={block: [10, 1, 0, 0, 0]})
    f = ids(rep, rule)
    assert len(f) == 1 and f[0].expected == "11" and f[0].actual == "0"


def test_FMT_SECTIONS():
    assert ids(make(edition="v2021", year=2022), "FMT-SECTIONS") == []
    rep = make(edition="v2021", year=2022)
    rep.sections = [s for s in rep.sections if s.key != "s5_problems"]
    f = ids(rep, "FMT-SECTIONS")
    assert f[0].severity == "error" and "五、存在的主要问题及改进情况" in f[0].message
    rep19 = make(edition="v2019", year=2020)
    rep19.sections = rep19.sections[:3]
    assert ids(rep19, "FMT-SECTIONS")[0].severity == "warning"


def test_FMT_TABLE_SHAPE_missing_rows_error_extra_rows_warning():
    assert ids(make(), "FMT-TABLE-SHAPE") == []
    rep = make(edition="v2021", year=2023)
    rep.cells = [c for c in rep.cells if not c.row_key.startswith("r_other_")]
    rep.cells.append(CellValue("t3.r_other.total", "t3", "r_other", "total", 0.0, "0", "ok", in_template=False))
    sev = sorted(f.severity for f in ids(rep, "FMT-TABLE-SHAPE"))
    assert sev == ["error", "warning"]


def test_FMT_VERSION_MISMATCH():
    assert ids(make(edition="v2019", year=2020), "FMT-VERSION-MISMATCH") == []
    f = ids(make(edition="v2019", year=2022), "FMT-VERSION-MISMATCH")
    assert f[0].severity == "error"
    assert ids(make(edition="v2019", year=2021), "FMT-VERSION-MISMATCH")[0].severity == "warning"


def test_TIME_EARLY():
    assert ids(make(published=date(2021, 1, 20)), "TIME-EARLY") == []
    f = ids(make(published=date(2020, 1, 31)), "TIME-EARLY")
    assert f[0].severity == "warning"


def test_YEAR_TITLE_PERIOD():
    rep = make(period_year=2020, meta={"title_year": 2020})
    assert ids(rep, "YEAR-TITLE-PERIOD") == []
    rep = make(period_year=2019, meta={"title_year": 2020})
    assert ids(rep, "YEAR-TITLE-PERIOD")[0].severity == "error"


def test_fingerprints_are_stable_and_distinct():
    rep = make(t3={"r_total": [2, 1, 0, 0, 0, 0, 3], "r_granted": [1, 1, 0, 0, 0, 0, 2]})
    a = [f.fingerprint for f in run_checks(rep)]
    b = [f.fingerprint for f in run_checks(rep)]
    assert a == b and len(set(a)) == len(a)


def test_every_rule_has_a_formula_and_source():
    for r in RULES.values():
        assert r.formula and r.source and r.severity in ("error", "warning", "info"), r.id


def test_FMT_BLANK_CELL_and_FMT_NONNUMERIC():
    rep = make()
    assert ids(rep, "FMT-BLANK-CELL") == [] and ids(rep, "FMT-NONNUMERIC") == []
    rep = make(t3={"r_partial": [None, 0, 0, 0, 0, 0, 0]})
    assert ids(rep, "FMT-BLANK-CELL")[0].severity == "info"
    rep.cells.append(CellValue("t3.x.y", "t3", "x", "y", 0.0, "/", "slash"))
    f = ids(rep, "FMT-NONNUMERIC")
    assert f[0].severity == "warning" and "t3.x.y" in f[0].cells


def test_T3_TOTAL_ROW_not_checked_when_an_outcome_row_is_unreadable():
    rep = make(t3={"r_partial": [1, 0, 0, 0, 0, 0, 1]})
    rep.cells = [c for c in rep.cells if c.row_key != "r_partial"]
    rep.shape_issues = [{"table": "t3", "row": "r_partial", "problem": "no numbers follow the label"}]
    assert ids(rep, "T3-TOTAL-ROW") == [] and ids(rep, "T3-PARTIAL-ONCE") == []
    shape = ids(rep, "FMT-TABLE-SHAPE")
    assert all(f.severity == "warning" for f in shape)       # printed but unreadable is not "missing"
