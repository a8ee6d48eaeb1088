"""The demo hall: realistic services, 12 windows, an admin, a manager and 12 clerks."""

from __future__ import annotations

from sqlalchemy import select

from .services.core.context import Context
from .services.core.credentials import create_user
from .storage.models import Hall, Service, Window, WindowService

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


def seed_demo(ctx: Context, code: str = DEMO_HALL, name: str = "市民服务中心（演示大厅）") -> bool:
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
        users = {
            username: create_user(
                s, username, DEMO_PASSWORD, role, name, None if role == "admin" else hall, badge=badge
            )
            for username, role, name, badge in ACCOUNTS
        }
        clerks = {i: users[f"clerk{i:02d}"] for i in range(1, len(CLERKS) + 1)}
        s.flush()
        for w in s.scalars(select(Window).where(Window.hall_id == hall.id)):
            w.a_user_id, w.b_user_id = clerks[w.number].id, clerks[B_POSTS[w.number]].id
    return True
