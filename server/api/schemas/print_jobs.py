"""A print job (a ticket slip, a notice, an acceptance receipt) as the API answers it."""

from __future__ import annotations

from marshmallow import fields

from .base import Out
from .common import DATETIME

JOB_STATUSES = ("queued", "sent", "printed", "failed")


class PrintJob(Out):
    """A slip on its way to a printer (`id` is null when the slip could not even be queued)."""

    id = fields.String(required=True, allow_none=True)
    printer = fields.Integer()
    ticket = fields.String(allow_none=True)
    number = fields.String(allow_none=True)
    status = fields.String(required=True, metadata={"enum": list(JOB_STATUSES)})
    attempts = fields.Integer()
    error_kind = fields.String(allow_none=True)
    error = fields.String(allow_none=True)
    reprint = fields.Boolean()
    created_at = fields.String(metadata=DATETIME)
    kiosk_reprints_left = fields.Integer(metadata={"description": "on GET /tickets/<id> only"})
