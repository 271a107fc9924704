"""The rules page, generated from the registry: `python -m extractor.checks.rulesdoc > docs/rules.md`.

Every registered rule with its id, severity, title, formula (the function's docstring)
and source, grouped by the families of RULES.md, followed by the RULES.md ids that are
not implemented and why. The page depends only on the code (not on RULES.md being
present), so a test can require docs/rules.md to equal this output."""
from __future__ import annotations

import sys

from . import registry

# family letter of RULES.md -> (title, id prefixes)
FAMILIES = [
    ("A", "Table 3 arithmetic (applications)", ("T3-",)),
    ("B", "Table 4 arithmetic (review / litigation)", ("T4-",)),
    ("C", "Table 2 (proactive disclosure)", ("T2-",)),
    ("D", "Text ↔ table consistency", ("TXT-",)),
    ("E", "Structure / format compliance", ("FMT-",)),
    ("F", "Timeliness and publication", ("TIME-",)),
    ("G", "Year, identity and copy-paste errors", ("YEAR-", "DUP-", "TYPO-", "OLD-")),
    ("H", "Accessibility / evaluation-style checks", ("EVAL-",)),
    ("I", "Parsing quality", ("PARSE-",)),
]

# RULES.md ids that no function implements, and why. Only the ids still missing from the
# registry are printed, so an entry goes stale harmlessly when the rule is written.
NOT_IMPLEMENTED = {
    "TIME-DEPT": "needs the agency level and deadline tables (timeliness work, separate module)",
    "TIME-GOV": "needs the agency level and deadline tables (timeliness work, separate module)",
    "TIME-GOVOFFICE": "needs the agency level and deadline tables (timeliness work, separate module)",
    "TIME-TOWNSHIP": "needs the agency level and local deadlines (timeliness work, separate module)",
    "TIME-V2007": "deadline rule (timeliness work, separate module)",
    "TIME-MODIFIED": "needs several snapshots of the same report (crawl history)",
    "TIME-MISSING": "needs the list of agencies and years expected (crawl)",
    "T3-CROSSYEAR-CARRY": "cross-year: needs last year's report of the same agency",
    "T4-CROSSYEAR-PENDING": "cross-year: needs last year's report of the same agency",
    "T2-INFORCE-ROLL": "cross-year: needs last year's report of the same agency",
    "T2-REPEAL-LE-STOCK": "cross-year: needs last year's report of the same agency",
    "T2-V19-ITEMS-ROLL": "cross-year: needs last year's report of the same agency",
    "DUP-PREV-YEAR": "cross-year: needs last year's report of the same agency",
    "DUP-TABLE-PREV": "cross-year: needs last year's report of the same agency",
    "DUP-PEER": "needs the same year's reports of other agencies",
    "EVAL-COLUMN": "needs crawl metadata (the agency's site), not the document",
    "EVAL-HISTORY": "needs crawl metadata (the agency's site), not the document",
    "EVAL-ACCESSIBLE": "needs crawl metadata (how the report is offered online)",
    "EVAL-COMPLETE": "needs crawl metadata; its parts are FMT-SECTIONS and FMT-TABLES-PRESENT",
    "EVAL-DETAIL": "evaluation criterion of group H (crawl-level assessment), not implemented as a finding",
    "EVAL-REGION-WHOLE": "evaluation criterion of group H (crawl-level assessment), not implemented as a finding",
    "PARSE-ROWALIGN": "internal, not a finding: flattened rows are split by the template identities "
                      "(splitting.py, flat.py) and unreadable rows are not summed",
    "PARSE-OCR-CONF": "internal, not a finding: OCR cells under the threshold get status 'uncertain' and the "
                      "errors resting on them are downgraded to warnings (checks/common.py finding)",
    "PARSE-FLAT-SEQUENCE": "internal, not a finding: flattened tables are read in template order (flat.py)",
}


def _rules() -> dict:
    fn = getattr(registry, "all_rules", None)
    return fn() if fn is not None else dict(sorted(registry.RULES.items()))


def family_of(rule_id: str) -> str:
    return next((letter for letter, _, prefixes in FAMILIES if rule_id.startswith(prefixes)), "?")


def _cell(text: str) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def render() -> str:
    from . import RULES  # noqa: F401  (imports every rule module)

    rules = _rules()
    out = ["# Rules", "",
           "Generated from the registry (`src/extractor/checks/`) by "
           "`python -m extractor.checks.rulesdoc > docs/rules.md`; do not edit by hand.",
           "The formula is the rule function's docstring; ids, severities and sources follow",
           "`../shared/spec/RULES.md`. A rule may set another severity on a finding where its formula says so",
           "(per edition or year, or a downgrade when the evidence is uncertain).", "",
           f"{len(rules)} rules implemented.", ""]
    for letter, title, _ in FAMILIES + [("?", "Other", ())]:
        ids = [i for i in rules if family_of(i) == letter]
        if not ids:
            continue
        out += [f"## {letter}. {title}" if letter != "?" else "## Other", "",
                "| id | severity | title | formula | source | module |", "|---|---|---|---|---|---|"]
        for i in ids:
            r = rules[i]
            module = r.fn.__module__.rsplit(".", 1)[-1]
            kind = getattr(r, "kind", "report")
            if kind != "report":
                module += f" ({kind})"
            out.append(f"| {i} | {r.severity} | {_cell(r.title)} | {_cell(r.formula)} | {_cell(r.source)} | "
                       f"{module} |")
        out.append("")
    missing = [(i, why) for i, why in NOT_IMPLEMENTED.items() if i not in rules]
    if missing:
        out += ["## RULES.md ids not implemented", "", "| id | family | why |", "|---|---|---|"]
        for i, why in sorted(missing, key=lambda x: ([f[0] for f in FAMILIES].index(family_of(x[0]))
                                                     if family_of(x[0]) != "?" else 99, x[0])):
            out.append(f"| {i} | {family_of(i)} | {_cell(why)} |")
        out.append("")
    return "\n".join(out)


def main() -> int:
    sys.stdout.buffer.write(render().encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
