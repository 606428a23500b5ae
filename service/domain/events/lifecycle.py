"""Registering, changing and cancelling events, and planning their reminders.

Planning is computed by plan_event() without touching the database, so the same
plan can be shown as a preview before saving; apply_plan() writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.events import event_states
from service.domain.fields import collect_text, day_problem
from service.domain.planning import reminder_states as rstate
from service.domain.planning.answers import answer_reason
from service.domain.planning.send_times import Rule, ideal_send_time, plan_send_time
from service.domain.texts.rendering import reader_for, render_text
from service.domain.texts.sms import analyse_sms
from service.store.models import Client, Event, Reminder, TrustedPerson
from service.store.states import (
    EVENT_CLOSED,
    EventKind,
    EventState,
    ListenReason,
    ReminderState,
)

APPOINTMENT_TYPES = ("worker", "home_visit", "phone", "video", "health", "kela",
                     "employment", "debt_counselling", "guardianship", "other",
                     "bill_due", "medication_pickup")
# Kinds where the client goes nowhere: their texts ask nobody to come (the templates'
# [phone], [home], [video] and [due] lines, message_templates/). A bill or rent due
# and a medication pickup recur without a place (domain/events/series.py).
NOBODY_TRAVELS = ("phone", "video", "home_visit", "bill_due")


@dataclass(frozen=True)
class PlannedReminder:
    rule_id: str
    template: str
    channel: str
    recipient: str
    trusted_person_id: int | None
    condition: str | None
    send_at: datetime | None
    latest_at: datetime | None
    state: ReminderState
    reason: str | None
    text: str
    segments: int | None
    encoding: str | None
    # Skipped only because the client declined: the time it would go, kept on the row
    # so a confirm after all can plan it again (domain/planning/answers.py).
    declined_send_at: datetime | None = None


@dataclass
class AppointmentInput:
    client_id: int
    starts_at: datetime
    place: str = ""
    bring: str = ""
    needs_transport: bool = False
    appointment_type: str = "other"


@dataclass
class ApplicationInput:
    client_id: int
    agency: str
    submitted_on: date | None = None
    documents_due: date | None = None
    decision_expected: date | None = None


def resolve_channel(rule_channel: str, number_type: str, preference: str) -> str:
    """Which channel a reminder really uses: a landline can only take calls."""
    if rule_channel == "task":
        return "task"
    if number_type != "mobile":
        return "voice"
    if rule_channel in ("sms", "voice"):
        return rule_channel
    return preference if preference in ("sms", "voice") else "sms"


def _anchor(event: Event, rule: Rule, rt: DomainContext) -> tuple[datetime, datetime | None] | None:
    """The anchor instant and the moment after which this rule's reminder is pointless."""
    if rule.anchor == "starts_at":
        if event.starts_at is None:
            return None
        return event.starts_at, event.starts_at
    day = getattr(event, rule.anchor)
    if day is None:
        return None
    midnight = datetime.combine(day, time(0, 0), tzinfo=rt.tz)
    if rule.before is not None:
        # A deadline day lasts until its end, local time.
        end = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=rt.tz)
        return midnight, end
    return midnight, None


def _recipients(client: Client, rule: Rule) -> list[tuple[str, TrustedPerson | None]]:
    if rule.recipient == "worker":
        return [("worker", None)]
    out: list[tuple[str, TrustedPerson | None]] = [("client", None)]
    if rule.recipient == "client":
        out += [("trusted", p) for p in client.trusted_persons if p.active]
    elif rule.recipient == "trusted":
        out = [("trusted", p) for p in client.trusted_persons if p.active]
    return out


def plan_event(event: Event, client: Client, rt: DomainContext, now: datetime,
               sent_rules: frozenset[tuple[str, int | None]] = frozenset()
               ) -> list[PlannedReminder]:
    """Every reminder the rules give for this event, planned or skipped with a reason.

    `sent_rules` (rule id, trusted person id) already went out for this event: when
    planning again, such a rule whose time has passed is not sent a second time.
    """
    if event.recurrence is not None:
        return []  # a series is reminded of through its occurrences (domain/events/series.py)
    plan: list[tuple[PlannedReminder, datetime]] = []
    rt = rt.for_team(client.team_id)  # the client's team's rules, window and name
    for rule in rt.schedules.for_kind(event.kind):
        if not _applies(event, rule):
            continue
        anchored = _anchor(event, rule, rt)
        if anchored is None:
            continue
        for recipient, person in _recipients(client, rule):
            plan.append(_plan_one(event, client, rt, now, rule, anchored, recipient, person))
    planned = _without_passed(plan, now, sent_rules)
    planned.sort(key=lambda p: (p.send_at is None, p.send_at or now))
    return planned


def _applies(event: Event, rule: Rule) -> bool:
    """Whether the rule is planned ahead for this event at all (fallbacks are planned
    when their original is sent; some conditions are known now)."""
    if rule.fallback_of is not None:
        return False
    if rule.condition == "needs_transport" and not event.needs_transport:
        return False
    if rule.condition == "something_to_bring" and not event.bring:
        return False
    return not (rule.condition == "documents_missing" and event.documents_in_at is not None)


def _plan_one(event: Event, client: Client, rt: DomainContext, now: datetime, rule: Rule,
              anchored: tuple[datetime, datetime | None], recipient: str,
              person: TrustedPerson | None) -> tuple[PlannedReminder, datetime]:
    """One reminder of the plan, and the time its rule asked for (it may have passed)."""
    anchor, latest = anchored
    number_type = person.number_type if person else client.number_type
    if person is None and client.sms_blocked_at is not None:
        number_type = "fixed_line"  # texts do not reach this number: calls instead
    language = person.language if person else client.language
    channel = resolve_channel(rule.channel, number_type,
                              client.channel if person is None else "auto")
    window = rt.client_window(client.window)
    result = plan_send_time(rule, anchor, now=now, window=window, latest=latest)
    reason: str | None = result.skip_reason
    if reason is None:
        reason = _answered_or_blocked(event, client, rule, recipient, channel)
    text = render_text(rt.templates, channel, rule.template, language, event,
                       rt.sender, client_name=client.name, reader=reader_for(person, client.name))
    info = analyse_sms(text) if channel == "sms" else None
    ideal = ideal_send_time(anchor, rule, window.tz, window.holidays_country)
    return PlannedReminder(
        rule_id=rule.id, template=rule.template, channel=channel,
        recipient=recipient, trusted_person_id=person.id if person else None,
        condition=rule.condition, send_at=None if reason else result.send_at,
        latest_at=latest - rule.min_lead if latest is not None else None,
        state=ReminderState.SKIPPED if reason else ReminderState.PLANNED,
        reason=reason, text=text, segments=info.segments if info else None,
        encoding=info.encoding if info else None,
        declined_send_at=result.send_at if reason == ListenReason.DECLINED else None), ideal


def _answered_or_blocked(event: Event, client: Client, rule: Rule, recipient: str,
                         channel: str) -> str | None:
    """Planning again after an answer or a blocked number: the same reasons as at send
    time (scheduling/listening.py)."""
    if recipient == "client" and channel == "voice" and client.voice_blocked_at is not None:
        return ListenReason.VOICE_BLOCKED
    return answer_reason(rule, recipient=recipient, fallback=False, condition=rule.condition,
                         event_state=event.state)


def _without_passed(plan: list[tuple[PlannedReminder, datetime]], now: datetime,
                    sent_rules: frozenset[tuple[str, int | None]]) -> list[PlannedReminder]:
    """A rule whose time had passed when the event was planned is skipped ("offset_passed"),
    so an event registered late does not get its reminders all at once. Only when a
    person would otherwise get nothing more does the last of those go, at once."""
    future: set[tuple[str, int | None]] = set()
    last: dict[tuple[str, int | None], tuple[datetime, int]] = {}
    for index, (p, ideal) in enumerate(plan):
        person = (p.recipient, p.trusted_person_id)
        if p.state != ReminderState.PLANNED:
            continue
        if ideal >= now:
            future.add(person)
        elif (p.rule_id, p.trusted_person_id) not in sent_rules \
                and (person not in last or ideal > last[person][0]):
            last[person] = (ideal, index)
    out: list[PlannedReminder] = []
    for index, (p, ideal) in enumerate(plan):
        person = (p.recipient, p.trusted_person_id)
        if p.state == ReminderState.PLANNED and ideal < now and (
                person in future or last.get(person, (ideal, -1))[1] != index):
            p = replace(p, state=ReminderState.SKIPPED, reason=ListenReason.OFFSET_PASSED,
                        send_at=None)
        out.append(p)
    return out


def reminder_rows(event: Event, plan: list[PlannedReminder], now: datetime) -> list[Reminder]:
    """The plan as unsaved rows (the event has its id)."""
    return [Reminder(event_id=event.id, client_id=event.client_id, rule_id=p.rule_id,
                     template=p.template, channel=p.channel, recipient=p.recipient,
                     trusted_person_id=p.trusted_person_id, condition=p.condition,
                     send_at=p.send_at or p.declined_send_at or now, latest_at=p.latest_at,
                     state=p.state, reason=p.reason, created_at=now, updated_at=now)
            for p in plan]


def apply_plan(session: Session, event: Event, plan: list[PlannedReminder],
               now: datetime) -> list[Reminder]:
    rows = reminder_rows(event, plan, now)
    session.add_all(rows)
    session.flush()
    return rows


def _client(session: Session, client_id: int) -> Client:
    client = session.get(Client, client_id)
    if client is None or client.anonymised_at is not None:
        raise ValidationError({"client_id": "Asiakasta ei löydy."})
    return client


def validate_appointment(data: AppointmentInput, now: datetime) -> None:
    """Refuse what cannot be reminded of; place and bring are normalised in place
    (service/domain/fields.py: their limit, characters, no links)."""
    errors: dict[str, str] = {}
    if data.starts_at.tzinfo is None:
        errors["starts_at"] = "Anna aika aikavyöhykkeen kanssa, esim. 2026-06-03T10:00:00+03:00."
    elif problem := day_problem(data.starts_at.date()):
        errors["starts_at"] = problem
    elif data.starts_at <= now:
        errors["starts_at"] = "Aika on jo mennyt. Tarkista päivä ja kellonaika."
    data.place = collect_text(errors, "place", data.place)
    data.bring = collect_text(errors, "bring", data.bring)
    if data.appointment_type not in APPOINTMENT_TYPES:
        errors["appointment_type"] = "Tuntematon ajan tyyppi."
    elif data.needs_transport and data.appointment_type in NOBODY_TRAVELS:
        # A "book a Kela taxi" text would send a client travelling who stays at home.
        errors["needs_transport"] = "Puhelin- tai videoaikaan tai kotikäyntiin ei tarvita kyytiä."
    if errors:
        raise ValidationError(errors)


def build_appointment(session: Session, data: AppointmentInput, now: datetime) -> Event:
    """An unsaved appointment (for previews); raises ValidationError on bad input."""
    client = _client(session, data.client_id)
    validate_appointment(data, now)
    return Event(client_id=client.id, client=client, kind=EventKind.APPOINTMENT,
                 state=EventState.PLANNED,
                 starts_at=data.starts_at, place=(data.place or "").strip() or None,
                 bring=(data.bring or "").strip() or None,
                 needs_transport=bool(data.needs_transport),
                 appointment_type=data.appointment_type, created_at=now, updated_at=now)


def validate_application(data: ApplicationInput, now: datetime) -> None:
    """Refuse an application nothing can be reminded of; the agency is normalised in place."""
    errors: dict[str, str] = {}
    data.agency = collect_text(errors, "agency", data.agency)
    if not data.agency and "agency" not in errors:
        errors["agency"] = "Anna taho, jolle hakemus on jätetty (esim. Kela)."
    for name in ("submitted_on", "documents_due", "decision_expected"):
        day = getattr(data, name)
        if day is not None and (problem := day_problem(day)):
            errors[name] = problem
    if data.documents_due is None and data.decision_expected is None:
        errors["documents_due"] = "Anna lisäselvitysten määräpäivä tai päätöksen odotettu päivä."
    if data.submitted_on and data.decision_expected and data.decision_expected < data.submitted_on:
        errors["decision_expected"] = "Päätöspäivä ei voi olla ennen hakemuspäivää."
    if errors:
        raise ValidationError(errors)


def build_application(session: Session, data: ApplicationInput, now: datetime) -> Event:
    client = _client(session, data.client_id)
    validate_application(data, now)
    return Event(client_id=client.id, client=client, kind=EventKind.APPLICATION,
                 state=EventState.PLANNED,
                 agency=data.agency.strip(), submitted_on=data.submitted_on,
                 documents_due=data.documents_due, decision_expected=data.decision_expected,
                 created_at=now, updated_at=now)


def register_event(session: Session, rt: DomainContext, event: Event, now: datetime,
                   worker_id: int | None = None) -> list[Reminder]:
    """Save a built event and plan its reminders, in the caller's transaction."""
    return [row for row, _ in register_event_planned(session, rt, event, now, worker_id)]


def register_event_planned(session: Session, rt: DomainContext, event: Event, now: datetime,
                           worker_id: int | None = None
                           ) -> list[tuple[Reminder, PlannedReminder]]:
    """register_event, keeping each row's plan (its exact text) for the caller to show."""
    event.created_by = worker_id
    session.add(event)
    session.flush()
    event.client.last_activity_at = now
    plan = plan_event(event, event.client, rt, now)
    return list(zip(apply_plan(session, event, plan, now), plan, strict=True))


def cancel_pending(session: Session, event: Event, reason: str) -> int:
    """Cancel reminders not yet sent; sent ones stay as history."""
    count = 0
    for reminder in session.scalars(select(Reminder).where(
            Reminder.event_id == event.id, Reminder.state == ReminderState.PLANNED)):
        rstate.move(reminder, ReminderState.CANCELLED, reason)
        count += 1
    return count


def replan(session: Session, rt: DomainContext, event: Event, now: datetime,
           reason: str = "rescheduled") -> list[Reminder]:
    """After a change: drop what is still pending (with `reason`) and plan again from
    the new facts."""
    cancel_pending(session, event, reason)
    session.flush()
    if event.state == EventState.CANCELLED:
        return []
    sent = frozenset(session.execute(select(Reminder.rule_id, Reminder.trusted_person_id).where(
        Reminder.event_id == event.id,
        Reminder.state.in_([ReminderState.SENT, ReminderState.DELIVERED]))).tuples())
    return apply_plan(session, event, plan_event(event, event.client, rt, now, sent), now)


def reschedule(session: Session, rt: DomainContext, event: Event, data: AppointmentInput,
               now: datetime) -> list[Reminder]:
    validate_appointment(data, now)
    if event.starts_at is not None and event.starts_at != data.starts_at:
        event.previous_starts_at = event.starts_at  # the notice says "moved from"
    event.starts_at = data.starts_at
    event.place = (data.place or "").strip() or None
    event.bring = (data.bring or "").strip() or None
    event.needs_transport = bool(data.needs_transport)
    event.appointment_type = data.appointment_type
    if event.state in (EventState.CONFIRMED, EventState.DECLINED):
        event_states.move(event, EventState.PLANNED, now)  # a new time needs a new answer
    event.updated_at = now
    return replan(session, rt, event, now)


def cancel_event(session: Session, event: Event, now: datetime) -> int:
    """Cancel the event and its reminders not yet sent; how many were cancelled. A series
    takes its coming occurrences with it (past ones stay as history)."""
    event_states.move(event, EventState.CANCELLED, now)
    event.updated_at = now
    count = cancel_pending(session, event, "event_cancelled")
    if event.recurrence is not None:
        for child in session.scalars(select(Event).where(
                Event.series_id == event.id, Event.starts_at > now,
                Event.state.not_in(list(EVENT_CLOSED)))):
            event_states.move(child, EventState.CANCELLED, now)
            child.updated_at = now
            count += cancel_pending(session, child, "event_cancelled")
    return count


def replan_client(session: Session, rt: DomainContext, client: Client, now: datetime,
                  reason: str = "rescheduled") -> None:
    """A changed phone, language or channel changes every pending reminder."""
    for event in client.events:
        if event.state not in EVENT_CLOSED:
            replan(session, rt, event, now, reason)
