"""Who may see what: every event and snapshot field, decided by audience (docs/security.md).

A hall's boards, kiosks and the citizens' phones sit on a network anyone in the hall can reach,
so what leaves the server is shaped here, field by field, for the audience that receives it:

* ``public``  — anonymous listeners: hall TVs, window boards, phone pages, anyone on the network;
* ``device``  — the hall's kiosks, boards and rating pads (a token, but a screen in public view);
* ``clerk``   — clerks of the hall;
* ``manager`` — managers and admins: everything.

Public shapes are allow-lists: a field not named here never reaches an anonymous listener, and
an event type not named here reaches it with no data at all (its ``seq`` still arrives, so a
board's sequence stays whole). What 挂牌上岗 makes public stays public — the clerk's display
name and badge number on their window — login names never. A pause reason is public only when
it is one of the hall's public phrases. Tickets appear publicly by ``ref``, a non-secret key
boards use, never by the id that opens the phone page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

PUBLIC = "public"
DEVICE = "device"
CLERK = "clerk"
MANAGER = "manager"
#: from the least to the most trusted
AUDIENCES = (PUBLIC, DEVICE, CLERK, MANAGER)

_AUDIENCE_OF_ROLE = {
    "kiosk": DEVICE,
    "board": DEVICE,
    "pad": DEVICE,
    "clerk": CLERK,
    #: 纪检监察: staff, with no more than clerks receive (their follow-ups come from the API)
    "supervisor": CLERK,
    "manager": MANAGER,
    "admin": MANAGER,
}

#: pause reasons a board may show when a hall has not chosen its own
DEFAULT_PUBLIC_PAUSE_REASONS = ("临时离岗，请稍候", "系统维护中", "业务培训", "午间休息")

Data = dict[str, Any]


def audience_of(role: str | None) -> str:
    """The audience of a caller's role; anonymous callers and unknown roles are the public."""
    return _AUDIENCE_OF_ROLE.get(role or "", PUBLIC)


def ticket_ref(public_id: str) -> str:
    """The non-secret key of a ticket on public screens: derived from its id, one way."""
    return hashlib.sha256(b"hallq-ref:" + public_id.encode()).hexdigest()[:12]


def public_pause_phrases(configured: Iterable[str] | None) -> tuple[str, ...]:
    """The hall's public pause phrases (the defaults when it has chosen none)."""
    if configured is None:
        return DEFAULT_PUBLIC_PAUSE_REASONS
    return tuple(p.strip() for p in configured if isinstance(p, str) and p.strip())


def is_public_pause_reason(reason: str | None, configured: Iterable[str] | None) -> bool:
    """Whether a board may show this pause reason: only one of the hall's public phrases."""
    return bool(reason) and (reason or "").strip() in public_pause_phrases(configured)


# ---------------------------------------------------------------- objects


def _pick(obj: Mapping[str, Any], keys: Iterable[str]) -> Data:
    return {k: obj[k] for k in keys if k in obj}


_TICKET_KEYS = (
    "number",
    "hall",
    "service",
    "service_name",
    "service_name_en",
    "status",
    "business_day",
    "queued_at",
    "called_at",
    "recalls",
    "window",
    "directed_window",
    "position",
    "estimated_wait_s",
)
_WINDOW_REF_KEYS = ("id", "number", "name", "name_en")
#: a call's announcement (ticket.called, ticket.recalled): what the hall speaks, and how often
ANNOUNCEMENT_KEYS = ("text", "text_en", "audio_url", "times")


def public_ticket(t: Mapping[str, Any] | None) -> Data | None:
    """A ticket on a public screen: its number, service, state and window, keyed by `ref`."""
    if t is None:
        return None
    out: Data = {"ref": t.get("ref") or ticket_ref(str(t.get("id", "")))}
    out.update(_pick(t, _TICKET_KEYS))
    for key in ("window", "directed_window"):
        if isinstance(out.get(key), Mapping):
            out[key] = _pick(out[key], _WINDOW_REF_KEYS)
    return out


def public_clerk(c: Mapping[str, Any] | None) -> Data | None:
    """挂牌上岗: the display name, badge number and photo a clerk wears, never the login name."""
    if c is None:
        return None
    return _pick(c, ("name", "badge", "photo_url"))


def holder_view(t: Mapping[str, Any]) -> Data:
    """A ticket as its holder's phone page gets it (the id is their capability): all of it, but
    the first-contact clerk by name and badge, never by login name."""
    out = dict(t)
    if "owner" in out:
        out["owner"] = public_clerk(out["owner"])
    return out


def _window_ref(w: Any) -> Any:
    return _pick(w, _WINDOW_REF_KEYS) if isinstance(w, Mapping) else None


def public_posts(p: Mapping[str, Any] | None) -> Data | None:
    if p is None:
        return None
    return {k: public_clerk(p.get(k)) for k in ("a", "b") if k in p}


def public_cover(c: Mapping[str, Any] | None) -> Data | None:
    """Where a citizen goes while B covers this window."""
    if c is None:
        return None
    return {"window": _window_ref(c.get("window")), "clerk": public_clerk(c.get("clerk"))}


def public_window(w: Mapping[str, Any]) -> Data:
    out = _pick(w, ("id", "number", "name", "name_en", "status", "services"))
    if "clerk" in w:
        out["clerk"] = public_clerk(w["clerk"])
    if "pause_reason" in w:
        out["pause_reason"] = w["pause_reason"] if w.get("pause_reason_public") is True else None
    if "current" in w:
        out["current"] = public_ticket(w["current"])
    if "posts" in w:
        out["posts"] = public_posts(w["posts"])
    if "cover" in w:
        out["cover"] = public_cover(w["cover"])
    if "redirect" in w:
        out["redirect"] = public_redirect(w["redirect"])
    return out


def public_redirect(r: Mapping[str, Any] | None) -> Data | None:
    """Where a window that does not serve now sends citizens (domain.routing): the kind (cover,
    other, none) and the window's number and name — what its board says aloud anyway."""
    if r is None:
        return None
    return {"kind": r.get("kind"), "window": _window_ref(r.get("window"))}


#: a service on public screens: what the kiosk shows — its wait and whether a window serves it
#: now, and when the hall opens next (domain.routing); never which tickets wait unserved
_PUBLIC_SERVICE_KEYS = (
    "code",
    "prefix",
    "name",
    "name_en",
    "category",
    "category_en",
    "waiting",
    "estimated_wait_s",
    "served",
)


def public_service(svc: Mapping[str, Any]) -> Data:
    return _pick(svc, _PUBLIC_SERVICE_KEYS)


def _public_transfer(d: Mapping[str, Any]) -> Data:
    """A transfer as the hall board shows it: who goes where, never why (a clerk's free text)."""
    out: Data = {"ticket": public_ticket(d.get("ticket"))}
    if isinstance(d.get("from"), Mapping):
        out["from"] = {"service": d["from"].get("service"), "window": _window_ref(d["from"].get("window"))}
    if isinstance(d.get("to"), Mapping):
        to = d["to"]
        out["to"] = {
            "service": to.get("service"),
            "window": _window_ref(to.get("window")),
            "windows": list(to.get("windows") or []),
        }
    out.update(_pick(d, ("message", "waiting")))
    return out


def _public_printer(p: Mapping[str, Any]) -> Data:
    """A printer's state for the hall's kiosks; its address (`spec`) stays with staff."""
    return _pick(p, ("id", "name", "width_mm", "mode", "status", "fault", "status_detail", "status_at"))


def _device_job(j: Mapping[str, Any]) -> Data:
    """A print job for the kiosks: the ticket by `ref`, never by the id that opens its page."""
    out = _pick(
        j, ("id", "printer", "number", "status", "attempts", "error_kind", "error", "reprint", "created_at")
    )
    out["ref"] = ticket_ref(str(j["ticket"])) if j.get("ticket") else None
    return out


# ---------------------------------------------------------------- events

Shaper = Callable[[Mapping[str, Any]], Data]


def _ticket_event(d: Mapping[str, Any]) -> Data:
    out: Data = {"ticket": public_ticket(d.get("ticket"))}
    # a call's announcement is public: it is what the hall speaks aloud, and its audio URL is a
    # content hash that holds no ticket id
    out.update(_pick(d, ("waiting",)))
    if isinstance(d.get("announcement"), Mapping):
        out["announcement"] = _pick(d["announcement"], ANNOUNCEMENT_KEYS)
    return out


def _window_event(d: Mapping[str, Any]) -> Data:
    out: Data = {}
    if isinstance(d.get("window"), Mapping):
        out["window"] = public_window(d["window"])
    change = d.get("change")
    if isinstance(change, Mapping):
        out["change"] = _pick(change, ("services", "closed_by_manager"))
    return out


def _posts_event(d: Mapping[str, Any]) -> Data:
    return {"window": _window_ref(d.get("window")), **(public_posts(d) or {})}


def _queue_moved(d: Mapping[str, Any]) -> Data:
    return _pick(d, ("from", "to", "count", "numbers", "waiting"))


def _as_is(d: Mapping[str, Any]) -> Data:
    return dict(d)


_TICKET_EVENTS = (
    "ticket.issued",
    "ticket.called",
    "ticket.recalled",
    "ticket.started",
    "ticket.no_show",
    "ticket.done",
    "ticket.cancelled",
    "ticket.reactivated",
    "ticket.no_show_undone",
)

#: what the public receives of each event type; any other type reaches it with no data
PUBLIC_EVENTS: dict[str, Shaper] = {
    **dict.fromkeys(_TICKET_EVENTS, _ticket_event),
    "ticket.transferred": _public_transfer,
    "window.updated": _window_event,
    "posts.updated": _posts_event,
    "queue.moved": _queue_moved,
    "queue.updated": _as_is,
    # the hall's settings: names, hours, public commitments; `queue_when_unserved` too (the kiosk
    # tells every citizen whether it issues numbers nobody serves now)
    "hall.updated": _as_is,
    "service.updated": _as_is,
}

#: what the hall's devices receive beyond the public shapes
DEVICE_EVENTS: dict[str, Shaper] = {
    **PUBLIC_EVENTS,
    "printer.status": lambda d: {"printer": _public_printer(d.get("printer") or {})},
    "print.updated": lambda d: {"job": _device_job(d.get("job") or {})},
}


def _clerk_leave(d: Mapping[str, Any]) -> Data:
    """Clerks see who is away and when; the reason and the handover note stay with managers (the
    covering B clerk reads the note in their own handover list)."""
    leave = d.get("leave")
    if not isinstance(leave, Mapping):
        return {}
    return {"leave": _pick(leave, ("id", "user", "start", "end", "short_notice", "registered_at"))}


def _clerk_rating(d: Mapping[str, Any]) -> Data:
    """A rating for clerks: which ticket, which window, which level; the citizen's words stay with
    managers."""
    r = d.get("rating")
    return (
        {"rating": _pick(r, ("ticket", "number", "window", "level", "source", "at"))}
        if isinstance(r, Mapping)
        else {}
    )


#: what clerks receive differently from managers; every other event reaches them whole
CLERK_EVENTS: dict[str, Shaper] = {
    "rating.recorded": _clerk_rating,
    # follow-ups are the managers' (and the supervisor's) to handle: clerks get the seq only
    "complaint.filed": lambda _d: {},
    "complaint.verified": lambda _d: {},
    "complaint.answered": lambda _d: {},
    "leave.registered": _clerk_leave,
    "login.locked": lambda _d: {},  # an account locked after failed logins: the manager's audit
    # records against a clerk are the manager's and that clerk's; a clerk reads their own by API
    "appraisal.recorded": lambda _d: {},
    "appraisal.answered": lambda _d: {},
}


def shape_event(type_: str, data: Mapping[str, Any], audience: str) -> Data:
    """The data of one event as `audience` may receive it. An event marked `restricted` (a 廉政
    follow-up: the supervisor's only) reaches every audience with no data, managers too."""
    if data.get("restricted"):
        return {}
    if audience == MANAGER:
        return dict(data)
    if audience == CLERK:
        return CLERK_EVENTS.get(type_, _as_is)(data)
    table = DEVICE_EVENTS if audience == DEVICE else PUBLIC_EVENTS
    shaper = table.get(type_)
    return shaper(data) if shaper is not None else {}


def shape_envelope(envelope: Mapping[str, Any], audience: str) -> Data:
    """An event envelope (`seq`, `hall`, `type`, `at`, `data`) for `audience`."""
    return {**envelope, "data": shape_event(envelope["type"], envelope.get("data") or {}, audience)}


def shape_snapshot(snapshot: Mapping[str, Any], audience: str) -> Data:
    """The hall snapshot for `audience`: the public and devices see what the boards show."""
    if audience in (CLERK, MANAGER):
        return dict(snapshot)
    out = dict(snapshot)
    out["transfers"] = [_public_transfer(d) for d in snapshot.get("transfers", [])]
    out["now_calling"] = [public_ticket(t) for t in snapshot.get("now_calling", [])]
    out["recent_calls"] = [public_ticket(t) for t in snapshot.get("recent_calls", [])]
    out["windows"] = [public_window(w) for w in snapshot.get("windows", [])]
    out["services"] = [public_service(svc) for svc in snapshot.get("services", [])]
    # which tickets wait with no window to serve them is the manager's alarm, not the public's
    out.pop("unserved", None)
    return out


# ---------------------------------------------------------------- public supervision (公开监督)

#: below this many ratings a window's rate is not shown: one or two citizens' ratings of a named
#: clerk would be a person's verdict on a public screen, not a rate
MIN_PUBLIC_RATINGS = 5


def public_satisfaction(w: Mapping[str, Any]) -> Data:
    """A window's satisfaction this month on the hall board (when the hall switched it on): its
    number and name, how many ratings, and the 满意率 — only from MIN_PUBLIC_RATINGS ratings on.
    Never which levels, reasons, comments, complaints or clerks: those are staff-only."""
    out = _pick(w, ("number", "name", "rated"))
    rated = int(w.get("rated") or 0)
    out["satisfaction_rate"] = w.get("satisfaction_rate") if rated >= MIN_PUBLIC_RATINGS else None
    return out
