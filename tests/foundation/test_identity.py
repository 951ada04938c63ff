from datetime import date

import pytest

from foundation.identity import (
    check_character,
    check_id_number,
    check_mobile,
    mask_id_number,
    mask_mobile,
)


def with_check(body: str) -> str:
    return body + check_character(body)


def test_a_real_pu_er_number_from_a_later_address_code_is_accepted():
    # 530802 (思茅区) exists only since 2003; python-stdnum's validate() rejects this.
    number = with_check("53080219580317001")
    assert check_id_number(number).ok


def test_full_width_digits_spaces_and_lower_case_x_are_normalised():
    body = "11010519491231002"
    assert check_character(body) == "X"
    raw = "１１０１０５ 1949 1231 002x"
    assert check_id_number(raw).value == body + "X" and check_id_number(raw).ok


@pytest.mark.parametrize(
    "raw,fragment",
    [
        ("11010519491231002", "18"),
        ("110105491231002", "15"),
        ("11010519491331002X", "date of birth"),
        ("110105194912310021", "check character"),
    ],
)
def test_bad_numbers_say_precisely_why(raw, fragment):
    from django.utils import translation

    with translation.override("en"):
        checked = check_id_number(raw)
    assert not checked.ok and fragment in checked.error


def test_every_single_digit_typo_is_caught():
    good = with_check("53080219580317001")
    for i in range(17):
        for d in "0123456789":
            if d != good[i]:
                bad = good[:i] + d + good[i + 1 :]
                assert not check_id_number(bad, today=date(2026, 11, 22)).ok


def test_unknown_province_prefix_is_only_a_warning():
    checked = check_id_number(with_check("99080219580317001"))
    assert checked.ok and checked.warnings


@pytest.mark.parametrize(
    "raw", ["１３８００１３８０００", "+86-138-0013-8000", "0086 138 0013 8000", "138 0013 8000"]
)
def test_mobile_formats_normalise(raw):
    assert check_mobile(raw).value == "13800138000" and check_mobile(raw).ok


def test_unallocated_mobile_prefix_is_a_warning_and_bad_shape_an_error():
    assert check_mobile("15412345678").ok and check_mobile("15412345678").warnings
    assert not check_mobile("12800138000").ok


def test_masks():
    assert mask_id_number("53080219580317123X") == "530802********123X"
    assert mask_mobile("13800138000") == "138****8000"


def test_check_character_matches_the_standard_weights():
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for body in ("11010519491231002", "44052418800101001", "53080219580317001"):
        expected = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
        assert check_character(body) == expected
    assert check_character("11010519491231002") == "X"
