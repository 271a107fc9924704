"""The datasets of a run as a DuckDB database (extractor.duck.write_duckdb): tables equal to
the Parquet files, typed columns, the views against pandas, atomic rewrites, clear errors."""
import os
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from extractor.duck import T3_META, TABLES, write_duckdb

REPO = Path(__file__).resolve().parents[1]
INPUTS = [REPO / "corpus" / "seed", REPO / "corpus" / "synthetic"]


@pytest.fixture(scope="module")
def out(bundled_datasets):
    return bundled_datasets  # corpus/ = corpus/seed + corpus/synthetic, run once per session


@pytest.fixture(scope="module")
def db(out, tmp_path_factory):
    return write_duckdb(out, tmp_path_factory.mktemp("duck") / "db" / "extract.duckdb")


def connect(path):
    return duckdb.connect(str(path), read_only=True)


def rows(con, sql):
    return con.execute(sql).fetchall()


def plain(df):
    """Rows as lists of Python values, None for missing."""
    return df.astype(object).where(df.notna(), None).to_numpy().tolist()


def leftovers(folder, name):
    return sorted(p.name for p in Path(folder).iterdir() if p.name != name)


def test_tables_equal_the_parquet_files(out, db):
    assert db.exists() and leftovers(db.parent, db.name) == []
    with connect(db) as con:
        for t in TABLES:
            meta = pq.read_metadata(out / f"{t}.parquet")
            assert rows(con, f"SELECT count(*) FROM {t}") == [(meta.num_rows,)], t
            cols = [r[0] for r in rows(con, f"DESCRIBE {t}")]
            assert cols == meta.schema.to_arrow_schema().names, t
        assert rows(con, "SELECT count(*) FROM reports")[0][0] > 0
        assert rows(con, "SELECT count(*) FROM findings")[0][0] > 0
        # the rows keep the Parquet order
        ids = [r[0] for r in rows(con, "SELECT report_id FROM reports")]
        assert ids == pd.read_parquet(out / "reports.parquet")["report_id"].tolist()


def test_columns_are_typed(db):
    with connect(db) as con:
        types = {(t, c): ty for t, c, ty in rows(
            con, "SELECT table_name, column_name, data_type FROM information_schema.columns")}
    assert types[("reports", "published_on")] == "DATE"
    assert types[("reports", "report_year")] == "BIGINT"
    assert types[("reports", "n_findings")] == "BIGINT"
    assert types[("cells", "value")] == "DOUBLE"
    assert types[("cells", "in_template")] == "BOOLEAN"
    assert types[("findings", "accepted")] == "BOOLEAN"
    assert types[("sections", "order")] == "BIGINT"
    assert types[("t3_wide", "report_year")] == "BIGINT"
    assert types[("t3_wide", "t3.new_received.total")] == "DOUBLE"


def test_t3_wide_is_the_pivot_of_the_t3_cells(out, db):
    cells = pd.read_parquet(out / "cells.parquet")
    reports = pd.read_parquet(out / "reports.parquet")
    t3 = cells[cells["key"].str.startswith("t3.")]
    with connect(db) as con:
        wide = con.execute("SELECT * FROM t3_wide").df()
        # one value read both ways
        rid, key, value = rows(con, "SELECT report_id, key, value FROM cells "
                                    "WHERE key = 't3.new_received.total' AND value IS NOT NULL LIMIT 1")[0]
        assert rows(con, f"SELECT \"{key}\" FROM t3_wide WHERE report_id = '{rid}'") == [(value,)]
    # one row per report, in the reports' order, metadata first, then every T3 key once
    assert wide["report_id"].tolist() == reports["report_id"].tolist()
    assert list(wide.columns[:len(T3_META)]) == list(T3_META)
    keys = list(wide.columns[len(T3_META):])
    assert sorted(keys) == sorted(t3["key"].unique())
    assert keys.index("t3.new_received.total") < keys.index("t3.carried_over.natural_person")  # template order
    assert plain(wide[list(T3_META)]) == plain(reports[list(T3_META)])
    got = wide.set_index("report_id")
    # every value equals the cell's (NULL where the report has no value), with pandas' pivot
    expected = (t3.pivot_table(index="report_id", columns="key", values="value", aggfunc="first", dropna=False)
                .reindex(index=got.index, columns=keys))
    pd.testing.assert_frame_equal(got[keys].astype("float64"), expected.astype("float64"),
                                  check_names=False)
    assert got[keys].notna().to_numpy().sum() == t3["value"].notna().sum() > 0


def test_findings_by_rule_matches_pandas(out, db):
    f = pd.read_parquet(out / "findings.parquet")
    expected = (f.groupby(["rule_id", "severity"])
                .agg(n_findings=("report_id", "size"), n_reports=("report_id", "nunique"),
                     n_accepted=("accepted", "sum"))
                .reset_index().sort_values(["rule_id", "severity"]))
    with connect(db) as con:
        got = rows(con, "SELECT * FROM findings_by_rule")
    assert got == [(r.rule_id, r.severity, r.n_findings, r.n_reports, r.n_accepted)
                   for r in expected.itertuples()]
    assert sum(r[2] for r in got) == len(f)


def test_findings_by_rule_counts_accepted(out, tmp_path):
    d = tmp_path / "out"
    shutil.copytree(out, d)
    f = pd.read_parquet(d / "findings.parquet")
    rule = f["rule_id"].value_counts().index[0]
    f["accepted"] = f["rule_id"] == rule
    f.to_parquet(d / "findings.parquet", index=False)
    with connect(write_duckdb(d, tmp_path / "a.duckdb")) as con:
        got = {(r, s): a for r, s, _, _, a in rows(con, "SELECT * FROM findings_by_rule")}
    assert sum(a for (r, _), a in got.items() if r == rule) == (f["rule_id"] == rule).sum() > 0
    assert all(a == 0 for (r, _), a in got.items() if r != rule)


def test_applications_by_year_level(out, db):
    reports = pd.read_parquet(out / "reports.parquet")
    cells = pd.read_parquet(out / "cells.parquet")
    v = cells[cells["key"] == "t3.new_received.total"].set_index("report_id")["value"]
    reports["v"] = reports["report_id"].map(v)
    with connect(db) as con:
        got = rows(con, "SELECT * FROM applications_by_year_level")
    assert sum(r[2] for r in got) == len(reports)
    for year, level, n, n_value, total in got:
        g = reports[(reports["report_year"] == year if year is not None else reports["report_year"].isna())
                    & (reports["level"] == level if level is not None else reports["level"].isna())]
        assert (n, n_value) == (len(g), g["v"].notna().sum())
        assert total == (g["v"].sum() if n_value else None)


def test_rewrite_replaces_the_file(out, db, tmp_path):
    target = tmp_path / "x.duckdb"
    write_duckdb(out, target)
    with connect(target) as con:
        first = rows(con, "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1")
        counts = [rows(con, f"SELECT count(*) FROM {t}") for t in TABLES]
    ino = target.stat().st_ino
    assert write_duckdb(out, str(target)) == target
    assert target.stat().st_ino != ino  # a new file moved over the old one
    with connect(target) as con:
        assert rows(con, "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY 1") == first
        assert [rows(con, f"SELECT count(*) FROM {t}") for t in TABLES] == counts
        again = rows(con, "SELECT * FROM t3_wide")
    with connect(db) as con:
        assert again == rows(con, "SELECT * FROM t3_wide")
    assert leftovers(tmp_path, "x.duckdb") == []
    assert {v for v, _ in first} == {"t3_wide", "findings_by_rule", "applications_by_year_level"}


def test_missing_parquet_is_named(out, tmp_path):
    csv_only = tmp_path / "csv"
    csv_only.mkdir()
    for p in out.glob("*.csv"):
        shutil.copy(p, csv_only / p.name)
    shutil.copy(out / "reports.parquet", csv_only)
    target = tmp_path / "db.duckdb"
    with pytest.raises(FileNotFoundError) as e:
        write_duckdb(csv_only, target)
    msg = str(e.value)
    assert "findings.parquet" in msg and "cells.parquet" in msg and "sections.parquet" in msg
    assert "reports.parquet" not in msg and "--format parquet" in msg
    assert not target.exists() and os.listdir(tmp_path) == ["csv"]


def test_failed_build_keeps_the_old_file(out, tmp_path):
    target = tmp_path / "db.duckdb"
    write_duckdb(out, target)
    before = target.read_bytes()
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    (bad / "findings.parquet").write_bytes(b"not parquet")
    with pytest.raises(duckdb.Error):
        write_duckdb(bad, target)
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["bad", "db.duckdb"]
