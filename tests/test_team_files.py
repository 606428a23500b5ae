"""The team's files: the checker runs on the repository's own templates and schedules, and
broken copies show that it catches each problem (over one segment, a link, a character
that forces UCS-2, a missing language), naming the file."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from service import languages
from service.app import create_app
from service.cli import main
from service.config import REPO_ROOT, Config, load_config
from service.domain.messages.template_check import CheckReport, UnsafeTemplates, check_team_files
from service.domain.planning.schedules import load_schedules
from service.domain.texts.templates import LANGUAGES, load_templates
from service.runtime import build_runtime

TEMPLATES = REPO_ROOT / "message_templates"
SCHEDULES = REPO_ROOT / "schedules"
# Templates that ask for an answer, and those about an appointment's time and place.
ANSWERED = ("appointment_reminder", "appointment_today", "decision_followup")
ABOUT_APPOINTMENT = ("appointment_reminder", "appointment_today", "transport_booking")
# Words that would tell whoever picks up a shared phone what this is about. Transport
# texts name the Kela taxi (Swedish: FPA-taxi): it is what the client must book (issue 14).
TRANSPORT = re.compile(r"Kela-taksi|Kela taxi|таксі Kela|FPA-taxi", re.IGNORECASE)
REVEALING = re.compile(r"sosiaal|kela|toimeentulo|etuu|tuki|velka|social|benefit|förmån|"
                       r"bidrag|skuld|debt|welfare", re.IGNORECASE)
# Abbreviations a reader would have to decode.
ABBREVIATIONS = re.compile(r"\b(p|puh|tfn|tel|esim|ym|jne|ks|ns|mm|ca|approx|etc|nr)\.",
                           re.IGNORECASE)


@pytest.fixture
def repo_config() -> Config:
    return load_config(env={})


def _check(config: Config) -> CheckReport:
    return check_team_files(config.templates_dir, config.schedules_dir, config.sender)


def test_the_repositorys_files_pass(repo_config: Config) -> None:
    """Each text within its language's budget: one GSM-7 segment (plain Finnish two),
    Ukrainian UCS-2 within three; one cost line for every reader and kind of event."""
    report = _check(repo_config)
    assert report.errors == []
    sms = "\n".join(line for line in report.lines if line.startswith("sms/")).splitlines()
    names = load_templates(TEMPLATES).names("sms")
    assert {"appointment_reminder", "transport_booking", "opted_out"} <= set(names)
    for name in names:
        for lang in LANGUAGES:
            assert any(line.startswith(f"sms/{name}.{lang} [client]") for line in sms)
    assert any(line.startswith("sms/appointment_reminder.fi [client/phone]") for line in sms)
    assert any(line.startswith("sms/appointment_reminder.fi [trusted]") for line in sms)
    for line in sms:
        lang = line.split(" ")[0].split(".")[1]
        budget = languages.get(lang)
        segments = int(line.rsplit(", ", 1)[1].split(" ")[0])
        assert f" {budget.sms_encoding}, " in line and segments <= budget.sms_segments, line


def test_the_example_configuration_passes_too() -> None:
    config = load_config(REPO_ROOT / "config.example.toml", env={})
    assert _check(config).errors == []


def test_rinnalla_check_files_exits_zero_on_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RINNALLA_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["check-files"])
    assert result.exit_code == 0, result.output
    assert "Kaikki tiedostot kunnossa." in result.output


def test_every_default_template_says_who_what_when_where_and_how_to_answer() -> None:
    """Every reminder the schedules send, and the opt-out and opt-in confirmations."""
    templates = load_templates(TEMPLATES)
    schedules = load_schedules(SCHEDULES, templates)
    reminders = {rule.template for rules in schedules.rules.values() for rule in rules
                 if rule.channel != "task"} | {"opted_out", "opted_in"}
    assert {"appointment_reminder", "transport_booking", "documents_due"} <= reminders
    for (channel, name, lang), template in templates.templates.items():
        if channel == "task" or name not in reminders:
            continue
        text = "\n".join(template.lines)
        where = f"{channel}/{name}.{lang}"
        assert "{team}" in text, f"{where} does not say who is writing"
        if name in ABOUT_APPOINTMENT:
            assert "{when}" in text or "{time}" in text, f"{where} does not say when"
            # A transport call leaves the place to the text: its booking number, said
            # twice, takes the time (the call must stay within 30 seconds).
            if (channel, name) != ("voice", "transport_booking"):
                assert "{place}" in text, f"{where} does not say where"
        if name in ANSWERED:
            assert "1" in text and "2" in text, f"{where} does not say how to answer"
        if channel == "voice":
            assert "9" in text, f"{where} does not say how to hear it again"
        said = TRANSPORT.sub("", text) if name == "transport_booking" else text
        assert not REVEALING.search(said), f"{where}: {REVEALING.search(said)}"
        assert not ABBREVIATIONS.search(text), f"{where}: {ABBREVIATIONS.search(text)}"
    for channel in ("sms", "voice"):
        for name in templates.names(channel):
            assert all((channel, name, lang) in templates.templates for lang in LANGUAGES)


# --- broken copies --------------------------------------------------------------------

@pytest.fixture
def copy(tmp_path: Path, repo_config: Config) -> tuple[Config, Path]:
    """A writable copy of the team's folders and a config pointing at it."""
    shutil.copytree(TEMPLATES, tmp_path / "message_templates")
    shutil.copytree(SCHEDULES, tmp_path / "schedules")
    config = replace(repo_config, templates_dir=tmp_path / "message_templates",
                     schedules_dir=tmp_path / "schedules")
    assert _check(config).errors == []  # the copy itself is fine
    return config, tmp_path / "message_templates"


def _errors(config: Config) -> list[str]:
    return _check(config).errors


def test_a_text_over_one_segment_is_caught(copy: tuple[Config, Path]) -> None:
    config, folder = copy
    path = folder / "sms" / "appointment_reminder.fi.txt"
    path.write_text(path.read_text(encoding="utf-8") + "[client come] Muista ottaa mukaan "
                    "myös henkilöllisyystodistus.\n", encoding="utf-8")
    errors = _errors(config)
    assert len(errors) == 1
    assert f"{path} [client]" in errors[0] and "2 SMS segments" in errors[0]
    assert "the budget of language fi is 1" in errors[0]


def test_a_link_is_caught_in_texts_and_calls(copy: tuple[Config, Path]) -> None:
    config, folder = copy
    sms = folder / "sms" / "documents_due.en.txt"
    sms.write_text("{team}: see www.example.fi by {deadline}.\n", encoding="utf-8")
    voice = folder / "voice" / "documents_due.sv.txt"
    voice.write_text("Hej från {team}. Läs mer på https://example.fi/a senast {deadline}.\n",
                     encoding="utf-8")
    errors = _errors(config)
    assert len(errors) == 2
    assert any(str(sms) in e and "link" in e for e in errors)
    assert any(str(voice) in e and "link" in e for e in errors)


@pytest.mark.parametrize("char", ["😊", "š", "Я", "ž"])
def test_a_character_that_forces_ucs2_is_named(copy: tuple[Config, Path], char: str) -> None:
    config, folder = copy
    path = folder / "sms" / "opted_in.fi.txt"
    path.write_text(f"{{team}}: saat taas muistutuksia {char} vastaa LOPETA.\n",
                    encoding="utf-8")
    errors = _errors(config)
    assert len(errors) == 1
    assert str(path) in errors[0] and repr(char) in errors[0] and "UCS-2" in errors[0]


def test_a_missing_language_is_caught(copy: tuple[Config, Path]) -> None:
    config, folder = copy
    (folder / "voice" / "transport_booking.selko.txt").unlink()
    errors = _errors(config)
    assert len(errors) == 1
    assert "transport_booking.selko.txt" in errors[0] and "selko" in errors[0]


def test_an_unknown_variable_is_caught_with_its_line(copy: tuple[Config, Path]) -> None:
    config, folder = copy
    path = folder / "sms" / "appointment_today.sv.txt"
    path.write_text("{team}: din tid i dag\n{adress}\n", encoding="utf-8")
    errors = _errors(config)
    assert errors == [f"{path}:2: unknown variable {{adress}} (known: " + errors[0].split(
        "(known: ")[1]]


def test_a_schedule_naming_a_missing_template_is_caught(copy: tuple[Config, Path]) -> None:
    config, folder = copy
    for path in (folder / "sms").glob("appointment_bring.*.txt"):
        path.unlink()
    for path in (folder / "voice").glob("appointment_bring.*.txt"):
        path.unlink()
    errors = _errors(config)
    assert len(errors) == 1 and "appointment.toml" in errors[0]
    assert "appointment_bring" in errors[0]


def test_typographic_quotes_and_dashes_are_swapped_not_reported(copy: tuple[Config, Path]) -> None:
    """Pasted from a word processor: the service sends the GSM-7 twins, so no error."""
    config, folder = copy
    path = folder / "sms" / "opted_in.fi.txt"
    path.write_text("{team}: saat taas muistutuksia \u2013 vastaa \u201dLOPETA\u201d.\n",
                    encoding="utf-8")
    assert _errors(config) == []
    line = next(x for x in _check(config).lines if x.startswith("sms/opted_in.fi"))
    assert "GSM-7" in line


def test_a_template_with_a_link_or_over_its_budget_stops_the_start(
        copy: tuple[Config, Path], tmp_path: Path) -> None:
    """Not only check-files: every process refuses to start, naming the file."""
    config, folder = copy
    config = replace(config, database_url=f"sqlite:///{tmp_path / 'start.sqlite3'}")
    build_runtime(config).engine.dispose()  # the copy as it is starts
    linked = folder / "sms" / "documents_due.fi.txt"
    linked.write_text("{team}: katso kela.fi/asiointi viimeistään {deadline}.\n",
                      encoding="utf-8")
    with pytest.raises(UnsafeTemplates) as refused:
        create_app(config)
    assert str(linked) in str(refused.value) and "link" in str(refused.value)
    linked.write_text("{team}: muista paperit viimeistään {deadline}.\n", encoding="utf-8")
    long = folder / "sms" / "opted_in.sv.txt"
    long.write_text("{team}: " + "du får påminnelser igen " * 8 + "\n", encoding="utf-8")
    with pytest.raises(UnsafeTemplates) as refused:
        build_runtime(config)
    assert str(long) in str(refused.value) and "SMS segments" in str(refused.value)
