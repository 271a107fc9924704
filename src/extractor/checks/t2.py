"""Table 2 — proactive disclosure (RULES.md group C), the rules that need only the
document. The template prints no identity inside T2, so these are value ranges, the
few orderings that follow from the column meanings, units, and the agency's
competence; the cross-year rolls (T2-INFORCE-ROLL, T2-REPEAL-LE-STOCK,
T2-V19-ITEMS-ROLL) need last year's report and live elsewhere."""
from __future__ import annotations

import regex as re

from ..model import Evidence, Report, Where
from .common import USABLE, finding, fmt_num, val
from .registry import rule
from .text import t2_mismatches

DOC_ROWS = ("regulations", "normative_docs")
ROW_CN = {"regulations": "规章", "normative_docs": "规范性文件", "licensing": "行政许可",
          "other_mgmt_services": "其他对外管理服务事项", "penalty": "行政处罚", "coercion": "行政强制",
          "admin_fees": "行政事业性收费", "central_procurement": "政府集中采购"}
V19_ITEM_ROWS = ("licensing", "other_mgmt_services", "penalty", "coercion", "admin_fees")
AMOUNT_COLS = ("amount_10k_cny", "amount")


def _t2(report: Report):
    return [c for c in report.cells if c.table == "t2"]


@rule("T2-NONNEG", "error", "T2 counts are non-negative integers (本年增/减 may be negative)", "PRACT")
def t2_nonneg(report: Report):
    """∀ T2 cell x except *.items_change: x ≥ 0; counts (all but the amounts) are integers"""
    if report.template_version not in ("v2019", "v2021"):
        return
    for c in _t2(report):
        if c.col_key == "items_change" or c.status not in USABLE or c.value is None:
            continue
        if c.value < 0:
            problem = "negative"
        elif c.col_key not in AMOUNT_COLS and not float(c.value).is_integer():
            problem = "not a whole number"
        else:
            continue
        yield finding(report, "T2-NONNEG", "error", f"{c.key} = {c.raw.strip()!r} is {problem}",
                      expected=">= 0" if problem == "negative" else "integer", actual=fmt_num(c.value),
                      cells=[c.key], scope=c.key)


@rule("T2-INFORCE-GE-ISSUED-NET", "warning", "现行有效 ≥ 本年制发 when nothing was repealed", "PRACT")
def t2_inforce_ge_issued(report: Report):
    """v2021, X ∈ {regulations, normative_docs}: t2.X.in_force ≥ 0, and t2.X.repealed == 0 ⇒
    t2.X.in_force ≥ t2.X.issued"""
    if report.template_version != "v2021":
        return
    for x in DOC_ROWS:
        keys = [f"t2.{x}.{c}" for c in ("issued", "repealed", "in_force")]
        issued, repealed, in_force = (val(report, k) for k in keys)
        if in_force is None:
            continue
        if in_force < 0:
            yield finding(report, "T2-INFORCE-GE-ISSUED-NET", "warning", f"{ROW_CN[x]} 现行有效件数 is negative",
                          expected=">= 0", actual=fmt_num(in_force), cells=keys[2:], scope=x)
        elif issued is not None and repealed == 0 and in_force < issued:
            yield finding(report, "T2-INFORCE-GE-ISSUED-NET", "warning",
                          f"{ROW_CN[x]}: {fmt_num(issued)} issued this year and none repealed, but only "
                          f"{fmt_num(in_force)} in force", expected=f">= {fmt_num(issued)}",
                          actual=fmt_num(in_force), cells=keys, scope=x)


@rule("T2-V19-PUBLISHED-TOTAL", "warning", "对外公开总数量 ≥ 本年新公开数量", "PRACT")
def t2_v19_published_total(report: Report):
    """v2019, X ∈ {regulations, normative_docs}: t2.X.total_published ≥ t2.X.new_published"""
    if report.template_version != "v2019":
        return
    for x in DOC_ROWS:
        keys = [f"t2.{x}.total_published", f"t2.{x}.new_published"]
        total, new = (val(report, k) for k in keys)
        if total is not None and new is not None and total < new:
            yield finding(report, "T2-V19-PUBLISHED-TOTAL", "warning",
                          f"{ROW_CN[x]}: 对外公开总数量 {fmt_num(total)} is less than 本年新公开数量 {fmt_num(new)}",
                          expected=f">= {fmt_num(new)}", actual=fmt_num(total), cells=keys, scope=x)


@rule("T2-V19-NEWPUB-LE-NEWMADE", "info", "本年新公开数量 ≤ 本年新制作数量 (normally)", "PRACT")
def t2_v19_newpub_le_newmade(report: Report):
    """v2019, X ∈ {regulations, normative_docs}: t2.X.new_published ≤ t2.X.new_made (more is possible
    when older documents were published this year)"""
    if report.template_version != "v2019":
        return
    for x in DOC_ROWS:
        keys = [f"t2.{x}.new_published", f"t2.{x}.new_made"]
        pub, made = (val(report, k) for k in keys)
        if pub is not None and made is not None and pub > made:
            yield finding(report, "T2-V19-NEWPUB-LE-NEWMADE", "info",
                          f"{ROW_CN[x]}: {fmt_num(pub)} newly published but only {fmt_num(made)} newly made "
                          f"(older documents published this year?)", expected=f"<= {fmt_num(made)}",
                          actual=fmt_num(pub), cells=keys, scope=x)


@rule("T2-V19-ITEMS-NONNEG", "error", "上一年项目数量 + 本年增/减 ≥ 0", "PRACT")
def t2_v19_items_nonneg(report: Report):
    """v2019, K ∈ {licensing, other_mgmt_services, penalty, coercion, admin_fees}:
    t2.K.prev_year_items + t2.K.items_change ≥ 0 (a list cannot lose more items than it had); a warning
    when one of the two cells is blank or a placeholder rather than a printed number"""
    if report.template_version != "v2019":
        return
    for k in V19_ITEM_ROWS:
        keys = [f"t2.{k}.prev_year_items", f"t2.{k}.items_change"]
        prev, change = (val(report, x) for x in keys)
        if prev is None or change is None or prev + change >= 0:
            continue
        printed = all((c := report.cell(x)) is not None and c.status == "ok" for x in keys)
        yield finding(report, "T2-V19-ITEMS-NONNEG", "error" if printed else "warning",
                      f"{ROW_CN[k]}: 上一年项目数量 {fmt_num(prev)} and 本年增/减 {fmt_num(change)} leave "
                      f"{fmt_num(prev + change)} items", expected=">= 0", actual=fmt_num(prev + change),
                      cells=keys, scope=k)


# bodies that may make 规章 are 国务院部门 and the governments of provinces and 设区的市/自治州
NO_RULEMAKING = {"county": "a county-level body", "township": "a township or street office",
                 "local_dept": "a department of a local government"}


@rule("T2-RULEMAKING-POWER", "warning", "Bodies without rule-making power report no new 规章",
      "立法法 (2015) Art. 80 & 82 (2023 revision ≈ Art. 91/93); PRACT")
def t2_rulemaking_power(report: Report):
    """report.level ∈ {county, township, local_dept} ⇒ t2.regulations.issued == 0 (v2021) /
    t2.regulations.new_made == 0 (v2019); skipped when the level is unknown"""
    level = report.level
    if level not in NO_RULEMAKING or report.template_version not in ("v2019", "v2021"):
        return
    key = "t2.regulations.issued" if report.template_version == "v2021" else "t2.regulations.new_made"
    n = val(report, key)
    if n is None or n <= 0:
        return
    yield finding(report, "T2-RULEMAKING-POWER", "warning",
                  f"{report.agency or 'the agency'} is {NO_RULEMAKING[level]}, which cannot make 规章, but T2 "
                  f"reports {fmt_num(n)} new 规章 (规范性文件 counted as 规章?)",
                  expected="0", actual=fmt_num(n), cells=[key], scope=level)


UNIT_IN_HEADER = re.compile(r"本年收费金额(?:\(|（)?(?:单位)?[:：]?(?P<unit>亿元|万元|元)")


def _compact(text: str) -> str:
    return "".join((text or "").split())


@rule("T2-FEE-UNIT", "warning", "行政事业性收费 amount is in 万元", "F21 (column label)")
def t2_fee_unit(report: Report):
    """v2021 t2.admin_fees.amount_10k_cny: a unit printed in the cell or the column header other than
    万元 (e.g. "元"), or a whole number ≥ 1 000 000 (≥ 100 亿元 if read as 万元: the figure looks like 元)"""
    if report.template_version != "v2021":
        return
    key = "t2.admin_fees.amount_10k_cny"
    c = report.cell(key)
    if c is None or c.status not in USABLE or c.value is None:
        return
    if c.unit and c.unit != "万元":
        yield finding(report, "T2-FEE-UNIT", "warning",
                      f"本年收费金额 printed as {c.raw.strip()!r}: the column is in 万元, the cell says {c.unit}",
                      expected="万元", actual=c.unit, cells=[key], scope="cell-unit")
        return
    s2 = report.section("s2_proactive")
    m = UNIT_IN_HEADER.search(_compact(s2.text if s2 else ""))
    if m and m["unit"] != "万元":
        yield finding(report, "T2-FEE-UNIT", "warning",
                      f"the 本年收费金额 header states the unit {m['unit']}, the template's unit is 万元 "
                      f"(value {fmt_num(c.value)})", expected="万元", actual=m["unit"], cells=[key],
                      evidence=[Evidence(m.group(), Where())], scope="header-unit")
        return
    if float(c.value).is_integer() and c.value >= 1_000_000:
        yield finding(report, "T2-FEE-UNIT", "warning",
                      f"本年收费金额 {fmt_num(c.value)} 万元 would be {c.value / 10000:g} 亿元; the figure looks like "
                      f"元", expected="an amount in 万元", actual=fmt_num(c.value), cells=[key], scope="magnitude")


PROC_UNIT = re.compile(r"采购总金额(?:\(|（)?(?:单位)?[:：]?(?:亿元|万元|元)")


@rule("T2-PROC-UNIT", "warning", "政府集中采购 采购总金额 states its unit", "F19")
def t2_proc_unit(report: Report):
    """v2019: t2.central_procurement.amount ≠ 0 ⇒ a unit (元/万元/亿元) is printed in the cell or after
    the 采购总金额 header (the template prints none)"""
    if report.template_version != "v2019":
        return
    key = "t2.central_procurement.amount"
    c = report.cell(key)
    if c is None or c.status != "ok" or not c.value or c.unit:
        return
    s2 = report.section("s2_proactive")
    if PROC_UNIT.search(_compact(s2.text if s2 else "")):
        return
    yield finding(report, "T2-PROC-UNIT", "warning",
                  f"采购总金额 {c.raw.strip()!r} has no unit (元, 万元 or 亿元?)", expected="a unit",
                  actual="none", cells=[key], scope="proc-unit")


# agencies whose functions produce licences, penalties or coercive measures
ENFORCEMENT = re.compile(r"市场监督管理|市场监管|生态环境|环境保护|环保局|公安|交通运输|城市管理|城管|综合执法|综合行政执法|"
                         r"卫生健康|卫生计生|卫健|自然资源|国土资源|应急管理|安全生产监督|文化和旅游|文化广电|文旅|农业农村|"
                         r"水利|水务|住房和城乡建设|住建|人力资源和社会保障|人社|税务|海关|药品监督|食品药品|林业|"
                         r"行政审批|数据局|商务|民政|教育局|教育体育")


@rule("T2-ZERO-ALL", "info", "T2 all zero for an agency that issues licences or penalties", "PRACT")
def t2_zero_all(report: Report):
    """every T2 cell 0/blank ∧ the agency's name names an enforcement or licensing function
    (市场监管, 生态环境, 公安, 交通运输, 城管/综合执法, 卫生健康, 自然资源, 应急管理, …)"""
    if report.template_version not in ("v2019", "v2021"):
        return
    cells = [c for c in _t2(report) if c.in_template]
    name = report.agency or report.meta.get("agency_signature") or ""
    m = ENFORCEMENT.search(name)
    if not cells or m is None:
        return
    if any(c.status not in USABLE or (c.value is None and c.status != "blank") or c.value for c in cells):
        return
    yield finding(report, "T2-ZERO-ALL", "info",
                  f"every T2 figure is 0 or blank, although {name} ({m.group()}) normally decides licences, "
                  f"penalties or coercive measures", expected="some T2 figures", actual="all 0",
                  cells=[c.key for c in cells], scope="zero-all")


@rule("T2-DECISIONS-VS-TEXT", "error", "行政许可/处罚/强制 decisions quoted in the text differ from T2", "PRACT")
def t2_decisions_vs_text(report: Report):
    """narrative "作出行政许可/处罚/强制决定 N 件" (the report year, the agency itself, not a part
    (其中 / another body), not a region- or system-wide total (全市/各级/各部门/系统 …: TXT-T2), not
    cumulative, not about publishing decisions) == t2.<row>.decisions"""
    for c, table in t2_mismatches(report, strict=True):
        key = c.keys[0]
        yield finding(report, "T2-DECISIONS-VS-TEXT", "error",
                      f"The text says {c.what!r} ({c.sent.section.key}), but T2 {ROW_CN[key.split('.')[1]]} "
                      f"本年处理决定数量 = {fmt_num(table)}.",
                      expected=fmt_num(c.value), actual=fmt_num(table), cells=(key,),
                      evidence=(c.sent.evidence(c.i, c.j),), scope=c.sent.scope(c.i))
