"""What the hall's event log says about its recent days, for `hallq simulate --learn`.

Reads the events of the last `days` days (ticket issued, called, started, done, transferred,
no-show) and the hall's windows; `domain.simulation.learn_scenario` turns them into a scenario:
arrivals per service and local hour, service times per service, the windows open per hour (a
window counts as open in an hour of a day when it was open — signed in, not paused — for 20
minutes of it, or called someone in it), the shares of no-shows,
transfers and green-lane tickets. It reads only. `run_simulation` is the manager page's run
(POST /api/v1/halls/<hall>/simulation): learned or pasted scenario, bounded, in memory.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import event_names as names
from ..domain.errors import RuleViolation
from ..domain.simulation import (
    Cell,
    EstimateError,
    History,
    Report,
    Scenario,
    ScenarioError,
    check_web_run,
    estimate_errors,
    learn_scenario,
    recommend_staffing,
    scenario_from_dict,
    scenario_to_dict,
    simulate,
    web_days,
)
from ..storage.archive import execute_both, merged
from ..storage.models import Hall, Window
from .core.context import Context
from .core.errors import bad_field
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

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
        rows = [
            row[1:]
            for row in merged(
                execute_both(
                    s,
                    lambda E: select(E.seq, E.type, E.at, E.ticket_id, E.window_id, E.data).where(
                        E.hall_id == hall.id, E.type.in_(_TYPES), E.at >= now - timedelta(days=days)
                    ),
                ),
                key=lambda row: row[0],
            )
        ]
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


# ---------------------------------------------------------------------------------------------
# The manager's simulation page (/manage/simulation): one bounded run, in memory


#: days simulated by default when the page does not say (a learned scenario would say 20)
WEB_DEFAULT_DAYS = 10


def _scenario_of_text(text: str) -> Scenario:
    import yaml

    try:
        data = yaml.safe_load(text)  # YAML reads JSON as well
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else "?"
        where = getattr(err, "problem_mark", None)
        line = f"（第 {where.line + 1} 行）" if where is not None else ""
        line_en = f" (line {where.line + 1})" if where is not None else ""
        raise bad_field(
            "scenario", f"场景不是有效的 YAML{line}：{first}", f"the scenario is not YAML{line_en}: {first}"
        ) from None
    try:
        return scenario_from_dict(data)
    except ScenarioError as err:
        raise bad_field("scenario", f"场景有误：{err}", f"the scenario is wrong: {err}") from None


def run_simulation(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    *,
    source: str,
    history_days: int = 30,
    scenario_text: str | None = None,
    wait_target_minutes: float | None = None,
    days: int | None = None,
    measure: str = "p90",
    recommend: bool = True,
    estimates: bool = False,
) -> dict[str, Any]:
    """Simulate the hall's learned history (`source="learn"`, its last `history_days` days) or a
    scenario file's text (`source="scenario"`), in memory: nothing of the hall is written.
    Bounded (`domain.simulation.check_web_run`); the figures the page charts."""
    require_role(actor, ("manager", "admin"))
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        hall_target = hall.wait_target_minutes
    if source == "learn":
        try:
            sc = learn_scenario(
                hall_history(ctx, hall_code, history_days),
                wait_target_minutes=float(hall_target or 20.0),
                days=WEB_DEFAULT_DAYS,
            )
        except ScenarioError:
            err = RuleViolation(
                "no_history",
                f"大厅近 {history_days} 天没有取号记录，无法学习；请改用场景文件",
                f"the hall has no tickets in the last {history_days} days to learn from: use a scenario file",
            )
            err.field = "history_days"
            raise err from None
    else:
        if not scenario_text or not scenario_text.strip():
            raise bad_field(
                "scenario", "请粘贴或上传场景文件（YAML）", "paste or upload a scenario file (YAML)"
            )
        sc = _scenario_of_text(scenario_text)
    changes: dict[str, Any] = {}
    if wait_target_minutes is not None:
        changes["wait_target_minutes"] = float(wait_target_minutes)
    # the days asked for; else the scenario's (learned: 10), fewer when a run of them is too big
    changes["days"] = days if days is not None else web_days(sc, recommend, sc.days)
    sc = replace(sc, **changes)
    try:
        check_web_run(sc, recommend)
    except ScenarioError as err:
        raise bad_field("days", f"模拟规模过大：{err}", f"the run is too big: {err}") from None
    report = simulate(sc)
    advice = recommend_staffing(sc, measure) if recommend else {}
    errors = estimate_errors(sc) if estimates else {}
    return _figures(sc, report, advice, errors, source, measure)


def _figures(
    sc: Scenario,
    report: Report,
    advice: dict[int, list[int]],
    errors: dict[str, EstimateError],
    source: str,
    measure: str,
) -> dict[str, Any]:
    import yaml

    def cell(c: Cell) -> dict[str, Any]:
        return {
            "service": c.service,
            "hour": c.hour,
            "count": c.count,
            "per_day": round(c.count / report.days, 2),
            "mean_min": round(c.mean_min, 2),
            "p90_min": round(c.p90_min, 2),
            "within_target": round(c.within_target, 4),
        }

    hours = sorted(set(sc.staffing) | {c.hour for c in report.cells})
    return {
        "source": source,
        "days": report.days,
        "seed": sc.seed,
        "wait_target_minutes": sc.wait_target_minutes,
        "measure": measure,
        "services": sc.services(),
        "hours": hours,
        "cells": [cell(c) for c in report.cells],
        "by_service": [cell(c) for c in report.by_service],
        "overall": cell(report.overall()),
        "utilisation": [{"window": w, "share": round(u, 4)} for w, u in report.utilisation.items()],
        "staffing": [{"hour": h, "windows": [p.window for p in sc.staffing[h]]} for h in sorted(sc.staffing)],
        "recommended": [{"hour": h, "windows": ws} for h, ws in sorted(advice.items())],
        "estimates": [
            {
                "estimator": name,
                "count": e.count,
                "mean_abs_min": round(e.mean_abs_min, 2),
                "p90_abs_min": round(e.p90_abs_min, 2),
                "bias_min": round(e.bias_min, 2),
            }
            for name, e in errors.items()
        ],
        "citizens": len(report.waits),
        "no_shows": report.no_shows,
        "transfers": report.transfers,
        "unserved": len(report.unserved),
        "scenario": yaml.safe_dump(scenario_to_dict(sc), allow_unicode=True, sort_keys=False),
    }
