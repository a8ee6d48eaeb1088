from flask import Blueprint

bp = Blueprint("clerk", __name__, url_prefix="/clerk")


@bp.get("/")
def console() -> str:
    return "clerk console"
