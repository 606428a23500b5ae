"""A text a worker writes to a client (an inbox reply, a cancellation notice).

It is queued as an outbound Message like any other, so the database knows of it before
the gateway does; the caller commits and then sends it at once with
dispatch.send_message, and the next tick retries it if that failed.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from service.domain.context import DomainContext
from service.domain.errors import ValidationError
from service.domain.fields import checked_text
from service.domain.phones import PhoneError, parse_phone
from service.domain.texts.sms import analyse_sms, clean_sms_text
from service.store.models import Client, Message

MAX_SEGMENTS = 3


def check_text(body: str, field: str = "body") -> str:
    """Clean a worker's text for SMS and refuse an empty or very long one."""
    text = checked_text(field, clean_sms_text(body or ""), "message")
    if not text:
        raise ValidationError({field: "Kirjoita viesti."})
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


def queue_worker_text(rt: DomainContext, *, to: str, body: str, client: Client | None,
                      worker_id: int, now: datetime, event_id: int | None = None) -> Message:
    """An outbound SMS row in status "queued"; the caller adds it, commits, then sends."""
    return Message(direction="out", channel="sms", client_id=client.id if client else None,
                   event_id=event_id, worker_id=worker_id, to_number=to,
                   from_number=rt.from_number, body=body,
                   gateway=rt.gateway_name, status="queued",
                   callback_token=secrets.token_urlsafe(24), created_at=now, updated_at=now)
