"""Service commitments (服务承诺) where citizens see them: each service's time limits and fees,
read from its guide (the one copy of these facts), and the hall's public commitments text.

Everything here is public: the guide is, and so is the hall's promise (挂牌上岗).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..domain.guide import commitment_view, guide_from_stored
from ..storage.models import Service, Window, WindowService
from .core.context import Context
from .core.errors import not_found
from .core.rows import load_hall


def window_commitments(ctx: Context, hall: str, window_id: int) -> dict[str, Any]:
    """What a window board shows when idle: `{"hall_commitments", "services": [{"code", "name",
    "commitment": {...}}]}` for the services the window serves, in its order (anyone)."""
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        w = s.get(Window, window_id)
        if w is None or w.hall_id != h.id:
            raise not_found("窗口", "window")
        rows = s.execute(
            select(Service)
            .join(WindowService, WindowService.service_id == Service.id)
            .where(WindowService.window_id == w.id, Service.active.is_(True))
            .order_by(WindowService.position)
        ).scalars()
        services = [
            {
                "code": svc.code,
                "name": svc.name,
                "name_en": svc.name_en,
                "commitment": commitment_view(guide_from_stored(svc.guide)),
            }
            for svc in rows
        ]
        return {
            "hall_commitments": h.commitments,
            "hall_commitments_en": h.commitments_en,
            "services": services,
        }


def service_commitment(ctx: Context, hall: str, service_code: str) -> dict[str, Any]:
    """One service's commitment (anyone); empty lines when the service has no guide."""
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        svc = s.scalar(select(Service).where(Service.hall_id == h.id, Service.code == service_code))
        if svc is None:
            raise not_found("事项", "service")
        return {
            "name": svc.name,
            "name_en": svc.name_en,
            "commitment": commitment_view(guide_from_stored(svc.guide)),
        }
