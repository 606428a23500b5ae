"""A message's status callback token (domain/messages/outbound.py): unguessable,
unique, and never shared by a forked worker process with its parent."""

from __future__ import annotations

import os
import re
import secrets

from service.domain.messages.outbound import POOL_TOKENS, callback_token

SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


def test_tokens_are_as_long_as_secrets_makes_them_and_never_repeat() -> None:
    tokens = [callback_token() for _ in range(3 * POOL_TOKENS + 7)]  # over several draws
    assert all(SHAPE.fullmatch(t) for t in tokens), tokens[:3]
    assert len(set(tokens)) == len(tokens)
    assert len(tokens[0]) == len(secrets.token_urlsafe(24))


def test_a_forked_child_draws_its_own_bytes() -> None:
    """gunicorn forks its workers: the child must not go on with the parent's pool."""
    callback_token()  # the parent's pool holds unused bytes now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next token, to the parent
        os.write(write, callback_token().encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 64).decode()
    os.close(read)
    parents_next = callback_token()
    assert SHAPE.fullmatch(child) and child != parents_next
