"""Structure and content compliance beyond the section chain and table shapes (RULES.md
group E): section titles, presence of the tables and of the T3 note, units in headers,
the statistic period, what sections 一, 五 and 六 should say, and 2007-style headings.

Keyword rules read a compact copy of the text (whitespace dropped, NFKC), so a
heading or phrase broken over lines or pages is still found."""
from __future__ import annotations


import regex as re

from ..model import Evidence, Report, Where
from ..segment import CORE_ORDER
from ..templates import norm_label
from .common import POST2019, finding, nfkc
from .fmt import SECTION_CN
from .registry import per_report, rule, run_memo


def compact(text: str | None) -> str:
    return "".join(nfkc(text or "").split())


def _compact(report: Report, text: str | None) -> str:
    """compact(text), computed once per `run_checks` call (several rules read the same sections)."""
    memo = run_memo(report)
    if memo is None:
        return compact(text)
    key = ("compact", text)
    out = memo.get(key)
    if out is None:
        out = memo[key] = compact(text)
    return out


@per_report
def body(report: Report) -> str:
    """The compact text of every section (headings included)."""
    return "".join(_compact(report, s.title) + _compact(report, s.text) for s in report.sections)


@per_report
def _sec_text(report: Report, key: str) -> str | None:
    s = report.section(key)
    return None if s is None else _compact(report, s.text)


def _quote(text: str, n: int = 80) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[:n] + "…"


# --------------------------------------------------------------------------- titles

NUMBERING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．,，]\s*")


@rule("FMT-SECTION-TITLE", "info", "section heading differs from the template's title", "F19/F21")
def fmt_section_title(report: Report):
    """for each of the six sections found: norm(printed heading without its numeral) ≠ norm(canonical
    title of SCHEMA §1) (accepted variants included: they are found, but are not the template's words)"""
    if report.template_version not in POST2019:
        return
    for s in report.sections:
        if s.key not in CORE_ORDER or not s.title:
            continue
        want = SECTION_CN[s.key]
        printed, canonical = NUMBERING.sub("", s.title), NUMBERING.sub("", want)
        if norm_label(printed) == norm_label(canonical):
            continue
        yield finding(report, "FMT-SECTION-TITLE", "info",
                      f"heading {s.title.strip()!r} differs from the template's {want!r}",
                      expected=want, actual=s.title.strip(), evidence=[Evidence(s.title, s.where, s.key)],
                      scope=s.key)


# --------------------------------------------------------------------------- tables

TABLE_MARKERS = {
    "t2": ("第二十条第(一)项", "第二十条第(五)项", "本年制发件数", "本年新制作数量", "现行有效件数", "对外公开总数量",
           "本年处理决定数量", "处理决定数量"),
    "t3": ("本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "勾稽关系", "结转下年度继续办理", "本年度办理结果"),
    "t4": ("未经复议直接起诉", "复议后起诉", "尚未审结"),
}
TABLE_CN = {"t2": "表二 主动公开政府信息情况", "t3": "表三 收到和处理政府信息公开申请情况",
            "t4": "表四 政府信息公开行政复议、行政诉讼情况"}
TABLE_SECTION = {"t2": "s2_proactive", "t3": "s3_applications", "t4": "s4_review_litigation"}
# the section points at a table that is not text (an image, an attachment)
POINTER = re.compile(r"如下|下表|附表|见表|附件|图|表格|详见|见下")


def table_printed(report: Report, table: str, text: str | None = None) -> bool:
    """Cells were read, or the aligner saw the table but could not read it, or its labels are in the text."""
    if any(c.table == table for c in report.cells):
        return True
    if any(i.get("table") == table for i in report.shape_issues):
        return True
    text = body(report) if text is None else text
    return any(m in text for m in TABLE_MARKERS[table])


@rule("FMT-TABLES-PRESENT", "error", "tables 二, 三 and 四 are present", "F19/F21")
def fmt_tables_present(report: Report):
    """T2, T3, T4 present (cells read, or the table's labels found in the text): error (v2021),
    warning (v2019); a warning also when the table's section is (nearly) empty or points at a table
    (如下/见附表/图…), since the table may be an image the text does not carry"""
    if report.template_version not in POST2019:
        return
    text = body(report)
    core = [s for s in report.sections if s.key in CORE_ORDER]
    for table in ("t2", "t3", "t4"):
        if table_printed(report, table, text):
            continue
        sec = _sec_text(report, TABLE_SECTION[table])
        sev = "error" if report.template_version == "v2021" else "warning"
        why = ""
        if sec is None or len(sec) < 20 or POINTER.search(sec) or len(core) < 4:
            sev, why = "warning", " (it may be printed as an image or attachment the text does not carry)"
        yield finding(report, "FMT-TABLES-PRESENT", sev, f"{TABLE_CN[table]} not found{why}",
                      expected="the table", actual="missing", scope=table,
                      evidence=[Evidence(_quote(report.section(TABLE_SECTION[table]).text), Where(),
                                         TABLE_SECTION[table])] if sec is not None else [])


@rule("FMT-V2019-2019-LENIENT", "info", "2019 report not in the unified format (only encouraged in 2019)", "F19")
def fmt_v2019_2019_lenient(report: Report):
    """report year 2019 ∧ edition ≠ v2019 (the 2019 notice only 鼓励 the format)"""
    if report.report_year != 2019 or report.template_version == "v2019":
        return
    yield finding(report, "FMT-V2019-2019-LENIENT", "info",
                  f"the 2019 report does not follow the 2019 unified format (edition "
                  f"{report.template_version or 'undetermined'}); for 2019 the format was only encouraged",
                  expected="v2019", actual=str(report.template_version), scope="2019")


T3_NOTE = re.compile(r"勾稽|钩稽|勾嵇|钩嵇|沟稽|第一项加第二项之和")


@rule("FMT-T3-NOTE", "info", "T3 printed without its 勾稽关系 note", "F19/F21")
def fmt_t3_note(report: Report):
    """T3 read ∧ the note "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" absent"""
    if report.template_version not in POST2019 or not any(c.table == "t3" for c in report.cells):
        return
    if T3_NOTE.search(body(report)):
        return
    yield finding(report, "FMT-T3-NOTE", "info", "T3 lacks the printed note on its 勾稽关系 (一 + 二 = 三 + 四)",
                  expected="本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和", actual="missing",
                  scope="t3-note")


FEE_HEADER = re.compile(r"收费金额")


@rule("FMT-FEE-UNIT-HEADER", "warning", "本年收费金额 header lacks （单位：万元）", "F21")
def fmt_fee_unit_header(report: Report):
    """v2021, T2 read: the header 本年收费金额 is followed by （单位：万元） (a 万元 within the next 10
    characters); not judged when the header is not found in the text"""
    if report.template_version != "v2021" or report.cell("t2.admin_fees.amount_10k_cny") is None:
        return
    text = _sec_text(report, "s2_proactive") or body(report)
    m = FEE_HEADER.search(text)
    if m is None:
        return
    window = text[m.end():m.end() + 10]
    if "万元" in window:
        return
    yield finding(report, "FMT-FEE-UNIT-HEADER", "warning",
                  f"the header {text[max(0, m.start() - 2):m.end() + 8]!r} does not state （单位：万元）",
                  expected="本年收费金额（单位：万元）", actual=text[max(0, m.start() - 2):m.end() + 8],
                  cells=["t2.admin_fees.amount_10k_cny"], scope="fee-header")


# --------------------------------------------------------------------------- preamble

PERIOD_ANY = re.compile(r"(?:19|20)[0-9]{2}年0?1月0?1日(?:起)?(?:至|到|—|－|-|~|～)(?:(?:19|20)[0-9]{2}年)?12月31日")


@rule("FMT-STAT-PERIOD", "warning", "the statistic period Y-01-01 to Y-12-31 is stated", "LOCAL; common practice")
def fmt_stat_period(report: Report):
    """a statistic period "统计期限…Y年1月1日(起)至(Y年)12月31日" (or any "Y年1月1日至12月31日" range) is
    stated, normally in the preamble (a wrong year is YEAR-TITLE-PERIOD)"""
    if report.report_year is None or not report.sections:
        return
    if report.period_year is not None or report.meta.get("period"):
        return
    if PERIOD_ANY.search(body(report)):
        return
    pre = report.section("s0_preamble")
    yield finding(report, "FMT-STAT-PERIOD", "warning",
                  "the report does not state its statistic period (本报告所列数据的统计期限为"
                  f"{report.report_year}年1月1日至12月31日)",
                  expected=f"{report.report_year}-01-01 … {report.report_year}-12-31", actual="not stated",
                  evidence=[Evidence(_quote(pre.text), pre.where, pre.key)] if pre else [], scope="period")


# --------------------------------------------------------------------------- section contents

S1_ASPECTS = {
    "主动公开": re.compile(r"主动公开"),
    "依申请公开": re.compile(r"依申请|公开申请|申请公开"),
    "政府信息管理": re.compile(r"信息管理|保密审查|审查|审核|公开属性|目录|指南|清理|动态更新|台账|发布机制|管理制度"),
    "政府信息公开平台建设": re.compile(r"平台|网站|新媒体|公开栏|专栏|专区|查阅点|查阅室|阅览|载体|公报|政务微博|微信公众号"),
    "监督保障": re.compile(r"监督|保障|考核|培训|评议|督查|督导|问责|责任追究|检查|组织领导|领导小组"),
}


@rule("FMT-S1-ASPECTS", "warning", "section 一 covers the five aspects of the format", "F21 (explicit list); F19")
def fmt_s1_aspects(report: Report):
    """s1 mentions each of 主动公开, 依申请公开, 政府信息管理, 政府信息公开平台建设, 监督保障 (keywords
    per aspect, e.g. 平台/网站/新媒体; 监督/考核/培训); one finding per missing aspect"""
    if report.template_version not in POST2019:
        return
    s1 = report.section("s1_overview")
    if s1 is None:
        return
    text = _compact(report, s1.text)
    for aspect, pat in S1_ASPECTS.items():
        if not pat.search(text):
            yield finding(report, "FMT-S1-ASPECTS", "warning",
                          f"section 一、总体情况 does not cover {aspect}",
                          expected=aspect, actual="not mentioned",
                          evidence=[Evidence(_quote(s1.text), s1.where, s1.key)], scope=aspect)


# Art. 50 speaks of 各级人民政府: a 街道办事处, a 管委会 or a 行政公署 is a dispatched body, not a government
GOV_NAME = re.compile(r"人民政府$|[镇乡]$")
ART50_4 = {"工作考核": re.compile(r"考核"), "社会评议": re.compile(r"评议"),
           "责任追究": re.compile(r"责任追究|追责|问责")}


@rule("FMT-GOV-ART50-4", "warning", "governments report 工作考核、社会评议和责任追究结果", "REG19 Art. 50(4); F21")
def fmt_gov_art50_4(report: Report):
    """report.level ∈ {province, city, county, township} ∧ the agency's name ends with 人民政府 (or is a
    乡 / 镇; a 街道办事处 is a dispatched body, not a 人民政府) ⇒ the text mentions 考核 ∧ 评议 ∧
    责任追究 (追责/问责); skipped when the level is unknown"""
    if report.level not in ("province", "city", "county", "township") or report.template_version not in POST2019:
        return
    names = [n for n in (report.agency, report.agency_normalised, report.meta.get("agency_signature")) if n]
    name = next((n for n in names if GOV_NAME.search(n.strip())), None)
    if name is None:
        return
    text = body(report)
    missing = [k for k, pat in ART50_4.items() if not pat.search(text)]
    if missing:
        yield finding(report, "FMT-GOV-ART50-4", "warning",
                      f"{name} is a government: Art. 50(4) asks for 工作考核、社会评议和责任追究结果情况; not "
                      f"mentioned: {'、'.join(missing)}", expected="考核、评议、责任追究",
                      actual="missing " + "、".join(missing), scope=",".join(missing))


S5_PROBLEMS = re.compile(r"问题|不足|短板|差距|薄弱|欠缺|不够|有待")
S5_MEASURES = re.compile(r"改进|整改|措施|下一步|今后|将进一步|将继续|计划|努力|持续|加强")


@rule("FMT-S5-BOTH", "warning", "section 五 states both problems and improvements", "REG19 Art. 50(4); F21")
def fmt_s5_both(report: Report):
    """s5 text contains (问题|不足|短板|…) ∧ (改进|整改|措施|下一步|…) (the heading itself not counted)"""
    if report.template_version not in POST2019:
        return
    s5 = report.section("s5_problems")
    if s5 is None:
        return
    text = _compact(report, s5.text)
    missing = [what for what, pat in (("problems", S5_PROBLEMS), ("improvement measures", S5_MEASURES))
               if not pat.search(text)]
    if missing:
        yield finding(report, "FMT-S5-BOTH", "warning",
                      f"section 五 does not state its {' or '.join(missing)}",
                      expected="problems and improvement measures", actual="missing " + " and ".join(missing),
                      evidence=[Evidence(_quote(s5.text), s5.where, s5.key)], scope=",".join(missing))


FEE_IN_S6 = re.compile(r"信息处理费|收费|收取费用|费用")


@rule("FMT-S6-FEE", "warning", "section 六 reports the information-processing fee", "F21; FEE20")
def fmt_s6_fee(report: Report):
    """v2021: s6 mentions 信息处理费 / 收费 (an amount or 未收取); without s6, anywhere in the report"""
    if report.template_version != "v2021" or not report.sections:
        return
    s6 = report.section("s6_other")
    if s6 is not None:
        if FEE_IN_S6.search(_compact(report, s6.text)):
            return
    elif "信息处理费" in body(report):
        return
    where = "section 六" if s6 is not None else "the report (which has no section 六)"
    yield finding(report, "FMT-S6-FEE", "warning",
                  f"{where} does not report the 信息处理费 charged (an amount, or that none was charged)",
                  expected="信息处理费 amount or 未收取", actual="not mentioned",
                  evidence=[Evidence(_quote(s6.text), s6.where, s6.key)] if s6 else [], scope="s6-fee")


S6_NOTHING = re.compile(r"(?:本年度|本年|今年|全年|[0-9]{4}年度?)?(?:本机关|本单位|我局|我委|我办|我单位|我街道|我镇|我乡|我区|"
                        r"我县|我市|本部门)?(?:暂|均)?(?:无|没有)(?:其他)?(?:需要|需)?(?:报告|说明)?(?:的)?(?:其他)?"
                        r"(?:事项|情况)?")


@rule("FMT-S6-EMPTY", "warning", "section 六 says only 无", "F21")
def fmt_s6_empty(report: Report):
    """v2021: s6 text (punctuation dropped) is only "无" / "无其他需要报告的事项" / "暂无…" (since 2021 s6
    must at least report the 信息处理费, FMT-S6-FEE)"""
    if report.template_version != "v2021":
        return
    s6 = report.section("s6_other")
    if s6 is None:
        return
    text = re.sub(r"[\p{P}\p{S}]", "", _compact(report, s6.text))
    if text and S6_NOTHING.fullmatch(text):
        yield finding(report, "FMT-S6-EMPTY", "warning",
                      f"section 六 only says {s6.text.strip()!r}; since 2021 it reports at least the 信息处理费",
                      expected="信息处理费 and other matters", actual=s6.text.strip(),
                      evidence=[Evidence(s6.text.strip(), s6.where, s6.key)], scope="s6-empty")


OLD_HEADING = re.compile(r"收费及减免|收费和减免|收费、减免|咨询处理")


@rule("FMT-OLD-HEADINGS", "warning", "2007-style headings in a report under the 2019 Regulation", "F19/F21 vs REG07")
def fmt_old_headings(report: Report):
    """v2019/v2021 report with a heading 收费及减免情况 or 咨询处理情况 (REG07 Art. 32 items)"""
    if report.template_version not in POST2019:
        return
    for s in report.sections:
        if s.key in ("s_fees", "s_consultation") or (s.title and OLD_HEADING.search(compact(s.title))):
            yield finding(report, "FMT-OLD-HEADINGS", "warning",
                          f"heading {s.title.strip()!r} is a 2007-format heading", expected="the 2019/2021 headings",
                          actual=s.title.strip(), evidence=[Evidence(s.title, s.where, s.key)], scope=s.key)
