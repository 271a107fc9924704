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
    printed: dict[str, set[str]] = {}
    for c in report.cells:
        printed.setdefault(c.table, set()).add(c.row_key)
    for issue in report.shape_issues:  # rows whose label is printed but whose numbers could not be read
        if issue.get("row") and issue["table"] in printed:
            printed[issue["table"]].add(issue["row"])
    missing = []  # (label, a cell key of the row)
    if "t3" in printed:
        missing += [(r.label, f"t3.{r.key}.total") for r in tpl.t3_rows if r.key not in printed["t3"]]
    if "t2" in printed:
        missing += [(r.label, f"t2.{r.key}.{st.columns[0].key}") for st, r in tpl.t2_rows()
                    if r.key not in printed["t2"]]
    if missing:
        yield finding(report, "FMT-TABLE-SHAPE", "error",
                      "template rows not printed: " + "; ".join(label for label, _ in missing),
                      expected="all template rows", actual=f"{len(missing)} missing",
                      cells=[k for _, k in missing], scope="missing-rows")
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


@rule("FMT-BLANK-CELL", "info", "blank numeric cells (the template has no blank; read as 0)", "PRACT")
def fmt_blank_cell(report: Report):
    """count of T2/T3/T4 cells whose status is blank (treated as 0 in arithmetic)"""
    blank = [c.key for c in report.cells if c.table in ("t2", "t3", "t4") and c.status == "blank"]
    if blank:
        yield finding(report, "FMT-BLANK-CELL", "info", f"{len(blank)} table cells are blank (read as 0)",
                      expected="0 blank cells", actual=str(len(blank)), scope="blank",
                      evidence=[Evidence("blank: " + ", ".join(blank[:20]) + (" …" if len(blank) > 20 else ""),
                                         Where())])


@rule("FMT-NONNUMERIC", "warning", "placeholders in numeric cells (\"/\", \"—\", \"无\")", "PRACT")
def fmt_nonnumeric(report: Report):
    """cells whose status is slash, dash or nonnumeric; "/", "—" and "无" are read as 0"""
    odd = [c for c in report.cells if c.table in ("t2", "t3", "t4") and c.status in ("slash", "dash", "nonnumeric")]
    if odd:
        shown = ", ".join(f"{c.key}={c.raw!r}" for c in odd[:10]) + (" …" if len(odd) > 10 else "")
        yield finding(report, "FMT-NONNUMERIC", "warning",
                      f"{len(odd)} numeric cells hold placeholders or text: {shown}",
                      expected="numbers", actual=str(len(odd)), cells=[c.key for c in odd[:50]], scope="nonnumeric")
