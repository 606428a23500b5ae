"""Creating and changing clients; the phone number is checked on the way in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from service.domain.errors import ValidationError
from service.domain.phones import PhoneError, parse_phone
from service.domain.window import parse_window
from service.models import CHANNEL_PREFERENCES, LANGUAGES, Client, Worker


@dataclass
class ClientInput:
    name: str
    phone: str
    language: str = "fi"
    channel: str = "auto"
    worker_id: int | None = None
    window: str | None = None


def validate_client(session: Session, data: ClientInput) -> dict[str, object]:
    """Check every field and return the clean values, or raise with all errors at once."""
    errors: dict[str, str] = {}
    clean: dict[str, object] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "Anna asiakkaan nimi."
    elif len(name) > 200:
        errors["name"] = "Nimi on liian pitkä (enintään 200 merkkiä)."
    clean["name"] = name
    try:
        phone = parse_phone(data.phone or "")
        clean["phone"], clean["number_type"] = phone.e164, phone.number_type
    except PhoneError as exc:
        errors["phone"] = exc.message
    if data.language not in LANGUAGES:
        errors["language"] = "Valitse kieli: fi, sv, en tai selko."
    clean["language"] = data.language
    if data.channel not in CHANNEL_PREFERENCES:
        errors["channel"] = "Valitse tapa: sms, voice tai auto."
    elif data.channel == "sms" and clean.get("number_type") not in (None, "mobile"):
        errors["channel"] = ("Numero on lankapuhelin: tekstiviestit eivät mene perille. "
                             "Valitse puhelu tai automaattinen.")
    clean["channel"] = data.channel
    if data.worker_id is not None and session.get(Worker, data.worker_id) is None:
        errors["worker_id"] = "Työntekijää ei löydy."
    clean["worker_id"] = data.worker_id
    window = (data.window or "").strip() or None
    if window:
        try:
            parse_window(window)
        except ValueError:
            errors["window"] = "Kirjoita aikaväli muodossa 09:00-18:00."
    clean["window"] = window
    if errors:
        raise ValidationError(errors)
    return clean


def create_client(session: Session, data: ClientInput, now: datetime) -> Client:
    clean = validate_client(session, data)
    client = Client(**clean, created_at=now, updated_at=now, last_activity_at=now)
    session.add(client)
    session.flush()
    return client


def update_client(session: Session, client: Client, data: ClientInput, now: datetime) -> Client:
    clean = validate_client(session, data)
    for key, value in clean.items():
        setattr(client, key, value)
    client.updated_at = now
    client.last_activity_at = now
    session.flush()
    return client
