"""The HTML reader: report body found inside the page chrome, tables with real spans,
provenance, charsets, metadata, hostile and broken input, and the real archived pages
(../shared/corpus/real/pingtan-*.html) against their gold annotations and against the
flattened text rendering of the same pages."""
from __future__ import annotations

import codecs
import json
import math
from pathlib import Path

import pytest
from conftest import GOLD, real_file

import extractor
from extractor.model import Grid, Paragraph
from extractor.readers import ReadError, read_document, sniff
from extractor.readers import html as H
from extractor.readers.html import read_html


def page(body: str, head: str = "", charset: str = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<!DOCTYPE html>\n<html><head>{meta}{head}</head>\n<body>\n{body}\n</body></html>\n"


def read(html: str, encoding: str = "utf-8", name: str = "p.html"):
    return read_html(name, html.encode(encoding))


def grids(doc) -> list[Grid]:
    return list(doc.grids())


def layout(g: Grid) -> list[tuple]:
    """(row, col, rowspan, colspan, text) of every cell, in reading order."""
    return [(c.row, c.col, c.rowspan, c.colspan, c.text) for r in g.rows() for c in r]


REPORT = """
<p>某某局2021年政府信息公开工作年度报告</p>
<p>一、总体情况</p><p>本年度，我局……</p>
<p>二、主动公开政府信息情况</p>
<table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>3</td></tr></table>
<p>三、收到和处理政府信息公开申请情况</p><p>无。</p>
"""


# --------------------------------------------------------------------------- tables

def test_rowspan_and_colspan_are_spans_not_copies():
    doc = read(page("""<div class="content">
<table>
<tr><td rowspan="3" colspan="2">左上</td><td colspan="2">申请人情况</td></tr>
<tr><td>自然人</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td></tr>
<tr><td>一、</td><td>收到</td><td>5</td><td>5</td></tr>
</table></div>"""))
    [g] = grids(doc)
    assert not g.ragged
    assert layout(g) == [
        (0, 0, 3, 2, "左上"), (0, 2, 1, 2, "申请人情况"),
        (1, 2, 1, 1, "自然人"), (1, 3, 2, 1, "总计"),
        (2, 2, 1, 1, "商业企业"),                     # slots covered from above are skipped
        (3, 0, 1, 1, "一、"), (3, 1, 1, 1, "收到"), (3, 2, 1, 1, "5"), (3, 3, 1, 1, "5"),
    ]
    assert len(g.cells) == 9 and (g.n_rows, g.n_cols) == (4, 4)


def test_th_and_td_alike_thead_first_tfoot_last_and_spans_clipped():
    doc = read(page("""<table>
<tfoot><tr><td>脚</td><td>注</td></tr></tfoot>
<tbody><tr><td rowspan="9">甲</td><td>1</td></tr><tr><td>2</td></tr></tbody>
<thead><tr><th>标题</th><th>值</th></tr></thead>
</table>"""))
    [g] = grids(doc)
    assert [[c.text for c in r] for r in g.rows()] == [["标题", "值"], ["甲", "1"], ["2"], ["脚", "注"]]
    first = g.rows()[1][0]
    assert first.rowspan == 3  # rowspan=9 clipped to the rows the table has (as browsers do)
    assert g.n_rows == 4


def test_br_in_cells_and_paragraphs_and_multi_paragraph_cells():
    doc = read(page("""<p>第一行<br>第二行<br/><br>第三行</p>
<table><tr><td>（本列数据的勾稽关系为：<br>第一项加第二项之和）</td><td><p>一</p><p>二</p></td></tr>
<tr><td>&nbsp;</td><td> 0&nbsp;</td></tr></table>"""))
    paras = [b.text for b in doc.paragraphs()]
    assert paras == ["第一行\n第二行\n第三行"]
    [g] = grids(doc)
    assert [c.text for c in g.cells] == ["（本列数据的勾稽关系为：\n第一项加第二项之和）", "一\n二", "", "0"]


def test_nested_table_is_its_own_grid_after_the_outer_one():
    doc = read(page("""<table>
<tr><td>外</td><td>说明<table><tr><td>内1</td><td>内2</td></tr></table>尾</td></tr>
<tr><td>a</td><td>b</td></tr>
</table><p>之后</p>"""))
    blocks = doc.blocks
    assert [type(b).__name__ for b in blocks] == ["Grid", "Grid", "Paragraph"]
    outer, inner = blocks[0], blocks[1]
    assert [[c.text for c in r] for r in outer.rows()] == [["外", "说明\n尾"], ["a", "b"]]
    assert [[c.text for c in r] for r in inner.rows()] == [["内1", "内2"]]
    assert (outer.where.table, inner.where.table) == (0, 1)
    assert all(c.where.table == 1 for c in inner.cells)


def test_layout_table_around_the_report_is_walked_not_emitted():
    body = f"""<table width="100%"><tr>
<td class="left"><a href="/">首页</a> <a href="/a">机构</a> <a href="/b">政务公开</a></td>
<td class="right"><div class="main">{REPORT}</div></td>
</tr></table>
<table><tr><td>版权所有</td><td>某某局</td></tr></table>"""
    doc = read(page(body))
    [g] = grids(doc)
    assert [[c.text for c in r] for r in g.rows()] == [["信息内容", "本年制发件数"], ["规章", "3"]]
    text = [b.text for b in doc.paragraphs()]
    assert text[0] == "某某局2021年政府信息公开工作年度报告" and text[-1] == "无。"
    assert not any("首页" in t or "版权" in t for t in text)


def test_one_cell_wrapper_table_is_layout():
    doc = read(page(f'<table border="0"><tr><td>{REPORT}</td></tr></table>'))
    assert len(grids(doc)) == 1
    assert [b.text for b in doc.paragraphs()][1] == "一、总体情况"


def test_provenance_lines_of_cells_and_paragraphs():
    html = page(REPORT)
    lines = html.split("\n")
    doc = read(html)
    [g] = grids(doc)
    cell = g.rows()[1][1]
    assert cell.text == "3" and cell.where.table == 0 and (cell.where.row, cell.where.col) == (1, 1)
    assert "<td>3</td>" in lines[cell.where.line - 1]
    for p in doc.paragraphs():
        assert p.text.split("\n")[0][:4] in lines[p.where.line - 1]
    assert g.where.line is not None and "<table>" in lines[g.where.line - 1]


# --------------------------------------------------------------------------- the report body

CHROME_PAGE = page(f"""
<div class="header"><div class="nav"><a href="/">首页</a><a href="/x">政务公开</a></div>
<form><input name="q"><button>搜索</button></form></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 年报</div>
<script>var a = "一、总体情况 二、主动公开政府信息情况";</script>
<style>p {{ color: red }}</style>
<div class="article">
  <h1 class="article_title">某某局2021年政府信息公开工作年度报告</h1>
  <div class="info">发布时间：2022-01-25 10:30 来源：某某局办公室 <span class="share">分享到：微信 微博</span></div>
  <div class="TRS_Editor">{REPORT}<!-- 注释 --><div class="bdsharebuttonbox">分享</div>
    <p>某某局<br>2022年1月20日</p></div>
  <div class="print"><a href="javascript:window.print()">【打印本页】</a><a>【关闭窗口】</a></div>
</div>
<div class="footer">主办单位：某某局 网站标识码 123</div>
""", head="<title>某某局2021年政府信息公开工作年度报告_年度报告_某某局门户网站</title>"
     '<meta name="PubDate" content="2022-01-25 10:30"><link rel="canonical" href="https://x.gov.cn/a.html">')


def test_chrome_is_removed_and_the_report_kept_in_order():
    doc = read(CHROME_PAGE)
    text = [b.text if isinstance(b, Paragraph) else "<grid>" for b in doc.blocks]
    assert text == ["某某局2021年政府信息公开工作年度报告", "一、总体情况", "本年度，我局……",
                    "二、主动公开政府信息情况", "<grid>", "三、收到和处理政府信息公开申请情况", "无。",
                    "某某局\n2022年1月20日"]
    assert "TRS_Editor" in doc.meta["html_body"]


def test_metadata_under_the_text_readers_keys():
    doc = read(CHROME_PAGE)
    m = doc.meta
    assert m["title"] == "某某局2021年政府信息公开工作年度报告"
    assert m["published"] == "2022-01-25 10:30"
    assert m["source"] == "某某局办公室"
    assert m["url"] == "https://x.gov.cn/a.html"
    assert m["source_format"] == "html" and doc.format == "html"
    assert set(m) <= set(H.HEADER_KEYS.values()) | {"encoding", "encoding_source", "source_format", "html_body"}


def test_metadata_from_meta_tags_and_a_cleaned_title_element():
    head = ('<meta name="ArticleTitle" content="甲局2020年政府信息公开工作年度报告">'
            '<meta name="PubDate" content="2021-01-28 09:00"><meta name="ContentSource" content="甲局">'
            '<meta property="og:url" content="https://a.gov.cn/1.htm">')
    m = read(page(REPORT, head=head)).meta
    assert (m["title"], m["published"], m["source"], m["url"]) == \
        ("甲局2020年政府信息公开工作年度报告", "2021-01-28 09:00", "甲局", "https://a.gov.cn/1.htm")
    m = read(page("<p>正文</p>", head="<title>乙局2020年政府信息公开工作年度报告 - 乙局网站</title>")).meta
    assert m["title"] == "乙局2020年政府信息公开工作年度报告"
    m = read(page("<p>正文</p>", head="<title>丙局2020年政府信息公开工作年度报告_政务公开_丙局</title>")).meta
    assert m["title"] == "丙局2020年政府信息公开工作年度报告"


def test_a_hidden_copy_of_the_report_is_ignored():
    body = (f'<div class="article"><div class="TRS_Editor">{REPORT}</div></div>'
            f'<div id="printbox" style="display: none">{REPORT}</div>')
    doc = read(page(body))
    assert len(grids(doc)) == 1
    assert [b.text for b in doc.paragraphs()].count("一、总体情况") == 1


def test_page_without_headings_uses_the_content_container():
    body = ('<div id="menu"><a href="/1">链接一</a><a href="/2">链接二</a><a href="/3">链接三</a></div>'
            '<div class="detail"><p>' + "本机关依法公开政府信息。" * 10 + '</p><p>第二段。</p></div>'
            '<div class="foot">网站地图 | 联系我们</div>')
    doc = read(page(body))
    assert [b.text for b in doc.blocks] == ["本机关依法公开政府信息。" * 10, "第二段。"]


def test_whitespace_is_collapsed_as_a_browser_does():
    doc = read(page("<p>  政府信息\n  公开   工作 &nbsp; 年度\n报告 2021\n年 </p><pre>a  b\nc</pre>"))
    assert [b.text for b in doc.blocks] == ["政府信息公开 工作 年度报告 2021 年", "a  b\nc"]


# --------------------------------------------------------------------------- charsets

@pytest.mark.parametrize("declaration", [
    '<meta charset="gbk">',
    '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    '<meta charset="GB18030">',
])
def test_gbk_page_via_meta_charset(declaration):
    html = f"<html><head>{declaration}</head><body>{REPORT}<p>镕𠀀</p></body></html>"
    data = html.replace("<p>镕𠀀</p>", "").encode("gbk")
    doc = read_html("g.html", data)
    assert doc.meta["encoding"] == "gb18030" and doc.meta["encoding_source"] == "declared"
    assert next(doc.paragraphs()).text == "某某局2021年政府信息公开工作年度报告"
    # GB18030-only characters (outside GBK) decode under a GB2312/GBK declaration too
    doc = read_html("g.html", html.encode("gb18030"))
    assert "镕𠀀" in [b.text for b in doc.paragraphs()]


def test_gbk_page_without_declaration_is_detected():
    doc = read_html("g.html", page(REPORT * 3, charset="").encode("gbk"))
    assert doc.meta["encoding"] == "gb18030" and doc.meta["encoding_source"] == "detected"
    assert "一、总体情况" in [b.text for b in doc.paragraphs()]


def test_bom_wins_over_the_declaration():
    html = page(REPORT, charset="gbk")
    doc = read_html("b.html", codecs.BOM_UTF8 + html.encode("utf-8"))
    assert doc.meta["encoding_source"] == "bom"
    assert [b.text for b in doc.paragraphs()][1] == "一、总体情况"
    doc = read_html("b16.html", codecs.BOM_UTF16_LE + html.encode("utf-16-le"))
    assert [b.text for b in doc.paragraphs()][1] == "一、总体情况"


def test_mislabelled_pages_are_read_by_their_content():
    html = page(REPORT, charset="gb2312")
    doc = read_html("m.html", html.encode("utf-8"))          # says GB2312, is UTF-8
    assert doc.meta["encoding"] == "utf-8" and "一、总体情况" in [b.text for b in doc.paragraphs()]
    html = page(REPORT, charset="iso-8859-1")
    doc = read_html("l.html", html.encode("gbk"))            # says Latin-1, is GBK
    assert doc.meta["encoding"] == "gb18030" and "一、总体情况" in [b.text for b in doc.paragraphs()]


def test_gbk_page_gives_the_same_document_as_utf8():
    a = read(CHROME_PAGE.replace('charset="utf-8"', 'charset="gbk"'), "gbk")
    b = read(CHROME_PAGE)
    assert [getattr(x, "text", None) for x in a.paragraphs()] == [x.text for x in b.paragraphs()]
    assert [g.text() for g in a.grids()] == [g.text() for g in b.grids()]
    assert {k: v for k, v in a.meta.items() if k != "encoding"} == \
        {k: v for k, v in b.meta.items() if k != "encoding"}


# --------------------------------------------------------------------------- hostile and broken input

def test_billion_laughs_entities_are_not_expanded():
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    html = (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 "lol">\n{lol}\n]>\n'
            f'<html><body><p>开始 &lol9; 结束</p><p>&amp; &lt;</p></body></html>')
    doc = read_html("lol.html", html.encode())
    texts = [b.text for b in doc.blocks]
    assert texts == ["开始 &lol9; 结束", "& <"]
    assert sum(len(t) for t in texts) < 100
    assert doc.blocks[0].where.line == 6  # the dropped DTD subset keeps the line count


def test_external_entities_and_resources_are_not_fetched():
    html = ('<!DOCTYPE html SYSTEM "http://127.0.0.1:9/x.dtd"><html><body>'
            '<p>文本 &xxe;</p><img src="http://127.0.0.1:9/a.png"><iframe src="http://127.0.0.1:9/"></iframe>'
            '</body></html>')
    doc = read_html("x.html", html.encode())  # no network: this returns at once
    assert [b.text for b in doc.blocks] == ["文本 &xxe;"]


@pytest.mark.parametrize("data,cause", [
    (bytes(range(256)) * 40, "binary"),
    (b"<html>" + bytes(range(1, 32)) * 400, "control characters"),
    (b"   \n  ", "empty"),
    (b"<html><head><title></title></head><body> <script>x()</script> </body></html>", "without text"),
])
def test_bad_input_is_a_read_error_naming_the_file(data, cause):
    with pytest.raises(ReadError, match=rf"bad\.html: .*{cause}"):
        read_html("bad.html", data)


def test_random_bytes_never_escape_as_another_exception():
    rng = __import__("random").Random(7)
    for n in range(30):
        data = b"<html><body>" + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        try:
            read_html(f"r{n}.html", data)
        except ReadError as e:
            assert f"r{n}.html" in str(e)


def test_oversized_page_is_refused(monkeypatch):
    monkeypatch.setattr(H, "MAX_BYTES", 1000)
    with pytest.raises(ReadError, match=r"big\.html: .*over the"):
        read_html("big.html", page("<p>x</p>" * 500).encode())


def test_huge_spans_are_bounded():
    doc = read(page('<table><tr><td colspan="999999" rowspan="999999">a</td><td>b</td></tr></table>'))
    [g] = grids(doc)
    assert layout(g) == [(0, 0, 1, 1000, "a"), (0, 1000, 1, 1, "b")]


def test_deep_nesting_is_read_or_refused_never_a_crash():
    deep = "<html><body>" + "<div>" * 1500 + "深" + "</div>" * 1500 + "<p>后</p></body></html>"
    assert [b.text for b in read_html("deep.html", deep.encode()).blocks] == ["深", "后"]
    deeper = "<html><body>" + "<font>" * 5000 + "深" + "</body></html>"  # unclosed tags
    with pytest.raises(ReadError, match=r"deeper\.html: HTML nested too deeply"):
        read_html("deeper.html", deeper.encode())


def test_pipeline_reads_html_through_sniff():
    data = page(REPORT).encode()
    assert sniff(data, "report.bin") == "html"
    assert read_document("report.bin", data).format == "html"
    rep = extractor.parse_bytes("report.bin", data)
    assert rep.format == "html" and rep.title == "某某局2021年政府信息公开工作年度报告"


# --------------------------------------------------------------------------- the real pages

HTML_GOLD = {"pingtan-2019-html": "pingtan-2019.html", "pingtan-2020-html": "pingtan-2020.html",
             "pingtan-2021-html": "pingtan-2021.html"}


def _load_gold(doc_id):
    p = GOLD / f"{doc_id}.json"
    if not p.exists():
        pytest.skip(f"gold annotation {p} not available")
    return json.loads(p.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(HTML_GOLD))
def gold_case(request):
    path = real_file(HTML_GOLD[request.param])
    return _load_gold(request.param), extractor.parse(path)


def _same(a, b):
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return (a is None) == (b is None or (isinstance(b, float) and math.isnan(b)))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


def test_real_pages_every_gold_cell_from_the_grids(gold_case):
    gold, rep = gold_case
    assert rep.status == "ok" and rep.format == "html"
    assert rep.meta["table_sources"] == "t2:grid,t3:grid,t4:grid"
    want = {**gold["cells"], **gold.get("extra_cells", {})}
    wrong = [(k, s["value"], rep.cell(k) and rep.cell(k).value) for k, s in want.items()
             if rep.cell(k) is None or rep.cell(k).status == "ambiguous" or not _same(s["value"], rep.cell(k).value)]
    assert not wrong
    assert all(c.where.table is not None and c.where.line for c in rep.cells)  # grid provenance


def test_real_pages_sections_meta_and_defects(gold_case):
    gold, rep = gold_case
    assert [s.key for s in rep.sections] == [g["key"] for g in gold["sections"]]
    titles = {s.key: s.title.replace(" ", "") for s in rep.sections}
    assert all(titles[g["key"]] == g["title_as_printed"].replace(" ", "") for g in gold["sections"])
    assert (rep.template_version, rep.report_year, rep.agency) == \
        (gold["template_version"], gold["report_year"], gold["agency"])
    assert str(rep.published_on) == gold["page_meta_published_on"] and rep.published_on_source == "page_meta"
    got = {f.rule_id for f in rep.findings if f.severity in ("error", "warning")}
    want = {d["rule"] for d in gold["true_inconsistencies"]}
    assert want <= got
    assert not {f.rule_id for f in rep.findings if f.severity == "error"} - want
    assert not [i for i in rep.shape_issues if i["severity"] == "error"]


@pytest.mark.parametrize("year", [2019, 2020, 2021])
def test_html_cells_equal_the_flattened_text_of_the_same_page(year):
    h = extractor.parse(real_file(f"pingtan-{year}.html"))
    t = extractor.parse(real_file(f"pingtan-{year}.txt"))
    decided = {c.key: c for c in t.cells if c.status != "ambiguous"}
    assert len(decided) >= 150
    hc = {c.key: c for c in h.cells}
    assert set(hc) == {c.key for c in t.cells}
    diff = [(k, c.value, hc[k].value) for k, c in decided.items() if not _same(c.value, hc[k].value)
            or c.status != hc[k].status]
    assert not diff
    assert [s.key for s in h.sections] == [s.key for s in t.sections]


@pytest.mark.parametrize("year", [2012, 2016, 2018])
def test_pre_2019_pages_parse_as_v2007(year):
    rep = extractor.parse(real_file(f"pingtan-{year}.html"))
    assert rep.status == "ok", rep.error
    assert (rep.template_version, rep.report_year, rep.agency) == ("v2007", year, "平潭综合实验区")
    assert rep.format == "html" and rep.cells  # the statistics of the prose and the table
    assert rep.meta["title"] == f"平潭综合实验区{year}年{'度' if year > 2012 else ''}政府信息公开工作年度报告"


@pytest.mark.parametrize("year", [2012, 2016, 2018, 2019, 2020, 2021])
def test_real_pages_chrome_is_not_in_the_body(year):
    doc = read_html(f"pingtan-{year}.html", real_file(f"pingtan-{year}.html").read_bytes())
    text = "\n".join(b.text if isinstance(b, Paragraph) else b.text() for b in doc.blocks)
    for chrome in ("当前位置", "分享到", "QQ空间", "文件下载", "全真版", "闽政通APP", "网站标识码", "相关链接：",
                   "来源：", "时间：20"):
        assert chrome not in text, chrome
    assert doc.meta["published"].startswith(str(year + 1))
    assert doc.meta["source"] and doc.meta["url"].startswith("https://www.pingtan.gov.cn/")


def test_real_page_irregular_t3_header_spans():
    doc = read_html("p.html", real_file("pingtan-2021.html").read_bytes())
    t3 = next(g for g in doc.grids() if "申请人情况" in g.text())
    header = {c.text.replace("\n", ""): (c.row, c.col, c.rowspan, c.colspan) for c in t3.cells
              if c.row < 3 and c.text}
    assert header["自然人"] == (1, 3, 1, 2)         # spans two grid columns
    assert header["商业企业"] == (2, 4, 1, 2)
    assert any(c.row == 2 and c.col == 3 and c.text == "" for c in t3.cells)  # the empty cell before 商业企业


# --------------------------------------------------------------------------- the quick paths

TRICKY = [
    CHROME_PAGE,
    page(f'<table border="0"><tr><td>{REPORT}</td></tr></table>'),
    page("""<div class="TRS_Editor"><p> <span>一</span><span>、总体<b>情况</b></span></p>
<p><span>\u3000本年度</span>，<span class="share">分享</span>我局<br/>继续<font>推进</font></p>
<p><span></span><span>二、</span>主动公开政府信息情况</p><span>行内<br>文字</span>尾<div>块</div>
<table><tr><td><p>行政<br>规范性文件</p><p>第二段</p></td><td> 3 <br> </td><td><span>1</span>2<hr>4</td></tr>
<tr><td><p>一</p>间<p>二</p></td><td><pre>a  b</pre></td><td><img src="x.png">图</td></tr></table>
<pre>  保留  <span>空格</span>
第二行</pre><p style="display:none">隐藏</p><x}p>奇怪的标签</x}p><blocKquote>引用</blocKquote></div>"""),
    page("<p>" + "<span>" * 300 + "深" + "</span>" * 300 + "</p><div>" + "<span>" * 200 + "<div>块</div>"
         + "</span>" * 200 + "</div>"),
    # text nodes split by removed elements (script, style, input)
    page('<div class="content"><p> <script>a()</script>一、<style>p{}</style>总体情况</p>'
         '<div><span>x</span> <input>二、主动公开政府信息情况</div><p>\u3000<b> </b>三、收到和处理政府信息公开申请情况'
         '</p></div>'),
]


def _element_by_element(monkeypatch):
    """The reader with every quick path switched off: each element read on its own, every element
    tried as a heading, the model's own constructors."""
    monkeypatch.setattr(H, "_content_kind", lambda el, mixed: H.MIXED)
    monkeypatch.setattr(H, "_cell_text", lambda td, mixed: None)
    monkeypatch.setattr(H, "_no_blocks_inside", lambda el, mixed: False)
    monkeypatch.setattr(H, "_make_paragraph", H._slow_paragraph)
    monkeypatch.setattr(H, "_make_cell", H._slow_cell)
    monkeypatch.setattr(H._Page, "_candidates",
                        lambda self: [el for el in self.root.iter() if H._tag(el) in H.HEADING_TAGS])


@pytest.mark.parametrize("source", ["tricky", "synthetic", "real"])
def test_quick_paths_read_as_element_by_element(source, monkeypatch):
    if source == "tricky":
        pages = [(f"t{i}.html", html.encode()) for i, html in enumerate(TRICKY)]
    elif source == "synthetic":
        synthetic = Path(__file__).resolve().parents[1] / "corpus" / "synthetic"
        pages = [(p.name, p.read_bytes()) for p in sorted(synthetic.glob("html-*.html"))]
    else:
        pages = [(f"pingtan-{y}.html", real_file(f"pingtan-{y}.html").read_bytes())
                 for y in (2012, 2016, 2018, 2019, 2020, 2021)]
    assert pages
    quick = [read_html(name, data) for name, data in pages]
    with monkeypatch.context() as m:
        _element_by_element(m)
        slow = [read_html(name, data) for name, data in pages]
    for a, b in zip(quick, slow):
        assert a.blocks == b.blocks and a.meta == b.meta, a.path
        assert [vars(x) for x in a.blocks] == [vars(x) for x in b.blocks]
