"""The HTML audit report (`extractor.audit.write_audit`): content, provenance, both
languages, escaping, reproducibility; and the page rendered in headless Chromium (no
console errors, the text an auditor reads, a screenshot in outputs/)."""
from __future__ import annotations

import copy
import html
import re
from pathlib import Path

import pytest

import extractor
import extractor.checks.common
from extractor.audit import UI, identity, render, rules, write_audit
from extractor.model import Evidence, Finding, Report, Where

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "corpus" / "seed" / "songbei-chuankou-2020.txt"
SYNTHETIC = REPO / "corpus" / "synthetic"
# defects of every kind: T3 sums, T4 sums, text vs table, early date, missing sections, extra rows
SYNTH_NAMES = ("web-v2021-2022-defects-single-other-no-s6.txt", "cpl-v2021-2022-fullwidth-text-mismatch.txt",
               "cpl-v2021-2023-subtotal-t4-defect.txt", "cpl-v2019-2020-early-date-t3-defect.txt",
               "cpl-v2019-2022-version-mismatch-no-s5.txt")
SCREENSHOT = REPO / "outputs" / "audit-screenshot.png"
SEED_T3_BAL = "自然人：一 2 + 二 0 = 2 ≠ 三（七）总计 0 + 四 0 = 0"


def text_of(page: str, lang: str = "zh") -> str:
    """The page's text as a reader of `lang` sees it (the other language's labels, tags and
    the style sheet dropped, entities decoded)."""
    other = "en" if lang == "zh" else "zh"
    page = re.sub(r"<style>.*?</style>|<script>.*?</script>", "", page, flags=re.DOTALL)
    page = re.sub(rf'<(span|tspan) class="{other}">[^<]*</\1>', "", page)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    if not SEED.exists():
        pytest.skip("seed report missing from corpus/seed")
    reps = [extractor.parse(SEED)] + [extractor.parse(SYNTHETIC / n) for n in SYNTH_NAMES
                                      if (SYNTHETIC / n).exists()]
    reps.append(extractor.parse_bytes("bad/truncated.pdf", b"%PDF-1.4 truncated"))
    return reps


@pytest.fixture(scope="module")
def page(reports, tmp_path_factory) -> str:
    out = write_audit(reports, tmp_path_factory.mktemp("audit"))
    assert out.name == "index.html"
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(reports) -> Report:
    return reports[0]


def test_every_finding_is_on_the_page(reports, page):
    n = 0
    for r in reports:
        for f in r.findings:
            assert f'href="#rule-{f.rule_id}"' in page
            assert html.escape(f.message) in page, f.message
            n += 1
    assert n > 20
    # one section per report, with its anchor, linked from the list of reports
    for r in reports:
        assert f'id="r-{r.report_id}"' in page and f'href="#r-{r.report_id}"' in page


def test_seed_t3_balance_written_out_as_arithmetic(seed, page):
    f = next(f for f in seed.findings if f.rule_id == "T3-BAL")
    assert (f.expected, f.actual) == ("2", "0")
    assert SEED_T3_BAL in text_of(page)


def test_arithmetic_agrees_with_the_findings(reports):
    """The sums shown are computed from the cells; they must be the check's own numbers."""
    shown = 0
    for r in reports:
        for f in r.findings:
            idn = identity(r, f)
            if idn is None:
                continue
            shown += 1
            assert idn.consistent, (r.path, f.rule_id, f.message)
    assert shown >= 10


def test_other_identities(reports, page):
    t = text_of(page)
    fmt = extractor.checks.common.fmt_num
    # a T4 block sum: 结果维持 a + 结果纠正 b + 其他结果 c + 尚未审结 d = s ≠ 总计 t
    r, f = next((r, f) for r in reports for f in r.findings if f.rule_id == "T4-REVIEW-SUM")
    v = [fmt(r.cell(k).value or 0) for k in f.cells]
    assert (f"行政复议：结果维持 {v[0]} + 结果纠正 {v[1]} + 其他结果 {v[2]} + 尚未审结 {v[3]} = {f.expected} "
            f"≠ 总计 {v[4]}") in t
    # text against table: the narrative's number against the T3 cell
    r, f = next((r, f) for r in reports for f in r.findings if f.rule_id == "TXT-APP-NEW")
    assert f"文中 {f.expected} ≠ 一·总计 {f.actual}" in t
    # the early date of the seed
    assert "发布日期 2020-01-31 < 报告年度次年首日 2021-01-01" in t


def crafted(seed: Report) -> Report:
    """The seed with a misprinted row label and findings of the rules the corpus does not trigger."""
    r = copy.deepcopy(seed)
    r.cell("t3.new_received.natural_person").label = "一、本年新收政府信息公开申请数"
    r.findings = r.findings + [
        Finding("T3-PARTIAL-ONCE", "warning", "the outcome rows count 5 applications, more than the 2 …",
                expected="<= 2", actual="5",
                cells=("t3.r_partial.total", "t3.new_received.total", "t3.carried_over.total"), scope="total"),
        Finding("TXT-PCT", "warning", "The text states 办结率 90% ('受理50件,办结40件,办结率90%' in s3_applications), "
                "but 40 / 50 = 80.00%.", expected="80.00%", actual="90%",
                evidence=(Evidence("受理50件，办结40件，办结率90%。", Where(char=3, char_end=20), "s3_applications"),),
                scope="pct"),
        Finding("YEAR-TITLE-PERIOD", "error", "the title says 2020 but the statistic period is 2019",
                expected="2020", actual="2019", scope="2020/2019"),
    ]
    return r


def test_identities_of_rarer_rules(seed, tmp_path):
    r = crafted(seed)
    assert all(identity(r, f).consistent for f in r.findings[-3:])
    t = text_of(write_audit([r], tmp_path).read_text(encoding="utf-8"))
    assert "三、办理结果各行之和（总计列） 5 > 一·总计 2 + 二·总计 0 = 2" in t
    assert "文中百分比 90% ≠ 40 / 50 = 80.00%" in t
    assert "标题年份 2020 ≠ 统计期限年份 2019" in t
    assert "印作：一、本年新收政府信息公开申请数" in t
    assert "chars 3-20" in t


def test_where_each_value_was_read(seed, reports, page):
    c = seed.cell("t3.new_received.natural_person")
    assert c.where.describe() == "table 1 row 4 col 1 line 120"
    assert "table 1 row 4 col 1 line 120" in page
    for r in reports:
        for f in r.findings:
            for k in f.cells:
                cell = r.cell(k)
                if cell is not None and cell.where.describe():
                    assert html.escape(cell.where.describe()) in page
    # flattened web text: line and character offsets
    web = next(r for r in reports if r.path.endswith("web-v2021-2022-defects-single-other-no-s6.txt"))
    assert web.cell("t3.new_received.total").where.describe() in page
    # the template's Chinese labels next to the cell keys, the raw text, the section of the table
    assert "t3.new_received.natural_person" in page
    assert "一、本年新收政府信息公开申请数量 · 自然人" in page
    assert "表格所在章节" in page and "三、收到和处理政府信息公开申请情况" in page


def test_text_findings_quote_the_sentence(reports, page):
    r = next(r for r in reports if r.path.endswith("cpl-v2021-2022-fullwidth-text-mismatch.txt"))
    f = next(f for f in r.findings if f.rule_id == "TXT-APP-NEW")
    quote = next(e for e in f.evidence if e.section)
    assert html.escape(quote.text) not in page  # it is there, with the claim marked:
    claim = re.findall(r"'([^']+)'", f.message)[0]  # the words the check matched, e.g. 收到政府信息公开申请86件
    assert claim in quote.text and f"<mark>{html.escape(claim)}</mark>" in page
    assert quote.where.describe() in page  # chars a-b in the section
    assert "三、收到和处理政府信息公开申请情况" in page


def test_report_metadata_with_evidence(seed, page):
    t = text_of(page)
    assert seed.agency in t and seed.version_evidence in t
    assert "2020-01-31" in t and "signature" in t


def test_summary_and_failed_files(reports, page):
    t = text_of(page)
    assert "按规则统计的问题" in t and "Findings by rule and severity" in text_of(page, "en")
    assert "<svg" in page and "</svg>" in page
    failed = reports[-1]
    assert failed.status == "failed" and failed.error
    assert html.escape(failed.error) in page
    assert f"extractor {extractor.__version__}" in t
    # reports with the most errors first
    listing = page[page.index('id="reports"'):page.index('id="failed"')]
    order = re.findall(r'href="#(r-[0-9a-f]+)"', listing)
    errors = {f"r-{r.report_id}": sum(f.severity == "error" for f in r.findings) for r in reports}
    assert [errors[a] for a in order] == sorted((errors[a] for a in order), reverse=True)


def test_rules_appendix(reports, page):
    registry = rules()
    for r in reports:
        for f in r.findings:
            assert f'id="rule-{f.rule_id}"' in page
    for rid, rule in registry.items():
        assert f'id="rule-{rid}"' in page
        assert html.escape(rule.formula) in page
        assert html.escape(rule.source) in page


def test_both_languages(reports, tmp_path, page):
    clean = Report("0" * 16, "clean.txt", "0" * 64, "txt", agency="某某局", report_year=2022)
    empty = write_audit([clean], tmp_path / "clean").read_text(encoding="utf-8")
    third = write_audit([crafted(reports[0])], tmp_path / "crafted").read_text(encoding="utf-8")
    assert "印作：一、本年新收政府信息公开申请数" in text_of(third)
    # every UI label is in both languages; each is on one of these pages
    for key, (zh, en) in UI.items():
        for label in (zh, en):
            fixed = html.escape(label.split("{")[0])  # the part before a number
            assert any(fixed in p for p in (page, empty, third)), (key, label)
    zh_text, en_text = text_of(page, "zh"), text_of(page, "en")
    assert "按规则统计的问题" in zh_text and "Findings by rule and severity" not in zh_text
    assert "Findings by rule and severity" in en_text and "按规则统计的问题" not in en_text
    assert SEED_T3_BAL in zh_text and SEED_T3_BAL in en_text  # the report's values and labels as printed
    assert '<html lang="zh-CN" data-lang="zh">' in page
    en_page = write_audit(reports, tmp_path / "en", lang="en").read_text(encoding="utf-8")
    assert '<html lang="en" data-lang="en">' in en_page
    assert 'data-set-lang="en" aria-pressed="true"' in en_page
    with pytest.raises(ValueError):
        render(reports, lang="fr")


def test_same_input_same_bytes(reports, tmp_path):
    a = write_audit(reports, tmp_path / "a").read_bytes()
    b = write_audit(list(reversed(reports)), tmp_path / "b").read_bytes()
    assert a == b
    again = [extractor.parse(SEED)] + [extractor.parse(SYNTHETIC / n) for n in SYNTH_NAMES
                                       if (SYNTHETIC / n).exists()]
    again.append(extractor.parse_bytes("bad/truncated.pdf", b"%PDF-1.4 truncated"))
    assert write_audit(again, tmp_path / "c").read_bytes() == a


def test_self_contained(page):
    assert not re.search(r"https?://", page)
    assert not re.search(r"\s(src|srcset)=", page)
    assert "@import" not in page and "url(" not in page
    assert page.count("<script>") == 1 and page.count("<style>") == 1


def test_report_text_is_escaped(tmp_path):
    evil = "<script>alert('x')</script>"
    r = Report("deadbeefdeadbeef", "evil/<b>.txt", "0" * 64, "txt", agency=evil, title=evil + "&amp;",
               agency_evidence='" onmouseover="alert(1)', template_version="v2021", report_year=2022)
    r.findings = [Finding("TIME-EARLY", "warning", f"dated {evil}", expected=">= 2023-01-01", actual=evil,
                          cells=("t3.<x>.total",), evidence=(Evidence(f"</blockquote>{evil}", Where(line=3)),),
                          scope="x", fingerprint="f")]
    page = write_audit([r], tmp_path).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "</blockquote><script>" not in page
    assert '" onmouseover="' not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&amp;amp;" in page  # "&amp;" in the title is text, shown as typed
    assert page.count("<script>") == 1


def test_empty_corpus(tmp_path):
    page = write_audit([], tmp_path).read_text(encoding="utf-8")
    assert "没有发现问题" in page and "</html>" in page


# --------------------------------------------------------------------------- in a browser

@pytest.fixture(scope="module")
def browser():
    from chromium import Chromium, find_chromium

    if find_chromium() is None:
        pytest.skip("chromium not installed (scripts/setup --test installs it)")
    with Chromium() as b:
        yield b


def test_browser_harness_sees_console_errors(browser, tmp_path):
    """The check below means something: errors and uncaught exceptions are caught."""
    p = tmp_path / "bad.html"
    p.write_text('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><p>x</p>'
                 '<script>console.error("bad thing")</script><script>undefinedFunction()</script>',
                 encoding="utf-8")
    got = browser.load(p)
    assert any("bad thing" in e for e in got.console_errors)
    assert any("undefinedFunction" in e for e in got.console_errors)


def test_page_in_chromium(browser, reports, tmp_path):
    path = write_audit(reports, tmp_path / "audit")
    got = browser.load(path, width=1366, height=900)
    assert got.console_errors == [], got.console_errors
    # what a Chinese reader sees: Chinese labels only, the arithmetic, where it was read
    assert "政府信息公开工作年度报告 审核报告" in got.text
    assert SEED_T3_BAL in got.text
    assert "table 1 row 4 col 1 line 120" in got.text
    assert "Findings by rule and severity" not in got.text
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(got.screenshot)
    assert got.screenshot[:8] == b"\x89PNG\r\n\x1a\n" and len(got.screenshot) > 20_000
    # the toggle switches to English; the filter hides a severity
    after = browser.evaluate(path, """(function(){
        document.querySelector('[data-set-lang="en"]').click();
        var t = document.body.innerText;
        document.querySelector('[data-sev="info"]').click();
        var info = document.querySelector('.finding.sev-info');
        return [t, document.documentElement.lang, getComputedStyle(info).display,
                document.querySelector('[data-sev="info"]').getAttribute('aria-pressed')];
    })()""")
    text_en, lang, info_display, pressed = after
    assert "Findings by rule and severity" in text_en and "按规则统计的问题" not in text_en
    assert SEED_T3_BAL in text_en  # the report's own values and labels stay as printed
    assert (lang, info_display, pressed) == ("en", "none", "false")
    # ?lang=en opens the page in English
    assert browser.evaluate(path, "document.documentElement.getAttribute('data-lang')", query="?lang=en") == "en"


def test_english_page_in_chromium(browser, reports, tmp_path):
    path = write_audit(reports, tmp_path / "en", lang="en")
    got = browser.load(path)
    assert got.console_errors == []
    assert "Audit of government information disclosure annual reports" in got.text
    assert "审核报告" not in got.text
