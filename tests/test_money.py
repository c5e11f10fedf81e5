from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from app.money import amount_in_words, format_cents_plain, format_eur, split_largest_remainder

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize("cents, text", [
    (0, f"0,00{NBSP}€"),
    (1, f"0,01{NBSP}€"),
    (2500, f"25,00{NBSP}€"),
    (123456, f"1{NNBSP}234,56{NBSP}€"),
    (1_000_000_000, f"10{NNBSP}000{NNBSP}000,00{NBSP}€"),
    (-4550, f"-45,50{NBSP}€"),
])
def test_amounts_are_written_the_french_way(cents, text):
    assert format_eur(cents) == text


def test_accounting_export_uses_a_dot_and_two_decimals():
    assert [format_cents_plain(c) for c in (0, 5, 12345, -250)] == ["0.00", "0.05", "123.45", "-2.50"]


@pytest.mark.parametrize("cents, words", [
    (1, "un centime"),
    (2, "deux centimes"),
    (100, "un euro"),
    (101, "un euro et un centime"),
    (200, "deux euros"),
    (7100, "soixante et onze euros"),
    (8000, "quatre-vingts euros"),
    (8100, "quatre-vingt-un euros"),
    (12345, "cent vingt-trois euros et quarante-cinq centimes"),
    (20000, "deux cents euros"),
    (100_000, "mille euros"),
    (2_000_050, "vingt mille euros et cinquante centimes"),
    (100_000_000, "un million d'euros"),
    (120_000_000, "un million deux cent mille euros"),
    (200_000_000, "deux millions d'euros"),
    (1_000_000_000, "dix millions d'euros"),
    (99_999_999_999 // 100 * 100 + 99, "neuf cent quatre-vingt-dix-neuf millions neuf cent quatre-vingt-dix-neuf mille neuf cent quatre-vingt-dix-neuf euros et quatre-vingt-dix-neuf centimes"),
    (0, "zéro euro"),
])
def test_amounts_in_french_words(cents, words):
    assert amount_in_words(cents) == words


@given(st.integers(min_value=1, max_value=1_000_000_000))
def test_words_exist_for_every_amount_up_to_ten_million_euros(cents):
    words = amount_in_words(cents)
    assert words and "zéro" not in words
    assert ("centime" in words) == (cents % 100 != 0)


@pytest.mark.parametrize("bad", [1.5, "12", -1, True])
def test_words_refuse_anything_but_whole_cents(bad):
    with pytest.raises(ValueError):
        amount_in_words(bad)


def test_split_gives_leftover_cents_to_the_largest_remainders():
    # 100 cents in thirds: 33.33 each, the one cent left goes to the first of the equal remainders.
    assert split_largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    # 60 % / 40 % of 1,01 €: 60.6 and 40.4 -> the 0.6 remainder wins the cent.
    assert split_largest_remainder(101, [60, 40]) == [61, 40]
    assert split_largest_remainder(0, [50, 50]) == [0, 0]
    assert split_largest_remainder(999, [0, 1]) == [0, 999]


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30).filter(lambda w: sum(w) > 0),
)
def test_split_is_exact_and_fair_to_the_cent(total, weights):
    shares = split_largest_remainder(total, weights)
    assert sum(shares) == total
    for share, weight in zip(shares, weights):
        exact = Decimal(total) * weight / sum(weights)
        assert abs(share - exact) < 1
        if weight == 0:
            assert share == 0


@pytest.mark.parametrize("weights", [[], [0, 0], [1.5, 1], [-1, 2]])
def test_split_refuses_meaningless_weights(weights):
    with pytest.raises(ValueError):
        split_largest_remainder(100, weights)
