"""The team's templates and schedules, shown read-only with example texts."""

from __future__ import annotations

from service.runtime import Runtime
from tests.web.conftest import Browser


def test_rules_and_examples_are_shown(signed_in: Browser, rt: Runtime) -> None:
    page = signed_in.get("/team-files").get_data(as_text=True)
    for rule in rt.schedules.for_kind("appointment"):
        assert f"<code>{rule.id}</code>" in page
    assert "7 vrk ennen ajan alkua klo 10.00" in page  # the week_before rule in words
    assert "Keski-Suomen keskussairaala" in page  # a long sample value, rendered
    assert "{place}" in page  # the template source as the team wrote it
    assert "1 tekstiviesti, GSM-7" in page
    assert 'method="post"' not in page.split('id="schedules"')[1]  # read-only
