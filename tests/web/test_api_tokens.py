"""API tokens: listed with when they were made and last used, revoked one by one (by the
worker in the UI, by an admin, with the CLI), and all revoked on a password reset or a
deactivation."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from service.cli import create_token, list_tokens, revoke_token
from service.runtime import Runtime
from service.store.db import transaction
from service.store.models import ApiToken, AuditEntry, Worker
from tests.conftest import Api
from tests.web.conftest import Browser


def _token_ids(rt: Runtime, worker_id: int) -> list[int]:
    with transaction(rt.sessions) as session:
        return list(session.scalars(select(ApiToken.id).where(ApiToken.worker_id == worker_id)
                                    .order_by(ApiToken.id)))


def _new_token(app: Flask, email: str) -> str:
    result = app.test_cli_runner().invoke(create_token, [email])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def _works(api: Api, token: str) -> bool:
    return int(api.client.get("/api/v1/reminders", headers={
        "Authorization": f"Bearer {token}"}).status_code) == 200


def test_a_worker_sees_and_revokes_their_own_tokens(app: Flask, api: Api, signed_in: Browser,
                                                   rt: Runtime, worker: Worker,
                                                   other_worker: Worker) -> None:
    second = _new_token(app, worker.email)
    others = _new_token(app, other_worker.email)
    page = signed_in.get("/account/tokens").get_data(as_text=True)
    first_id, second_id = _token_ids(rt, worker.id)
    assert f'id="revoke-token-{first_id}"' in page and f'id="revoke-token-{second_id}"' in page
    assert page.count("ei koskaan") == 2  # neither used yet
    [others_id] = _token_ids(rt, other_worker.id)
    assert f'id="revoke-token-{others_id}"' not in page
    assert _works(api, second)
    page = signed_in.get("/account/tokens").get_data(as_text=True)
    assert page.count("ei koskaan") == 1  # the second now shows when it was used
    assert signed_in.post(f"/account/tokens/{second_id}/revoke").status_code == 302
    assert not _works(api, second) and _works(api, api.headers["Authorization"][7:])
    # another worker's token is, to this worker, not there
    signed_in.get("/account/tokens")
    signed_in.post(f"/account/tokens/{others_id}/revoke")
    assert _works(api, others) and _token_ids(rt, worker.id) == [first_id]
    with transaction(rt.sessions) as session:
        assert session.scalars(select(AuditEntry.object_id).where(
            AuditEntry.object_type == "api_token", AuditEntry.action == "delete")).all() == [
            second_id]


def test_reset_and_deactivation_revoke_every_token(app: Flask, api: Api, admin: Worker,
                                                   rt: Runtime, worker: Worker) -> None:
    boss = Browser(app.test_client())
    boss.login(admin.email)
    extra = _new_token(app, worker.email)
    page = boss.get(f"/admin/workers/{worker.id}").get_data(as_text=True)
    assert 'id="api-tokens"' in page and page.count('id="revoke-token-') == 2
    one = _token_ids(rt, worker.id)[0]
    assert boss.post(f"/admin/workers/{worker.id}/tokens/{one}/revoke").status_code == 302
    assert not _works(api, api.headers["Authorization"][7:]) and _works(api, extra)
    assert boss.post(f"/admin/workers/{worker.id}/reset-password").status_code == 200
    assert not _works(api, extra) and _token_ids(rt, worker.id) == []
    again = _new_token(app, worker.email)
    assert _works(api, again)
    boss.get(f"/admin/workers/{worker.id}")
    saved = boss.post(f"/admin/workers/{worker.id}", {
        "name": worker.name, "email": worker.email, "role": "worker", "ui_language": "fi"})
    assert saved.status_code == 302  # "active" unticked: deactivated
    assert _token_ids(rt, worker.id) == [] and not _works(api, again)


def test_cli_lists_and_revokes_tokens(app: Flask, api: Api, rt: Runtime,
                                      worker: Worker) -> None:
    runner = app.test_cli_runner()
    token = _new_token(app, worker.email)
    assert _works(api, token)
    listed = runner.invoke(list_tokens, [worker.email])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    ids = _token_ids(rt, worker.id)
    assert [int(line.split("\t")[0]) for line in lines] == ids
    assert "käytetty 20" in lines[-1] and "käytetty ei koskaan" in lines[0]
    revoked = runner.invoke(revoke_token, [str(ids[-1])])
    assert revoked.exit_code == 0, revoked.output
    assert not _works(api, token) and _token_ids(rt, worker.id) == ids[:-1]
    assert runner.invoke(revoke_token, [str(ids[-1])]).exit_code != 0
    assert runner.invoke(revoke_token, [str(2**31)]).exit_code != 0
    assert runner.invoke(list_tokens, ["nobody@example.fi"]).exit_code != 0
