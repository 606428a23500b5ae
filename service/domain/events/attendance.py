"""After an appointment the worker records whether the client came.

Why: no-shows are the "problem points" the team looks for on the service path, and
whether the client had confirmed tells a reminder that was ignored from one that was
never heard. Nobody knows before the appointment starts, so it is refused until then.
Attended and no-show close the event as done; cancelled by the client closes it as
cancelled. A later correction between attended and no-show overwrites the record; the
answer the event had before the first record is kept (answer_before_attendance).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from service.domain.events import event_states
from service.domain.events.lifecycle import cancel_pending
from service.domain.privacy import audit
from service.store.models import Event
from service.store.states import Attendance, EventKind, EventState

# Why attendance cannot be recorded: a stable code, and the words for the worker.
MESSAGES = {
    "not_appointment": "Läsnäolo kirjataan vain ajoille.",
    "not_started": "Aika ei ole vielä alkanut. Läsnäolon voi kirjata, kun aika on alkanut.",
    "cancelled": "Aika on peruttu, joten läsnäoloa ei kirjata.",
    "cancelled_by_client": "Aika on kirjattu asiakkaan perumaksi, eikä sitä voi enää muuttaa.",
}


class AttendanceRefused(ValueError):
    """Attendance cannot be recorded for this event now: `code` is a key of MESSAGES."""

    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code])
        self.code, self.message = code, MESSAGES[code]


def attendance_problem(event: Event, attendance: Attendance | None, now: datetime) -> str | None:
    """Why attendance cannot be recorded, a key of MESSAGES (None: it can). With
    attendance None: whether anything can be recorded at all (the event page's form)."""
    if event.kind != EventKind.APPOINTMENT or event.starts_at is None:
        return "not_appointment"
    if now < event.starts_at:
        return "not_started"
    if event.state == EventState.CANCELLED and event.attendance is None:
        return "cancelled"
    if event.attendance == Attendance.CANCELLED_BY_CLIENT \
            and attendance not in (None, Attendance.CANCELLED_BY_CLIENT):
        return "cancelled_by_client"
    return None


def record_attendance(session: Session, event: Event, attendance: Attendance, *,
                      worker_id: int | None, now: datetime) -> None:
    """Record it (raises AttendanceRefused), close the event, audit; caller commits."""
    problem = attendance_problem(event, attendance, now)
    if problem is not None:
        raise AttendanceRefused(problem)
    if event.attendance is None:
        event.answer_before_attendance = event.state
    target = EventState.CANCELLED if attendance is Attendance.CANCELLED_BY_CLIENT \
        else EventState.DONE
    if event.state != target:
        event_states.move(event, target, now)
    cancel_pending(session, event, "event_cancelled" if target is EventState.CANCELLED
                   else "too_late")
    event.attendance, event.attendance_at, event.attendance_by = attendance, now, worker_id
    event.updated_at = now
    audit.record(session, worker_id, "update", "event", event.id, f"attendance {attendance}")


def attendance_of(attended: bool, cancelled_by_client: bool) -> Attendance:
    """The API's two keys as one record: cancelled by the client wins."""
    if cancelled_by_client:
        return Attendance.CANCELLED_BY_CLIENT
    return Attendance.ATTENDED if attended else Attendance.NO_SHOW
