"""The teams pages: the organisation's admin lists, creates and edits teams and their
members; a team admin sees their own team's page only; a worker none (issue 15)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import AuditEntry, Team, TeamMember
from tests.web.conftest import Browser, make_client, make_worker

NEW_TEAM = {"name": "Pihtipudas", "name_sv": "", "name_en": "Pihtipudas EN",
            "phone": "040 222 3333", "booking_number": "", "window": "09:00-17:00",
            "saturday_window": "", "sunday_window": "", "sender": "+358 45 777 0000",
            "files_dir": "", "escalate_after_hours": "6"}


def _signed_in(app: Flask, email: str) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(email).status_code == 302
    return browser


def _team(rt: Runtime, name: str) -> Team | None:
    with transaction(rt.sessions) as session:
        team = session.scalars(select(Team).where(Team.name == name)).first()
        if team is not None:
            session.expunge(team)
        return team


def test_the_admin_creates_a_team_and_bad_values_get_hints(app: Flask, rt: Runtime) -> None:
    admin = make_worker(rt, "paivi@example.fi", "Päivi", role="org_admin")
    browser = _signed_in(app, admin.email)
    browser.get("/admin/teams/new")
    bad = browser.post("/admin/teams/new", {**NEW_TEAM, "phone": "040 12", "window": "20-8",
                                            "sender": "Pihtipudas"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for field in ("phone", "window", "sender"):
        assert f'id="{field}-error"' in page
    assert "040 123 4567" in page and "08:00-20:00" in page
    assert _team(rt, "Pihtipudas") is None
    made = browser.post("/admin/teams/new", NEW_TEAM)
    assert made.status_code == 302
    team = _team(rt, "Pihtipudas")
    assert team is not None and not team.from_config
    assert (team.phone, team.sender, team.window, team.escalate_after_hours) == (
        "+358402223333", "+358457770000", "09:00-17:00", 6)
    assert made.location.endswith(f"/admin/teams/{team.id}")
    with transaction(rt.sessions) as session:
        assert session.scalar(select(AuditEntry.id).where(
            AuditEntry.object_type == "team", AuditEntry.object_id == team.id)) is not None


def test_the_list_counts_workers_clients_and_open_items(app: Flask, rt: Runtime) -> None:
    admin = make_worker(rt, "paivi@example.fi", "Päivi", role="org_admin")
    make_client(rt, admin.id, "Aino Asiakas", "+358401234567")
    page = _signed_in(app, admin.email).get("/admin/teams").get_data(as_text=True)
    row = page.split('id="teams"')[1].split("</tr>")[1]
    assert "Sosiaalitoimi" in row or "Tiimi" in row
    assert [cell.split("<")[0] for cell in row.split('">')[-3:]] == ["1", "1", "0"]


def test_a_text_too_long_with_the_teams_name_is_a_form_error(app: Flask, rt: Runtime) -> None:
    admin = make_worker(rt, "paivi@example.fi", "Päivi", role="org_admin")
    browser = _signed_in(app, admin.email)
    browser.get("/admin/teams/new")
    response = browser.post("/admin/teams/new", {**NEW_TEAM, "name": "Pihtiputaan kunnan "
                                                 "aikuissosiaalityön palvelut"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_editing_the_installations_team_stops_it_following_the_config(
        app: Flask, rt: Runtime) -> None:
    admin = make_worker(rt, "paivi@example.fi", "Päivi", role="org_admin")
    browser = _signed_in(app, admin.email)
    form = browser.get("/admin/teams/1/edit").get_data(as_text=True)
    assert 'id="from-config-note"' in form
    response = browser.post("/admin/teams/1/edit", {**NEW_TEAM, "name": "Viitasaari"})
    assert response.status_code == 302
    team = _team(rt, "Viitasaari")
    assert team is not None and team.id == 1 and not team.from_config
    assert rt.for_team(1).sender.team == "Viitasaari"  # in force at once


def test_the_admin_adds_and_removes_members(app: Flask, rt: Runtime) -> None:
    admin = make_worker(rt, "paivi@example.fi", "Päivi", role="org_admin")
    other = make_worker(rt, "olli@example.fi", "Olli")
    browser = _signed_in(app, admin.email)
    browser.get("/admin/teams/new")
    browser.post("/admin/teams/new", NEW_TEAM)
    team = _team(rt, "Pihtipudas")
    assert team is not None
    page = browser.get(f"/admin/teams/{team.id}").get_data(as_text=True)
    assert 'id="add-member"' in page and "Olli" in page
    assert browser.post(f"/admin/teams/{team.id}/members",
                        {"worker_id": str(other.id)}).status_code == 302

    def members() -> list[int]:
        with transaction(rt.sessions) as session:
            return list(session.scalars(select(TeamMember.worker_id)
                                        .where(TeamMember.team_id == team.id)))

    assert members() == [other.id]
    assert browser.post(f"/admin/teams/{team.id}/members/{other.id}/remove"
                        ).status_code == 302
    assert members() == []


def test_a_team_admin_sees_their_own_team_only_and_creates_none(app: Flask,
                                                                rt: Runtime) -> None:
    admin = make_worker(rt, "paivi@example.fi", "Päivi", role="org_admin")
    lead = make_worker(rt, "tiina@example.fi", "Tiina", role="team_admin")
    browser = _signed_in(app, admin.email)
    browser.get("/admin/teams/new")
    browser.post("/admin/teams/new", NEW_TEAM)
    other_team = _team(rt, "Pihtipudas")
    assert other_team is not None
    mine = _signed_in(app, lead.email)
    own = mine.get("/admin/teams/1")
    assert own.status_code == 200 and "Tiina" in own.get_data(as_text=True)
    assert 'id="edit-team"' not in own.get_data(as_text=True)
    listing = mine.get("/admin/teams").get_data(as_text=True)
    assert "Pihtipudas" not in listing and 'id="new-team"' not in listing
    assert mine.get(f"/admin/teams/{other_team.id}").status_code == 404
    assert mine.get("/admin/teams/new").status_code == 403
    assert mine.post("/admin/teams/1/edit", NEW_TEAM).status_code == 403
    assert mine.post("/admin/teams/1/members", {"worker_id": str(admin.id)}).status_code == 403


def test_a_worker_has_no_teams_pages(app: Flask, rt: Runtime) -> None:
    worker = make_worker(rt, "ville@example.fi", "Ville")
    browser = _signed_in(app, worker.email)
    assert browser.get("/admin/teams").status_code == 403
    assert browser.get("/admin/teams/1").status_code == 403
    assert 'href="/admin/teams"' not in browser.get("/").get_data(as_text=True)
