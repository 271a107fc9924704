"""The real text reports against their hand-checked gold annotations (../shared/corpus/gold):
every cell, every section in order, every gold defect, no error finding the gold does not list."""
from __future__ import annotations

import json
import math

import pytest
from conftest import GOLD, TEXT_DOCS, real_file

import extractor


def load_gold(doc_id):
    p = GOLD / f"{doc_id}.json"
    if not p.exists():
        pytest.skip(f"gold annotation {p} not available")
    return json.loads(p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(TEXT_DOCS))
def case(request):
    doc_id = request.param
    path = real_file(TEXT_DOCS[doc_id])
    return load_gold(doc_id), extractor.parse(path)


def same(gold, got):
    if gold is None or got is None or (isinstance(got, float) and math.isnan(got)):
        return (gold is None) == (got is None or (isinstance(got, float) and math.isnan(got)))
    return math.isclose(float(gold), float(got), rel_tol=1e-9, abs_tol=1e-9)


def test_every_cell(case):
    gold, rep = case
    want = dict(gold["cells"])
    want.update(gold.get("extra_cells", {}))
    undecidable = set(gold.get("ambiguous_cells", []))
    wrong = []
    for key, spec in want.items():
        c = rep.cell(key)
        if c is None:
            wrong.append((key, spec["value"], "missing"))
        elif c.status == "ambiguous":
            if key not in undecidable:
                wrong.append((key, spec["value"], "ambiguous"))
        elif not same(spec["value"], c.value):
            wrong.append((key, spec["value"], c.value))
    assert not wrong, wrong


def test_sections_in_order(case):
    gold, rep = case
    assert [s.key for s in rep.sections if s.key in {g["key"] for g in gold["sections"]}] == \
        [g["key"] for g in gold["sections"]]
    titles = {s.key: s.title for s in rep.sections}
    for g in gold["sections"]:
        assert titles[g["key"]].replace(" ", "") == g["title_as_printed"].replace(" ", "")


def test_metadata(case):
    gold, rep = case
    assert rep.template_version == gold["template_version"]
    assert rep.report_year == gold["report_year"]
    assert rep.agency in gold["agency"] or gold["agency"] in rep.agency
    if gold.get("published_on"):
        assert rep.published_on.isoformat() == gold["published_on"]


def test_defects_found_and_no_false_errors(case):
    gold, rep = case
    want = {d["rule"] for d in gold.get("true_inconsistencies", [])}
    got = {f.rule_id for f in rep.findings if f.severity in ("error", "warning")}
    errors = {f.rule_id for f in rep.findings if f.severity == "error"}
    assert want <= got, f"missed {want - got}"
    assert errors <= want, f"false alarms {errors - want}"


@pytest.mark.parametrize("name,year", [("pingtan-2012.txt", 2012), ("pingtan-2016.txt", 2016),
                                       ("pingtan-2018.txt", 2018)])
def test_pre2019_text_reports_without_gold(name, year):
    """Checked by hand: pre-2019 (v2007) reports of 平潭综合实验区, read with status ok."""
    rep = extractor.parse(real_file(name))
    assert rep.status == "ok", rep.error
    assert (rep.template_version, rep.report_year, rep.agency) == ("v2007", year, "平潭综合实验区")
    assert [s.key for s in rep.sections][:2] == ["s0_preamble", "s1_overview"]
