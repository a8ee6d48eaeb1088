"""What the hall says when a window calls (domain/announce.py): numbers digit by digit, windows
read naturally, English after the Chinese, the clips to stitch, a content hash without ids."""

from __future__ import annotations

import pytest

from server.domain import announce
from server.domain.errors import RuleViolation


def test_a_ticket_number_is_read_digit_by_digit_the_way_halls_do():
    assert announce.spoken_number("A023") == "A 零二三"
    assert announce.spoken_number("B100") == "B 一零零"
    assert announce.spoken_number("022") == "零二二"  # a hall without letters
    assert announce.spoken_number("A222") == "A 二二二"  # 二, never 两


def test_the_announcement_sentence_and_its_english():
    a = announce.announcement("A023", 5)
    assert a.text == "请 A 零二三 号到 5 号窗口办理" and a.text_en is None
    en = announce.announcement("A023", 5, english=True)
    assert en.text == a.text and en.text_en == "Number A023, please go to window 5"


@pytest.mark.parametrize(
    ("n", "keys"),
    [
        (5, ["5"]),
        (10, ["十"]),
        (12, ["十", "2"]),
        (20, ["2", "十"]),
        (35, ["3", "十", "5"]),
        (100, ["1", "百"]),
        (105, ["1", "百", "0", "5"]),
        (112, ["1", "百", "1", "十", "2"]),
    ],
)
def test_a_window_number_is_read_naturally(n, keys):
    assert announce.natural_number(n) == keys


def test_the_clips_of_an_announcement_in_order():
    assert announce.announcement("A023", 12).clips == (
        "请", "A", "0", "2", "3", "号", "到", "十", "2", "号", "窗口办理",
    )  # fmt: skip
    assert all(k in announce.CLIP_KEYS for k in announce.announcement("Z999", 999).clips)


def test_stitched_only_when_every_clip_exists():
    a = announce.announcement("A01", 3)
    have = {k: "v1" for k in a.clips}
    assert announce.stitchable(a.clips, have)
    del have["A"]
    assert not announce.stitchable(a.clips, have)


def test_the_audio_hash_is_a_content_hash_of_text_voice_engine_and_clip_versions():
    base = {"voice": "cmn-latn-pinyin", "engine": "1.51"}
    h = announce.audio_hash("请 A 零二三 号到 5 号窗口办理", None, **base)
    assert announce.is_audio_hash(h)
    assert h == announce.audio_hash("请 A 零二三 号到 5 号窗口办理", None, **base)  # stable
    assert h != announce.audio_hash("请 A 零二三 号到 5 号窗口办理", None, voice="cmn", engine="1.51")
    assert h != announce.audio_hash(
        "请 A 零二三 号到 5 号窗口办理", None, voice="cmn-latn-pinyin", engine="1.52"
    )
    assert h != announce.audio_hash("请 A 零二三 号到 5 号窗口办理", "Number A023", **base)
    order = ("请", "A")
    v1 = announce.audio_hash("t", None, **base, clips={"请": "1", "A": "1"}, order=order)
    v2 = announce.audio_hash("t", None, **base, clips={"请": "1", "A": "2"}, order=order)
    assert v1 != v2 and v1 != announce.audio_hash("t", None, **base)


def test_times_default_two_and_bounded():
    assert announce.times(None) == 2
    assert announce.times(3) == 3 and announce.times(0) == 1 and announce.times(99) == announce.MAX_TIMES
    assert announce.check_times(1) == 1
    with pytest.raises(RuleViolation) as err:
        announce.check_times(6)
    assert err.value.field == "announce_times"


def test_clip_keys_are_digits_letters_and_the_words():
    for key in ("0", "9", "A", "Z", "请", "号", "到", "窗口办理"):
        assert announce.check_clip_key(key) == key
    for key in ("a", "10", "../x", "", "办理"):
        with pytest.raises(RuleViolation):
            announce.check_clip_key(key)


def test_one_speaker_per_zone():
    speakers = {1: "一楼", 2: "二楼", 3: ""}
    assert announce.speaker_conflict("一楼", speakers) == 1
    assert announce.speaker_conflict("一楼", speakers, except_id=1) is None
    assert announce.speaker_conflict("三楼", speakers) is None
    assert announce.speaker_conflict("", speakers) == 3  # the whole hall is a zone too
    assert announce.normalise_zone("  一楼 ") == "一楼" and announce.normalise_zone(None) == ""
    with pytest.raises(RuleViolation):
        announce.normalise_zone("楼" * 40)
