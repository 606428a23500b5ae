"""Who the texts say they come from (issue 14, part 2): no default that reveals social
services, a production start that refuses to run without the team's name and phone, the
team's name per language, and check-files rendering with the configured values and
naming the value that breaks a budget (segments, spoken seconds) or a missing language."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from service.config import PLACEHOLDER_TEAM, REPO_ROOT, ConfigError, load_config
from service.domain.messages.template_check import SAMPLE_APPOINTMENT
from service.domain.texts.rendering import render_text
from service.domain.texts.templates import load_templates

PRODUCTION = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "secret",
              "TWILIO_FROM_NUMBER": "+358451234567", "RINNALLA_GATEWAY": "twilio",
              "RINNALLA_SECRET_KEY": "test-secret-key"}
REVEALING = re.compile(r"sosiaal|social|socialt", re.IGNORECASE)


def _config_file(tmp_path: Path, team: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[team]\n{team}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("team", "missing"), [
    ("", "team.name and team.phone"),
    ('name = "Viitasaaren palvelut"', "team.phone"),
    ('phone = "+358 14 123 4567"', "team.name"),
])
def test_a_production_start_needs_the_teams_name_and_phone(tmp_path: Path, team: str,
                                                           missing: str) -> None:
    with pytest.raises(ConfigError, match=f"set {missing} in the \\[team\\] section"):
        load_config(_config_file(tmp_path, team), env=PRODUCTION)


def test_a_production_start_with_both_runs(tmp_path: Path) -> None:
    config = load_config(_config_file(
        tmp_path, 'name = "Viitasaaren palvelut"\nphone = "+358 14 123 4567"'), env=PRODUCTION)
    assert config.sender.team == "Viitasaaren palvelut"


def test_development_uses_a_neutral_placeholder() -> None:
    config = load_config(env={})
    assert config.team_name == "" and config.sender.team == PLACEHOLDER_TEAM
    assert not REVEALING.search(PLACEHOLDER_TEAM)
    assert not REVEALING.search((REPO_ROOT / "config.example.toml").read_text(
        encoding="utf-8").split("[team]")[1].split("[files]")[0].split("\nname")[1])


def test_the_team_name_per_language(tmp_path: Path) -> None:
    config = load_config(_config_file(
        tmp_path, 'name = "Viitasaaren palvelut"\nname_sv = "Tjänster i Viitasaari"\n'
                  'name_en = "Viitasaari services"'), env={})
    templates = load_templates(config.templates_dir)
    said = {lang: render_text(templates, "sms", "appointment_reminder", lang,
                              SAMPLE_APPOINTMENT, config.sender)
            for lang in ("fi", "selko", "sv", "en", "uk")}
    assert said["fi"].startswith("Viitasaaren palvelut:")
    assert said["selko"].startswith("Viitasaaren palvelut:")
    assert said["sv"].startswith("Tjänster i Viitasaari:")
    assert said["en"].startswith("Viitasaari services:")
    assert said["uk"].startswith("Viitasaaren palvelut:")  # no uk name: the main one


def _check_files(monkeypatch: pytest.MonkeyPatch, config: Path) -> tuple[int, str]:
    monkeypatch.setenv("RINNALLA_CONFIG", str(config))
    result = CliRunner().invoke(main, ["check-files"])
    return result.exit_code, result.output


def _team_folder(tmp_path: Path) -> Path:
    shutil.copytree(REPO_ROOT / "message_templates", tmp_path / "message_templates")
    shutil.copytree(REPO_ROOT / "schedules", tmp_path / "schedules")
    return tmp_path / "message_templates"


def test_check_files_names_the_configured_value_that_breaks_a_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fine = _config_file(tmp_path, 'name = "Viitasaaren palvelut"\nphone = "+358 14 123 4567"')
    code, output = _check_files(monkeypatch, fine)
    assert code == 0, output
    # What check-files measures is what is configured: the real number, not a stand-in.
    assert "VAROITUS" not in output
    long = "Viitasaaren kaupungin aikuissosiaalityön palvelut"
    code, output = _check_files(monkeypatch, _config_file(
        tmp_path, f'name = "{long}"\nphone = "+358 14 123 4567"'))
    assert code == 1
    # The start refuses these templates too, so the lines come from the app's refusal.
    errors = output.splitlines()
    assert any("SMS segments" in e and f"team.name = '{long}'" in e for e in errors)
    assert any("appointment_reminder.fi.txt [client]: the first key comes after" in e
               and f"team.name = '{long}'" in e for e in errors)


def test_check_files_warns_when_no_number_is_configured(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _check_files(monkeypatch, _config_file(tmp_path, 'name = "Kunnan palvelut"'))
    assert code == 0
    assert "VAROITUS team.phone is not set" in output


def test_check_files_fails_on_a_call_over_its_spoken_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _team_folder(tmp_path)
    path = folder / "voice" / "appointment_reminder.fi.txt"
    text = path.read_text(encoding="utf-8").replace(
        "---", "[client] Muista ottaa mukaan henkilökortti ja tiliotteet kahdelta "
               "kuukaudelta.\n---")
    path.write_text(text, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[team]\nname = "Kunnan palvelut"\nphone = "+358 14 123 4567"\n'
                      '[files]\ntemplates = "message_templates"\nschedules = "schedules"\n',
                      encoding="utf-8")
    code, output = _check_files(monkeypatch, config)
    assert code == 1
    assert f"{path} [client]: the first key comes after" in output
    assert "at most 20 s at 4.5 syllables a second" in output


def test_check_files_fails_on_a_missing_language_and_says_which(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another team adds a template in fi/sv/en/selko only: the uk file is named."""
    folder = _team_folder(tmp_path)
    for lang in ("fi", "sv", "en", "selko"):
        (folder / "sms" / f"event_moved.{lang}.txt").write_text(
            "{team}: aikasi on siirtynyt: {when}\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[files]\ntemplates = "message_templates"\nschedules = "schedules"\n',
                      encoding="utf-8")
    code, output = _check_files(monkeypatch, config)
    assert code == 1
    assert "every language needs every template; missing sms/event_moved.uk.txt" in output
    assert "a language is a file in service/languages/" in output
