"""Checks: one small function per rule id of RULES.md, grouped by family. Per-report rules
run in the pipeline (`run_checks`); corpus-level rules (`crossyear.py`: cross-year and
cross-agency comparisons) run once a whole corpus is parsed (`run_corpus_checks`)."""
from . import arithmetic, crossyear, fmt, structure, t2, t3t4, text, timing, years  # noqa: F401  (registers the rules)
from .registry import CORPUS_RULES, RULES, CorpusRule, Rule, all_rules, corpus_rule, rule, run_checks, \
    run_corpus_checks

__all__ = ["CORPUS_RULES", "RULES", "CorpusRule", "Rule", "all_rules", "corpus_rule", "rule", "run_checks",
           "run_corpus_checks"]
