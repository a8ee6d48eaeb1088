"""Socket.IO room names (the only place they are spelled)."""

from ..domain.disclosure import AUDIENCES


def hall(code: str, audience: str) -> str:
    """Everyone of one audience watching a hall (domain.disclosure: public, device, clerk,
    manager). Every event of the hall goes to each of these rooms, shaped for it."""
    return f"hall:{code}:{audience}"


def is_hall_room(name: str) -> bool:
    return name.startswith("hall:")


def hall_rooms(code: str) -> dict[str, str]:
    """The hall's room of every audience."""
    return {audience: hall(code, audience) for audience in AUDIENCES}


def printer(printer_id: int) -> str:
    """The kiosk agent driving one printer: its print jobs go here."""
    return f"printer:{printer_id}"
