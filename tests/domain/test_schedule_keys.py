"""Schedule files: the fallback keys (fallback_of, on, wait) and working_days_before.

Every mistake is refused when the file is loaded, with the file and line named, so
the team finds it with `rinnalla check-files` instead of a reminder going astray.
"""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from service.config import REPO_ROOT
from service.domain.planning.schedules import ScheduleError, load_schedule_file, load_schedules
from service.domain.texts.templates import load_templates

DAY_BEFORE = '''
[[rule]]
id = "day_before"
before = "1d"
at = "12:00"
template = "appointment_reminder"
condition = "unconfirmed"
'''


def _load(tmp_path: Path, text: str, kind: str = "appointment") -> list[object]:
    path = tmp_path / f"{kind}.toml"
    path.write_text(text, encoding="utf-8")
    return load_schedule_file(path, kind, None)  # type: ignore[return-value]


def test_the_repositorys_chain() -> None:
    schedules = load_schedules(REPO_ROOT / "schedules", load_templates(REPO_ROOT /
                                                                        "message_templates"))
    call = schedules.find("appointment", "day_before_call")
    assert call is not None
    assert (call.fallback_of, call.fallback_on, call.wait) == ("day_before", "no_answer",
                                                              timedelta(hours=2))
    assert call.condition == "unconfirmed"  # inherited from day_before
    text = schedules.find("appointment", "day_before_call_text")
    assert text is not None and (text.fallback_of, text.fallback_on) == ("day_before_call",
                                                                         "failed")
    booking = schedules.find("appointment", "book_transport")
    assert booking is not None
    assert (booking.working_days_before, booking.at) == (1, time(10))
    task = schedules.find("appointment", "call_the_client")
    assert task is not None and (task.channel, task.condition) == ("task", "unconfirmed")


def test_a_valid_fallback_inherits_anchor_and_condition(tmp_path: Path) -> None:
    rules = _load(tmp_path, '''
[[rule]]
id = "decision_followup"
anchor = "decision_expected"
after = "1d"
at = "10:00"
template = "decision_followup"
condition = "undecided"

[[rule]]
id = "decision_call"
fallback_of = "decision_followup"
on = "no_answer"
wait = "1d"
template = "decision_followup"
channel = "voice"
''', kind="application")
    call = rules[1]
    assert (call.anchor, call.condition, call.wait) == (  # type: ignore[attr-defined]
        "decision_expected", "undecided", timedelta(days=1))


@pytest.mark.parametrize(("rule", "key", "message"), [
    ('id = "x"\nfallback_of = "day_before"\ntemplate = "t"\nchannel = "voice"', "fallback_of",
     "needs on ="),
    ('id = "x"\nfallback_of = "day_before"\non = "no_answer"\ntemplate = "t"\nchannel = "voice"',
     "on", "needs wait"),
    ('id = "x"\nfallback_of = "day_before"\non = "later"\ntemplate = "t"\nchannel = "voice"',
     "on", "needs on ="),
    ('id = "x"\nfallback_of = "day_before"\non = "failed"\nbefore = "2h"\ntemplate = "t"\n'
     'channel = "voice"', "before", "remove before"),
    ('id = "x"\nfallback_of = "day_before"\non = "failed"\ntemplate = "t"\nchannel = "auto"',
     "channel", "names its channel"),
    ('id = "x"\nfallback_of = "nobody"\non = "failed"\ntemplate = "t"\nchannel = "sms"',
     "fallback_of", "names no rule 'nobody'"),
    ('id = "x"\non = "failed"\nbefore = "2h"\ntemplate = "t"', "on", "belongs to a fallback"),
    ('id = "x"\nwait = "2h"\nbefore = "2h"\ntemplate = "t"', "wait", "belongs to a fallback"),
    ('id = "x"\nfallback_of = "day_before"\non = "failed"\nwait = "soon"\ntemplate = "t"\n'
     'channel = "sms"', "wait", "'soon'"),
    ('id = "x"\nfallback_of = "day_before"\non = "failed"\ntemplate = "t"\nchannel = "sms"\n'
     'recipient = "trusted"', "recipient", "not a trusted person"),
    ('id = "x"\nworking_days_before = 1\ntemplate = "t"', "working_days_before", "needs at"),
    ('id = "x"\nworking_days_before = 0\nat = "10:00"\ntemplate = "t"', "working_days_before",
     "1 or more"),
    ('id = "x"\nworking_days_before = 1\nbefore = "1d"\nat = "10:00"\ntemplate = "t"',
     "working_days_before", "not both"),
    ('id = "x"\ntemplate = "t"', "[[rule]]", "working_days_before = N or fallback_of"),
])
def test_mistakes_are_named_with_their_line(tmp_path: Path, rule: str, key: str,
                                            message: str) -> None:
    text = DAY_BEFORE + "\n[[rule]]\n" + rule + "\n"
    with pytest.raises(ScheduleError) as caught:
        _load(tmp_path, text)
    assert message in caught.value.message
    assert caught.value.line is not None
    assert text.splitlines()[caught.value.line - 1].startswith(key)
    assert caught.value.line > 8  # in the second rule, not the first


def test_no_answer_needs_a_condition_an_answer_changes(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="needs a condition an answer changes"):
        _load(tmp_path, '''
[[rule]]
id = "week_before"
before = "7d"
template = "t"

[[rule]]
id = "week_call"
fallback_of = "week_before"
on = "no_answer"
wait = "1d"
template = "t"
channel = "voice"
''')


def test_fallbacks_in_a_circle_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="circle"):
        _load(tmp_path, '''
[[rule]]
id = "a"
fallback_of = "b"
on = "failed"
template = "t"
channel = "sms"

[[rule]]
id = "b"
fallback_of = "a"
on = "failed"
template = "t"
channel = "voice"
''')


def test_a_task_cannot_have_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="task for the worker cannot have a fallback"):
        _load(tmp_path, '''
[[rule]]
id = "call_the_client"
before = "1d"
at = "15:00"
template = "call_client"
channel = "task"

[[rule]]
id = "again"
fallback_of = "call_the_client"
on = "failed"
template = "t"
channel = "sms"
''')
