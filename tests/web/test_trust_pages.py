"""The issue #7 pages in the UI: audit log (admins), a client's export and erasure (its own
worker or an admin), and the service-path view (every signed-in worker)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Event, InboxItem, Worker
from tests.test_export_erase import scan
from tests.web.conftest import Browser, make_appointment, make_client

SVG = "{http://www.w3.org/2000/svg}"


def audit_rows(rt: Runtime, action: str) -> list[tuple[int | None, str, int | None, str]]:
    with transaction(rt.sessions) as session:
        return [(a.worker_id, a.object_type, a.object_id, a.detail) for a in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def test_pages_need_sign_in(browser: Browser, rt: Runtime) -> None:
    for path in ("/admin/audit", "/service-path", "/service-path/export.csv",
                 "/clients/1/export.json", "/clients/1/erase"):
        response = browser.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_audit_log_is_for_admins_only(signed_in: Browser, browser: Browser, rt: Runtime,
                                      admin: Worker, worker: Worker) -> None:
    assert signed_in.get("/admin/audit").status_code == 403
    signed_in.logout()
    browser.login(admin.email)
    page = browser.get("/admin/audit?action=login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count("<td>kirjautui sisään</td>") == 2  # the worker's and the admin's
    assert worker.name in html and admin.name in html
    assert "<td>kirjautui ulos</td>" not in html  # filtered out
    assert audit_rows(rt, "view")[-1][:2] == (admin.id, "audit_log")
    assert browser.get("/admin/audit?from=3.6.2026").status_code == 422


def test_own_worker_exports_json_and_csv(signed_in: Browser, rt: Runtime,
                                         worker: Worker) -> None:
    client = make_client(rt, worker.id)
    make_appointment(rt, client.id)
    response = signed_in.get(f"/clients/{client.id}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="asiakas-{client.id}-')
    data = json.loads(response.get_data(as_text=True))
    assert data["client"]["name"] == "Matti Mäkinen"
    assert data["events"][0]["place"] == "Sosiaalitoimisto, Keskuskatu 5"
    response = signed_in.get(f"/clients/{client.id}/export.csv")
    assert response.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    assert ["asiakas", str(client.id), "nimi", "Matti Mäkinen"] in rows
    summary = signed_in.get(f"/clients/{client.id}/summary")
    page = summary.get_data(as_text=True)
    assert summary.status_code == 200 and "text/html" in summary.content_type
    assert "Matti Mäkinen" in page and "Sosiaalitoimisto, Keskuskatu 5" in page
    assert "Kuka tietoja on käsitellyt" in page and "+00:00" not in page
    assert [(w, o, i, d) for w, o, i, d in audit_rows(rt, "export")] == [
        (worker.id, "client", client.id, "web json"), (worker.id, "client", client.id, "web csv"),
        (worker.id, "client", client.id, "web summary")]


def test_another_worker_may_not_export_or_erase(signed_in: Browser, rt: Runtime,
                                                other_worker: Worker) -> None:
    client = make_client(rt, other_worker.id)
    assert signed_in.get(f"/clients/{client.id}/export.csv").status_code == 403
    assert signed_in.get(f"/clients/{client.id}/summary").status_code == 403
    assert signed_in.get(f"/clients/{client.id}/erase").status_code == 403
    assert signed_in.post(f"/clients/{client.id}/erase", {"confirm": "yes"}).status_code == 403
    assert signed_in.get("/clients/9999/export.json").status_code == 404
    assert audit_rows(rt, "export") == [] and audit_rows(rt, "erase") == []


def test_admin_may_export_any_client(browser: Browser, rt: Runtime, admin: Worker,
                                     other_worker: Worker) -> None:
    client = make_client(rt, other_worker.id)
    browser.login(admin.email)
    assert browser.get(f"/clients/{client.id}/export.json").status_code == 200


def test_erasure_from_the_ui(signed_in: Browser, rt: Runtime, engine, worker: Worker) -> None:
    client = make_client(rt, worker.id)
    make_appointment(rt, client.id)
    page = signed_in.get(f"/clients/{client.id}/erase")
    assert page.status_code == 200 and "Matti Mäkinen" in page.get_data(as_text=True)
    # without the confirmation tick, or without the form's CSRF token: nothing happens
    assert signed_in.post(f"/clients/{client.id}/erase", {}).status_code == 422
    assert signed_in.post(f"/clients/{client.id}/erase", {"confirm": "yes"},
                          csrf=False).status_code == 400
    assert scan(engine, ("Matti Mäkinen",)) != []
    done = signed_in.post(f"/clients/{client.id}/erase", {"confirm": "yes"})
    assert done.status_code == 302
    assert scan(engine, ("Matti Mäkinen", "+358401234567", "Keskuskatu 5")) == []
    assert [(w, o, i) for w, o, i, _ in audit_rows(rt, "erase")] == [
        (worker.id, "client", client.id)]
    assert signed_in.get(f"/clients/{client.id}/export.json").status_code == 404


def _seed_service_path(rt: Runtime, worker: Worker) -> None:
    client = make_client(rt, worker.id, name="Salainen Nimi")
    now = datetime.now(UTC)
    today = now.astimezone(rt.config.tz).date()
    with transaction(rt.sessions) as session:
        session.add(Event(client_id=client.id, kind="application", agency="Kela",
                          submitted_on=today - timedelta(days=30),
                          decision_expected=today - timedelta(days=2), state="planned",
                          created_at=now - timedelta(days=30), updated_at=now))
        session.add(Event(client_id=client.id, kind="appointment", appointment_type="health",
                          starts_at=now - timedelta(days=3), state="confirmed", place="Piilo 1",
                          created_at=now - timedelta(days=20), updated_at=now))
        session.add(InboxItem(worker_id=worker.id, client_id=client.id, kind="callback",
                              summary="Asiakas pyytää soittamaan.",
                              created_at=now - timedelta(hours=5), handled_by=worker.id,
                              handled_at=now - timedelta(hours=2), state="handled"))


def test_service_path_page_has_accessible_charts_and_no_personal_data(
        signed_in: Browser, rt: Runtime, worker: Worker) -> None:
    _seed_service_path(rt, worker)
    page = signed_in.get("/service-path")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Salainen" not in html and "Piilo" not in html and "040" not in html
    for chart in ("chart-applications", "chart-appointments", "chart-replies"):
        start = html.index(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart}"')
        svg = ET.fromstring(html[start:html.index("</svg>", start) + 6])
        assert svg.get("role") == "img"
        ids = svg.get("aria-labelledby").split()
        assert [svg.find(f"{SVG}title").get("id"), svg.find(f"{SVG}desc").get("id")] == ids
    for table in ("table-applications", "table-appointments", "table-replies"):
        assert f'<table id="{table}">' in html
    # Kela: one waiting 30 days, overdue
    assert "<th scope=\"row\">Kela</th><td>1</td><td>0</td><td>–</td><td>30</td><td>1</td>" \
           "<td>1</td>" in html


def test_service_path_csv_and_period_choice(signed_in: Browser, rt: Runtime,
                                            worker: Worker) -> None:
    _seed_service_path(rt, worker)
    today = datetime.now(UTC).astimezone(rt.config.tz).date()
    start = today - timedelta(days=6)
    response = signed_in.get(f"/service-path/export.csv?from={start}&to={today}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["osio", "ryhmä", "mittari", "arvo"]
    assert ["jakso", "", "alku", start.isoformat()] in rows
    assert ["vastaukset", "callback", "mediaani_tuntia", "3.0"] in rows
    assert ["ajat", "health", "vahvistettu", "1"] in rows
    assert not any("Salainen" in cell for row in rows for cell in row)
    assert signed_in.get("/service-path?from=huomenna").status_code == 422
    reversed_ = signed_in.get(f"/service-path?from={today}&to={date(2020, 1, 1)}")
    assert reversed_.status_code == 422
