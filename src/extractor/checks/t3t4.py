"""Tables 3 and 4 beyond the printed identities (RULES.md groups A and B): value ranges,
cell counts, backlog, and the few links between T3 and the narrative that need no
number-by-number comparison (fees, terminology, an empty table beside a text that
reports applications)."""
from __future__ import annotations

import regex as re

from ..model import Evidence, Report, Where
from .arithmetic import unreadable_rows
from .common import POST2019, T4_BLOCKS, T4_COLS, USABLE, finding, fmt_num, val
from .registry import rule
from .text import _app_claims, _gate, _none_claims, fee_statements, sentences

# T3-CARRY-RATE: share of the year's workload carried into the next year that is worth showing
CARRY_RATE_THRESHOLD = 0.3


def _bad_counts(report: Report, table: str) -> list:
    """Cells of `table` holding a negative or fractional number."""
    out = []
    for c in report.cells:
        if c.table != table or c.status not in USABLE or c.value is None:
            continue
        if c.value < 0 or not float(c.value).is_integer():
            out.append(c)
    return out


def _nonneg_findings(report: Report, table: str, rule_id: str, what_counts: str):
    for c in _bad_counts(report, table):
        what = "negative" if c.value < 0 else "not a whole number"
        yield finding(report, rule_id, "error",
                      f"{c.key} = {c.raw.strip()!r} is {what}; {what_counts} are whole numbers ≥ 0",
                      expected="integer >= 0", actual=fmt_num(c.value), cells=[c.key], scope=c.key)


@rule("T3-NONNEG-INT", "error", "T3 cells are non-negative integers", "PRACT")
def t3_nonneg_int(report: Report):
    """∀ T3 cell x (printed numbers; blank and placeholders are 0): x ∈ ℤ, x ≥ 0"""
    if report.template_version not in POST2019:
        return
    yield from _nonneg_findings(report, "t3", "T3-NONNEG-INT", "application counts")


@rule("T4-NONNEG-INT", "error", "T4 cells are non-negative integers", "PRACT")
def t4_nonneg_int(report: Report):
    """∀ T4 cell x (the 15 case counts): x ∈ ℤ, x ≥ 0"""
    if report.template_version not in POST2019:
        return
    yield from _nonneg_findings(report, "t4", "T4-NONNEG-INT", "case counts")


@rule("T4-CELLCOUNT", "error", "T4 has exactly 15 cells", "F19/F21")
def t4_cellcount(report: Report):
    """len(T4 template cells read) == 15 (3 blocks × 维持/纠正/其他/尚未审结/总计): error when the
    printed row holds another number of cells; a T4 that is printed but whose row could not be
    read at all is a warning (the reader, not the report, may be at fault)"""
    if report.template_version not in POST2019:
        return
    want = [f"t4.{b}.{c}" for b in T4_BLOCKS for c in T4_COLS]
    got = [k for k in want if report.cell(k) is not None]
    issues = [i for i in report.shape_issues if i.get("table") == "t4"]
    if not got:
        unread = [i for i in issues if "no row" in i.get("problem", "") or "no numbers" in i.get("problem", "")]
        if unread:
            yield finding(report, "T4-CELLCOUNT", "warning",
                          f"T4 is printed but its 15 cells could not be read ({unread[0]['problem']})",
                          expected="15", actual="0", scope="unread",
                          evidence=[Evidence(unread[0]["problem"], Where())])
        return
    if len(got) != len(want):
        missing = [k for k in want if k not in got]
        yield finding(report, "T4-CELLCOUNT", "error",
                      f"T4 has {len(got)} of its 15 cells; missing: {', '.join(missing)}",
                      expected="15", actual=str(len(got)), cells=got, scope="count")


@rule("T3-CARRY-RATE", "info", "Unusually high backlog carried into the next year", "PRACT")
def t3_carry_rate(report: Report):
    """t3.carried_forward.total / (t3.new_received.total + t3.carried_over.total) > 0.3"""
    if report.template_version not in POST2019:
        return
    cf, new, co = (val(report, f"t3.{r}.total") for r in ("carried_forward", "new_received", "carried_over"))
    if cf is None or new is None or co is None or new + co <= 0:
        return
    rate = cf / (new + co)
    if rate > CARRY_RATE_THRESHOLD:
        yield finding(report, "T3-CARRY-RATE", "info",
                      f"{fmt_num(cf)} of {fmt_num(new + co)} applications ({rate:.0%}) are carried forward to the "
                      f"next year (threshold {CARRY_RATE_THRESHOLD:.0%})",
                      expected=f"<= {CARRY_RATE_THRESHOLD:.0%}", actual=f"{rate:.1%}",
                      cells=["t3.carried_forward.total", "t3.new_received.total", "t3.carried_over.total"],
                      scope="total")


FEE_TALK = re.compile(r"信息处理费|收费通知|缴纳费用|缴费")


@rule("T3-OTHER-FEE-LINK", "warning", "Applications dropped for unpaid fees, but s6 is silent on 信息处理费",
      "F21, FEE20")
def t3_other_fee_link(report: Report):
    """v2021: t3.r_other_fee_unpaid.total > 0 ⇒ s6 mentions 信息处理费 / 收费通知 (when the report has
    no s6, the whole text is searched)"""
    if report.template_version != "v2021":
        return
    n = val(report, "t3.r_other_fee_unpaid.total")
    if n is None or n <= 0:
        return
    s6 = report.section("s6_other")
    texts = [s6.text] if s6 is not None else [s.text for s in report.sections]
    if any(FEE_TALK.search("".join((t or "").split())) for t in texts):
        return
    where = "s6" if s6 is not None else "the report (which has no s6)"
    yield finding(report, "T3-OTHER-FEE-LINK", "warning",
                  f"T3 （六）2 counts {fmt_num(n)} applications dropped for unpaid fees, so fee notices were issued, "
                  f"but {where} says nothing about 信息处理费",
                  expected="s6 reports 信息处理费", actual="not mentioned", cells=["t3.r_other_fee_unpaid.total"],
                  scope="fee-link")


@rule("T3-ZERO-APPS-FEE", "error", "Fees reported although no application was handled", "FEE20, PRACT")
def t3_zero_apps_fee(report: Report):
    """v2021: t3.new_received.total + t3.carried_over.total == 0 ⇒ information-processing fee
    stated for the report year == 0 (fees arise only from applications)"""
    if report.template_version != "v2021":
        return
    new, co = val(report, "t3.new_received.total"), val(report, "t3.carried_over.total")
    if new is None or co is None or new + co != 0:
        return
    for st in fee_statements(report):
        if st.yuan is not None and st.yuan > 0:
            yield finding(report, "T3-ZERO-APPS-FEE", "error",
                          f"The text says {fmt_num(st.yuan)} 元 of 信息处理费 were collected ({st.quote!r} in "
                          f"{st.sent.section.key}), but T3 shows no application received or carried over",
                          expected="0 元", actual=f"{fmt_num(st.yuan)} 元",
                          cells=["t3.new_received.total", "t3.carried_over.total"],
                          evidence=(st.sent.evidence(st.i, st.j),), scope=st.sent.scope(st.i))
            return


# the two 不予处理 items that are sometimes called 不予公开 in the prose
REISSUE = _gate(re.compile(r"(?P<what>公开出版物|确认或重新出具|重新出具)(?P<mid>[^0-9。;]{0,20}?)不予公开"
                           r"|不予公开(?P<mid2>[^0-9。;]{0,12}?)(?P<what2>公开出版物|确认或重新出具|重新出具)"),
                "不予公开", "公开出版物|重新出具")


@rule("T3-CONFIRM-REISSUE-NOTE", "info", "要求提供公开出版物 / 确认或重新出具 described as 不予公开",
      "REG19 Art. 39, F19/F21")
def t3_confirm_reissue_note(report: Report):
    """the narrative puts 要求提供公开出版物 or 要求行政机关确认或重新出具已获取信息 (不予处理 items
    (五)3 and (五)5) under 不予公开 (within one clause, no table digits between)"""
    if report.template_version not in POST2019:
        return
    for s in sentences(report):
        for m in REISSUE.finditer(s.text):
            mid = m["mid"] if m["mid"] is not None else m["mid2"]
            if "不予处理" in mid or "处理" in mid:
                continue
            what = m["what"] or m["what2"]
            yield finding(report, "T3-CONFIRM-REISSUE-NOTE", "info",
                          f"The text treats {what!r} as 不予公开; the template counts such requests under "
                          f"（五）不予处理 (Regulation Art. 39)",
                          expected="不予处理", actual="不予公开", evidence=(s.evidence(m.start(), m.end()),),
                          scope=s.scope(m.start()))
            return


def _t3_all_zero(report: Report) -> bool | None:
    """True when every T3 template cell is 0 or blank, False when one holds a number > 0, None
    when T3 was not read (or a cell cannot be read)."""
    cells = [c for c in report.cells if c.table == "t3" and c.in_template]
    if not cells or unreadable_rows(report, "t3"):
        return None
    if any(c.status not in USABLE or (c.value is None and c.status != "blank") for c in cells):
        return None
    return all(not c.value for c in cells)


@rule("T3-EMPTY-WITH-TEXT", "error", "T3 empty while the text reports applications (or the reverse)",
      "PRACT, LOCAL")
def t3_empty_with_text(report: Report):
    """every T3 cell 0/blank ∧ the narrative states N > 0 applications received or carried over
    (the statements of TXT-APP-NEW / TXT-APP-CARRY-IN); or t3.new_received.total > 0 ∧ the narrative
    says no application was received (the statement of TXT-NONE-CLAIM)"""
    if report.template_version not in POST2019:
        return
    empty = _t3_all_zero(report)
    if empty is None:
        return
    if empty:
        for c in _app_claims(report):
            if c.kind in ("new", "carry_in") and c.value > 0:
                quoted = c.sent.text[c.i:c.j]
                yield finding(report, "T3-EMPTY-WITH-TEXT", "error",
                              f"T3 is all zero or blank, but the text reports {c.value} applications ({quoted!r} "
                              f"in {c.sent.section.key})", expected=str(c.value), actual="0",
                              cells=["t3.new_received.total", "t3.carried_over.total"],
                              evidence=(c.sent.evidence(c.i, c.j),), scope="empty-table")
                return
        return
    new = val(report, "t3.new_received.total")
    if new is None or new <= 0:
        return
    for c in _none_claims(report):
        if c.kind == "new":
            quoted = c.sent.text[c.i:c.j]
            yield finding(report, "T3-EMPTY-WITH-TEXT", "error",
                          f"The text says no application was received ({quoted!r} in {c.sent.section.key}), but "
                          f"T3 counts {fmt_num(new)} new applications", expected="0", actual=fmt_num(new),
                          cells=["t3.new_received.total"], evidence=(c.sent.evidence(c.i, c.j),), scope="empty-text")
            return


@rule("T4-APPS-ZERO", "info", "Review or litigation cases without any application this year", "PRACT")
def t4_apps_zero(report: Report):
    """document-only form: t3.new_received.total + t3.carried_over.total == 0 ∧ Σ t4.*.total > 0
    (last year's applications, prev.t3, are not looked at here: a case may come from them or from
    主动公开, hence info)"""
    if report.template_version not in POST2019:
        return
    new, co = val(report, "t3.new_received.total"), val(report, "t3.carried_over.total")
    totals = [val(report, f"t4.{b}.total") for b in T4_BLOCKS]
    if new is None or co is None or any(t is None for t in totals) or new + co != 0 or sum(totals) <= 0:
        return
    yield finding(report, "T4-APPS-ZERO", "info",
                  f"T4 counts {fmt_num(sum(totals))} review/litigation cases, but T3 shows no application this "
                  f"year (none new, none carried over)", expected="0 cases or some applications",
                  actual=fmt_num(sum(totals)),
                  cells=["t3.new_received.total", "t3.carried_over.total"] + [f"t4.{b}.total" for b in T4_BLOCKS],
                  scope="apps-zero")

