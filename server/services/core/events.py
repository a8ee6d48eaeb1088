"""The append-only event log and the hall's monotonic sequence number."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from ...storage.models import Event, Hall
from .context import Envelope
from .principal import Principal

# Built once: hot statements are Core with bind parameters, so SQLAlchemy compiles them once.
_HALLS = cast(Table, Hall.__table__)
_BUMP_SEQ = (
    update(_HALLS)
    .where(_HALLS.c.id == bindparam("hall_id"))
    .values(seq=_HALLS.c.seq + 1)
    .returning(_HALLS.c.seq)
)
_INSERT_EVENT = insert(cast(Table, Event.__table__))


def next_seq(session: Session, hall_id: int) -> int:
    """Bump the hall's seq. The row stays locked until commit, so seq order is commit order."""
    return int(session.connection().execute(_BUMP_SEQ, {"hall_id": hall_id}).scalar_one())


def record(
    session: Session,
    hall: Hall,
    type_: str,
    data: dict[str, Any],
    now: datetime,
    actor: Principal | None = None,
    window_id: int | None = None,
    ticket_id: int | None = None,
) -> Envelope:
    """Append one event in the caller's transaction and return its public envelope."""
    seq = next_seq(session, hall.id)
    session.connection().execute(
        _INSERT_EVENT,
        {
            "hall_id": hall.id,
            "seq": seq,
            "type": type_,
            "at": now,
            "actor_user_id": actor.user_id if actor else None,
            "actor_role": actor.role if actor else None,
            "window_id": window_id,
            "ticket_id": ticket_id,
            "data": data,
        },
    )
    return envelope(seq, hall.code, type_, now, data)


def envelope(seq: int, hall_code: str, type_: str, at: datetime, data: dict[str, Any]) -> Envelope:
    return {"seq": seq, "hall": hall_code, "type": type_, "at": at.isoformat(), "data": data}


def events_since(session: Session, hall: Hall, since: int, limit: int) -> list[Envelope] | None:
    """Every event after `since`, or None when more than `limit` were missed or some of them are
    no longer in the hot log (`hallq archive` moved their day): the caller sends a snapshot."""
    if hall.seq - since > limit:
        return None
    rows = session.scalars(
        select(Event)
        .where(Event.hall_id == hall.id, Event.seq > since, Event.seq <= hall.seq)
        .order_by(Event.seq)
    ).all()
    if len(rows) != hall.seq - since:
        return None  # a gap: the replay would skip what the archive holds
    return [envelope(e.seq, hall.code, e.type, e.at, e.data) for e in rows]
