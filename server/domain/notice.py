"""One-time notification (一次告知制): every missing item is told at once, on one notice.

A citizen who comes back with a notice may not be asked for something the notice did not
list unless the clerk records why; a third trip for the same matter is flagged.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .errors import RuleViolation

#: no 0/O, 1/I/L: the code is read aloud and typed on a kiosk
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6
MAX_ITEMS = 50
MAX_NOTE = 1000
#: the visit (counting this one) at which repeated trips for one matter are flagged (多次往返)
REPEAT_TRIP_VISIT = 3


@dataclass(frozen=True)
class Item:
    """A missing item: a material of the service guide (`id`) or free text (`id` None)."""

    name: str
    id: str | None = None
    reason: str | None = None


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A short code for the notice (read aloud, typed on a kiosk, printed as a QR)."""
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Codes are typed on kiosks: ignore case, spaces and dashes."""
    return code.strip().upper().replace(" ", "").replace("-", "")


def check_fast_lane(taken: Iterable[tuple[str, str]]) -> None:
    """A notice's fast lane is for the citizen's one return, given `taken`: the (number, status)
    of every ticket already taken with its code.

    While such a ticket waits or is being served, the code gives no other; once the return was
    served (done), the code is used up — a matter still missing something gets a new notice with
    its own code. A return that never reached a clerk (no-show, cancelled) may be taken again.
    So one code is one trip, and the repeat-trip figures count trips, not typed codes.
    """
    for number, status in taken:
        if status in ("waiting", "called", "serving"):
            err = RuleViolation(
                "notice_in_use",
                f"这张一次告知单已取号 {number}，正在等候或办理中，请勿重复取号",
                f"this notice already has number {number} waiting or being served",
            )
            err.field = "notice"
            raise err
        if status == "done":
            err = RuleViolation(
                "notice_used",
                f"这张一次告知单已凭 {number} 办理过；如仍需补材料，请使用窗口新开的告知单",
                f"this notice was already used for number {number}; a newer notice has its own code",
            )
            err.field = "notice"
            raise err


def unknown_code() -> RuleViolation:
    """A typed code that matches no notice of the hall: the `notice` field is wrong."""
    err = RuleViolation(
        "notice_not_found", "一次告知单编号无效，请核对后重新输入", "no notice with that code in this hall"
    )
    err.field = "notice"
    return err


def check_items(items: list[Item], note: str | None) -> None:
    """A notice lists at least one missing item (or says what is wrong in its note)."""
    if not items and not (note or "").strip():
        raise RuleViolation(
            "invalid_field", "请勾选缺少的材料或填写说明", "tick the missing items or write a note"
        )
    if len(items) > MAX_ITEMS:
        raise RuleViolation("invalid_field", f"最多 {MAX_ITEMS} 项", f"at most {MAX_ITEMS} items")
    if note and len(note) > MAX_NOTE:
        raise RuleViolation(
            "invalid_field", f"说明最多 {MAX_NOTE} 字", f"the note is longer than {MAX_NOTE} characters"
        )
    names = [i.name.strip() for i in items]
    if any(not n for n in names):
        raise RuleViolation("invalid_field", "材料名称不能为空", "an item has no name")


def _key(item: Item) -> str:
    return item.id or item.name.strip()


def items_needing_reason(items: Iterable[Item], previous: Iterable[Item] | None) -> list[Item]:
    """Items asked for now that the citizen's earlier notice did not list."""
    if previous is None:
        return []
    told = {_key(i) for i in previous}
    return [i for i in items if _key(i) not in told]


def check_reasons(items: list[Item], previous: list[Item] | None, reasons: Mapping[str, str]) -> list[Item]:
    """Asking for something the earlier notice did not list requires the clerk to record why.

    Returns the items with their recorded reasons; refuses (naming the item) when one is missing.
    """
    out = []
    new = {_key(i) for i in items_needing_reason(items, previous)}
    for item in items:
        reason = (reasons.get(_key(item)) or "").strip() or None
        if _key(item) in new and not reason:
            raise RuleViolation(
                "reason_required",
                f"“{item.name}”不在上次的一次告知单上，请说明为何现在才要求",
                f"'{item.name}' was not on the earlier notice: record why it is asked for now",
            )
        out.append(Item(item.name.strip(), item.id, reason if _key(item) in new else None))
    return out


def trips(visit_days: Iterable[date]) -> int:
    """Trips to the hall for one matter: the business days on which the citizen took a number
    for it (several numbers on one day — a code typed again after a cancelled return — are one
    trip)."""
    return len(set(visit_days))


def starts_repeat_trip(earlier_days: Iterable[date], today: date) -> int | None:
    """The trips counting today's, when today's number starts a new trip that is the third or a
    later one (多次往返: flagged once per trip); else None."""
    earlier = set(earlier_days)
    if today in earlier:
        return None
    n = trips(earlier) + 1
    return n if is_repeat_trip(n) else None


def is_repeat_trip(visits_including_this: int) -> bool:
    """The third visit for the same matter without it being done is flagged (多次往返)."""
    return visits_including_this >= REPEAT_TRIP_VISIT
