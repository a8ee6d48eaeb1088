"""Limits on what a request may carry, checked before anything parses it.

Python's JSON and YAML parsers recurse once per level of nesting: a small body of `[[[[…` is
a RecursionError (a 500) in the parser itself, and a body a little less deep is parsed and
then breaks whatever walks it next (a schema, a stored JSON column, an event). So the depth is
counted on the raw text first, in a single linear pass that does not recurse, and the body is
only parsed when it is shallow enough. The same check guards Socket.IO frames (`SafeJSON`,
python-socketio's `json=` module) and guide documents (YAML through its event stream).

| setting | default | what |
|---|---|---|
| MAX_CONTENT_LENGTH | 1 MiB | any request body (JSON, forms); larger is 413 |
| MAX_JSON_DEPTH | 32 | nesting of `[` and `{` in a JSON body, a guide document, a socket frame |
| MAX_SOCKET_FRAME | 64 KiB | one Socket.IO message (engine.io's max_http_buffer_size) |

Guide imports (a whole hall's guides in one file) may be up to the guide service's own limit.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from itertools import accumulate
from typing import Any

import yaml

from ..services.core.errors import BadInput

DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024
DEFAULT_MAX_JSON_DEPTH = 32
DEFAULT_MAX_SOCKET_FRAME = 64 * 1024

#: a JSON string literal (its brackets are text, not nesting); UTF-8 never hides `"` or `\`
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
#: every byte but the brackets is dropped; `[`/`{` become +1, `]`/`}` -1 (as signed bytes)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_SIGNS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


def json_depth(raw: bytes | str) -> int:
    """How deeply the JSON text nests arrays and objects (0 for a scalar), without parsing it.

    Linear and non-recursive; brackets inside strings do not count. Text that is not JSON gets
    some number back (the parser refuses it afterwards)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    signs = _STRING.sub(b"", data).translate(_SIGNS, _NOT_BRACKET)
    return max(accumulate(array("b", signs)), default=0)


def too_deep(limit: int) -> BadInput:
    err = BadInput(
        "invalid_field",
        f"请求嵌套过深（最多 {limit} 层）",
        f"the body is nested too deeply (at most {limit} levels)",
    )
    err.field = "body"
    return err


def not_json(message_zh: str, message_en: str) -> BadInput:
    err = BadInput("bad_request", message_zh, message_en)
    err.field = "body"
    return err


def parse_json(raw: bytes | str, limit: int = DEFAULT_MAX_JSON_DEPTH) -> Any:
    """The JSON value of `raw`: BadInput (field `body`) when it nests deeper than `limit` or is
    not JSON at all (bad syntax, bad UTF-8, a number of more than 4,300 digits)."""
    if json_depth(raw) > limit:
        raise too_deep(limit)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise not_json("请求体不是有效的 JSON", "the body is not valid JSON") from None


def yaml_deeper_than(text: str, limit: int) -> bool:
    """Whether a YAML text nests sequences and mappings deeper than `limit`, read from its event
    stream (the parsers keep explicit stacks and do not recurse; composing the tree would).
    Stops at the first level too many. For text that is not YAML, the depth reached before the
    error counts (the loader that follows names the error)."""
    try:
        return _deeper_than(yaml.parse(text, Loader=_FAST), limit)
    except yaml.YAMLError:  # libyaml stops at 1,000 levels before saying how deep: ask PyYAML's
        try:
            return _deeper_than(yaml.parse(text, Loader=yaml.SafeLoader), limit)
        except yaml.YAMLError:
            return False


def _deeper_than(events: Iterator[yaml.Event], limit: int) -> bool:
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > limit:
                return True
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return False


#: libyaml's event parser when PyYAML has it (fast), else PyYAML's own
_FAST: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def check_document_depth(text: str, fmt: str, limit: int = DEFAULT_MAX_JSON_DEPTH) -> None:
    """Refuse a JSON or YAML document nested deeper than `limit` (field `body`). Syntax errors
    are left to the parser that follows, which names the line."""
    deep = json_depth(text) > limit if fmt == "json" else yaml_deeper_than(text, limit)
    if deep:
        raise too_deep(limit)


class SafeJSON:
    """A `json` module for python-socketio: a frame nested deeper than MAX_JSON_DEPTH is refused
    with a ValueError before the recursive decoder sees it (the socket stays up, the handler is
    never called)."""

    limit = DEFAULT_MAX_JSON_DEPTH

    @staticmethod
    def dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
        return json.dumps(obj, *args, **kwargs)

    @classmethod
    def loads(cls, s: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if json_depth(s) > cls.limit:
            raise ValueError(f"frame nested deeper than {cls.limit} levels")
        return json.loads(s, *args, **kwargs)
