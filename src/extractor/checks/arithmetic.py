"""Table arithmetic (RULES.md groups A and B): the identities printed in, or
directly implied by, the official template."""
from __future__ import annotations

from ..model import Report
from .common import ORG_COLS, POST2019, T3_COLS, T4_BLOCKS, finding, fmt_num, val
from .registry import rule

COL_CN = {"natural_person": "自然人", "org_commercial": "商业企业", "org_research": "科研机构",
          "org_public_welfare": "社会公益组织", "org_legal_service": "法律服务机构", "org_other": "其他",
          "total": "总计", "org_subtotal": "小计"}
BLOCK_CN = {"review": "行政复议", "lit_direct": "行政诉讼·未经复议直接起诉", "lit_after_review": "行政诉讼·复议后起诉"}


def _t3_rows(report: Report) -> list[str]:
    """T3 row keys printed in this report, in first-seen order."""
    return list(dict.fromkeys(c.row_key for c in report.cells if c.table == "t3"))


def unreadable_rows(report: Report, table: str) -> set[str]:
    """Rows whose label was found but whose values could not be read (see align)."""
    return {i["row"] for i in report.shape_issues if i.get("table") == table and i.get("row")}


def outcome_rows(report: Report) -> list[str]:
    """The outcome leaf rows that （七）总计 adds up: every printed r_* row except the total
    and subtotals; the 2019-style single （六）其他处理 row counts only when the 2021 items
    are not printed (r_other_all in RULES.md)."""
    rows = [r for r in _t3_rows(report) if r.startswith("r_") and r != "r_total" and not r.endswith("_subtotal")]
    if any(r.startswith("r_other_") for r in rows):
        rows = [r for r in rows if r != "r_other"]
    return rows


@rule("T3-BAL", "error", "一 + 二 = 三（七）总计 + 四, per column", "F19, F21 (note printed in table header)")
def t3_balance(report: Report):
    """∀c∈C: t3.new_received.c + t3.carried_over.c == t3.r_total.c + t3.carried_forward.c"""
    if report.template_version not in POST2019:
        return
    for c in T3_COLS:
        keys = [f"t3.{r}.{c}" for r in ("new_received", "carried_over", "r_total", "carried_forward")]
        v = [val(report, k) for k in keys]
        if any(x is None for x in v):
            continue
        left, right = v[0] + v[1], v[2] + v[3]
        if left != right:
            yield finding(report, "T3-BAL", "error",
                          f"{COL_CN[c]}: 一 {fmt_num(v[0])} + 二 {fmt_num(v[1])} = {fmt_num(left)}, but "
                          f"三（七）总计 {fmt_num(v[2])} + 四 {fmt_num(v[3])} = {fmt_num(right)}",
                          expected=fmt_num(left), actual=fmt_num(right), cells=keys, scope=c)


@rule("T3-TOTAL-ROW", "error", "（七）总计 = sum of all outcome rows, per column", "F19/F21 (meaning of 总计); PRACT")
def t3_total_row(report: Report):
    """∀c∈C: t3.r_total.c == r_granted + r_partial + Σ r_denied_* (8) + Σ r_unable_* (3)
    + Σ r_unprocessed_* (5) + r_other_all (v2019: r_other; v2021: Σ 3 items)"""
    if report.template_version not in POST2019:
        return
    rows = outcome_rows(report)
    if any(r.startswith("r_") for r in unreadable_rows(report, "t3")):
        return  # an outcome row is printed but could not be read: the sum cannot be checked
    for c in T3_COLS:
        total = val(report, f"t3.r_total.{c}")
        parts = [(r, val(report, f"t3.{r}.{c}")) for r in rows]
        if total is None or not parts or any(v is None for _, v in parts):
            continue
        s = sum(v for _, v in parts)
        if s != total:
            nonzero = [f"{r} {fmt_num(v)}" for r, v in parts if v]
            yield finding(report, "T3-TOTAL-ROW", "error",
                          f"{COL_CN[c]}: the outcome rows add up to {fmt_num(s)} "
                          f"({' + '.join(nonzero) or 'all 0'}), but （七）总计 says {fmt_num(total)}",
                          expected=fmt_num(s), actual=fmt_num(total),
                          cells=[f"t3.r_total.{c}"] + [f"t3.{r}.{c}" for r, v in parts if v], scope=c)


@rule("T3-TOTAL-COL", "error", "总计 column = 自然人 + the five organisation columns, per row",
      "F19/F21 (meaning of 总计); PRACT")
def t3_total_col(report: Report):
    """∀row: t3.row.total == t3.row.natural_person + Σ_{o∈ORG} t3.row.o"""
    if report.template_version not in POST2019:
        return
    for r in _t3_rows(report):
        total = val(report, f"t3.{r}.total")
        parts = [val(report, f"t3.{r}.{c}") for c in ("natural_person",) + ORG_COLS]
        if total is None or any(v is None for v in parts):
            continue
        s = sum(parts)
        if s != total:
            yield finding(report, "T3-TOTAL-COL", "error",
                          f"row {r}: 自然人 + 法人或其他组织 = {fmt_num(s)}, but 总计 says {fmt_num(total)}",
                          expected=fmt_num(s), actual=fmt_num(total),
                          cells=[f"t3.{r}.total"] + [f"t3.{r}.{c}" for c in ("natural_person",) + ORG_COLS],
                          scope=r)


@rule("T3-SUBTOTAL", "error", "printed subtotal rows/columns equal their children", "PRACT")
def t3_subtotal(report: Report):
    """t3.row.org_subtotal == Σ ORG; t3.r_denied_subtotal.c == Σ 8 items (and the other groups)"""
    if report.template_version not in POST2019:
        return
    for r in _t3_rows(report):
        sub = val(report, f"t3.{r}.org_subtotal")
        parts = [val(report, f"t3.{r}.{c}") for c in ORG_COLS]
        if sub is not None and all(v is not None for v in parts) and sum(parts) != sub:
            yield finding(report, "T3-SUBTOTAL", "error",
                          f"row {r}: the organisation columns add up to {fmt_num(sum(parts))}, but 小计 says "
                          f"{fmt_num(sub)}", expected=fmt_num(sum(parts)), actual=fmt_num(sub),
                          cells=[f"t3.{r}.org_subtotal"] + [f"t3.{r}.{c}" for c in ORG_COLS], scope=r)
    rows = _t3_rows(report)
    for prefix in ("r_denied", "r_unable", "r_unprocessed", "r_other"):
        sub_row = f"{prefix}_subtotal"
        if sub_row not in rows:
            continue
        items = [r for r in rows if r.startswith(prefix + "_") and r != sub_row and r != "r_other"]
        for c in T3_COLS:
            sub = val(report, f"t3.{sub_row}.{c}")
            parts = [val(report, f"t3.{r}.{c}") for r in items]
            if sub is None or not parts or any(v is None for v in parts):
                continue
            if sum(parts) != sub:
                yield finding(report, "T3-SUBTOTAL", "error",
                              f"{sub_row} {COL_CN[c]}: items add up to {fmt_num(sum(parts))}, subtotal says "
                              f"{fmt_num(sub)}", expected=fmt_num(sum(parts)), actual=fmt_num(sub),
                              cells=[f"t3.{sub_row}.{c}"] + [f"t3.{r}.{c}" for r in items], scope=f"{sub_row}.{c}")


@rule("T3-PARTIAL-ONCE", "warning", "部分公开 counted once only: outcomes cannot exceed the applications",
      "F19/F21 row label")
def t3_partial_once(report: Report):
    """Σ outcome rows (总计 column) > t3.new_received.total + t3.carried_over.total ⇒ some
    application was counted under several outcomes (the row note says 区分处理的，只计这一情形)"""
    if report.template_version not in POST2019:
        return
    rows = outcome_rows(report)
    if any(r.startswith("r_") for r in unreadable_rows(report, "t3")):
        return
    parts = [val(report, f"t3.{r}.total") for r in rows]
    new, carry = val(report, "t3.new_received.total"), val(report, "t3.carried_over.total")
    if not parts or any(v is None for v in parts) or new is None or carry is None:
        return
    s = sum(parts)
    if s > new + carry:
        yield finding(report, "T3-PARTIAL-ONCE", "warning",
                      f"the outcome rows count {fmt_num(s)} applications, more than the {fmt_num(new + carry)} "
                      f"received or carried over; partially disclosed applications "
                      f"({fmt_num(val(report, 't3.r_partial.total'))}) may also be counted under another outcome",
                      expected=f"<= {fmt_num(new + carry)}", actual=fmt_num(s),
                      cells=["t3.r_partial.total", "t3.new_received.total", "t3.carried_over.total"], scope="total")


def _t4_sum(report: Report, block: str, rule_id: str):
    if report.template_version not in POST2019:
        return
    keys = [f"t4.{block}.{c}" for c in ("upheld", "corrected", "other", "pending", "total")]
    v = [val(report, k) for k in keys]
    if any(x is None for x in v):
        return
    s = sum(v[:4])
    if s != v[4]:
        yield finding(report, rule_id, "error",
                      f"{BLOCK_CN[block]}: 结果维持 {fmt_num(v[0])} + 结果纠正 {fmt_num(v[1])} + 其他结果 "
                      f"{fmt_num(v[2])} + 尚未审结 {fmt_num(v[3])} = {fmt_num(s)}, but 总计 says {fmt_num(v[4])}",
                      expected=fmt_num(s), actual=fmt_num(v[4]), cells=keys, scope=block)


@rule("T4-REVIEW-SUM", "error", "行政复议 总计 = 维持 + 纠正 + 其他 + 尚未审结", "F19/F21 (meaning of 总计)")
def t4_review_sum(report: Report):
    """t4.review.total == upheld + corrected + other + pending"""
    return _t4_sum(report, "review", "T4-REVIEW-SUM") or ()


@rule("T4-LITDIRECT-SUM", "error", "未经复议直接起诉 总计 = 维持 + 纠正 + 其他 + 尚未审结", "F19/F21")
def t4_litdirect_sum(report: Report):
    """t4.lit_direct.total == upheld + corrected + other + pending"""
    return _t4_sum(report, "lit_direct", "T4-LITDIRECT-SUM") or ()


@rule("T4-LITAFTER-SUM", "error", "复议后起诉 总计 = 维持 + 纠正 + 其他 + 尚未审结", "F19/F21")
def t4_litafter_sum(report: Report):
    """t4.lit_after_review.total == upheld + corrected + other + pending"""
    return _t4_sum(report, "lit_after_review", "T4-LITAFTER-SUM") or ()


assert set(BLOCK_CN) == set(T4_BLOCKS)
