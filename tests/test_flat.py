"""Flattened tables in running text (web pages as text; rows exported with tabs)."""
import extractor
from extractor.templates import get_template

T3_ROWS = [r for r in get_template("v2019").t3_rows]


def _report(t3_text: str, year=2020):
    body = (f"某某局{year}年政府信息公开工作年度报告 本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
            "一、总体情况 概述。二、主动公开政府信息情况 第二十条第（一）项信息内容本年新制作数量本年新公开数量对外公开总数量"
            "规章000规范性文件898989"
            f"三、收到和处理政府信息公开申请情况 （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况"
            f"自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他{t3_text}"
            "四、政府信息公开行政复议、行政诉讼情况 行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
            "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计10203120001200000"
            "五、存在的主要问题及改进情况 问题。六、其他需要报告的事项 无。")
    return extractor.parse_bytes("flat.txt", body.encode("utf-8"))


def _t3(values: dict, sep=""):
    parts = []
    for r in T3_ROWS:
        v = values.get(r.key, ["0"] * 7)
        parts.append(r.label + sep + sep.join(v) if sep else r.label + "".join(v))
    return "".join(parts)


def test_identities_decide_multi_digit_rows_and_t2_abstains():
    vals = {"new_received": ["64", "0", "0", "2", "0", "4", "70"], "r_granted": ["27", "0", "0", "2", "0", "1", "30"],
            "r_unable_not_held": ["22", "0", "0", "0", "0", "3", "25"], "r_total": ["63", "0", "0", "2", "0", "4", "69"],
            "r_partial": ["5", "0", "0", "0", "0", "0", "5"], "r_denied_enforcement_file": ["6", "0", "0", "0", "0", "0", "6"],
            "r_denied_admin_inquiry": ["1", "0", "0", "0", "0", "0", "1"],
            "r_denied_internal_affairs": ["1", "0", "0", "0", "0", "0", "1"],
            "r_other": ["1", "0", "0", "0", "0", "0", "1"], "carried_forward": ["1", "0", "0", "0", "0", "0", "1"]}
    rep = _report(_t3(vals))
    assert rep.template_version == "v2019"
    for row, v in vals.items():
        for col, want in zip(["natural_person", "org_commercial", "org_research", "org_public_welfare",
                              "org_legal_service", "org_other", "total"], v):
            c = rep.cell(f"t3.{row}.{col}")
            assert c.status == "ok" and c.value == float(want), (row, col, c)
    assert rep.cell("t2.normative_docs.new_made").status == "ambiguous"     # 898989: no identity decides
    assert rep.cell("t2.regulations.new_made").value == 0                    # 000: forced
    assert rep.cell("t4.review.total").value == 3 and rep.cell("t4.lit_direct.upheld").value == 12
    # the only error: the T2 sub-tables this test leaves out
    assert {f.rule_id for f in rep.findings if f.severity == "error"} == {"FMT-TABLE-SHAPE"}


def test_tab_separated_rows_keep_blank_cells():
    vals = {"new_received": ["2", "", "", "", "", "", "2"], "r_granted": ["2", "", "", "", "", "", "2"],
            "r_total": ["2", "", "", "", "", "", "2"]}
    rep = _report(_t3(vals, sep="\t"))
    assert rep.cell("t3.new_received.org_commercial").status == "blank"
    assert rep.cell("t3.new_received.total").value == 2
    assert rep.cell("t3.r_total.natural_person").value == 2


def test_defect_is_still_reported_after_splitting():
    vals = {"new_received": ["20", "0", "0", "0", "0", "1", "21"], "r_granted": ["6", "0", "0", "0", "0", "1", "7"],
            "r_partial": ["6", "0", "0", "0", "0", "0", "6"], "r_unable_not_held": ["14", "0", "0", "0", "0", "0", "14"],
            "r_total": ["20", "0", "0", "0", "0", "1", "21"]}
    rep = _report(_t3(vals))
    assert rep.cell("t3.r_unable_not_held.total").value == 14
    assert {f.scope for f in rep.findings if f.rule_id == "T3-TOTAL-ROW"} == {"natural_person", "total"}
