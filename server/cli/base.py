"""What every `hallq` command shares: the database options, settings, examples in the help, and
the one place that turns a user's mistake into one line on stderr with exit status 2.

Nothing here imports Flask, SQLAlchemy or the app: `hallq serve`, `hallq demo` and `hallq agent`
monkey-patch the standard library before those are imported (see `serving.py`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .. import config

F = TypeVar("F", bound=Callable[..., Any])

#: exit status of every user error (bad option, unknown hall, database without tables, …)
USER_ERROR = 2

ASYNC_MODES = config.ASYNC_MODES
WIDTHS = ("58", "80")
PRINT_MODES = ("text", "raster")

_DB_KEY = "_database_url"  # the URL a command resolved, for the error messages


class UserError(Exception):
    """A refusal the user can fix; `main` prints it as one line and exits with status 2."""


def progress_bar(label: str) -> Any:
    """A progress bar on stderr for a long command (backup, restore, archive)."""
    return click.progressbar(length=1, label=label, file=sys.stderr, show_percent=True, show_pos=False)


def progress_callback(bar: Any) -> Callable[[int, int], None]:
    """The (done, total) callback the storage and service layers report progress with."""

    def update(done: int, total: int) -> None:
        bar.length = max(total, 1)
        bar.update(done - bar.pos)

    return update


def examples(*lines: str) -> str:
    """A help epilog whose lines click keeps as written."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


# -- the options that choose the database, on the group and on every command that opens it


def _store(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            ctx.ensure_object(dict)[key] = value

    return callback


def database_option(f: F) -> F:
    return click.option(
        "--database-url",
        metavar="URL",
        expose_value=False,
        is_eager=True,
        callback=_store("DATABASE_URL"),
        help="SQLAlchemy URL of the database; overrides HALLQ_DATABASE_URL "
        f"[default: sqlite:///{config.DEFAULT_DATABASE_FILE} in the current folder].",
    )(f)


def async_mode_option(f: F) -> F:
    return click.option(
        "--async-mode",
        type=click.Choice(ASYNC_MODES),
        expose_value=False,
        is_eager=True,
        callback=_store("ASYNC_MODE"),
        help="Overrides HALLQ_ASYNC_MODE [default: gevent].",
    )(f)


def width_option(f: F) -> F:
    return click.option(
        "--width",
        type=click.Choice(WIDTHS),
        default="80",
        show_default=True,
        callback=lambda ctx, param, value: int(value),
        help="Paper width in mm.",
    )(f)


def print_mode_option(f: F) -> F:
    return click.option(
        "--mode",
        type=click.Choice(PRINT_MODES),
        default="text",
        show_default=True,
        help="text (the printer's own font) or raster (an image).",
    )(f)


# -- settings


def overrides(obj: dict[str, Any]) -> dict[str, Any]:
    """The settings the command line overrides (keys as in server.config)."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def load_settings(obj: dict[str, Any]) -> dict[str, Any]:
    settings = config.load(overrides(obj))
    obj[_DB_KEY] = settings["DATABASE_URL"]
    return settings


def database_origin(obj: dict[str, Any]) -> str:
    """Where the database URL comes from, in words."""
    _, source = config.database_url(overrides(obj))
    if source == "default":
        return f"the default, {config.DEFAULT_DATABASE_FILE} in the current folder"
    if source == "override":
        return "from --database-url"
    return f"from {source}"


def require_database(obj: dict[str, Any]) -> None:
    """Refuse before opening a SQLite file that does not exist (SQLite would create it empty)."""
    url, _ = config.database_url(overrides(obj))
    obj[_DB_KEY] = url
    path = config.sqlite_path(url)
    if path is not None and not path.exists():
        raise UserError(
            f"no database at {path} ({database_origin(obj)}): run `hallq demo` or `hallq db upgrade` "
            "first, or give --database-url"
        )


# -- the one place that maps errors to a line on stderr


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _shown_url(url: str | None) -> str:
    if not url:
        return "the database"
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as given, minus nothing to hide
        return url


def _database_message(err: Exception, url: str | None) -> str | None:
    """The line for a SQLAlchemy error the user can fix, None for anything else."""
    exc = sys.modules.get("sqlalchemy.exc")  # not imported: not a database error
    if exc is not None and isinstance(err.__cause__, exc.SQLAlchemyError):  # StorageUnavailable
        err = err.__cause__
    if exc is None or not isinstance(err, exc.SQLAlchemyError):
        return None
    where = _shown_url(url)
    orig = getattr(err, "orig", None)
    reason = _one_line(str(orig if orig is not None else err).split("\n")[0])
    pgcode = getattr(orig, "pgcode", None)
    if isinstance(err, exc.ArgumentError):
        if "URL" in str(err) or isinstance(err, exc.NoSuchModuleError):
            return f"bad database URL: {_one_line(str(err))}"
        return None
    if isinstance(err, exc.OperationalError | exc.ProgrammingError):
        if "no such table" in reason or pgcode == "42P01":
            return (
                f"the database {where} has no hallq tables ({reason}): "
                "run `hallq db upgrade` (or `hallq demo`) on it first, or give --database-url"
            )
        if "no such column" in reason or "has no column" in reason or pgcode == "42703":
            return f"the database {where} is not up to date ({reason}): run `hallq db upgrade`"
        if isinstance(err, exc.OperationalError):
            return f"cannot use {where}: {reason}"
    return None


def user_error_message(err: BaseException, obj: dict[str, Any]) -> str | None:
    """One line for an error the user caused and can fix; None when it is a bug (a traceback)."""
    from ..domain.errors import RuleViolation  # the pure domain: no Flask, no SQLAlchemy

    if isinstance(err, click.UsageError):
        where = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
        return _one_line(err.format_message()) + where
    if isinstance(err, click.ClickException):
        return _one_line(err.format_message())
    if isinstance(err, RuleViolation):
        return _one_line(err.message_en)
    if isinstance(err, UserError | config.ConfigError):
        return _one_line(str(err))
    if isinstance(err, Exception):
        return _database_message(err, obj.get(_DB_KEY))
    return None
