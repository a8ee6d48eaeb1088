"""`hallq printer add` and `hallq print-test`."""

from __future__ import annotations

from typing import Any

import click

from .base import (
    UserError,
    database_option,
    examples,
    overrides,
    print_mode_option,
    require_database,
    width_option,
)


@click.group(
    epilog=examples(
        "hallq printer add --hall demo --name '1号取号机' --spec tcp://192.168.1.50:9100 \\",
        "                  --kiosk-token KIOSK_TOKEN",
    )
)
def printer() -> None:
    """Thermal printers."""


@printer.command(
    epilog=examples(
        "hallq printer add --hall demo --name '1号取号机' --spec tcp://192.168.1.50:9100 \\",
        "                  --kiosk-token KIOSK_TOKEN     # printed by the server",
        "hallq printer add --hall demo --name 'kiosk 2' --spec usb://0416:5011 --width 58 \\",
        "                  --kiosk-token KIOSK_TOKEN     # printed by that kiosk's agent",
        "hallq printer add --hall demo --name 'window 3 slips' --spec tcp://192.168.1.53:9100 --window 3",
    )
)
@click.option("--hall", required=True, metavar="CODE", help="Hall code.")
@click.option("--name", required=True, help="Name shown on the manager console.")
@click.option(
    "--spec",
    required=True,
    help="tcp://host:9100, usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0, dummy://",
)
@width_option
@print_mode_option
@click.option("--kiosk-token", metavar="TOKEN", help="The kiosk whose tickets this printer prints.")
@click.option(
    "--window", type=int, metavar="NUMBER", help="The window number whose slips (notices) it prints."
)
@database_option
@click.pass_obj
def add(
    obj: dict[str, Any],
    hall: str,
    name: str,
    spec: str,
    width: int,
    mode: str,
    kiosk_token: str | None,
    window: int | None,
) -> None:
    """Register a printer driven by the server (tcp://) or by a kiosk's agent."""
    require_database(obj)
    from .. import create_app
    from ..services.print_jobs import add_printer

    app = create_app(overrides(obj))
    p = add_printer(app.extensions["hallq"], hall, name, spec, width, mode, kiosk_token, window)
    where = f"{p['width_mm']} mm, {p['mode']}, driven by the {p['driver']}"
    click.echo(f"printer {p['id']} '{p['name']}' {p['spec']} ({where})")


@click.command(
    "print-test",
    epilog=examples(
        "hallq print-test --mode raster --width 58 --out ticket-58.png   # PNG preview",
        "hallq print-test --mode text --out ticket.bin                   # the ESC/POS bytes",
        "hallq print-test --printer usb://0416:5011 --width 58 --mode text",
        "hallq print-test --printer tcp://192.168.1.50:9100",
    ),
)
@click.option("--printer", metavar="SPEC", help="Printer spec to print on.")
@print_mode_option
@width_option
@click.option("--out", metavar="FILE", help="Write ESC/POS bytes (or a PNG preview for *.png) to this file.")
def print_test(printer: str | None, mode: str, width: int, out: str | None) -> None:
    """Print a sample ticket, or write its bytes / PNG preview."""
    from ..printing.preview import print_test as run

    try:
        click.echo(run(printer, mode, width, out))
    except Exception as err:  # printers fail in many ways (USB, serial, sockets): say why, no traceback
        raise UserError(str(err) or type(err).__name__) from err


COMMANDS = [printer, print_test]
