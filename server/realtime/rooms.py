"""Socket.IO room names (the only place they are spelled)."""


def hall(code: str) -> str:
    """Everyone watching a hall: boards, consoles, phone pages. Every event of the hall goes here."""
    return f"hall:{code}"


def printer(printer_id: int) -> str:
    """The kiosk agent driving one printer: its print jobs go here."""
    return f"printer:{printer_id}"
