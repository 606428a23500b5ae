"""Many due reminders at once, written in bulk (the planning itself is tested elsewhere).

Each reminder gets its own client and appointment, with its own number and place,
so every message text is different and every send can be told apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, insert

from service.store.models import Client, Event, Reminder

FIRST_NUMBER = 400_000_000


def phone(i: int) -> str:
    return f"+358{FIRST_NUMBER + i}"


def seed_due(engine: Engine, count: int, send_at: datetime, *, channel: str = "sms",
             latest_at: datetime | None = None, starts_at: datetime | None = None,
             state: str = "planned", first: int = 0) -> list[int]:
    """`count` reminders in `state`, due at `send_at`; returns their ids in order."""
    starts_at = starts_at or send_at + timedelta(days=2)
    now = send_at
    with engine.begin() as conn:
        client_ids = conn.scalars(insert(Client).returning(Client.id, sort_by_parameter_order=True),
                                  [{"name": f"Asiakas {first + i}", "phone": phone(first + i),
                                    "number_type": "mobile", "language": "fi",
                                    "channel": "auto", "opted_out": False, "created_at": now,
                                    "updated_at": now, "last_activity_at": now}
                                   for i in range(count)]).all()
        event_ids = conn.scalars(insert(Event).returning(Event.id, sort_by_parameter_order=True),
                                 [{"client_id": cid, "kind": "appointment", "state": "planned",
                                   "appointment_type": "other", "starts_at": starts_at,
                                   "place": f"Huone {first + i}", "needs_transport": False,
                                   "created_at": now, "updated_at": now}
                                  for i, cid in enumerate(client_ids)]).all()
        return list(conn.scalars(
            insert(Reminder).returning(Reminder.id, sort_by_parameter_order=True),
            # rule "scale_test" has no fallbacks, so sending plans nothing more
            [{"event_id": eid, "client_id": cid, "rule_id": "scale_test",
              "template": "appointment_reminder", "channel": channel, "recipient": "client",
              "send_at": send_at, "latest_at": latest_at, "state": state, "attempts": 0,
              "created_at": now, "updated_at": now}
             for cid, eid in zip(client_ids, event_ids, strict=False)]).all())
