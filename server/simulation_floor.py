"""The simulation's day played through the real service layer, on a virtual clock.

`domain.simulation.play_day` decides when citizens arrive, when services end and which windows
are open each hour; this floor turns each of those moments into the use cases a real hall runs:
`tickets.issue_ticket` at the kiosk, `windows.sign_in` / `sign_out` by the window's clerk,
`tickets.call_next`, `act_on_ticket` (start, complete, no-show) and `transfers.transfer`. The
ticket a window calls is therefore the one the services choose (SQL candidates, then the
domain's order) — tests/integration/test_simulation_matches_services.py checks that it is the
same, call for call, as the in-memory engine's.

Engine time `domain.simulation.START + s` is played at `day_start + s` (the local midnight of a
working day of the hall), so the engine's hour 9 is 09:00 in the hall.

A break in the plan signs the window's clerk out and back in; a scenario's `cover` (A/B posts)
is the hall's own here: the services cover by the posts in the database (`domain.posts`), so a
scenario played on this floor names the same B posts the hall has. Appointments are played by
the in-memory engine only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from .domain.simulation import START, Citizen, WindowPlan
from .services import tickets as ticket_service
from .services import transfers as transfer_service
from .services import windows as window_service
from .services.core.context import Context
from .services.core.principal import Principal
from .storage.models import Hall, User, Window


@dataclass
class VirtualClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class ServiceFloor:
    """A `domain.simulation.Floor` backed by the hall's database. Windows are named by number;
    each is worked by its A-post clerk."""

    def __init__(self, ctx: Context, hall_code: str, day_start: datetime) -> None:
        self.day_start = day_start
        self.clock = VirtualClock(day_start)
        self.sim = replace(ctx, clock=self.clock, publish=lambda _events: None, cache={})
        with ctx.db.read() as s:
            hall = s.scalar(select(Hall).where(Hall.code == hall_code))
            if hall is None:
                raise LookupError(hall_code)
            self.kiosk = Principal(role="kiosk", hall_id=hall.id, hall_code=hall_code)
            self.windows: dict[int, tuple[int, Principal, tuple[str, ...]]] = {}
            for w in s.scalars(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)):
                if w.a_user_id is None:
                    continue
                u = s.get(User, w.a_user_id)
                assert u is not None
                clerk = Principal(
                    role="clerk", hall_id=hall.id, hall_code=hall_code, user_id=u.id, username=u.username
                )
                codes = tuple(link.service.code for link in w.service_links if link.service.active)
                self.windows[w.number] = (w.id, clerk, codes)
        self.tickets: dict[int, str] = {}  # citizen → the ticket's public id
        self.citizens: dict[str, int] = {}

    def plans(self) -> list[WindowPlan]:
        """The hall's windows (worked by a clerk) with their services, as the engine names them."""
        return [WindowPlan(n, codes) for n, (_id, _clerk, codes) in sorted(self.windows.items())]

    def _at(self, at: datetime) -> None:
        self.clock.now = self.day_start + (at - START)

    def open(self, window: WindowPlan, at: datetime) -> None:
        wid, clerk, codes = self.windows[window.window]
        if window.services != codes:
            raise ValueError(f"window {window.window} serves {codes} in the hall, not {window.services}")
        self._at(at)
        window_service.sign_in(self.sim, clerk, wid)

    def close(self, window: int, at: datetime) -> None:
        wid, clerk, _codes = self.windows[window]
        self._at(at)
        window_service.sign_out(self.sim, clerk, wid)

    def issue(self, citizen: Citizen, at: datetime) -> None:
        if citizen.slot_s is not None:
            # a booking needs the service's slot rules and a booking row: not played here yet
            raise NotImplementedError("appointments are played by the in-memory engine only")
        self._at(at)
        view = ticket_service.issue_ticket(self.sim, self.kiosk, citizen.service, priority=citizen.priority)
        self.tickets[citizen.index] = view["id"]
        self.citizens[view["id"]] = citizen.index

    def call(self, window: int, at: datetime) -> int | None:
        wid, clerk, _codes = self.windows[window]
        self._at(at)
        view = ticket_service.call_next(self.sim, clerk, wid)
        if view is None:
            return None
        return self.citizens[view["id"]]

    def no_show(self, window: int, citizen: int, at: datetime) -> None:
        self._at(at)
        ticket_service.act_on_ticket(self.sim, self.windows[window][1], self.tickets[citizen], "no-show")

    def complete(self, window: int, citizen: int, at: datetime) -> None:
        self._at(at)
        clerk = self.windows[window][1]
        ticket_service.act_on_ticket(self.sim, clerk, self.tickets[citizen], "start")
        ticket_service.act_on_ticket(self.sim, clerk, self.tickets[citizen], "complete", outcome="done")

    def transfer(self, window: int, citizen: int, service: str, at: datetime) -> None:
        self._at(at)
        clerk = self.windows[window][1]
        transfer_service.transfer(
            self.sim, clerk, self.tickets[citizen], "事项不符，转至对应窗口", service_code=service
        )
