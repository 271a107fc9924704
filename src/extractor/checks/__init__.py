"""Checks: one small function per rule id of RULES.md, grouped by family."""
from . import arithmetic, fmt, text, timing  # noqa: F401  (registers the rules)
from .registry import RULES, Rule, rule, run_checks

__all__ = ["RULES", "Rule", "rule", "run_checks"]
