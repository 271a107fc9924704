"""The datasets of a run as one DuckDB database file, for researchers and auditors
(`extractor run ... --duckdb FILE`; `write_duckdb(out_dir, db_path)`).

Tables — loaded straight from DIR/<name>.parquet with DuckDB's `read_parquet` (streamed
inside DuckDB, never through pandas, so memory stays flat for big corpora); the columns,
their order, the rows and their order are those of the Parquet files (`frames.SCHEMAS`):

| table      | one row per            |
|------------|------------------------|
| `reports`  | input file             |
| `sections` | report × section       |
| `cells`    | report × template cell |
| `findings` | report × finding       |

(`wide.parquet` is not loaded: `t3_wide` below, or a pivot of `cells`, gives it.)

Views — plain SQL over the tables, evaluated when queried:

* `t3_wide` — one row per report (all of `reports`, in its order): report_id, path, agency,
  agency_normalised, level, region_province, report_year, template_version, status, then one
  DOUBLE column per T3 cell key found in `cells` when the database was written, named by
  the key (quote it: `SELECT "t3.r_total.total" FROM t3_wide`), in template order (rows,
  then columns; keys the template does not know come last, sorted). NULL where the report
  has no value for the cell.
* `findings_by_rule` — rule_id, severity, n_findings, n_reports (distinct reports
  affected), n_accepted (findings whose fingerprint the auditor accepted).
* `applications_by_year_level` — report_year, level, n_reports, n_with_value (reports that
  gave `t3.new_received.total`), new_received_total (sum of `t3.new_received.total`:
  applications newly received).

The file is written atomically: built under a temporary name beside `db_path`, then
moved over it with `os.replace`, so readers never see a half-written database and a
failed build leaves an existing file untouched.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

TABLES = ("reports", "sections", "cells", "findings")

T3_META = ("report_id", "path", "agency", "agency_normalised", "level", "region_province",
           "report_year", "template_version", "status")

COMMENTS = {
    "reports": "one row per input file (report metadata, status, counts)",
    "sections": "one row per report x section",
    "cells": "one row per report x template cell (value DOUBLE, NULL when blank)",
    "findings": "one row per report x finding (accepted: reviewed and accepted by the auditor)",
    "t3_wide": "one row per report: metadata and one column per T3 cell key (quote the name)",
    "findings_by_rule": "findings counted by rule and severity: findings, reports affected, accepted",
    "applications_by_year_level": "applications newly received (t3.new_received.total) by report year and level",
}


def ident(name: str) -> str:
    """`name` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """`text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _t3_order(keys: list[str]) -> list[str]:
    """T3 keys in template order (rows, then columns); unknown keys last, sorted."""
    from .templates import get_template

    tpl = get_template("v2021")  # t3_rows_all: the rows of both editions, in template order
    rows = [r.key for r in tpl.t3_rows_all]
    cols = [c.key for c in tpl.t3_columns]
    # columns some reports print (小计) go before 总计, where they are printed
    at = cols.index("total") if "total" in cols else len(cols)
    cols[at:at] = [c.key for c in tpl.t3_extra_columns]
    rpos, cpos = {k: i for i, k in enumerate(rows)}, {k: i for i, k in enumerate(cols)}

    def rank(key: str):
        parts = key.split(".")
        if len(parts) == 3 and parts[1] in rpos and parts[2] in cpos:
            return (0, rpos[parts[1]], cpos[parts[2]], key)
        return (1, 0, 0, key)

    return sorted(keys, key=rank)


def _t3_wide_sql(keys: list[str]) -> str:
    meta = ", ".join(f"r.{ident(c)}" for c in T3_META)
    if not keys:
        return f"SELECT {meta} FROM reports AS r ORDER BY r.path, r.report_id"
    # one pass over the T3 cells; (report_id, key) is unique in `cells`, so max() is the value
    aggs = ",\n    ".join(f"max(value) FILTER (WHERE key = {literal(k)}) AS {ident(k)}" for k in keys)
    cols = ", ".join(f"t.{ident(k)}" for k in keys)
    return (f"WITH t AS (\n  SELECT report_id,\n    {aggs}\n  FROM cells WHERE starts_with(key, 't3.')\n"
            f"  GROUP BY report_id)\n"
            f"SELECT {meta}, {cols}\nFROM reports AS r LEFT JOIN t ON t.report_id = r.report_id\n"
            f"ORDER BY r.path, r.report_id")


FINDINGS_BY_RULE = """
SELECT rule_id, severity,
       count(*) AS n_findings,
       count(DISTINCT report_id) AS n_reports,
       count(*) FILTER (WHERE accepted) AS n_accepted
FROM findings
GROUP BY rule_id, severity
ORDER BY rule_id, severity
"""

APPLICATIONS_BY_YEAR_LEVEL = """
SELECT r.report_year, r.level,
       count(DISTINCT r.report_id) AS n_reports,
       count(c.value) AS n_with_value,
       sum(c.value) AS new_received_total
FROM reports AS r
LEFT JOIN cells AS c ON c.report_id = r.report_id AND c.key = 't3.new_received.total'
GROUP BY r.report_year, r.level
ORDER BY r.report_year NULLS LAST, r.level NULLS LAST
"""


def missing_parquet(out_dir: str | Path) -> list[Path]:
    """The Parquet files `write_duckdb` needs that `out_dir` lacks."""
    out_dir = Path(out_dir)
    return [out_dir / f"{t}.parquet" for t in TABLES if not (out_dir / f"{t}.parquet").is_file()]


def _build(con, out_dir: Path) -> None:
    for t in TABLES:
        src = literal(str((out_dir / f"{t}.parquet").resolve()))
        con.execute(f"CREATE TABLE {t} AS SELECT * FROM read_parquet({src})")
    rows = con.execute("SELECT DISTINCT key FROM cells WHERE starts_with(key, 't3.')").fetchall()
    keys = _t3_order([k for (k,) in rows if k is not None])
    con.execute(f"CREATE VIEW t3_wide AS\n{_t3_wide_sql(keys)}")
    con.execute(f"CREATE VIEW findings_by_rule AS {FINDINGS_BY_RULE}")
    con.execute(f"CREATE VIEW applications_by_year_level AS {APPLICATIONS_BY_YEAR_LEVEL}")
    for name, text in COMMENTS.items():
        kind = "TABLE" if name in TABLES else "VIEW"
        con.execute(f"COMMENT ON {kind} {name} IS {literal(text)}")
    con.execute("CHECKPOINT")


def write_duckdb(out_dir: str | Path, db_path: str | Path) -> Path:
    """Write the datasets in `out_dir` (DIR of `extractor run --out DIR`) to the DuckDB file
    `db_path`, replacing it atomically; returns `db_path`.

    Raises FileNotFoundError naming the missing Parquet files (e.g. a CSV-only run)."""
    import duckdb

    out_dir, db_path = Path(out_dir), Path(db_path)
    missing = missing_parquet(out_dir)
    if missing:
        names = ", ".join(str(p) for p in missing)
        raise FileNotFoundError(
            f"cannot write the DuckDB database {db_path}: missing {names} "
            f"(the database is loaded from the Parquet datasets; run with --format parquet)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        con = duckdb.connect(str(tmp))
        try:
            # no progress bar: DuckDB would draw it on stdout, amid the caller's output
            con.execute("SET enable_progress_bar = false")
            _build(con, out_dir)
        finally:
            con.close()
        os.replace(tmp, db_path)
    finally:  # after a failure: the partial file, its WAL and DuckDB's spill folder
        for leftover in (tmp, Path(f"{tmp}.wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(f"{tmp}.tmp", ignore_errors=True)
    return db_path
