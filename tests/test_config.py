"""Configuration: numbers that would make the worker misbehave are refused at start-up, and
the team's own folders ([files]) are found from the config file's folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from service.config import REPO_ROOT, ConfigError, load_config


@pytest.mark.parametrize(("section", "line", "message"), [
    ("worker", "batch_size = 0", "worker.batch_size must be at least 1, not 0"),
    ("worker", "lease_seconds = -5", "worker.lease_seconds must be at least 1, not -5"),
    ("worker", "send_threads = 0", "worker.send_threads must be at least 1, not 0"),
    ("twilio", "calls_per_second = 0.0", "twilio.calls_per_second must be above zero"),
    ("sending", "segment_price = -0.01", "sending.segment_price must not be negative"),
])
def test_a_number_out_of_range_is_a_clear_error(tmp_path: Path, section: str, line: str,
                                                message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[{section}]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path, env={})


def test_the_defaults_pass() -> None:
    config = load_config(env={})
    assert (config.batch_size, config.lease_seconds, config.send_threads) == (500, 300, 4)
    assert config.sms_segment_price == 0.08


def test_the_segment_price_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[sending]\nsegment_price = 0.065\n", encoding="utf-8")
    assert load_config(path, env={}).sms_segment_price == 0.065


# --- [files]: the team's own templates and schedules ----------------------------------

def _team_copy(folder: Path) -> None:
    shutil.copytree(REPO_ROOT / "message_templates", folder / "message_templates")
    shutil.copytree(REPO_ROOT / "schedules", folder / "schedules")


def test_files_are_found_from_the_config_files_folder(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path is taken from the folder the config file is in, wherever the
    process was started."""
    etc = tmp_path / "etc" / "rinnalla"
    _team_copy(etc / "team")
    (etc / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (etc / "config.toml").write_text('[files]\ntemplates = "team/message_templates"\n'
                                     'schedules = "team/schedules"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("etc/rinnalla/config.toml"), env={})
    assert config.templates_dir == etc / "team" / "message_templates"
    assert config.schedules_dir == etc / "team" / "schedules"


def test_an_absolute_path_is_kept(tmp_path: Path) -> None:
    _team_copy(tmp_path / "team")
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    path.write_text(f'[files]\nschedules = "{tmp_path / "team" / "schedules"}"\n',
                    encoding="utf-8")
    config = load_config(path, env={})
    assert config.schedules_dir == tmp_path / "team" / "schedules"
    assert config.templates_dir == REPO_ROOT / "message_templates"  # the default


@pytest.mark.parametrize(("old", "new"), [("templates_dir", "files.templates"),
                                          ("schedules_dir", "files.schedules")])
def test_the_old_key_names_are_refused_with_the_new_ones(tmp_path: Path, old: str,
                                                        new: str) -> None:
    """The old keys were taken from the repository root: passing them on silently would
    read another folder than the team meant."""
    path = tmp_path / "config.toml"
    path.write_text(f'[files]\n{old} = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=f"files.{old} is now {new}"):
        load_config(path, env={})


def test_check_files_checks_the_teams_own_folder(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _team_copy(tmp_path / "team")
    path = tmp_path / "config.toml"
    path.write_text('[files]\ntemplates = "team/message_templates"\n'
                    'schedules = "team/schedules"\n', encoding="utf-8")
    monkeypatch.setenv("RINNALLA_CONFIG", str(path))
    assert CliRunner().invoke(main, ["check-files"]).exit_code == 0
    broken = tmp_path / "team" / "message_templates" / "sms" / "opted_out.fi.txt"
    broken.write_text("Katso https://example.fi {team}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check-files"])
    assert result.exit_code == 1
    assert f"{broken} [client]: contains a link" in result.output
