"""`hallq print-test`: a sample ticket sent to a printer, or written as ESC/POS bytes or a PNG preview."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .render import DOTS, render, render_image
from .slip import TicketSlipData, ticket_slip
from .spec import parse_spec
from .transport import send

SAMPLE_TIMEZONE = "Asia/Shanghai"
SAMPLE_URL = "https://hallq.example.gov.cn/t/7Kp3xQ9mWzA2"


def sample_ticket(issued_at: datetime | None = None) -> TicketSlipData:
    """The demo hall's ticket C023 for 社保医保: 5 people ahead, about 15 minutes."""
    return TicketSlipData(
        hall_name="市民服务中心（演示大厅）",
        service_name="社保医保",
        number="C023",
        people_ahead=5,
        estimated_wait_s=15 * 60,
        issued_at=issued_at or datetime.now(ZoneInfo(SAMPLE_TIMEZONE)),
        status_url=SAMPLE_URL,
    )


def print_test(spec: str | None, mode: str, width_mm: int, out: str | None) -> str:
    """Render the sample ticket; send it to `spec` and/or write it to `out`; a one-line summary.

    `out` ending in .png gets the PNG preview (the raster drawing, whatever the mode); any other
    file gets the ESC/POS bytes. Raises ValueError for bad arguments, PrinterError when the
    printer does not print.
    """
    if not spec and not out:
        raise ValueError("nothing to do: give --printer SPEC and/or --out FILE")
    slip = ticket_slip(sample_ticket())
    data = render(slip, mode, width_mm)  # validates mode and width first
    done: list[str] = []
    if out:
        path = Path(out)
        if path.suffix.lower() == ".png":
            image = render_image(slip, width_mm)
            image.save(path)
            what = "PNG preview" if mode == "raster" else "PNG preview (the raster drawing)"
            done.append(f"wrote {what} {image.width}×{image.height} dots to {path}")
        else:
            path.write_bytes(data)
            done.append(f"wrote {len(data)} bytes of ESC/POS to {path}")
    if spec:
        printer = parse_spec(spec)
        send(printer, data)
        done.append(f"printed on {printer}")
    return f"sample ticket C023 ({mode}, {width_mm} mm = {DOTS[width_mm]} dots): " + "; ".join(done)
