"""Administration: halls, services, windows, people and device tokens."""

from __future__ import annotations

from marshmallow import fields
from marshmallow.validate import Length

from .base import MAX_INT, Flag, In, Int, Object, Out, Str, Text, Texts, say
from .common import DATETIME, WindowRef

#: base64 of the largest photo (domain.photos.MAX_BYTES), with room for a data: URL prefix
MAX_PHOTO_TEXT = 340_000

#: opening hours: per weekday (mon…sun) a list of [from, to] times; null = always open
OPENING_HOURS = {
    "description": 'per weekday, [from, to] times: {"mon": [["08:30", "12:00"]]}; null = always open',
    "additionalProperties": {
        "type": "array",
        "items": {
            "type": "array",
            "items": {"type": "string", "example": "08:30"},
            "minItems": 2,
            "maxItems": 2,
        },
    },
}


class HallIn(In):
    code = Text(32, required=True, metadata={"pattern": "^[a-z0-9][a-z0-9_-]{0,31}$", "example": "east"})
    name = Text(200, required=True)
    name_en = Str(200, allow_none=True, metadata={"description": "English mode shows it; empty: the Chinese"})
    timezone = Text(64, metadata={"example": "Asia/Shanghai", "description": "default Asia/Shanghai"})


class HallPatch(In):
    name = Text(200, allow_none=False)
    name_en = Str(200, allow_none=True, metadata={"description": "English mode shows it; empty: the Chinese"})
    timezone = Text(64, allow_none=False, metadata={"example": "Asia/Shanghai"})
    opening_hours = Object(allow_none=True, metadata=OPENING_HOURS)
    makeup_weekday = Str(
        3,
        allow_none=True,
        metadata={
            "description": "a 调休 make-up workday opens with this weekday's hours (mon … fri); "
            "null: Monday's",
            "example": "mon",
        },
    )
    public_pause_reasons = Texts(
        100,
        allow_none=True,
        validate=Length(max=20),
        metadata={"description": "pause reasons boards may show; null = the default list"},
    )
    commitments = Str(
        2000,
        allow_none=True,
        metadata={
            "description": "the hall's public commitments (服务承诺), on every window board; null: none"
        },
    )
    complaint_channel = Str(
        300,
        allow_none=True,
        metadata={"description": "how citizens complain (12345…), shown on the phone pages; null: none"},
    )
    wait_target_minutes = Int(
        1,
        240,
        allow_none=True,
        metadata={"description": "the evaluation's wait target in minutes; null: the default, 15"},
    )
    show_satisfaction = Flag(
        metadata={"description": "the hall board shows this month's 满意率 per window (admins only)"}
    )
    commitments_en = Str(
        2000,
        allow_none=True,
        metadata={"description": "the same in English (English mode; empty: the Chinese)"},
    )
    queue_when_unserved = Flag(
        metadata={
            "description": "the kiosk issues numbers for a service no window serves now (after a "
            "warning); false: such numbers are refused (409 service_unserved)"
        }
    )


class Hall(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    rollover_hour = fields.Integer(required=True)
    opening_hours = fields.Dict(required=True, allow_none=True, metadata=OPENING_HOURS)
    makeup_weekday = fields.String(required=True, allow_none=True)
    public_pause_reasons = fields.List(
        fields.String(), required=True, metadata={"description": "pause reasons boards may show"}
    )
    commitments = fields.String(required=True, allow_none=True)
    complaint_channel = fields.String(required=True, allow_none=True)
    wait_target_minutes = fields.Integer(required=True, allow_none=True)
    show_satisfaction = fields.Boolean(required=True)
    name_en = fields.String(required=True, allow_none=True)
    commitments_en = fields.String(required=True, allow_none=True)
    queue_when_unserved = fields.Boolean(required=True)


class Halls(Out):
    halls = fields.List(fields.Nested(Hall), required=True)


class ServiceIn(In):
    prefix = Text(2, allow_none=False, metadata={"description": "one or two capital letters", "example": "J"})
    name = Text(100, allow_none=False)
    name_en = Str(100)
    category = Str(50)
    category_en = Str(
        50, allow_none=True, metadata={"description": "English mode shows it; empty: the Chinese"}
    )
    sort = Int(-MAX_INT, message=say("sort 必须是整数", "sort must be an integer"))
    active = Flag()


class Service(Out):
    code = fields.String(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    category = fields.String(required=True)
    category_en = fields.String(required=True, allow_none=True)
    sort = fields.Integer(required=True)
    active = fields.Boolean(required=True)


class WindowIn(In):
    number = Int(1, 999, required=True, message=say("窗口号是 1-999 的整数", "number is an integer 1..999"))
    name = Text(100, metadata={"description": "default: <number>号窗口"})
    name_en = Str(100, allow_none=True, metadata={"description": "English mode shows it; empty: the Chinese"})


class WindowPatch(In):
    name = Text(100)
    name_en = Str(100, allow_none=True, metadata={"description": "English mode shows it; empty: the Chinese"})


class NewWindow(WindowRef):
    pass


class Windows(Out):
    windows = fields.List(fields.Nested(WindowRef), required=True)


class PersonIn(In):
    username = Str(64, metadata={"pattern": "^[A-Za-z0-9_.-]{2,64}$"})
    password = Str(200)
    name = Text(100, allow_none=False, metadata={"description": "default: the username"})
    badge = Str(32, allow_none=True)
    role = Str(
        16,
        metadata={
            "enum": ["clerk", "manager", "supervisor"],
            "description": "default clerk; manager, supervisor (纪检监察): admin only",
        },
    )


class PersonPatch(In):
    name = Text(100, allow_none=False)
    badge = Str(32)
    active = Flag()
    password = Str(200, metadata={"description": "at least 8 characters"})


class Person(Out):
    username = fields.String(required=True)
    name = fields.String(required=True)
    badge = fields.String(required=True, allow_none=True)
    role = fields.String(required=True)
    active = fields.Boolean(required=True)
    photo_url = fields.String(
        required=True, allow_none=True, metadata={"description": "挂牌上岗: the photo (unguessable path)"}
    )


class PhotoIn(In):
    """A photo: base64 (or a data: URL) of a JPEG, PNG or WebP picture, at most 240 KB; null removes it."""

    image = Str(
        MAX_PHOTO_TEXT,
        required=True,
        allow_none=True,
        metadata={"description": "base64 of the picture, or null to remove it"},
    )


class People(Out):
    users = fields.List(fields.Nested(Person), required=True)


class DeviceIn(In):
    role = Text(16, required=True, metadata={"enum": ["kiosk", "board", "pad", "clerk"]})
    label = Text(100)
    user = Text(64, metadata={"description": "clerk tokens: the clerk's username"})
    window = Int(1, metadata={"description": "pad tokens (评价器): the id of the window it rates"})
    speaker = Flag(metadata={"description": "boards: this one plays the voice calls (one per zone)"})
    zone = Text(32, metadata={"description": "boards: the zone it speaks for (一楼); none: the whole hall"})


class Device(Out):
    id = fields.Integer(required=True)
    role = fields.String(required=True)
    label = fields.String(required=True)
    user = fields.String(required=True, allow_none=True)
    window = fields.Integer(required=True, allow_none=True, metadata={"description": "a pad's window id"})
    created_at = fields.String(required=True, metadata=DATETIME)
    revoked = fields.Boolean(required=True)
    speaker = fields.Boolean(required=True)
    zone = fields.String(required=True, allow_none=True)


class Devices(Out):
    devices = fields.List(fields.Nested(Device), required=True)


class NewDevice(Out):
    """The clear token is answered once and never again."""

    token = fields.String(required=True)
    role = fields.String(required=True)
    label = fields.String(required=True)
    window = fields.Integer(allow_none=True, metadata={"description": "a pad's window id"})
    speaker = fields.Boolean(required=True)
    zone = fields.String(required=True, allow_none=True)
