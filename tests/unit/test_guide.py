"""The service guide (办事指南): validation that names the bad field, and search by text or pinyin."""

import pytest

from server.domain.guide import (
    EMPTY,
    MAX_FEES,
    MAX_MATERIALS,
    MAX_STEPS,
    FieldError,
    GuideInvalid,
    ServiceEntry,
    guide_from_stored,
    parse_guide,
    pinyin_forms,
    search,
)


def material(**over):
    return {
        "name": "居民身份证",
        "form": "original_and_copy",
        "copies": 1,
        "required": True,
        "notes": "",
        **over,
    }


def refused(data, taken=()):
    with pytest.raises(GuideInvalid) as err:
        parse_guide(data, taken)
    return err.value


def test_a_complete_guide_round_trips():
    data = {
        "materials": [
            material(id="m1"),
            material(id="m2", name="居民户口簿", form="original", required=False),
        ],
        "steps": ["取号", "提交材料"],
        "legal_limit_days": 20,
        "promised_limit_days": 3,
        "warn_days": 1,
        "fees": "免费",
        "legal_basis": "《中华人民共和国户口登记条例》",
        "keywords": ["户口"],
    }
    guide = parse_guide(data)
    assert guide.to_dict() == data
    assert parse_guide(guide.to_dict()) == guide


def test_missing_fields_take_empty_defaults():
    assert parse_guide({}) == EMPTY
    m = parse_guide({"materials": [{"name": "营业执照"}]}).materials[0]
    assert (m.form, m.copies, m.required, m.notes) == ("original", 1, True, "")


def test_validation_error_names_the_material_field_path():
    err = refused({"materials": [material(), material(), material(copies=0)]})
    assert err.field == "materials[2].copies"
    assert err.code == "invalid_field"
    assert "materials[2].copies" in err.message_zh and "materials[2].copies" in err.message_en


def test_every_bad_field_is_named_at_once():
    err = refused(
        {
            "materials": [material(form="photocopy"), material(name="  "), material(required="yes")],
            "steps": ["取号", 3],
            "legal_limit_days": "20",
            "fees": 5,
            "colour": "blue",
        }
    )
    assert [e.field for e in err.errors] == [
        "colour",
        "materials[0].form",
        "materials[1].name",
        "materials[2].required",
        "steps[1]",
        "legal_limit_days",
        "fees",
    ]
    assert err.field == "colour"


def test_copies_must_be_a_whole_number_from_one():
    for bad in (0, -1, 1.5, True, "2", 100):
        assert refused({"materials": [material(copies=bad)]}).field == "materials[0].copies"


def test_material_form_is_original_copy_both_or_electronic():
    for form in ("original", "copy", "original_and_copy", "electronic"):
        assert parse_guide({"materials": [material(form=form)]}).materials[0].form == form
    assert refused({"materials": [material(form="scan")]}).field == "materials[0].form"


def test_promised_limit_may_not_exceed_the_legal_limit():
    err = refused({"legal_limit_days": 5, "promised_limit_days": 10})
    assert err.field == "promised_limit_days"
    assert parse_guide({"legal_limit_days": 5, "promised_limit_days": 5}).promised_limit_days == 5
    # either alone is fine; 0 is 即办 (done on the spot)
    assert parse_guide({"promised_limit_days": 0}).promised_limit_days == 0
    assert parse_guide({"legal_limit_days": 20}).promised_limit_days is None
    assert refused({"legal_limit_days": -1}).field == "legal_limit_days"


def test_windows_are_derived_and_ignored_on_input():
    assert parse_guide({"windows": [{"number": 6}]}) == EMPTY


def test_material_ids_are_unique():
    err = refused({"materials": [material(id="m1"), material(id="m1")]})
    assert err.field == "materials[1].id"
    assert refused({"materials": [material(id="m 1")]}).field == "materials[0].id"


def test_new_materials_get_ids_that_were_never_used_by_the_guide():
    # m3 was removed from the guide: a new material must not take its id (old notices name it)
    guide = parse_guide(
        {"materials": [material(id="m1"), material(name="新材料")]}, taken_ids={"m1", "m2", "m3"}
    )
    assert [m.id for m in guide.materials] == ["m1", "m4"]
    fresh = parse_guide({"materials": [material(), material(), material(id="m7")]})
    assert [m.id for m in fresh.materials] == ["m8", "m9", "m7"]


def test_a_guide_must_be_an_object():
    assert refused(["materials"]).field == "guide"
    assert refused({"materials": {"name": "x"}}).field == "materials"
    assert refused({"materials": ["居民身份证"]}).field == "materials[0]"


def test_prefixed_errors_name_the_path_inside_an_import():
    err = refused({"materials": [material(), material(form="x")]}).prefixed("services.C")
    assert err.field == "services.C.materials[1].form"


def test_material_ids_are_the_ids_of_every_material_of_the_guide():
    guide = parse_guide({"materials": [material(id="idcard"), material(name="户口簿")]})
    assert guide.material_ids() == {"idcard", "m1"}
    assert EMPTY.material_ids() == set()


def test_an_error_about_a_whole_entry_is_named_by_its_import_path():
    assert FieldError("", "必须是对象", "must be an object").prefixed("services.C").field == "services.C"
    assert FieldError("[2]", "x", "x").prefixed("steps").field == "steps[2]"


def test_texts_have_a_maximum_length():
    assert parse_guide({"fees": "x" * MAX_FEES}).fees == "x" * MAX_FEES
    err = refused({"fees": "x" * (MAX_FEES + 1)})
    assert err.field == "fees" and str(MAX_FEES) in err.message_en


def test_steps_and_keywords_are_lists():
    err = refused({"steps": "提交材料", "keywords": {"a": 1}})
    assert [e.field for e in err.errors] == ["steps", "keywords"]
    assert err.errors[0].message_en == "must be a list"


def test_a_guide_has_at_most_thirty_steps():
    assert len(parse_guide({"steps": ["受理"] * MAX_STEPS}).steps) == MAX_STEPS
    err = refused({"steps": ["受理"] * (MAX_STEPS + 1)})
    assert err.field == "steps" and str(MAX_STEPS) in err.message_en


def test_a_guide_has_at_most_sixty_materials():
    assert len(parse_guide({"materials": [material()] * MAX_MATERIALS}).materials) == MAX_MATERIALS
    err = refused({"materials": [material()] * (MAX_MATERIALS + 1)})
    assert err.field == "materials" and str(MAX_MATERIALS) in err.message_en


def test_a_missing_stored_guide_is_the_empty_guide():
    assert guide_from_stored(None) is EMPTY
    assert guide_from_stored({}) is EMPTY


def test_a_stored_guide_reads_back_as_saved():
    saved = parse_guide({"materials": [material(id="idcard")], "steps": ["受理"], "legal_limit_days": 20})
    assert guide_from_stored(saved.to_dict()) == saved


# ── search ───────────────────────────────────────────────────────────────────

HALL = [
    ServiceEntry(
        "A", "户籍办理", "公安", "Household registration", ("户口", "落户"), ("居民户口簿", "居民身份证")
    ),
    ServiceEntry("H", "出入境", "公安", "Exit & entry", ("护照", "港澳通行证"), ("居民身份证",)),
    ServiceEntry(
        "B", "不动产登记", "不动产", "Real estate registration", ("房产证", "过户"), ("不动产权属证书",)
    ),
    ServiceEntry("C", "社保医保", "人社医保", "Social & medical insurance", ("社保卡",), ("居民户口簿",)),
    ServiceEntry("F", "公积金", "人社医保", "Housing provident fund", ("公积金提取",), ("本人银行借记卡",)),
    ServiceEntry("D", "企业开办", "市场监管与税务", "Business start-up", ("营业执照",), ("公司章程",)),
    ServiceEntry("E", "税务", "市场监管与税务", "Taxation", ("发票",), ("营业执照",)),
    ServiceEntry("G", "综合咨询", "综合", "General enquiries", ("不知道",), ()),
]


def codes(query):
    return [h.code for h in search(query, HALL)]


def test_search_finds_a_chinese_keyword():
    hits = search("户口", HALL)
    assert hits[0].code == "A" and hits[0].match == "keyword"
    # 居民户口簿 is a material of 社保医保 too: found, but ranked below the service it names
    assert [h.code for h in hits] == ["A", "C"] and hits[1].match == "material"


def test_search_by_pinyin_initials():
    hits = search("sb", HALL)
    assert hits[0].code == "C" and hits[0].name == "社保医保" and hits[0].match == "pinyin"
    assert codes("gjj")[0] == "F"
    assert codes("GJJ")[0] == "F"
    assert codes("bdc")[0] == "B"


def test_search_by_full_pinyin():
    assert codes("shebao")[0] == "C"
    assert codes("gongjijin")[0] == "F"


def test_search_words_must_all_match():
    # "hu" alone also finds 户籍办理; with "zhao" only 护照 (出入境) is left
    assert "A" in codes("hu")
    assert codes("hu zhao") == ["H"]
    assert codes("户口 社保卡") == ["C"]


def test_search_ranks_the_name_above_keywords_and_materials():
    assert codes("税务")[0] == "E"
    assert codes("营业执照") == ["D", "E"]


def test_search_finds_a_name_inside_a_sentence():
    assert codes("我要办社保医保")[0] == "C"


def test_search_pinyin_initials_typed_from_a_keyword_start_outrank_chance_matches():
    # hz: 护照 (hu-zhao) is what the citizen means; zhzx (综合咨询) contains hz only by chance
    assert codes("hz")[0] == "H"


def test_search_with_nothing_to_match_finds_nothing():
    assert codes("") == [] and codes("   ") == []
    assert codes("xyzzy") == []


def test_pinyin_uses_word_readings():
    assert pinyin_forms("不动产登记") == ("bdcdj", "budongchandengji")
    assert pinyin_forms("银行") == ("yh", "yinhang")
    assert pinyin_forms("社保医保") == ("sbyb", "shebaoyibao")


def test_search_ranks_a_name_start_above_a_name_that_only_contains_the_words():
    hall = [ServiceEntry("X", "个人社保查询"), ServiceEntry("Y", "社保卡补办")]
    hits = search("社保", hall)
    assert [(h.code, h.match, h.score) for h in hits] == [("Y", "name", 92), ("X", "name", 85)]


def test_search_finds_a_service_by_a_word_of_its_english_name():
    hits = search("insurance", HALL)
    assert [(h.code, h.match, h.matched) for h in hits] == [("C", "name", "Social & medical insurance")]


def test_search_matches_english_names_at_word_starts_not_inside_words():
    # "sur" is inside "insurance" but starts no word of any English name
    assert codes("sur") == []


def test_search_ignores_an_empty_category_or_english_name():
    hall = [ServiceEntry("X", "户籍办理"), ServiceEntry("Y", "出入境", "公安", "Exit & entry")]
    assert [h.code for h in search("公安", hall)] == ["Y"]
    assert [h.code for h in search("exit", hall)] == ["Y"]
