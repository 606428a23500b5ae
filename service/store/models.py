"""The data model. The database is the single source of truth, the schedule included.

Every datetime column is aware UTC (UTCDateTime); dates without a time (application
deadlines) are plain DATE columns meaning a local calendar day in Europe/Helsinki.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.clock import utcnow
from service.store.db import Base, UTCDateTime

LANGUAGES = ("fi", "sv", "en", "selko")
CHANNEL_PREFERENCES = ("sms", "voice", "auto")
NUMBER_TYPES = ("mobile", "fixed_line", "other")


class Worker(Base):
    """A social worker or counsellor (role "worker") or a manager of workers ("admin")."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20), default="worker")
    ui_language: Mapped[str] = mapped_column(String(5), default="fi")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


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
    window: Mapped[str | None] = mapped_column(String(20))  # own sending window "09:00-18:00"
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    worker: Mapped[Worker | None] = relationship()
    events: Mapped[list[Event]] = relationship(back_populates="client",
                                               order_by="Event.created_at")
    trusted_persons: Mapped[list[TrustedPerson]] = relationship(back_populates="client")


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

    Appointment states: planned -> confirmed | declined | cancelled (| done).
    Application states: planned -> documents_in -> decided | cancelled.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                           index=True)
    kind: Mapped[str] = mapped_column(String(20))  # appointment | application
    state: Mapped[str] = mapped_column(String(20), default="planned")
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
    # bookkeeping
    created_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # set by retention: free text (place, bring) cleared, facts kept for the service-path view
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client] = relationship(back_populates="events")
    reminders: Mapped[list[Reminder]] = relationship(back_populates="event",
                                                     order_by="Reminder.send_at")


class Reminder(Base):
    """One planned reminder: the schedule itself lives in this table.

    State machine (service/domain/planning/reminder_states.py enforces it):

        planned --claim--> sending --accepted--> sent --delivered/answered--> delivered
        sending --permanent error--> failed
        sending --transient error, attempts left--> planned (send_at pushed later)
        sending --outcome unknown (timeout after the request left)--> uncertain
        sent --undelivered / failed / call not answered, retries spent--> failed
        sent --call not answered, retries left--> planned (a later attempt)
        planned --event cancelled or rescheduled--> cancelled
        planned --too late / opted out / condition not met--> skipped (reason)

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
    state: Mapped[str] = mapped_column(String(12), default="planned")
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
              sqlite_where=text("state = 'planned'"),
              postgresql_where=text("state = 'planned'")),
        Index("ix_reminders_sending", "lease_until",
              sqlite_where=text("state = 'sending'"),
              postgresql_where=text("state = 'sending'")),
    )


class Message(Base):
    """Every text or call, outbound or inbound, with the gateway's id and status.

    The row for an outbound message is written before the gateway is called, so
    nothing is ever sent that the database does not know of.
    Status keeps the furthest point reached: callbacks arrive out of order.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    channel: Mapped[str] = mapped_column(String(10))  # sms | voice
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"),
                                                  index=True)
    reminder_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminders.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))
    to_number: Mapped[str] = mapped_column(String(20))
    from_number: Mapped[str] = mapped_column(String(20), default="")
    body: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(12))
    gateway: Mapped[str] = mapped_column(String(20), default="development")
    gateway_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="created")
    error_code: Mapped[int | None] = mapped_column(Integer)
    error_message: Mapped[str | None] = mapped_column(String(300))
    answered_by: Mapped[str | None] = mapped_column(String(30))
    callback_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    body_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[Client | None] = relationship()
    reminder: Mapped[Reminder | None] = relationship()

    __table_args__ = (
        # Queued ad-hoc messages are looked for at every tick: keep that independent
        # of how many messages are stored.
        Index("ix_messages_queued", "id",
              sqlite_where=text("status = 'queued' AND direction = 'out'"),
              postgresql_where=text("status = 'queued' AND direction = 'out'")),
        # Ad-hoc messages left "sending" by a process that died are looked for at
        # every tick (scheduling/reconcile.py); only messages on their way are here.
        Index("ix_messages_sending", "updated_at",
              sqlite_where=text("status = 'sending' AND direction = 'out'"),
              postgresql_where=text("status = 'sending' AND direction = 'out'")),
        # Retention looks only at messages whose body is still kept.
        Index("ix_messages_body_kept", "created_at",
              sqlite_where=text("body IS NOT NULL"),
              postgresql_where=text("body IS NOT NULL")),
        # Erasure finds texts from a client's number that were never linked to a client.
        Index("ix_messages_unlinked_from", "from_number",
              sqlite_where=text("client_id IS NULL"),
              postgresql_where=text("client_id IS NULL")),
    )


class InboxItem(Base):
    """Something a worker should see: a reply, a callback request, a failure, a task.

    worker_id None means the team's shared inbox (e.g. a number no client has).
    """

    __tablename__ = "inbox_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"),
                                                  index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"),
                                                  index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    reminder_id: Mapped[int | None] = mapped_column(
        ForeignKey("reminders.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    # reply | callback | stop | start | unknown_sender | failed | unanswered | uncertain | task
    intent: Mapped[str | None] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(String(300), default="")
    state: Mapped[str] = mapped_column(String(10), default="new")  # new | read | handled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("workers.id", ondelete="SET NULL"))

    client: Mapped[Client | None] = relationship()
    message: Mapped[Message | None] = relationship()
    event: Mapped[Event | None] = relationship()
    reminder: Mapped[Reminder | None] = relationship()


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
