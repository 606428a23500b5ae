"""Who wrote, and what their reply answers, read in one statement: a text's look-up.

Why: every stored text is read through here (scheduling/text_reading.py), and each
statement costs a round trip and SQLAlchemy's work of building it (issue 19). The client rows
behind the number (one number may be a client in two teams), for each the event and
reminder a reply most likely answers, and what the last text to the number asked come
back together. The statement is built once, at import; a request only binds values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Select,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from service.domain.replies.asked import last_asked
from service.domain.replies.reading import Question, question_for
from service.domain.teams.cover import Whereabouts, covering
from service.store.models import Absence, Client, Event, Message, Reminder, Team, Worker
from service.store.states import Direction, EventState

__all__ = ["Candidate", "SenderLookup", "look_up_sender"]


@dataclass(frozen=True)
class Candidate:
    """A client the number belongs to, and what a reply from them most likely answers:
    the event of the last reminder we sent them, else their latest event not cancelled."""

    client: Client
    texted: bool  # the client's team is the one whose number was written to
    event: Event | None
    reminder: Reminder | None
    desk: Whereabouts  # the client's worker today (an item's route: teams/cover.py)


@dataclass(frozen=True)
class SenderLookup:
    candidates: list[Candidate]
    question: Question | None  # what the last message or call to the number asked


def _texted_rule() -> ColumnElement[bool]:
    """Texted.team_rule with its numbers bound per request (a missing number is bound
    as NULL, which matches no team)."""
    numbers = [bindparam("texted_to", type_=String), bindparam("texted_via", type_=String)]
    return or_(Team.sender.in_(numbers), Team.phone.in_(numbers),
               and_(bindparam("installation_texted", type_=Boolean), Team.sender.is_(None)))


def _statement() -> Select[Any]:
    """Each part is correlated to the client row, so two clients sharing a number each
    get their own event, reminder and worker; what was asked depends on the number only."""
    last_reminder = (select(Message.reminder_id).where(
        Message.direction == Direction.OUT, Message.client_id == Client.id,
        Message.reminder_id.is_not(None)).order_by(Message.created_at.desc(), Message.id.desc())
        .limit(1).correlate(Client).scalar_subquery())
    sent_about, latest = aliased(Reminder), aliased(Event)
    reminded_event = (select(sent_about.event_id).where(sent_about.id == last_reminder)
                      .correlate(Client).scalar_subquery())
    latest_event = (select(latest.id).where(
        latest.client_id == Client.id, latest.state != EventState.CANCELLED,
        latest.recurrence.is_(None))  # a series is answered through its occurrences
        .order_by(latest.created_at.desc()).limit(1).correlate(Client).scalar_subquery())
    away = (covering(Client.worker_id, bindparam("today", type_=Date))
            .with_only_columns(Absence.id).correlate(Client).scalar_subquery())
    asked = last_asked(bindparam("phone", type_=String)).subquery("asked")
    return (select(Client, _texted_rule().label("texted"), Event, Reminder,
                   Worker.active.label("worker_active"), Absence, Team.escalate_after_hours,
                   asked.c.id.label("asked_id"), asked.c.channel.label("asked_channel"),
                   asked.c.template.label("asked_template"))
            .join(Team, Team.id == Client.team_id)
            .outerjoin(Event, Event.id == func.coalesce(reminded_event, latest_event))
            .outerjoin(Reminder, and_(Reminder.id == last_reminder, Reminder.event_id == Event.id))
            .outerjoin(Worker, Worker.id == Client.worker_id)
            .outerjoin(Absence, and_(Worker.active, Absence.id == away))
            .outerjoin(asked, true())
            .where(Client.phone == bindparam("phone"), Client.anonymised_at.is_(None)))


LOOK_UP = _statement()


def look_up_sender(session: Session, phone: str, today: date, *, to: str = "", via: str = "",
                   installation: str = "") -> SenderLookup:
    """The clients behind `phone` and what each one's reply answers (`today`: the local
    date absences are judged on). No client: an empty list, and the question is not read
    here (the caller asks asked.last_question)."""
    rows = session.execute(LOOK_UP, {
        "phone": phone, "today": today, "texted_to": to or None, "texted_via": via or None,
        "installation_texted": bool(installation) and installation in (to, via)}).all()
    if not rows:
        return SenderLookup([], None)
    first = rows[0]
    question = (None if first.asked_id is None
                else question_for(first.asked_template, first.asked_channel))
    return SenderLookup([Candidate(r.Client, bool(r.texted), r.Event, r.Reminder,
                                   Whereabouts(bool(r.worker_active), r.Absence,
                                               r.escalate_after_hours))
                         for r in rows], question)
