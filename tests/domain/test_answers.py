"""What an answer does to an event's reminders not yet sent (domain/planning/answers.py),
and the schedule keys after_confirm / after_decline that change it, checked at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.domain.planning.answers import answer_reason
from service.domain.planning.schedules import ScheduleError, load_schedule_file
from service.domain.planning.send_times import Rule
from service.store.states import EventState

BRING = '''
[[rule]]
id = "what_to_bring"
before = "3d"
at = "10:00"
template = "appointment_bring"
condition = "something_to_bring"
'''


def _rule(tmp_path: Path, extra: str = "", condition: str = "something_to_bring") -> Rule:
    path = tmp_path / "appointment.toml"
    path.write_text(BRING.replace('"something_to_bring"', f'"{condition}"') + extra,
                    encoding="utf-8")
    [rule] = load_schedule_file(path, "appointment", None)
    return rule


def _reason(rule: Rule | None, state: EventState, recipient: str = "client",
            fallback: bool = False) -> str | None:
    return answer_reason(rule, recipient=recipient, fallback=fallback,
                         condition=rule.condition if rule else None, event_state=state)


@pytest.mark.parametrize("recipient,expected", [("client", "declined"),
                                                ("trusted", "declined"), ("worker", None)])
def test_a_decline_ends_what_goes_to_the_client_by_default(
        tmp_path: Path, recipient: str, expected: str | None) -> None:
    assert _reason(_rule(tmp_path), EventState.DECLINED, recipient) == expected


def test_a_confirm_keeps_the_informational_and_ends_the_questions(tmp_path: Path) -> None:
    assert _reason(_rule(tmp_path), EventState.CONFIRMED) is None
    assert _reason(_rule(tmp_path), EventState.CONFIRMED, fallback=True) == "confirmed"
    assert _reason(_rule(tmp_path, condition="unconfirmed"), EventState.CONFIRMED) == "confirmed"
    assert _reason(_rule(tmp_path), EventState.PLANNED) is None


def test_the_rule_keys_override_the_defaults(tmp_path: Path) -> None:
    cancel = _rule(tmp_path, 'after_confirm = "cancel"\n')
    assert (cancel.after_confirm, _reason(cancel, EventState.CONFIRMED)) == ("cancel",
                                                                            "confirmed")
    keep = _rule(tmp_path, 'after_decline = "keep"\n')
    assert _reason(keep, EventState.DECLINED) is None
    told = _rule(tmp_path, 'after_decline = "cancel"\n')
    assert _reason(told, EventState.DECLINED, "worker") == "declined"


@pytest.mark.parametrize("extra,condition,line,words", [
    ('after_confirm = "maybe"\n', "something_to_bring", 8, "after_confirm must be one of"),
    ('after_decline = "no"\n', "something_to_bring", 8, "after_decline must be one of"),
    ('after_confirm = "keep"\n', "unconfirmed", 8, "cannot keep a rule that waits"),
])
def test_a_wrong_key_is_refused_at_start_naming_the_line(
        tmp_path: Path, extra: str, condition: str, line: int, words: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        _rule(tmp_path, extra, condition)
    assert caught.value.line == line and words in caught.value.message
