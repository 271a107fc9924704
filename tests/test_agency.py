"""The issuing body: normalised name, level and region (agency.py, templates/regions.toml)."""
import tomllib
from importlib import resources

import pytest

from extractor import agency as A

# name as printed -> (level, province, city, county)
NAMES = {
    # 国务院部门 and 直属机构
    "国家统计局": ("state_council_dept", None, None, None),
    "教育部": ("state_council_dept", None, None, None),
    "住房和城乡建设部": ("state_council_dept", None, None, None),
    "国务院办公厅": ("state_council_dept", None, None, None),
    "海关总署": ("state_council_dept", None, None, None),
    "中国人民银行": ("state_council_dept", None, None, None),
    # branches of vertically managed central organs are departments with a region
    "国家税务总局广东省税务局": ("local_dept", "广东省", None, None),
    "国家税务总局深圳市南山区税务局": ("local_dept", None, "深圳市", "南山区"),
    # governments
    "广东省人民政府": ("province", "广东省", None, None),
    "北京市人民政府": ("province", "北京市", None, None),
    "广西壮族自治区人民政府": ("province", "广西壮族自治区", None, None),
    "深圳市人民政府": ("city", None, "深圳市", None),
    "广东省深圳市人民政府": ("city", "广东省", "深圳市", None),
    "恩施州人民政府": ("city", None, "恩施土家族苗族自治州", None),
    "大兴安岭地区行政公署": ("city", None, "大兴安岭地区", None),
    "淮安市洪泽区人民政府": ("county", None, "淮安市", "洪泽区"),
    "洪泽区人民政府": ("county", None, None, "洪泽区"),
    "上海市浦东新区人民政府": ("county", "上海市", None, "浦东新区"),
    "苏州市昆山市人民政府": ("county", None, "苏州市", "昆山市"),
    "济南市市中区人民政府": ("county", None, "济南市", "市中区"),
    "天津市河北区人民政府": ("county", "天津市", None, "河北区"),
    "长阳土家族自治县人民政府": ("county", None, None, "长阳土家族自治县"),
    "平潭县": ("county", None, None, "平潭县"),  # a region's name alone: its government
    # 乡/镇/街道
    "哈尔滨市松北区船口街道办事处": ("township", None, "哈尔滨市", "松北区"),
    "松北区船口街道": ("township", None, None, "松北区"),
    "某某镇人民政府": ("township", None, None, None),
    "东湖街道办事处": ("township", None, None, None),
    "某某区人民政府某某街道办事处": ("township", None, None, "某某区"),
    # departments of local governments (a government's office included)
    "北京市海淀区人民政府办公室": ("local_dept", "北京市", None, "海淀区"),
    "广东省人民政府办公厅": ("local_dept", "广东省", None, None),
    "上海市浦东新区财政局": ("local_dept", "上海市", None, "浦东新区"),
    "广东省教育厅": ("local_dept", "广东省", None, None),
    "某某县某某局": ("local_dept", None, None, "某某县"),
    "石门县住房和城乡建设局": ("local_dept", None, None, "石门县"),  # 城乡 is not a 乡
    "青山县市场监督管理局": ("local_dept", None, None, "青山县"),  # 市场 is not a 市
    "某某县城市管理局": ("local_dept", None, None, "某某县"),
    "某某县乡镇企业局": ("local_dept", None, None, "某某县"),
    "临江市自然资源和规划局": ("local_dept", None, "临江市", None),
    "平潭综合实验区地方税务局": ("local_dept", None, None, None),
    # development and pilot zones
    "平潭综合实验区": ("special", None, None, None),
    "平潭综合实验区管委会": ("special", None, None, None),
    "苏州工业园区管理委员会": ("special", None, None, None),
    "某某市高新区管委会": ("special", None, "某某市", None),
    "雄安新区管理委员会": ("special", None, None, "雄安新区"),
    # nothing to go by
    "某某局": (None, None, None, None),
    "": (None, None, None, None),
}


@pytest.mark.parametrize("name", list(NAMES))
def test_level_and_region(name):
    a = A.classify(name)
    assert (a.level, a.province, a.city, a.county) == NAMES[name], a.evidence


def test_government_office():
    assert A.classify("北京市海淀区人民政府办公室").government_office
    assert A.classify("某某县经济开发区管委会办公室").government_office
    assert not A.classify("北京市海淀区人民政府").government_office
    assert not A.classify("国务院办公厅").government_office  # a State Council department
    assert not A.classify("某某县财政局").government_office


@pytest.mark.parametrize("printed,normalised", [
    ("关于某某县财政局2020年度政府信息公开工作年度报告", "某某县财政局"),
    ("平潭综合实验区 2019年 政府信息公开工作年度报告", "平潭综合实验区"),
    ("某某市人民政府（本级）", "某某市人民政府"),
    ("ＸＸ县 教育局", "XX县教育局"),
    ("某某镇人民政府信息公开工作年度报告", "某某镇人民政府"),
    ("《某某区财政局》", "某某区财政局"),
])
def test_normalise(printed, normalised):
    assert A.normalise(printed) == normalised


def test_signature_form_when_fuller():
    a = A.identify("松北区船口街道", "哈尔滨市松北区船口街道办事处")
    assert a.normalised == "哈尔滨市松北区船口街道办事处" and a.printed == "哈尔滨市松北区船口街道办事处"
    assert (a.level, a.city, a.county) == ("township", "哈尔滨市", "松北区")
    assert "signature form" in a.evidence and "松北区船口街道" in a.evidence


def test_signature_of_another_body_is_not_used():
    # the office that compiled the report signs; the report is still the government's
    a = A.identify("洪泽区人民政府", "淮安市洪泽区人民政府办公室")
    assert a.normalised == "洪泽区人民政府" and a.level == "county"
    assert a.city == "淮安市"  # the region is still completed from the fuller text


@pytest.mark.parametrize("short,long,fuller", [
    ("松北区船口街道", "哈尔滨市松北区船口街道办事处", True),
    ("某某镇", "某某镇人民政府", True),
    ("某某镇政府", "某某县某某镇人民政府", True),
    ("某某街道", "某某区人民政府某某街道办事处", True),
    ("洪泽区人民政府", "淮安市洪泽区人民政府办公室", False),
    ("某某县财政局", "某某县财政局", False),
    ("某某县财政局", "某某县教育局", False),
    ("某某局", "关于公布某某局", False),  # what precedes must be administrative units
])
def test_fuller_form(short, long, fuller):
    assert A.fuller_form(short, long) is fuller


def test_region_from_text_takes_only_known_divisions_right_before_the_name():
    a = A.identify("洪泽区人民政府", None, ["本报告由淮安市洪泽区人民政府办公室编制。"])
    assert (a.city, a.county) == ("淮安市", "洪泽区") and "淮安市洪泽区" in a.evidence
    # an unknown word before the name is never taken for a city
    b = A.identify("河西区教育局", None, ["由南浦河西区教育局编制"])
    assert b.city is None and b.county == "河西区"
    # the province is never guessed from the city: only what is printed
    c = A.identify("松北区船口街道", "哈尔滨市松北区船口街道办事处", ["根据《黑龙江省政府信息公开规定》"])
    assert c.province is None and A.province_of_city(c.city) == "黑龙江省"


def test_regions_file_lists_the_34_provincial_divisions():
    data = tomllib.loads(resources.files("extractor.templates").joinpath("regions.toml").read_text("utf-8"))
    provs = data["province"]
    assert len(provs) == 34 and len({p["name"] for p in provs}) == 34
    kinds = [p["kind"] for p in provs]
    assert (kinds.count("province"), kinds.count("autonomous_region"), kinds.count("municipality"),
            kinds.count("sar")) == (23, 5, 4, 2)
    assert len({p["short"] for p in provs}) == 34
    cities = [c for p in provs for c in p["cities"]]
    assert len(cities) == len(set(cities)) == 333  # prefecture-level divisions (2024)
    for p in provs:
        assert set(p.get("city_aliases", {}).values()) <= set(p["cities"])
        assert all(c.endswith(("市", "自治州", "地区", "盟")) for c in p["cities"])


@pytest.mark.parametrize("name,full", [("黑龙江", "黑龙江省"), ("广西", "广西壮族自治区"), ("广东省", "广东省"),
                                       ("北京", "北京市"), ("吉林", None), ("哈尔滨市", None)])
def test_province_name(name, full):
    assert A.province_name(name) == full


def test_province_of_city():
    assert A.province_of_city("哈尔滨市") == "黑龙江省"
    assert A.province_of_city("恩施州") == "湖北省"
    assert A.province_of_city("吉林市") == "吉林省"
    assert A.province_of_city("临江市") is None  # not a prefecture-level city


def test_pipeline_sets_the_report_columns():
    from extractor.model import Document, Paragraph, Report
    from extractor.pipeline import build_report

    doc = Document("x.txt", "txt", [Paragraph("松北区船口街道2020年政府信息公开工作年度报告"),
                                    Paragraph("一、总体情况"), Paragraph("本街道……"),
                                    Paragraph("哈尔滨市松北区船口街道办事处 2021年1月20日")])
    rep = build_report(Report("r", "x.txt", "0" * 64, "txt"), doc)
    assert rep.agency == "松北区船口街道"  # as printed in the title
    assert rep.agency_normalised == "哈尔滨市松北区船口街道办事处"
    assert (rep.level, rep.region_province, rep.region_city, rep.region_county) == \
        ("township", None, "哈尔滨市", "松北区")
    assert "township" in rep.meta["agency_level_evidence"]
