"""Configuration: numbers that would make the worker misbehave are refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import ConfigError, load_config


@pytest.mark.parametrize(("section", "line", "message"), [
    ("worker", "batch_size = 0", "worker.batch_size must be at least 1, not 0"),
    ("worker", "lease_seconds = -5", "worker.lease_seconds must be at least 1, not -5"),
    ("worker", "send_threads = 0", "worker.send_threads must be at least 1, not 0"),
    ("twilio", "calls_per_second = 0.0", "twilio.calls_per_second must be above zero"),
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
