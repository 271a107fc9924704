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


def _frame(rows: list[tuple], name: str) -> pd.DataFrame:
    schema = SCHEMAS[name]
    df = pd.DataFrame.from_records(rows, columns=list(schema)) if rows else None
    return df.astype(schema) if df is not None and len(df) else \
        pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})


def finding_order(f) -> tuple[str, str]:
    return f.rule_id, f.fingerprint


def finding_row(report_id: str, f) -> tuple:
    """A `findings` row without its last column (`accepted`, set when the datasets are written)."""
    return (report_id, f.rule_id, f.severity, f.message, f.expected, f.actual, ";".join(f.cells),
            json.dumps([{"text": e.text, "where": e.where.describe(), **({"section": e.section} if e.section else {})}
                        for e in f.evidence], ensure_ascii=False),
            "; ".join(e.where.describe() for e in f.evidence if e.where.describe()), f.fingerprint)


def report_rows(r: Report) -> dict[str, list[tuple]]:
    """One report's rows of each dataset, as tuples in the order of `SCHEMAS` (findings without
    `accepted`), in their final order within the report: sections as found, cells in template
    order (T2, T3, T4 row by row), findings by rule id then fingerprint."""
    finds = sorted(r.findings, key=finding_order)
    return {
        "reports": [(
            r.report_id, r.path, r.sha256, r.format, r.template_version, r.version_evidence,
            r.version_confidence, r.report_year, r.year_evidence, r.period_year, r.title, r.agency,
            r.agency_evidence, r.agency_normalised, r.level, r.region_province, r.region_city, r.region_county,
            r.published_on, r.published_on_source, r.status, r.error, len(r.sections), len(r.cells),
            len(finds), sum(f.severity == "error" for f in finds), sum(f.severity == "warning" for f in finds))],
        "sections": [(r.report_id, i, s.key, s.title, s.text, s.where.describe(), float(s.title_score))
                     for i, s in enumerate(r.sections)],
        "cells": [(r.report_id, c.key, c.table, c.row_key, c.col_key, c.value, c.raw, c.status, c.unit, c.label,
                   c.in_template, c.where.describe()) for c in r.cells],
        "findings": [finding_row(r.report_id, f) for f in finds],
    }


DATASETS = ("reports", "sections", "cells", "findings")


def rows_frames(rows: dict[str, list[tuple]], accepted: Iterable[str] = ()) -> dict[str, pd.DataFrame]:
    """Rows of `report_rows` (concatenated, in report order) -> the four typed DataFrames."""
    accepted = frozenset(accepted)
    finds = [(*f, f[9] in accepted) for f in rows.get("findings", ())]
    return {"reports": _frame(rows.get("reports", []), "reports"),
            "sections": _frame(rows.get("sections", []), "sections"),
            "cells": _frame(rows.get("cells", []), "cells"),
            "findings": _frame(finds, "findings")}


def report_order(r: Report) -> tuple[str, str]:
    """The order of reports in every dataset: by path (zip members as ARCHIVE!/MEMBER), then id."""
    return r.path, r.report_id


def report_frames(reports: list[Report], accepted: Iterable[str] = ()) -> dict[str, pd.DataFrame]:
    """`accepted`: fingerprints an auditor reviewed and accepted (their findings keep their row,
    with `accepted` true). Rows come report by report in `report_order`; the corpus runner
    (`runner.run`) writes the same rows in the same order."""
    rows: dict[str, list[tuple]] = {k: [] for k in DATASETS}
    for r in sorted(reports, key=report_order):
        for k, v in report_rows(r).items():
            rows[k].extend(v)
    out = rows_frames(rows, accepted)
    out["wide"] = wide(out["cells"])
    return out


def wide(cells: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per report that has cells, one column per cell key (values only), derived from
    `cells`; `columns`: the cell keys to have columns for (default: those in `cells`)."""
    if cells.empty:
        return pd.DataFrame({"report_id": pd.Series(dtype=STR),
                             **{k: pd.Series(dtype="float64") for k in sorted(columns or ())}})
    order = pd.unique(cells["report_id"])  # reports in dataset order, not sorted by id
    w = cells.pivot_table(index="report_id", columns="key", values="value", aggfunc="first", dropna=False)
    w = w.reindex(index=order, columns=sorted(columns) if columns is not None else sorted(w.columns))
    w.columns.name = None
    return w.reset_index().astype({"report_id": STR})
