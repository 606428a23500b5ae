"""`rinnalla create-team` and `create-worker --team --role`: the contracts scripts and our
acceptance runs rely on (the id alone on the last line; a bad value a clear error)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.cli import create_team, create_worker, main
from service.runtime import Runtime
from service.store.db import make_engine, transaction
from service.store.migrate import upgrade
from service.store.models import Team, TeamMember, Worker
from service.store.states import Role


def _team(rt: Runtime, team_id: int) -> Team:
    with transaction(rt.sessions) as session:
        team = session.get(Team, team_id)
        assert team is not None
        session.expunge(team)
        return team


def _worker(rt: Runtime, email: str) -> tuple[Worker, list[int]]:
    with transaction(rt.sessions) as session:
        worker = session.scalars(select(Worker).where(Worker.email == email)).one()
        teams = list(session.scalars(select(TeamMember.team_id)
                                     .where(TeamMember.worker_id == worker.id)))
        session.expunge(worker)
        return worker, teams


def test_create_team_prints_the_id_alone_on_the_last_line(app: Flask, rt: Runtime) -> None:
    result = app.test_cli_runner().invoke(create_team, [
        "--name", "Pihtiputaan aikuissosiaalityö", "--phone", "040 222 3333",
        "--booking-number", "0800 123 456"])
    assert result.exit_code == 0, result.output
    team_id = int(result.output.strip().splitlines()[-1])
    team = _team(rt, team_id)
    assert (team.name, team.phone, team.booking_number) == (
        "Pihtiputaan aikuissosiaalityö", "+358402223333", "+358800123456")
    assert not team.from_config and team_id != 1


def test_create_team_refuses_a_bad_phone_with_a_hint_not_a_traceback(app: Flask,
                                                                      rt: Runtime) -> None:
    result = app.test_cli_runner().invoke(create_team, ["--name", "Tiimi B",
                                                        "--phone", "040 12"])
    assert result.exit_code == 2  # a usage error, not a crash
    assert "--phone" in result.output and "+358 40 123 4567" in result.output
    assert "Traceback" not in result.output
    with transaction(rt.sessions) as session:
        assert session.scalar(select(Team.id).where(Team.name == "Tiimi B")) is None


def test_create_worker_joins_the_given_team_with_the_given_role(app: Flask, rt: Runtime) -> None:
    runner = app.test_cli_runner()
    team_id = int(runner.invoke(create_team, ["--name", "Vammaispalvelut", "--phone",
                                              "+358 40 555 6666"]).output.split()[-1])
    result = runner.invoke(create_worker, ["--name", "Tiina Tiimivetäjä", "--email",
                                           "tiina@example.fi", "--team", str(team_id),
                                           "--role", "team_admin"])
    assert result.exit_code == 0, result.output
    worker, teams = _worker(rt, "tiina@example.fi")
    assert worker.role == Role.TEAM_ADMIN and teams == [team_id]
    assert worker.must_change_password


def test_create_worker_defaults_to_the_first_team_and_keeps_admin(app: Flask,
                                                                 rt: Runtime) -> None:
    runner = app.test_cli_runner()
    plain = runner.invoke(create_worker, ["--name", "Ville", "--email", "ville@example.fi"])
    admin = runner.invoke(create_worker, ["--name", "Aila", "--email", "aila@example.fi",
                                          "--admin"])
    assert plain.exit_code == 0 and admin.exit_code == 0, plain.output + admin.output
    ville, ville_teams = _worker(rt, "ville@example.fi")
    aila, aila_teams = _worker(rt, "aila@example.fi")
    assert ville.role == Role.WORKER and aila.role == Role.ORG_ADMIN
    assert ville_teams == aila_teams == [1]


def test_create_worker_refuses_an_unknown_team_clearly(app: Flask, rt: Runtime) -> None:
    result = app.test_cli_runner().invoke(create_worker, ["--name", "X", "--email",
                                                          "x@example.fi", "--team", "999"])
    assert result.exit_code == 2
    assert "no team has the id 999" in result.output and "Traceback" not in result.output
    with transaction(rt.sessions) as session:
        assert session.scalar(select(Worker.id).where(Worker.email == "x@example.fi")) is None


def test_check_files_checks_every_teams_folder(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A team's folder with a link in a text fails check-files, naming the team and file;
    the installation's files and the other teams still pass."""
    database = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    folder = tmp_path / "vammaispalvelut"
    (folder / "message_templates" / "sms").mkdir(parents=True)
    linked = folder / "message_templates" / "sms" / "opted_in.fi.txt"
    linked.write_text("{team}: katso kela.fi/asiointi\n", encoding="utf-8")
    with Session(engine) as session, session.begin():
        session.add(Team(name="Vammaispalvelut", phone="+358405556666", files_dir=str(folder)))
    engine.dispose()
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database}"\n[team]\nname = "Viitasaari"\n'
                      'phone = "+358 14 123 4567"\n', encoding="utf-8")
    monkeypatch.setenv("RINNALLA_CONFIG", str(config))
    monkeypatch.setenv("DATABASE_URL", database)  # the environment names the database
    result = CliRunner().invoke(main, ["check-files"])
    assert result.exit_code == 1, result.output
    assert "team 2 (Vammaispalvelut, folder" in result.output
    assert "opted_in.fi.txt" in result.output and "link" in result.output
    linked.write_text("{team}: saat taas viestejä. Soita {team_phone}\n", encoding="utf-8")
    fixed = CliRunner().invoke(main, ["check-files"])
    assert fixed.exit_code == 0, fixed.output
    assert "team 2 (Vammaispalvelut): ok, folder" in fixed.output
