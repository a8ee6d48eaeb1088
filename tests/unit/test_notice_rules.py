"""One-time notices (一次告知制), decided in domain/notice.py: one notice lists every missing item,
a later notice may only add items with a recorded reason, and a third trip is flagged."""

import pytest

from server.domain import notice as rules
from server.domain.errors import RuleViolation
from server.domain.notice import Item


def refused(fn, *args):
    with pytest.raises(RuleViolation) as err:
        fn(*args)
    return err.value


# ── codes ────────────────────────────────────────────────────────────────────


def test_a_notice_code_is_six_characters_from_the_read_aloud_alphabet():
    picks = iter([0, 1, 2, 28, 29, 30])
    code = rules.new_code(lambda n: next(picks))
    assert code == "234XYZ"
    assert len(code) == rules.CODE_LENGTH


def test_a_notice_code_draws_each_character_from_the_whole_alphabet():
    sizes = []
    rules.new_code(lambda n: sizes.append(n) or 0)
    assert sizes == [len(rules.CODE_ALPHABET)] * rules.CODE_LENGTH


def test_a_notice_code_never_contains_characters_that_are_misread_aloud():
    assert not set("01OIL") & set(rules.CODE_ALPHABET)
    for _ in range(50):
        assert set(rules.new_code()) <= set(rules.CODE_ALPHABET)


def test_a_typed_code_ignores_case_spaces_and_dashes():
    assert rules.normalise_code("  ab3-k7 9x ") == "AB3K79X"
    assert rules.normalise_code("AB3K79") == "AB3K79"


# ── items ────────────────────────────────────────────────────────────────────


def test_a_notice_lists_at_least_one_missing_item_or_a_note():
    for note in (None, "", "   "):
        err = refused(rules.check_items, [], note)
        assert err.code == "invalid_field" and "note" in err.message_en


def test_a_notice_with_only_a_note_is_accepted():
    assert rules.check_items([], "营业执照已过期，请先办理变更") is None


def test_a_notice_with_items_needs_no_note():
    assert rules.check_items([Item("居民身份证", "m1")], None) is None


def test_a_notice_lists_at_most_fifty_items():
    items = [Item(f"材料{i}") for i in range(rules.MAX_ITEMS)]
    rules.check_items(items, None)
    err = refused(rules.check_items, [*items, Item("one more")], None)
    assert err.code == "invalid_field" and str(rules.MAX_ITEMS) in err.message_en


def test_a_notice_note_is_at_most_a_thousand_characters():
    rules.check_items([Item("居民身份证")], "x" * rules.MAX_NOTE)
    err = refused(rules.check_items, [Item("居民身份证")], "x" * (rules.MAX_NOTE + 1))
    assert err.code == "invalid_field" and str(rules.MAX_NOTE) in err.message_en


def test_every_item_on_a_notice_has_a_name():
    err = refused(rules.check_items, [Item("居民身份证"), Item("  ")], None)
    assert err.code == "invalid_field" and err.message_en == "an item has no name"


# ── a later notice: new items need a reason ──────────────────────────────────


def test_a_first_notice_needs_no_reasons():
    items = [Item("居民身份证", "m1"), Item("租赁合同")]
    assert rules.items_needing_reason(items, None) == []
    assert rules.check_reasons(items, None, {}) == [Item("居民身份证", "m1"), Item("租赁合同")]


def test_items_the_earlier_notice_listed_need_no_reason():
    previous = [Item("居民身份证", "m1"), Item("租赁合同")]
    items = [Item("居民身份证", "m1"), Item("租赁合同")]
    assert rules.items_needing_reason(items, previous) == []
    assert rules.check_reasons(items, previous, {}) == items


def test_an_item_the_earlier_notice_did_not_list_needs_a_reason():
    previous = [Item("居民身份证", "m1")]
    items = [Item("居民身份证", "m1"), Item("户口簿", "m2")]
    assert rules.items_needing_reason(items, previous) == [Item("户口簿", "m2")]
    err = refused(rules.check_reasons, items, previous, {})
    assert err.code == "reason_required" and "户口簿" in err.message_zh and "户口簿" in err.message_en


def test_a_blank_reason_is_no_reason():
    err = refused(rules.check_reasons, [Item("户口簿", "m2")], [Item("居民身份证", "m1")], {"m2": "  "})
    assert err.code == "reason_required"


def test_a_new_item_is_accepted_with_its_recorded_reason():
    previous = [Item("居民身份证", "m1")]
    items = [Item("居民身份证", "m1"), Item("户口簿", "m2")]
    out = rules.check_reasons(items, previous, {"m2": " 政策于本周调整 "})
    assert out == [Item("居民身份证", "m1", None), Item("户口簿", "m2", "政策于本周调整")]


def test_a_reason_given_for_an_item_already_told_is_not_kept():
    previous = [Item("居民身份证", "m1")]
    out = rules.check_reasons([Item("居民身份证", "m1")], previous, {"m1": "again"})
    assert out == [Item("居民身份证", "m1", None)]


def test_a_guide_material_is_the_same_item_by_its_id_whatever_its_name():
    # the guide renamed the material since the earlier notice: still told, no reason needed
    previous = [Item("身份证", "m1")]
    assert rules.items_needing_reason([Item("居民身份证", "m1")], previous) == []


def test_a_free_text_item_is_the_same_item_by_its_name_ignoring_surrounding_spaces():
    previous = [Item("租赁合同 ")]
    assert rules.items_needing_reason([Item("  租赁合同")], previous) == []
    assert rules.items_needing_reason([Item("购房合同")], previous) == [Item("购房合同")]


def test_the_reason_for_a_free_text_item_is_keyed_by_its_name():
    out = rules.check_reasons([Item(" 购房合同 ")], [Item("租赁合同")], {"购房合同": "房屋性质变更"})
    assert out == [Item("购房合同", None, "房屋性质变更")]


def test_an_empty_earlier_notice_makes_every_item_new():
    # an earlier notice that only had a note told no item
    assert rules.items_needing_reason([Item("居民身份证", "m1")], []) == [Item("居民身份证", "m1")]
    assert refused(rules.check_reasons, [Item("居民身份证", "m1")], [], {}).code == "reason_required"


# ── repeated trips (多次往返) ────────────────────────────────────────────────


def test_the_third_visit_for_the_same_matter_is_a_repeat_trip():
    assert [rules.is_repeat_trip(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
    assert rules.REPEAT_TRIP_VISIT == 3


def test_a_code_gives_one_return_at_a_time_and_is_used_up_once_served():
    from server.domain.notice import check_fast_lane, unknown_code

    check_fast_lane([])
    check_fast_lane([("F006", "no_show"), ("F007", "cancelled")])  # never reached a clerk
    for status in ("waiting", "called", "serving"):
        with pytest.raises(RuleViolation) as err:
            check_fast_lane([("F006", "no_show"), ("F007", status)])
        assert (
            err.value.code == "notice_in_use"
            and err.value.field == "notice"
            and "F007" in err.value.message_zh
        )
    with pytest.raises(RuleViolation) as err:
        check_fast_lane([("F006", "done")])
    assert err.value.code == "notice_used" and err.value.field == "notice"
    assert unknown_code().field == "notice" and unknown_code().code == "notice_not_found"


def test_trips_are_days_at_the_hall_and_each_repeat_trip_is_flagged_once():
    from datetime import date

    from server.domain.notice import starts_repeat_trip, trips

    d1, d2, d3 = date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)
    assert trips([d1, d1, d2]) == 2
    assert starts_repeat_trip([d1], d2) is None  # the second trip
    assert starts_repeat_trip([d1, d2], d3) == 3  # the third: flagged
    assert starts_repeat_trip([d1, d2, d3], d3) is None  # a code typed again that day: same trip
    assert starts_repeat_trip([d1, d1, d2, d3], date(2026, 11, 5)) == 4
