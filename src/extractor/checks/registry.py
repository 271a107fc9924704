"""One registry of checks: each rule is a small function with its id, severity,
formula and source (RULES.md), so the list of checks can be read without the engine."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..model import Finding, Report

RuleFn = Callable[[Report], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # default severity; a rule may set another on a finding (e.g. per edition)
    title: str
    formula: str
    source: str
    fn: RuleFn


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, title: str, source: str) -> Callable[[RuleFn], RuleFn]:
    """Register `fn` under `rule_id`; its docstring is the formula shown to auditors."""

    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        formula = " ".join((fn.__doc__ or "").split())
        RULES[rule_id] = Rule(rule_id, severity, title, formula, source, fn)
        return fn

    return register


def run_checks(report: Report, only: Iterable[str] | None = None) -> list[Finding]:
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    for rid in sorted(RULES):
        if wanted is not None and rid not in wanted:
            continue
        for f in RULES[rid].fn(report):
            f.fill_fingerprint(report.sha256)
            findings.append(f)
    findings.sort(key=lambda f: (f.rule_id, f.scope, f.fingerprint))
    return findings
