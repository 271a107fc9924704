"""Reports -> the tidy DataFrames of the output contract, with declared dtypes.

| dataset  | one row per            |
|----------|------------------------|
| reports  | input file             |
| sections | report × section       |
| cells    | report × template cell |
| findings | report × finding       |
| wide     | report (one column per cell key; derived from `cells`) |
"""
from __future__ import annotations

import json
from typing import Iterable

import pandas as pd
import pyarrow as pa

from .model import Report

STR = "string"

SCHEMAS: dict[str, dict[str, object]] = {
    "reports": {
        "report_id": STR, "path": STR, "sha256": STR, "format": STR, "template_version": STR,
        "version_evidence": STR, "version_confidence": STR, "report_year": "Int64", "year_evidence": STR,
        "period_year": "Int64", "title": STR, "agency": STR, "agency_evidence": STR,
        "agency_normalised": STR, "level": STR, "region_province": STR, "region_city": STR, "region_county": STR,
        "published_on": pd.ArrowDtype(pa.date32()), "published_on_source": STR,
        "status": STR, "error": STR, "n_sections": "Int64", "n_cells": "Int64", "n_findings": "Int64",
        "n_errors": "Int64", "n_warnings": "Int64",
    },
    "sections": {
        "report_id": STR, "order": "Int64", "key": STR, "title": STR, "text": STR, "where": STR,
        "title_score": "float64",
    },
    "cells": {
        "report_id": STR, "key": STR, "table": STR, "row_key": STR, "col_key": STR,
        # plain float64 with NaN for "no value": tools that read the files see an empty cell
        "value": "float64", "raw": STR, "status": STR, "unit": STR, "label": STR,
        "in_template": "bool", "where": STR,
    },
    "findings": {
        "report_id": STR, "rule_id": STR, "severity": STR, "message": STR, "expected": STR, "actual": STR,
        "cells": STR, "evidence": STR, "where": STR, "fingerprint": STR,
        # the fingerprint is in the auditor's accept file (`--accept`): reviewed, kept, not failing
        "accepted": "bool",
    },
}


def _frame(rows: list[dict], name: str) -> pd.DataFrame:
    schema = SCHEMAS[name]
    df = pd.DataFrame(rows, columns=list(schema))
    return df.astype(schema) if len(df) else pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})


def report_frames(reports: list[Report], accepted: Iterable[str] = ()) -> dict[str, pd.DataFrame]:
    """`accepted`: fingerprints an auditor reviewed and accepted (their findings keep their row,
    with `accepted` true)."""
    accepted = frozenset(accepted)
    reps, secs, cells, finds = [], [], [], []
    for r in reports:
        reps.append({
            "report_id": r.report_id, "path": r.path, "sha256": r.sha256, "format": r.format,
            "template_version": r.template_version, "version_evidence": r.version_evidence,
            "version_confidence": r.version_confidence, "report_year": r.report_year,
            "year_evidence": r.year_evidence, "period_year": r.period_year, "title": r.title,
            "agency": r.agency, "agency_evidence": r.agency_evidence, "agency_normalised": r.agency_normalised,
            "level": r.level, "region_province": r.region_province, "region_city": r.region_city,
            "region_county": r.region_county, "published_on": r.published_on,
            "published_on_source": r.published_on_source, "status": r.status, "error": r.error,
            "n_sections": len(r.sections), "n_cells": len(r.cells), "n_findings": len(r.findings),
            "n_errors": sum(f.severity == "error" for f in r.findings),
            "n_warnings": sum(f.severity == "warning" for f in r.findings),
        })
        for i, s in enumerate(r.sections):
            secs.append({"report_id": r.report_id, "order": i, "key": s.key, "title": s.title, "text": s.text,
                         "where": s.where.describe(), "title_score": float(s.title_score)})
        for c in r.cells:
            cells.append({"report_id": r.report_id, "key": c.key, "table": c.table, "row_key": c.row_key,
                          "col_key": c.col_key, "value": c.value, "raw": c.raw, "status": c.status,
                          "unit": c.unit, "label": c.label, "in_template": c.in_template,
                          "where": c.where.describe()})
        for f in r.findings:
            finds.append({"report_id": r.report_id, "rule_id": f.rule_id, "severity": f.severity,
                          "message": f.message, "expected": f.expected, "actual": f.actual,
                          "cells": ";".join(f.cells),
                          "evidence": json.dumps([{"text": e.text, "where": e.where.describe(),
                                                   **({"section": e.section} if e.section else {})}
                                                  for e in f.evidence], ensure_ascii=False),
                          "where": "; ".join(e.where.describe() for e in f.evidence if e.where.describe()),
                          "fingerprint": f.fingerprint, "accepted": f.fingerprint in accepted})
    out = {"reports": _frame(reps, "reports"), "sections": _frame(secs, "sections"),
           "cells": _frame(cells, "cells"), "findings": _frame(finds, "findings")}
    out = {k: _sorted(k, v) for k, v in out.items()}
    out["wide"] = wide(out["cells"])
    return out


def _sorted(name: str, df: pd.DataFrame) -> pd.DataFrame:
    # cells keep the pipeline's order within a report (template order: T2, T3, T4 row by row)
    keys = {"reports": ["path", "report_id"], "sections": ["report_id", "order"],
            "cells": ["report_id"], "findings": ["report_id", "rule_id", "fingerprint"]}[name]
    return df.sort_values(keys, kind="stable").reset_index(drop=True) if len(df) else df


def wide(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per report, one column per cell key (values only), derived from `cells`."""
    if cells.empty:
        return pd.DataFrame({"report_id": pd.Series(dtype=STR)})
    w = cells.pivot_table(index="report_id", columns="key", values="value", aggfunc="first", dropna=False)
    w = w.reindex(sorted(w.columns), axis=1)
    w.columns.name = None
    return w.reset_index().astype({"report_id": STR})
