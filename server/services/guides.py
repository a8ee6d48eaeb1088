"""Service guides (办事指南): read, edit, import/export and search a hall's guides.

Anyone may read and search guides (kiosks, phones, the public); a hall's managers and admins
edit them. Every change is validated in full before anything is written (server/domain/guide.py)
and leaves a `service.updated` event in the hall's log.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain.guide import (
    GUIDE_KEYS,
    FieldError,
    Guide,
    GuideInvalid,
    ServiceEntry,
    guide_from_stored,
    parse_guide,
    search,
)
from ..storage.models import Hall, Service, Window, WindowService
from .core.context import Context, Envelope
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

EDITOR_ROLES = ("admin", "manager")
FORMATS = ("yaml", "json")
#: an import is a hall's guides, a few hundred KB at most; more is a wrong file
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_QUERY = 50
EXPORT_VERSION = 1
#: keys an exported service carries besides its guide (for the reader; ignored on import)
_INFO_KEYS = ("name",)


def _load_service(s: Session, hall: Hall, code: str) -> Service:
    svc = s.scalar(select(Service).where(Service.hall_id == hall.id, Service.code == code))
    if svc is None:
        raise not_found("事项", "service")
    return svc


def _windows(s: Session, service_id: int) -> list[dict[str, Any]]:
    """The windows serving the service (derived, never stored in the guide)."""
    rows = s.scalars(
        select(Window)
        .join(WindowService, WindowService.window_id == Window.id)
        .where(WindowService.service_id == service_id)
        .order_by(Window.number)
    ).all()
    return [
        {"id": w.id, "number": w.number, "name": w.name, "name_en": w.name_en, "status": w.status}
        for w in rows
    ]


def _service_info(svc: Service) -> dict[str, Any]:
    return {
        "code": svc.code,
        "prefix": svc.prefix,
        "name": svc.name,
        "name_en": svc.name_en,
        "category": svc.category,
        "category_en": svc.category_en,
        "active": svc.active,
    }


def _view(s: Session, svc: Service) -> dict[str, Any]:
    guide = guide_from_stored(svc.guide)
    return {
        "service": _service_info(svc),
        "has_guide": bool(svc.guide),
        "guide": {**guide.to_dict(), "windows": _windows(s, svc.id)},
    }


def get_guide(ctx: Context, hall: str, service_code: str) -> dict[str, Any]:
    """A service's guide for anyone: `{"service": {...}, "has_guide", "guide": {..., "windows"}}`."""
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        return _view(s, _load_service(s, h, service_code))


def _changed_keys(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    before = guide_from_stored(old).to_dict()
    return [k for k in GUIDE_KEYS if before.get(k) != new.get(k)]


def _store(
    ctx: Context, s: Session, h: Hall, svc: Service, guide: Guide, actor: Principal, source: str
) -> Envelope | None:
    """Write one guide; the event says which parts changed (None when nothing did)."""
    new = guide.to_dict()
    changes = _changed_keys(svc.guide, new)
    if not changes and svc.guide:
        return None
    svc.guide = new
    data = {"service": svc.code, "name": svc.name, "changes": changes, "source": source}
    return record(s, h, names.SERVICE_UPDATED, data, ctx.clock(), actor)


def _authorize_edit(actor: Principal, h: Hall) -> None:
    require_role(actor, EDITOR_ROLES)
    require_hall(actor, h.id)


def update_guide(ctx: Context, actor: Principal, hall: str, service_code: str, data: Any) -> dict[str, Any]:
    """Replace a service's guide (managers and admins of the hall).

    The whole guide is validated first; a bad field refuses the update with a 400 naming its
    path (`materials[2].copies`) and nothing changes. New materials get fresh ids that never
    reuse an id of the guide being replaced (notices refer to materials by id).
    """
    with ctx.db.transaction() as s:
        h = load_hall(s, hall)
        _authorize_edit(actor, h)
        svc = _load_service(s, h, service_code)
        guide = parse_guide(data, taken_ids=guide_from_stored(svc.guide).material_ids())
        event = _store(ctx, s, h, svc, guide, actor, "api")
        s.flush()
        view = _view(s, svc)
    if event is not None:
        ctx.publish([event])
    return view


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise bad_field("format", "格式只能是 yaml 或 json", "format must be yaml or json")
    return fmt


def export_guides(ctx: Context, actor: Principal, hall: str, fmt: str = "yaml") -> str:
    """Every service's guide as one YAML or JSON document (managers and admins of the hall).

    `{"version": 1, "hall": CODE, "services": {CODE: {"name": ..., guide fields...}}}`; the
    output imports back unchanged with `import_guides`.
    """
    _check_format(fmt)
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        _authorize_edit(actor, h)
        doc = {
            "version": EXPORT_VERSION,
            "hall": h.code,
            "services": {
                svc.code: {"name": svc.name, **guide_from_stored(svc.guide).to_dict()} for svc in h.services
            },
        }
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return str(yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120))


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


class _SafeLoader(yaml.SafeLoader):
    """safe_load without aliases: `&a`/`*a` chains can blow a small file up into a huge tree."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it unannotated
            raise yaml.MarkedYAMLError(None, None, "aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


def _parse_document(text: str, fmt: str) -> Any:
    if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
        raise bad_field("body", "文件过大", f"the file is larger than {MAX_IMPORT_BYTES // 1024} KB")
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise bad_field(
                "body", f"JSON 格式错误（第 {e.lineno} 行）：{e.msg}", f"bad JSON at line {e.lineno}: {e.msg}"
            ) from None
    try:
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"第 {mark.line + 1} 行" if mark is not None else ""
        line_en = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e)
        raise bad_field("body", f"YAML 格式错误{line}：{problem}", f"bad YAML{line_en}: {problem}") from None


def _check_document(doc: Any, services: dict[str, Service]) -> dict[str, Guide]:
    """Every guide of an import, or GuideInvalid naming every bad path (`services.C.materials[1].form`)."""
    if not isinstance(doc, dict):
        raise GuideInvalid(
            [FieldError("body", "必须是包含 services 的对象", "must be an object with services")]
        )
    errors: list[FieldError] = []
    for key in doc:
        if key not in ("version", "hall", "services"):
            errors.append(FieldError(str(key), "未知字段", "unknown field"))
    if "version" in doc and doc["version"] != EXPORT_VERSION:
        errors.append(FieldError("version", f"只支持版本 {EXPORT_VERSION}", f"only version {EXPORT_VERSION}"))
    entries = doc.get("services")
    if not isinstance(entries, dict):
        errors.append(FieldError("services", "必须是以事项代码为键的对象", "must be an object keyed by code"))
        raise GuideInvalid(errors)
    guides: dict[str, Guide] = {}
    for code, entry in entries.items():
        path = f"services.{code}"
        svc = services.get(str(code))
        if svc is None:
            errors.append(FieldError(path, "本大厅没有此事项代码", "no service with this code in the hall"))
            continue
        if isinstance(entry, dict):
            entry = {k: v for k, v in entry.items() if k not in _INFO_KEYS}
        try:
            guides[svc.code] = parse_guide(entry, taken_ids=guide_from_stored(svc.guide).material_ids())
        except GuideInvalid as e:
            errors.extend(e.prefixed(path).errors)
    if errors:
        raise GuideInvalid(errors)
    return guides


def import_guides(ctx: Context, actor: Principal, hall: str, text: str, fmt: str = "yaml") -> dict[str, Any]:
    """Replace the guides of the services an exported document lists (managers and admins).

    All or nothing: an unknown service code or any bad field refuses the whole import with every
    bad path named (`services.C.materials[1].form`), and no guide changes. Services the document
    does not list keep their guides. Returns `{"updated": [codes], "unchanged": [codes]}`.
    """
    _check_format(fmt)
    doc = _parse_document(text, fmt)
    events: list[Envelope] = []
    with ctx.db.transaction() as s:
        h = load_hall(s, hall)
        _authorize_edit(actor, h)
        services = {svc.code: svc for svc in h.services}
        guides = _check_document(doc, services)
        updated: list[str] = []
        unchanged: list[str] = []
        for code, guide in guides.items():
            event = _store(ctx, s, h, services[code], guide, actor, "import")
            (updated if event else unchanged).append(code)
            if event is not None:
                events.append(event)
    if events:
        ctx.publish(events)
    return {"updated": updated, "unchanged": unchanged}


def search_guides(ctx: Context, hall: str, query: str) -> dict[str, Any]:
    """The hall's active services matching `query` (Chinese text or pinyin), best first.

    `{"query", "results": [{"code", "prefix", "name", "name_en", "category", "match", "matched"}]}`
    where `match` is name | keyword | material | pinyin and `matched` the text that matched.
    """
    if len(query) > MAX_QUERY:
        raise bad_field("q", f"搜索词最多 {MAX_QUERY} 字", f"the query is longer than {MAX_QUERY} characters")
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        active = [svc for svc in h.services if svc.active]
        by_code = {svc.code: svc for svc in active}
        entries = []
        for svc in active:
            guide = guide_from_stored(svc.guide)
            entries.append(
                ServiceEntry(
                    code=svc.code,
                    name=svc.name,
                    category=svc.category,
                    name_en=svc.name_en or "",
                    # the English chips find their service too
                    keywords=guide.keywords + guide.keywords_en,
                    materials=tuple(m.name for m in guide.materials),
                )
            )
    results = []
    for hit in search(query, entries):
        svc = by_code[hit.code]
        results.append(
            {
                "code": hit.code,
                "prefix": svc.prefix,
                "name": hit.name,
                "name_en": svc.name_en,
                "category": hit.category,
                "category_en": svc.category_en,
                "match": hit.match,
                "matched": hit.matched,
            }
        )
    return {"query": query, "results": results}


def guide_summaries(ctx: Context, actor: Principal, hall: str) -> list[dict[str, Any]]:
    """Each service with how complete its guide is, for the guide editor's list (managers, admins)."""
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        _authorize_edit(actor, h)
        out = []
        for svc in h.services:
            guide = guide_from_stored(svc.guide)
            out.append(
                {
                    **_service_info(svc),
                    "has_guide": bool(svc.guide),
                    "materials": len(guide.materials),
                    "steps": len(guide.steps),
                    "promised_limit_days": guide.promised_limit_days,
                    "windows": [w["number"] for w in _windows(s, svc.id)],
                }
            )
        return out


def popular_keywords(ctx: Context, hall: str, per_service: int = 2, english: bool = False) -> list[str]:
    """Quick search words for a kiosk: the first keywords of each active service's guide (its
    English ones on an English page, where the guide has them)."""
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        words: list[str] = []
        for svc in h.services:
            if svc.active:
                guide = guide_from_stored(svc.guide)
                chips = guide.keywords_en if english and guide.keywords_en else guide.keywords
                words.extend(chips[:per_service])
    return list(dict.fromkeys(words))
