"""Ratings (好差评, 一次一评): the pad of the ticket's window or the ticket's holder rates a completed
ticket once."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import ratings
from .blueprint import PUBLIC, bp, ctx
from .schemas.ratings import Rating, RatingIn, RatingOffer


@bp.post("/tickets/<ticket_id>/rating")
@bp.arguments(RatingIn(), example={"level": 2, "reasons": ["long_wait"], "comment": "等了一个多小时"})
@bp.response(201, Rating())
@bp.doc(**PUBLIC)
def rate(body: dict[str, Any], ticket_id: str) -> Any:
    """Rate a completed ticket once (the pad of its window — it may name the ticket by the `ref` of
    its ticket.done event — or its holder within 24 h of completion); a second rating or a ticket
    not completed: 409; another window's pad: 403. Levels 1 and 2 open a follow-up"""
    return ratings.rate_ticket(ctx(), current_principal(), ticket_id, body)


@bp.get("/tickets/<ticket_id>/rating")
@bp.response(200, RatingOffer())
@bp.doc(**PUBLIC)
def rating_offer(ticket_id: str) -> Any:
    """Whether the ticket is rated and whether its holder's phone may still rate it (anyone who has
    its id)"""
    return ratings.rating_offer(ctx(), ticket_id)
