"""What the hall's event log says about its recent days, for `hallq simulate --learn`.

Reads the events of the last `days` days (ticket issued, called, started, done, transferred,
no-show) and the hall's windows; `domain.simulation.learn_scenario` turns them into a scenario:
arrivals per service and local hour, service times per service, the windows open per hour (a
window counts as open in an hour of a day when it was open — signed in, not paused — for 20
minutes of it, or called someone in it), the shares of no-shows,
transfers and green-lane tickets. An operator's command: it reads only, and no endpoint serves it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import event_names as names
from ..domain.simulation import History, Scenario, ScenarioError, learn_scenario
from ..storage.models import Event, Hall, Window
from .core.context import Context

_TYPES = (
    names.TICKET_ISSUED,
    names.TICKET_CALLED,
    names.TICKET_STARTED,
    names.TICKET_DONE,
    names.TICKET_TRANSFERRED,
    names.TICKET_NO_SHOW,
    names.TICKET_NO_SHOW_UNDONE,
    names.WINDOW_UPDATED,
)
#: a window counts as open in an hour of a day when it was open (signed in, not paused) this long
OPEN_MINUTES = 20.0


def _open_minutes(start: datetime, end: datetime, tz: ZoneInfo) -> dict[tuple[date, int], float]:
    """Minutes of [start, end) in each local (day, hour)."""
    out: dict[tuple[date, int], float] = {}
    t = start
    while t < end:
        local = t.astimezone(tz)
        next_hour = (local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)).astimezone(UTC)
        stop = min(end, next_hour)
        key = (local.date(), local.hour)
        out[key] = out.get(key, 0.0) + (stop - t).total_seconds() / 60.0
        t = stop
    return out


def hall_history(ctx: Context, hall_code: str, days: int = 30) -> History:
    """The hall's last `days` days, as `domain.simulation.History`."""
    now = ctx.clock()
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == hall_code))
        if hall is None:
            raise ScenarioError(f"no hall {hall_code!r}")
        tz = ZoneInfo(hall.timezone)
        windows = {
            w.id: (w.number, tuple(link.service.code for link in w.service_links if link.service.active))
            for w in s.scalars(select(Window).where(Window.hall_id == hall.id))
        }
        rows = s.execute(
            select(Event.type, Event.at, Event.ticket_id, Event.window_id, Event.data)
            .where(Event.hall_id == hall.id, Event.type.in_(_TYPES), Event.at >= now - timedelta(days=days))
            .order_by(Event.seq)
        ).all()
    issued: list[tuple[str, int]] = []
    services_s: list[tuple[str, float]] = []
    open_hours: set[tuple[date, int, int]] = set()
    opened_since: dict[int, datetime] = {}  # window id → when it opened
    open_minutes: dict[tuple[date, int, int], float] = {}

    def shut(window_id: int, at: datetime) -> None:
        since = opened_since.pop(window_id, None)
        if since is None:
            return
        for (d, h), minutes in _open_minutes(since, at, tz).items():
            key = (d, h, windows[window_id][0])
            open_minutes[key] = open_minutes.get(key, 0.0) + minutes

    started: dict[int, tuple[str, float]] = {}
    day_set: set[date] = set()
    called = no_shows = transfers = priority = 0
    for type_, at, ticket_id, window_id, data in rows:
        local = at.astimezone(tz)
        ticket = (data or {}).get("ticket") or {}
        service = str(ticket.get("service", ""))
        if type_ == names.TICKET_ISSUED:
            issued.append((service, local.hour))
            day_set.add(local.date())
            priority += bool(ticket.get("priority"))
        elif type_ == names.TICKET_CALLED:
            called += 1
            if window_id in windows:
                open_hours.add((local.date(), local.hour, windows[window_id][0]))
        elif type_ == names.TICKET_STARTED and ticket_id is not None:
            started[ticket_id] = (service, at.timestamp())
        elif type_ in (names.TICKET_DONE, names.TICKET_TRANSFERRED) and ticket_id in started:
            svc, t0 = started.pop(ticket_id)
            services_s.append((svc, at.timestamp() - t0))
            transfers += type_ == names.TICKET_TRANSFERRED
        elif type_ == names.TICKET_TRANSFERRED:
            transfers += 1
        elif type_ == names.TICKET_NO_SHOW:
            no_shows += 1
        elif type_ == names.TICKET_NO_SHOW_UNDONE:
            no_shows -= 1  # taken back within seconds: the citizen was there
        elif type_ == names.WINDOW_UPDATED and window_id in windows:
            status = ((data or {}).get("window") or {}).get("status")
            if status == "open":
                opened_since.setdefault(window_id, at)
            else:
                shut(window_id, at)
    for window_id in list(opened_since):  # still open (today): open until now
        shut(window_id, now)
    open_hours |= {key for key, minutes in open_minutes.items() if minutes >= OPEN_MINUTES}
    return History(
        days=len(day_set),
        issued=[(s_, h) for s_, h in issued if s_],
        services_s=services_s,
        open_hours=[(h, n) for _d, h, n in sorted(open_hours)],
        windows=dict(windows.values()),
        called=called,
        no_shows=no_shows,
        transfers=transfers,
        priority=priority,
    )


def learned_scenario(
    ctx: Context, hall_code: str, days: int = 30, wait_target_minutes: float | None = None
) -> Scenario:
    """A scenario learned from the hall's last `days` days (the hall's own wait target unless
    one is given)."""
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == hall_code))
        target = wait_target_minutes or (hall.wait_target_minutes if hall is not None else None) or 20.0
    return learn_scenario(hall_history(ctx, hall_code, days), wait_target_minutes=float(target))
