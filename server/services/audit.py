"""The audit log: every recorded event with who, what, when, where — the action named in words
with its details (Chinese and English) — filters, paging by cursor, and exports (CSV, XLSX) that
stream the whole filtered range page by page.

Every event type of server/event_names.py has a line in DESCRIPTIONS (tests check it): a new
event type adds one, e.g. `"complaint.filed": said("投诉登记", "complaint filed", _complaint)`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from ..storage.archive import execute_both, merged
from ..storage.models import Event, Notice, Ticket, User, Window
from .core.context import Context
from .core.errors import bad_field
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

#: the most rows of one JSON page (follow `next_before` for the rest)
MAX_ROWS = 5000
#: rows an export reads at a time: its memory is bounded by this, not by the range
EXPORT_PAGE = 1000

#: Chinese and English of one thing
Words = tuple[str, str]


@dataclass(frozen=True)
class Looked:
    """What the describers may need beyond the event's data (read once per page)."""

    windows: Mapping[int, int]  # window id → number
    notices: Mapping[tuple[int, datetime], Notice]  # (ticket id, created at) → the notice


@dataclass(frozen=True)
class Line:
    action: Words
    details: Words


Details = Callable[[Mapping[str, Any], Event, Looked], Words]
Describer = Callable[[Mapping[str, Any], Event, Looked], Line]


def said(zh: str, en: str, details: Details | None = None) -> Describer:
    """An event's line: its action in words, and its details (none by default)."""

    def describe(d: Mapping[str, Any], e: Event, look: Looked) -> Line:
        return Line((zh, en), details(d, e, look) if details else ("", ""))

    return describe


# ---------------------------------------------------------------- helpers of the details


def _map(d: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A part of the data that should be an object ({} when it is missing or not one)."""
    value = d.get(key)
    return value if isinstance(value, Mapping) else {}


def _join(*parts: Words) -> Words:
    zh = "；".join(p[0] for p in parts if p[0])
    en = "; ".join(p[1] for p in parts if p[1])
    return zh, en


def _same(text: Any) -> Words:
    """Data a hall entered (a name, a reason): the same in both languages."""
    s = "" if text is None else str(text)
    return s, s


def _codes(codes: Any) -> Words:
    if not codes:
        return "（无）", "(none)"
    return "、".join(str(c) for c in codes), ", ".join(str(c) for c in codes)


def _who(p: Any) -> Words:
    if isinstance(p, Mapping) and (p.get("name") or p.get("username")):
        return _same(p.get("name") or p.get("username"))
    return "空缺", "vacant"


def _window(w: Any) -> Words:
    if not isinstance(w, Mapping):
        return "", ""
    number = w.get("number")
    if number is None:
        return _same(w.get("name"))
    return f"{number}号窗口", f"window {number}"


def _place(spec: Any, numbers: Mapping[int, int]) -> Words:
    """A move target ({"service": CODE} or {"window": ID}) in words."""
    if isinstance(spec, Mapping) and "service" in spec:
        return f"事项 {spec['service']}", f"service {spec['service']}"
    if isinstance(spec, Mapping) and "window" in spec:
        n = numbers.get(spec["window"], spec["window"])
        return f"{n}号窗口", f"window {n}"
    return _same(spec)


def _reason(d: Mapping[str, Any]) -> Words:
    r = d.get("reason")
    return (f"原因：{r}", f"reason: {r}") if r else ("", "")


def _ticket(d: Mapping[str, Any]) -> Words:
    t = d.get("ticket")
    if not isinstance(t, Mapping):
        return "", ""
    number, service = t.get("number") or "", t.get("service_name") or t.get("service") or ""
    where = _window(t.get("window"))
    zh = " ".join(x for x in (number, service, where[0]) if x)
    en = " ".join(x for x in (number, service, where[1]) if x)
    return zh, en


def _ticket_with_reason(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    return _join(_ticket(d), _reason(d))


def _ticket_only(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    t = _ticket(d)
    t2 = _map(d, "ticket")
    fast = (
        ("一次告知单返回，优先", "back with a one-time notice: priority") if t2.get("priority") else ("", "")
    )
    return _join(t, fast)


def _recalled(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    t = _map(d, "ticket")
    n = t.get("recalls")
    return _join(_ticket(d), (f"第 {n} 次重呼", f"recall {n}") if n else ("", ""))


def _transferred(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    src, dst = d.get("from") or {}, d.get("to") or {}
    zh_from = " ".join(x for x in (f"事项 {src.get('service', '')}", _window(src.get("window"))[0]) if x)
    en_from = " ".join(x for x in (f"service {src.get('service', '')}", _window(src.get("window"))[1]) if x)
    zh_to = " ".join(x for x in (f"事项 {dst.get('service', '')}", _window(dst.get("window"))[0]) if x)
    en_to = " ".join(x for x in (f"service {dst.get('service', '')}", _window(dst.get("window"))[1]) if x)
    return _join(_ticket(d), (f"{zh_from} → {zh_to}", f"{en_from} → {en_to}"), _reason(d))


_WINDOW_ACTIONS: dict[str, Words] = {
    "sign_in": ("签到", "signed in"),
    "sign_out": ("签退", "signed out"),
    "pause": ("暂停", "paused"),
    "resume": ("恢复服务", "resumed"),
}
_WINDOW_STATUS: dict[str, Words] = {
    "open": ("开放", "open"),
    "paused": ("暂停", "paused"),
    "closed": ("关闭", "closed"),
}


def _window_updated(d: Mapping[str, Any], e: Event, look: Looked) -> Line:
    """Sign-in, sign-out, pause (with its reason), resume; a manager's change of the window's
    services or closing it; a window that changed with its clerk (A's board points to B)."""
    w = _map(d, "window")
    where = _window(w)
    clerk = w.get("clerk") if isinstance(w.get("clerk"), Mapping) else None
    action = d.get("action")
    change = d.get("change")
    if action in _WINDOW_ACTIONS:
        reason = w.get("pause_reason") if action == "pause" else None
        who = _same(clerk.get("name")) if clerk else ("", "")
        return Line(
            _WINDOW_ACTIONS[str(action)],
            _join(where, who, (f"原因：{reason}", f"reason: {reason}") if reason else ("", "")),
        )
    if isinstance(change, Mapping):
        if change.get("closed_by_manager"):
            return Line(("经理关闭窗口", "window closed by the manager"), _join(where, _reason(change)))
        services = change.get("services")
        if isinstance(services, Mapping):
            before, after = _codes(services.get("before")), _codes(services.get("after"))
            return Line(
                ("调整窗口办理事项", "window services changed"),
                _join(where, (f"办理事项 {before[0]} → {after[0]}", f"services {before[1]} → {after[1]}")),
            )
    # a window that changed with its clerk's post elsewhere, or an event recorded before the
    # action was named: its state after the change
    status = _WINDOW_STATUS.get(str(w.get("status")), _same(w.get("status")))
    reason = w.get("pause_reason") if w.get("status") == "paused" else None
    who = (
        (f"在岗：{clerk.get('name')}", f"clerk: {clerk.get('name')}")
        if clerk
        else ("无人在岗", "nobody signed in")
    )
    return Line(
        ("窗口状态更新", "window state changed"),
        _join(
            where,
            (f"状态：{status[0]}", f"status: {status[1]}"),
            who,
            (f"原因：{reason}", f"reason: {reason}") if reason else ("", ""),
        ),
    )


def _notice_at(look: Looked, e: Event) -> Notice | None:
    """The notice an event recorded: the ticket's notice made at the event's time (or the last
    one made before it, should a database round the time)."""
    if e.ticket_id is None:
        return None
    exact = look.notices.get((e.ticket_id, e.at))
    if exact is not None or e.at is None:
        return exact
    earlier = [n for (tid, at), n in look.notices.items() if tid == e.ticket_id and at <= e.at]
    return max(earlier, key=lambda n: n.created_at) if earlier else None


def _notice(d: Mapping[str, Any], e: Event, look: Looked) -> Words:
    """The notice's code and its missing items (from the notice itself: the hall's stream never
    carries them)."""
    n = _notice_at(look, e)
    info = _map(d, "notice")
    service = info.get("service") or ""
    if n is None:
        count = info.get("items", 0)
        return f"事项 {service}，缺 {count} 项材料", f"service {service}, {count} items missing"
    items = [str(m.get("name", "")) for m in (n.missing or [])]
    zh = f"编号 {n.code} 事项 {service}；缺 {len(items)} 项：{'、'.join(items)}"
    en = f"code {n.code} service {service}; {len(items)} missing: {', '.join(items)}"
    return _join((zh, en), _same(n.note))


def _printer(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    p = _map(d, "printer")
    status = p.get("status") or ""
    detail = p.get("status_detail") or ""
    return _join(_same(p.get("name")), (f"状态：{status}", f"status: {status}"), _same(detail))


def _print_job(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    j = _map(d, "job")
    reprint = ("重打", "reprint") if j.get("reprint") else ("", "")
    error = j.get("error") or j.get("error_kind")
    return _join(
        _same(j.get("number")),
        (f"状态：{j.get('status', '')}", f"status: {j.get('status', '')}"),
        reprint,
        (f"故障：{error}", f"fault: {error}") if error else ("", ""),
    )


def _posts(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    a, b = _who(d.get("a")), _who(d.get("b"))
    return _join(_window(d.get("window")), (f"A岗 {a[0]}，B岗 {b[0]}", f"A post {a[1]}, B post {b[1]}"))


def _leave(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    lv = d.get("leave")
    if not isinstance(lv, Mapping):
        return "", ""
    who = _who(lv.get("user"))
    short = ("临时请假", "short notice") if lv.get("short_notice") else ("", "")
    span = (f"{lv.get('start')} 至 {lv.get('end')}", f"{lv.get('start')} to {lv.get('end')}")
    return _join(who, span, _reason(lv), short)


def _alarm(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    a, b = _who(d.get("a")), _who(d.get("b"))
    n = d.get("waiting", 0)
    return _join(
        _window(d.get("window")),
        (
            f"A岗 {a[0]}、B岗 {b[0]} 均不在岗，{n} 人等候",
            f"A post {a[1]} and B post {b[1]} both away, {n} waiting",
        ),
    )


def _alarm_cleared(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    return _window(d.get("window"))


def _moved(d: Mapping[str, Any], _e: Event, look: Looked) -> Words:
    moved = d.get("numbers") or []
    shown = "、".join(moved[:20]) + ("…" if len(moved) > 20 else "")
    shown_en = ", ".join(moved[:20]) + ("…" if len(moved) > 20 else "")
    src, dst = _place(d.get("from"), look.windows), _place(d.get("to"), look.windows)
    n = d.get("count", 0)
    return (
        f"{src[0]} → {dst[0]}：{n} 人 {shown}".strip(),
        f"{src[1]} → {dst[1]}: {n} people {shown_en}".strip(),
    )


def _queue(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    waiting = d.get("waiting")
    if not isinstance(waiting, Mapping):
        return "", ""
    zh = "，".join(f"{k} {v} 人" for k, v in waiting.items())
    en = ", ".join(f"{k} {v} waiting" for k, v in waiting.items())
    return zh, en


def _hall(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    h = _map(d, "hall")
    return _join(_same(h.get("name")), _same(h.get("timezone")))


def _service(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    """An admin's edit of the service ({"service": view}) or a guide's ({"service": CODE, …})."""
    svc = d.get("service")
    if isinstance(svc, Mapping):
        active = ("", "") if svc.get("active", True) else ("停用", "inactive")
        return _join(
            (
                f"{svc.get('code', '')} {svc.get('name', '')}",
                f"{svc.get('code', '')} {svc.get('name_en') or svc.get('name', '')}",
            ),
            (f"类别 {svc.get('category', '')}", f"category {svc.get('category', '')}"),
            active,
        )
    changes = d.get("changes") or []
    return _join(
        _same(f"{svc or ''} {d.get('name') or ''}".strip()),
        (f"办事指南：{'、'.join(changes)}", f"guide: {', '.join(changes)}") if changes else ("", ""),
        (f"来源 {d.get('source')}", f"source {d.get('source')}") if d.get("source") else ("", ""),
    )


def _trip(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    n = d.get("visits", 0)
    return _join(
        _ticket(d),
        _same(d.get("service_name") or d.get("service")),
        (f"同一事项第 {n} 次来办", f"visit {n} for the same matter"),
    )


def _calendar(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    scope = ("本大厅", "this hall") if d.get("scope") else ("所有大厅", "every hall")
    source, n = d.get("source") or "", d.get("recomputed", 0)
    return (
        f"{d.get('year')} 年工作日历（{scope[0]}）{source}，重算办件 {n} 件",
        f"working-day calendar {d.get('year')} ({scope[1]}) {source}; {n} cases recomputed",
    )


def _case(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    c = _map(d, "case")
    owner = _who(c.get("owner")) if c.get("owner") else ("", "")
    return _join(
        _same(f"{c.get('number', '')} {c.get('service_name', '')}".strip()),
        (f"责任人 {owner[0]}", f"owner {owner[1]}") if owner[0] else ("", ""),
        _reason(d),
    )


def _voice(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    change = d.get("change")
    if change == "settings":
        english = "，中文后播英文" if d.get("english") else ""
        return (
            f"每次叫号播报 {d.get('times')} 遍{english}",
            f"each call spoken {d.get('times')} times"
            + (", English after the Chinese" if d.get("english") else ""),
        )
    if change in ("clip_saved", "clip_deleted"):
        zh = "上传" if change == "clip_saved" else "删除"
        en = "saved" if change == "clip_saved" else "removed"
        return (f"{zh}录音片段 {d.get('clip')}", f"clip {d.get('clip')} {en}")
    device = _map(d, "device")
    label, zone = device.get("label") or f"#{device.get('id')}", device.get("zone") or "—"
    if device.get("speaker"):
        return (f"{label} 设为语音播报大屏（区域 {zone}）", f"{label} made the speaker of zone {zone}")
    return (f"{label} 不再播报语音", f"{label} no longer speaks")


def _locked(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    who = _who(d.get("user"))
    tries, locked = d.get("failures", 0), d.get("locked_s", 0)
    return (
        f"{who[0]} 登录失败 {tries} 次，锁定 {locked} 秒",
        f"{who[1]}: {tries} failed logins, locked for {locked} s",
    )


def _escalation(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    """请示: what about (a ticket or a case), the question, the answer, the feedback so far."""
    x = _map(d, "escalation")
    about = _map(x, "case").get("number") or _map(x, "ticket").get("number") or ""
    parts: list[Words] = [_same(about), _window(x.get("window"))]
    for key, zh, en in (
        ("question", "请示", "question"),
        ("answer", "答复", "answer"),
        ("feedback", "反馈", "feedback"),
    ):
        if x.get(key):
            parts.append((f"{zh}：{x[key]}", f"{en}: {x[key]}"))
    return _join(*parts)


def _appraisal(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    """A record against a clerk: who, what, the decision and points, the clerk's answer."""
    r = _map(d, "record")
    who = _who(r.get("clerk"))
    decision, points = r.get("decision") or "", r.get("points")
    return _join(
        who,
        _same(r.get("subject") or r.get("kind")),
        (
            f"{r.get('decision_zh') or decision}" + (f" {points} 分" if points else ""),
            f"{decision}" + (f" {points} points" if points else ""),
        ),
        (f"说明：{r['note']}", f"note: {r['note']}") if r.get("note") else ("", ""),
        (f"本人答复：{r['answer']}", f"clerk's answer: {r['answer']}") if r.get("answer") else ("", ""),
    )


def _appraisal_rules(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    since = d.get("effective_from") or ""
    return f"自 {since} 起生效", f"in force from {since}"


def _complaint(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    """投诉: its number, category, state, verdict (never the citizen's text or contact)."""
    c = _map(d, "complaint")
    parts = [str(c.get(k) or "") for k in ("number", "category", "status")]
    verdict = c.get("verdict")
    return _join(
        _same(" ".join(p for p in parts if p)),
        (f"核实结论：{verdict}", f"verdict: {verdict}") if verdict else ("", ""),
        (f"办结期限 {c['due_day']}", f"due {c['due_day']}") if c.get("due_day") else ("", ""),
    )


def _rating(d: Mapping[str, Any], _e: Event, _l: Looked) -> Words:
    """好差评: the ticket, the level and where it was given."""
    r = _map(d, "rating")
    level, source = r.get("level", ""), r.get("source") or ""
    return (
        f"{r.get('number', '')} 评价 {level} 级（{source}）",
        f"{r.get('number', '')} rated {level} ({source})",
    )


#: every event type → its line in the audit log (action in words + details), zh and en
DESCRIPTIONS: dict[str, Describer] = {
    "ticket.issued": said("取号", "ticket issued", _ticket_only),
    "ticket.called": said("叫号", "ticket called", _ticket_only),
    "ticket.recalled": said("重呼", "ticket recalled", _recalled),
    "ticket.started": said("开始办理", "service started", _ticket_only),
    "ticket.no_show": said("过号", "no-show", _ticket_only),
    "ticket.done": said("办结", "service completed", _ticket_only),
    "ticket.cancelled": said("取消号码", "ticket cancelled", _ticket_with_reason),
    "ticket.reactivated": said("过号恢复排队", "no-show back in the queue", _ticket_only),
    "ticket.no_show_undone": said("撤销过号", "no-show taken back", _ticket_only),
    "ticket.transferred": said("转办", "transferred", _transferred),
    "window.updated": _window_updated,
    "queue.updated": said("队列更新", "queue updated", _queue),
    "printer.status": said("打印机状态", "printer status", _printer),
    "print.updated": said("打印任务", "print job", _print_job),
    "notice.created": said("出具一次告知单", "one-time notice issued", _notice),
    "posts.updated": said("设置 A/B 岗", "A/B posts set", _posts),
    "leave.registered": said("登记请假", "leave registered", _leave),
    "window.alarm": said("无人在岗告警", "unstaffed window alarm", _alarm),
    "window.alarm_cleared": said("告警解除", "alarm cleared", _alarm_cleared),
    "queue.moved": said("移动排队", "queue moved", _moved),
    "hall.updated": said("修改大厅设置", "hall settings changed", _hall),
    "service.updated": said("修改事项", "service changed", _service),
    "trip.repeated": said("多次往返", "repeated trip", _trip),
    "calendar.imported": said("导入工作日历", "working-day calendar imported", _calendar),
    "case.accepted": said("受理办件", "case accepted", _case),
    "case.suspended": said("办件中止", "case suspended", _case),
    "case.resumed": said("办件恢复", "case resumed", _case),
    "case.completed": said("办件办结", "case completed", _case),
    "case.delivered": said("送达结果", "result delivered", _case),
    "case.reassigned": said("办件改派", "case reassigned", _case),
    "case.supervised": said("督办", "case supervised", _case),
    "case.answered": said("答复督办", "supervision answered", _case),
    "case.confirmed": said("群众确认收到结果", "citizen confirmed the result", _case),
    "login.locked": said("账号锁定", "account locked", _locked),
    "voice.updated": said("修改语音播报", "voice changed", _voice),
    "escalation.asked": said("请示", "escalation asked", _escalation),
    "escalation.answered": said("答复请示", "escalation answered", _escalation),
    "escalation.fed_back": said("请示结果反馈群众", "escalation fed back", _escalation),
    "appraisal.recorded": said("考核记录", "appraisal recorded", _appraisal),
    "appraisal.answered": said("考核记录本人答复", "appraisal answered", _appraisal),
    "appraisal.rules_saved": said("修改考核规则", "appraisal rules saved", _appraisal_rules),
    "rating.recorded": said("好差评", "rating given", _rating),
    "complaint.filed": said("投诉登记", "complaint filed", _complaint),
    "complaint.verified": said("投诉核实", "complaint verified", _complaint),
    "complaint.answered": said("投诉答复", "complaint answered", _complaint),
    # printer agents' messages are not hall events (never recorded): named for completeness
    "agent.hello": said("打印代理上线", "print agent connected"),
    "print.job": said("下发打印任务", "print job sent to the agent"),
    "print.result": said("打印结果", "print result"),
    "agent.status": said("打印代理状态", "print agent status"),
    "realtime.resync": said("实时推送恢复，屏幕重新同步", "realtime push back, screens resync"),
}


def describe(e: Event, look: Looked) -> Line:
    """One event's line: an event type with no description still says which type it is."""
    data = e.data if isinstance(e.data, Mapping) else {}
    describer = DESCRIPTIONS.get(e.type)
    if describer is None:
        return Line((e.type, e.type), _reason(data))
    line = describer(data, e, look)
    reason = data.get("reason")
    if reason and str(reason) not in line.details[0]:  # a reason is always told, whatever the type
        return Line(line.action, _join(line.details, _reason(data)))
    return line


# ---------------------------------------------------------------- reading


def _notices_of(s: Any, events: list[Event]) -> dict[tuple[int, datetime], Notice]:
    ticket_ids = {e.ticket_id for e in events if e.type == "notice.created" and e.ticket_id is not None}
    if not ticket_ids:
        return {}
    rows = s.scalars(select(Notice).where(Notice.ticket_id.in_(ticket_ids))).all()
    return {(n.ticket_id, n.created_at): n for n in rows if n.ticket_id is not None}


def audit_page(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    user: str | None = None,
    window: int | None = None,
    ticket: str | None = None,
    day: str | None = None,
    limit: int = 500,
    before: int | None = None,
) -> dict[str, Any]:
    """One page of the hall's events, newest first, filtered by clerk, window, ticket (number or
    id) and day: `events`, and `next_before` (the cursor of the next page; None after the last)."""
    require_role(actor, ("manager", "admin"))
    if not 1 <= limit <= MAX_ROWS:
        raise bad_field(
            "limit",
            f"limit 取 1 到 {MAX_ROWS}；更多行请用 before（上一页的 next_before）翻页",
            f"limit is 1..{MAX_ROWS}; page on with before (the previous page's next_before)",
        )
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        tz = ZoneInfo(hall.timezone)
        if day:
            try:
                start = datetime.fromisoformat(day).replace(tzinfo=tz)
            except ValueError as err:
                raise bad_field("day", "日期格式应为 YYYY-MM-DD", "day is YYYY-MM-DD") from err

        def page(E: type[Event]) -> Select[Any]:
            q = (
                select(E, User, Window, Ticket)
                .outerjoin(User, User.id == E.actor_user_id)
                .outerjoin(Window, Window.id == E.window_id)
                .outerjoin(Ticket, Ticket.id == E.ticket_id)
                .where(E.hall_id == hall.id)
            )
            if user:
                q = q.where(User.username == user)
            if window is not None:
                q = q.where(E.window_id == window)
            if ticket:
                q = q.where((Ticket.public_id == ticket) | (Ticket.number == ticket.upper()))
            if day:
                q = q.where(E.at >= start, E.at < start + timedelta(days=1))
            if before is not None:
                q = q.where(E.seq < before)
            return q.order_by(E.seq.desc()).limit(limit + 1)

        # one page from the hot log and one from the archive (hallq archive), merged by seq
        rows = list(merged(execute_both(s, page), key=lambda row: row[0].seq, reverse=True))[: limit + 1]
        more = len(rows) > limit
        rows = rows[:limit]
        look = Looked(
            windows={
                i: n for i, n in s.execute(select(Window.id, Window.number).where(Window.hall_id == hall.id))
            },
            notices=_notices_of(s, [r[0] for r in rows]),
        )
        events = []
        for e, u, w, t in rows:
            line = describe(e, look)
            events.append(
                {
                    "seq": e.seq,
                    "at": e.at.astimezone(tz).isoformat(timespec="seconds"),
                    "type": e.type,
                    "action": line.action[0],
                    "action_en": line.action[1],
                    "actor": {"username": u.username, "name": u.name, "badge": u.badge} if u else None,
                    "actor_role": e.actor_role,
                    "window": {"id": w.id, "number": w.number} if w else None,
                    "ticket": {"id": t.public_id, "number": t.number} if t else None,
                    "summary": line.details[0],
                    "summary_en": line.details[1],
                }
            )
        return {"events": events, "next_before": rows[-1][0].seq if more and rows else None}


def audit_log(ctx: Context, actor: Principal, hall_code: str, **filters: Any) -> list[dict[str, Any]]:
    """The rows of one page (audit_page without its cursor)."""
    events: list[dict[str, Any]] = audit_page(ctx, actor, hall_code, **filters)["events"]
    return events


def audit_rows(ctx: Context, actor: Principal, hall_code: str, **filters: Any) -> Iterator[dict[str, Any]]:
    """Every row of the filtered range, newest first, read EXPORT_PAGE at a time. The first page
    is read now (a bad filter or a forbidden hall is an error before anything streams)."""
    filters.pop("limit", None)
    filters.pop("before", None)
    first = audit_page(ctx, actor, hall_code, limit=EXPORT_PAGE, **filters)

    def pages() -> Iterator[dict[str, Any]]:
        page = first
        while True:
            yield from page["events"]
            if page["next_before"] is None:
                return
            page = audit_page(ctx, actor, hall_code, limit=EXPORT_PAGE, before=page["next_before"], **filters)

    return pages()


HEADER = [
    "seq",
    "时间 time",
    "事件 event",
    "操作 action",
    "action",
    "操作人 actor",
    "工号 badge",
    "角色 role",
    "窗口 window",
    "票号 ticket",
    "说明 details",
    "details",
]


def _cells(r: Mapping[str, Any]) -> list[Any]:
    a = r["actor"] or {}
    return [
        r["seq"],
        r["at"],
        r["type"],
        r["action"],
        r["action_en"],
        a.get("name", ""),
        a.get("badge", ""),
        r["actor_role"] or "",
        (r["window"] or {}).get("number", ""),
        (r["ticket"] or {}).get("number", ""),
        r["summary"],
        r["summary_en"],
    ]


def audit_csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The audit rows as CSV, line by line (UTF-8 with BOM, so Excel opens the Chinese correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)

    def line(cells: list[Any]) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        return out.getvalue()

    yield "\ufeff" + line(HEADER)
    for r in rows:
        yield line(_cells(r))


def audit_csv(rows: Iterable[dict[str, Any]]) -> str:
    """The audit rows as one CSV text."""
    return "".join(audit_csv_lines(rows))


def audit_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    """The audit rows as an XLSX workbook (written row by row: openpyxl's write-only mode)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志 audit")
    ws.append(HEADER)
    for r in rows:
        ws.append(_cells(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
