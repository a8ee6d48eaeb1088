"""The public JSON shapes of tickets and windows (docs/api.md). Phone numbers never appear."""

from __future__ import annotations

from typing import Any

from ...domain.disclosure import is_public_pause_reason, ticket_ref
from ...storage.models import Notice, Ticket, User, Window


def window_ref(w: Window | None) -> dict[str, Any] | None:
    if w is None:
        return None
    return {"id": w.id, "number": w.number, "name": w.name, "name_en": w.name_en}


#: where a clerk's photo is served (its key is unguessable and changes with every upload)
PHOTO_PATH = "/photos/"


def clerk_view(u: User | None) -> dict[str, Any] | None:
    if u is None:
        return None
    view: dict[str, Any] = {"username": u.username, "name": u.name, "badge": u.badge}
    if u.photo_key:  # 挂牌上岗: the photo the window board and the rating pad show
        view["photo_url"] = PHOTO_PATH + u.photo_key
    return view


def ticket_view(
    t: Ticket,
    hall_code: str,
    position: int | None = None,
    estimated_wait_s: int | None = None,
    staff: bool = False,
) -> dict[str, Any]:
    """A ticket as JSON. Boards and events get it without the notice's code and items (they are
    the citizen's fast lane and their business); `staff=True` adds them for the clerk."""
    return {
        "id": t.public_id,
        "ref": ticket_ref(t.public_id),
        "number": t.number,
        "hall": hall_code,
        "service": t.service.code,
        "service_name": t.service.name,
        "service_name_en": t.service.name_en,
        "status": t.status,
        "priority": t.priority,
        "business_day": t.business_day.isoformat(),
        "queued_at": t.queued_at.isoformat(),
        "called_at": t.called_at.isoformat() if t.called_at else None,
        "recalls": t.recalls,
        "window": window_ref(t.window),
        "directed_window": window_ref(t.directed_window),
        "position": position,
        "estimated_wait_s": estimated_wait_s,
        "owner": clerk_view(t.owner),
        "notice": notice_ref(t.notice) if staff else ({"present": True} if t.notice_id else None),
    }


def notice_ref(n: Notice | None) -> dict[str, Any] | None:
    """The earlier one-time notice a ticket came back with: what the next clerk must see."""
    if n is None:
        return None
    return {
        "code": n.code,
        "missing": n.missing,
        "note": n.note,
        "created_at": n.created_at.isoformat(),
    }


def window_view(w: Window, current: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": w.id,
        "number": w.number,
        "name": w.name,
        "name_en": w.name_en,
        "status": w.status,
        "services": [link.service.code for link in w.service_links],
        "clerk": clerk_view(w.clerk),
        "pause_reason": w.pause_reason,
        # one of the hall's public phrases: boards may show it; any other reason stays with staff
        "pause_reason_public": is_public_pause_reason(w.pause_reason, w.hall.public_pause_reasons),
        "current": current,
    }


def notice_view(n: Notice) -> dict[str, Any]:
    """A notice for its holder and the clerk who made it: `token` keys its page (/n/<token>)."""
    return {
        "code": n.code,
        "token": n.token,
        "service": None,
        "missing": n.missing,
        "note": n.note,
        "created_at": n.created_at.isoformat(),
        "previous": None,
    }
