"""Voice calls (叫号语音): what a board says when a window calls a ticket.

Halls read a ticket number digit by digit — "A023" is "A 零二三", never "A 二十三" — so a
citizen matches what they hear against the slip in their hand. A window number is read the
natural way ("5 号窗口", "12 号窗口"). English, when the hall turns it on, follows the Chinese.

The announcement is public (it is what the hall speaks aloud); its audio is cached under a
content hash of what makes it — the text, the voice, the engine's version and the versions of a
hall's own clips — so the URL holds no ticket id and the same call always maps to the same file.

A hall may record its own clips (a digit, a letter or a word); an announcement is stitched from
them when every clip it needs exists (`clip_keys`), else rendered by the speech engine.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import RuleViolation

#: the digits as a hall reads a ticket number: one by one, 二 (not 两), 零 for 0
DIGITS = "零一二三四五六七八九"
#: the words an announcement is made of, besides digits and letters (clip keys too)
WORDS = ("请", "号", "到", "窗口办理", "十", "百")
#: clip keys a hall may upload: "0"–"9", "A"–"Z" and the words
CLIP_KEYS = (*[str(d) for d in range(10)], *[chr(c) for c in range(ord("A"), ord("Z") + 1)], *WORDS)
#: how many times a board speaks each call, by default and at most
DEFAULT_TIMES = 2
MAX_TIMES = 5

_NUMBER = re.compile(r"^[A-Z]{0,3}[0-9]{1,6}$")


@dataclass(frozen=True)
class Announcement:
    #: the Chinese sentence as the engine speaks it ("请 A 零二三 号到 5 号窗口办理")
    text: str
    #: the English sentence after it, or None
    text_en: str | None
    #: the hall's clips to stitch, in order (the English part is never stitched)
    clips: tuple[str, ...]


def spoken_number(number: str) -> str:
    """ "A023" → "A 零二三": the letters as they are, each digit as its character."""
    letters = "".join(ch for ch in number if not ch.isdigit())
    digits = "".join(DIGITS[int(ch)] for ch in number if ch.isdigit())
    return f"{letters} {digits}" if letters else digits


def natural_number(n: int) -> list[str]:
    """A window number read naturally, as clip keys: 5 → 五, 12 → 十二, 20 → 二十, 105 → 一百零五."""
    if n < 0 or n > 999:
        return [str(d) for d in str(abs(n))]
    if n < 10:
        return [str(n)]
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out: list[str] = []
    if hundreds:
        out += [str(hundreds), "百"]
        if tens == 0 and ones:
            return [*out, "0", str(ones)]
    if tens:
        if not (tens == 1 and not hundreds):  # 十二, but 一百一十二
            out.append(str(tens))
        out.append("十")
    if ones:
        out.append(str(ones))
    return out


def _number_clips(number: str) -> list[str]:
    return [ch.upper() for ch in number]


def announcement(number: str, window: int, english: bool = False) -> Announcement:
    """What the board says when `window` calls ticket `number`."""
    text = f"请 {spoken_number(number)} 号到 {window} 号窗口办理"
    text_en = f"Number {number}, please go to window {window}" if english else None
    clips = ("请", *_number_clips(number), "号", "到", *natural_number(window), "号", "窗口办理")
    return Announcement(text=text, text_en=text_en, clips=clips)


def is_ticket_number(number: str) -> bool:
    return bool(_NUMBER.match(number))


def times(configured: int | None) -> int:
    """How many times a board speaks each call: the hall's setting, 2 by default."""
    if configured is None:
        return DEFAULT_TIMES
    return max(1, min(MAX_TIMES, configured))


def check_times(value: int) -> int:
    if not 1 <= value <= MAX_TIMES:
        err = RuleViolation(
            "invalid_field",
            f"播报次数须在 1 到 {MAX_TIMES} 之间",
            f"announce times is between 1 and {MAX_TIMES}",
        )
        err.field = "announce_times"
        raise err
    return value


def check_clip_key(key: str) -> str:
    if key not in CLIP_KEYS:
        err = RuleViolation(
            "invalid_field",
            "录音片段的键是 0–9、A–Z 或 " + "、".join(WORDS),
            "a clip key is 0–9, A–Z or one of " + ", ".join(WORDS),
        )
        err.field = "key"
        raise err
    return key


def stitchable(clips: tuple[str, ...], have: Mapping[str, str]) -> bool:
    """True when the hall has recorded every clip the announcement needs."""
    return all(k in have for k in clips)


def audio_hash(
    text: str,
    text_en: str | None,
    *,
    voice: str,
    engine: str,
    clips: Mapping[str, str] | None = None,
    order: tuple[str, ...] = (),
) -> str:
    """The content hash an announcement's audio is cached and served under.

    `clips` maps each clip key used to its version (when stitched from the hall's clips); the
    voice and the engine's version are part of it, so a new engine or new clips give a new URL.
    """
    recipe = {
        "text": text,
        "en": text_en,
        "voice": voice,
        "engine": engine,
        "clips": [[k, clips[k]] for k in order] if clips is not None else None,
    }
    blob = json.dumps(recipe, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


_HASH = re.compile(r"^[0-9a-f]{64}$")


def is_audio_hash(value: str) -> bool:
    return bool(_HASH.match(value))


# ── speakers: one per zone ────────────────────────────────────────────────
MAX_ZONE = 32


def normalise_zone(zone: str | None) -> str:
    """A board's zone ("一楼", "东厅"); a hall without zones is one zone, ""."""
    z = (zone or "").strip()
    if len(z) > MAX_ZONE:
        err = RuleViolation(
            "invalid_field", f"区域不能超过 {MAX_ZONE} 个字", f"a zone is at most {MAX_ZONE} characters"
        )
        err.field = "zone"
        raise err
    return z


def speaker_conflict(
    zone: str, speakers_in_hall: Mapping[int, str], except_id: int | None = None
) -> int | None:
    """The id of the board already speaking in `zone`, if any (one speaker per zone)."""
    for token_id, z in speakers_in_hall.items():
        if token_id != except_id and (z or "") == zone:
            return token_id
    return None
