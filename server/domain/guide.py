"""The service guide (办事指南) of 一次告知制: what a citizen must bring and what happens next.

A guide is told in full, once: the materials (original or copy, how many, required or not),
the procedure, the legal and promised time limits, the fees and the legal basis. Windows are
derived from the hall's window set-up and never stored here.

`parse_guide` turns untrusted data (an API body, an imported file) into a `Guide` or refuses it
with a `GuideInvalid` that names every bad field by its path (`materials[2].copies`), so an
editor is told every mistake at once. `search` finds services by Chinese text or by pinyin
(`sb` → 社保医保, `gjj` → 公积金, `shebao`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import RuleViolation

#: how a material is handed in: 原件 / 复印件 / 原件及复印件 / 电子材料
FORMS = ("original", "copy", "original_and_copy", "electronic")

MAX_MATERIALS = 60
MAX_STEPS = 30
MAX_KEYWORDS = 30
MAX_COPIES = 99
#: ten years of working days is no promise a hall makes; a larger number is a typo
MAX_LIMIT_DAYS = 3650
MAX_NAME = 100
MAX_NOTES = 500
MAX_STEP = 300
MAX_KEYWORD = 30
MAX_FEES = 500
MAX_BASIS = 2000

#: material ids are short and stable: a one-time notice refers to a material by its id
MATERIAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")

#: the English text of a guide (`…_en`): English mode shows it, the Chinese where it is empty; an
#: empty one is left out of the stored and exchanged form
ENGLISH_KEYS = ("steps_en", "fees_en", "legal_basis_en", "keywords_en")
#: keys of a guide as stored and exchanged; `windows` is derived and accepted but ignored on input
GUIDE_KEYS = (
    "materials",
    "steps",
    "legal_limit_days",
    "promised_limit_days",
    "warn_days",
    "fees",
    "legal_basis",
    "keywords",
    *ENGLISH_KEYS,
)
DERIVED_KEYS = ("windows",)
MATERIAL_KEYS = ("id", "name", "form", "copies", "required", "notes", "name_en", "notes_en")


@dataclass(frozen=True)
class FieldError:
    """One bad field: its path in the submitted data and what is wrong, in both languages."""

    field: str
    message_zh: str
    message_en: str

    def prefixed(self, prefix: str) -> FieldError:
        return FieldError(_join(prefix, self.field), self.message_zh, self.message_en)


class GuideInvalid(RuleViolation):
    """A guide was refused; `field` is the first bad path and `errors` lists every one."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        assert errors, "a refusal names at least one field"
        first = errors[0]
        more_zh = f"（另有 {len(errors) - 1} 处错误）" if len(errors) > 1 else ""
        more_en = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(
            "invalid_field",
            f"{first.field}：{first.message_zh}{more_zh}",
            f"{first.field}: {first.message_en}{more_en}",
        )
        self.field = first.field
        self.errors = list(errors)

    def prefixed(self, prefix: str) -> GuideInvalid:
        return GuideInvalid([e.prefixed(prefix) for e in self.errors])


@dataclass(frozen=True)
class Material:
    id: str
    name: str
    form: str = "original"
    copies: int = 1
    required: bool = True
    notes: str = ""
    name_en: str = ""
    notes_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "form": self.form,
            "copies": self.copies,
            "required": self.required,
            "notes": self.notes,
        }
        return _with_english(out, {"name_en": self.name_en, "notes_en": self.notes_en})


@dataclass(frozen=True)
class Guide:
    materials: tuple[Material, ...] = ()
    steps: tuple[str, ...] = ()
    legal_limit_days: int | None = None
    promised_limit_days: int | None = None
    #: 预警: a case turns yellow when this many working days (or fewer) remain
    warn_days: int | None = None
    fees: str = ""
    legal_basis: str = ""
    keywords: tuple[str, ...] = ()
    #: English text (ENGLISH_KEYS): steps and keywords (the kiosk's chips) as their own lists
    steps_en: tuple[str, ...] = ()
    fees_en: str = ""
    legal_basis_en: str = ""
    keywords_en: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The stored and exchanged form (no derived `windows`; no empty English text)."""
        out = {
            "materials": [m.to_dict() for m in self.materials],
            "steps": list(self.steps),
            "legal_limit_days": self.legal_limit_days,
            "promised_limit_days": self.promised_limit_days,
            "warn_days": self.warn_days,
            "fees": self.fees,
            "legal_basis": self.legal_basis,
            "keywords": list(self.keywords),
        }
        english = {
            "steps_en": list(self.steps_en),
            "fees_en": self.fees_en,
            "legal_basis_en": self.legal_basis_en,
            "keywords_en": list(self.keywords_en),
        }
        return _with_english(out, english)

    def material_ids(self) -> set[str]:
        return {m.id for m in self.materials}


EMPTY = Guide()


def _with_english(out: dict[str, Any], english: Mapping[str, Any]) -> dict[str, Any]:
    out.update({k: v for k, v in english.items() if v})
    return out


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


class _Checker:
    """Collects every error instead of stopping at the first (一次告知: tell every mistake at once)."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def fail(self, path: str, zh: str, en: str) -> None:
        self.errors.append(FieldError(path, zh, en))

    def text(self, value: object, path: str, max_len: int, required: bool = False) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(path, "必须是文字", "must be a string")
            return ""
        value = value.strip()
        if required and not value:
            self.fail(path, "不能为空", "must not be empty")
        elif len(value) > max_len:
            self.fail(path, f"最多 {max_len} 字", f"is longer than {max_len} characters")
        return value

    def days(self, value: object, path: str) -> int | None:
        if value is None:
            return None
        # bool is an int in Python; `true` days is a mistake, not 1
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "必须是整数天数或留空", "must be a whole number of days or null")
            return None
        if value < 0 or value > MAX_LIMIT_DAYS:
            self.fail(path, f"必须在 0 到 {MAX_LIMIT_DAYS} 之间", f"must be between 0 and {MAX_LIMIT_DAYS}")
            return None
        return value

    def text_list(self, value: object, path: str, max_items: int, max_len: int) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(path, "必须是列表", "must be a list")
            return ()
        if len(value) > max_items:
            self.fail(path, f"最多 {max_items} 项", f"has more than {max_items} items")
        return tuple(self.text(v, f"{path}[{i}]", max_len, required=True) for i, v in enumerate(value))

    def unknown_keys(self, data: Mapping[str, Any], allowed: Iterable[str], prefix: str) -> None:
        known = set(allowed)
        for key in data:
            if key not in known:
                self.fail(_join(prefix, str(key)), "未知字段", "unknown field")


def parse_guide(data: object, taken_ids: Iterable[str] = ()) -> Guide:
    """Validate untrusted guide data and return the normalised guide.

    Missing fields take their empty defaults; `windows` is derived and ignored. A material
    without an id gets the next free `m<n>`, never one in `taken_ids` (ids of the guide being
    replaced), so an id a notice once referred to is not reused for another material.
    Raises `GuideInvalid` naming every bad field.
    """
    c = _Checker()
    if not isinstance(data, dict):
        raise GuideInvalid([FieldError("guide", "必须是对象", "must be an object")])
    c.unknown_keys(data, (*GUIDE_KEYS, *DERIVED_KEYS), "")
    materials = _materials(c, data.get("materials"), set(taken_ids))
    steps = c.text_list(data.get("steps"), "steps", MAX_STEPS, MAX_STEP)
    legal = c.days(data.get("legal_limit_days"), "legal_limit_days")
    promised = c.days(data.get("promised_limit_days"), "promised_limit_days")
    if legal is not None and promised is not None and promised > legal:
        # 承诺时限 is a promise to do better than the law, never worse
        c.fail(
            "promised_limit_days",
            f"承诺时限（{promised} 天）不能长于法定时限（{legal} 天）",
            f"the promised limit ({promised} days) may not exceed the legal limit ({legal} days)",
        )
    warn = _warn_days(c, data.get("warn_days"), legal, promised)
    fees = c.text(data.get("fees"), "fees", MAX_FEES)
    basis = c.text(data.get("legal_basis"), "legal_basis", MAX_BASIS)
    keywords = c.text_list(data.get("keywords"), "keywords", MAX_KEYWORDS, MAX_KEYWORD)
    steps_en = c.text_list(data.get("steps_en"), "steps_en", MAX_STEPS, MAX_STEP)
    fees_en = c.text(data.get("fees_en"), "fees_en", MAX_FEES)
    basis_en = c.text(data.get("legal_basis_en"), "legal_basis_en", MAX_BASIS)
    keywords_en = c.text_list(data.get("keywords_en"), "keywords_en", MAX_KEYWORDS, MAX_KEYWORD)
    if c.errors:
        raise GuideInvalid(c.errors)
    return Guide(
        materials,
        steps,
        legal,
        promised,
        warn,
        fees,
        basis,
        keywords,
        steps_en,
        fees_en,
        basis_en,
        keywords_en,
    )


def _warn_days(c: _Checker, value: object, legal: int | None, promised: int | None) -> int | None:
    """The yellow threshold: within the time limit the hall keeps (the promise, else the law)."""
    warn = c.days(value, "warn_days")
    if warn is None:
        return None
    limit = promised if promised is not None else legal
    if limit is None:
        c.fail("warn_days", "没有办结时限时不能设置预警天数", "needs a legal or promised time limit")
    elif warn > limit:
        which_zh, which_en = ("承诺时限", "promised") if promised is not None else ("法定时限", "legal")
        c.fail(
            "warn_days",
            f"预警天数（{warn} 天）不能长于{which_zh}（{limit} 天）",
            f"the warning threshold ({warn} days) may not exceed the {which_en} limit ({limit} days)",
        )
    return warn


def commitment_lines(guide: Guide) -> list[str]:
    """The service commitment (服务承诺) as printed and shown: 法定时限 / 承诺时限 or 即办件 / 收费.

    Read from the guide alone (no second copy of these facts); empty when the guide says none.
    """
    lines = []
    if guide.legal_limit_days is not None:
        lines.append(f"法定时限 {guide.legal_limit_days} 个工作日")
    if guide.promised_limit_days == 0:
        lines.append("即办件：当场办结")
    elif guide.promised_limit_days is not None:
        lines.append(f"承诺时限 {guide.promised_limit_days} 个工作日")
    if guide.fees:
        lines.append(f"收费：{guide.fees}")
    return lines


def commitment_lines_en(guide: Guide) -> list[str]:
    """The same lines in English (the fees in the guide's English where it has them)."""

    def days(n: int) -> str:
        return f"{n} working day" + ("" if n == 1 else "s")

    lines = []
    if guide.legal_limit_days is not None:
        lines.append(f"Legal time limit: {days(guide.legal_limit_days)}")
    if guide.promised_limit_days == 0:
        lines.append("Done on the spot")
    elif guide.promised_limit_days is not None:
        lines.append(f"Promised time limit: {days(guide.promised_limit_days)}")
    if guide.fees:
        lines.append(f"Fees: {guide.fees_en or guide.fees}")
    return lines


def commitment_view(guide: Guide) -> dict[str, Any]:
    """The commitment for pages and boards: the guide's facts plus the lines above."""
    return {
        "legal_limit_days": guide.legal_limit_days,
        "promised_limit_days": guide.promised_limit_days,
        "on_the_spot": guide.promised_limit_days == 0,
        "fees": guide.fees,
        "fees_en": guide.fees_en,
        "lines": commitment_lines(guide),
        "lines_en": commitment_lines_en(guide),
    }


def _materials(c: _Checker, value: object, taken: set[str]) -> tuple[Material, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        c.fail("materials", "必须是列表", "must be a list")
        return ()
    if len(value) > MAX_MATERIALS:
        c.fail("materials", f"最多 {MAX_MATERIALS} 项", f"has more than {MAX_MATERIALS} items")
    rows: list[tuple[str | None, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(value):
        path = f"materials[{i}]"
        if not isinstance(item, dict):
            c.fail(path, "必须是对象", "must be an object")
            continue
        c.unknown_keys(item, MATERIAL_KEYS, path)
        mid = item.get("id")
        if mid is not None and mid != "":
            if not isinstance(mid, str) or not MATERIAL_ID.match(mid):
                c.fail(
                    f"{path}.id", "只能是 1–16 位字母、数字、- 或 _", "must be 1–16 letters, digits, - or _"
                )
                mid = None
            elif mid in seen:
                c.fail(f"{path}.id", f"与 materials[{seen[mid]}] 重复", f"repeats materials[{seen[mid]}].id")
            else:
                seen[mid] = i
        else:
            mid = None
        name = c.text(item.get("name"), f"{path}.name", MAX_NAME, required=True)
        form = item.get("form", "original")
        if form not in FORMS:
            c.fail(f"{path}.form", f"必须是 {' / '.join(FORMS)} 之一", f"must be one of {', '.join(FORMS)}")
        copies = item.get("copies", 1)
        if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= MAX_COPIES:
            c.fail(
                f"{path}.copies", f"必须是 1 到 {MAX_COPIES} 的整数", f"must be a whole number 1–{MAX_COPIES}"
            )
            copies = 1
        required = item.get("required", True)
        if not isinstance(required, bool):
            c.fail(f"{path}.required", "必须是 true 或 false", "must be true or false")
            required = True
        notes = c.text(item.get("notes"), f"{path}.notes", MAX_NOTES)
        name_en = c.text(item.get("name_en"), f"{path}.name_en", MAX_NAME)
        notes_en = c.text(item.get("notes_en"), f"{path}.notes_en", MAX_NOTES)
        rows.append(
            (
                mid,
                {
                    "name": name,
                    "form": form,
                    "copies": copies,
                    "required": required,
                    "notes": notes,
                    "name_en": name_en,
                    "notes_en": notes_en,
                },
            )
        )
    used = taken | set(seen)
    next_n = 1 + max((int(m[1:]) for m in used if re.fullmatch(r"m\d{1,6}", m)), default=0)
    out = []
    for mid, fields in rows:
        if mid is None:
            mid = f"m{next_n}"
            next_n += 1
        out.append(Material(id=mid, **fields))
    return tuple(out)


def guide_from_stored(data: Mapping[str, Any] | None) -> Guide:
    """A stored guide (already validated when saved); a missing one is the empty guide."""
    if not data:
        return EMPTY
    return parse_guide(dict(data))


# ── search ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ServiceEntry:
    """What search looks at for one service."""

    code: str
    name: str
    category: str = ""
    name_en: str = ""
    keywords: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchHit:
    code: str
    name: str
    category: str
    #: name | keyword | material | pinyin
    match: str
    #: the text that matched (the keyword, the material's name, the service name)
    matched: str
    score: int


# Scores rank how sure we are the citizen meant this service; ties keep the hall's order.
_NAME_EXACT, _NAME_PREFIX, _NAME_IN, _NAME_IN_QUERY = 100, 92, 85, 70
_KEYWORD_EXACT, _KEYWORD_IN, _KEYWORD_IN_QUERY = 80, 72, 62
# Initials typed from a word's start are what citizens do (sb, gjj); inside a longer name they
# mostly collide by chance (hz inside zhzx), so a keyword's prefix outranks them.
_PINYIN_NAME_PREFIX, _PINYIN_KEYWORD_PREFIX, _PINYIN_NAME_IN, _PINYIN_KEYWORD_IN = 76, 66, 50, 46
_CATEGORY = 45
_MATERIAL = 40

_ASCII_LETTERS = re.compile(r"^[a-z]+$")


@lru_cache(maxsize=4096)
def pinyin_forms(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of `text` in lower case: 社保医保 → ("sbyb", "shebaoyibao").

    pypinyin reads words with its phrase dictionary, so 不动产 is bu-dong-chan; Latin letters
    and digits pass through. (pypinyin is imported here, on the first search: its phrase
    dictionary takes a third of a second to load, which every server process would otherwise
    pay at start — a restarted worker answers that much sooner.)
    """
    from pypinyin import Style, lazy_pinyin  # noqa: PLC0415

    syllables = [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default")]
    initials = [s[0] for s in syllables if s and s[0].isalnum()]
    full = "".join(ch for s in syllables for ch in s if ch.isalnum())
    return "".join(initials), full


def _normalise(query: str) -> str:
    return re.sub(r"\s+", "", query).lower()


_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def _score_text(q: str, text: str, exact: int, prefix: int, inside: int, in_query: int) -> int:
    t = text.lower()
    if not t:
        return 0
    if q == t:
        return exact
    if t.startswith(q):
        return prefix
    if q.isascii():
        # Latin text (English names, "ETC") matches at word starts, not inside words
        if any(w.startswith(q) for w in _WORD_SPLIT.split(t)):
            return inside
        return 0
    if q in t:
        return inside
    # a citizen types a sentence ("我要办社保医保"); a name or keyword inside it is still a hit
    if len(t) >= 2 and t in q:
        return in_query
    return 0


def _score_pinyin(q: str, text: str, prefix: int, inside: int) -> int:
    initials, full = pinyin_forms(text)
    if initials.startswith(q) or full.startswith(q):
        return prefix
    # one letter inside a word matches nearly everything: only prefixes count for it
    if len(q) >= 2 and (q in initials or (len(q) >= 3 and q in full)):
        return inside
    return 0


def _best(entry: ServiceEntry, q: str) -> tuple[int, str, str]:
    """(score, match kind, matched text) of the best way `q` matches the service."""
    candidates: list[tuple[int, str, str]] = []
    s = _score_text(q, entry.name, _NAME_EXACT, _NAME_PREFIX, _NAME_IN, _NAME_IN_QUERY)
    if s:
        candidates.append((s, "name", entry.name))
    # The English name helps English readers, but ranks below pinyin on a Chinese kiosk, and
    # one or two letters are pinyin initials far more often than the start of an English word.
    if len(q) >= 3:
        s = _score_text(q, entry.name_en, _KEYWORD_EXACT, _KEYWORD_IN, _KEYWORD_IN, _KEYWORD_IN_QUERY)
        if s:
            candidates.append((s, "name", entry.name_en))
    for kw in entry.keywords:
        s = _score_text(q, kw, _KEYWORD_EXACT, _KEYWORD_IN, _KEYWORD_IN, _KEYWORD_IN_QUERY)
        if s:
            candidates.append((s, "keyword", kw))
    s = _score_text(q, entry.category, _CATEGORY, _CATEGORY, _CATEGORY, _CATEGORY)
    if s:
        candidates.append((s, "keyword", entry.category))
    if _ASCII_LETTERS.match(q):
        s = _score_pinyin(q, entry.name, _PINYIN_NAME_PREFIX, _PINYIN_NAME_IN)
        if s:
            candidates.append((s, "pinyin", entry.name))
        for kw in entry.keywords:
            s = _score_pinyin(q, kw, _PINYIN_KEYWORD_PREFIX, _PINYIN_KEYWORD_IN)
            if s:
                candidates.append((s, "pinyin", kw))
    for material in entry.materials:
        if len(q) >= 2 and not q.isascii() and q in material.lower():
            candidates.append((_MATERIAL, "material", material))
    if not candidates:
        return 0, "", ""
    return max(candidates, key=lambda c: c[0])


def search(query: str, services: Sequence[ServiceEntry], limit: int = 20) -> list[SearchHit]:
    """Services matching `query`, best first.

    Matches the service name, its keywords and category, the names of its materials, and
    pinyin (initials `sb` or full `shebao`) of its name and keywords. Several words must all
    match; the weakest word decides the rank. An empty query finds nothing.
    """
    terms = [_normalise(t) for t in query.split()]
    terms = [t for t in terms if t]
    if not terms:
        return []
    hits: list[tuple[int, int, SearchHit]] = []
    for order, entry in enumerate(services):
        scored = [_best(entry, t) for t in terms]
        if any(s == 0 for s, _, _ in scored):
            continue
        score, kind, matched = min(scored, key=lambda c: c[0])
        hits.append((-score, order, SearchHit(entry.code, entry.name, entry.category, kind, matched, score)))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [h for _, _, h in hits[:limit]]
