"""Timeliness and year identity (RULES.md groups F and G)."""
from __future__ import annotations

from datetime import date

from ..model import Evidence, Report, Where
from .common import finding
from .registry import rule


@rule("TIME-EARLY", "warning", "published before the report year ended", "PRACT")
def time_early(report: Report):
    """published_on < date(Y+1, 1, 1) — usually a year-label error in the date or the title"""
    y, d = report.report_year, report.published_on
    if y is None or d is None or d >= date(y + 1, 1, 1):
        return
    yield finding(report, "TIME-EARLY", "warning",
                  f"dated {d.isoformat()} ({report.published_on_source}), before report year {y} ended",
                  expected=f">= {y + 1}-01-01", actual=d.isoformat(),
                  evidence=[Evidence(report.meta.get("signature") or str(report.meta.get("published", "")),
                                     Where())], scope=d.isoformat())


@rule("YEAR-TITLE-PERIOD", "error", "title year = statistic-period year", "PRACT")
def year_title_period(report: Report):
    """title_year != period_year (statistic period 统计期限 YYYY年1月1日至12月31日)"""
    ty, py = report.meta.get("title_year"), report.period_year
    if ty is None or py is None or ty == py:
        return
    yield finding(report, "YEAR-TITLE-PERIOD", "error",
                  f"the title says {ty} but the statistic period is {py}", expected=str(ty), actual=str(py),
                  evidence=[Evidence(report.title, Where()), Evidence(report.meta.get("period", ""), Where())],
                  scope=f"{ty}/{py}")
