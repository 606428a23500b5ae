"""A text the service could not read, put before a person as it came.

Why: a reading that fails again and again is a fault in the service, not in the client's
words, and fixing it may take days. Meanwhile the text may say LOPETA, "I cannot come"
or "call me". So after the last try (received.MAX_ATTEMPTS) the words go to the
client's worker (or whoever covers for them) with no reading at all, and the item holds
the client: nothing automated goes to them until a worker has read the text and
handled the item (inbox/holds.py). A client's trusted person's text goes the same way
and holds the client with everyone on their behalf: what it says (LOPETA?) is not
known either. A number nobody has goes to the team inbox of the number texted, as any
stranger's text does.

Filing asks as little as it can of the code that failed: which client the number is,
and where their items go; the reading, the intent and the acts on it are left out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.domain.context import DomainContext
from service.domain.inbox.holds import MESSAGES, UNREADABLE, UNREADABLE_TRUSTED
from service.domain.people import trusted_persons as trusted
from service.domain.replies.inbound import Texted, find_client, normalise_sender, stranger_route
from service.domain.replies.reply_rows import insert_row
from service.domain.teams.cover import place, route
from service.store.models import Client, InboxItem, Message
from service.store.states import Direction, InboxKind, MessageStatus

STRANGER = "Viesti tuntemattomasta numerosta. Palvelu ei pystynyt lukemaan sitä: lue se."
# The message's reading_reason ("Luettu: epäselvä koska …" on its page); /metrics counts
# the open items of such messages (operations/metrics.py).
REASON = "palvelu ei pystynyt lukemaan viestiä (vika palvelussa, ei viestissä)"


def file_unread(session: Session, rt: DomainContext, text: Any, now: datetime) -> InboxItem:
    """File one stored text (a received.TEXTS row) unread, in the caller's transaction
    (which also deletes the stored row). The message keeps the text's sid, so a later
    delivery of the same text is known as read."""
    phone = normalise_sender(text.from_number)
    texted = Texted(to=text.to_number, via=text.via,
                    installation=rt.for_team(None).from_number)
    client = find_client(session, phone, texted)
    summary = MESSAGES[UNREADABLE]
    if client is None:
        person = trusted.find_by_phone(session, phone, texted.team_rule())
        if person is not None:
            client, summary = person.client, MESSAGES[UNREADABLE_TRUSTED]
    message = Message(direction=Direction.IN, channel="sms",
                      client_id=client.id if client else None, to_number=text.to_number[:20],
                      from_number=phone, body=text.body, intent="unknown", reading_reason=REASON,
                      gateway=rt.gateway_name, gateway_sid=text.gateway_sid,
                      status=MessageStatus.RECEIVED, created_at=text.received_at,
                      updated_at=now)
    insert_row(session, message)
    item = _item(session, message, client, summary, texted, now)
    insert_row(session, item)
    return item


def _item(session: Session, message: Message, client: Client | None, summary: str,
          texted: Texted, now: datetime) -> InboxItem:
    if client is None:
        return place(session, InboxItem(message_id=message.id, kind=InboxKind.UNKNOWN_SENDER,
                                        intent="unknown", created_at=now, summary=STRANGER),
                     stranger_route(session, texted), now)
    return place(session, InboxItem(client_id=client.id, message_id=message.id,
                                    kind=InboxKind.REPLY, intent="unknown", holds=True,
                                    summary=summary, created_at=now),
                 route(session, client, now), now)
