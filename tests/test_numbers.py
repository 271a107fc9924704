import pytest

from extractor.numbers import chinese_to_int, parse_cell


@pytest.mark.parametrize("raw,value,status,unit", [
    ("", None, "blank", None),
    ("  ", None, "blank", None),
    ("0", 0.0, "ok", None),
    ("１２", 12.0, "ok", None),            # full-width digits
    ("1,234", 1234.0, "ok", None),         # thousands separator
    ("1，234", 1234.0, "ok", None),
    ("/", 0.0, "slash", None),
    ("／", 0.0, "slash", None),
    ("—", 0.0, "dash", None),
    ("-", 0.0, "dash", None),
    ("无", 0.0, "nonnumeric", None),
    ("+3", 3.0, "ok", None),
    ("-2", -2.0, "ok", None),
    ("减少2", -2.0, "ok", None),
    ("增加3", 3.0, "ok", None),
    ("75394432.52元", 75394432.52, "ok", "元"),
    ("24252.311082", 24252.311082, "ok", None),
    ("1万元", 1.0, "ok", "万元"),
    ("十二", 12.0, "ok", None),
    ("一百二十", 120.0, "ok", None),
    ("不适用", None, "nonnumeric", None),
])
def test_parse_cell(raw, value, status, unit):
    p = parse_cell(raw)
    assert (p.value, p.status, p.unit) == (value, status, unit)


@pytest.mark.parametrize("s,n", [("二〇二一", 2021), ("十五", 15), ("一百零五", 105), ("三万二千", 32000),
                                 ("两千", 2000), ("七", 7), ("abc", None)])
def test_chinese_numerals(s, n):
    assert chinese_to_int(s) == n
