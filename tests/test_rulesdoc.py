"""The rules page (docs/rules.md) is generated from the registry and kept current, and the
registry speaks the ids of RULES.md."""
from __future__ import annotations

import re

import pytest
from conftest import REPO, SHARED

from extractor.checks import rulesdoc
from extractor.checks.registry import RULES

RULES_MD = SHARED.parent / "spec" / "RULES.md"
ROW_ID = re.compile(r"^\| ([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+) \|", re.M)


def registered() -> set[str]:
    return set(rulesdoc._rules()) | set(RULES)


def spec_ids() -> set[str]:
    if not RULES_MD.is_file():
        pytest.skip(f"{RULES_MD} not available")
    return set(ROW_ID.findall(RULES_MD.read_text(encoding="utf-8")))


def test_every_registered_id_is_a_RULES_md_id():
    assert registered() - spec_ids() == set()


def test_every_RULES_md_id_is_implemented_or_explained():
    assert spec_ids() - registered() - set(rulesdoc.NOT_IMPLEMENTED) == set()


def test_docs_rules_md_is_the_generators_output():
    page = REPO / "docs" / "rules.md"
    assert page.is_file(), "run: python -m extractor.checks.rulesdoc > docs/rules.md"
    assert page.read_text(encoding="utf-8") == rulesdoc.render(), \
        "docs/rules.md is stale: run python -m extractor.checks.rulesdoc > docs/rules.md"


def test_page_lists_each_rule_once_with_its_family():
    page = rulesdoc.render()
    for rid, r in rulesdoc._rules().items():
        assert len(re.findall(rf"^\| {re.escape(rid)} \| {r.severity} \|", page, re.M)) == 1, rid
    assert "## A. Table 3 arithmetic" in page
