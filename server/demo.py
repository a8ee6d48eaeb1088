"""The demo hall: realistic services, 12 windows, an admin, a manager and 12 clerks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .services.core.context import Context
from .services.core.credentials import create_user
from .storage.models import Hall, Service, User, Window, WindowService

DEMO_HALL = "demo"
DEMO_PASSWORD = "hallq-demo"

SERVICES = [
    # code, name, English name, category
    ("A", "户籍办理", "Household registration", "公安"),
    ("H", "出入境", "Exit & entry", "公安"),
    ("B", "不动产登记", "Real estate registration", "不动产"),
    ("C", "社保医保", "Social & medical insurance", "人社医保"),
    ("F", "公积金", "Housing provident fund", "人社医保"),
    ("D", "企业开办", "Business start-up", "市场监管与税务"),
    ("E", "税务", "Taxation", "市场监管与税务"),
    ("G", "综合咨询", "General enquiries", "综合"),
]

WINDOWS = {
    1: ["G"],
    2: ["A"],
    3: ["A", "H"],
    4: ["B"],
    5: ["B"],
    6: ["C"],
    7: ["C", "F"],
    8: ["F"],
    9: ["D"],
    10: ["D", "E"],
    11: ["E"],
    12: ["G", "A", "C"],
}

#: B post of each window (A is the window's own clerk): neighbours serving the same services
B_POSTS = {1: 12, 2: 3, 3: 2, 4: 5, 5: 4, 6: 7, 7: 6, 8: 7, 9: 10, 10: 9, 11: 10, 12: 1}

CLERKS = ["李明", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周强", "吴敏", "徐涛", "孙悦"]

#: every account the demo makes, all with DEMO_PASSWORD: (username, role, name, badge). `hallq demo`
#: prints each one (an account nobody was told about is an open door on a hall's network)
ACCOUNTS: list[tuple[str, str, str, str | None]] = [
    ("admin", "admin", "系统管理员", None),
    ("manager", "manager", "王主任", "0100"),
    *((f"clerk{i:02d}", "clerk", cname, f"01{i:02d}") for i, cname in enumerate(CLERKS, start=1)),
]


def accounts_banner() -> list[str]:
    """The banner lines naming every demo account and its password."""
    by_role: dict[str, list[str]] = {}
    for username, role, _name, _badge in ACCOUNTS:
        by_role.setdefault(role, []).append(username)
    lines = [f"  accounts        password {DEMO_PASSWORD} for every one of them:"]
    for role, users in by_role.items():
        lines.append(f"    {role:<13} {' '.join(users)}")
    return lines


def seed_demo(
    ctx: Context, code: str = DEMO_HALL, name: str = "市民服务中心（演示大厅）", username_prefix: str = ""
) -> bool:
    """Create the demo hall once; False when it exists already."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        if s.scalar(select(Hall).where(Hall.code == code)) is not None:
            return False
        hall = Hall(code=code, name=name, timezone="Asia/Shanghai", rollover_hour=0, seq=0, created_at=now)
        s.add(hall)
        s.flush()
        services = {}
        for i, (scode, sname, sname_en, category) in enumerate(SERVICES):
            svc = Service(
                hall_id=hall.id,
                code=scode,
                prefix=scode,
                name=sname,
                name_en=sname_en,
                category=category,
                sort=i,
                active=True,
            )
            s.add(svc)
            services[scode] = svc
        s.flush()
        from .demo_guides import apply_demo_guides

        apply_demo_guides(s, services)
        for number, codes in WINDOWS.items():
            w = Window(hall_id=hall.id, number=number, name=f"{number}号窗口", status="closed")
            s.add(w)
            s.flush()
            for pos, scode in enumerate(codes):
                s.add(WindowService(window_id=w.id, service_id=services[scode].id, position=pos))
        users = {  # another hall's accounts carry its prefix ("city02-clerk01"); one admin is enough
            username: create_user(
                s,
                username_prefix + username,
                DEMO_PASSWORD,
                role,
                name,
                None if role == "admin" else hall,
                badge=badge,
            )
            for username, role, name, badge in ACCOUNTS
            if not (username_prefix and role == "admin")
        }
        clerks = {i: users[f"clerk{i:02d}"] for i in range(1, len(CLERKS) + 1)}
        s.flush()
        for w in s.scalars(select(Window).where(Window.hall_id == hall.id)):
            w.a_user_id, w.b_user_id = clerks[w.number].id, clerks[B_POSTS[w.number]].id
    return True


#: the demo's cases (办件): (service, owner, accepted how many days ago, what happened since)
DEMO_CASES = [
    ("B", "clerk04", 2, "open"),  # 不动产: 5 working days, due later this week or next
    ("B", "clerk05", 6, "open"),  # yellow or red by now
    ("A", "clerk02", 4, "open"),  # 户籍: 3 working days — late
    ("A", "clerk03", 1, "open"),
    ("F", "clerk08", 0, "open"),  # 公积金: 1 working day — yellow from the start
    ("H", "clerk03", 3, "suspended"),  # 出入境: waiting for the citizen's materials (补正)
    ("B", "clerk04", 9, "supervised"),  # late, under the manager's supervision
    ("A", "clerk02", 8, "completed"),
    ("B", "clerk05", 12, "delivered"),
]


def seed_demo_cases(ctx: Context, code: str = DEMO_HALL) -> int:
    """A realistic spread of cases for the demo hall, once (0 when it has cases already): some due
    this week, some yellow, some red, one suspended, one under supervision, one delivered. Their
    due dates come from the hall's working-day calendar like any case's."""
    from datetime import timedelta

    from .domain import cases as case_rules
    from .services.core.casework import local_day, refresh_due
    from .services.core.workcal import hall_calendar
    from .storage.models import Case, CaseStep, User

    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == code))
        if hall is None or s.scalar(select(Case.id).where(Case.hall_id == hall.id).limit(1)) is not None:
            return 0
        calendar = hall_calendar(s, hall)
        services = {svc.code: svc for svc in hall.services}
        people = {u.username: u for u in s.scalars(select(User).where(User.hall_id == hall.id))}
        manager = people["manager"]
        per_day: dict[object, int] = {}
        for service_code, username, days_ago, fate in DEMO_CASES:
            svc, owner = services[service_code], people[username]
            at = now - timedelta(days=days_ago)
            day = local_day(hall, at)
            per_day[day] = per_day.get(day, 0) + 1
            window = next((w for w in hall.windows if w.a_user_id == owner.id), None)
            case = Case(
                code=case_rules.new_case_code(),
                number=case_rules.case_number(day, svc.prefix, per_day[day]),
                hall_id=hall.id,
                service_id=svc.id,
                window_id=window.id if window else None,
                owner_id=owner.id,
                status="accepted",
                accepted_at=at,
                accepted_day=day,
                limit_days=case_rules.case_limit(svc.guide),
                legal_limit_days=case_rules.legal_limit(svc.guide),
                warn_days=case_rules.warn_days(svc.guide),
                materials=[{"name": "居民身份证"}, {"name": "申请表"}],
            )
            s.add(case)
            s.flush()
            steps: list[tuple[str, datetime, int, str | None]] = [("accepted", at, owner.id, None)]
            if fate == "suspended":
                steps.append(("suspended", at + timedelta(days=1), owner.id, "补正：缺少户口簿原件"))
                case.status = "suspended"
            if fate == "supervised":
                case.supervised_at, case.supervised_by_id = now, manager.id
                case.supervision_note = "已超期，请说明原因并于明日前办结"
                case.supervision_due = local_day(hall, now + timedelta(days=1))
                steps.append(("supervised", now, manager.id, case.supervision_note))
            if fate in ("completed", "delivered"):
                done = at + timedelta(days=2)
                case.status, case.completed_at = "completed", done
                steps.append(("completed", done, owner.id, None))
            if fate == "delivered":
                case.status, case.delivered_at = "delivered", at + timedelta(days=3)
                case.delivery_method, case.delivery_note = "window", "窗口领取"
                steps.append(("delivered", at + timedelta(days=3), owner.id, None))
            for kind, when, by, reason in steps:
                s.add(
                    CaseStep(
                        case_id=case.id,
                        kind=kind,
                        at=when,
                        day=local_day(hall, when),
                        by_user_id=by if kind != "supervised" else manager.id,
                        owner_id=owner.id,
                        reason=reason,
                    )
                )
            s.flush()
            refresh_due(s, case, calendar)
        return len(DEMO_CASES)


#: demo avatars: (background, uniform) colours, one per clerk in turn
_AVATAR_COLOURS = [
    ((214, 228, 240), (30, 58, 95)),
    ((232, 240, 222), (44, 82, 52)),
    ((244, 232, 220), (92, 58, 38)),
    ((236, 226, 240), (70, 46, 92)),
]


def _avatar_png(i: int) -> bytes:
    """A drawn head-and-shoulders avatar (not a photograph of anyone) for a demo clerk."""
    import io

    from PIL import Image, ImageDraw

    bg, uniform = _AVATAR_COLOURS[i % len(_AVATAR_COLOURS)]
    img = Image.new("RGB", (120, 150), bg)
    d = ImageDraw.Draw(img)
    d.ellipse((12, 92, 108, 190), fill=uniform)  # shoulders
    d.polygon([(52, 96), (60, 120), (68, 96)], fill=(245, 245, 245))  # collar
    d.ellipse((36, 30, 84, 86), fill=(238, 206, 178))  # face
    d.chord((34, 24, 86, 70), 180, 360, fill=(40, 34, 30))  # hair
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def seed_demo_photos(ctx: Context, code: str = DEMO_HALL) -> int:
    """Give the demo clerks a drawn avatar for the window boards (挂牌上岗), once: through the
    same use case an admin's upload goes through. Returns how many were set."""
    import base64

    from .services.admin import set_photo
    from .services.core.principal import Principal

    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == code))
        if hall is None:
            return 0
        clerks = s.scalars(
            select(User).where(User.hall_id == hall.id, User.role == "clerk").order_by(User.username)
        ).all()
        todo = [u.username for u in clerks if u.photo_key is None]
        if len(todo) < len(clerks):  # photos were set (or removed) before: leave them
            return 0
    admin = Principal(role="admin", username="demo-seed", via="token")
    for i, username in enumerate(todo):
        set_photo(ctx, admin, username, base64.b64encode(_avatar_png(i)).decode())
    return len(todo)


#: demo services citizens can book (预约): 户籍, 不动产, 出入境 — half-hour slots, a week ahead
DEMO_BOOKING = {"slot_minutes": 30, "capacity": 2, "days_ahead": 7}
DEMO_BOOKABLE = ("A", "B", "H")


def seed_demo_bookings(ctx: Context, code: str = DEMO_HALL) -> bool:
    """Open appointments for a few demo services, once (False when any service has rules), through
    the same use case a manager's settings page uses."""
    from .services.bookings import update_settings
    from .services.core.principal import Principal

    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == code))
        if hall is None or any(svc.booking for svc in hall.services):
            return False
    admin = Principal(role="admin", username="demo-seed", via="token")
    update_settings(ctx, admin, code, {"services": {svc: dict(DEMO_BOOKING) for svc in DEMO_BOOKABLE}})
    return True
