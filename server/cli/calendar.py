"""`hallq calendar import` and `hallq calendar show`: the working-day calendar (工作日历)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .base import UserError, database_option, examples, overrides, require_database


@click.group(
    epilog=examples(
        "hallq calendar import 2027.json --source '国办发明电〔2026〕…'",
        "hallq calendar show 2027",
    )
)
def calendar() -> None:
    """The working-day calendar: the State Council's holiday schedule (放假安排) per year."""


def _read(path: Path) -> Any:
    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"cannot read {path}: {err}") from err
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)  # YAML reads JSON as well
    except (ValueError, yaml.YAMLError) as err:
        raise UserError(f"{path} is not JSON or YAML: {str(err).splitlines()[0]}") from err


@calendar.command(
    "import",
    epilog=examples(
        "hallq calendar import 2027.yaml                 # for every hall",
        "hallq calendar import 2027.json --hall demo     # one hall's own year",
        "hallq calendar import 2027.json --source '国办发明电〔2026〕12号'",
    ),
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--hall", metavar="CODE", help="Only this hall (default: every hall).")
@click.option("--source", metavar="TEXT", help="Where the schedule comes from (the document's number).")
@database_option
@click.pass_obj
def import_(obj: dict[str, Any], file: Path, hall: str | None, source: str | None) -> None:
    """Replace a year with FILE (JSON or YAML: {"year"?, "source"?, "holidays": [{"day", "name"}],
    "workdays": [...]}) and recompute the due dates of the cases it affects."""
    data = _read(file)
    require_database(obj)
    from .. import create_app
    from ..services.calendars import import_document

    app = create_app(overrides(obj))
    done = import_document(app.extensions["hallq"], data, hall, source)
    scope = f"hall {hall}" if hall else "every hall"
    click.echo(
        f"{done['year']}: {len(done['holidays'])} holidays, {len(done['workdays'])} make-up workdays "
        f"for {scope}; {done['recomputed']} case due dates recomputed, {done['still_missing']} still waiting"
    )


@calendar.command(epilog=examples("hallq calendar show 2027", "hallq calendar show 2026 --hall demo"))
@click.argument("year", type=int)
@click.option("--hall", metavar="CODE", help="As this hall counts it (default: every hall).")
@database_option
@click.pass_obj
def show(obj: dict[str, Any], year: int, hall: str | None) -> None:
    """The year's holidays and make-up workdays, and where they come from."""
    require_database(obj)
    from .. import create_app
    from ..services.calendars import OPERATOR, show_year

    app = create_app(overrides(obj))
    view = show_year(app.extensions["hallq"], OPERATOR, year, hall)
    if not view["covered"]:
        click.echo(f"{year}: not covered — import the State Council's schedule (hallq calendar import FILE)")
        return
    click.echo(f"{year}: from {view['source']} ({view['document']})")
    for kind, days in (("holiday", view["holidays"]), ("workday", view["workdays"])):
        for d in days:
            click.echo(f"{d['day']}  {kind:<8} {d['name']}")


COMMANDS = [calendar]
