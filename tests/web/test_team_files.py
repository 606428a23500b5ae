"""The team's templates and schedules in a worker's words, and an admin's edits: checked
like the files at start-up, previewed, kept with their history, undone, and in force in
every process at once without a restart."""

from __future__ import annotations

from sqlalchemy import select

from service.domain.messages.template_check import SAMPLE_APPOINTMENT
from service.domain.people.passwords import hash_password
from service.domain.teams.setup import create_team, join
from service.domain.texts.rendering import render_text
from service.runtime import Runtime, build_runtime
from service.scheduling.dispatch import tick
from service.store.db import transaction
from service.store.models import AuditEntry, TeamFileVersion, Worker
from tests.web.conftest import PASSWORD, Browser, make_worker

TEMPLATE = "message_templates/sms/appointment_reminder.fi.txt"
EDIT_URL = "/team-files/edit"


def test_rules_and_examples_are_shown_in_finnish_words(signed_in: Browser, rt: Runtime) -> None:
    page = signed_in.get("/team-files").get_data(as_text=True)
    for rule in rt.schedules.for_kind("appointment"):
        assert f"<code>{rule.id}</code>" in page  # the name in the file, for whoever edits it
    assert "<strong>Viikkoa ennen</strong>" in page  # week_before in words
    assert "vain jos asiakas ei ole vielä vahvistanut" in page  # the condition unconfirmed
    assert "7 vrk ennen ajan alkua klo 10.00" in page
    assert "Keski-Suomen keskussairaala" in page  # a long sample value, rendered
    assert "{place}" in page  # the template source as the team wrote it
    assert "1 tekstiviesti, GSM-7" in page
    reminder = page.split('id="tpl-sms-appointment_reminder"')[1].split("</li>")[0]
    languages = [reminder.index(word) for word in ("<summary>Suomi", "<summary>Selkosuomi",
                                                   "<summary>Ruotsi", "<summary>Englanti")]
    assert languages == sorted(languages)  # Finnish first
    assert page.count("<details") >= len(rt.templates.templates)  # folded, not one long page
    assert 'id="edit-team-files"' not in page  # only admins edit


def test_a_worker_who_is_not_an_admin_cannot_edit(signed_in: Browser) -> None:
    assert signed_in.get(EDIT_URL).status_code == 403
    assert signed_in.post(EDIT_URL, {"path": TEMPLATE, "content": "x",
                                     "action": "save"}).status_code == 403


def test_a_team_admin_cannot_edit_the_installations_files(browser: Browser,
                                                          rt: Runtime) -> None:
    """The files on disk and their saved versions are every team's texts: only the
    organisation's admin changes them (a team's own are in its folder)."""
    make_worker(rt, "tiina@example.fi", "Tiina Tiiminvetäjä", role="team_admin")
    assert browser.login("tiina@example.fi").status_code == 302
    page = browser.get("/team-files").get_data(as_text=True)
    assert 'id="edit-team-files"' not in page
    assert browser.get(EDIT_URL).status_code == 403
    assert browser.post(EDIT_URL, {"path": TEMPLATE, "content": "x",
                                   "action": "save"}).status_code == 403
    assert _versions(rt) == []


def test_the_header_names_the_workers_own_team(browser: Browser, rt: Runtime) -> None:
    with transaction(rt.sessions) as session:
        team = create_team(session, "Pihtiputaan aikuissosiaalityö", "+358401112222")
        worker = Worker(name="Pekka", email="pekka@example.fi",
                        password_hash=hash_password(PASSWORD))
        session.add(worker)
        session.flush()
        join(session, worker.id, team.id)
    assert browser.login("pekka@example.fi").status_code == 302
    assert "Pihtiputaan aikuissosiaalityö" in browser.get("/").get_data(as_text=True)


def _admin(browser: Browser, admin: Worker) -> Browser:
    assert browser.login(admin.email).status_code == 302
    return browser


def _versions(rt: Runtime) -> list[TeamFileVersion]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(TeamFileVersion).order_by(TeamFileVersion.id)))


def _example(rt: Runtime) -> str:
    return render_text(rt.templates, "sms", "appointment_reminder", "fi", SAMPLE_APPOINTMENT,
                       rt.sender, client_name="Matti")


def test_preview_then_save_is_in_force_at_once_in_every_process(
        browser: Browser, admin: Worker, rt: Runtime) -> None:
    b = _admin(browser, admin)
    listing = b.get(EDIT_URL).get_data(as_text=True)
    assert TEMPLATE in listing and "schedules/appointment.toml" in listing
    page = b.get(EDIT_URL, query_string={"path": TEMPLATE}).get_data(as_text=True)
    assert "muistutus läheisesi ajasta {when}" in page  # the file on disk, as it is
    worker_process = build_runtime(rt.config, engine=rt.engine, gateway=rt.gateway)
    new = "{team}: tervetuloa {when}\n{place}\nVastaa 1 = tulen, 2 = en pääse.\n"
    shown = b.post(EDIT_URL, {"path": TEMPLATE, "content": new, "action": "preview"})
    assert shown.status_code == 200
    assert "tervetuloa" in shown.get_data(as_text=True).split('id="file-preview"')[1]
    assert _versions(rt) == [] and "tervetuloa" not in _example(rt)  # a preview saves nothing
    saved = b.post(EDIT_URL, {"path": TEMPLATE, "content": new, "action": "save"})
    assert saved.status_code == 302
    assert "tervetuloa" in _example(rt)  # this process, no restart
    assert "tervetuloa" not in _example(worker_process)
    tick(worker_process)  # the worker process reads the version at its next pass
    assert "tervetuloa" in _example(worker_process)
    with transaction(rt.sessions) as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.object_type == "team_file")).one()
    assert (entry.action, entry.worker_id) == ("update", admin.id)
    assert TEMPLATE in entry.detail
    on_disk = rt.config.templates_dir / "sms/appointment_reminder.fi.txt"
    assert "muistutus läheisesi ajasta" in on_disk.read_text(encoding="utf-8")  # the default


def test_the_start_up_checks_refuse_a_broken_version_naming_the_file(
        browser: Browser, admin: Worker, rt: Runtime) -> None:
    b = _admin(browser, admin)
    for content, problem in (("{team}: katso https://example.fi {when}", "link"),
                             ("{team}: {whenn}", "unknown variable"),
                             ("{team} " + "pitkä teksti " * 40, "")):
        answer = b.post(EDIT_URL, {"path": TEMPLATE, "content": content, "action": "save"})
        page = answer.get_data(as_text=True)
        assert answer.status_code == 422, content
        assert "sms/appointment_reminder.fi.txt" in page and problem in page
        assert "rinnalla-files-" not in page  # the scratch folder is not shown
    assert _versions(rt) == []
    assert b.post(EDIT_URL, {"path": "../config.toml", "content": "x"}).status_code == 404


def test_a_schedule_edit_and_its_undo(browser: Browser, admin: Worker, rt: Runtime) -> None:
    b = _admin(browser, admin)
    path = "schedules/appointment.toml"
    original = (rt.config.schedules_dir / "appointment.toml").read_text(encoding="utf-8")
    week = next(r for r in rt.schedules.for_kind("appointment") if r.id == "week_before")
    assert week.at is not None and week.at.hour == 10
    edited = original.replace('at = "10:00"', 'at = "11:30"', 1)
    assert edited != original
    preview = b.post(EDIT_URL, {"path": path, "content": edited, "action": "preview"})
    assert "klo 11.30" in preview.get_data(as_text=True)
    assert b.post(EDIT_URL, {"path": path, "content": edited, "action": "save"}).status_code == 302
    week = next(r for r in rt.schedules.for_kind("appointment") if r.id == "week_before")
    assert week.at is not None and (week.at.hour, week.at.minute) == (11, 30)
    assert b.post(f"{EDIT_URL}/default", {"path": path}).status_code == 302
    week = next(r for r in rt.schedules.for_kind("appointment") if r.id == "week_before")
    assert week.at is not None and week.at.hour == 10
    first = _versions(rt)[0]
    page = b.get(EDIT_URL, query_string={"path": path}).get_data(as_text=True)
    assert f'id="undo-{first.id}"' in page  # the history offers the older version
    assert b.post(f"{EDIT_URL}/undo/{first.id}").status_code == 302
    week = next(r for r in rt.schedules.for_kind("appointment") if r.id == "week_before")
    assert week.at is not None and week.at.minute == 30
    assert [v.content is None for v in _versions(rt)] == [False, True, False]
