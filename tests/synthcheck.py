"""Comparison helpers shared by the synthetic-report tests (test_synthetic.py and
test_synthetic_formats.py): a parsed `Report` against the `synth.Truth` it was built from."""
from __future__ import annotations

import math

import extractor
from extractor import synth


def _same(want: float | None, got: float | None) -> bool:
    if want is None or got is None or (isinstance(got, float) and math.isnan(got)):
        return want is None and (got is None or math.isnan(got))
    return math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-9)


def cell_mismatches(rep, tr: synth.Truth) -> list[str]:
    """Every truth cell must come out with its value, raw text and status; an ambiguous truth
    cell must come out with status "ambiguous" (a guess is wrong even if it is right)."""
    out = []
    for key, (value, raw, status) in tr.cells.items():
        c = rep.cell(key)
        if c is None:
            out.append(f"{key}: missing (want {raw!r})")
        elif status == "ambiguous":
            if c.status != "ambiguous":
                out.append(f"{key}: want ambiguous (printed {raw!r}), got {c.value!r} {c.raw!r} {c.status}")
        elif not _same(value, c.value) or c.status != status or c.raw != raw:
            out.append(f"{key}: want {value!r} {raw!r} {status}, got {c.value!r} {c.raw!r} {c.status}")
    return out


def section_mismatches(rep, tr: synth.Truth) -> list[str]:
    got = [(s.key, s.title.replace(" ", "")) for s in rep.sections]
    want = [(k, t.replace(" ", "")) for k, t in tr.sections]
    return [] if got == want else [f"sections: want {want}, got {got}"]


def meta_mismatches(rep, tr: synth.Truth) -> list[str]:
    out = []
    if rep.template_version != tr.edition:
        out.append(f"edition: want {tr.edition}, got {rep.template_version} ({rep.version_evidence})")
    if rep.report_year != tr.report_year:
        out.append(f"report_year: want {tr.report_year}, got {rep.report_year}")
    if not rep.agency or not (rep.agency == tr.agency or tr.agency in rep.agency or rep.agency in tr.agency):
        out.append(f"agency: want {tr.agency}, got {rep.agency}")
    if rep.published_on != tr.published_on:
        out.append(f"published_on: want {tr.published_on}, got {rep.published_on} ({rep.published_on_source})")
    return out


def finding_mismatches(rep, tr: synth.Truth) -> list[str]:
    got = {f.rule_id for f in rep.findings if f.severity in ("error", "warning")}
    out = [f"missed {r}: {why}" for r, why in sorted(tr.rules.items()) if r not in got]
    out += [f"false error {f.rule_id}: {f.message}" for f in rep.findings
            if f.severity == "error" and f.rule_id not in tr.rules]
    return out


def all_mismatches(rep, tr: synth.Truth) -> list[str]:
    out = [] if rep.status == "ok" else [f"status {rep.status}: {rep.error}"]
    extra = sorted(c.key for c in rep.cells if c.key not in tr.cells)
    if extra:
        out.append(f"cells not printed in the report: {extra[:10]}")
    return out + cell_mismatches(rep, tr) + section_mismatches(rep, tr) + meta_mismatches(rep, tr) \
        + finding_mismatches(rep, tr)


def parse_text(name: str, text: str):
    return extractor.parse_bytes(f"{name}.txt", text.encode("utf-8"))


def show(problems: list[str], limit: int = 12) -> str:
    more = f"\n  … {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n  " + "\n  ".join(problems[:limit]) + more
