"""Report metadata: issuing body (as printed), report year, statistic period,
publication date — each with the evidence it was taken from."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import regex as re

from .numbers import chinese_to_int
from .segment import DOC_TITLE

CN = "〇○零一二三四五六七八九十"
DATE = re.compile(rf"(?P<y>(?:19|20)\d{{2}}|[{CN}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{CN}]{{1,2}})\s*月\s*"
                  rf"(?P<d>\d{{1,2}}|[{CN}]{{1,3}})\s*日")
ISO_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})")
PERIOD = re.compile(r"统计(?:期限|时限|时间|期间|区间)\s*(?:为|是|自|从|:|：)?\s*(?:自|从)?\s*(?P<y1>(?:19|20)\d{2})\s*年\s*"
                    r"0?1\s*月\s*0?1\s*日\s*(?:起)?\s*(?:至|到|—|－|-|~)\s*(?:(?P<y2>(?:19|20)\d{2})\s*年)?\s*12\s*月\s*31\s*日")
ORG_END = re.compile(r"(政府|办事处|委员会|局|办公室|办公厅|厅|委|院|中心|街道|镇|乡|署|会|部|所|站|处|室|管委会|公司)$")
SIG_TAIL = re.compile(rf"(?:(?P<org>[^\s。，,；;：:！!？?]{{2,40}})\s*)?(?P<date>{DATE.pattern})\s*$")


def to_int(s: str) -> int | None:
    s = s.strip()
    return int(s) if s.isdigit() else chinese_to_int(s)


def make_date(m) -> date | None:
    y, mo, d = to_int(m.group("y")), to_int(m.group("m")), to_int(m.group("d"))
    try:
        return date(y, mo, d) if y and mo and d else None
    except ValueError:
        return None


@dataclass
class Signature:
    org: str | None
    date: date | None
    raw: str
    start: int  # offset in the body text where the signature begins


def find_signature(body_text: str) -> Signature | None:
    """The issuing body and date printed at the very end of the report."""
    tail_start = max(0, len(body_text) - 120)
    tail = body_text[tail_start:].rstrip()
    m = SIG_TAIL.search(tail)
    if not m:
        return None
    org = m.group("org")
    if org and not ORG_END.search(org):
        org = None
    start = tail_start + (m.start("org") if org else m.start("date"))
    return Signature(org, make_date(m), m.group(0).strip(), start)


def title_parts(title: str) -> tuple[str | None, int | None]:
    """(agency, year) from a report title."""
    m = DOC_TITLE.search(title or "")
    if not m:
        return None, None
    agency = m.group("agency") or m.group("agency2")
    year = to_int(m.group("year") or m.group("year2"))
    if agency:
        agency = "".join(agency.split())
        agency = agency.removeprefix("关于")
    return agency, year


def period_year(text: str) -> tuple[int | None, str]:
    m = PERIOD.search(text)
    if not m:
        return None, ""
    y1, y2 = int(m.group("y1")), m.group("y2")
    return y1, m.group(0) + ("" if not y2 or int(y2) == y1 else f" (ends in {y2})")


def page_date(meta: dict) -> date | None:
    for k in ("published", "written"):
        v = meta.get(k)
        if v:
            m = ISO_DATE.search(v) or DATE.search(v)
            if m:
                return make_date(m)
    return None
