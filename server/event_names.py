"""Every event type hallq records and pushes (also the Socket.IO event names)."""

TICKET_ISSUED = "ticket.issued"
TICKET_CALLED = "ticket.called"
TICKET_RECALLED = "ticket.recalled"
TICKET_STARTED = "ticket.started"
TICKET_NO_SHOW = "ticket.no_show"
TICKET_DONE = "ticket.done"
TICKET_CANCELLED = "ticket.cancelled"
TICKET_REACTIVATED = "ticket.reactivated"
TICKET_NO_SHOW_UNDONE = "ticket.no_show_undone"
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
#: a year of the working-day calendar imported (staff only: the public gets no data)
CALENDAR_IMPORTED = "calendar.imported"
#: a case (办件): staff audiences only (domain/disclosure.py gives the public no data of them)
CASE_ACCEPTED = "case.accepted"
CASE_SUSPENDED = "case.suspended"
CASE_RESUMED = "case.resumed"
CASE_COMPLETED = "case.completed"
CASE_DELIVERED = "case.delivered"
CASE_REASSIGNED = "case.reassigned"
CASE_SUPERVISED = "case.supervised"
CASE_ANSWERED = "case.answered"
#: the citizen confirmed receiving the result on their case page
CASE_CONFIRMED = "case.confirmed"
#: 请示: a clerk's question to a manager, the answer, the feedback to the citizen (staff only)
ESCALATION_ASKED = "escalation.asked"
ESCALATION_ANSWERED = "escalation.answered"
ESCALATION_FED_BACK = "escalation.fed_back"
#: appraisal (绩效考核): a record against a clerk with the manager's decision, the clerk's answer,
#: a new version of the hall's rules — staff only (the public and devices get no data; clerks get
#: none of a record: their console re-reads their own)
APPRAISAL_RECORDED = "appraisal.recorded"
APPRAISAL_ANSWERED = "appraisal.answered"
APPRAISAL_RULES_SAVED = "appraisal.rules_saved"
#: a citizen rated a completed ticket (好差评): staff only
RATING_RECORDED = "rating.recorded"
#: a follow-up (差评/投诉) opened, verified (核实), answered (回访): staff only; integrity (廉政)
#: ones are never pushed and reach no staff audience (domain/disclosure.py)
COMPLAINT_FILED = "complaint.filed"
COMPLAINT_VERIFIED = "complaint.verified"
COMPLAINT_ANSWERED = "complaint.answered"
#: the hall's voice changed: announcement settings, a recorded clip saved or removed, a board
#: made (or no longer) its zone's speaker — for the audit log (the public gets no data)
VOICE_UPDATED = "voice.updated"
#: an account locked after failed logins (audit log only: never pushed, staff-only)
LOGIN_LOCKED = "login.locked"


# Socket.IO events between the server and kiosk printer agents (not hall events: no seq)
AGENT_HELLO = "agent.hello"
AGENT_JOB = "print.job"
AGENT_RESULT = "print.result"
AGENT_STATUS = "agent.status"

# Socket.IO event of the server to every socket (not a hall event: no seq, never stored)
#: the message queue between server processes was down and is back: events may have been
#: missed, so subscribe again with `since` = the last seq seen (static/js/lib/live.js does)
REALTIME_RESYNC = "realtime.resync"
