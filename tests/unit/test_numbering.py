import pytest

from server.domain.numbering import format_number, validate_prefix


def test_number_is_prefix_and_three_zero_padded_digits():
    assert format_number("A", 1) == "A001"
    assert format_number("B", 23) == "B023"


def test_number_grows_past_999_without_wrapping():
    assert format_number("C", 1000) == "C1000"


def test_two_letter_prefix():
    assert format_number("ZA", 7) == "ZA007"


@pytest.mark.parametrize("prefix", ["", "a", "A1", "ABC", "户"])
def test_prefix_must_be_one_or_two_capital_letters(prefix):
    with pytest.raises(ValueError):
        validate_prefix(prefix)


def test_counters_start_at_one():
    with pytest.raises(ValueError):
        format_number("A", 0)
