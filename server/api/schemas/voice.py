"""Voice calls: the hall's voice status and settings, its recorded clips, speaker boards."""

from __future__ import annotations

from marshmallow import fields

from .base import Flag, In, Int, Out, Str, Text

#: base64 of the largest clip (services.voice.MAX_CLIP_BYTES), with room for a data: URL prefix
MAX_CLIP_TEXT = 340_000


class VoiceStatus(Out):
    """The hall's voice: `degraded` when no speech engine is installed (boards then use the
    browser's own speech); `speaker`/`zone` of the asking board (anonymous callers: false)."""

    hall = fields.String(required=True)
    engine = fields.String(
        required=True, allow_none=True, metadata={"description": "the engine and its version"}
    )
    voice = fields.String(required=True, allow_none=True)
    degraded = fields.Boolean(required=True)
    times = fields.Integer(required=True, metadata={"description": "how many times boards speak each call"})
    english = fields.Boolean(required=True)
    clips = fields.List(fields.String(), required=True, metadata={"description": "the clip keys recorded"})
    clips_missing = fields.List(fields.String(), required=True)
    speaker = fields.Boolean(required=True)
    zone = fields.String(required=True, allow_none=True)


class VoiceSettingsIn(In):
    announce_times = Int(1, 5, metadata={"description": "how many times each call is spoken (default 2)"})
    announce_english = Flag(metadata={"description": "English after the Chinese"})


class ClipIn(In):
    """A clip: base64 (or a data: URL) of a PCM WAV of at most 240 KB and 4 s; other rates and
    channel counts are converted to 22050 Hz mono 16 bit."""

    audio = Str(MAX_CLIP_TEXT, required=True, metadata={"description": "base64 of the WAV file"})


class SpeakerIn(In):
    speaker = Flag(required=True)
    zone = Text(32, metadata={"description": "the board's zone (一楼); none: the whole hall"})


class Speaker(Out):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    label = fields.String(required=True)
    speaker = fields.Boolean(required=True)
    zone = fields.String(required=True, allow_none=True)
