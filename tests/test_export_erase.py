"""A client's data on request: the export holds everything, erasure leaves nothing
personal in any table (every column of every table is searched), and both are audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, MetaData, select

from service.domain.privacy.erasure import NoSuchClient, erase_client
from service.domain.privacy.export import client_export, to_csv, to_json
from service.privacy_commands import erase_client_command, export_client_command
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import AuditEntry, Client, Event, Message, TrustedPerson, Worker
from tests.conftest import Api, signed_post

NAME, PHONE, NATIONAL = "Matti Mäkinen", "+358401234567", "0401234567"
TRUSTED_NAME, TRUSTED_PHONE = "Sisko Läheinen", "+358409876543"
PLACE, BRING = "Keskuskatu 5", "tiliotteet kahdelta kuukaudelta"
REPLY = '=HYPERLINK("x") kyllä tulen'
OPT_REASON = "Sanoi Kallen kuullen puhelimessa"  # a worker's free text about the client
NEEDLES = (NAME, PHONE, NATIONAL, "401234567", TRUSTED_NAME, TRUSTED_PHONE, "409876543",
           PLACE, BRING, "HYPERLINK", "Unknown before", OPT_REASON)


def scan(engine: Engine, needles: tuple[str, ...]) -> list[str]:
    """Every (table.column: needle) where a needle appears, in every table there is."""
    meta = MetaData()
    meta.reflect(bind=engine)
    found = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            for row in conn.execute(table.select()):
                for column, value in zip(table.columns, row, strict=False):
                    text = "" if value is None else str(value)
                    found += [f"{table.name}.{column.name}: {n}" for n in needles if n in text]
    return found


@pytest.fixture
def loaded(api: Api, client, rt: Runtime, worker: Worker) -> dict[str, Any]:
    """One client through the whole loop, plus a bystander whose data must survive."""
    cid = api.post("/clients", {"name": NAME, "phone": "040 123 4567"}).json["id"]
    other = api.post("/clients", {"name": "Pekka Sivullinen", "phone": "0507654321"}).json["id"]
    with transaction(rt.sessions) as session:
        session.add(TrustedPerson(client_id=cid, name=TRUSTED_NAME, phone=TRUSTED_PHONE,
                                  number_type="mobile", consent_at=datetime.now(UTC),
                                  consent_method="in_person", consent_recorded_by=worker.id))
    # A text from the number before it was linked to anyone (client_id is empty).
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "0" * 32, "From": PHONE,
                                        "To": "+358451234567", "Body": "Unknown before"})
    with transaction(rt.sessions) as session:
        session.scalars(select(Message)).one().client_id = None
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(
        hour=7, minute=0, second=0, microsecond=0)
    eid = api.post("/appointments", {"client_id": cid, "starts_at": starts.isoformat(),
                                     "place": PLACE, "bring": BRING}).json["id"]
    api.post("/appointments", {"client_id": other, "starts_at": starts.isoformat(),
                               "place": "Muu paikka"})
    first = min(datetime.fromisoformat(r["send_at"]) for r in
                api.get(f"/reminders?client_id={cid}").json["reminders"]
                if r["state"] == "planned")
    assert tick(rt, now=first + timedelta(seconds=1)).claimed >= 1
    signed_post(client, "/twilio/sms", {"MessageSid": "SM" + "9" * 32, "From": PHONE,
                                        "To": "+358451234567", "Body": REPLY})
    item = next(i for i in api.get("/inbox").json["items"] if i["client_id"] == cid)["id"]
    api.post(f"/inbox/{item}/handle")
    assert api.post(f"/clients/{cid}/opt-in", {"reason": OPT_REASON}).status_code == 200
    return {"client_id": cid, "other": other, "event_id": eid, "item_id": item}


def test_export_holds_all_of_the_clients_data(rt: Runtime, loaded: dict[str, Any],
                                              worker: Worker) -> None:
    with transaction(rt.sessions) as session:
        data = client_export(session, loaded["client_id"])
    assert data is not None
    assert data["client"]["name"] == NAME and data["client"]["phone"] == PHONE
    assert [p["name"] for p in data["trusted_persons"]] == [TRUSTED_NAME]
    assert [(e["id"], e["place"], e["bring"]) for e in data["events"]] == [
        (loaded["event_id"], PLACE, BRING)]
    assert data["reminders"] and all(r["event_id"] == loaded["event_id"]
                                     for r in data["reminders"])
    bodies = [m["body"] for m in data["messages"]]
    assert "Unknown before" in bodies and REPLY in bodies
    assert any(m["direction"] == "out" and PLACE in (m["body"] or "") for m in data["messages"])
    assert all("callback_token" not in m for m in data["messages"])
    assert [i["id"] for i in data["inbox_items"] if i["state"] == "handled"] == [
        loaded["item_id"]]
    seen = {(a["action"], a["object_type"], a["worker_name"]) for a in data["audit_log"]}
    assert {("create", "client", worker.name), ("create", "event", worker.name),
            ("handle", "inbox_item", worker.name)} <= seen
    assert json.loads(to_json(data)) == data
    # the bystander is not in it
    assert "Pekka" not in to_json(data) and "Muu paikka" not in to_json(data)


def test_csv_export_is_one_row_a_field_and_safe_in_a_spreadsheet(
        rt: Runtime, loaded: dict[str, Any]) -> None:
    with transaction(rt.sessions) as session:
        data = client_export(session, loaded["client_id"], plain=False)
        assert data is not None
        text = to_csv(data, rt.tz)
        event = session.scalars(select(Event).where(
            Event.client_id == loaded["client_id"])).one()
        assert event.starts_at is not None
        local = event.starts_at.astimezone(rt.tz)
    assert text.startswith("\ufeff")  # Excel reads UTF-8 (ä, ö) only with the mark
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))  # Finnish Excel's separator
    assert rows[0] == ["osio", "tunnus", "kenttä", "arvo"]
    assert ["asiakas", str(loaded["client_id"]), "nimi", NAME] in rows
    assert ["asiakas", str(loaded["client_id"]), "puhelinnumero", "'" + PHONE] in rows
    starts = f"{local.day}.{local.month}.{local.year} {local.hour}.{local.minute:02d}"
    assert ["tapahtumat", str(event.id), "alkaa", starts] in rows  # local time, Finnish form
    assert not any("+00:00" in r[3] or "T" in r[3][10:11] for r in rows[1:])  # no ISO UTC
    assert sorted({r[0] for r in rows if r[3] == TRUSTED_NAME}) == ["läheiset"]
    bodies = [r[3] for r in rows if r[0] == "viestit" and r[2] == "teksti"]
    assert "'" + REPLY in bodies and REPLY not in bodies  # not run as a formula
    assert {r[0] for r in rows[1:]} == {"asiakas", "läheiset", "tapahtumat", "muistutukset",
                                        "viestit", "työntekijän_tehtävät", "lokitiedot"}


def test_erasure_leaves_no_personal_data_in_any_table(rt: Runtime, engine: Engine, api: Api,
                                                      loaded: dict[str, Any],
                                                      worker: Worker) -> None:
    before = {hit.rsplit(": ", 1)[1] for hit in scan(engine, NEEDLES)}
    assert before == set(NEEDLES) - {NATIONAL}  # each is really there (numbers are E.164)
    with transaction(rt.sessions) as session:
        result = erase_client(session, loaded["client_id"], datetime.now(UTC),
                              worker.id)
    assert result.events == 1 and result.trusted_persons == 1 and result.messages >= 3
    assert scan(engine, NEEDLES) == []
    # the bystander is untouched
    assert scan(engine, ("Pekka Sivullinen", "+358507654321", "Muu paikka")) != []
    assert api.get(f"/clients/{loaded['client_id']}").status_code == 404
    with transaction(rt.sessions) as session:
        client = session.get(Client, loaded["client_id"])
        assert client.anonymised_at is not None
        erased = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert (erased.worker_id, erased.object_type, erased.object_id) == (
            worker.id, "client", loaded["client_id"])
        # message rows stay for the figures, empty
        assert session.scalars(select(Message).where(Message.body.is_not(None))).all() != []
        assert all(m.client_id != loaded["client_id"] for m in session.scalars(select(Message)))


def test_erasing_a_missing_client_says_so(rt: Runtime) -> None:
    with transaction(rt.sessions) as session, pytest.raises(NoSuchClient):
        erase_client(session, 12345, datetime.now(UTC), None)


def test_cli_export_and_erase_are_audited(app: Flask, rt: Runtime, engine: Engine,
                                          loaded: dict[str, Any], worker: Worker,
                                          tmp_path) -> None:
    runner = app.test_cli_runner()
    cid = str(loaded["client_id"])
    shown = runner.invoke(export_client_command, [cid, "--format", "json", "--by", worker.email])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["client"]["name"] == NAME
    target = tmp_path / "asiakas.csv"
    written = runner.invoke(export_client_command, [cid, "--format", "csv", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert NAME in target.read_text(encoding="utf-8-sig")
    refused = runner.invoke(erase_client_command, [cid], input="n\n")
    assert refused.exit_code != 0 and scan(engine, (NAME,)) != []
    erased = runner.invoke(erase_client_command, [cid, "--yes", "--by", worker.email])
    assert erased.exit_code == 0, erased.output
    assert scan(engine, NEEDLES) == []
    with transaction(rt.sessions) as session:
        log = [(a.worker_id, a.action, a.detail) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "client",
                                     AuditEntry.object_id == loaded["client_id"],
                                     AuditEntry.action.in_(("export", "erase")))
            .order_by(AuditEntry.id))]
    assert [(w, a) for w, a, _ in log] == [(worker.id, "export"), (None, "export"),
                                           (worker.id, "erase")]
    assert log[1][2] == "cli csv"
    missing = runner.invoke(export_client_command, ["99999"])
    assert missing.exit_code != 0 and "ei löydy" in missing.output
