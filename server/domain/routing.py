"""Routing truth: where a citizen can be served right now (issue 14, item 1).

One rule for every screen and for the estimates:

* A window **serves now** when it is open and a clerk is signed in at it (a paused or closed
  window serves nobody, whatever its posts say).
* A window left empty while its A post is away (on leave, or not signed in at it) is **covered**
  by its B post from wherever B is signed in (顶岗, domain.posts). When B is away too, B's own
  duties pass to B's B post — the B post of the window where B is the A post — and so on along
  the chain, until somebody present is found (a chain that comes back on itself ends there).
  The covering window serves the covered window's services and its directed tickets, but only
  while it serves at all: a covering window that pauses covers nobody now.
* A waiting ticket (service, maybe directed to a window) can be served by each serving window
  that may call it (`choose_next.may_call` with the window's own services and those of the
  windows it covers). A ticket with no such window is **unserved**: the manager console alarms,
  the kiosk warns before issuing one for its service, the window board does not send anyone to a
  window that cannot serve them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .choose_next import Candidate, may_call, waits_at
from .errors import RuleViolation
from .posts import DAYS, Post, a_is_away

OPEN = "open"


@dataclass(frozen=True)
class Desk:
    """A window as the routing rule sees it: its status, its services, who sits there, its posts."""

    window_id: int
    number: int
    status: str
    services: tuple[str, ...]
    clerk: int | None = None
    a_user: int | None = None
    b_user: int | None = None


@dataclass(frozen=True)
class Route:
    """A window that serves right now: its own services, then those of the windows it covers
    (in their order), and the windows it covers (their directed tickets are its own)."""

    window_id: int
    number: int
    services: tuple[str, ...]
    covering: tuple[int, ...] = ()


@dataclass(frozen=True)
class Redirect:
    """What a window that does not serve now tells its citizens.

    `kind`: "cover" — its B post (or the cover chain) serves its queue from `window`;
    "other" — another window serves its services now (`window`, the lowest number);
    "none" — no window serves its citizens now (the board says so, and points nowhere)."""

    kind: str
    window_id: int | None = None
    number: int | None = None
    #: the clerk (user id) who covers, for a "cover"
    clerk: int | None = None


def serves_now(d: Desk) -> bool:
    """Open with a clerk at it: a paused or closed window serves nobody now."""
    return d.status == OPEN and d.clerk is not None


def _a_away(d: Desk, leave: set[int]) -> bool:
    return a_is_away(Post(d.window_id, d.a_user, d.b_user, d.clerk), leave)


def cover_of(desks: Sequence[Desk], on_leave: Iterable[int]) -> dict[int, int]:
    """For each empty window whose A post is away: the window whose clerk covers its queue,
    following the chain of B posts (B away → B's own B post …). Windows nobody covers are
    left out. The covering window may itself be paused: `routes` decides who serves now."""
    leave = set(on_leave)
    seat = {d.clerk: d.window_id for d in desks if d.clerk is not None}
    home: dict[int, Desk] = {}  # a user → the window where they are the A post (lowest number first)
    for d in sorted(desks, key=lambda x: x.number):
        if d.a_user is not None:
            home.setdefault(d.a_user, d)
    out: dict[int, int] = {}
    for d in desks:
        if d.clerk is not None or not _a_away(d, leave):
            continue
        person = d.b_user
        seen = {d.a_user}
        while person is not None and person not in seen:
            seen.add(person)
            if person not in leave and person in seat and seat[person] != d.window_id:
                out[d.window_id] = seat[person]
                break
            nxt = home.get(person)
            person = nxt.b_user if nxt is not None else None
    return out


def routes(desks: Sequence[Desk], on_leave: Iterable[int]) -> list[Route]:
    """The windows serving right now, each with the services and windows it calls for."""
    cover = cover_of(desks, on_leave)
    by_id = {d.window_id: d for d in desks}
    out = []
    for d in sorted(desks, key=lambda x: x.number):
        if not serves_now(d):
            continue
        covering = tuple(
            sorted((w for w, by in cover.items() if by == d.window_id), key=lambda w: by_id[w].number)
        )
        services = list(d.services)
        for w in covering:
            services += [code for code in by_id[w].services if code not in services]
        out.append(Route(d.window_id, d.number, tuple(services), covering))
    return out


def servers(rs: Sequence[Route], service: str, directed_window_id: int | None = None) -> list[Route]:
    """The serving windows that may call a ticket of `service` (directed to a window, or not)."""
    probe = Candidate(0, service, datetime.min, directed_window_id=directed_window_id)
    return [r for r in rs if may_call(r.window_id, r.services, probe, r.covering)]


def is_served(rs: Sequence[Route], c: Candidate) -> bool:
    return any(may_call(r.window_id, r.services, c, r.covering) for r in rs)


def unserved(rs: Sequence[Route], waiting: Iterable[Candidate]) -> list[Candidate]:
    """Waiting tickets that no window can serve now, whatever the reason (paused, closed, the
    B post away or paused, no window has the service at all)."""
    return [c for c in waiting if not is_served(rs, c)]


def redirect(
    window_id: int, desks: Sequence[Desk], rs: Sequence[Route], on_leave: Iterable[int]
) -> Redirect | None:
    """Where the board of a window that does not serve now sends its citizens (None: the window
    serves, nothing to redirect). Only ever to a window that serves now: the covering window when
    it serves; else the first serving window that may call this window's services; else nowhere."""
    by_id = {d.window_id: d for d in desks}
    me = by_id[window_id]
    if serves_now(me):
        return None
    live = {r.window_id: r for r in rs}
    cover = cover_of(desks, on_leave).get(window_id)
    if cover is not None and cover in live:
        return Redirect("cover", cover, by_id[cover].number, by_id[cover].clerk)
    for r in rs:
        if me.services and any(code in r.services for code in me.services):
            return Redirect("other", r.window_id, r.number)
    return Redirect("none")


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def next_opening(
    hours: Mapping[str, list[list[str]]] | None,
    local: datetime,
    is_working_day: Mapping[date, bool] | None = None,
) -> datetime | None:
    """When the hall next opens after `local` (its local time), from its weekly opening hours,
    within a fortnight; None for a hall open around the clock or with no hours at all.
    `is_working_day` may name days off (and make-up days) that override the weekday."""
    if hours is None:
        return None
    for offset in range(15):
        day = local.date() + timedelta(days=offset)
        if is_working_day is not None and is_working_day.get(day) is False:
            continue
        for a, _b in sorted(hours.get(DAYS[day.weekday()], []), key=lambda span: span[0]):
            start = datetime.combine(day, _hm(a), local.tzinfo)
            if start > local:
                return start
    return None


def check_can_queue(served_now: bool, queue_when_unserved: bool) -> None:
    """A number for a service no window serves now is issued only where the hall lets citizens
    queue for later (halls.queue_when_unserved); otherwise it is refused and nothing changes."""
    if not served_now and not queue_when_unserved:
        raise RuleViolation(
            "service_unserved",
            "该事项目前没有窗口办理，暂不取号，请稍后再来或预约办理",
            "no window serves this service now: no number is issued; come back later or book an appointment",
        )


def stranded_at(d: Desk, rs: Sequence[Route], waiting: Iterable[Candidate]) -> int:
    """Citizens waiting at this window (directed to it, or in its services and directed nowhere:
    `choose_next.waits_at`) whom no window can serve now."""
    return sum(1 for c in waiting if waits_at(d.window_id, d.services, c) and not is_served(rs, c))


def window_alarm(d: Desk, rs: Sequence[Route], waiting: Iterable[Candidate], open_now: bool) -> int:
    """The unstaffed-window alarm (AB岗制度): during opening hours, an empty window with citizens
    waiting at it whom nobody can serve now — A away and B away, on leave, or paused; the count
    of them, or 0 for no alarm. A window whose clerk is at it (even paused) is not unstaffed: the
    console's unserved list still shows its citizens."""
    if not open_now or d.clerk is not None:
        return 0
    return stranded_at(d, rs, waiting)
