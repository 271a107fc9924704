"""A synthetic corpus of N reports for the corpus benchmarks (`bench_corpus.py`).

    .venv/bin/python benchmarks/gen_corpus.py N OUT [--seed S] [--jobs J]

Writes N reports, about a third each DOCX, HTML and TXT, into OUT/000/, OUT/001/, … (at most
1000 files a folder), with the project's own synthetic builders: `extractor.synth.random_spec`
for the numbers (every template identity holds unless a defect is asked for), `synth.render` for
the text shapes (the DOCX text export and the flattened web page), `synth_formats.render_docx`
and `render_html_bytes` for the real formats (merged-cell tables). Nothing is checked against a
truth here: these are inputs for timing and memory, not tests.

What varies, so that the corpus looks like many bodies publishing over several years:

* Bodies: distinct names made of a place (two characters from a pool, then 县/区/市/镇/街道)
  and a department (人民政府, 教育局, 市场监督管理局, …). Each body publishes a run of
  consecutive years within 2019–2024 (one to six reports), so the cross-year rules have pairs;
  about 3 % of reports are a second rendering of the same body and year (txt beside html).
* Template edition from the year (2019–2020: v2019, later v2021), with about 3 % of reports
  printing the old v2019 table in a later year; scale, placeholder style, full-width digits,
  label and date styles, title variants, a dropped section, the 小计 column, the single （六）
  row, late or early signature dates, a few table defects and narrative/table mismatches; for
  TXT the cell-per-line export or the flattened web text (tight or spaced digits, CMS chrome);
  for HTML the layout (one or several T2 tables, vertical labels, chrome) and GBK pages; for DOCX
  the layout and heading style.
* Narratives: `synth` writes the same few template sentences for every report, so the
  narratives of different bodies come close to duplicates (DUP-PEER: char-5gram Jaccard ≥ 0.85;
  measured over the 8,256 same-year pairs of different bodies among 300 reports: mean 0.41,
  1 % above 0.62, the closest 0.88).
  Here each report adds its own sentences, drawn from a phrase bank (topics × channels ×
  actions, with numbers and months), to the opening and the five parts of section 一 and to both
  parts of section 五: `synth._overview` and `synth._s5_parts` are wrapped in this process and its
  workers (the rest of the rendering is unchanged: the wrappers draw from their own random
  generator). With them the same pairs measure mean 0.29, 1 % above 0.41, the closest 0.52.
* Copies, so that the duplicate rules still have something to find, as in a real corpus: about
  0.2 % of reports are another body's report of the same year with only the name changed
  (DUP-PEER), about 1 % are the body's own previous report again (DUP-PREV-YEAR,
  DUP-TABLE-PREV). The narrative includes the tables' numbers, so a copy is found only when the
  numbers are copied too.

The plan is drawn from `--seed` alone, body after body, so the first K reports of a corpus of N
are the same as a corpus of K. Every file has distinct bytes (checked at the end; a report
that happens to repeat earlier bytes is drawn again with another seed).
"""
from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from extractor import synth, synth_formats  # noqa: E402

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
PER_FOLDER = 1000
FORMATS = ("docx", "html", "txt")
COPY_PEER = 0.002  # a report that is another body's report of the same year, renamed
COPY_PREV = 0.01   # a report that is the body's previous report again

# --------------------------------------------------------------------------- bodies

PLACE_CHARS = "青临松东白云南北金清安永长兴丰泰嘉柳桃凤龙玉新富宝华明德仁和平宁远福顺昌盛山江河湖溪岭川源泉阳峰"
PLACE_KINDS = (("县", 40), ("区", 30), ("市", 15), ("镇", 10), ("街道", 5))
COUNTY_DEPTS = ("人民政府", "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局",
                "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局",
                "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局", "应急管理局",
                "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "林业局", "体育局", "信访局",
                "行政审批局", "数据资源管理局", "残疾人联合会")
TOWN_DEPTS = {"镇": ("人民政府",), "街道": ("办事处",)}


def body_names(rng: random.Random):
    """Distinct body names, forever (place names are drawn without repeating a body)."""
    seen: set[str] = set()
    kinds, weights = zip(*PLACE_KINDS)
    while True:
        a, b = rng.sample(PLACE_CHARS, 2)
        kind = rng.choices(kinds, weights)[0]
        dept = rng.choice(TOWN_DEPTS.get(kind, COUNTY_DEPTS))
        name = f"{a}{b}{kind}{dept}"
        if name not in seen:
            seen.add(name)
            yield name


# --------------------------------------------------------------------------- narrative phrase bank

TOPICS = ("优化营商环境", "乡村振兴", "重大建设项目", "公共资源配置", "社会公益事业建设", "财政预决算", "减税降费",
          "稳就业保就业", "义务教育招生", "医疗卫生服务", "养老服务", "保障性住房", "生态环境保护", "安全生产",
          "食品药品安全", "应急管理", "防汛抗旱", "农业农村", "交通运输", "城市管理", "行政执法公示",
          "权责清单", "人大代表建议和政协提案办理", "民生实事项目", "征地补偿", "社会救助", "价格收费",
          "国有资产管理", "环境影响评价", "统计数据发布", "国土空间规划", "惠企政策", "文化旅游", "全民健身",
          "退役军人服务", "水利工程建设", "老旧小区改造", "垃圾分类", "农村人居环境整治", "数字政府建设",
          "“放管服”改革", "双随机一公开监管", "政府采购", "招投标", "耕地保护", "河湖长制", "疫情防控",
          "消费者权益保护", "校外培训治理", "医疗保障待遇")
CHANNELS = ("门户网站", "政务微信公众号", "政务微博", "政务服务网", "政府公报", "新闻发布会", "信息公开栏",
            "便民服务中心电子显示屏", "村（居）务公开栏", "政务服务便民热线", "政务短视频账号", "政府信息公开查阅点",
            "融媒体中心", "广播电视", "本地报刊")
ROLES = ("人大代表", "政协委员", "企业代表", "社区居民代表", "新闻媒体记者", "学生家长代表", "法律顾问", "群众代表")
MONTHS = "一二三四五六七八九十"
ACTIONS = (
    "围绕{t}，通过{c}发布相关信息{n}条",
    "在{c}开设“{t}”专栏，全年更新内容{m}期",
    "组织开展{t}政策解读{k}次，其中图文解读{m}篇、视频解读{s}期",
    "{mo}月召开{t}新闻发布会，及时回应社会关切",
    "对涉及{t}的{m}份文件逐一开展公开属性认定",
    "邀请{s}名{r}参加“政府开放日”活动，现场了解{t}工作",
    "清理与{t}有关的文件{m}件，及时更新公开目录",
    "依托{c}回应公众关于{t}的留言{n}条，办结率100%",
    "编印{t}宣传资料{n}份，在{c}同步推送",
    "就{t}有关事项公开征求意见{k}次，收到意见建议{m}条并逐条反馈",
    "建立{t}信息发布“周调度、月通报”机制，确保信息更新及时",
    "配合上级部门完成{t}专项检查{k}次，整改问题{s}个",
    "将{t}相关信息纳入{c}重点栏目，浏览量{n}余人次",
    "{mo}月起试行{t}信息“一网通查”，群众可在{c}一站查询",
    "在{c}发布{t}办事指南{m}项，实现办事流程和材料清单公开",
    "梳理{t}领域基层政务公开标准目录事项{m}项",
    "组织{s}名{r}对{t}信息公开情况开展评议",
    "对{t}相关的{k}项重大行政决策事前公开征求意见",
)
S5_PROBLEMS = ("三是{t}信息公开的及时性仍有欠缺，个别信息发布滞后",
               "三是{c}的栏目设置与群众需求还有差距",
               "此外，{t}方面的政策解读多为文字形式，群众阅读体验不佳",
               "同时，{c}互动回应不够及时，部分留言答复偏简单",
               "另外，基层单位对{t}信息公开的重视程度不一")
S5_FIXES = ("{mo}月前完成{c}栏目优化，重点做好{t}信息发布",
            "建立{t}信息公开台账，实行清单化管理，按月检查更新情况",
            "每季度开展一次{c}内容自查，发现问题即时整改",
            "围绕{t}推出图解、短视频等解读产品，提升解读质量",
            "组织业务骨干赴先进地区学习{t}公开经验，全年培训不少于{k}次")


def _phrase(rng: random.Random, pattern: str) -> str:
    return pattern.format(t=rng.choice(TOPICS), c=rng.choice(CHANNELS), r=rng.choice(ROLES),
                          mo=rng.choice(MONTHS), n=rng.randint(20, 4000), m=rng.randint(3, 120),
                          k=rng.randint(1, 12), s=rng.randint(2, 40))


def narrative_extra(seed: int) -> dict:
    """The report's own sentences (deterministic in `seed`): for the opening of section 一, each
    of its five parts, and the two halves of section 五."""
    rng = random.Random(seed)

    def sentences(n: int, bank=ACTIONS) -> str:
        return "".join(_phrase(rng, p) + "。" for p in rng.sample(bank, n))

    return {"opening": sentences(rng.randint(2, 4)),
            "parts": [sentences(rng.randint(1, 2)) for _ in range(5)],
            "s5": (sentences(1, S5_PROBLEMS), sentences(rng.randint(1, 2), S5_FIXES))}


_NARRATIVE: dict | None = None  # the extra sentences of the report being rendered (this process)
_ORIG = {}


def _overview(spec, rng):
    paras = _ORIG["_overview"](spec, rng)
    if _NARRATIVE is None:
        return paras
    extra = _NARRATIVE
    return [paras[0] + extra["opening"]] + [p + x for p, x in zip(paras[1:], extra["parts"])]


def _s5_parts(rng):
    parts = _ORIG["_s5_parts"](rng)
    if _NARRATIVE is None:
        return parts
    prob, fix = _NARRATIVE["s5"]
    return [parts[0], parts[1] + prob, parts[2], parts[3] + fix]


def install_narratives() -> None:
    """Wrap the narrative builders of `synth` (used by every renderer) in this process."""
    if not _ORIG:
        _ORIG["_overview"], _ORIG["_s5_parts"] = synth._overview, synth._s5_parts
        synth._overview, synth._s5_parts = _overview, _s5_parts


# --------------------------------------------------------------------------- the plan

@dataclass
class Item:
    index: int
    body: str
    year: int
    fmt: str
    seed: int
    narrative_seed: int
    spec: dict = field(default_factory=dict)      # random_spec keyword arguments (but seed)
    layout: dict = field(default_factory=dict)    # DocLayout fields (docx, html)
    encoding: str = "utf-8"                       # html

    @property
    def rel(self) -> str:
        ext = synth_formats.EXTENSIONS[self.fmt]
        return f"{self.index // PER_FOLDER:03d}/{self.index:05d}-{self.year}-{self.fmt}{ext}"


def _spec_options(rng: random.Random, year: int, fmt: str, shape: str) -> dict:
    edition = synth.edition_for_year(year)
    if edition == "v2021" and rng.random() < 0.03:
        edition = "v2019"  # the old table printed in a later year (a version mismatch)
    flat = shape == "flattened_web"
    zero_styles = ["0", "slash", "dash", "mixed"] + ([] if flat else ["blank"])
    o: dict = dict(edition=edition, year=year, shape=shape,
                   scale=rng.choices(["zero", "small", "medium", "busy"], [10, 25, 50, 15])[0],
                   zero_style=rng.choice(zero_styles),
                   fullwidth=rng.random() < 0.05,
                   narrative=rng.choices([None, "consistent", "inconsistent"], [50, 42, 8])[0],
                   title_suffix="年度" if rng.random() < 0.2 else "年",
                   title_lines=rng.choice([1, 2]),
                   label_style="variants" if rng.random() < 0.2 else "official",
                   date_style="chinese" if rng.random() < 0.15 else "arabic")
    defects = tuple(d for d, p in (("t3_total_off", 0.03), ("t4_total_off", 0.03), ("t3_col_total_off", 0.02))
                    if rng.random() < p)
    if defects:
        o["defects"] = defects
    if rng.random() < 0.06:
        o["drop_sections"] = (rng.choice(sorted(synth.DROPPABLE)),)
    if not flat and rng.random() < 0.1:
        o["t3_subtotal_col"] = True
    if edition == "v2021" and rng.random() < 0.05:
        o["t3_single_other"] = True
    if rng.random() < 0.3:  # published between early January and late March of the next year
        o["signature_date"] = date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    if flat:
        o["spacing"] = rng.choice(["tight", "some"])
        o["web_chrome"] = rng.random() < 0.3
        o["signature"] = rng.random() < 0.8
    if fmt == "html" and rng.random() < 0.1:
        o["signature"] = False
        o["page_date"] = date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    return o


def _copy(src: Item, index: int, body: str, year: int) -> Item:
    """`src` published again by `body` for `year`: the same numbers, layout and sentences (the
    dates moved to the new year)."""
    spec = dict(src.spec, year=year)
    if synth.edition_for_year(src.year) == src.spec["edition"]:
        spec["edition"] = synth.edition_for_year(year)
    if spec["edition"] == "v2019":
        spec.pop("t3_single_other", None)
    for k in ("signature_date", "page_date"):
        if spec.get(k):
            spec[k] = spec[k].replace(year=spec[k].year + year - src.year)
    return Item(index, body, year, src.fmt, src.seed, src.narrative_seed, spec=spec, layout=dict(src.layout),
                encoding=src.encoding)


def plan(n: int, seed: int = 0) -> list[Item]:
    """N reports, body after body (see the module docstring)."""
    rng = random.Random(f"gen_corpus {seed}")
    names = body_names(rng)
    items: list[Item] = []
    by_year: dict[int, list[Item]] = {y: [] for y in YEARS}
    lengths, weights = (1, 2, 3, 4, 5, 6), (10, 20, 25, 20, 15, 10)

    def add(it: Item) -> Item:
        items.append(it)
        by_year[it.year].append(it)
        return it

    while len(items) < n:
        body = next(names)
        length = rng.choices(lengths, weights)[0]
        first = rng.randint(YEARS[0], YEARS[-1] - length + 1)
        prev: Item | None = None
        for year in range(first, first + length):
            if len(items) >= n:
                break
            index = len(items)
            r = rng.random()
            peers = by_year[year][-200:]
            if r < COPY_PEER and peers:  # another body's report of the year, renamed
                prev = add(_copy(rng.choice(peers), index, body, year))
                continue
            if r < COPY_PEER + COPY_PREV and prev is not None:  # last year's report again
                prev = add(_copy(prev, index, body, year))
                continue
            fmts = [rng.choice(FORMATS)]
            if rng.random() < 0.03:  # the same report as a text export beside the web page
                fmts = ["html", "txt"]
            shape = "flattened_web" if fmts == ["txt"] and rng.random() < 0.4 else "cell_per_line"
            it = Item(index, body, year, fmts[0], seed * 10_000_019 + index, seed * 10_000_019 + index,
                      spec=_spec_options(rng, year, fmts[0], shape))
            if it.fmt in ("docx", "html"):
                it.layout = dict(t2_tables=rng.choice(["one", "several"]),
                                 vertical=rng.choice(["direction", "chars", "plain"]),
                                 header_breaks=rng.random() < 0.6,
                                 heading_style=rng.choice(["bold", "heading"]),
                                 html_chrome=rng.random() < 0.7, html_title_in_body=rng.random() < 0.7)
            if it.fmt == "html":
                it.encoding = rng.choices(["utf-8", "gbk"], [85, 15])[0]
            prev = add(it)
            if len(fmts) == 2 and len(items) < n:  # the other rendering: same spec, same sentences
                add(Item(len(items), body, year, "txt", it.seed, it.narrative_seed, spec=dict(it.spec)))
    return items


# --------------------------------------------------------------------------- rendering

def render(it: Item, attempt: int = 0) -> bytes:
    global _NARRATIVE
    install_narratives()
    _NARRATIVE = narrative_extra(it.narrative_seed)
    try:
        try:
            spec = synth.random_spec(it.seed + attempt * 1_000_003, agency=it.body, **it.spec)
        except RuntimeError:  # no flattened layout whose T3/T4 the identities decide: a DOCX export
            spec = synth.random_spec(it.seed + attempt * 1_000_003, agency=it.body,
                                     **{**it.spec, "shape": "cell_per_line", "spacing": "tight", "web_chrome": False})
        if it.fmt == "txt":
            return synth.render(spec).encode("utf-8")
        layout = synth_formats.DocLayout(**it.layout)
        if it.fmt == "html":
            return synth_formats.render_html_bytes(spec, it.encoding, layout)
        return synth_formats.render_docx(spec, layout)
    finally:
        _NARRATIVE = None


def _write(args: tuple[str, Item, int]) -> tuple[int, str, int]:
    out, it, attempt = args
    data = render(it, attempt)
    p = Path(out) / it.rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return it.index, hashlib.sha256(data).hexdigest(), len(data)


def generate(n: int, out: str | Path, seed: int = 0, jobs: int = 0, log=print) -> list[Path]:
    """Write the corpus; returns the files in index order."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    items = plan(n, seed)
    jobs = jobs or len(os.sched_getaffinity(0))
    t0 = time.monotonic()
    shas: dict[int, str] = {}
    size = 0
    todo = [(str(out), it, 0) for it in items]
    attempt = 0
    with mp.get_context("fork").Pool(jobs) as pool:
        while todo:
            for i, sha, nbytes in pool.imap_unordered(_write, todo, chunksize=16):
                shas[i] = sha
                size += nbytes
            first: dict[str, int] = {}
            again = []
            for i in sorted(shas):
                if shas[i] in first:
                    again.append(i)
                else:
                    first[shas[i]] = i
            attempt += 1
            todo = [(str(out), items[i], attempt) for i in again]
            if attempt > 5 and todo:
                raise RuntimeError(f"{len(todo)} reports keep repeating earlier bytes")
    counts = {f: sum(it.fmt == f for it in items) for f in FORMATS}
    log(f"{n} reports ({', '.join(f'{f} {c}' for f, c in counts.items())}; "
        f"{len({it.body for it in items})} bodies, years {min(it.year for it in items)}–"
        f"{max(it.year for it in items)}; {size / 2**20:.1f} MB, all distinct) -> {out} "
        f"in {time.monotonic() - t0:.1f} s with {jobs} processes")
    return [out / it.rel for it in items]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of reports")
    ap.add_argument("out", type=Path, help="output folder (subfolders of at most 1000 files)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=0, help="processes (default: one per core)")
    args = ap.parse_args(argv)
    generate(args.n, args.out, args.seed, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
