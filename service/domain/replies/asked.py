"""What a reply answers, and reading it against that: a reply's reading.

Why: "tuli jo" answers "onko päätös jo tullut?" but not an appointment reminder,
and a "2" after a call means "call me" where after a text it means "I can't come".
The question is the last message or call sent to the number that replied.
"""

from __future__ import annotations

from sqlalchemy import BindParameter, Select, select
from sqlalchemy.orm import Session

from service.domain.replies.reading import Question, Reading, question_for, read_key, read_reply
from service.store.models import Message, Reminder
from service.store.states import Direction

__all__ = ["last_asked", "last_question", "read_answer"]


def last_asked(phone: str | BindParameter[str]) -> Select[tuple[int, str, str]]:
    """The last message or call to `phone`: its id, channel and its reminder's template.
    One statement, the reminder joined (a webhook's round trip fewer); also the part of
    the SMS webhook's one look-up that says what was asked (replies/sender_lookup.py)."""
    return (select(Message.id, Message.channel, Reminder.template)
            .outerjoin(Reminder, Message.reminder_id == Reminder.id)
            .where(Message.direction == Direction.OUT, Message.to_number == phone)
            .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))


def last_question(session: Session, phone: str) -> Question | None:
    """What the last message or call to this number asked (None: nothing we read against)."""
    last = session.execute(last_asked(phone)).first()
    if last is None:
        return None
    return question_for(last.template, last.channel)


def read_answer(session: Session, *, phone: str, body: str, digits: str | None,
                language: str | None) -> Reading:
    """A key pressed in a call, or a text read against what was last sent to `phone`."""
    if digits is not None:
        return read_key(digits)
    return read_reply(body, language, last_question(session, phone))
