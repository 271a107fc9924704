"""Text <-> table rules (RULES.md group D) and TYPO-TERMS (group G).

Narrative numbers are read sentence by sentence from a *compact* copy of each
section (NFKC, whitespace dropped except between two ASCII digits/letters, PDF
page footers "- 3 -" blanked), keeping a map back to offsets in the section
text. A narrative count must be followed by a unit (件/条/起/个/宗…), so the
run-together digits of flattened tables ("申请数量640020470") are never read.
Every cue is deliberately narrow: a missed statement costs nothing, a false
error costs the auditor's trust.
"""
from __future__ import annotations

import re as _re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Iterator

import regex as re
from rapidfuzz import fuzz

from ..model import Evidence, Finding, Report, Section, Where
from ..numbers import chinese_to_int
from ..templates import get_template, norm_label
from .common import POST2019, finding, fmt_num, nfkc_chars, val
from .registry import per_report, rule

# --------------------------------------------------------------------------- cue data


class _Gated:
    """A compiled pattern every match of which holds, for each group of `needs` ("a|b|c"), one of
    the group's words: a text lacking one is not scanned at all (same result, found sooner)."""
    __slots__ = ("pat", "needs")

    def __init__(self, pat: re.Pattern, *needs: str):
        self.pat = pat
        self.needs = tuple(tuple(n.split("|")) for n in needs)

    def may_match(self, text: str) -> bool:
        for group in self.needs:
            for w in group:
                if w in text:
                    break
            else:
                return False
        return True

    def finditer(self, text: str):
        return self.pat.finditer(text) if self.may_match(text) else iter(())

    def search(self, text: str):
        return self.pat.search(text) if self.may_match(text) else None

    def __getattr__(self, name: str):
        return getattr(self.pat, name)


def _gate(pat: re.Pattern, *needs: str) -> _Gated:
    return _Gated(pat, *needs)


def _family(*pats: _Gated) -> tuple[str, ...]:
    """Words one of which a text holds when any of `pats` may match it (the smallest group of
    words of each pattern, merged): a sentence without any is skipped by a loop that only reports
    matches of `pats`."""
    words: set[str] = set()
    for p in pats:
        words.update(min(p.needs, key=len))
    return tuple(sorted(words))


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    for w in words:
        if w in text:
            return True
    return False


CN = "零〇一二两三四五六七八九十百千万"
# a count: digits or a Chinese numeral, not part of a longer number, a decimal, a phone
# number or an ordinal (第二十条)
NUM = rf"(?<![0-9.\-{CN}第])(?P<num>[0-9]+|[{CN}]+)"
APP_UNIT = r"(?P<unit>件|条|个|宗|份)(?!次|工作日|月|小时|天|日|自然日)"
CASE_UNIT = r"(?P<unit>件|起|宗|例|个)(?!次|工作日|月|小时|天|日)"
TOTAL = r"(?:共|共计|合计|总计|累计)?(?:为|有|达|是)?"
VERB_NEW = r"(?P<verb>新收|收到|接到|接收|受理|收悉)"

# TXT-APP-NEW: verb … 申请 N 件 / verb … N 件申请 / 依申请公开的政府信息 N 条
APP_NEW = [
    _gate(re.compile(VERB_NEW + r"(?P<mid>[^。;,]{0,25}?)申请(?:数量|总数|数)?" + TOTAL + NUM + APP_UNIT),
          "新收|收到|接到|接收|受理|收悉", "申请"),
    _gate(re.compile(VERB_NEW + r"(?P<mid>[^。;,0-9]{0,12}?)" + NUM + APP_UNIT
                     + r"(?:政府信息公开|信息公开|依申请公开|公开)?(?:的)?申请(?!人)"),
          "新收|收到|接到|接收|受理|收悉", "申请"),
    _gate(re.compile(r"(?P<verb>)依申请公开(?:的)?(?:政府)?信息(?:申请)?(?:数量|数)?" + TOTAL + NUM + APP_UNIT),
          "依申请公开"),
]
# words that make a "received … applications" count about something else
NOT_OGI_APP = re.compile(r"复议|诉讼|许可|审批|投诉|举报|信访|诉求|咨询|办事|服务|事项|业务|项目|补正|延期|结转|"
                         r"复核|仲裁|听证|登记|注册|补贴|救助|低保|资金|贷款|专利|商标|上年|去年|上一年|同比|前年|主动公开")
PROCESSED_VERB = re.compile(r"办理|办结|答复|处理|回复|予以|主动公开")
OGI_CONTEXT = re.compile(r"依申请|公开申请|申请公开")
PRIOR_YEAR = re.compile(r"上年|去年|上一年|同比|前年|较|比")
SUBSET = re.compile(r"其中|分别")  # a part of the total ("其中，区发改委收到申请5件")

NEXT_YEAR = r"(?:下一?年度?|下一年|次年|明年|(?P<year>[0-9]{4})年度?)"
CARRY_IN = [
    _gate(re.compile(r"(?:上年|上一年|上年度|上一年度|去年|前一年)(?:度)?结转(?:而来|来|过来)?(?:的)?"
                     r"(?:政府信息公开|依申请公开|信息公开)?(?:申请)?(?:数量|数)?" + TOTAL + NUM + APP_UNIT), "结转"),
    _gate(re.compile(NUM + APP_UNIT + r"(?:申请)?(?:为|系|是|属)(?:上年|上一年|上年度|去年)(?:度)?结转"), "结转"),
]
CARRY_OUT = [
    _gate(re.compile(r"结转(?:至|到)?" + NEXT_YEAR + r"(?:继续)?(?:办理|处理|答复)?(?:的)?"
                     r"(?:政府信息公开|依申请公开|信息公开)?(?:申请)?"
                     r"(?:数量|数)?" + TOTAL + NUM + APP_UNIT), "结转"),
    _gate(re.compile(NUM + APP_UNIT + r"(?:申请)?(?:因[^。;,]{0,15})?(?:结转|转入|转至|顺延至)(?:至|到)?" + NEXT_YEAR),
          "结转|转入|转至|顺延至"),
]

# T4 counts; the 10 characters before 行政诉讼 decide the block
REVIEW = [
    _gate(re.compile(r"行政复议(?:案件|申请)?(?:数量|数)?" + TOTAL + NUM + CASE_UNIT), "行政复议"),
    _gate(re.compile(NUM + CASE_UNIT + r"(?:政府信息公开)?行政复议(?!(?:案件)?(?:和|、|及|与|或|以及)(?:提起)?行政诉讼)"),
          "行政复议"),
]
LITIGATION = [
    _gate(re.compile(r"行政诉讼(?:案件)?(?:数量|数)?" + TOTAL + NUM + CASE_UNIT), "行政诉讼"),
    _gate(re.compile(NUM + CASE_UNIT + r"(?:政府信息公开)?行政诉讼"), "行政诉讼"),
]
BOTH = _gate(re.compile(r"行政复议(?:案件)?(?:和|、|及|与|或|以及)(?:被提起|提起)?行政诉讼(?:案件)?(?:数量|数)?"
                        r"(?P<each>各|均为|均|都为|共|共计|合计)?(?:为|有)?" + NUM + CASE_UNIT), "行政复议", "行政诉讼")
JOINED_BEFORE = re.compile(r"行政复议(?:案件)?(?:和|、|及|与|或|以及)(?:被提起|提起)?$")
LIT_AFTER = re.compile(r"复议后|经复议")
LIT_DIRECT = re.compile(r"直接|未经复议")

# TXT-NONE-CLAIM
NEG = (r"(?:未发生|未收到|未接到|未受理|没有发生|没有收到|没有接到|未出现|未有|未被|没有|不存在|"
       r"(?<![法正毫有])无(?!论|需|须|法|权|效|关|意|正当))")
NONE_CASES = _gate(re.compile(NEG + r"(?P<mid>[^。;,]{0,30}?)(?P<what>行政复议|行政诉讼)"), "行政复议|行政诉讼")
# a negation about something else near 行政复议 ("未发生被纠错", "没有及时答复导致行政复议")
NONE_CASES_HEDGE = re.compile(r"纠错|纠正|败诉|撤销|确认违法|违法|维持|审结|结果|被告|不服|率|导致|造成|避免|防止|"
                              r"减少|降低|及时|按时|答复|力争|争取|确保|做到|目标|努力|力求")
NONE_APPS = [
    _gate(re.compile(r"(?:未|没有|尚未)(?:收到|接到|受理|发生)(?:过)?(?P<mid>[^。;,]{0,20}?)"
                     r"(?:政府信息公开|信息公开|依申请公开|公开)(?:的)?申请(?!人|行政|复议|提起)"),
          "收到|接到|受理|发生", "公开申请|公开的申请"),
    _gate(re.compile(r"(?:未|没有)(?:收到|接到|受理)(?:过)?(?:任何)?依申请公开(?P<mid>)(?!工作)"), "依申请公开"),
    _gate(re.compile(r"(?<![法正])无(?P<mid>)(?:政府信息公开|依申请公开)(?:的)?申请(?!人|行政|复议|提起)"),
          "公开申请|公开的申请"),
]
NONE_APPS_S3 = _gate(re.compile(r"(?:未|没有)(?:收到|接到|受理)(?:过)?(?:任何)?(?P<mid>)申请(?!人|行政|复议|提起)"),
                     "收到|接到|受理", "申请")
# the words one of which a sentence holds when a claim can be read in it
APP_WORDS = _family(*CARRY_OUT, *CARRY_IN, *APP_NEW)
CASE_WORDS = _family(BOTH, *REVIEW, *LITIGATION)
NONE_WORDS = _family(NONE_CASES, *NONE_APPS, NONE_APPS_S3)
PARTIAL_APPS = re.compile(r"法人|组织|企业|自然人|当面|信函|网上|网络|在线|传真|邮件|电话|纸质|书面|现场|邮寄|"
                          r"重复|逾期|延期|涉密|第三方|复议|诉讼|收费|不予|补正")

# TXT-PCT
PCT_UNIT = r"(?:人次|万元|亿元|元|件|个|条|项|起|宗|次|人|家|份|场|期|篇|户)"
DEC = r"[0-9]+(?:\.[0-9]+)?"
PCT_ITEM = _gate(re.compile(rf"(?<![0-9.])(?P<m>{DEC})(?P<u>{PCT_UNIT}),?(?:占(?:比|总数的?|总量的?|全部的?)?"
                            rf"(?:约|为|达)?(?P<p>{DEC})%|(?P<p2>{DEC})%占)"), "%")
PCT_QTY = re.compile(rf"(?<![0-9.])(?P<d>{DEC})(?P<u>{PCT_UNIT})")
PCT_RATE = _gate(re.compile(rf"(?P<dverb>受理|收到|接到|接收|新收|共有)(?P<dmid>[^。;,0-9]{{0,15}}?)(?<![0-9.])"
                            rf"(?P<d>{DEC})(?P<u>{PCT_UNIT}),?(?P<nverb>按时办结|按期办结|办结|按时答复|答复|回复|完成|解决|"
                            rf"处理)了?(?P<n>{DEC})(?P=u),?(?P=nverb)率(?:为|达到|达)?(?P<p>{DEC})%"), "%", "率")
PCT_TOLERANCE = 0.5

# TYPO-TERMS: (pattern in the compact text, correct form)
# (a pattern that is not a plain alternation of words is gated on the word it must contain)
TYPOS: list[tuple[_Gated, str]] = [(_gate(re.compile(p), "条列" if "条列" in p else p), c) for p, c in [
    (r"(?<=信息公开|《|办法|实施)条列|条列(?=》)", "条例"),  # not 逐条列出
    (r"政府信息工开", "政府信息公开"),
    (r"勾嵇|钩稽|钩嵇|沟稽", "勾稽"),
    (r"行政复意|行政复仪|行政复以", "行政复议"),
    (r"行政诉颂|行政述讼|行政诉松", "行政诉讼"),
    (r"依申清|依甲请", "依申请"),
    (r"其他法律行政止公开", "其他法律行政法规禁止公开"),
    (r"不与公开", "不予公开"),
    (r"于以公开", "予以公开"),
    (r"三类内部事物", "三类内部事务"),
    (r"四类过程信信息|四类过性信息", "四类过程性信息"),
    (r"社会公益组识", "社会公益组织"),
    (r"法律服务机购", "法律服务机构"),
    (r"本机关不掌我", "本机关不掌握"),
    (r"尚未审决", "尚未审结"),
]]
TYPO_WORDS = _family(*(p for p, _ in TYPOS))

HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十0-9]+[）)]|[0-9]+[.、．](?![0-9])"
                     r"|第[一二三四五六七八九十]+[章节部分])")
PAGE_FOOTER = re.compile(r"(?m)^[ \t]*[-－—][ \t]*[0-9]{1,3}[ \t]*[-－—][ \t]*$")
SENT_END = "。！？!?"
_SENT_END = _re.compile("[。！？!?]")
YEAR = re.compile(r"(?<![0-9])([0-9]{4})年")
BRACKETED = re.compile(r"《[^》]*》|〔[^〕]*〕|\[[^\]]*\]")


# --------------------------------------------------------------------------- sentences

@dataclass(frozen=True)
class Sent:
    section: Section
    start: int  # offsets in section.text
    end: int
    text: str  # compact form
    pos: tuple[int, ...]  # pos[i] = offset in section.text of text[i]

    def span(self, i: int, j: int) -> tuple[int, int]:
        return self.pos[i], self.pos[max(i, j - 1)] + 1

    def evidence(self, i: int, j: int) -> Evidence:
        """The sentence (or 60 characters around the match in a long run of table text)."""
        a, b = self.span(i, j)
        if self.end - self.start > 200:
            qs, qe = max(self.start, a - 60), min(self.end, b + 60)
        else:
            qs, qe = self.start, self.end
        quote = re.sub(r"\s+", " ", self.section.text[qs:qe]).strip()
        return Evidence(quote, Where(char=qs, char_end=qe), self.section.key)

    def scope(self, i: int) -> str:
        return f"{self.section.key}@{self.pos[i]}"


def _compact(text: str, a: int, b: int) -> tuple[str, tuple[int, ...]]:
    out: list[str] = []
    pos: list[int] = []
    i = a
    while i < b:
        ch = text[i]
        if ch.isspace():
            j = i
            while j < b and text[j].isspace():
                j += 1
            nxt = unicodedata.normalize("NFKC", text[j]) if j < b else ""
            if out and out[-1].isascii() and out[-1].isalnum() and nxt[:1].isascii() and nxt[:1].isalnum():
                out.append(" ")
                pos.append(i)
            i = j
            continue
        for c in unicodedata.normalize("NFKC", ch):
            out.append(c)
            pos.append(i)
        i += 1
    return "".join(out), tuple(pos)


# the characters for which str.isspace() is true
_WS_RUN = _re.compile("[\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def _compact_normal(norm: str, a: int, b: int) -> tuple[str, tuple[int, ...]]:
    """`_compact(text, a, b)` when `norm` is text with each character NFKC-normalised on its own,
    one character for one (`nfkc_chars`): whitespace runs are dropped run by run, not character
    by character."""
    out: list[str] = []
    pos: list[int] = []
    last = ""  # the last character output
    i = a
    for m in _WS_RUN.finditer(norm, a, b):
        s, j = m.span()
        if s > i:
            out.append(norm[i:s])
            pos.extend(range(i, s))
            last = norm[s - 1]
        if last and j < b and last.isascii() and last.isalnum():
            nxt = norm[j]
            if nxt.isascii() and nxt.isalnum():
                out.append(" ")
                pos.append(s)
                last = " "
        i = j
    if i == a:
        return norm[a:b], tuple(range(a, b))
    if i < b:
        out.append(norm[i:b])
        pos.extend(range(i, b))
    return "".join(out), tuple(pos)


CLAUSE_PUNCT = re.compile(r"[。，,；;：:]")


def _breaks(text: str) -> list[int]:
    """Sentence ends: 。！？, and line ends that close a heading or a short (table) line or
    precede a heading. Other line breaks (PDF wrapping) do not end a sentence."""
    ends = [m.end() for m in _SENT_END.finditer(text)]
    lines = text.split("\n")
    off = 0
    prev_end = None  # end offset of the previous non-blank line
    prev_line = ""
    for line in lines:
        s = line.strip()
        if s:
            if prev_end is not None:
                short = len("".join(prev_line.split())) < 8
                heading = HEADING.match(prev_line) and not CLAUSE_PUNCT.search(prev_line)
                if short or heading or HEADING.match(line) or prev_line.rstrip()[-1:] in "：:；;":
                    ends.append(prev_end)
            prev_end, prev_line = off + len(line), line
        off += len(line) + 1
    return sorted(set(ends))


@lru_cache(maxsize=256)
def _split(text: str) -> tuple[tuple[int, int, str, tuple[int, ...]], ...]:
    """(start, end, compact text, offsets) of each sentence of a section's text; cached,
    because every rule of this module reads the same sentences."""
    text = PAGE_FOOTER.sub(lambda m: " " * len(m.group()), text)
    norm = nfkc_chars(text)
    out = []
    a = 0
    for b in _breaks(text) + [len(text)]:
        if b > a:
            comp, pos = _compact(text, a, b) if norm is None else _compact_normal(norm, a, b)
            if comp.strip():
                out.append((a, b, comp, pos))
            a = b
    return tuple(out)


@per_report
def sentences(report: Report) -> Iterator[Sent]:
    for sec in report.sections:
        for a, b, comp, pos in _split(sec.text or ""):
            yield Sent(sec, a, b, comp, pos)


def _num(s: str) -> int | None:
    return int(s) if s.isdigit() else chinese_to_int(s)


def _year_ok(sent: Sent, i: int, year: int | None) -> bool:
    """The last year named before position i (outside 《》〔〕) must be the report year."""
    if year is None:
        return True
    head = BRACKETED.sub(lambda m: "#" * len(m.group()), sent.text[:i])
    years = [int(y) for y in YEAR.findall(head) if 1990 <= int(y) <= 2100]
    return not years or years[-1] == year


def _clause_before(sent: Sent, i: int) -> str:
    head = sent.text[:i]
    return re.split(r"[,;:]", head)[-1]


def _ogi_context(sent: Sent, i: int) -> bool:
    if sent.section.key == "s3_applications" or OGI_CONTEXT.search(sent.text):
        return True
    a = sent.pos[i] if sent.pos else sent.start
    return bool(OGI_CONTEXT.search(sent.section.text[max(0, a - 400):a]))


# --------------------------------------------------------------------------- claims

NEW = ("t3.new_received.total",)
CARRY_IN_KEYS = ("t3.carried_over.total",)
CARRY_OUT_KEYS = ("t3.carried_forward.total",)
REVIEW_KEYS = ("t4.review.total",)
LIT_KEYS = ("t4.lit_direct.total", "t4.lit_after_review.total")
# what a claim of each kind is compared with: cells summed, and a description for the message
TARGETS = {
    "new": (NEW, "applications received", "T3 一、本年新收 总计"),
    "carry_in": (CARRY_IN_KEYS, "applications carried over from last year", "T3 二、上年结转 总计"),
    "carry_out": (CARRY_OUT_KEYS, "applications carried forward", "T3 四、结转下年度继续办理 总计"),
    "review": (REVIEW_KEYS, "administrative reviews", "T4 行政复议 总计"),
    "lit": (LIT_KEYS, "lawsuits", "T4 未经复议直接起诉 总计 + 复议后起诉 总计"),
    "lit_direct": (LIT_KEYS[:1], "lawsuits filed without prior review", "T4 未经复议直接起诉 总计"),
    "lit_after": (LIT_KEYS[1:], "lawsuits filed after review", "T4 复议后起诉 总计"),
}


@dataclass(frozen=True)
class Claim:
    kind: str  # a key of TARGETS
    value: int
    sent: Sent
    i: int  # match span in sent.text
    j: int
    alts: tuple[tuple[str, ...], ...] = ()  # other cell sums the wording may equally mean
    none: bool = False  # a "未发生/未收到/无" statement rather than a count


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in taken)


@per_report
def _app_claims(report: Report) -> Iterator[Claim]:
    y = report.report_year
    for s in sentences(report):
        t = s.text
        if not _holds_any(t, APP_WORDS):
            continue
        taken: list[tuple[int, int]] = []
        for pat in CARRY_OUT:
            for m in pat.finditer(t):
                v = _num(m["num"])
                ty = int(m["year"]) if m["year"] else None  # an explicit target year decides the direction
                if v is None or (ty is None and not _year_ok(s, m.start(), y)):
                    continue
                if ty is None or y is None or ty == y + 1:
                    kind = "carry_out"
                elif ty == y:  # "2020年结转至2021年的2件" in the 2021 report
                    kind = "carry_in"
                else:
                    continue
                taken.append(m.span())
                yield Claim(kind, v, s, m.start(), m.end())
        for pat in CARRY_IN:
            for m in pat.finditer(t):
                v = _num(m["num"])
                if v is not None and _year_ok(s, m.start(), y) and not _overlaps(m.span(), taken):
                    taken.append(m.span())
                    yield Claim("carry_in", v, s, m.start(), m.end())
        for pat in APP_NEW:
            for m in pat.finditer(t):
                v = _num(m["num"])
                if v is None or _overlaps(m.span(), taken) or not _year_ok(s, m.start(), y):
                    continue
                mid = m.groupdict().get("mid") or ""
                before = _clause_before(s, m.start())
                if NOT_OGI_APP.search(mid) or PRIOR_YEAR.search(before) or SUBSET.search(t[:m.start()]):
                    continue
                alts: tuple[tuple[str, ...], ...] = ()
                if m["verb"]:  # "收到…申请": the object must be an OGI application
                    if "公开" not in mid and not _ogi_context(s, m.start()):
                        continue
                elif PROCESSED_VERB.search(before):  # "答复依申请公开的政府信息N条" counts replies
                    continue
                else:  # "依申请公开的政府信息N条" may also mean the information given out
                    alts = (("t3.r_granted.total",), ("t3.r_granted.total", "t3.r_partial.total"),
                            ("t3.r_total.total",))
                if "结转" in t:  # "共收到申请25件（含上年结转3件）"
                    alts += (NEW + CARRY_IN_KEYS,)
                taken.append(m.span())
                yield Claim("new", v, s, m.start(), m.end(), alts)


@per_report
def _case_claims(report: Report) -> Iterator[Claim]:
    y = report.report_year
    for s in sentences(report):
        t = s.text
        if not _holds_any(t, CASE_WORDS):
            continue
        taken: list[tuple[int, int]] = []

        def ok(m) -> bool:
            if _overlaps(m.span(), taken) or not _year_ok(s, m.start(), y):
                return False
            # "办理行政复议案件30件，其中涉及政府信息公开的2件": the first count is wider
            if "其中" in t[m.end():] and "信息公开" not in t[:m.end()]:
                return False
            return _ogi_cases(s) and not PRIOR_YEAR.search(_clause_before(s, m.start()))

        for m in BOTH.finditer(t):
            v = _num(m["num"])
            if v is not None and ok(m) and (m["each"] in ("各", "均为", "均", "都为") or v == 0):
                taken.append(m.span())
                yield Claim("review", v, s, m.start(), m.end())
                yield Claim("lit", v, s, m.start(), m.end())
        for pat in REVIEW:
            for m in pat.finditer(t):
                v = _num(m["num"])
                if v is not None and ok(m):
                    taken.append(m.span())
                    yield Claim("review", v, s, m.start(), m.end())
        for pat in LITIGATION:
            for m in pat.finditer(t):
                v = _num(m["num"])
                k = t.find("行政诉讼", m.start())
                if v is None or not ok(m) or JOINED_BEFORE.search(t[:k]):
                    continue
                before = t[max(0, k - 10):k]
                kind = "lit_direct" if LIT_DIRECT.search(before) else "lit_after" if LIT_AFTER.search(before) else "lit"
                taken.append(m.span())
                yield Claim(kind, v, s, m.start(), m.end())


def _ogi_cases(s: Sent) -> bool:
    """Review/litigation statements count only in s4 or in a sentence about information disclosure
    (a justice bureau's s1 may report the reviews it decides as a review body)."""
    return s.section.key == "s4_review_litigation" or "信息公开" in s.text or "依申请" in s.text


@per_report
def _none_claims(report: Report) -> Iterator[Claim]:
    y = report.report_year
    for s in sentences(report):
        t = s.text
        if not _holds_any(t, NONE_WORDS):
            continue
        for m in NONE_CASES.finditer(t):
            clause = re.split(r"[,;。]", t[m.start():])[0]
            whole = _clause_before(s, m.start()) + clause
            if NONE_CASES_HEDGE.search(whole) or not _year_ok(s, m.start(), y) or not _ogi_cases(s):
                continue
            for what, kind in (("行政复议", "review"), ("行政诉讼", "lit")):
                if what in clause:
                    yield Claim(kind, 0, s, m.start(), m.start() + len(clause), none=True)
        for pat in NONE_APPS + ([NONE_APPS_S3] if s.section.key == "s3_applications" else []):
            m = pat.search(t)
            if m is None or not _year_ok(s, m.start(), y):
                continue
            if PARTIAL_APPS.search(m["mid"] or "") and "公民" not in m["mid"]:
                continue
            if (m["mid"] or "").startswith("因") or re.search(r"复议|诉讼", re.split(r"[,;。]", t[m.end():])[0]):
                continue  # "未发生因政府信息公开申请引发的行政复议" is about reviews
            yield Claim("new", 0, s, m.start(), m.end(), none=True)
            break


def _sum(report: Report, keys: tuple[str, ...]) -> float | None:
    vals = [val(report, k) for k in keys]
    return None if any(v is None for v in vals) else sum(vals)


def _compare(report: Report, rule_id: str, claims: Callable[[Report], Iterable[Claim]],
             kinds: Iterable[str]) -> Iterator[Finding]:
    """One finding per narrative statement (of `claims(report)`) whose number equals neither the
    table nor an alternative reading."""
    if report.template_version not in POST2019:
        return
    seen: set[str] = set()
    for c in claims(report):
        if c.kind not in kinds or c.sent.scope(c.i) + c.kind in seen:
            continue
        seen.add(c.sent.scope(c.i) + c.kind)
        keys, what, label = TARGETS[c.kind]
        table = _sum(report, keys)
        if table is None or c.value == table or any(c.value == _sum(report, a) for a in c.alts):
            continue
        quoted = c.sent.text[c.i:c.j]
        said = f"there were no {what}" if c.none else f"{c.value} {what}"
        yield finding(report, rule_id, "error",
                      f"The text says {said} ({quoted!r} in {c.sent.section.key}), "
                      f"but the table gives {fmt_num(table)} ({label}).",
                      expected=str(c.value), actual=fmt_num(table), cells=keys,
                      evidence=(c.sent.evidence(c.i, c.j),), scope=c.sent.scope(c.i))


# --------------------------------------------------------------------------- D rules

@rule("TXT-APP-NEW", "error", "Narrative count of new applications differs from T3", "PRACT; LOCAL")
def txt_app_new(report: Report) -> Iterable[Finding]:
    """narrative "新收/收到/受理…申请 N 件", "收到 N 件申请", "依申请公开的政府信息 N 条" == t3.new_received.total
    (also accepted: new_received + carried_over when the sentence mentions 结转; for the 依申请公开的政府信息
    wording, r_granted, r_granted + r_partial or r_total)"""
    return _compare(report, "TXT-APP-NEW", _app_claims, {"new"})


@rule("TXT-APP-CARRY-IN", "error", "Narrative count of applications carried over differs from T3", "PRACT; LOCAL")
def txt_app_carry_in(report: Report) -> Iterable[Finding]:
    """narrative "上年结转 N 件" / "N 件为上年结转" / "Y-1年结转至Y年 N 件" == t3.carried_over.total"""
    return _compare(report, "TXT-APP-CARRY-IN", _app_claims, {"carry_in"})


@rule("TXT-APP-CARRY-OUT", "error", "Narrative count of applications carried forward differs from T3",
      "PRACT; LOCAL")
def txt_app_carry_out(report: Report) -> Iterable[Finding]:
    """narrative "结转下年度(继续办理) N 件" / "N 件结转下年度" / "结转至Y+1年 N 件" == t3.carried_forward.total"""
    return _compare(report, "TXT-APP-CARRY-OUT", _app_claims, {"carry_out"})


@rule("TXT-REVIEW", "error", "Narrative count of administrative reviews differs from T4", "PRACT; LOCAL")
def txt_review(report: Report) -> Iterable[Finding]:
    """narrative "行政复议 N 件/起" (in s4 or an information-disclosure sentence) == t4.review.total"""
    return _compare(report, "TXT-REVIEW", _case_claims, {"review"})


@rule("TXT-LITIGATION", "error", "Narrative count of lawsuits differs from T4", "PRACT; LOCAL")
def txt_litigation(report: Report) -> Iterable[Finding]:
    """narrative "行政诉讼 N 件/起" == t4.lit_direct.total + t4.lit_after_review.total;
    "未经复议直接起诉 N 件" == t4.lit_direct.total; "复议后起诉 N 件" == t4.lit_after_review.total"""
    return _compare(report, "TXT-LITIGATION", _case_claims, {"lit", "lit_direct", "lit_after"})


@rule("TXT-NONE-CLAIM", "error", "Narrative says none, the table says otherwise", "PRACT; LOCAL")
def txt_none_claim(report: Report) -> Iterable[Finding]:
    """"未发生/未收到/没有/无 … 行政复议" ⇒ t4.review.total == 0; "… 行政诉讼" ⇒
    t4.lit_direct.total + t4.lit_after_review.total == 0; "未收到…政府信息公开申请" ⇒ t3.new_received.total == 0"""
    return _compare(report, "TXT-NONE-CLAIM", _none_claims, {"new", "review", "lit"})


@rule("TXT-PCT", "warning", "Stated percentage does not match its own numerator and denominator", "PRACT")
def txt_pct(report: Report) -> Iterable[Finding]:
    """|stated % − 100·numerator/denominator| ≤ 0.5 pp, when both are stated in the same sentence:
    "共 D 件 … 其中 X M 件，占 P%" (same unit, D unique before 其中) or "受理 D 件，办结 N 件，办结率 P%" """
    for s in sentences(report):
        if "%" not in s.text:  # PCT_RATE and PCT_ITEM both need one
            continue
        for m in PCT_RATE.finditer(s.text):
            yield from _pct_check(report, s, m, float(m["n"]), float(m["d"]), float(m["p"]), f"{m['nverb']}率")
        for m, d in _pct_items(s):
            p = float(m["p"] or m["p2"])
            yield from _pct_check(report, s, m, float(m["m"]), d, p, "a share of")


def _pct_items(s: Sent) -> Iterator[tuple[re.Match, float]]:
    t = s.text
    items = list(PCT_ITEM.finditer(t))
    if not items:
        return
    item_spans = [m.span() for m in items]
    qs = [m.start() for m in re.finditer("其中", t)]
    for m in items:
        q = max((x for x in qs if x < m.start()), default=None)
        if q is None:
            continue
        lo = max((x + 2 for x in qs if x < q), default=0)
        cands = [c for c in PCT_QTY.finditer(t, lo, q) if c["u"] == m["u"] and not _overlaps(c.span(), item_spans)]
        if not cands:
            continue
        last = cands[-1]
        if len(cands) > 1 and not re.fullmatch(r"[,:]?", t[last.end():q]):
            continue
        d = float(last["d"])
        if d > 0 and float(m["m"]) <= d:
            yield m, d


def _pct_check(report: Report, s: Sent, m: re.Match, num: float, den: float, stated: float,
               what: str) -> Iterator[Finding]:
    if den <= 0:
        return
    computed = 100.0 * num / den
    if abs(computed - stated) <= PCT_TOLERANCE:
        return
    yield finding(report, "TXT-PCT", "warning",
                  f"The text states {what} {fmt_num(stated)}% ({m.group()!r} in {s.section.key}), but "
                  f"{fmt_num(num)} / {fmt_num(den)} = {computed:.2f}%.",
                  expected=f"{computed:.2f}%", actual=f"{fmt_num(stated)}%",
                  evidence=(s.evidence(m.start(), m.end()),), scope=s.scope(m.start()))


# --------------------------------------------------------------------------- TYPO-TERMS

def _core(label: str) -> str:
    """A row label without its item number, stray vertical-label characters and punctuation."""
    n = norm_label(label)
    m = re.search(r"(?:[一二三四五六七八九十]+,|\([一二三四五六七八九十]+\)|[0-9]+\.)", n[:6])
    if m:
        n = n[m.end():]
    return re.sub(r"[\p{P}\p{S}]", "", n)


def _label_typos(report: Report) -> Iterator[Finding]:
    try:
        tpl = get_template(report.template_version or "")
    except KeyError:
        return
    labels = {("t3", r.key): r for r in tpl.t3_rows_all}
    labels.update({("t2", r.key): r for _, r in tpl.t2_rows()})
    seen: set[tuple[str, str]] = set()
    for c in report.cells:
        lab = labels.get((c.table, c.row_key))
        if not c.label or lab is None or (c.table, c.row_key) in seen:
            continue
        printed = _core(c.label)
        forms = [_core(f) for f in lab.forms]
        if not printed or any(printed in f or f in printed for f in forms):
            continue  # the template's label, or a piece of it cut by line wrapping
        if max(fuzz.ratio(printed, f) for f in forms) < 75:
            continue  # not a misprint of this row: leave it to the aligner's own checks
        seen.add((c.table, c.row_key))
        key = f"{c.table}.{c.row_key}.total"
        keys = (key,) if report.cell(key) else (c.key,)
        yield finding(report, "TYPO-TERMS", "warning",
                      f"Row label printed as {c.label.strip()!r}; the template reads {lab.label!r}.",
                      expected=lab.label, actual=c.label.strip(), cells=keys,
                      evidence=(Evidence(f"row label as printed: {c.label.strip()}", c.where),),
                      scope=f"label:{c.table}.{c.row_key}")


def _text_typos(report: Report, printed_labels: list[str]) -> Iterator[Finding]:
    hits: dict[str, list[tuple[Sent, re.Match]]] = {}
    for s in sentences(report):
        if not _holds_any(s.text, TYPO_WORDS):
            continue
        for pat, correct in TYPOS:
            for m in pat.finditer(s.text):
                if not any(m.group() in p for p in printed_labels):
                    hits.setdefault(correct, []).append((s, m))
    for correct, occ in hits.items():
        s, m = occ[0]
        wrong = m.group()
        yield finding(report, "TYPO-TERMS", "warning",
                      f"Misspelt term {wrong!r} (should read {correct!r}), {len(occ)} occurrence(s); "
                      f"first in {s.section.key}.",
                      expected=correct, actual=wrong, scope=f"typo:{correct}",
                      evidence=tuple(x.evidence(y.start(), y.end()) for x, y in occ[:3]))


@rule("TYPO-TERMS", "warning", "Misspelt statutory terms and misprinted template labels", "PRACT; LOCAL")
def typo_terms(report: Report) -> Iterable[Finding]:
    """T2/T3 row label as printed ≠ template label (a misprint, not a wrapped fragment); known misspellings
    in the text (条列→条例, 政府信息工开, 勾嵇/钩稽→勾稽, 行政复意, 其他法律行政止公开, …)
    (the 2007 Regulation cited as the basis is OLD-REG-CITE)"""
    label_findings = list(_label_typos(report))
    yield from label_findings
    yield from _text_typos(report, [norm_label(f.actual) for f in label_findings])


# --------------------------------------------------------------------------- more D rules

# a department or other body as the subject of a clause ("区市场监管局作出…"): the count is a part
OTHER_BODY = re.compile(r"(?<![我本])(?:[\p{Han}]{2,12})(?:局|委员会|管委会|办公室|中心|人民政府|街道办事处|"
                        r"执法大队|支队|大队|派出所)(?!长|主任)")
SELF_BODY = re.compile(r"[我本](?:局|委|厅|办|中心|机关|单位|部门|区|县|市|镇|乡|街道|院|所|署|站)")


def _other_body_before(sent: Sent, i: int) -> bool:
    """A body other than the reporting agency names the subject of the clause before position i."""
    clause = _clause_before(sent, i)
    return bool(OTHER_BODY.search(clause)) and not SELF_BODY.search(clause)


def _subset(sent: Sent, i: int) -> bool:
    """"其中"/"分别" before the count in the same sentence: the count is a part of a wider one."""
    return bool(SUBSET.search(sent.text[:i]))


# ----- TXT-APP-DONE

DONE = _gate(re.compile(r"(?<!按时|按期|如期|延期|逾期|超期|当场|当日|当天|即时|现场|限时|及时|提前|依法按时)"
                        r"(?P<verb>办结|办理完毕|处理完毕|答复完毕|予以答复|作出答复|答复)(?:了)?"
                        r"(?:政府信息公开|依申请公开|信息公开)?(?:的)?(?:申请)?" + TOTAL + NUM + APP_UNIT + r"(?!率)"),
             "办结|完毕|答复")
NOT_DONE_CONTEXT = re.compile(r"诉求|热线|12345|建议|提案|来信|来访|信访|投诉|举报|咨询|留言|事项|审批|许可|办件|"
                              r"业务|工单|复议|诉讼|督办|网民|主动公开")


@dataclass(frozen=True)
class Done:
    value: int
    sent: Sent
    i: int
    j: int


@per_report
def _done_claims(report: Report) -> Iterator[Done]:
    y = report.report_year
    for s in sentences(report):
        if not DONE.may_match(s.text):
            continue
        for m in DONE.finditer(s.text):
            v = _num(m["num"])
            if v is None or not _year_ok(s, m.start(), y) or not _ogi_context(s, m.start()):
                continue
            if NOT_DONE_CONTEXT.search(s.text[:m.end()]) or PRIOR_YEAR.search(_clause_before(s, m.start())):
                continue
            if _other_body_before(s, m.start()):
                continue
            yield Done(v, s, m.start(), m.end())


@rule("TXT-APP-DONE", "warning", "Narrative count of applications handled differs from T3 （七）总计",
      "PRACT; LOCAL")
def txt_app_done(report: Report) -> Iterable[Finding]:
    """narrative "办结/答复/办理完毕 N 件" (an information-disclosure sentence of the report year) ==
    t3.r_total.total; also accepted: t3.r_total.total − t3.carried_over.total (the wording may count
    only this year's new applications)"""
    if report.template_version not in POST2019:
        return
    total, co = val(report, "t3.r_total.total"), val(report, "t3.carried_over.total")
    if total is None:
        return
    ok = {total} | ({total - co} if co is not None else set())
    seen: set[str] = set()
    for c in _done_claims(report):
        if c.value in ok or c.sent.scope(c.i) in seen:
            continue
        seen.add(c.sent.scope(c.i))
        quoted = c.sent.text[c.i:c.j]
        yield finding(report, "TXT-APP-DONE", "warning",
                      f"The text says {c.value} applications were handled ({quoted!r} in {c.sent.section.key}), "
                      f"but T3 （七）总计 gives {fmt_num(total)}.",
                      expected=str(c.value), actual=fmt_num(total), cells=("t3.r_total.total",),
                      evidence=(c.sent.evidence(c.i, c.j),), scope=c.sent.scope(c.i))


# ----- TXT-APP-OUTCOME

OUTCOME_WORDS = {
    "granted_partial": r"(?:予以公开|同意公开|全部公开)(?:或|和|及|与|、|或者)(?:予以)?部分公开",
    "granted": r"(?<!不|部分)(?:予以公开|(?<!不)同意公开|全部公开)",
    "partial": r"(?:同意)?部分公开|(?<!不)予以部分公开",
    "denied": r"不予公开|不同意公开",
    "unable": r"无法提供",
    "unprocessed": r"不予处理",
    "other": r"其他处理",
}
OUTCOME_CN = {"granted_partial": "（一）予以公开 + （二）部分公开", "granted": "（一）予以公开", "partial": "（二）部分公开", "denied": "（三）不予公开",
              "unable": "（四）无法提供", "unprocessed": "（五）不予处理", "other": "（六）其他处理"}
# the words one of which each outcome's wording holds
OUTCOME_NEEDS = {"granted_partial": "部分公开", "granted": "予以公开|同意公开|全部公开", "partial": "部分公开",
                 "denied": "不予公开|不同意公开", "unable": "无法提供", "unprocessed": "不予处理", "other": "其他处理"}
OUTCOME_PATS = [(k, _gate(re.compile(rf"(?P<out>{w})(?:的)?(?:答复|处理|决定)?(?:申请)?(?:的)?" + TOTAL + NUM + APP_UNIT
                                     + r"(?!率)"), OUTCOME_NEEDS[k])) for k, w in OUTCOME_WORDS.items()] + \
               [(k, _gate(re.compile(NUM + APP_UNIT + rf"(?:申请)?(?:均|已|依法)?(?:予以|作出|作|为|属于|被)?(?:了)?"
                                     rf"(?P<out>{w})(?!率|的政府信息|信息)"), OUTCOME_NEEDS[k]))
                for k, w in OUTCOME_WORDS.items()]
OUTCOME_WORDS_ANY = _family(*(p for _, p in OUTCOME_PATS))
NOT_OUTCOME_CONTEXT = re.compile(r"主动公开|复议|诉讼|信访|投诉|咨询|热线|诉求|建议|提案")


def outcome_keys(report: Report, kind: str) -> tuple[str, ...]:
    """The T3 total-column cells an outcome word stands for: the row, or the items of its group."""
    rows = sorted({c.row_key for c in report.cells if c.table == "t3"})
    if kind == "granted":
        return ("t3.r_granted.total",)
    if kind == "granted_partial":
        return ("t3.r_granted.total", "t3.r_partial.total")
    if kind == "partial":
        return ("t3.r_partial.total",)
    if kind == "other":
        items = [r for r in rows if r.startswith("r_other_") and r != "r_other_subtotal"]
        return tuple(f"t3.{r}.total" for r in (items or (["r_other"] if "r_other" in rows else [])))
    prefix = {"denied": "r_denied_", "unable": "r_unable_", "unprocessed": "r_unprocessed_"}[kind]
    return tuple(f"t3.{r}.total" for r in rows if r.startswith(prefix) and r != prefix + "subtotal")


def _outcome_claims(report: Report) -> Iterator[tuple[str, int, Sent, re.Match]]:
    y = report.report_year
    for s in sentences(report):
        if ("申请" not in s.text and s.section.key != "s3_applications") or not _holds_any(s.text, OUTCOME_WORDS_ANY):
            continue
        taken: list[tuple[int, int]] = []
        for kind, pat in OUTCOME_PATS:
            for m in pat.finditer(s.text):
                v = _num(m["num"])
                if v is None or _overlaps(m.span(), taken) or not _year_ok(s, m.start(), y):
                    continue
                if NOT_OUTCOME_CONTEXT.search(s.text[:m.end()]) or PRIOR_YEAR.search(_clause_before(s, m.start())):
                    continue
                if _other_body_before(s, m.start()) or not _ogi_context(s, m.start()):
                    continue
                taken.append(m.span())
                yield kind, v, s, m


@rule("TXT-APP-OUTCOME", "warning", "Narrative count of an outcome differs from T3", "PRACT; LOCAL")
def txt_app_outcome(report: Report) -> Iterable[Finding]:
    """narrative "予以公开 N / 部分公开 N / 不予公开 N / 无法提供 N / 不予处理 N / 其他处理 N 件" == the row's
    total (t3.r_granted.total, t3.r_partial.total) or its group's items summed (Σ r_denied_*, Σ r_unable_*,
    Σ r_unprocessed_*, r_other_all); 予以公开 may also include 部分公开; "予以公开或部分公开 N 件" ==
    r_granted + r_partial"""
    if report.template_version not in POST2019:
        return
    for kind, v, s, m in _outcome_claims(report):
        keys = outcome_keys(report, kind)
        table = _sum(report, keys) if keys else None
        if table is None:
            continue
        alts = [table]
        if kind == "granted":
            both = _sum(report, keys + ("t3.r_partial.total",))
            if both is not None:
                alts.append(both)
        if v in alts:
            continue
        yield finding(report, "TXT-APP-OUTCOME", "warning",
                      f"The text says {v} applications ended as {m['out']} ({m.group()!r} in {s.section.key}), "
                      f"but T3 {OUTCOME_CN[kind]} gives {fmt_num(table)}.",
                      expected=str(v), actual=fmt_num(table), cells=keys,
                      evidence=(s.evidence(m.start(), m.end()),), scope=s.scope(m.start()))


# ----- TXT-T2 and T2-DECISIONS-VS-TEXT (claims read here, the strict rule lives in t2.py)

DOC_UNIT = r"(?P<unit>件|份|个)(?!次)"
NORM_DOC = r"(?:行政)?规范性文件"
REG_DOC = r"(?:政府)?规章"
DOC_VERB_MADE = r"(?:新)?(?:制发|出台|印发|制定)"
DOC_VERB_PUB = r"(?:发布|公开|公布)"
NOT_DOC_CONTEXT = re.compile(r"清理|审查|审核|备案|解读|征求|草案|合法性|修改|修订|拟|计划|起草|评估|报送|转发|"
                             r"上级|国家|省级|类信息|目录|废止和失效|失效")
DEC_KIND = {"许可": "licensing", "处罚": "penalty", "强制": "coercion"}
DECISION_STRICT = [
    _gate(re.compile(r"(?P<pre>作出|做出|下达|出具)?(?:了)?行政(?P<kind>许可|处罚|强制)(?:处理)?决定(?:书)?"
                     r"(?:共|共计|合计|总计)?(?:数量|数|总数)?(?:为|有|达)?" + NUM + r"(?P<unit>件|份|个|起|宗)(?!次)"),
          "行政许可|行政处罚|行政强制", "决定"),
    _gate(re.compile(r"(?P<pre>作出|做出|下达|出具)(?:了)?" + NUM + r"(?P<unit>件|份|个|起|宗)行政(?P<kind>许可|处罚|强制)"
                     r"(?:处理)?决定"), "行政许可|行政处罚|行政强制", "决定"),
]
DECISION_LOOSE = [
    _gate(re.compile(r"(?:查处|办理|办结|立案)?行政(?P<kind>处罚|强制)案件(?:共|共计|合计)?(?:为|有|达)?" + NUM
                     + r"(?P<unit>件|起|宗)"), "行政处罚案件|行政强制案件"),
    _gate(re.compile(r"(?:实施|采取)(?:了)?行政(?P<kind>强制)措施(?:共|共计|合计)?(?:为|有|达)?" + NUM
                     + r"(?P<unit>件|起|宗|次)"), "行政强制措施"),
    _gate(re.compile(r"(?:办理|办结|受理并办结)(?:了)?行政(?P<kind>许可)(?:事项|办件|业务)?(?:共|共计|合计)?(?:为|有|达)?"
                     + NUM + r"(?P<unit>件)"), "行政许可"),
]
NOT_DECISION_CONTEXT = re.compile(r"公开|公示|发布|推送|上网|归集|上传|录入|信息|双公示|复议|诉讼|撤销|纠错|听证")
# wording of a region- or system-wide total, which T2 of the reporting body may not cover
AGGREGATE = re.compile(r"全市|全区|全县|全省|全州|全盟|全旗|全镇|全乡|全国|各级|各部门|各单位|各地|系统|辖区|全域")
FEE_T2 = _gate(re.compile(r"行政事业性收费(?:金额|收入|总额|总计)?(?:共|共计|合计|总计)?(?:为|有|达)?"
                          r"(?P<num>[0-9]+(?:\.[0-9]+)?)(?P<unit>亿元|万元|元)"), "行政事业性收费")


@dataclass(frozen=True)
class T2Claim:
    keys: tuple[str, ...]  # the cell the statement is about first, then other acceptable readings
    value: float
    sent: Sent
    i: int
    j: int
    what: str
    strict: bool = False  # a "作出行政X决定 N 件" statement (T2-DECISIONS-VS-TEXT)


@lru_cache(maxsize=2)
def _t2_doc_patterns(v21: bool) -> tuple:
    """(cell keys, compiled pattern) of the T2 document statements, per edition (compiled once)."""
    pats = []
    for doc, row, word in ((NORM_DOC, "normative_docs", "规范性文件"), (REG_DOC, "regulations", "规章")):
        made = (f"t2.{row}.issued",) if v21 else (f"t2.{row}.new_made", f"t2.{row}.new_published")
        # publishing counts are compared only with the 2019 columns of published documents
        pub = () if v21 else (f"t2.{row}.new_published", f"t2.{row}.new_made", f"t2.{row}.total_published")
        for verb, verbs, keys in ((DOC_VERB_MADE, "制发|出台|印发|制定", made), (DOC_VERB_PUB, "发布|公开|公布", pub)):
            if not keys:
                continue
            pats.append((keys, _gate(re.compile(verb + r"(?:了)?" + doc + TOTAL + NUM + DOC_UNIT), verbs, word)))
            pats.append((keys, _gate(re.compile(verb + r"(?:了)?" + NUM + DOC_UNIT + doc), verbs, word)))
        if v21:
            pats.append(((f"t2.{row}.repealed",), _gate(re.compile(r"废止(?:了)?" + doc + TOTAL + NUM + DOC_UNIT),
                                                        "废止", word)))
            pats.append(((f"t2.{row}.repealed",), _gate(re.compile(r"废止(?:了)?" + NUM + DOC_UNIT + doc), "废止", word)))
            pats.append(((f"t2.{row}.in_force",), _gate(re.compile(r"现行有效(?:的)?" + doc + TOTAL + NUM + DOC_UNIT),
                                                        "现行有效", word)))
    return tuple(pats)


@lru_cache(maxsize=2)
def _t2_words(v21: bool) -> tuple[str, ...]:
    """`_family` of the patterns `_t2_claims` reads."""
    return _family(*(p for _, p in _t2_doc_patterns(v21)), *DECISION_STRICT, *DECISION_LOOSE,
                   *((FEE_T2,) if v21 else ()))


def _t2_doc_claims(report: Report, s: Sent) -> Iterator[T2Claim]:
    for keys, pat in _t2_doc_patterns(report.template_version == "v2021"):
        for m in pat.finditer(s.text):
            clause = _clause_before(s, m.start()) + s.text[m.start():m.end()]
            if NOT_DOC_CONTEXT.search(clause):
                continue
            v = _num(m["num"])
            if v is not None:
                yield T2Claim(keys, float(v), s, m.start(), m.end(), m.group())


@per_report
def _t2_claims(report: Report) -> Iterator[T2Claim]:
    y = report.report_year
    words = _t2_words(report.template_version == "v2021")
    for s in sentences(report):
        if not _holds_any(s.text, words):
            continue
        found: list[T2Claim] = list(_t2_doc_claims(report, s))
        for strict, pats in ((True, DECISION_STRICT), (False, DECISION_LOOSE)):
            for pat in pats:
                for m in pat.finditer(s.text):
                    v = _num(m["num"])
                    clause = _clause_before(s, m.start())
                    if v is None or NOT_DECISION_CONTEXT.search(clause + s.text[m.start():m.end()]):
                        continue
                    if strict and "累计" in clause:
                        continue
                    # a region- or system-wide total may be wider than the agency's own table
                    sure = strict and not AGGREGATE.search(s.text[:m.start()])
                    key = f"t2.{DEC_KIND[m['kind']]}.decisions"
                    found.append(T2Claim((key,), float(v), s, m.start(), m.end(), m.group(), sure))
        if report.template_version == "v2021":
            for m in FEE_T2.finditer(s.text):
                v = float(m["num"]) * {"亿元": 10000.0, "万元": 1.0, "元": 0.0001}[m["unit"]]
                found.append(T2Claim(("t2.admin_fees.amount_10k_cny",), v, s, m.start(), m.end(), m.group()))
        taken: list[tuple[int, int]] = []
        for c in sorted(found, key=lambda c: (not c.strict, c.i)):
            if _overlaps((c.i, c.j), taken) or not _year_ok(s, c.i, y):
                continue
            if _subset(s, c.i) or _other_body_before(s, c.i) or PRIOR_YEAR.search(_clause_before(s, c.i)):
                continue
            taken.append((c.i, c.j))
            yield c


def _t2_same(a: float, b: float, key: str) -> bool:
    if key.endswith("amount_10k_cny"):
        return abs(a - b) <= max(0.005, 0.0005 * abs(b))  # rounding to 2 decimals or 0.05%
    return a == b


def t2_mismatches(report: Report, strict: bool) -> Iterator[tuple[T2Claim, float]]:
    """T2 statements of the narrative (strict: "作出行政X决定 N 件" only) whose number equals no
    acceptable cell; yields the claim and the value of its first cell."""
    if report.template_version not in POST2019:
        return
    seen: set[str] = set()
    for c in _t2_claims(report):
        if c.strict != strict or c.sent.scope(c.i) in seen:
            continue
        vals = [(k, val(report, k)) for k in c.keys if report.cell(k) is not None]
        if not vals or vals[0][1] is None:
            continue
        if any(v is not None and _t2_same(c.value, v, k) for k, v in vals):
            continue
        seen.add(c.sent.scope(c.i))
        yield c, vals[0][1]


@rule("TXT-T2", "warning", "Narrative T2 figures (documents, decisions, fees) differ from T2", "PRACT; LOCAL")
def txt_t2(report: Report) -> Iterable[Finding]:
    """narrative "制发/出台/印发 规范性文件 N 件" == t2.normative_docs.issued (v2019: new_made or
    new_published; "发布/公开 … N 件" v2019 only: new_published, new_made or total_published),
    "废止 … N 件" == repealed, "现行有效 … N 件" == in_force (v2021), the same for 规章;
    "行政处罚/强制案件 N 件", "实施行政强制措施 N 起", "办理行政许可 N 件" == the row's decisions;
    "行政事业性收费 N 万元" == t2.admin_fees.amount_10k_cny (v2021). Statements about a part (其中, another
    body), the previous year, or reviewing/cleaning up documents are not compared"""
    for c, table in t2_mismatches(report, strict=False):
        key = c.keys[0]
        yield finding(report, "TXT-T2", "warning",
                      f"The text says {c.what!r} ({c.sent.section.key}), but T2 {key} = {fmt_num(table)}.",
                      expected=fmt_num(c.value), actual=fmt_num(table), cells=(key,),
                      evidence=(c.sent.evidence(c.i, c.j),), scope=c.sent.scope(c.i))


# ----- fees (T3-ZERO-APPS-FEE, TXT-FEE-S6, T3-OTHER-FEE-LINK, FMT-S6-FEE)

FEE_WORD = r"(?:政府信息公开)?(?:的)?(?:信息处理费用?|信息公开处理费)"
FEE_AMOUNT_NUM = r"(?P<num>[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万]+)(?P<unit>万元|元)"
FEE_AMOUNT = [  # FEE_WORD holds 处理费
    _gate(re.compile(r"(?:收取|收缴|征收|收到|收费)(?:了)?(?:各类)?" + FEE_WORD + r"(?:共|共计|合计|总计|累计)?(?:为|是|达)?"
                     + FEE_AMOUNT_NUM), "处理费"),
    _gate(re.compile(FEE_WORD + r"(?:收入|金额|总额)?(?:共|共计|合计|总计)?(?:为|是|:)?" + FEE_AMOUNT_NUM), "处理费"),
    _gate(re.compile(r"(?:收取|收缴|征收)(?:了)?" + FEE_AMOUNT_NUM + r"(?:的)?" + FEE_WORD), "处理费"),
]
FEE_NONE = _gate(re.compile(r"(?:未|没有|未曾|不曾|均未|从未|无|不存在)(?:向申请人)?(?:收取|收缴|征收|产生|发生)(?:过|任何)?"
                            + FEE_WORD), "处理费")
FEE_WORDS = _family(*FEE_AMOUNT, FEE_NONE)
FEE_NOT_ACTUAL = re.compile(r"每|标准|按件|按页|按量|超过|以上|以下|不超过|起收|单价|/|计收|减免|免收|免除|退还|退回|"
                            r"缴费通知|收费通知|应缴|应收|预计")
FEE_PARTIAL = re.compile(r"部分|减免|免收|免除|低保|困难|其余|除|对|其中|个别|[0-9一二两三四五六七八九十]件")


@dataclass(frozen=True)
class FeeStatement:
    sent: Sent
    i: int
    j: int
    yuan: float | None  # the amount collected, in 元; None for a "未收取" statement
    none: bool = False

    @property
    def quote(self) -> str:
        return self.sent.text[self.i:self.j]


@per_report
def fee_statements(report: Report) -> list[FeeStatement]:
    """Statements of the information-processing fee collected in the report year: amounts
    ("收取信息处理费 0 元", "信息处理费 300 元") and "未收取信息处理费" statements; fee standards,
    waivers and refunds are not read."""
    y = report.report_year
    out: list[FeeStatement] = []
    for s in sentences(report):
        if not _holds_any(s.text, FEE_WORDS):
            continue
        taken: list[tuple[int, int]] = []
        for pat in FEE_AMOUNT:
            for m in pat.finditer(s.text):
                clause = re.split(r"[,;。]", s.text[m.start():])[0]
                if _overlaps(m.span(), taken) or not _year_ok(s, m.start(), y):
                    continue
                if FEE_NOT_ACTUAL.search(_clause_before(s, m.start()) + clause):
                    continue
                v = float(m["num"]) if m["num"][0].isdigit() else chinese_to_int(m["num"])
                if v is None:
                    continue
                taken.append(m.span())
                out.append(FeeStatement(s, m.start(), m.end(), float(v) * (10000 if m["unit"] == "万元" else 1)))
        for m in FEE_NONE.finditer(s.text):
            clause = _clause_before(s, m.start()) + re.split(r"[,;。]", s.text[m.start():])[0]
            if _overlaps(m.span(), taken) or not _year_ok(s, m.start(), y) or FEE_PARTIAL.search(clause):
                continue
            out.append(FeeStatement(s, m.start(), m.end(), None, none=True))
    return out


@rule("TXT-FEE-S6", "error", "The fee statements contradict each other", "F21, FEE20")
def txt_fee_s6(report: Report) -> Iterable[Finding]:
    """information-processing fee of the report year: a "未收取信息处理费" statement ⇒ every stated amount
    == 0 (the link with T3 is T3-ZERO-APPS-FEE)"""
    if report.template_version not in POST2019:
        return
    sts = fee_statements(report)
    none = next((s for s in sts if s.none), None)
    paid = next((s for s in sts if s.yuan), None)
    if none is None or paid is None:
        return
    yield finding(report, "TXT-FEE-S6", "error",
                  f"The text says no 信息处理费 was collected ({none.quote!r} in {none.sent.section.key}) and also "
                  f"that {fmt_num(paid.yuan)} 元 were collected ({paid.quote!r} in {paid.sent.section.key}).",
                  expected="0 元", actual=f"{fmt_num(paid.yuan)} 元",
                  evidence=(none.sent.evidence(none.i, none.j), paid.sent.evidence(paid.i, paid.j)),
                  scope=paid.sent.scope(paid.i))
