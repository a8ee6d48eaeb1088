"""Tables of hallq. Current state lives in rows; history in the append-only `events` table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from .types import UTCDateTime


class Base(DeclarativeBase):
    pass


class Hall(Base):
    __tablename__ = "halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: the English name used with ?lang=en (falls back to `name` when empty)
    name_en: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    #: hour (local) at which a new business day starts
    rollover_hour: Mapped[int] = mapped_column(Integer, default=0)
    #: last event sequence number; bumped in every writing transaction (serialises per hall)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], …}; None = open around the clock
    opening_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: pause reasons a clerk may pick that boards show to the public; None = the default list
    #: (domain.disclosure.DEFAULT_PUBLIC_PAUSE_REASONS); any other reason stays with staff
    public_pause_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    #: the hall's public commitments (服务承诺, 挂牌上岗), shown on every window board; None = none
    commitments: Mapped[str | None] = mapped_column(String(2000))
    commitments_en: Mapped[str | None] = mapped_column(String(2000))
    #: public supervision: the hall board shows this month's satisfaction rate per window
    show_satisfaction: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: how citizens complain (12345 hotline, the supervision office…), shown on the phone page
    complaint_channel: Mapped[str | None] = mapped_column(String(300))
    #: minutes within which a citizen should be served (the dashboard's on-target share)
    wait_target_minutes: Mapped[int | None] = mapped_column(Integer)
    #: voice calls: how many times the boards speak each announcement; English after the Chinese
    announce_times: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    announce_english: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: appointments (预约): minutes after its slot a booking still checks in as one; open
    #: bookings a phone number may hold at once
    booking_grace_minutes: Mapped[int | None] = mapped_column(Integer)
    max_open_bookings: Mapped[int | None] = mapped_column(Integer)
    #: a 调休 make-up workday uses this weekday's opening hours ("mon" … "fri"); None = Monday's
    makeup_weekday: Mapped[str | None] = mapped_column(String(3))
    #: when no window can serve a service right now, the kiosk warns; it still issues a number
    #: (to queue for later) only while this is set
    queue_when_unserved: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    services: Mapped[list[Service]] = relationship(back_populates="hall", order_by="Service.sort")
    windows: Mapped[list[Window]] = relationship(back_populates="hall", order_by="Window.number")


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("hall_id", "code"), UniqueConstraint("hall_id", "prefix"))

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    code: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(50), default="")
    category_en: Mapped[str | None] = mapped_column(String(50))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: the service guide (办事指南): materials, steps, time limits, fees, legal basis (server/guide.py)
    guide: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: appointments (预约): {"slot_minutes", "capacity", "days_ahead"}; None = not bookable
    booking: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    hall: Mapped[Hall] = relationship(back_populates="services")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # admin | manager | clerk
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    name: Mapped[str] = mapped_column(String(100))
    badge: Mapped[str | None] = mapped_column(String(32))
    #: the unguessable key of the clerk's photo (挂牌上岗: /photos/<key>); new with every upload
    photo_key: Mapped[str | None] = mapped_column(String(24), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: bumped by logout-everywhere, a password change or deactivation: older sessions end
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: failed logins in a row (reset by a good one) and when the next try is allowed
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hall: Mapped[Hall | None] = relationship()


class Window(Base):
    __tablename__ = "windows"
    __table_args__ = (UniqueConstraint("hall_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="closed")
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    #: A/B posts (AB岗): A is responsible; B covers while A is away
    a_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", name="fk_windows_a_user_id"))
    b_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", name="fk_windows_b_user_id"))
    #: since when an unstaffed window with waiting citizens has been alarming (None: no alarm)
    alarm_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hall: Mapped[Hall] = relationship(back_populates="windows")
    clerk: Mapped[User | None] = relationship(foreign_keys=[clerk_id])
    a_user: Mapped[User | None] = relationship(foreign_keys=[a_user_id])
    b_user: Mapped[User | None] = relationship(foreign_keys=[b_user_id])
    service_links: Mapped[list[WindowService]] = relationship(
        order_by="WindowService.position", cascade="all, delete-orphan"
    )


class WindowService(Base):
    """A service a window serves, in the window's order."""

    __tablename__ = "window_services"

    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    service: Mapped[Service] = relationship()


class ApiToken(Base):
    """A bearer token of a device (kiosk, board) or script; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the window a rating pad (评价器) is bound to
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", name="fk_api_tokens_window_id"))
    #: boards: this one plays the voice calls (one speaker per zone of the hall)
    speaker: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    zone: Mapped[str | None] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    hall: Mapped[Hall | None] = relationship()
    user: Mapped[User | None] = relationship()


class Counter(Base):
    """The last number handed out per service and business day (updated with the ticket)."""

    __tablename__ = "counters"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # numbers are unique per numbering service and day; a transfer moves the ticket to
        # another service's queue but it keeps the number its own service gave it
        UniqueConstraint("counter_service_id", "business_day", "counter", name="uq_tickets_number"),
        Index("ix_tickets_queue", "hall_id", "business_day", "status"),
        Index("ix_tickets_window_status", "window_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    #: the service whose counter gave the number (service_id changes on transfer, this never)
    counter_service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", name="fk_tickets_counter_service_id")
    )
    business_day: Mapped[date] = mapped_column(Date)
    counter: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    directed_window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    reactivations: Mapped[int] = mapped_column(Integer, default=0)
    #: the clerk who called it (who was on post)
    served_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: keyed hash of the citizen's phone number, never the number itself
    citizen_key: Mapped[str | None] = mapped_column(String(64))
    #: first-contact owner (首办责任人): the first clerk who served the citizen
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", name="fk_tickets_owner_id"))
    #: the one-time notice the citizen came back with (fast lane)
    #: what completing it meant (status stays done): done | accepted | refused | notice
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_reason: Mapped[str | None] = mapped_column(String(500))
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", name="fk_tickets_notice_id", use_alter=True)
    )
    #: the appointment (预约) the citizen checked in with
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookings.id", name="fk_tickets_booking_id", use_alter=True)
    )

    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    notice: Mapped[Notice | None] = relationship(foreign_keys=[notice_id])
    window: Mapped[Window | None] = relationship(foreign_keys=[window_id])
    directed_window: Mapped[Window | None] = relationship(foreign_keys=[directed_window_id])


class Event(Base):
    """Append-only log: who did what, when, where. Feeds realtime, statistics and audit."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("hall_id", "seq"),
        # a ticket's history (evaluation join, complaint evidence, the no-show's clerk)
        Index("ix_events_ticket", "ticket_id"),
        # a hall's span of time (a day's audit, a month's ticket events, the archive's day)
        Index("ix_events_hall_at", "hall_id", "at"),
        # the repeat trips of a span (evaluation, appraisal, figures): a handful of rows among
        # millions, so a partial index that costs the other events' writes nothing
        Index(
            "ix_events_trips",
            "hall_id",
            "at",
            postgresql_where=text("type = 'trip.repeated'"),
            sqlite_where=text("type = 'trip.repeated'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Printer(Base):
    """A thermal printer: a network printer driven by the server, or one at a kiosk driven by its agent."""

    __tablename__ = "printers"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    name: Mapped[str] = mapped_column(String(100))
    spec: Mapped[str] = mapped_column(String(300))
    width_mm: Mapped[int] = mapped_column(Integer, default=80)
    mode: Mapped[str] = mapped_column(String(8), default="text")  # text | raster
    #: "server" drives it over the network; "agent" is a kiosk agent's local USB/serial/file printer
    driver: Mapped[str] = mapped_column(String(8), default="server")
    #: the kiosk whose tickets it prints
    kiosk_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    #: the window whose slips (notices) it prints
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id", name="fk_printers_window_id"))
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    status_detail: Mapped[str | None] = mapped_column(String(300))
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PrintJob(Base):
    """One slip to print: queued → sent → printed | failed. Its public id makes retries idempotent."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        Index("ix_print_jobs_printer_status", "printer_id", "status"),
        # a ticket's slips (the kiosk's reprint) and the archive's hall-day
        Index("ix_print_jobs_ticket", "ticket_id"),
        Index("ix_print_jobs_hall_created", "hall_id", "created_at"),
        # deleting a job (the archive) checks that no reprint points at it: without this, a
        # scan of the whole table per job on PostgreSQL; partial, as few jobs are reprints
        Index(
            "ix_print_jobs_reprints",
            "reprint_of_id",
            postgresql_where=text("reprint_of_id IS NOT NULL"),
            sqlite_where=text("reprint_of_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(String(16), default="ticket")
    #: what the slip shows, fixed when the job is made (a reprint shows the same)
    slip: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_kind: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(300))
    reprint_of_id: Mapped[int | None] = mapped_column(ForeignKey("print_jobs.id"))
    requested_by_role: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    printer: Mapped[Printer] = relationship()


class EventArchive(Base):
    """Events of closed days, moved out of `events` by `hallq archive` with their ids (same
    columns; server/storage/archive.py reads both as one)."""

    __tablename__ = "events_archive"
    __table_args__ = (
        UniqueConstraint("hall_id", "seq", name="uq_events_archive_hall_seq"),
        Index("ix_events_archive_ticket", "ticket_id"),
        Index("ix_events_archive_hall_at", "hall_id", "at"),
        Index(
            "ix_events_archive_trips",
            "hall_id",
            "at",
            postgresql_where=text("type = 'trip.repeated'"),
            sqlite_where=text("type = 'trip.repeated'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(16))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class PrintJobArchive(Base):
    """Finished print jobs of closed days, moved out of `print_jobs` with their ids (same
    columns; `reprint_of_id` is no foreign key here: the original may be hot or archived)."""

    __tablename__ = "print_jobs_archive"
    __table_args__ = (
        Index("ix_print_jobs_archive_ticket", "ticket_id"),
        Index("ix_print_jobs_archive_hall_created", "hall_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    public_id: Mapped[str] = mapped_column(String(24), unique=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(String(16))
    slip: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer)
    error_kind: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(300))
    reprint_of_id: Mapped[int | None] = mapped_column(Integer)
    requested_by_role: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DutyLease(Base):
    """Who runs a background duty (alarm checks, the print worker) across server processes, and
    until when: the holder renews it; once it lapsed another process takes it (domain/leases.py)."""

    __tablename__ = "duty_leases"

    duty: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: the holding process, `node:port` (node: HALLQ_NODE or the host name)
    holder: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    #: when this holder took the duty (renewals keep it)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Transfer(Base):
    """One step of a ticket's transfer chain (转办): from where, to where, why, by whom."""

    __tablename__ = "ticket_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    from_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    to_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    from_window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    to_window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    reason: Mapped[str] = mapped_column(String(300))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Notice(Base):
    """A one-time notice (一次告知单): every missing item, told at once, kept with a short code."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_hall_created", "hall_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: the unguessable key of the notice's phone page (the QR carries it; ≥ 60 bits); the short
    #: code is only for typing at a kiosk, where look-ups are rate-limited
    token: Mapped[str | None] = mapped_column(String(24), unique=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    #: [{"id": material id or null, "name": text, "reason": why it was not on the earlier notice}]
    missing: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(1000))
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    citizen_key: Mapped[str | None] = mapped_column(String(64))
    #: the notice this one follows (the citizen came back with it)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Leave(Base):
    """A clerk's registered leave, with the handover note for the B post (移交)."""

    __tablename__ = "leaves"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    start_day: Mapped[date] = mapped_column(Date)
    end_day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    handover_note: Mapped[str] = mapped_column(String(2000))
    #: registered later than the day before the leave starts (AB岗制度: 提前一天移交)
    short_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Attendance(Base):
    """Who was on post where and when: sign-in, sign-out, pause (with reason), resume."""

    __tablename__ = "attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("windows.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarYear(Base):
    """A year of the working-day calendar imported or edited for every hall (hall_id NULL) or
    for one hall; it replaces what the base source (chinese-calendar) says of that year."""

    __tablename__ = "calendar_years"
    __table_args__ = (UniqueConstraint("hall_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    year: Mapped[int] = mapped_column(Integer)
    #: where the schedule came from ("国办发明电〔2026〕12号", a file name)
    source: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarDay(Base):
    """A statutory holiday or a 调休 make-up workday of an imported year."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("calendar_years.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    #: holiday | workday
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(50), default="")


class Case(Base):
    """A matter accepted at a window (办件): finished within its time limit, then delivered."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("hall_id", "number"),
        # the evaluation's month of accepted cases
        Index("ix_cases_hall_accepted", "hall_id", "accepted_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unguessable key of the citizen's page /c/<code> (≥ 60 bits)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    #: the human case number, printed and spoken on the phone
    number: Mapped[str] = mapped_column(String(32))
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), unique=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    #: the first-contact clerk who follows it until delivery (changes only with a recorded reason)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: accepted | suspended | completed | delivered
    status: Mapped[str] = mapped_column(String(16))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the hall's local date of acceptance (it does not count toward the limit)
    accepted_day: Mapped[date] = mapped_column(Date)
    #: working days promised (else the legal limit) when it was accepted
    limit_days: Mapped[int | None] = mapped_column(Integer)
    legal_limit_days: Mapped[int | None] = mapped_column(Integer)
    warn_days: Mapped[int | None] = mapped_column(Integer)
    #: None while suspended, when there is no limit, or when the calendar lacks a year
    due_day: Mapped[date | None] = mapped_column(Date, index=True)
    #: the year the calendar must import before the due date can be computed
    calendar_missing: Mapped[int | None] = mapped_column(Integer)
    #: why an on-the-spot matter (即办件) was accepted as a case
    reason: Mapped[str | None] = mapped_column(String(500))
    #: [{"name": ...}] the materials received
    materials: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: window | post | electronic
    delivery_method: Mapped[str | None] = mapped_column(String(16))
    delivery_note: Mapped[str | None] = mapped_column(String(200))
    #: 督办: a manager's note, the reply deadline and the owner's answer
    supervised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supervised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supervision_note: Mapped[str | None] = mapped_column(String(500))
    supervision_due: Mapped[date | None] = mapped_column(Date)
    supervision_answer: Mapped[str | None] = mapped_column(String(1000))
    supervision_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    citizen_key: Mapped[str | None] = mapped_column(String(64))

    service: Mapped[Service] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])


class CaseStep(Base):
    """One step of a case's history, in order: who did what, when, why. Suspensions, hand-overs
    and the owner on each day are read from here."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: accepted | suspended | resumed | completed | delivered | reassigned | supervised | answered
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the hall's local date of the step (suspensions count by day)
    day: Mapped[date] = mapped_column(Date)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the owner after this step
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class UserPhoto(Base):
    """A clerk's photo (挂牌上岗), shown on the window board and the rating pad."""

    __tablename__ = "user_photos"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: image/jpeg | image/png | image/webp (checked by its bytes, not by what the upload says)
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Escalation(Base):
    """A clerk's question to a manager (请示) about a ticket or a case; the manager's answer comes
    back to the clerk, and what the citizen was told is recorded (反馈)."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_hall_open", "hall_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    question: Mapped[str] = mapped_column(String(1000))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(String(1000))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: what the clerk told the citizen (反馈), shown on the case's page
    feedback: Mapped[str | None] = mapped_column(String(1000))
    fed_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rating(Base):
    """One citizen's rating of one completed ticket (好差评, 一次一评): 5 = 非常满意 … 1 = 非常不满意."""

    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_hall_day", "hall_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    #: the clerk who served the ticket (who was on post)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    level: Mapped[int] = mapped_column(Integer)
    #: reason keys of the two low levels (domain list) and free text
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(String(500))
    #: pad | phone
    source: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: the hall's local date of the rating
    day: Mapped[date] = mapped_column(Date)


class Complaint(Base):
    """A follow-up (差评/投诉/举报): opened by a bad rating or a complaint, verified (核实), corrected
    (整改) and answered to the citizen (回访) within its deadline in working days."""

    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("hall_id", "number"),
        Index("ix_complaints_hall_day", "hall_id", "filed_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the unguessable key of the citizen's page /complaints/<code> (≥ 60 bits)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    #: the human number, spoken on the phone
    number: Mapped[str] = mapped_column(String(32))
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    #: rating | phone | kiosk | hotline | letter
    source: Mapped[str] = mapped_column(String(16))
    #: attitude | shirking | overdue | notice | fees | integrity (廉政: the supervisor role only)
    category: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    #: who and what it concerns (from the ticket where there is one)
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    window_id: Mapped[int | None] = mapped_column(ForeignKey("windows.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    text: Mapped[str] = mapped_column(String(2000), default="")
    #: how to reach the citizen for the answer (staff only, never on a public screen)
    contact: Mapped[str | None] = mapped_column(String(100))
    #: the manager who entered it (hotline, letter)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_day: Mapped[date] = mapped_column(Date)
    #: None when the calendar lacks a year (`calendar_missing` names it)
    due_day: Mapped[date | None] = mapped_column(Date)
    calendar_missing: Mapped[int | None] = mapped_column(Integer)
    #: open | verified | answered
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: upheld | not_upheld
    verdict: Mapped[str | None] = mapped_column(String(16))
    #: what the verification rests on: ids of events, transfers, notices, audit rows, and a note
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    corrective_action: Mapped[str | None] = mapped_column(String(1000))
    answer: Mapped[str | None] = mapped_column(String(1000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_day: Mapped[date | None] = mapped_column(Date)


class AppraisalRecord(Base):
    """A record against a clerk (责任追究): an upheld complaint or bad rating, an overdue case or a
    flagged repeat trip, with the manager's decision; the clerk sees it and may answer."""

    __tablename__ = "appraisal_records"
    __table_args__ = (Index("ix_appraisal_records_user_day", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: complaint | rating | overdue | repeat_trip
    kind: Mapped[str] = mapped_column(String(16))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    #: the hall's local date the fault belongs to (the month it is scored in)
    day: Mapped[date] = mapped_column(Date)
    #: reminder (提醒) | circular (通报) | deduct (扣分)
    decision: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(String(1000))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    clerk_answer: Mapped[str | None] = mapped_column(String(1000))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AppraisalRules(Base):
    """A version of the hall's appraisal rules (weights and caps); a month is scored by the version
    in force on its first day."""

    __tablename__ = "appraisal_rules"
    __table_args__ = (UniqueConstraint("hall_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoiceClip(Base):
    """A hall's own recorded clip (a digit, a letter or a word) announcements are stitched from."""

    __tablename__ = "voice_clips"
    __table_args__ = (UniqueConstraint("hall_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    #: what it says: "0"–"9", "A"–"Z", or a word of the announcement ("请", "号", "到", "窗口办理")
    key: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoiceAudio(Base):
    """A rendered announcement, cached under the hash of what makes it (text, voice, clips)."""

    __tablename__ = "voice_audio"

    #: the content hash: the audio's URL holds it and nothing else (no ticket id)
    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("halls.id"))
    text: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Booking(Base):
    """An appointment (预约): a service, a day and a slot; checked in at the kiosk by its code."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_hall_day", "hall_id", "day"),
        Index("ix_bookings_citizen", "hall_id", "citizen_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the short code a citizen types at the kiosk (rate-limited look-ups)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    #: the unguessable key of the booking's phone page and QR (≥ 60 bits)
    token: Mapped[str] = mapped_column(String(24), unique=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    #: the hall's local day and the slot's bounds
    day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: keyed hash of the phone number, never the number itself
    citizen_key: Mapped[str] = mapped_column(String(64))
    #: booked | cancelled | checked_in | walk_in (late: checked in as a walk-in) | no_show
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", name="fk_bookings_ticket_id"))
    #: the booking this one replaced (rescheduled)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
