"""The data model. The database is the single source of truth, the schedule included.

Every datetime column is aware UTC (UTCDateTime); dates without a time (application
deadlines) are plain DATE columns meaning a local calendar day in Europe/Helsinki.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import (
    Boolean,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
    select,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from service import languages
from service.clock import utcnow
from service.store.db import Base, UTCDateTime
from service.store.states import (
    Attendance,
    Direction,
    EventKind,
    EventState,
    InboxKind,
    InboxState,
    MessageStatus,
    ReminderState,
    Role,
)

LANGUAGES = languages.codes()  # one data file each: service/languages/<code>.toml
CHANNEL_PREFERENCES = ("sms", "voice", "auto")
NUMBER_TYPES = ("mobile", "fixed_line", "other")

N = TypeVar("N", bound=StrEnum)


class StateString(TypeDecorator[N]):
    """A named state (service/store/states.py) in a plain VARCHAR column.

    Why: the database keeps the plain value (the schema stays the migrations'), and
    what is read back is the enum member its annotation promises. A value that is no
    member fails on reading: every writer uses the enum, so that is a bug to surface.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum: type[N], length: int) -> None:
        super().__init__(length)
        self.enum, self.length = enum, length
        self._members: dict[str, N] = {member.value: member for member in enum}

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        # Plain text is let through: a filter may compare with what a user typed.
        return None if value is None else str(value)

    def process_result_value(self, value: object, dialect: Dialect) -> N | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in self._members:
            raise ValueError(f"{value!r} is not a {self.enum.__name__}")
        return self._members[value]


class Team(Base):
    """A team of a wellbeing services county (adult social work in one municipality,
    disability services, ...): its own name, numbers, sending window and files.

    A client belongs to one team; a worker to one or more (TeamMember). Who may see what
    is decided in one place, domain/teams/access.py. `from_config` marks the team an
    installation had before teams existed: it follows the `[team]` configuration at
    every start until someone edits it in the UI.
    """

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), default="")  # E.164, the call-back number
    booking_number: Mapped[str | None] = mapped_column(String(20))  # transport (Kela taxi)
    # The team's own sending window ("08:00-20:00"); None: the installation's [sending].
    window: Mapped[str | None] = mapped_column(String(20))
    saturday_window: Mapped[str | None] = mapped_column(String(20))
    sunday_window: Mapped[str | None] = mapped_column(String(20))
    # The team's own sender: a Twilio number (E.164) or a messaging service (MG...);
    # None: the installation's [twilio] from_number / messaging_service_sid.
    sender: Mapped[str | None] = mapped_column(String(40))
    # A folder holding the team's own message_templates/ and schedules/ (either may be
    # missing: then the installation's); None: the installation's files.
    files_dir: Mapped[str | None] = mapped_column(String(500))
    # An item left unhandled this many working hours is raised to the whole team.
    escalate_after_hours: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    from_config: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bumped by every edit (the ORM's version counter): each process asks for the teams'
    # versions once a request or pass and reloads a team's settings only when they moved.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


# A client or item made without a team goes to the installation's first team (the
# one-team case; the UI, the API and the inbox routing name the team: domain/teams/).
FIRST_TEAM_ID = select(func.min(Team.id)).scalar_subquery()


class TeamMember(Base):
    """A worker's membership of a team."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                         primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)


class Worker(Base):
    """A social worker or counsellor (role "worker"), a team's admin ("team_admin": the
    team's workers, every item of the team, the team's audit) or the organisation's
    admin ("org_admin": teams, and everything). Roles are the Role enum."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[Role] = mapped_column(StateString(Role, 20), default=Role.WORKER)
    ui_language: Mapped[str] = mapped_column(String(5), default="fi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # a generated or reset password is known to someone else: changed at first sign-in
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=false())

    teams: Mapped[list[Team]] = relationship(secondary="team_members", order_by="Team.id",
                                             viewonly=True)

    @property
    def is_admin(self) -> bool:
        """A team admin or the organisation's admin: may manage workers and team files
        (always within what domain/teams/access.py lets them see)."""
        return self.role in (Role.TEAM_ADMIN, Role.ORG_ADMIN)

    @property
    def is_org_admin(self) -> bool:
        return self.role == Role.ORG_ADMIN


class Absence(Base):
    """A worker away from–to (local dates, both included), with an optional substitute.
    During it, new items for the worker's clients go to the substitute, or to the team
    inbox when there is none, marked as cover (domain/teams/cover.py)."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"),
                                           index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    substitute_id: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A Bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    worker: Mapped[Worker] = relationship()


class Client(Base):
    """A client of adult social work. Only what reminding needs is stored."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    number_type: Mapped[str] = mapped_column(String(20))  # mobile | fixed_line | other
    language: Mapped[str] = mapped_column(String(5), default="fi")
    channel: Mapped[str] = mapped_column(String(10), default="auto")  # sms | voice | auto
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opt_reason: Mapped[str | None] = mapped_column(String(300))  # a worker's latest opt-out/in
    window: Mapped[str | None] = mapped_column(String(20))  # own sending window "09:00-18:00"
    # A permanent gateway error stopped a channel to this number (domain/people/
    # number_checks.py): what the worker should check, and which channel is blocked.
    # Editing the number clears all three.
    phone_check_reason: Mapped[str | None] = mapped_column(String(60))
    sms_blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voice_blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True,
                                         default=FIRST_TEAM_ID)
    # The team's own client reference (an imported calendar or list names it); unique
    # within the team.
    reference: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    worker: Mapped[Worker | None] = relationship()
    team: Mapped[Team] = relationship()
    events: Mapped[list[Event]] = relationship(back_populates="client",
                                               order_by="Event.created_at")
    trusted_persons: Mapped[list[TrustedPerson]] = relationship(back_populates="client")

    __table_args__ = (
        Index("uq_clients_team_reference", "team_id", "reference", unique=True),
    )


class TrustedPerson(Base):
    """A family member or support person who also gets the client's reminders.

    Only with the client's consent, recorded: who recorded it, when and how.
    """

    __tablename__ = "trusted_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    number_type: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="fi")
    relation: Mapped[str | None] = mapped_column(String(30))  # family | support_person | other
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_method: Mapped[str] = mapped_column(String(20))  # in_person | phone | written
    # What the client let their texts say about them: False "your close one" only,
    # True their first name too (never more: no place, no appointment type in words).
    shares_client_name: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The trusted person's own STOP: only their messages stop, the client's go on.
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deactivated: consent withdrawn by the client, or the worker ended it.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deactivated_by: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"))
    deactivation_reason: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="trusted_persons")


class Event(Base):
    """An appointment or a pending application the client must not miss.

    State machine (EVENT_TRANSITIONS; domain/events/event_states.py enforces it):

        appointment:  planned --client answers--> confirmed | declined
                      confirmed <--answers again--> declined (or the same again)
                      confirmed | declined --rescheduled--> planned (a new answer needed)
                      planned | confirmed | declined --attendance recorded--> done
                      (cancelled by the client, recorded after the start: --> cancelled)
        application:  planned --documents in--> documents_in --decision--> decided
                      planned --decision--> decided (a "yes" to the follow-up)
        either:       any state --cancelled (UI, API)--> cancelled

    Every change stamps state_changed_at.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[EventKind] = mapped_column(StateString(EventKind, 20))
    state: Mapped[EventState] = mapped_column(StateString(EventState, 20),
                                              default=EventState.PLANNED)
    # appointment
    appointment_type: Mapped[str | None] = mapped_column(String(30))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(300))
    bring: Mapped[str | None] = mapped_column(String(300))
    needs_transport: Mapped[bool] = mapped_column(Boolean, default=False)
    # application
    agency: Mapped[str | None] = mapped_column(String(100))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    documents_due: Mapped[date | None] = mapped_column(Date)
    decision_expected: Mapped[date | None] = mapped_column(Date)
    documents_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # after an appointment: what the worker recorded, and the answer it had before
    # (the state is then done or cancelled; the service path asks "was it confirmed?")
    attendance: Mapped[Attendance | None] = mapped_column(StateString(Attendance, 20))
    attendance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_by: Mapped[int | None] = mapped_column(
        ForeignKey("workers.id", ondelete="SET NULL"))
    answer_before_attendance: Mapped[EventState | None] = mapped_column(
        StateString(EventState, 20))
    # the time a rescheduled appointment was moved from (the client's notice says it)
    previous_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # bookkeeping
    created_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set by retention: free text (place, bring) cleared, facts kept for the service-path view
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A series (domain/events/series.py): the RFC 5545 rule ("RRULE:..." and any
    # "EXDATE:..." lines, local wall-clock time from starts_at) gets no reminders itself;
    # each occurrence is a child event (series_id, occurrence_date: the rule's own local
    # date, kept when the occurrence is moved) made up to planned_until (the horizon).
    recurrence: Mapped[str | None] = mapped_column(Text)
    series_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_until: Mapped[date | None] = mapped_column(Date)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    occurrence_date: Mapped[date | None] = mapped_column(Date)
    # An occurrence on a public holiday: flagged until the worker keeps it (or skips it).
    on_holiday: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    holiday_kept_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship(back_populates="events")
    reminders: Mapped[list[Reminder]] = relationship(back_populates="event",
                                                     order_by="Reminder.send_at")

    __table_args__ = (
        # One child event a rule date: two workers extending the horizon at once
        # cannot make an occurrence twice.
        Index("uq_events_occurrence", "series_id", "occurrence_date", unique=True),
    )


class Reminder(Base):
    """One planned reminder: the schedule itself lives in this table.

    State machine (REMINDER_TRANSITIONS; domain/planning/reminder_states.py enforces it):

        planned --claim--> sending --accepted--> sent --delivered/answered--> delivered
        sending --permanent error--> failed
        sending --transient error, attempts left--> planned (send_at pushed later)
        sending --outside the sending window--> planned (at the window's next opening)
        sending --outcome unknown (timeout after the request left)--> uncertain
        uncertain --any word from the gateway--> sent | delivered
        sending --no longer wanted when due--> cancelled | skipped (reason)
        sending --a task put in the inbox--> delivered
        sent --undelivered / failed / call not answered, retries spent--> failed
        sent --call not answered, retries left--> planned (a later attempt)
        planned --event cancelled or rescheduled--> cancelled
        planned --too late / opted out / condition not met--> skipped (reason)
        planned | sending --answered (after_confirm / after_decline), a later reminder
            due at once (superseded), its number blocked--> skipped (a ListenReason)
        skipped (declined) --the client confirms after all, its time still ahead--> planned

    A claim carries a lease (claimed_by, lease_until): a claim whose worker died is
    taken over after the lease expires. channel "task" sends nothing; it puts an
    item in the worker's inbox at send_at.
    """

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    rule_id: Mapped[str] = mapped_column(String(60))
    template: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(10))  # sms | voice | task
    recipient: Mapped[str] = mapped_column(String(10), default="client")  # client|trusted|worker
    trusted_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("trusted_persons.id", ondelete="CASCADE"))
    condition: Mapped[str | None] = mapped_column(String(30))
    fallback_of: Mapped[int | None] = mapped_column(ForeignKey("reminders.id",
                                                               ondelete="SET NULL"))
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    latest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # never send after
    state: Mapped[ReminderState] = mapped_column(StateString(ReminderState, 12),
                                                 default=ReminderState.PLANNED)
    reason: Mapped[str | None] = mapped_column(String(60))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # this claim's start
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="reminders")
    client: Mapped[Client] = relationship()
    trusted_person: Mapped[TrustedPerson | None] = relationship()

    __table_args__ = (
        # The claim query only ever looks at due, planned rows: keep its index small.
        Index("ix_reminders_due", "send_at",
              sqlite_where=text(f"state = '{ReminderState.PLANNED.value}'"),
              postgresql_where=text(f"state = '{ReminderState.PLANNED.value}'")),
        Index("ix_reminders_sending", "lease_until",
              sqlite_where=text(f"state = '{ReminderState.SENDING.value}'"),
              postgresql_where=text(f"state = '{ReminderState.SENDING.value}'")),
    )


def _outbound_in(status: MessageStatus) -> str:
    """A partial index's condition, as SQL text: outbound messages in one status."""
    return f"status = '{status.value}' AND direction = '{Direction.OUT.value}'"


class Message(Base):
    """Every text or call, outbound or inbound, with the gateway's id and status.

    The row for an outbound message is written before the gateway is called, so
    nothing is ever sent that the database does not know of.

    Status (MESSAGE_TRANSITIONS; domain/messages/delivery.py enforces it) keeps the
    furthest point reached, as ranked in MESSAGE_RANK: callbacks arrive out of order.

        outbound:  created | queued --> sending --gateway's first answer--> queued |
                   accepted | scheduled | initiated --> ringing --> sent | in-progress
                   --> undelivered | failed | busy | no-answer | canceled
                   --> delivered | completed --> read
                   sending --no answer came--> unknown --any later word--> further on
                   sending --transient error--> queued (sent again at the next tick)
        inbound:   received
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[Direction] = mapped_column(StateString(Direction, 3))
    channel: Mapped[str] = mapped_column(String(10))  # sms | voice
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"),
                                                  index=True)
    reminder_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminders.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    to_number: Mapped[str] = mapped_column(String(20))
    # Outbound: what it goes out from, the team's number or messaging service (MG...)
    # or the installation's; inbound: the sender's number.
    from_number: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(12))
    # An inbound text's reading: why (the words or rule that decided), against which
    # question and in which language; and what a worker corrected the intent to.
    reading_reason: Mapped[str | None] = mapped_column(String(300))
    reading_question: Mapped[str | None] = mapped_column(String(12))
    reading_language: Mapped[str | None] = mapped_column(String(5))
    corrected_intent: Mapped[str | None] = mapped_column(String(12))
    gateway: Mapped[str] = mapped_column(String(20), default="development")
    gateway_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[MessageStatus] = mapped_column(StateString(MessageStatus, 20),
                                                  default=MessageStatus.CREATED)
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(String(300))
    answered_by: Mapped[str | None] = mapped_column(String(30))
    callback_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    body_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a notice queued outside the client's sending window waits until then
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client | None] = relationship()
    reminder: Mapped[Reminder | None] = relationship()

    __table_args__ = (
        # Queued ad-hoc messages are looked for at every tick: keep that independent
        # of how many messages are stored.
        Index("ix_messages_queued", "id",
              sqlite_where=text(_outbound_in(MessageStatus.QUEUED)),
              postgresql_where=text(_outbound_in(MessageStatus.QUEUED))),
        # Ad-hoc messages left "sending" by a process that died are looked for at
        # every tick (scheduling/reconcile.py); only messages on their way are here.
        Index("ix_messages_sending", "updated_at",
              sqlite_where=text(_outbound_in(MessageStatus.SENDING)),
              postgresql_where=text(_outbound_in(MessageStatus.SENDING))),
        # Retention looks only at messages whose body is still kept.
        Index("ix_messages_body_kept", "created_at",
              sqlite_where=text("body IS NOT NULL"),
              postgresql_where=text("body IS NOT NULL")),
        # A reply is read against the last message sent to its number (replies/asked.py).
        Index("ix_messages_to_number", "to_number", "created_at", "id"),
        # Erasure finds texts from a client's number that were never linked to a client.
        Index("ix_messages_unlinked_from", "from_number",
              sqlite_where=text("client_id IS NULL"),
              postgresql_where=text("client_id IS NULL")),
    )


class InboxItem(Base):
    """Something a worker should see: a reply, a callback request, a failure, a task.

    worker_id None means the team's shared inbox (team_id; e.g. a number no client of
    the team has); who may see an item is decided in one place, domain/inbox/items.py
    (visible_to, built on domain/teams/access.py). `cover` marks an item that went to a
    substitute or the team inbox because its worker was away; `escalated_at` one left
    unhandled too long and raised to the whole team; `due_at` when a call-back is due.

    State machine (INBOX_TRANSITIONS; domain/inbox/items.py enforces it):

        new --opened--> read --handled--> handled --reopened--> read
        new --handled--> handled
        new | read --reassigned--> new (new to its new owner)
        and again: new --reassigned--> new, read --reopened--> read,
                   handled --handled--> handled
    """

    __tablename__ = "inbox_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"),
                                                  index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                                  index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True,
                                         default=FIRST_TEAM_ID)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    reminder_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminders.id", ondelete="SET NULL"))
    cover: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[InboxKind] = mapped_column(StateString(InboxKind, 20))
    intent: Mapped[str | None] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(String(300), default="")
    # A reply that was not certain: while this item is open, no automated contact about
    # its event goes out (domain/inbox/holds.py).
    holds: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[InboxState] = mapped_column(StateString(InboxState, 10),
                                              default=InboxState.NEW)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))

    client: Mapped[Client | None] = relationship()
    message: Mapped[Message | None] = relationship()
    event: Mapped[Event | None] = relationship()
    reminder: Mapped[Reminder | None] = relationship()

    __table_args__ = (
        # The send path asks, for each due reminder, whether its event is held.
        Index("ix_inbox_items_holding", "event_id", sqlite_where=text("holds"),
              postgresql_where=text("holds")),
    )


class AuditEntry(Base):
    """Who viewed, created, changed, exported or erased what. Never updated or deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(20))
    object_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(300), default="")
    # The team the object belongs to (a team admin reads their team's audit); None for
    # what belongs to no team (a sign-in, the organisation's own settings).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)


class InboundText(Base):
    """A text as Twilio delivered it, stored before the webhook answers; the worker
    reads it (scheduling/text_reading.py) into a message and an inbox item, and
    deletes this row in the same transaction.

    Why: storing is one INSERT, so a burst of replies never keeps Twilio waiting;
    reading and filing take several statements. The worker reads waiting texts before
    it sends; while a text's reading has failed, nothing automated goes to its number
    (domain/replies/received.py, unsure_of)."""

    __tablename__ = "inbound_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(40), index=True)  # (received.unsure_of)
    to_number: Mapped[str] = mapped_column(String(40), default="")
    via: Mapped[str] = mapped_column(String(40), default="")  # the messaging service
    body: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # a reading that failed (a fault, not the text's words) is tried again, a few times
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))


class Heartbeat(Base):
    """The worker process's last sign of life, for /readyz."""

    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(String(200), default="")


class SendPace(Base):
    """The next free send slot of one rate-limited kind ("sms", "voice"), shared by all
    worker processes; advanced only by a check-and-set on `version`."""

    __tablename__ = "send_pace"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)


class TeamFileVersion(Base):
    """One saved version of a team file (a message template or a schedule), edited in the UI.

    Append-only: the newest row of a path is in force; an undo adds a row copying an older
    one, and `content` NULL means "back to the file on disk" (the files stay the defaults).
    """

    __tablename__ = "team_file_versions"
    __table_args__ = (Index("ix_team_file_versions_path", "path", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(200))  # e.g. "message_templates/sms/x.fi.txt"
    content: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="", server_default="")
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
