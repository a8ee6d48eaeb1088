"""Every event type hallq records and pushes (also the Socket.IO event names)."""

TICKET_ISSUED = "ticket.issued"
TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_STARTED = "ticket.started"
TICKET_NO_SHOW = "ticket.no_show"
TICKET_DONE = "ticket.done"
TICKET_CANCELLED = "ticket.cancelled"
TICKET_REACTIVATED = "ticket.reactivated"
TICKET_TRANSFERRED = "ticket.transferred"
WINDOW_UPDATED = "window.updated"
QUEUE_UPDATED = "queue.updated"
PRINTER_STATUS = "printer.status"
PRINT_UPDATED = "print.updated"
NOTICE_CREATED = "notice.created"
POSTS_UPDATED = "posts.updated"
LEAVE_REGISTERED = "leave.registered"
WINDOW_ALARM = "window.alarm"
WINDOW_ALARM_CLEARED = "window.alarm_cleared"
QUEUE_MOVED = "queue.moved"
HALL_UPDATED = "hall.updated"
SERVICE_UPDATED = "service.updated"
TRIP_REPEATED = "trip.repeated"

ALL = (
    TICKET_ISSUED,
    TICKET_CALLED,
    TICKET_RECALLED,
    TICKET_STARTED,
    TICKET_NO_SHOW,
    TICKET_DONE,
    TICKET_CANCELLED,
    TICKET_REACTIVATED,
    TICKET_TRANSFERRED,
    WINDOW_UPDATED,
    QUEUE_UPDATED,
    PRINTER_STATUS,
    PRINT_UPDATED,
    NOTICE_CREATED,
    POSTS_UPDATED,
    LEAVE_REGISTERED,
    WINDOW_ALARM,
    WINDOW_ALARM_CLEARED,
    QUEUE_MOVED,
    HALL_UPDATED,
    SERVICE_UPDATED,
    TRIP_REPEATED,
)

# Socket.IO events between the server and kiosk printer agents (not hall events: no seq)
AGENT_HELLO = "agent.hello"
AGENT_JOB = "print.job"
AGENT_RESULT = "print.result"
AGENT_STATUS = "agent.status"
