"""The inbox: a client's text always escaped, the reminder it answers shown beside it,
replies sent at once, and nobody acting on another worker's item unless it is shared or
handed over."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.gateways.base import GatewayError
from service.gateways.development import DevelopmentGateway
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import AuditEntry, InboxItem, Message, Reminder, Worker
from tests.conftest import Api, signed_post
from tests.web.conftest import Browser, make_appointment, make_client

HOSTILE = '<script>alert("x")</script><b>Kyllä</b> & <img src=x onerror=alert(1)>'


def _send_first_reminder(rt: Runtime, client_id: int) -> Reminder:
    with transaction(rt.sessions) as session:
        first = session.scalars(select(Reminder).where(
            Reminder.client_id == client_id, Reminder.state == "planned",
            Reminder.channel == "sms").order_by(Reminder.send_at)).first()
        assert first is not None
        session.expunge(first)
    assert tick(rt, now=first.send_at + timedelta(seconds=1)).claimed >= 1
    clock.freeze(first.send_at + timedelta(minutes=5))
    return first


def _reply(client: FlaskClient, sender: str, body: str, sid: str = "1") -> None:
    response = signed_post(client, "/twilio/sms", {
        "MessageSid": "SM" + sid * 32, "From": sender, "To": "+358451234567", "Body": body})
    assert response.status_code == 200


def _items(rt: Runtime) -> list[InboxItem]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(InboxItem).order_by(InboxItem.id)))


def test_client_text_is_escaped_everywhere(signed_in: Browser, client: FlaskClient,
                                          rt: Runtime, worker: Worker) -> None:
    person = make_client(rt, worker.id)
    make_appointment(rt, person.id, worker_id=worker.id)
    _send_first_reminder(rt, person.id)
    _reply(client, "+358401234567", HOSTILE)
    [item] = _items(rt)
    for url in ("/", "/inbox", f"/inbox/{item.id}", f"/clients/{person.id}"):
        page = signed_in.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<b>Kyllä</b>" not in page, url
        assert "<img src=x" not in page, url
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Kyllä&lt;/b&gt; &amp;" \
            in page, url


def test_reply_shows_original_and_answer_goes_out(signed_in: Browser, client: FlaskClient,
                                                  rt: Runtime, worker: Worker,
                                                  gateway: DevelopmentGateway) -> None:
    person = make_client(rt, worker.id)
    make_appointment(rt, person.id, worker_id=worker.id)
    _send_first_reminder(rt, person.id)
    original = gateway.sent[-1][2]
    _reply(client, "+358401234567", "mihin aikaan se olikaan?")
    [item] = _items(rt)
    assert item.state == "new"
    listing = signed_in.get("/inbox").get_data(as_text=True)
    assert "mihin aikaan se olikaan?" in listing and "Vastaus muistutukseen:" in listing
    page = signed_in.get(f"/inbox/{item.id}").get_data(as_text=True)
    assert 'id="original-text"' in page and original.split("\n")[0] in page
    assert _items(rt)[0].state == "read"  # opening marks it read
    response = signed_in.post(f"/inbox/{item.id}/reply", {"body": "Aika on klo 10. T. Sanna",
                                                          "handled": "1"})
    assert response.status_code == 302
    assert gateway.sent[-1] == ("sms", "+358401234567", "Aika on klo 10. T. Sanna")
    assert _items(rt)[0].state == "handled"
    with transaction(rt.sessions) as session:
        sent = session.scalars(select(Message).where(Message.worker_id == worker.id)).one()
        assert (sent.status, sent.client_id) == ("delivered", person.id)
        actions = [e.action for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(("send", "handle"))))]
    assert sorted(actions) == ["handle", "send"]
    page = signed_in.get(f"/inbox/{item.id}").get_data(as_text=True)
    assert "Aika on klo 10. T. Sanna" in page and "Lähetetyt vastaukset" in page


def test_failed_reply_is_retried_by_the_tick(signed_in: Browser, client: FlaskClient,
                                            rt: Runtime, worker: Worker,
                                            gateway: DevelopmentGateway) -> None:
    make_client(rt, worker.id)
    _reply(client, "+358401234567", "soita")
    [item] = _items(rt)
    gateway.fail_next.append(GatewayError("503 from the gateway"))
    signed_in.get(f"/inbox/{item.id}")
    response = signed_in.post(f"/inbox/{item.id}/reply", {"body": "Soitan huomenna."})
    assert "yritetään pian uudelleen" in signed_in.get(response.location).get_data(as_text=True)
    with transaction(rt.sessions) as session:
        assert session.scalars(select(Message.status).where(Message.worker_id == worker.id)
                               ).one() == "queued"
    assert tick(rt).messages_sent == 1
    assert gateway.sent[-1] == ("sms", "+358401234567", "Soitan huomenna.")


def test_empty_reply_and_opted_out_client_are_refused(signed_in: Browser, client: FlaskClient,
                                                      rt: Runtime, worker: Worker,
                                                      gateway: DevelopmentGateway) -> None:
    make_client(rt, worker.id)
    _reply(client, "+358401234567", "LOPETA")
    stop = next(i for i in _items(rt) if i.kind == "stop")
    page = signed_in.get(f"/inbox/{stop.id}").get_data(as_text=True)
    assert "kieltäytynyt viesteistä" in page and 'id="send-reply"' not in page
    refused = signed_in.post(f"/inbox/{stop.id}/reply", {"body": "Hei"})
    assert refused.status_code == 422
    assert not [s for s in gateway.sent if s[2] == "Hei"]


def test_another_workers_item_is_out_of_reach_until_handed_over(
        app: Flask, signed_in: Browser, client: FlaskClient, rt: Runtime, worker: Worker,
        other_worker: Worker, gateway: DevelopmentGateway) -> None:
    make_client(rt, other_worker.id, "Greta Lindholm", "050 765 4321", "sv")
    _reply(client, "+358507654321", "Jag kommer", sid="2")
    [item] = _items(rt)
    assert item.worker_id == other_worker.id
    for method, url, data in (
            ("get", f"/inbox/{item.id}", None),
            ("post", f"/inbox/{item.id}/reply", {"body": "Hej"}),
            ("post", f"/inbox/{item.id}/handle", {}),
            ("post", f"/inbox/{item.id}/reopen", {}),
            ("post", f"/inbox/{item.id}/reassign", {"worker_id": str(worker.id)})):
        response = signed_in.get(url) if method == "get" else signed_in.post(url, data)
        assert response.status_code == 404, url
    assert "Jag kommer" not in signed_in.get("/inbox").get_data(as_text=True)
    assert _items(rt)[0].worker_id == other_worker.id and _items(rt)[0].state == "new"
    assert gateway.sent == []

    olli = Browser(app.test_client())
    olli.login(other_worker.email)
    olli.get(f"/inbox/{item.id}")
    assert olli.post(f"/inbox/{item.id}/reassign", {"worker_id": str(worker.id)}
                     ).status_code == 302
    assert olli.get(f"/inbox/{item.id}").status_code == 404  # no longer Olli's
    page = signed_in.get(f"/inbox/{item.id}")
    assert page.status_code == 200 and "Jag kommer" in page.get_data(as_text=True)
    assert signed_in.post(f"/inbox/{item.id}/handle").status_code == 302
    assert _items(rt)[0].state == "handled" and _items(rt)[0].handled_by == worker.id


def test_shared_inbox_is_open_to_every_worker(app: Flask, signed_in: Browser,
                                              client: FlaskClient, rt: Runtime,
                                              other_worker: Worker,
                                              gateway: DevelopmentGateway) -> None:
    _reply(client, "+358409999999", "Kuka tämä on?", sid="3")
    [item] = _items(rt)
    assert item.worker_id is None and item.kind == "unknown_sender"
    assert "Kuka tämä on?" not in signed_in.get("/inbox").get_data(as_text=True)
    assert "Kuka tämä on?" in signed_in.get("/inbox?box=team").get_data(as_text=True)
    assert "Kuka tämä on?" in signed_in.get("/").get_data(as_text=True)
    signed_in.get(f"/inbox/{item.id}")
    signed_in.post(f"/inbox/{item.id}/reply", {"body": "Täällä sosiaalitoimi."})
    assert gateway.sent[-1][1] == "+358409999999"
    olli = Browser(app.test_client())
    olli.login(other_worker.email)
    assert olli.get(f"/inbox/{item.id}").status_code == 200
    olli.post(f"/inbox/{item.id}/reassign", {"worker_id": str(other_worker.id)})
    assert _items(rt)[0].worker_id == other_worker.id
    assert signed_in.get(f"/inbox/{item.id}").status_code == 404
    with transaction(rt.sessions) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "reassign")).one()
        assert (entry.worker_id, entry.object_id) == (other_worker.id, item.id)


def test_unread_count_in_navigation(signed_in: Browser, client: FlaskClient, rt: Runtime,
                                    worker: Worker) -> None:
    make_client(rt, worker.id)
    _reply(client, "+358401234567", "ok", sid="4")
    _reply(client, "+358401234567", "soita", sid="5")
    nav = signed_in.get("/clients").get_data(as_text=True)
    assert '<span class="badge">2<span class="visually-hidden"> uutta' in nav
    signed_in.get(f"/inbox/{_items(rt)[0].id}")
    assert '<span class="badge">1<' in signed_in.get("/clients").get_data(as_text=True)


def test_one_visibility_rule_for_pages_count_and_api(signed_in: Browser, client: FlaskClient,
                                                     api: Api, rt: Runtime, worker: Worker,
                                                     other_worker: Worker) -> None:
    """The inbox pages, the layout's count, the client page and the API all show a worker
    their own items and the team's shared ones, and never another worker's."""
    mine = make_client(rt, worker.id)
    theirs = make_client(rt, other_worker.id, "Greta Lindholm", "050 765 4321", "sv")
    _reply(client, "+358401234567", "Oma viesti", sid="6")
    _reply(client, "+358409999999", "Tiimin viesti", sid="7")
    _reply(client, "+358507654321", "Toisen viesti", sid="8")
    own, team, other = _items(rt)
    assert (own.worker_id, team.worker_id, other.worker_id) == (worker.id, None, other_worker.id)

    def shown(url: str) -> set[str]:
        page = signed_in.get(url).get_data(as_text=True)
        return {text for text in ("Oma viesti", "Tiimin viesti", "Toisen viesti") if text in page}

    assert shown("/inbox") == {"Oma viesti"}
    assert shown("/inbox?box=team") == {"Tiimin viesti"}
    assert shown("/") == {"Oma viesti", "Tiimin viesti"}  # the Today page
    assert '<span class="badge">2<' in signed_in.get("/clients").get_data(as_text=True)
    client_page = signed_in.get(f"/clients/{theirs.id}").get_data(as_text=True)
    assert f"/inbox/{other.id}" not in client_page
    assert f"/inbox/{own.id}" in signed_in.get(f"/clients/{mine.id}").get_data(as_text=True)
    assert [i["id"] for i in api.get("/inbox").json["items"]] == [own.id]
    assert [i["id"] for i in api.get("/inbox?team=1").json["items"]] == [team.id]
    assert api.post(f"/inbox/{other.id}/handle").status_code == 404
    assert api.post(f"/inbox/{team.id}/handle").json["state"] == "handled"
    assert [i["id"] for i in api.get("/inbox?team=1&state=handled").json["items"]] == [team.id]
    assert _items(rt)[2].state == "new"
