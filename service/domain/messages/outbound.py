"""Outbound messages: the one builder of their rows, and the texts a worker writes.

Every outbound row is built here (outbound_values / new_outbound_message): a due
reminder's text or call (service/scheduling/reminder_send.py, and its batch path in
plain SQL), a worker's text to a client (an inbox reply, a cancellation notice), and
the confirmations of a STOP or START sent to a client or a trusted person. The row
is written before the gateway is called, so the database knows of every message
before the gateway does.

A worker's text is queued like any other ad-hoc message: the caller commits and then
sends it at once (service/scheduling/adhoc_messages.send_message); the next pass
retries it if that failed.
"""

from __future__ import annotations

import base64
import os
import threading
from datetime import datetime

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.fields import checked_text
from service.domain.phones import PhoneError, parse_phone
from service.domain.texts.sms import analyse_sms, clean_sms_text
from service.domain.texts.worker_texts import inspect_text, refuse_links
from service.store.models import Client, Message
from service.store.states import Direction, MessageStatus

MAX_SEGMENTS = 3


def check_text(body: str, field: str = "body") -> str:
    """Clean a worker's text for SMS and refuse an empty or very long one, or one with a
    link (the same rules as the templates: domain/texts/worker_texts.py)."""
    text = checked_text(field, clean_sms_text(body or ""), "message")
    if not text:
        raise ValidationError({field: "Kirjoita viesti."})
    refuse_links(inspect_text(text), field)
    info = analyse_sms(text)
    if info.segments > MAX_SEGMENTS:
        raise ValidationError({field: f"Viesti on liian pitkä ({info.segments} tekstiviestiä). "
                                      f"Lyhennä se enintään {MAX_SEGMENTS} viestiin."})
    return text


def sms_recipient(client: Client | None, number: str | None, field: str = "body") -> str:
    """The number a worker's text goes to, or why it cannot go."""
    if client is not None:
        if client.anonymised_at is not None:
            raise ValidationError({field: "Asiakkaan tiedot on poistettu."})
        if client.opted_out:
            raise ValidationError({field: "Asiakas on kieltäytynyt viesteistä (LOPETA). "
                                          "Soita hänelle, jos asia on tärkeä."})
        if client.number_type != "mobile":
            raise ValidationError({field: "Numero on lankapuhelin: tekstiviesti ei mene perille. "
                                          "Soita asiakkaalle."})
        return client.phone
    try:
        phone = parse_phone(number or "")
    except PhoneError as exc:
        raise ValidationError({field: exc.message}) from exc
    if not phone.can_receive_sms:
        raise ValidationError({field: "Numero ei ota vastaan tekstiviestejä."})
    return phone.e164


TOKEN_BYTES = 24  # 192 random bits, 32 characters: as secrets.token_urlsafe(24)
POOL_TOKENS = 512  # tokens drawn from the kernel at once


class _TokenPool(threading.local):
    """Random bytes from the operating system, drawn for many tokens at once: a batch
    of 500 messages asks the kernel twice, not 500 times (each a release of the GIL the
    batch's sender threads then hold). The bytes are os.urandom's, as secrets' are."""

    def __init__(self) -> None:
        self.buffer, self.used = b"", 0


_pool = _TokenPool()


def _forget_pool() -> None:
    """A forked child (a gunicorn worker) must never reuse its parent's unused bytes."""
    _pool.buffer, _pool.used = b"", 0


os.register_at_fork(after_in_child=_forget_pool)


def callback_token() -> str:
    """The unguessable part of a message's status callback address."""
    if _pool.used >= len(_pool.buffer):
        _pool.buffer, _pool.used = os.urandom(TOKEN_BYTES * POOL_TOKENS), 0
    start = _pool.used
    _pool.used += TOKEN_BYTES
    return base64.urlsafe_b64encode(_pool.buffer[start:start + TOKEN_BYTES]).rstrip(
        b"=").decode("ascii")


def outbound_values(*, channel: str, to: str, body: str, from_number: str, gateway: str,
                    status: MessageStatus, now: datetime, client_id: int | None = None,
                    reminder_id: int | None = None, event_id: int | None = None,
                    worker_id: int | None = None) -> dict[str, object]:
    """The columns of one outbound message row, before the gateway is called.

    Plain values, so the dispatch's batch path can insert many rows in one statement;
    every row has the same keys. `status` is where its sending starts: "sending" for
    a reminder sent at once, "queued" for an ad-hoc message the next step sends. The
    callback token is the unguessable part of the status callback's address.
    """
    return {"direction": Direction.OUT, "channel": channel, "client_id": client_id,
            "reminder_id": reminder_id, "event_id": event_id, "worker_id": worker_id,
            "to_number": to, "from_number": from_number, "body": body, "gateway": gateway,
            "status": status, "callback_token": callback_token(),
            "created_at": now, "updated_at": now}


def new_outbound_message(*, channel: str, to: str, body: str, from_number: str, gateway: str,
                         status: MessageStatus, now: datetime, client_id: int | None = None,
                         reminder_id: int | None = None, event_id: int | None = None,
                         worker_id: int | None = None) -> Message:
    """outbound_values as a Message, for the caller to add to its session."""
    return Message(**outbound_values(
        channel=channel, to=to, body=body, from_number=from_number, gateway=gateway,
        status=status, now=now, client_id=client_id, reminder_id=reminder_id,
        event_id=event_id, worker_id=worker_id))


def queue_worker_text(rt: DomainContext, *, to: str, body: str, client: Client | None,
                      worker_id: int, now: datetime, event_id: int | None = None,
                      team_id: int | None = None) -> Message:
    """An outbound SMS row in status "queued"; the caller adds it, commits, then sends.
    It goes from the client's team's sender (`team_id`'s for a number no client has)."""
    rt = rt.for_team(client.team_id if client is not None else team_id)
    return new_outbound_message(channel="sms", to=to, body=body, from_number=rt.from_number,
                                gateway=rt.gateway_name, status=MessageStatus.QUEUED, now=now,
                                client_id=client.id if client else None, event_id=event_id,
                                worker_id=worker_id)
