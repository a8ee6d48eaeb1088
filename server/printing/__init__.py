"""Printing: slips as a small document model, rendered to ESC/POS bytes, sent to thermal printers.

* `slip` — `Slip` (a list of `Text`, `Qr`, `Rule`, `Feed` blocks) and the ticket layout builder.
* `render` — ESC/POS bytes in `text` mode (the printer's own GB18030 font) or `raster` mode
  (the whole slip drawn with Pillow and Noto Sans CJK), plus a PNG-able image and a raster decoder.
* `spec` — printer specs as URLs (`tcp://`, `usb://`, `serial://`, `file://`, `dummy://`).
* `transport` — sending bytes and reading printer status with short timeouts.
* `preview` — the sample ticket behind `hallq print-test`.
"""

from __future__ import annotations

# `render` (the function) is not re-exported: the name would hide the `render` module.
from .render import decode_raster, render_image, render_raster, render_text
from .slip import Feed, Qr, Rule, Slip, Text, TicketSlipData, ticket_slip
from .spec import PrinterSpec, parse_spec
from .transport import DUMMY_OUTPUT, PrinterError, PrinterStatus, query_status, send

__all__ = [
    "DUMMY_OUTPUT",
    "Feed",
    "PrinterError",
    "PrinterSpec",
    "PrinterStatus",
    "Qr",
    "Rule",
    "Slip",
    "Text",
    "TicketSlipData",
    "decode_raster",
    "parse_spec",
    "query_status",
    "render_image",
    "render_raster",
    "render_text",
    "send",
    "ticket_slip",
]
