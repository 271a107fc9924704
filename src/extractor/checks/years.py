"""Year, identity and citation errors that one document shows by itself (RULES.md group G):
a body written for the previous year, years after the report year stated as past facts,
a title naming another agency than the one that signed or published the report, and the
2007 Regulation cited as the basis of a report under the 2019 Regulation. Comparisons
with last year's report or with peers (DUP-*) need other documents and live elsewhere."""
from __future__ import annotations

from collections import Counter

import regex as re

from ..model import Evidence, Report, Where
from .common import finding
from .registry import rule
from .text import BRACKETED, Sent, _gate, sentences

YEAR_TOKEN = re.compile(r"(?<![0-9])(?P<y>(?:19|20)[0-9]{2})年(?!代)")
# a year range or a year as a starting point: "2019年以来", "2019—2021年", "2019年至今"
NOT_A_YEAR_STATEMENT = re.compile(r"以来|至今|起|开始|之前|以前|前|底前|后|之后|至|到|—|－|-|~|～|和|与|、|同期|相比|比较")


def _masked(s: Sent) -> str:
    """Sentence text with 《titles》, 〔file numbers〕 and [brackets] blanked."""
    t = s.text
    if "《" not in t and "〔" not in t and "[" not in t:  # nothing BRACKETED can match
        return t
    return BRACKETED.sub(lambda m: "#" * len(m.group()), t)


def _years(s: Sent) -> list[tuple[int, int, int]]:
    """(year, start, end) of each "YYYY年" in the sentence outside titles and file numbers."""
    if "年" not in s.text:
        return []
    t = _masked(s)
    return [(int(m["y"]), m.start(), m.end()) for m in YEAR_TOKEN.finditer(t)]


def _year(report: Report) -> int | None:
    """The report year when the document states it (title or statistic period), not a guess from
    the publication date."""
    if report.year_evidence.startswith("publication"):
        return None
    return report.report_year


# --------------------------------------------------------------------------- YEAR-STALE-MENTION

OPENING = re.compile(r"^(?:[(（]?[一二三四五六七八九十0-9]+[)）、.]\s*)?(?P<y>(?:19|20)[0-9]{2})年(?:度)?"
                     r"(?P<after>[,，:：]|我|本|全|在|以|共|累计|各)")
# a statement opening with its year: "2020年，我局…", "。2020年全年共…" (not "2019年度决算", "2019年底")
CLAUSE_YEAR = re.compile(r"(?:^|(?<=[。,;:)]))(?:[(（]?[一二三四五六七八九十0-9]+[)）、.])?(?P<y>(?:19|20)[0-9]{2})年"
                         r"(?:[,:]|(?=我|本|全|共|各|在|以))")
OPENING_SECTIONS = ("s1_overview", "s2_proactive", "s3_applications", "s4_review_litigation")


def _openings(report: Report):
    """The first sentence of each narrative section, if it starts with a year."""
    first: dict[str, Sent] = {}
    for s in sentences(report):
        if s.section.key in OPENING_SECTIONS and s.section.key not in first:
            first[s.section.key] = s
    for key in OPENING_SECTIONS:
        s = first.get(key)
        if s is None:
            continue
        m = OPENING.match(s.text)
        if m and not NOT_A_YEAR_STATEMENT.match(s.text[m.end("y") + 1:m.end("y") + 4]):
            yield s, m


@rule("YEAR-STALE-MENTION", "warning", "the body speaks of another year as the current one", "PRACT")
def year_stale_mention(report: Report):
    """a narrative section (一…四) opens with "Y'年，…" for a year Y' < Y (the report year); or in s1 more
    statements open with "Y−1年，…/Y−1年我局…" than with "Y年…" (at least 2; "Y−1年度决算", "Y−1年底",
    "Y−1年以来" and years inside 《》〔〕 are references, not counted)"""
    y = _year(report)
    if y is None or report.template_version not in ("v2019", "v2021", "v2007"):
        return
    for s, m in _openings(report):
        yy = int(m["y"])
        if yy < y:
            yield finding(report, "YEAR-STALE-MENTION", "warning",
                          f"section {s.section.key} of the {y} report opens with {yy}年 as its year",
                          expected=f"{y}年", actual=f"{yy}年", evidence=(s.evidence(m.start("y"), m.end()),),
                          scope=f"opening:{s.section.key}")
    counts: Counter[int] = Counter()
    first: dict[int, tuple[Sent, int, int]] = {}
    for s in sentences(report):
        if s.section.key != "s1_overview" or "年" not in s.text:  # CLAUSE_YEAR needs a 年
            continue
        t = _masked(s)
        for m in CLAUSE_YEAR.finditer(t):
            yy = int(m["y"])
            counts[yy] += 1
            first.setdefault(yy, (s, m.start("y"), m.end()))
    stale = counts.get(y - 1, 0)
    if stale >= 2 and stale > counts.get(y, 0):
        s, a, b = first[y - 1]
        yield finding(report, "YEAR-STALE-MENTION", "warning",
                      f"in section 一 of the {y} report, {stale} statements open with {y - 1}年 and "
                      f"{counts.get(y, 0)} with {y}年 (copied from last year's report?)",
                      expected=f"mostly {y}年", actual=f"{y - 1}年 ×{stale}", evidence=(s.evidence(a, b),),
                      scope="majority")


# --------------------------------------------------------------------------- YEAR-FUTURE

FUTURE_WORDS = re.compile(r"将|计划|预计|力争|争取|目标|规划|远景|展望|到|至|前|以前|之前|期间|内|十四五|十五五|纲要|方案|"
                          r"行动|要点|部署|安排|拟|预算|届|底|年度报告|启动|实施|推进|建成|实现|完成率|确保|下一步|今后")
PAST_WORDS = re.compile(r"已|共|累计|全年|收到|受理|办结|答复|发布了|公开了|开展了|组织了|召开了|完成了|印发了|截至|截止")


@rule("YEAR-FUTURE", "warning", "a year after Y+1 stated as a past fact", "PRACT")
def year_future(report: Report):
    """a token "Y'年" with Y' > Y+1 (Y the report year; outside 《》〔〕) in a clause that states a past
    fact (已/共/累计/全年/收到/受理/办结/截至 …) and has no word of plans or periods (将/计划/目标/到/
    至/前/规划/十四五 …)"""
    y = _year(report)
    if y is None:
        return
    for s in sentences(report):
        years = _years(s)
        if not years:
            continue
        t = _masked(s)
        for yy, a, b in years:
            if yy <= y + 1 or yy > 2100:
                continue
            lo = max(t.rfind(p, 0, a) for p in ",;:。") + 1
            hi = min([x for x in (t.find(p, b) for p in ",;。") if x >= 0] or [len(t)])
            clause = t[lo:hi]
            if FUTURE_WORDS.search(clause) or not PAST_WORDS.search(clause):
                continue
            yield finding(report, "YEAR-FUTURE", "warning",
                          f"the {y} report states a fact of {yy}年 ({clause!r} in {s.section.key})",
                          expected=f"<= {y + 1}", actual=str(yy), evidence=(s.evidence(a, b),),
                          scope=s.scope(a))
            return


# --------------------------------------------------------------------------- YEAR-AGENCY-NAME

GOV_SUFFIX = re.compile(r"(?:人民政府办公室|人民政府办公厅|人民政府|办事处|管理委员会|管委会|行政公署)$")
PLACE = re.compile(r"^(?:[\p{Han}]{1,12}?(?:自治区|自治州|自治县|特别行政区|省|市|州|盟|地区|县|区|旗|镇|乡|街道|实验区|新区|"
                   r"开发区|高新区))+")
PLACE_SEG = re.compile(r"[\p{Han}]{1,12}?(?:自治区|自治州|自治县|特别行政区|省|市|州|盟|地区|县|区|旗|镇|乡|街道|实验区|新区|"
                       r"开发区|高新区)")
PLACE_TYPE = re.compile(r"(?:自治区|自治州|自治县|特别行政区|省|市|州|盟|地区|县|区|旗|镇|乡|街道|综合实验区|实验区|新区|"
                        r"开发区|高新区)$")


def _norm_name(name: str) -> str:
    n = "".join((name or "").split())
    n = re.sub(r"^中华人民共和国", "", n)
    return GOV_SUFFIX.sub("", n)


def _split_name(name: str) -> tuple[list[str], str]:
    """(place segments, the rest = the body's function) of a normalised name."""
    m = PLACE.match(name)
    place = m.group(0) if m else ""
    return PLACE_SEG.findall(place), name[len(place):]


def _stem(seg: str) -> str:
    return PLACE_TYPE.sub("", seg)


def _abbrev(a: str, b: str) -> bool:
    """One name is the other or its abbreviation (卫健委 / 卫生健康委员会, 市场监管局 / 市场监督管理局):
    the shorter one's characters appear in order in the longer one, which starts alike."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 2 or short[0] != long_[0]:
        return False
    it = iter(long_)
    return all(ch in it for ch in short)


def _same_place(pa: list[str], pb: list[str]) -> bool | None:
    """Compare the most specific places of two names: None when they are of different levels
    (a county under a city may be named either way)."""
    if not pa or not pb:
        return None
    a, b = pa[-1], pb[-1]
    ta, tb = PLACE_TYPE.search(a), PLACE_TYPE.search(b)
    if ta is None or tb is None or ta.group() != tb.group():
        return None
    sa, sb = _stem(a), _stem(b)
    if not sa or not sb:
        return None
    return sa.startswith(sb) or sb.startswith(sa) or _abbrev(sa, sb)


def same_body(a: str, b: str, strict: bool = True) -> bool | None:
    """True/False when two names of an agency can be compared, None when they cannot tell.
    strict (a signature): different functions, or the same function or government of places of
    the same level with different names, are different bodies; not strict (a web page's
    publisher, often the portal's owner): only different places of the same level count."""
    na, nb = _norm_name(a), _norm_name(b)
    if not na or not nb:
        return None
    if na in nb or nb in na or _abbrev(na, nb):
        return True
    (pa, fa), (pb, fb) = _split_name(na), _split_name(nb)
    if strict and fa and fb and not (fa in fb or fb in fa or _abbrev(fa, fb)):
        return False  # different functions: 教育局 vs 卫生健康局
    if (bool(fa) == bool(fb)) or not strict:
        place = _same_place(pa, pb)
        if place is False:
            return False
        return True if place else None
    return None


@rule("YEAR-AGENCY-NAME", "warning", "the title's agency is not the one that signed or published the report",
      "PRACT")
def year_agency_name(report: Report):
    """agency in the title vs the signature's body: different functions (教育局 vs 卫生健康局), or the
    same function or two governments in different places of the same level (青山县 vs 云岭县); vs the web
    page's publisher (发布机构/来源, often the portal's owner): different places of the same level only.
    A name containing the other (松北区船口街道 / 哈尔滨市松北区船口街道办事处) or abbreviating it
    (卫健委 / 卫生健康委员会) is the same body"""
    title = report.meta.get("title_agency") or (report.agency if report.agency_evidence.startswith("title") else None)
    if not title:
        return
    for source, key, strict in (("signature", "agency_signature", True), ("page publisher", "publisher", False),
                                ("page source", "source", False)):
        other = report.meta.get(key)
        if not other or not isinstance(other, str):
            continue
        if same_body(title, other, strict) is False:
            yield finding(report, "YEAR-AGENCY-NAME", "warning",
                          f"the title names {title}, but the {source} is {other} (copied from another agency's "
                          f"report?)", expected=title, actual=other,
                          evidence=[Evidence(report.title, Where()), Evidence(f"{source}: {other}", Where())],
                          scope=source)


# --------------------------------------------------------------------------- OLD-REG-CITE

OLD_REG = _gate(re.compile(r"(?:国务院令|国令)(?:第)?492号"), "492号")
OLD_REG_HISTORY = re.compile(r"711号|修订|废止|修改|原《|原条例|旧|替代|取代|施行以来")
OLD_ARTICLES = _gate(re.compile(r"条例[》]?(?:的)?(?:有关规定|规定|要求)?(?:[(（][^)）]{0,20}[)）])?(?:和|及|、)?"
                                r"第(?P<art>三十一|三十二|31|32)条"), "条例")
REPORT_WORDS = re.compile(r"年度报告|本报告|年报|编制")


@rule("OLD-REG-CITE", "warning", "a report under the 2019 Regulation cites the 2007 Regulation", "REG19")
def old_reg_cite(report: Report):
    """Y ≥ 2019 ∧ (国务院令第492号 cited, not as history (修订/取代/711号 …) ∨ 《条例》第三十一条/第三十二条
    (the 2007 articles on the annual report) cited in a sentence about the report)"""
    if report.report_year is None or report.report_year < 2019:
        return
    for s in sentences(report):
        for m in OLD_REG.finditer(s.text):
            if not OLD_REG_HISTORY.search(s.text):
                yield finding(report, "OLD-REG-CITE", "warning",
                              f"A {report.report_year} report cites the 2007 Regulation (国务院令第492号) as its "
                              f"basis; the Regulation in force since 2019-05-15 is 国务院令第711号.",
                              expected="国务院令第711号", actual=m.group(), evidence=(s.evidence(m.start(), m.end()),),
                              scope="old-regulation-492")
                return
        for m in OLD_ARTICLES.finditer(s.text):
            if REPORT_WORDS.search(s.text) and not re.search(r"第(?:四十九|五十|49|50)条", s.text) \
                    and not OLD_REG_HISTORY.search(s.text):
                yield finding(report, "OLD-REG-CITE", "warning",
                              f"the report cites 《条例》第{m['art']}条 for the annual report: that is the 2007 "
                              f"numbering (now Art. 49–50)", expected="第四十九条/第五十条",
                              actual=f"第{m['art']}条", evidence=(s.evidence(m.start(), m.end()),),
                              scope="old-articles")
                return
