"""Building blocks of the API schemas: strict request fields with messages in Chinese and English,
and the base classes of request (`In`) and response (`Out`) schemas.

A validation message is written once in both languages with `say(zh, en)`; `$field` in it
becomes the path of the bad field (`materials[1].copies`) when the API answers (api/errors.py
picks the language). Messages marshmallow writes itself (no Chinese) are answered as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, missing

from ...web.links import absolute_url

#: separates the Chinese and the English text of one message
SEP = "\x1f"
#: replaced by the bad field's path
FIELD = "$field"
#: the largest integer the database columns take (window ids, numbers, sort keys): `Integer` is
#: 32-bit on PostgreSQL, so ids in URLs (`<int(max=…)>`) and bodies stop there (a larger id is
#: no row: 404 in a URL, 400 in a body)
MAX_INT = 2**31 - 1
#: a service's code, as a path names it (`PUT /halls/<code>/services/<service>` creates it);
#: 16 is the column's size (tests/web/test_bad_input.py holds every length to its column)
SERVICE_CODE_LEN = 16
SERVICE_CODE = re.compile(rf"[A-Za-z0-9_-]{{1,{SERVICE_CODE_LEN}}}\Z")
SERVICE_CODE_MESSAGE = (
    f"事项代码是 1-{SERVICE_CODE_LEN} 位字母、数字、-、_",
    f"a service code is 1-{SERVICE_CODE_LEN} letters, digits, - or _",
)


def say(zh: str, en: str) -> str:
    """A validation message in both languages."""
    return f"{zh}{SEP}{en}"


def split_message(message: str, path: str) -> tuple[str, str]:
    """(Chinese, English) of a message, with `$field` replaced by `path`."""
    zh, sep, en = message.partition(SEP)
    if not sep:  # marshmallow's own words
        zh = en = f"{path}: {message}" if path else message
    return zh.replace(FIELD, path), en.replace(FIELD, path)


MISSING = say("缺少字段 $field", "missing field $field")
UNKNOWN = say("未知字段 $field", "unknown field $field")
NOT_TEXT = say("字段 $field 必须是非空字符串", "$field must be a non-empty string")
NOT_STRING = say("字段 $field 必须是字符串", "$field must be a string")
NOT_BOOL = say("字段 $field 必须是 true 或 false", "$field must be true or false")
NOT_INT = say("$field 必须是整数", "$field must be an integer")
NOT_LIST = say("$field 必须是列表", "$field must be a list")
NOT_OBJECT = say("$field 必须是对象", "$field must be an object")
NOT_DAY = say("$field 必须是 YYYY-MM-DD 格式的日期", "$field must be a date YYYY-MM-DD")

#: the request body is not a JSON object (answered as `bad_request`, not `invalid_field`)
NOT_JSON_OBJECT = ("请求体必须是 JSON 对象", "the body must be a JSON object")


def field_messages(required: str = MISSING, **extra: str) -> dict[str, Any]:
    """A field's messages; marshmallow formats them (`{input}`), so braces in our text are escaped."""
    messages = {"required": required, "null": required, **extra}
    return {key: m.replace("{", "{{").replace("}", "}}") for key, m in messages.items()}


def _meta(metadata: Mapping[str, Any] | None, **doc: Any) -> dict[str, Any]:
    return {**doc, **(metadata or {})}


def _too_long(max_len: int) -> str:
    return say("字段 $field 过长", f"$field is longer than {max_len} characters")


class Text(fields.String):
    """A non-empty string, stripped, at most `max_len` characters. `null` counts as absent,
    unless `allow_none=False` (a field a service stores whenever it is sent)."""

    def __init__(
        self,
        max_len: int = 200,
        *,
        too_long: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        self.max_len, self.too_long = max_len, too_long or _too_long(max_len)
        kw.setdefault("allow_none", not kw.get("required", False))
        super().__init__(
            error_messages=field_messages(invalid=NOT_TEXT, null=MISSING if kw.get("required") else NOT_TEXT),
            metadata=_meta(metadata, minLength=1, maxLength=max_len, pattern=r"\S"),
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.make_error("invalid")
        text: str = value.strip()
        if len(text) > self.max_len:
            raise ValidationError(self.too_long)
        return text


class Str(fields.String):
    """Any string (empty too), at most `max_len` characters, taken as sent."""

    def __init__(
        self,
        max_len: int = 200,
        *,
        too_long: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        self.max_len, self.too_long = max_len, too_long or _too_long(max_len)
        super().__init__(
            error_messages=field_messages(invalid=NOT_STRING, null=NOT_STRING),
            metadata=_meta(metadata, maxLength=max_len),
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if len(value) > self.max_len:
            raise ValidationError(self.too_long)
        return value


class Choice(fields.String):
    """One of a few words, any case (`?format=YAML` is yaml)."""

    def __init__(
        self, choices: tuple[str, ...], *, message: str, metadata: Mapping[str, Any] | None = None, **kw: Any
    ) -> None:
        self.choices = choices
        super().__init__(
            error_messages=field_messages(invalid=message, null=message),
            metadata=_meta(metadata, enum=list(choices)),
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        word = value.strip().lower() if isinstance(value, str) else None
        if word not in self.choices:
            raise self.make_error("invalid")
        return word


class Flag(fields.Boolean):
    """`true` or `false`, nothing else (no "yes", no 1)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(error_messages=field_messages(null=NOT_BOOL, invalid=NOT_BOOL), **kw)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Int(fields.Integer):
    """A JSON integer within [minimum, maximum] (`true` is not 1, "8" is not 8)."""

    def __init__(
        self,
        minimum: int = 0,
        maximum: int = MAX_INT,
        *,
        message: str = NOT_INT,
        metadata: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        self.minimum, self.maximum = minimum, maximum
        super().__init__(
            strict=True,
            error_messages=field_messages(
                MISSING if message == NOT_INT else message, null=message, invalid=message
            ),
            metadata=_meta(metadata, minimum=minimum, maximum=maximum),
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise self.make_error("invalid")
        return value


class Digits(fields.Integer):
    """A query parameter of decimal digits only (`?days=30`), as an integer."""

    def __init__(
        self,
        maximum: int = MAX_INT,
        *,
        message: str = NOT_INT,
        metadata: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> None:
        self.maximum = maximum
        super().__init__(
            error_messages=field_messages(null=message, invalid=message),
            metadata=_meta(metadata, minimum=0, maximum=maximum),
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> int:
        if not isinstance(value, str) or not value.isascii() or not value.isdigit():
            raise self.make_error("invalid")
        number = int(value)
        if number > self.maximum:
            raise self.make_error("invalid")
        return number


class Day(fields.String):
    """A calendar day, `YYYY-MM-DD` exactly (no week dates, no times), answered as that text.

    Which days make sense (a leave's end, a report's range) is the domain's to say."""

    def __init__(self, *, metadata: Mapping[str, Any] | None = None, **kw: Any) -> None:
        super().__init__(
            error_messages=field_messages(invalid=NOT_DAY, null=NOT_DAY),
            metadata=_meta(metadata, format="date", pattern=r"^\d{4}-\d{2}-\d{2}$", example="2026-11-27"),
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if not isinstance(value, str) or not _DAY.match(value):
            raise self.make_error("invalid")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None
        return value


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


class Texts(fields.List):  # type: ignore[type-arg]  # of Str
    """A list of strings (each at most `max_len` characters)."""

    def __init__(self, max_len: int = 200, *, message: str = NOT_LIST, **kw: Any) -> None:
        super().__init__(Str(max_len), error_messages=field_messages(null=message, invalid=message), **kw)


class Object(fields.Dict):
    """A JSON object whose keys and values a service or the domain checks."""

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("error_messages", field_messages(null=NOT_OBJECT, invalid=NOT_OBJECT))
        super().__init__(**kw)


class StrMap(fields.Dict):
    """A JSON object of strings (`{"m3": "why"}`), checked as one field."""

    def __init__(self, message: str = NOT_OBJECT, **kw: Any) -> None:
        super().__init__(
            keys=fields.String(),
            values=fields.String(),
            error_messages=field_messages(null=message, invalid=message),
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> dict[str, str]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.make_error("invalid")
        return value


class Link(fields.String):
    """An absolute URL the web layer builds from the object's ids: `Link("/t/{id}")`."""

    def __init__(self, template: str, *, metadata: Mapping[str, Any] | None = None, **kw: Any) -> None:
        self.template = template
        example = "https://hall.example" + template.replace("{id}", "tq8Xb3kPq2Lw").replace(
            "{code}", "K7QX2M"
        ).replace("{token}", "q3Vb9xKpL2mWn8Rt")
        super().__init__(dump_only=True, metadata=_meta(metadata, format="uri", example=example), **kw)

    def serialize(self, attr: str, obj: Any, accessor: Any = None, **kwargs: Any) -> Any:
        url = self.url_of(obj)
        return missing if url is None else url

    def url_of(self, obj: Any) -> str | None:
        """The URL, or None when the object lacks what it is built from (a public shape)."""
        try:
            return absolute_url(self.template.format_map(obj))
        except KeyError:
            return None


def nested(schema: Schema | type[Schema], **kw: Any) -> fields.Nested:
    """A nested request object with our messages."""
    return fields.Nested(schema, error_messages=field_messages(null=NOT_OBJECT, type=NOT_OBJECT), **kw)


class In(Schema):
    """A request body or query: unknown fields are refused ("未知字段 X")."""

    error_messages = {"unknown": UNKNOWN, "type": NOT_OBJECT}

    class Meta:
        unknown = RAISE


class Query(Schema):
    """Query parameters: other parameters (`lang`, cache busters) are ignored, as they always were."""

    class Meta:
        unknown = EXCLUDE


class Out(Schema):
    """A response: only declared fields are answered, in declaration order.

    Services already return JSON values, so answering is shaping: `dump` keeps the declared
    keys (renamed by `data_key`), recurses into nested schemas and builds `Link`s, from a plan
    made once per schema instance. It answers what marshmallow's own dump answers for such
    data (tests/unit/test_api_schemas.py) at a fraction of its cost on the issue path.

    With `Out.check` on (tests), a key the service returned that the schema does not declare
    is an error instead of vanishing from the answer (and from the document).
    """

    check = False

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        shape = self.__dict__.get("_shape") or self._plan()
        many = self.many if many is None else many
        result = [shape(o) for o in obj] if many else shape(obj)
        if Out.check:
            lost = dropped_keys(obj, result)
            if lost:
                raise AssertionError(f"{type(self).__name__} does not declare {', '.join(lost)}")
        return result

    def _plan(self) -> Callable[[Any], Any]:
        steps: list[tuple[str, str, Callable[[Any], Any] | None, bool]] = []
        for name, field in self.dump_fields.items():
            key, attr = field.data_key or name, field.attribute or name
            if isinstance(field, Link):
                steps.append((key, attr, field.url_of, True))
            else:
                steps.append((key, attr, _converter(field), False))

        def shape(obj: Any) -> Any:
            out = {}
            for key, attr, convert, whole in steps:
                if whole:
                    url = convert(obj)  # type: ignore[misc]
                    if url is not None:
                        out[key] = url
                    continue
                value = obj.get(attr, missing)
                if value is missing:
                    continue
                out[key] = convert(value) if convert is not None and value is not None else value
            return out

        self.__dict__["_shape"] = shape
        return shape


def _converter(field: fields.Field[Any]) -> Callable[[Any], Any] | None:
    """How a field's value is answered: nested objects shaped by their schema, else as it is."""
    if isinstance(field, fields.Nested) and isinstance(field.schema, Out):
        nested_schema = field.schema
        return lambda v: nested_schema.dump(v)
    if isinstance(field, fields.List):
        inner = _converter(field.inner)
        if inner is not None:
            return lambda v: [inner(i) if i is not None else None for i in v]
    return None


def dropped_keys(raw: Any, dumped: Any, path: str = "") -> list[str]:
    """Paths of keys in `raw` that the dump left out (what a schema forgot to declare)."""
    out: list[str] = []
    if isinstance(raw, Mapping) and isinstance(dumped, Mapping):
        for key, value in raw.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in dumped:
                out.append(where)
            else:
                out += dropped_keys(value, dumped[key], where)
    elif isinstance(raw, list | tuple) and isinstance(dumped, list | tuple):
        for i, (a, b) in enumerate(zip(raw, dumped, strict=False)):
            out += dropped_keys(a, b, f"{path}[{i}]")
    return out
