"""One registry of checks: each rule is a small function with its id, severity,
formula and source (RULES.md), so the list of checks can be read without the engine.

Two kinds of rule share the registry's conventions:

- `@rule`: a function of one `Report` yielding `Finding`s (run by the pipeline, file by file);
- `@corpus_rule`: a function of the list of all reports of a run yielding `(report, Finding)`
  pairs — cross-year and cross-agency comparisons, run once every file is parsed
  (`run_corpus_checks`). The finding goes to the report named in the pair; its scope names
  the other report's sha256, so the same defect between the same two files keeps its
  fingerprint."""
from __future__ import annotations

import contextvars
import functools
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..model import Finding, Report

RuleFn = Callable[[Report], Iterable[Finding]]
CorpusRuleFn = Callable[[list[Report]], Iterable[tuple[Report, Finding]]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # default severity; a rule may set another on a finding (e.g. per edition)
    title: str
    formula: str
    source: str
    fn: RuleFn


@dataclass(frozen=True)
class CorpusRule:
    id: str
    severity: str
    title: str
    formula: str
    source: str
    fn: CorpusRuleFn
    kind: str = "corpus"


RULES: dict[str, Rule] = {}
CORPUS_RULES: dict[str, CorpusRule] = {}


def rule(rule_id: str, severity: str, title: str, source: str) -> Callable[[RuleFn], RuleFn]:
    """Register `fn` under `rule_id`; its docstring is the formula shown to auditors."""

    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES or rule_id in CORPUS_RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        formula = " ".join((fn.__doc__ or "").split())
        RULES[rule_id] = Rule(rule_id, severity, title, formula, source, fn)
        return fn

    return register


# (report, memo) of the `run_checks` call in progress: rules share the data they derive from
# the report (its sentences, the narrative claims…) for the length of one call, no longer, so a
# report changed between two calls is read afresh
_RUN: contextvars.ContextVar[tuple[Report, dict] | None] = contextvars.ContextVar("checks_run", default=None)


def run_memo(report: Report) -> dict | None:
    """The memo of the `run_checks(report)` call in progress, or None outside one."""
    run = _RUN.get()
    return run[1] if run is not None and run[0] is report else None


def per_report(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compute `fn(report, *args)` once per `run_checks(report)` call (a generator's items are
    kept as a tuple); outside `run_checks` every call computes afresh."""
    gen = inspect.isgeneratorfunction(fn)

    @functools.wraps(fn)
    def wrapper(report: Report, *args):
        memo = run_memo(report)
        if memo is None:
            return fn(report, *args)
        key = (wrapper, args)
        try:
            return memo[key]
        except KeyError:
            out = memo[key] = tuple(fn(report, *args)) if gen else fn(report, *args)
            return out

    return wrapper


def run_checks(report: Report, only: Iterable[str] | None = None) -> list[Finding]:
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    token = _RUN.set((report, {}))
    try:
        for rid in sorted(RULES):
            if wanted is not None and rid not in wanted:
                continue
            for f in RULES[rid].fn(report):
                f.fill_fingerprint(report.sha256)
                findings.append(f)
    finally:
        _RUN.reset(token)
    findings.sort(key=finding_order)
    return findings


def corpus_rule(rule_id: str, severity: str, title: str, source: str) -> Callable[[CorpusRuleFn], CorpusRuleFn]:
    """Register a corpus-level rule: `fn(reports)` yields `(report, finding)` pairs; its
    docstring is the formula shown to auditors."""

    def register(fn: CorpusRuleFn) -> CorpusRuleFn:
        if rule_id in RULES or rule_id in CORPUS_RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        formula = " ".join((fn.__doc__ or "").split())
        CORPUS_RULES[rule_id] = CorpusRule(rule_id, severity, title, formula, source, fn)
        return fn

    return register


def all_rules() -> dict[str, Rule | CorpusRule]:
    """Every registered rule, per-report and corpus-level, by id."""
    return dict(sorted({**RULES, **CORPUS_RULES}.items()))


def finding_order(f: Finding) -> tuple:
    return (f.rule_id, f.scope, f.fingerprint)


def run_corpus_checks(reports: list[Report], only: Iterable[str] | None = None) -> list[tuple[Report, Finding]]:
    """Run the corpus-level rules over all reports of a run: each finding gets its fingerprint
    (from the sha256 of the report it is attached to) and is appended to that report, whose
    findings are then sorted as `run_checks` sorts them. Findings of corpus rules already on
    the reports (an earlier call) are replaced, so calling this twice changes nothing. The
    result does not depend on the order of `reports`."""
    wanted = set(only) if only is not None else None
    ids = set(CORPUS_RULES)
    for r in reports:
        if any(f.rule_id in ids for f in r.findings):
            r.findings = [f for f in r.findings if f.rule_id not in ids]
    out: list[tuple[Report, Finding]] = []
    for rid in sorted(CORPUS_RULES):
        if wanted is not None and rid not in wanted:
            continue
        for rep, f in CORPUS_RULES[rid].fn(list(reports)):
            f.fill_fingerprint(rep.sha256)
            out.append((rep, f))
    touched: dict[int, Report] = {}
    seen: set[tuple[int, str]] = set()
    for rep, f in out:
        if (id(rep), f.fingerprint) in seen:  # one finding per defect, even if a rule yields it twice
            continue
        seen.add((id(rep), f.fingerprint))
        rep.findings.append(f)
        touched[id(rep)] = rep
    for rep in touched.values():
        rep.findings.sort(key=finding_order)
    return out
