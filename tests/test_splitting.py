"""Digit runs of flattened web tables: cut by well-formedness, chosen by identities."""
from extractor.splitting import (
    AMOUNT_KIND,
    COUNT,
    SIGNED_COUNT,
    decide,
    enumerate_splits,
)


def test_space_is_a_cell_boundary():
    sols = enumerate_splits("230 000023", [COUNT] * 7)
    assert ("23", "0", "0", "0", "0", "0", "23") in sols
    assert all(len(s) == 7 for s in sols)


def test_no_leading_zeros():
    assert enumerate_splits("0000000", [COUNT] * 7) == [("0",) * 7]
    assert enumerate_splits("05", [COUNT]) == []          # "05" is not a number
    assert enumerate_splits("05", [COUNT] * 2) == [("0", "5")]


def test_sign_only_in_signed_column():
    sols = enumerate_splits("2648-18538", [COUNT, SIGNED_COUNT, COUNT])
    assert ("2648", "-18", "538") in sols
    assert all(s[0] == "2648" for s in sols)


def test_amount_unit_only_last():
    sols = enumerate_splits("13575394432.52元", [COUNT, AMOUNT_KIND])
    assert ("135", "75394432.52元") in sols and len(sols) > 1


def test_decide_marks_disagreeing_cells():
    d = decide([("69", "3", "665"), ("69", "36", "65")], 3)
    assert d.tokens == ["69", None, None]
    assert d.ambiguous
