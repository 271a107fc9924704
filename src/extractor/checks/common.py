"""Helpers shared by the rule functions: reading cell values the way RULES.md says
(blank counts as 0 for arithmetic), and building findings with evidence."""
from __future__ import annotations

import re
import unicodedata

from ..model import CellValue, Evidence, Finding, Report

T3_COLS = ("natural_person", "org_commercial", "org_research", "org_public_welfare",
           "org_legal_service", "org_other", "total")
ORG_COLS = T3_COLS[1:6]
T4_BLOCKS = ("review", "lit_direct", "lit_after_review")
T4_COLS = ("upheld", "corrected", "other", "pending", "total")
POST2019 = ("v2019", "v2021")

# statuses whose value may be used in arithmetic (blank = 0, "/" and "—" = 0 per RULES.md)
USABLE = {"ok", "blank", "dash", "slash", "nonnumeric", "uncertain"}


def val(report: Report, key: str) -> float | None:
    """The cell's value for arithmetic: blank and placeholders count as 0; None when
    the cell is missing, ambiguous, or holds text that is not a number."""
    c = report.cell(key)
    if c is None or c.status not in USABLE:
        return None
    if c.value is None:
        return 0.0 if c.status == "blank" else None
    return float(c.value)


def uncertain(report: Report, keys) -> bool:
    return any((c := report.cell(k)) is not None and c.status == "uncertain" for k in keys)


def fmt_num(v: float | None) -> str:
    if v is None:
        return "?"
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def cell_evidence(report: Report, keys) -> tuple[Evidence, ...]:
    out = []
    for k in keys:
        c: CellValue | None = report.cell(k)
        if c is not None:
            out.append(Evidence(f"{k} = {c.raw!r}", c.where))
    return tuple(out)


def finding(report: Report, rule_id: str, severity: str, message: str, *, expected="", actual="",
            cells=(), evidence=(), scope="") -> Finding:
    """A finding; table cells named in `cells` get their raw text and location as evidence.
    Findings that rest on an OCR cell marked uncertain are downgraded to warnings."""
    cells = tuple(cells)
    if severity == "error" and uncertain(report, cells):
        severity = "warning"
    ev = tuple(evidence) + cell_evidence(report, cells)
    return Finding(rule_id=rule_id, severity=severity, message=message, expected=str(expected),
                   actual=str(actual), cells=cells, evidence=ev, scope=scope)


# full-width ASCII forms and the ideographic space: each character's NFKC form is one ASCII character
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_FULLWIDTH_NFKC = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000)}


def _fullwidth_nfkc(m: re.Match) -> str:
    return _FULLWIDTH_NFKC[m.group()]


def nfkc_chars(text: str) -> str | None:
    """The NFKC form of each character of `text` on its own, when every one is a single character
    and so the result is `text` character for character (else None). Found without normalising
    character by character: replacing the full-width forms by their NFKC forms leaves a string
    with the same NFKC form; when that string is already normalised, each of its characters is,
    on its own."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    t = _FULLWIDTH.sub(_fullwidth_nfkc, text)
    return t if unicodedata.is_normalized("NFKC", t) else None


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), faster for the usual report text."""
    t = nfkc_chars(text)
    return t if t is not None else unicodedata.normalize("NFKC", text)
