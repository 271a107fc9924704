"""One file -> one `Report`: read, segment, align, metadata, checks.

`parse_bytes` never raises for bad input: a file that cannot be read becomes a
report with status `failed` and an error naming the file and the cause.
"""
from __future__ import annotations

import hashlib
import traceback
from pathlib import Path

from . import agency as A
from . import meta as M
from .align import align
from .checks import run_checks
from .deadlines import DeadlineConfig, attach
from .model import Document, Report
from .readers import ReadError, read_document, sniff
from .segment import Body, segment
from .templates import detect_edition, get_template

FORMAT_NAMES = {"ole": "doc", "rtf": "rtf", "txt": "txt", "html": "html", "docx": "docx", "pdf": "pdf",
                "image": "image", "zip": "zip"}


def report_id_for(sha256: str) -> str:
    return sha256[:16]


def parse(path: str | Path, deadlines: DeadlineConfig | None = None) -> Report:
    """Parse one report file (any supported format) into a `Report`; `deadlines` are the
    local deadline rules the TIME-* checks read (`deadlines.load_deadlines`)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        sha = hashlib.sha256(str(p).encode()).hexdigest()
        return Report(report_id_for(sha), str(p), "", "unknown", status="failed",
                      error=f"{p}: cannot read file ({e.strerror or e})")
    return parse_bytes(str(p), data, deadlines)


def parse_bytes(path: str, data: bytes, deadlines: DeadlineConfig | None = None) -> Report:
    sha = hashlib.sha256(data).hexdigest()
    fmt = FORMAT_NAMES.get(sniff(data, path), "unknown") if data else "empty"
    rep = attach(Report(report_id_for(sha), path, sha, fmt), deadlines)
    try:
        doc = read_document(path, data)
    except ReadError as e:
        rep.status, rep.error = "failed", str(e)
        return rep
    except Exception as e:  # a reader bug must not stop a corpus run
        rep.status = "failed"
        rep.error = f"{path}: reader crashed: {type(e).__name__}: {e}"
        rep.meta["traceback"] = traceback.format_exc(limit=5)
        return rep
    rep.format = doc.format  # readers know better (a .wps holding Word 97 binary is "wps")
    try:
        build_report(rep, doc)
    except Exception as e:
        rep.status = "failed"
        rep.error = f"{path}: internal error while analysing: {type(e).__name__}: {e}"
        rep.meta["traceback"] = traceback.format_exc(limit=8)
    return rep


def build_report(rep: Report, doc: Document) -> Report:
    rep.meta.update({k: v for k, v in doc.meta.items() if isinstance(v, (str, int, float, bool))})
    body = Body.of(doc)
    sections, info = segment(doc, body)
    rep.sections = sections

    # title, agency, year
    title = info["title"] or doc.meta.get("title", "")
    rep.title = " ".join(title.split())
    agency, title_year = M.title_parts(title)
    if (agency is None or title_year is None) and doc.meta.get("title"):
        a2, y2 = M.title_parts(doc.meta["title"])
        agency, title_year = agency or a2, title_year or y2
    sig = M.find_signature(body.text)
    if sig is not None and sections:
        last = sections[-1]
        if last.span and last.span[0] <= sig.start < last.span[1]:
            cut = last.text.rfind(sig.raw.split()[0]) if sig.raw else -1
            if cut >= 0:
                last.text = last.text[:cut].rstrip()
        rep.meta["signature"] = sig.raw
        if sig.org:
            rep.meta["agency_signature"] = sig.org
    if agency:
        rep.agency, rep.agency_evidence = agency, f"title: {rep.title}"
    elif sig is not None and sig.org:
        rep.agency, rep.agency_evidence = sig.org, f"signature: {sig.raw}"

    pre = next((s.text for s in sections if s.key == "s0_preamble"), "")
    rep.period_year, period_text = M.period_year(pre) if pre else (None, "")
    if rep.period_year is None:
        rep.period_year, period_text = M.period_year(body.text)
    if period_text:
        rep.meta["period"] = period_text
    rep.meta["title_year"] = title_year

    # the issuing body: normalised, level and region (the signature's form when it is fuller)
    who = A.identify(rep.agency, sig.org if sig is not None else None,
                     [doc.meta.get("publisher"), doc.meta.get("source"), pre[:600]])
    if who is not None:
        rep.agency_normalised, rep.level = who.normalised or None, who.level
        rep.region_province, rep.region_city, rep.region_county = who.province, who.city, who.county
        rep.meta["agency_level_evidence"] = who.evidence

    if sig is not None and sig.date is not None:
        rep.published_on, rep.published_on_source = sig.date, "signature"
    elif (d := M.page_date(doc.meta)) is not None:
        rep.published_on, rep.published_on_source = d, "page_meta"
    elif (d := M.page_date({"published": doc.meta.get("modified") or doc.meta.get("created") or ""})):
        rep.published_on, rep.published_on_source = d, "file_properties"

    if title_year:
        rep.report_year, rep.year_evidence = title_year, "title"
    elif rep.period_year:
        rep.report_year, rep.year_evidence = rep.period_year, "statistic period"
    elif rep.published_on:
        rep.report_year, rep.year_evidence = rep.published_on.year - 1, "publication date minus one year"

    guess = detect_edition(body.text, rep.report_year)
    rep.template_version, rep.version_evidence, rep.version_confidence = guess.edition, guess.evidence, \
        guess.confidence

    problems = []
    if rep.template_version in ("v2019", "v2021"):
        tpl = get_template(rep.template_version)
        res = align(doc, body, sections, tpl)
        rep.cells = res.cells
        rep.shape_issues = res.issues
        rep.meta["table_sources"] = ",".join(f"{k}:{v}" for k, v in sorted(res.sources.items()))
        missing = [t for t in ("t2", "t3", "t4") if t not in res.sources]
        if missing:
            problems.append("tables not found: " + ", ".join(missing))
    elif rep.template_version == "v2007":
        from .v2007 import extract_v2007_stats

        def locate(si: int, start: int, end: int):
            sec = sections[si]
            base = body.text.find(sec.text, sec.span[0] if sec.span else 0)
            return body.where(base + start, base + end) if base >= 0 else sec.where
        rep.cells = extract_v2007_stats(sections, locate)
    if not sections:
        problems.append("no section headings found")
    if rep.template_version is None:
        problems.append("template edition undetermined")
    core = [x for x in sections if x.key != "s0_preamble"]
    if rep.template_version is None and not core and not rep.title:
        rep.status = "failed"
        rep.error = (f"{rep.path}: does not look like an OGI annual report (no report title, section "
                     f"headings or template tables found)")
        return rep
    rep.findings = run_checks(rep)
    if problems:
        rep.status, rep.error = "partial", f"{rep.path}: " + "; ".join(problems)
    return rep
