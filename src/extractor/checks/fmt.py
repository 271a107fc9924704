"""Structure and format compliance (RULES.md group E)."""
from __future__ import annotations

from ..model import Evidence, Report, Where
from ..segment import CORE_ORDER
from ..templates import edition_for_year, get_template
from .common import POST2019, finding
from .registry import rule

SECTION_CN = {"s1_overview": "一、总体情况", "s2_proactive": "二、主动公开政府信息情况",
              "s3_applications": "三、收到和处理政府信息公开申请情况",
              "s4_review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
              "s5_problems": "五、存在的主要问题及改进情况", "s6_other": "六、其他需要报告的事项"}


@rule("FMT-SECTIONS", "error", "all six sections present, in order 一…六", "REG19 Art. 50; F19; F21")
def fmt_sections(report: Report):
    """detect the 6 headings (variants of SCHEMA §1 accepted); severity error (v2021),
    warning (v2019), info (report year 2019)"""
    if report.template_version not in POST2019:
        return
    found = [s.key for s in report.sections if s.key in CORE_ORDER]
    missing = [k for k in CORE_ORDER if k not in found]
    out_of_order = found != sorted(found, key=CORE_ORDER.index)
    if not missing and not out_of_order:
        return
    sev = "error" if report.template_version == "v2021" else "warning"
    if report.report_year == 2019:
        sev = "info"
    parts = []
    if missing:
        parts.append("missing: " + "、".join(SECTION_CN[k] for k in missing))
    if out_of_order:
        parts.append("out of order: " + " → ".join(found))
    ev = [Evidence(f"{s.key}: {s.title}", s.where, s.key) for s in report.sections if s.title]
    yield finding(report, "FMT-SECTIONS", sev, "sections " + "; ".join(parts),
                  expected="、".join(SECTION_CN.values()), actual="、".join(found), evidence=ev,
                  scope=",".join(missing) + ("|order" if out_of_order else ""))


@rule("FMT-TABLE-SHAPE", "error", "every template row/column label present exactly once",
      "F19/F21")
def fmt_table_shape(report: Report):
    """compare the printed tables with the template's label set after normalisation:
    error if a template row is missing; warning for extra rows/columns, blank or
    unreadable header labels and stray rows"""
    if report.template_version not in POST2019:
        return
    tpl = get_template(report.template_version)
    printed = {}
    for c in report.cells:
        printed.setdefault(c.table, set()).add(c.row_key)
    missing_rows = []
    if "t3" in printed:
        missing_rows += [r for r in tpl.t3_rows if r.key not in printed["t3"]]
    if "t2" in printed:
        missing_rows += [r for _, r in tpl.t2_rows() if r.key not in printed["t2"]]
    if missing_rows:
        yield finding(report, "FMT-TABLE-SHAPE", "error",
                      "template rows not printed: " + "; ".join(r.label for r in missing_rows),
                      expected="all template rows", actual=f"{len(missing_rows)} missing",
                      cells=[f"t3.{r.key}.total" if r.key in {x.key for x in tpl.t3_rows} else f"t2.{r.key}"
                             for r in missing_rows], scope="missing-rows")
    extra = sorted({(c.table, c.row_key, c.col_key) for c in report.cells if not c.in_template})
    extra_rows = sorted({(t, r) for t, r, _ in extra if r not in {x.key for x in tpl.t3_rows}})
    if extra_rows:
        yield finding(report, "FMT-TABLE-SHAPE", "warning",
                      "rows printed that this edition does not have: " + ", ".join(f"{t}.{r}" for t, r in extra_rows),
                      expected="no extra rows", actual=", ".join(r for _, r in extra_rows),
                      cells=[f"{t}.{r}.total" for t, r in extra_rows], scope="extra-rows")
    extra_cols = sorted({c for _, r, c in extra if r in {x.key for x in tpl.t3_rows}})
    if extra_cols:
        yield finding(report, "FMT-TABLE-SHAPE", "warning", "columns printed that the template does not have: "
                      + ", ".join(extra_cols), expected="7 columns", actual=", ".join(extra_cols),
                      scope="extra-cols")
    for i, issue in enumerate(report.shape_issues):
        yield finding(report, "FMT-TABLE-SHAPE", "warning", f"{issue['table'].upper()}: {issue['problem']}",
                      cells=issue.get("cells", ()), scope=f"issue:{issue['table']}:{issue['problem']}",
                      evidence=[Evidence(issue["problem"], Where())])


@rule("FMT-VERSION-MISMATCH", "error", "template edition matches the report year", "F21")
def fmt_version_mismatch(report: Report):
    """edition from the labels (SCHEMA §6) ≠ edition for the report year (≤2018 v2007,
    2019–2020 v2019, ≥2021 v2021): error when Y ≥ 2022, warning otherwise (2021 was the
    transition; 2019 reports were only encouraged to use the format, so no finding)"""
    y, ed = report.report_year, report.template_version
    if y is None or ed is None or report.version_confidence not in ("high", "medium"):
        return
    want = edition_for_year(y)
    if ed == want or y == 2019:
        return
    sev = "error" if y >= 2022 and ed in ("v2007", "v2019") else "warning"
    yield finding(report, "FMT-VERSION-MISMATCH", sev,
                  f"report year {y} calls for the {want} format, but the tables follow {ed} "
                  f"({report.version_evidence})", expected=want, actual=ed, scope=f"{ed}->{want}")
