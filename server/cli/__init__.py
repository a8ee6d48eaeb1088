"""The `hallq` command (also `python -m server`), on click.

One module per command group: `serving` (serve, demo, demo-seed, agent), `nginx`, `db`,
`backup` (backup, restore), `archive`, `token`,
`printer` (printer add, print-test), `calendar`, `simulate`; `base` holds the shared options
and `user_error_message`, the one place that turns a user error into one line on stderr with exit status 2.

Importing this package imports neither Flask nor the app: `hallq serve`, `hallq demo` and
`hallq agent` monkey-patch the standard library (gevent, eventlet) before those are imported.
"""

from __future__ import annotations

from typing import Any

import click

from . import archive, backup, calendar, db, nginx, printer, serving, simulate, token
from .base import USER_ERROR, async_mode_option, database_option, examples, user_error_message

__all__ = ["cli", "main"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


@click.group(
    context_settings=CONTEXT,
    epilog=examples(
        "hallq demo                                    # the demo hall on http://127.0.0.1:5000/",
        "hallq token create --role kiosk --hall demo   # same folder, so the demo's database",
        "hallq db upgrade && hallq serve --host 0.0.0.0 --port 5000",
        "hallq --database-url postgresql://hallq@db/hallq serve",
        "HALLQ_DATABASE_URL=sqlite:////var/lib/hallq/hallq.db hallq token create --role board --hall demo",
        "hallq print-test --mode raster --width 58 --out ticket.png",
        "hallq COMMAND --help                          # each command's options and examples",
    ),
)
@database_option
@async_mode_option
def cli() -> None:
    """hallq — queue ticketing for service halls.

    Every command opens the same database: hallq.db in the current folder, unless
    --database-url or HALLQ_DATABASE_URL names another (or HALLQ_CONFIG, a TOML file with
    database_url = "…"). So a command run in the folder where `hallq demo` runs opens the
    demo's database.

    Mistakes (a bad option, an unknown hall, a database without tables) are reported as one
    line on stderr with exit status 2.
    """


for _module in (serving, nginx, db, backup, archive, token, printer, calendar, simulate):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Run `hallq` with `argv` (default: the process's arguments); the exit status."""
    obj: dict[str, Any] = {}
    try:
        rv = cli.main(args=argv, prog_name="hallq", standalone_mode=False, obj=obj)
    except click.exceptions.Abort:  # Ctrl-C
        return 130
    except click.exceptions.NoArgsIsHelpError as err:  # `hallq`, `hallq token`: the help
        click.echo(err.ctx.get_help() if err.ctx is not None else err.format_message())
        return 0
    except Exception as err:
        message = user_error_message(err, obj)
        if message is None:
            raise  # a bug, not the user's mistake: keep the traceback
        click.echo(f"error: {message}", err=True)
        return USER_ERROR
    return rv if isinstance(rv, int) else 0
