"""One passing and one failing case for each document-only rule of RULES.md groups A–G added
beside the core ones (t3t4.py, t2.py, structure.py, years.py and the D rules of text.py),
then the findings these rules give on the real reports, checked by hand."""
from __future__ import annotations

import pytest
from conftest import real_file

import extractor
from extractor.checks import RULES
from extractor.model import CellValue, Report, Section
from extractor.templates import get_template

COLS = ["natural_person", "org_commercial", "org_research", "org_public_welfare", "org_legal_service",
        "org_other", "total"]
SECTIONS = {"s1_overview": "一、总体情况", "s2_proactive": "二、主动公开政府信息情况",
            "s3_applications": "三、收到和处理政府信息公开申请情况",
            "s4_review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
            "s5_problems": "五、存在的主要问题及改进情况", "s6_other": "六、其他需要报告的事项"}
S1_OK = ("（一）主动公开。全年主动公开政府信息100条。（二）依申请公开。规范办理依申请公开。（三）政府信息管理。落实保密审查。"
         "（四）平台建设。加强政府网站建设。（五）监督保障。开展考核和培训。")
S5_OK = "存在的主要问题：政策解读形式不够丰富。改进措施：下一步将丰富解读形式。"
S6_OK = "本年度未收取信息处理费。"


def cv(key: str, value, raw: str | None = None, status: str | None = None, unit: str | None = None,
       in_template: bool = True) -> CellValue:
    table, row, col = key.split(".")
    if status is None:
        status = "blank" if value is None else "ok"
    if raw is None:
        raw = "" if value is None else str(value)
    return CellValue(key, table, row, col, None if value is None else float(value), raw, status, unit=unit,
                     in_template=in_template)


def make(edition="v2021", year=2021, t3=None, t4=None, t2=None, texts=None, titles=None, drop=(), extra=(),
         **kw) -> Report:
    """A report in which every identity holds and every section says what the format asks;
    t3={row: [7 values]}, t4={block: [5 values]}, t2={key: value}, texts={section: text}."""
    tpl = get_template(edition)
    rows = {r.key: [0] * 7 for r in tpl.t3_rows}
    rows.update({"new_received": [3, 1, 0, 0, 0, 0, 4], "r_granted": [2, 1, 0, 0, 0, 0, 3],
                 "r_unable_not_held": [1, 0, 0, 0, 0, 0, 1], "r_total": [3, 1, 0, 0, 0, 0, 4]})
    rows.update(t3 or {})
    cells = [cv(f"t3.{r}.{c}", v) for r, vals in rows.items() for c, v in zip(COLS, vals)]
    blocks = {"review": [1, 0, 0, 0, 1], "lit_direct": [0, 0, 0, 0, 0], "lit_after_review": [0, 0, 0, 0, 0]}
    blocks.update(t4 or {})
    cells += [cv(f"t4.{b}.{c}", v) for b, vals in blocks.items()
              for c, v in zip(["upheld", "corrected", "other", "pending", "total"], vals)]
    t2cells = {f"t2.{r.key}.{c.key}": 0 for st, r in tpl.t2_rows() for c in st.columns}
    t2cells.update(t2 or {})
    cells += [v if isinstance(v, CellValue) else cv(k, v) for k, v in t2cells.items()]
    cells += list(extra)
    body = {"s0_preamble": f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            "s1_overview": S1_OK, "s2_proactive": "具体情况如下。第二十条第（一）项 本年收费金额（单位：万元）",
            "s3_applications": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
            "s4_review_litigation": "具体情况如下。", "s5_problems": S5_OK, "s6_other": S6_OK}
    body.update(texts or {})
    sections = [Section(k, (titles or {}).get(k, SECTIONS.get(k, "")), t) for k, t in body.items() if k not in drop]
    kw.setdefault("period_year", year)
    return Report("r", "r.txt", "0" * 64, "txt", template_version=edition, version_confidence="high",
                  report_year=year, cells=cells, sections=sections, **kw)


def found(report: Report, rule_id: str):
    return list(RULES[rule_id].fn(report))


def sev(report: Report, rule_id: str) -> list[str]:
    return [f.severity for f in found(report, rule_id)]


NEW_RULES = ["T3-NONNEG-INT", "T3-CARRY-RATE", "T3-OTHER-FEE-LINK", "T3-ZERO-APPS-FEE", "T3-CONFIRM-REISSUE-NOTE",
             "T3-EMPTY-WITH-TEXT", "T4-NONNEG-INT", "T4-CELLCOUNT", "T4-APPS-ZERO", "T2-NONNEG",
             "T2-INFORCE-GE-ISSUED-NET", "T2-V19-PUBLISHED-TOTAL", "T2-V19-NEWPUB-LE-NEWMADE", "T2-V19-ITEMS-NONNEG",
             "T2-RULEMAKING-POWER", "T2-FEE-UNIT", "T2-PROC-UNIT", "T2-ZERO-ALL", "T2-DECISIONS-VS-TEXT",
             "TXT-APP-DONE", "TXT-APP-OUTCOME", "TXT-T2", "TXT-FEE-S6", "FMT-SECTION-TITLE", "FMT-TABLES-PRESENT",
             "FMT-V2019-2019-LENIENT", "FMT-T3-NOTE", "FMT-FEE-UNIT-HEADER", "FMT-STAT-PERIOD", "FMT-S1-ASPECTS",
             "FMT-GOV-ART50-4", "FMT-S5-BOTH", "FMT-S6-FEE", "FMT-S6-EMPTY", "FMT-OLD-HEADINGS", "YEAR-STALE-MENTION",
             "YEAR-FUTURE", "YEAR-AGENCY-NAME", "OLD-REG-CITE"]


@pytest.mark.parametrize("edition,year", [("v2019", 2020), ("v2021", 2021), ("v2021", 2023)])
def test_compliant_report_has_no_finding_of_the_new_rules(edition, year):
    rep = make(edition, year, agency="北川县卫生健康局", level="local_dept", t2={"t2.penalty.decisions": 12})
    assert {r: found(rep, r) for r in NEW_RULES if found(rep, r)} == {}


def test_every_new_rule_is_registered_with_its_RULES_md_severity():
    want = {"T3-NONNEG-INT": "error", "T3-CARRY-RATE": "info", "T3-OTHER-FEE-LINK": "warning",
            "T3-ZERO-APPS-FEE": "error", "T3-CONFIRM-REISSUE-NOTE": "info", "T3-EMPTY-WITH-TEXT": "error",
            "T4-NONNEG-INT": "error", "T4-CELLCOUNT": "error", "T4-APPS-ZERO": "info", "T2-NONNEG": "error",
            "T2-INFORCE-GE-ISSUED-NET": "warning", "T2-V19-PUBLISHED-TOTAL": "warning",
            "T2-V19-NEWPUB-LE-NEWMADE": "info", "T2-V19-ITEMS-NONNEG": "error", "T2-RULEMAKING-POWER": "warning",
            "T2-FEE-UNIT": "warning", "T2-PROC-UNIT": "warning", "T2-ZERO-ALL": "info",
            "T2-DECISIONS-VS-TEXT": "error", "TXT-APP-DONE": "warning", "TXT-APP-OUTCOME": "warning",
            "TXT-T2": "warning", "TXT-FEE-S6": "error", "FMT-SECTION-TITLE": "info", "FMT-TABLES-PRESENT": "error",
            "FMT-V2019-2019-LENIENT": "info", "FMT-T3-NOTE": "info", "FMT-FEE-UNIT-HEADER": "warning",
            "FMT-STAT-PERIOD": "warning", "FMT-S1-ASPECTS": "warning", "FMT-GOV-ART50-4": "warning",
            "FMT-S5-BOTH": "warning", "FMT-S6-FEE": "warning", "FMT-S6-EMPTY": "warning",
            "FMT-OLD-HEADINGS": "warning", "YEAR-STALE-MENTION": "warning", "YEAR-FUTURE": "warning",
            "YEAR-AGENCY-NAME": "warning", "OLD-REG-CITE": "warning"}
    assert sorted(want) == sorted(NEW_RULES)
    assert {r: RULES[r].severity for r in NEW_RULES} == want
    for r in NEW_RULES:
        assert RULES[r].formula and RULES[r].source, r


# --------------------------------------------------------------------------- A / B

def test_T3_NONNEG_INT():
    assert found(make(), "T3-NONNEG-INT") == []
    rep = make(t3={"r_partial": [-1, 0, 0, 0, 0, 0, -1]})
    f = found(rep, "T3-NONNEG-INT")
    assert {x.scope for x in f} == {"t3.r_partial.natural_person", "t3.r_partial.total"}
    assert f[0].severity == "error"
    rep = make(t3={"r_partial": [0.5, 0, 0, 0, 0, 0, 0.5]})
    assert "not a whole number" in found(rep, "T3-NONNEG-INT")[0].message


def test_T4_NONNEG_INT():
    assert found(make(), "T4-NONNEG-INT") == []
    rep = make(t4={"lit_direct": [1, -1, 0, 0, 0]})
    (f,) = found(rep, "T4-NONNEG-INT")
    assert f.severity == "error" and f.cells == ("t4.lit_direct.corrected",)


def test_T4_CELLCOUNT():
    assert found(make(), "T4-CELLCOUNT") == []
    rep = make()
    rep.cells = [c for c in rep.cells if c.key != "t4.lit_after_review.pending"]
    (f,) = found(rep, "T4-CELLCOUNT")
    assert f.severity == "error" and f.actual == "14"
    rep.cells = [c for c in rep.cells if c.table != "t4"]
    assert found(rep, "T4-CELLCOUNT") == []  # no T4 at all: FMT-TABLES-PRESENT's business
    rep.shape_issues = [{"table": "t4", "row": "", "problem": "no row with 15 value cells"}]
    assert sev(rep, "T4-CELLCOUNT") == ["warning"]  # printed but unreadable: the reader may be at fault


def test_T3_CARRY_RATE():
    assert found(make(), "T3-CARRY-RATE") == []
    rep = make(t3={"new_received": [4, 0, 0, 0, 0, 0, 4], "r_granted": [2, 0, 0, 0, 0, 0, 2],
                   "r_unable_not_held": [0] * 7, "r_total": [2, 0, 0, 0, 0, 0, 2],
                   "carried_forward": [2, 0, 0, 0, 0, 0, 2]})
    (f,) = found(rep, "T3-CARRY-RATE")
    assert f.severity == "info" and f.actual == "50.0%"


def test_T3_OTHER_FEE_LINK():
    fee = {"r_other_fee_unpaid": [1, 0, 0, 0, 0, 0, 1], "new_received": [4, 1, 0, 0, 0, 0, 5],
           "r_total": [4, 1, 0, 0, 0, 0, 5]}
    assert found(make(t3=fee), "T3-OTHER-FEE-LINK") == []  # s6 reports the fee
    rep = make(t3=fee, texts={"s6_other": "无其他需要报告的事项。"})
    assert sev(rep, "T3-OTHER-FEE-LINK") == ["warning"]
    assert found(make(texts={"s6_other": "无。"}), "T3-OTHER-FEE-LINK") == []  # no unpaid-fee row > 0


def test_T3_ZERO_APPS_FEE():
    zero = {"new_received": [0] * 7, "r_granted": [0] * 7, "r_unable_not_held": [0] * 7, "r_total": [0] * 7}
    assert found(make(t3=zero, texts={"s6_other": "全年收取政府信息公开信息处理费 0 元。"}), "T3-ZERO-APPS-FEE") == []
    assert found(make(texts={"s6_other": "全年收取信息处理费300元。"}), "T3-ZERO-APPS-FEE") == []  # has applications
    rep = make(t3=zero, texts={"s6_other": "2021年，全年收取信息处理费300元。"})
    (f,) = found(rep, "T3-ZERO-APPS-FEE")
    assert f.severity == "error" and f.actual == "300 元"
    # a fee standard is not a fee collected
    assert found(make(t3=zero, texts={"s6_other": "按每件10元标准收取信息处理费。"}), "T3-ZERO-APPS-FEE") == []


def test_T3_CONFIRM_REISSUE_NOTE():
    ok = make(texts={"s3_applications": "对要求提供公开出版物的申请，依法不予处理。"})
    assert found(ok, "T3-CONFIRM-REISSUE-NOTE") == []
    rep = make(texts={"s3_applications": "对要求提供公开出版物的申请，作出不予公开答复。"})
    assert sev(rep, "T3-CONFIRM-REISSUE-NOTE") == ["info"]
    # the flattened table prints both labels far apart with digits between
    table = make(texts={"s3_applications": "（三）不予公开1.属于国家秘密0000000（五）不予处理3.要求提供公开出版物0000000"})
    assert found(table, "T3-CONFIRM-REISSUE-NOTE") == []


def test_T3_EMPTY_WITH_TEXT():
    zero = {"new_received": [0] * 7, "r_granted": [0] * 7, "r_unable_not_held": [0] * 7, "r_total": [0] * 7}
    text = {"s3_applications": "2021年共收到政府信息公开申请5件。"}
    assert found(make(texts=text), "T3-EMPTY-WITH-TEXT") == []  # the table has applications
    (f,) = found(make(t3=zero, texts=text), "T3-EMPTY-WITH-TEXT")
    assert f.severity == "error" and f.expected == "5"
    none = {"s3_applications": "2021年未收到政府信息公开申请。"}
    assert found(make(t3=zero, texts=none), "T3-EMPTY-WITH-TEXT") == []
    (g,) = found(make(texts=none), "T3-EMPTY-WITH-TEXT")  # the table counts 4 new applications
    assert g.severity == "error" and g.actual == "4"


def test_T4_APPS_ZERO():
    assert found(make(), "T4-APPS-ZERO") == []
    zero = {"new_received": [0] * 7, "r_granted": [0] * 7, "r_unable_not_held": [0] * 7, "r_total": [0] * 7}
    assert found(make(t3=zero, t4={"review": [0] * 5}), "T4-APPS-ZERO") == []
    assert sev(make(t3=zero), "T4-APPS-ZERO") == ["info"]


# --------------------------------------------------------------------------- C

def test_T2_NONNEG():
    assert found(make(), "T2-NONNEG") == []
    (f,) = found(make(t2={"t2.penalty.decisions": -3}), "T2-NONNEG")
    assert f.severity == "error" and f.cells == ("t2.penalty.decisions",)
    assert found(make("v2019", 2020, t2={"t2.licensing.prev_year_items": 5, "t2.licensing.items_change": -2}),
                 "T2-NONNEG") == []  # 本年增/减 may be negative
    assert found(make(t2={"t2.admin_fees.amount_10k_cny": 3.26}), "T2-NONNEG") == []  # amounts may be decimal
    assert "whole number" in found(make(t2={"t2.penalty.decisions": 2.5}), "T2-NONNEG")[0].message


def test_T2_INFORCE_GE_ISSUED_NET():
    ok = {"t2.normative_docs.issued": 5, "t2.normative_docs.repealed": 0, "t2.normative_docs.in_force": 40}
    assert found(make(t2=ok), "T2-INFORCE-GE-ISSUED-NET") == []
    bad = dict(ok, **{"t2.normative_docs.in_force": 3})
    (f,) = found(make(t2=bad), "T2-INFORCE-GE-ISSUED-NET")
    assert f.severity == "warning" and f.scope == "normative_docs"
    assert found(make(t2=dict(bad, **{"t2.normative_docs.repealed": 4})), "T2-INFORCE-GE-ISSUED-NET") == []


def test_T2_V19_PUBLISHED_TOTAL_and_NEWPUB_LE_NEWMADE():
    ok = {"t2.normative_docs.new_made": 5, "t2.normative_docs.new_published": 5, "t2.normative_docs.total_published": 9}
    rep = make("v2019", 2020, t2=ok)
    assert found(rep, "T2-V19-PUBLISHED-TOTAL") == [] and found(rep, "T2-V19-NEWPUB-LE-NEWMADE") == []
    rep = make("v2019", 2020, t2=dict(ok, **{"t2.normative_docs.total_published": 4}))
    assert sev(rep, "T2-V19-PUBLISHED-TOTAL") == ["warning"]
    rep = make("v2019", 2020, t2=dict(ok, **{"t2.normative_docs.new_made": 3}))
    assert sev(rep, "T2-V19-NEWPUB-LE-NEWMADE") == ["info"]


def test_T2_V19_ITEMS_NONNEG():
    ok = {"t2.penalty.prev_year_items": 3, "t2.penalty.items_change": -3}
    assert found(make("v2019", 2020, t2=ok), "T2-V19-ITEMS-NONNEG") == []
    (f,) = found(make("v2019", 2020, t2=dict(ok, **{"t2.penalty.items_change": -4})), "T2-V19-ITEMS-NONNEG")
    assert f.severity == "error" and f.actual == "-1"


def test_T2_RULEMAKING_POWER():
    t2 = {"t2.regulations.issued": 2}
    assert found(make(t2=t2, level=None), "T2-RULEMAKING-POWER") == []  # level unknown: skipped
    assert found(make(t2=t2, level="city"), "T2-RULEMAKING-POWER") == []  # 设区的市 may make 规章
    assert sev(make(t2=t2, level="county"), "T2-RULEMAKING-POWER") == ["warning"]
    rep = make("v2019", 2020, t2={"t2.regulations.new_made": 1}, level="local_dept")
    assert sev(rep, "T2-RULEMAKING-POWER") == ["warning"]


def test_T2_FEE_UNIT():
    assert found(make(t2={"t2.admin_fees.amount_10k_cny": 7730.28}), "T2-FEE-UNIT") == []
    cell = cv("t2.admin_fees.amount_10k_cny", 35000, raw="35000元", unit="元")
    assert [f.scope for f in found(make(t2={cell.key: cell}), "T2-FEE-UNIT")] == ["cell-unit"]
    rep = make(t2={"t2.admin_fees.amount_10k_cny": 12}, texts={"s2_proactive": "本年收费金额（单位：元）"})
    assert [f.scope for f in found(rep, "T2-FEE-UNIT")] == ["header-unit"]
    assert [f.scope for f in found(make(t2={"t2.admin_fees.amount_10k_cny": 35000000}), "T2-FEE-UNIT")] == \
        ["magnitude"]


def test_T2_PROC_UNIT():
    assert found(make("v2019", 2020), "T2-PROC-UNIT") == []  # 0: no unit needed
    with_unit = cv("t2.central_procurement.amount", 394432.52, raw="394432.52元", unit="元")
    assert found(make("v2019", 2020, t2={with_unit.key: with_unit}), "T2-PROC-UNIT") == []
    rep = make("v2019", 2020, t2={"t2.central_procurement.amount": 394432.52})
    assert sev(rep, "T2-PROC-UNIT") == ["warning"]
    rep = make("v2019", 2020, t2={"t2.central_procurement.amount": 39.5}, texts={"s2_proactive": "采购总金额（万元）"})
    assert found(rep, "T2-PROC-UNIT") == []


def test_T2_ZERO_ALL():
    assert found(make(agency="青山县市场监督管理局", t2={"t2.penalty.decisions": 12}), "T2-ZERO-ALL") == []
    assert found(make(agency="青山县档案馆"), "T2-ZERO-ALL") == []
    assert sev(make(agency="青山县市场监督管理局"), "T2-ZERO-ALL") == ["info"]


def test_T2_DECISIONS_VS_TEXT():
    t2 = {"t2.penalty.decisions": 4119, "t2.licensing.decisions": 550}
    ok = make(t2=t2, texts={"s1_overview": S1_OK + "全年作出行政处罚决定4119件，作出行政许可决定550件。"})
    assert found(ok, "T2-DECISIONS-VS-TEXT") == []
    bad = make(t2=t2, texts={"s1_overview": S1_OK + "2021年，全年作出行政处罚决定4100件。"})
    (f,) = found(bad, "T2-DECISIONS-VS-TEXT")
    assert f.severity == "error" and (f.expected, f.actual) == ("4100", "4119")
    for part in ("其中区市场监管局作出行政处罚决定1200件。", "区市场监管局作出行政处罚决定1200件。",
                 "公开行政处罚决定书4000份。", "2020年作出行政处罚决定3000件。", "累计作出行政处罚决定9000件。"):
        assert found(make(t2=t2, texts={"s1_overview": S1_OK + part}), "T2-DECISIONS-VS-TEXT") == [], part


# --------------------------------------------------------------------------- D

def test_TXT_APP_DONE():
    base = dict(t3={"new_received": [69, 1, 0, 0, 0, 0, 70], "r_granted": [68, 1, 0, 0, 0, 0, 69],
                    "r_unable_not_held": [0] * 7, "r_total": [68, 1, 0, 0, 0, 0, 69],
                    "carried_forward": [1, 0, 0, 0, 0, 0, 1]})
    ok = make(**base, texts={"s1_overview": S1_OK + "本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。"})
    assert found(ok, "TXT-APP-DONE") == []
    bad = make(**base, texts={"s1_overview": S1_OK + "本年度共收到政府信息公开申请70件，依法依规办结68件。"})
    (f,) = found(bad, "TXT-APP-DONE")
    assert f.severity == "warning" and (f.expected, f.actual) == ("68", "69")
    other = make(**base, texts={"s1_overview": S1_OK + "本年度收到群众诉求348件，办结340件。"})
    assert found(other, "TXT-APP-DONE") == []


def test_TXT_APP_OUTCOME():
    t3 = {"new_received": [10, 0, 0, 0, 0, 0, 10], "r_granted": [4, 0, 0, 0, 0, 0, 4],
          "r_partial": [2, 0, 0, 0, 0, 0, 2], "r_denied_third_party": [1, 0, 0, 0, 0, 0, 1],
          "r_denied_process_info": [1, 0, 0, 0, 0, 0, 1], "r_unable_not_held": [2, 0, 0, 0, 0, 0, 2],
          "r_total": [10, 0, 0, 0, 0, 0, 10]}
    ok = "2021年共收到政府信息公开申请10件，其中予以公开4件，部分公开2件，不予公开2件，无法提供2件。"
    assert found(make(t3=t3, texts={"s3_applications": ok}), "TXT-APP-OUTCOME") == []
    bad = "2021年共收到政府信息公开申请10件，其中予以公开5件，不予公开1件。"
    f = found(make(t3=t3, texts={"s3_applications": bad}), "TXT-APP-OUTCOME")
    assert [(x.expected, x.actual) for x in f] == [("5", "4"), ("1", "2")]
    assert f[0].severity == "warning"
    # 予以公开 may include 部分公开; "予以公开或部分公开 N 件" is their sum (as in a 2022 Nanjing district report)
    assert found(make(t3=t3, texts={"s3_applications": "其中予以公开6件。"}), "TXT-APP-OUTCOME") == []
    both = "全区共收到政府信息公开申请10件，办复率100%，其中予以公开或部分公开6件、占60%；不予公开2件、占20%。"
    assert found(make(t3=t3, texts={"s1_overview": S1_OK + both}), "TXT-APP-OUTCOME") == []


def test_TXT_T2():
    t2 = {"t2.normative_docs.issued": 25, "t2.normative_docs.repealed": 4, "t2.normative_docs.in_force": 122,
          "t2.admin_fees.amount_10k_cny": 7730.28, "t2.penalty.decisions": 4119}
    ok = "2021年，我局共制发行政规范性文件25件，废止规范性文件4件，现行有效规范性文件122件。全年收取行政事业性收费7730.28万元。"
    assert found(make(t2=t2, texts={"s1_overview": S1_OK + ok}), "TXT-T2") == []
    bad = "2021年，我局共制发行政规范性文件24件，办理行政处罚案件4000件。全年收取行政事业性收费7700万元。"
    f = found(make(t2=t2, texts={"s1_overview": S1_OK + bad}), "TXT-T2")
    assert [x.cells for x in f] == [("t2.normative_docs.issued",), ("t2.penalty.decisions",),
                                    ("t2.admin_fees.amount_10k_cny",)]
    assert {x.severity for x in f} == {"warning"}
    for part in ("审查规范性文件30件。", "经清理，已宣布废止规范性文件5件。"):  # reviewing; v2019 has no 废止 column
        assert found(make("v2019", 2020, t2={"t2.normative_docs.new_made": 3},
                          texts={"s1_overview": S1_OK + part}), "TXT-T2") == [], part


def test_TXT_FEE_S6():
    assert found(make(texts={"s6_other": "本年度未收取信息处理费。"}), "TXT-FEE-S6") == []
    assert found(make(texts={"s6_other": "全年收取信息处理费300元。"}), "TXT-FEE-S6") == []
    rep = make(texts={"s1_overview": S1_OK + "2021年未收取信息处理费。", "s6_other": "全年收取信息处理费300元。"})
    (f,) = found(rep, "TXT-FEE-S6")
    assert f.severity == "error" and len(f.evidence) == 2
    # a waiver for some applicants is not "none collected"
    rep = make(texts={"s6_other": "对低保户未收取信息处理费，全年收取信息处理费300元。"})
    assert found(rep, "TXT-FEE-S6") == []


# --------------------------------------------------------------------------- E

def test_FMT_SECTION_TITLE():
    assert found(make(), "FMT-SECTION-TITLE") == []
    rep = make(titles={"s5_problems": "五、存在的主要问题及改进措施"})
    (f,) = found(rep, "FMT-SECTION-TITLE")
    assert f.severity == "info" and f.scope == "s5_problems"
    assert found(make(titles={"s1_overview": "一、 总体 情况"}), "FMT-SECTION-TITLE") == []  # spacing only


def test_FMT_TABLES_PRESENT():
    assert found(make(), "FMT-TABLES-PRESENT") == []
    rep = make(texts={"s3_applications": "本年度共收到政府信息公开申请4件，均已按期答复，无行政复议、行政诉讼。"})
    rep.cells = [c for c in rep.cells if c.table != "t3"]
    (f,) = found(rep, "FMT-TABLES-PRESENT")
    assert f.severity == "error" and f.scope == "t3"
    rep.template_version = "v2019"
    assert sev(rep, "FMT-TABLES-PRESENT") == ["warning"]
    # the section points at a table the text does not carry (an image): a warning, even in v2021
    img = make(texts={"s3_applications": "具体情况如下："})
    img.cells = [c for c in img.cells if c.table != "t3"]
    assert sev(img, "FMT-TABLES-PRESENT") == ["warning"]
    # printed but unreadable is present
    img.shape_issues = [{"table": "t3", "row": "r_partial", "problem": "no numbers follow the label"}]
    assert found(img, "FMT-TABLES-PRESENT") == []


def test_FMT_V2019_2019_LENIENT():
    assert found(make("v2019", 2019), "FMT-V2019-2019-LENIENT") == []
    rep = make("v2019", 2019)
    rep.template_version = "v2007"
    assert sev(rep, "FMT-V2019-2019-LENIENT") == ["info"]


def test_FMT_T3_NOTE():
    assert found(make(), "FMT-T3-NOTE") == []
    assert sev(make(texts={"s3_applications": "具体情况如下。"}), "FMT-T3-NOTE") == ["info"]


def test_FMT_FEE_UNIT_HEADER():
    assert found(make(), "FMT-FEE-UNIT-HEADER") == []
    rep = make(texts={"s2_proactive": "第二十条第（八）项 信息内容 本年收费金额 行政事业性收费 12.5"})
    assert sev(rep, "FMT-FEE-UNIT-HEADER") == ["warning"]
    assert found(make("v2019", 2020, texts={"s2_proactive": "本年收费金额"}), "FMT-FEE-UNIT-HEADER") == []


def test_FMT_STAT_PERIOD():
    assert found(make(), "FMT-STAT-PERIOD") == []
    rep = make(texts={"s0_preamble": "根据《条例》编制本报告。"}, period_year=None)
    assert sev(rep, "FMT-STAT-PERIOD") == ["warning"]
    rep = make(texts={"s0_preamble": "本报告所列数据时间为2021年1月1日至12月31日。"}, period_year=None)
    assert found(rep, "FMT-STAT-PERIOD") == []


def test_FMT_S1_ASPECTS():
    assert found(make(), "FMT-S1-ASPECTS") == []
    rep = make(texts={"s1_overview": "2021年，我局全年主动公开政府信息100条，规范办理依申请公开。"})
    f = found(rep, "FMT-S1-ASPECTS")
    assert [x.scope for x in f] == ["政府信息管理", "政府信息公开平台建设", "监督保障"]
    assert {x.severity for x in f} == {"warning"}


def test_FMT_GOV_ART50_4():
    text = {"s1_overview": S1_OK + "开展社会评议，落实责任追究。"}
    assert found(make(agency="云岭县人民政府", level="county", texts=text), "FMT-GOV-ART50-4") == []
    assert found(make(agency="云岭县人民政府", level=None), "FMT-GOV-ART50-4") == []  # level unknown
    assert found(make(agency="云岭县教育局", level="local_dept"), "FMT-GOV-ART50-4") == []  # not a government
    (f,) = found(make(agency="云岭县人民政府", level="county"), "FMT-GOV-ART50-4")
    assert f.severity == "warning" and "社会评议" in f.message and "工作考核" not in f.actual
    assert sev(make(agency="东湖镇人民政府", level="township"), "FMT-GOV-ART50-4") == ["warning"]
    assert sev(make(agency="东湖街道办事处", level="township"), "FMT-GOV-ART50-4") == []  # not a 人民政府


def test_FMT_S5_BOTH():
    assert found(make(), "FMT-S5-BOTH") == []
    (f,) = found(make(texts={"s5_problems": "政策解读形式不够丰富，信息更新不及时。"}), "FMT-S5-BOTH")
    assert f.severity == "warning" and f.scope == "improvement measures"


def test_FMT_S6_FEE_and_FMT_S6_EMPTY():
    rep = make()
    assert found(rep, "FMT-S6-FEE") == [] and found(rep, "FMT-S6-EMPTY") == []
    rep = make(texts={"s6_other": "无。"})
    assert sev(rep, "FMT-S6-FEE") == ["warning"] and sev(rep, "FMT-S6-EMPTY") == ["warning"]
    rep = make(texts={"s6_other": "本机关暂无其他需要报告的事项。"})
    assert sev(rep, "FMT-S6-EMPTY") == ["warning"]
    rep = make(texts={"s6_other": "无其他需要报告的事项。"})
    rep.template_version = "v2019"
    assert found(rep, "FMT-S6-FEE") == [] and found(rep, "FMT-S6-EMPTY") == []  # 2021 format only
    rep = make(drop=("s6_other",), texts={"s1_overview": S1_OK + "本年度未收取信息处理费。"})
    assert found(rep, "FMT-S6-FEE") == []  # no s6, but the fee is reported elsewhere
    assert sev(make(drop=("s6_other",)), "FMT-S6-FEE") == ["warning"]


def test_FMT_OLD_HEADINGS():
    assert found(make(), "FMT-OLD-HEADINGS") == []
    rep = make(extra=())
    rep.sections.append(Section("s_fees", "七、政府信息公开的收费及减免情况", "无。"))
    (f,) = found(rep, "FMT-OLD-HEADINGS")
    assert f.severity == "warning" and f.scope == "s_fees"


# --------------------------------------------------------------------------- G

def test_YEAR_STALE_MENTION():
    ok = make(year=2021, texts={"s1_overview": "2021年，我局认真贯彻《条例》。" + S1_OK})
    assert found(ok, "YEAR-STALE-MENTION") == []
    assert found(make(year=2021, texts={"s1_overview": "2020年以来，我局持续推进。" + S1_OK}),
                 "YEAR-STALE-MENTION") == []
    rep = make(year=2021, texts={"s1_overview": "2020年，我局认真贯彻《条例》。" + S1_OK})
    (f,) = found(rep, "YEAR-STALE-MENTION")
    assert f.severity == "warning" and f.scope == "opening:s1_overview"
    many = "在上级指导下，2020年我局完成公开。2020年，我局开展培训。2020年全年召开会议2次。本年度还发布了《2021年工作要点》。"
    (g,) = found(make(year=2021, texts={"s1_overview": many + S1_OK}), "YEAR-STALE-MENTION")
    assert g.scope == "majority"
    # last year's 决算, 年报 and 年底 are references, not the current year
    refs = ("2021年，我局坚持公开为常态。准确发布2021年度部门预算、2020年度部门决算信息。按规定发布2020年度政府信息公开年报，"
            "集中发布2020年度承办建议办理情况，2020年底前建成的专栏持续更新。")
    assert found(make(year=2021, texts={"s1_overview": refs + S1_OK}), "YEAR-STALE-MENTION") == []


def test_YEAR_FUTURE():
    ok = "2021年，全年共收到申请4件。力争到2025年全面建成标准目录。"
    assert found(make(year=2021, texts={"s1_overview": ok + S1_OK}), "YEAR-FUTURE") == []
    bad = "2021年，全年共收到申请4件。2024年已完成全部目录公开。"
    (f,) = found(make(year=2021, texts={"s1_overview": bad + S1_OK}), "YEAR-FUTURE")
    assert f.severity == "warning" and f.actual == "2024"


def test_YEAR_AGENCY_NAME():
    def rep(title_agency, **meta):
        return make(agency=title_agency, agency_evidence="title: …", meta=meta)
    assert found(rep("松北区船口街道", agency_signature="哈尔滨市松北区船口街道办事处"), "YEAR-AGENCY-NAME") == []
    assert found(rep("平潭综合实验区", source="平潭县人民政府"), "YEAR-AGENCY-NAME") == []
    assert found(rep("XX市卫生健康委员会", agency_signature="XX市卫健委"), "YEAR-AGENCY-NAME") == []
    assert found(rep("北川县卫生健康局", source="北川县人民政府办公室"), "YEAR-AGENCY-NAME") == []  # the portal
    (f,) = found(rep("青山县教育局", agency_signature="青山县卫生健康局"), "YEAR-AGENCY-NAME")
    assert f.severity == "warning" and f.scope == "signature"
    (g,) = found(rep("云岭县人民政府", source="青山县人民政府"), "YEAR-AGENCY-NAME")
    assert g.scope == "page source"


def test_OLD_REG_CITE():
    ok = {"s0_preamble": "根据《中华人民共和国政府信息公开条例》（国务院令第711号）第五十条编制本报告。"}
    assert found(make(year=2020, edition="v2019", texts=ok), "OLD-REG-CITE") == []
    cite = {"s0_preamble": "根据《中华人民共和国政府信息公开条例》（国务院令第492号）编制本报告。"}
    (f,) = found(make(year=2020, edition="v2019", texts=cite), "OLD-REG-CITE")
    assert f.severity == "warning" and f.actual == "国务院令第492号"
    assert found(make(year=2018, edition="v2019", texts=cite), "OLD-REG-CITE") == []  # still in force then
    history = {"s1_overview": "新修订的《条例》（国务院令第711号）取代了国务院令第492号。" + S1_OK}
    assert found(make(year=2020, edition="v2019", texts=history), "OLD-REG-CITE") == []
    arts = {"s0_preamble": "根据《中华人民共和国政府信息公开条例》第三十一条规定，编制本年度报告。"}
    (g,) = found(make(year=2020, edition="v2019", texts=arts), "OLD-REG-CITE")
    assert g.scope == "old-articles"


# --------------------------------------------------------------------------- real reports

NEW = set(NEW_RULES)

# every finding of the rules above on the real reports, checked by hand against the documents
REAL = {
    "pingtan-2012.txt": [], "pingtan-2016.txt": [], "pingtan-2018.txt": [], "pingtan-2020.txt": [],
    "pingtan-2021.txt": [], "pingtan-tax-2013.txt": [],
    "pingtan-2012.html": [], "pingtan-2016.html": [], "pingtan-2018.html": [], "pingtan-2020.html": [],
    "pingtan-2021.html": [],
    # s1 lists 主动公开, 政府信息管理, 平台, 监督 work but says nothing about applications
    "pingtan-2019.txt": [("FMT-S1-ASPECTS", "warning", "依申请公开")],
    "pingtan-2019.html": [("FMT-S1-ASPECTS", "warning", "依申请公开")],
    # a 街道: s1 only speaks of training and policy interpretation; no 考核/评议/责任追究 anywhere;
    # headings 四 and 五 in accepted variant wordings
    "songbei-chuankou-2020.txt": [
        ("FMT-S1-ASPECTS", "warning", "主动公开"), ("FMT-S1-ASPECTS", "warning", "依申请公开"),
        ("FMT-S1-ASPECTS", "warning", "政府信息公开平台建设"), ("FMT-S1-ASPECTS", "warning", "政府信息管理"),
        ("FMT-SECTION-TITLE", "info", "s4_review_litigation"), ("FMT-SECTION-TITLE", "info", "s5_problems")],
    # a 区人民政府: 2023 mentions no 考核/评议/责任追究, 2024 only 考核 (纳入全区高质量发展考核内容)
    "hongze-2023.pdf": [("FMT-GOV-ART50-4", "warning", "工作考核,社会评议,责任追究")],
    "hongze-2024.pdf": [("FMT-GOV-ART50-4", "warning", "社会评议,责任追究")],
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_reports_findings_of_the_new_rules(name):
    rep = extractor.parse(real_file(name))
    if rep.status == "failed":
        pytest.skip(f"{name} not readable here: {rep.error}")
    got = sorted((f.rule_id, f.severity, f.scope) for f in rep.findings if f.rule_id in NEW)
    assert got == sorted(REAL[name])


def test_T2_DECISIONS_VS_TEXT_region_wide_totals_are_only_TXT_T2():
    t2 = {"t2.penalty.decisions": 4119}
    rep = make(t2=t2, texts={"s1_overview": S1_OK + "2021年，全区各级行政机关共作出行政处罚决定5000件。"})
    assert found(rep, "T2-DECISIONS-VS-TEXT") == []
    assert sev(rep, "TXT-T2") == ["warning"]


def test_T2_V19_ITEMS_NONNEG_blank_previous_count_is_a_warning():
    rep = make("v2019", 2020, t2={"t2.penalty.prev_year_items": None, "t2.penalty.items_change": -2})
    assert sev(rep, "T2-V19-ITEMS-NONNEG") == ["warning"]


def test_TXT_FEE_S6_none_for_some_applications_is_not_a_contradiction():
    rep = make(texts={"s6_other": "其中3件申请未收取信息处理费，全年收取信息处理费300元。"})
    assert found(rep, "TXT-FEE-S6") == []
