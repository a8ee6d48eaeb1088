"""Reports as downloads: `format=csv` or `format=xlsx` on a report's own URL answers the same
rows as an attachment, documented once here for every report that offers them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Response

from .blueprint import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_F = TypeVar("_F", bound=Callable[..., Any])


def offers_tables(fn: _F) -> _F:
    """Documents the CSV and XLSX answers of a report operation (put it under `@bp.response`)."""
    fn = bp.alt_response(
        200, schema={"type": "string"}, content_type="text/csv", description="with format=csv"
    )(fn)
    return bp.alt_response(  # type: ignore[no-any-return]
        200, schema={"type": "string", "format": "binary"}, content_type=XLSX, description="with format=xlsx"
    )(fn)


def table_download(
    fmt: str | None,
    name: str,
    csv: Callable[[], str | Iterable[str]],
    xlsx: Callable[[], bytes],
) -> Response | None:
    """The report as `name`.csv or `name`.xlsx when `fmt` asks for one (None: answer JSON)."""
    if fmt == "csv":
        return Response(csv(), mimetype="text/csv", headers=_attachment(f"{name}.csv"))
    if fmt == "xlsx":
        return Response(xlsx(), mimetype=XLSX, headers=_attachment(f"{name}.xlsx"))
    return None


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
