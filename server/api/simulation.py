"""The manager's simulation page: run a scenario (learned or pasted) in memory and chart it."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import simulation
from .blueprint import bp, ctx
from .schemas.simulation import Simulation, SimulationIn


@bp.post("/halls/<code>/simulation")
@bp.arguments(SimulationIn(), example={"source": "learn", "history_days": 30, "days": 2, "recommend": False})
@bp.response(200, Simulation())
def run_simulation(body: dict[str, Any], code: str) -> Any:
    """Simulate the hall's learned history or a scenario file, in memory (nothing of the hall is
    written), bounded in days and citizens played: waits per service and hour, window
    utilisation, recommended staffing per hour, the wait estimates' error (managers, admins)"""
    return simulation.run_simulation(
        ctx(),
        current_principal(),
        code,
        source=body["source"],
        history_days=body.get("history_days") or 30,
        scenario_text=body.get("scenario"),
        wait_target_minutes=body.get("wait_target_minutes"),
        days=body.get("days"),
        measure=body.get("measure") or "p90",
        recommend=body.get("recommend", True),
        estimates=body.get("estimates", False),
    )
