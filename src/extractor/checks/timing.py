"""Timeliness and year identity (RULES.md groups F and G)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .. import agency as A
from .. import meta as M
from ..deadlines import GOVOFFICE_MODES, config_of
from ..model import Evidence, Report, Where
from .common import finding
from .registry import rule

ART49_1 = "县级以上人民政府部门: Regulation 2019 Art. 49 ¶1"
ART49_2 = "县级以上地方人民政府: Regulation 2019 Art. 49 ¶2"


@dataclass(frozen=True)
class PubDate:
    """The publication date the deadline rules judge, with where it was read."""

    date: date
    source: str  # page_meta | signature | file_properties | what the pipeline recorded
    text: str  # the text it was read from, for the evidence

    @property
    def weak(self) -> bool:
        """A file's own created/modified property is not a publication date."""
        return self.source == "file_properties"


def publication_date(report: Report) -> PubDate | None:
    """RULES.md F: the page's meta (发布日期, then 成文日期), then the date printed at the end
    of the report (the signature), then the file's properties. `report.published_on`
    prefers the signature; the deadline rules follow this order instead."""
    for key, label in (("published", "发布日期"), ("written", "成文日期")):
        v = report.meta.get(key)
        if isinstance(v, str) and (d := M.page_date({key: v})) is not None:
            return PubDate(d, "page_meta", f"page {label}: {v}")
    d, src = report.published_on, report.published_on_source
    if d is None:
        return None
    if src == "signature":
        return PubDate(d, src, f"signature: {report.meta.get('signature', d.isoformat())}")
    if src == "file_properties":
        which = next((k for k in ("modified", "created") if report.meta.get(k)), "modified/created")
        return PubDate(d, src, f"file property {which}: {report.meta.get(which, d.isoformat())}")
    return PubDate(d, src or "published_on", f"{src or 'published_on'}: {d.isoformat()}")


def _level_evidence(report: Report) -> Evidence:
    why = report.meta.get("agency_level_evidence") or ""
    return Evidence(f"level {report.level}: {report.agency_normalised or report.agency}" + (f" ({why})" if why else ""),
                    Where())


def _office(report: Report) -> bool:
    return report.level == "local_dept" and A.is_government_office(report.agency_normalised or report.agency)


def _late(report: Report, rule_id: str, severity: str, deadline: date, basis: str):
    """A finding when the publication date is after `deadline`; a date taken from the
    file's properties only gives a warning."""
    p = publication_date(report)
    if p is None or p.date <= deadline:
        return
    note = ""
    if p.weak:
        note = " — the date is the file's own property, not a publication date, so this is only a warning"
        severity = "warning" if severity == "error" else severity
    yield finding(report, rule_id, severity,
                  f"published {p.date.isoformat()} ({p.source}), {(p.date - deadline).days} days after the "
                  f"deadline {deadline.isoformat()} ({basis}){note}",
                  expected=f"<= {deadline.isoformat()}", actual=p.date.isoformat(),
                  evidence=[Evidence(p.text, Where()), _level_evidence(report)], scope=deadline.isoformat())


def _year(report: Report) -> int | None:
    """The report year, unless it was itself guessed from the publication date."""
    if report.year_evidence.startswith("publication date"):
        return None
    return report.report_year


def _post2019(report: Report) -> int | None:
    y = _year(report)
    return y if y is not None and y >= 2019 else None


@rule("TIME-DEPT", "error", "a department's report published by 31 January", "REG19 Art. 49 ¶1")
def time_dept(report: Report):
    """Y ≥ 2019 and level ∈ {state_council_dept, local_dept}, not a government's 办公厅/办公室
    (TIME-GOVOFFICE): pub_date ≤ date(Y+1, 1, 31). pub_date: page meta, else the signature,
    else file properties (then a warning)"""
    y = _post2019(report)
    if y is None or report.level not in A.DEPARTMENT_LEVELS or _office(report):
        return
    yield from _late(report, "TIME-DEPT", "error", date(y + 1, 1, 31), ART49_1)


@rule("TIME-GOV", "error", "a local government's report published by 31 March", "REG19 Art. 49 ¶2")
def time_gov(report: Report):
    """Y ≥ 2019 and level ∈ {province, city, county}: pub_date ≤ date(Y+1, 3, 31). A
    development-zone administration (level special, e.g. 平潭综合实验区) is judged by the
    same date as a warning — Art. 49 does not name it — unless --deadlines sets its own"""
    y = _post2019(report)
    if y is None:
        return
    if report.level in A.GOVERNMENT_LEVELS:
        yield from _late(report, "TIME-GOV", "error", date(y + 1, 3, 31), ART49_2)
    elif report.level == "special":
        local = config_of(report).lookup(report)
        if local is not None:
            yield from _late(report, "TIME-GOV", local.severity, date(y + 1, local.month, local.day),
                             local.describe())
        else:
            yield from _late(report, "TIME-GOV", "warning", date(y + 1, 3, 31),
                             "development-zone administration judged as a 县级以上地方人民政府, Art. 49 ¶2")


@rule("TIME-GOVOFFICE", "warning", "a government office's own report published as a department's",
      "REG19 Art. 49 (interpretation)")
def time_govoffice(report: Report):
    """Y ≥ 2019, a government's 办公厅/办公室 reporting as itself (level local_dept, name ending
    人民政府办公室/办公厅): department-type, pub_date ≤ date(Y+1, 1, 31); --deadlines
    govoffice = "government" → 3-31, "MM-DD" → that date, "off" → not judged"""
    y = _post2019(report)
    if y is None or not _office(report):
        return
    mode = config_of(report).govoffice
    if mode == "off":
        return
    if mode in GOVOFFICE_MODES:
        month, day, basis = (1, 31, "office read as a department, Art. 49 ¶1") if mode == "department" else \
            (3, 31, "office read as its government, Art. 49 ¶2")
    else:
        month, day = (int(x) for x in mode.split("-"))
        basis = f"configured office deadline {mode}"
    yield from _late(report, "TIME-GOVOFFICE", "warning", date(y + 1, month, day), basis)


@rule("TIME-TOWNSHIP", "info", "乡镇/街道 report against a local deadline", "REG19 (silent); LOCAL")
def time_township(report: Report):
    """Y ≥ 2019 and level township (乡/镇/街道): pub_date ≤ the configured local deadline
    (--deadlines; its severity, default warning); none configured → info deadline_unknown"""
    y = _post2019(report)
    if y is None or report.level != "township":
        return
    local = config_of(report).lookup(report)
    if local is not None:
        yield from _late(report, "TIME-TOWNSHIP", local.severity, date(y + 1, local.month, local.day),
                         local.describe())
        return
    p = publication_date(report)
    when = f"; published {p.date.isoformat()} ({p.source})" if p else ""
    ev = [_level_evidence(report)] + ([Evidence(p.text, Where())] if p else [])
    yield finding(report, "TIME-TOWNSHIP", "info",
                  f"deadline_unknown: {report.agency_normalised or report.agency} is a 乡镇/街道 body; Art. 49 sets "
                  f"no deadline for it and no local deadline is configured (--deadlines){when}",
                  expected="a configured local deadline", actual=p.date.isoformat() if p else "",
                  evidence=ev, scope="deadline_unknown")


@rule("TIME-V2007", "error", "a pre-2019 report published by 31 March", "REG07 Art. 31")
def time_v2007(report: Report):
    """Y ≤ 2018 (every agency, Regulation 2007 Art. 31): pub_date ≤ date(Y+1, 3, 31)"""
    y = _year(report)
    if y is None or y > 2018:
        return
    yield from _late(report, "TIME-V2007", "error", date(y + 1, 3, 31), "every agency, Regulation 2007 Art. 31")


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
