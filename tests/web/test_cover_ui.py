"""Cover in the worker UI: the Poissaolot page (ending an absence early too),
deactivation on the worker's edit page (who takes over), and escalated items on every
team member's Today page and in the team inbox, with a call-back's due time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask.testing import FlaskClient
from sqlalchemy import select

from service import clock
from service.runtime import Runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import Absence, Client, InboxItem, Worker
from tests.conftest import load, load_all
from tests.test_cover import text_in
from tests.web.conftest import Browser, make_client, make_worker

WED = datetime(2026, 12, 2, 6, 15, tzinfo=UTC)  # Wed 2.12.2026 08.15 in Helsinki


def test_poissaolot_page_adds_lists_and_deletes(signed_in: Browser, rt: Runtime,
                                                worker: Worker, other_worker: Worker) -> None:
    clock.freeze(WED)
    page = signed_in.get("/absences")
    assert page.status_code == 200 and "Poissaolot" in page.get_data(as_text=True)
    assert other_worker.name in page.get_data(as_text=True)  # offered as the substitute
    wrong = signed_in.post("/absences", {"worker_id": worker.id, "starts_on": "2026-12-10",
                                         "ends_on": "2026-12-09", "substitute_id": ""})
    assert wrong.status_code == 422 and 'id="ends_on-error"' in wrong.get_data(as_text=True)
    for starts, ends in (("2026-12-10", "2026-12-11"), ("2026-12-01", "2026-12-03")):
        done = signed_in.post("/absences", {"worker_id": worker.id, "starts_on": starts,
                                            "ends_on": ends, "substitute_id": other_worker.id})
        assert done.status_code == 302
    rows = load_all(rt, select(Absence).order_by(Absence.starts_on))
    assert [(a.starts_on, a.substitute_id) for a in rows] == [
        (date(2026, 12, 1), other_worker.id), (date(2026, 12, 10), other_worker.id)]
    started, coming = rows
    html = signed_in.get("/absences").get_data(as_text=True)
    assert f'id="delete-absence-{coming.id}"' in html
    assert f'id="delete-absence-{started.id}"' not in html  # under way: history
    signed_in.post(f"/absences/{started.id}/delete")
    signed_in.post(f"/absences/{coming.id}/delete")
    assert [a.id for a in load_all(rt, select(Absence))] == [started.id]


def test_back_early_the_worker_ends_the_absence_on_the_page(
        signed_in: Browser, client: FlaskClient, rt: Runtime, worker: Worker,
        other_worker: Worker) -> None:
    clock.freeze(WED)
    make_client(rt, worker.id, "Matti Mäkinen", "+358401234567")
    for starts, ends in (("2026-11-30", "2026-12-04"), ("2026-12-10", "2026-12-11")):
        signed_in.post("/absences", {"worker_id": worker.id, "starts_on": starts,
                                     "ends_on": ends, "substitute_id": other_worker.id})
    started, coming = load_all(rt, select(Absence).order_by(Absence.starts_on))
    covered = text_in(client)
    assert covered.worker_id == other_worker.id
    html = signed_in.get("/absences").get_data(as_text=True)
    assert f'id="end-absence-{started.id}"' in html and "Lopeta poissaolo" in html
    assert f'id="end-absence-{coming.id}"' not in html  # not begun: deleted instead
    assert "jo menneet asiat jäävät sinne" in html  # what the substitute has stays
    refused = signed_in.post(f"/absences/{coming.id}/end")
    assert refused.status_code == 302
    assert "Vain alkanutta poissaoloa" in signed_in.get("/absences").get_data(as_text=True)
    assert load(rt, Absence, coming.id).ends_on == date(2026, 12, 11)
    assert signed_in.post(f"/absences/{started.id}/end").status_code == 302
    page = signed_in.get("/absences").get_data(as_text=True)
    assert "Poissaolo on lopetettu." in page and f'id="absence-{started.id}"' not in page
    assert load(rt, Absence, started.id).ends_on == date(2026, 12, 1)  # yesterday
    assert text_in(client, "ok").worker_id == worker.id
    assert load(rt, InboxItem, covered.id).worker_id == other_worker.id


def test_an_absence_begun_today_is_removed_when_ended(signed_in: Browser, rt: Runtime,
                                                      worker: Worker) -> None:
    clock.freeze(WED)
    signed_in.post("/absences", {"worker_id": worker.id, "starts_on": "2026-12-02",
                                 "ends_on": "2026-12-04", "substitute_id": ""})
    [today] = load_all(rt, select(Absence))
    assert signed_in.post(f"/absences/{today.id}/end").status_code == 302
    assert load_all(rt, select(Absence)) == []
    signed_in.post("/language", {"lang": "sv", "next": "/absences"})
    signed_in.post("/absences", {"worker_id": worker.id, "starts_on": "2026-12-01",
                                 "ends_on": "2026-12-04", "substitute_id": ""})
    page = signed_in.get("/absences").get_data(as_text=True)
    assert "Avsluta frånvaron" in page and "stannar där" in page


def test_a_worker_cannot_end_a_colleagues_absence(browser: Browser, rt: Runtime,
                                                  worker: Worker,
                                                  other_worker: Worker) -> None:
    clock.freeze(WED)
    with transaction(rt.sessions) as session:
        away = Absence(worker_id=other_worker.id, starts_on=date(2026, 12, 1),
                       ends_on=date(2026, 12, 4), created_by=other_worker.id)
        session.add(away)
        session.flush()
        away_id = away.id
    browser.login(worker.email)
    assert browser.post(f"/absences/{away_id}/end").status_code == 404
    assert load(rt, Absence, away_id).ends_on == date(2026, 12, 4)


def test_a_worker_cannot_record_a_colleagues_absence(signed_in: Browser, rt: Runtime,
                                                     other_worker: Worker) -> None:
    response = signed_in.post("/absences", {"worker_id": other_worker.id,
                                            "starts_on": "2026-12-10", "ends_on": "2026-12-11"})
    assert response.status_code == 404
    assert load_all(rt, select(Absence)) == []


def test_deactivating_on_the_edit_page_asks_who_takes_over(
        browser: Browser, rt: Runtime, admin: Worker, worker: Worker,
        other_worker: Worker) -> None:
    browser.login(admin.email)
    matti = make_client(rt, worker.id, "Matti Mäkinen", "040 123 4567")
    form = browser.get(f"/admin/workers/{worker.id}").get_data(as_text=True)
    assert 'id="successor_id"' in form and other_worker.name in form
    fields = {"name": worker.name, "email": worker.email, "role": "worker",
              "ui_language": "fi"}  # "active" unticked
    refused = browser.post(f"/admin/workers/{worker.id}", fields)
    assert refused.status_code == 422
    assert 'id="successor_id-error"' in refused.get_data(as_text=True)
    assert load(rt, Worker, worker.id).active
    done = browser.post(f"/admin/workers/{worker.id}", {**fields,
                                                        "successor_id": other_worker.id})
    assert done.status_code == 302
    assert not load(rt, Worker, worker.id).active
    assert load(rt, Client, matti.id).worker_id == other_worker.id


def test_an_escalated_callback_is_on_every_members_today_and_in_the_team_inbox(
        browser: Browser, client: FlaskClient, rt: Runtime, worker: Worker) -> None:
    colleague = make_worker(rt, "olli@example.fi", "Olli Ohjaaja")
    make_client(rt, worker.id, "Matti Mäkinen", "+358401234567")
    clock.freeze(WED)
    item = text_in(client, "Soita minulle")
    browser.login(worker.email)
    mine = browser.get("/inbox").get_data(as_text=True)
    assert "Soita viimeistään ke 2.12. klo 12.15" in mine
    browser.logout()
    browser.login(colleague.email)
    assert "Matti Mäkinen" not in browser.get("/").get_data(as_text=True)
    clock.freeze(datetime(2026, 12, 2, 10, 15, tzinfo=UTC))  # 12.15 local: due
    assert tick(rt, now=clock.utcnow()).escalated == 1
    today = browser.get("/").get_data(as_text=True)
    assert 'id="escalated"' in today and f'id="escalated-{item.id}"' in today
    assert "Matti Mäkinen" in today
    team = browser.get("/inbox?box=team").get_data(as_text=True)
    assert f'id="item-{item.id}"' in team and "Nostettu tiimille" in team
    assert browser.get(f"/inbox/{item.id}").status_code == 200  # the colleague may open it
    with transaction(rt.sessions) as session:
        assert session.get(InboxItem, item.id).worker_id == worker.id  # type: ignore[union-attr]
