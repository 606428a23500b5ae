"""The idle tick's queries read small partial indexes, never the big tables.

Checked with EXPLAIN, not with a stopwatch: on PostgreSQL the buffers an idle claim
touches are the same with few or many reminders stored; on SQLite the plan searches
the partial index. (How long it takes is measured by bench/scale.py.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert

from service.runtime import Runtime
from service.scheduling.adhoc_messages import queued_messages_query
from service.scheduling.claims import claim_statement, expired_query, take_over_statement
from service.scheduling.dispatch import ANYTHING_TO_DO
from service.scheduling.reconcile import stuck_messages_query
from service.scheduling.waiting import (
    NEXT_DUE,
    next_lease_query,
    next_message_query,
    next_reminder_query,
)
from service.store.models import Message
from tests.scale.seed import seed_due

T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)


def _explain_pg(conn: Connection, stmt: Any) -> dict[str, Any]:
    compiled = stmt.compile(dialect=conn.dialect)
    sql = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(compiled)
    plan = conn.exec_driver_sql(sql, compiled.params).scalar_one()
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out = [plan]
    for child in plan.get("Plans", []):
        out += _nodes(child)
    return out


def _buffers(plan: dict[str, Any]) -> int:
    # The top node's counts include its children's.
    return int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0))


def _idle_plans(rt: Runtime, engine: Engine) -> dict[str, dict[str, Any]]:
    """Plans of the idle tick's three queries, run and rolled back."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
        trans = conn.begin()
        plans = {
            "claim": _explain_pg(conn, claim_statement(rt, T0, "w", 100)),
            "take_over": _explain_pg(conn, take_over_statement(rt, T0, "w", 100)),
            "expired": _explain_pg(conn, expired_query(T0)),
            "queued": _explain_pg(conn, queued_messages_query(100, T0)),
            "stuck": _explain_pg(conn, stuck_messages_query(T0, 1)),
            "next_reminder": _explain_pg(conn, next_reminder_query()),
            "next_lease": _explain_pg(conn, next_lease_query()),
            "next_message": _explain_pg(conn, next_message_query()),
            # how the idle pass asks them: each in one statement with the others
            "look": _explain_pg(conn, ANYTHING_TO_DO.params(now=T0, cutoff=T0)),
            "next_due": _explain_pg(conn, NEXT_DUE),
        }
        trans.rollback()
    return plans


def _index_names(plan: dict[str, Any]) -> set[str]:
    return {n["Index Name"] for n in _nodes(plan) if "Index Name" in n}


def _seq_scanned(plan: dict[str, Any]) -> set[str]:
    return {n.get("Relation Name", "") for n in _nodes(plan) if n["Node Type"] == "Seq Scan"}


def _store(rt: Runtime, count: int, first: int) -> None:
    """Reminders already sent (history, with their messages, a few failed) and planned
    for later: nothing due at T0."""
    sent = seed_due(rt.engine, count // 2, T0 - timedelta(days=3), state="delivered",
                    first=first)
    seed_due(rt.engine, count // 2, T0 + timedelta(days=5), first=first + count // 2)
    with rt.engine.begin() as conn:
        conn.execute(insert(Message), [
            {"direction": "out", "channel": "sms", "reminder_id": rid, "to_number": "+358400000000",
             "body": "x", "gateway": "twilio", "status": "failed" if i % 20 == 0 else "delivered",
             "gateway_sid": None if i % 20 == 0 else f"SM{first + i:032d}",
             "created_at": T0, "updated_at": T0}
            for i, rid in enumerate(sent)])


def test_idle_queries_use_the_partial_indexes_and_do_not_grow(rt: Runtime) -> None:
    if rt.engine.dialect.name != "postgresql":
        return _sqlite_plans_use_the_partial_indexes(rt)
    _store(rt, 1_000, 0)
    small = _idle_plans(rt, rt.engine)
    _store(rt, 12_000, 10_000)
    large = _idle_plans(rt, rt.engine)

    assert "ix_reminders_due" in _index_names(large["claim"])
    assert "ix_reminders_sending" in _index_names(large["take_over"])
    assert "ix_reminders_sending" in _index_names(large["expired"])
    assert "ix_messages_queued" in _index_names(large["queued"])
    assert "ix_messages_sending" in _index_names(large["stuck"])
    # what the worker reads to know how long it may sleep (scheduling/waiting.py)
    assert "ix_reminders_due" in _index_names(large["next_reminder"])
    assert "ix_reminders_sending" in _index_names(large["next_lease"])
    assert "ix_messages_queued" in _index_names(large["next_message"])
    assert {"ix_reminders_sending", "ix_messages_queued", "ix_messages_sending"} <= \
        _index_names(large["look"])
    assert {"ix_reminders_due", "ix_reminders_sending", "ix_messages_queued"} <= \
        _index_names(large["next_due"])
    for name in large:
        # inbound_texts holds only texts not yet read: a few rows at most, no index
        assert not _seq_scanned(large[name]) - {"inbound_texts"}, name
        # The same few pages with 13x the reminders stored.
        assert _buffers(large[name]) <= _buffers(small[name]) + 2, name
        assert _buffers(large[name]) <= 10, name
    return None


def _sqlite_plans_use_the_partial_indexes(rt: Runtime) -> None:
    _store(rt, 1_000, 0)
    with rt.engine.connect() as conn:
        details = {}
        for name, stmt in (("claim", claim_statement(rt, T0, "w", 100)),
                           ("take_over", take_over_statement(rt, T0, "w", 100)),
                           ("expired", expired_query(T0)),
                           ("queued", queued_messages_query(100)),
                           ("stuck", stuck_messages_query(T0, 1)),
                           ("next_reminder", next_reminder_query()),
                           ("next_lease", next_lease_query()),
                           ("next_message", next_message_query())):
            compiled = stmt.compile(dialect=conn.dialect)
            params = [compiled.params[key] for key in compiled.positiontup or []]
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                        tuple(_sqlite_value(v) for v in params)).all()
            details[name] = " | ".join(str(row[-1]) for row in rows)
    assert "USING INDEX ix_reminders_due" in details["claim"], details["claim"]
    assert "USING INDEX ix_reminders_sending" in details["take_over"], details["take_over"]
    assert "ix_reminders_sending" in details["expired"], details["expired"]
    assert "ix_messages_queued" in details["queued"], details["queued"]
    assert "ix_messages_sending" in details["stuck"], details["stuck"]
    assert "ix_reminders_due" in details["next_reminder"], details["next_reminder"]
    assert "ix_reminders_sending" in details["next_lease"], details["next_lease"]
    assert "ix_messages_queued" in details["next_message"], details["next_message"]
    for detail in details.values():
        # "SCAN t USING INDEX i" reads only the small partial index; a bare "SCAN t"
        # would read the whole table.
        for step in detail.split(" | "):
            table_scan = step.startswith(("SCAN reminders", "SCAN messages"))
            assert not (table_scan and "USING" not in step), detail


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def test_the_partial_index_predicates_are_literal_in_the_sql(rt: Runtime) -> None:
    # A bound state parameter would keep PostgreSQL's generic (prepared) plans off
    # the partial indexes; the SQL text must name the state itself.
    sql = str(claim_statement(rt, T0, "w", 10).compile(dialect=rt.engine.dialect))
    assert "reminders.state = 'planned'" in sql
    sql = str(take_over_statement(rt, T0, "w", 10).compile(dialect=rt.engine.dialect))
    assert "reminders.state = 'sending'" in sql
    assert "messages.status = 'queued'" in str(
        queued_messages_query(10).compile(dialect=rt.engine.dialect))


def test_the_held_check_reads_the_holding_index(rt: Runtime) -> None:
    """Both send paths ask, per due reminder, whether its event or its client is held
    (holds.holding): that reads the small partial index of holding items, however many
    items are stored."""
    from sqlalchemy import select

    from service.domain.inbox.holds import holding
    from service.store.models import InboxItem

    with rt.engine.begin() as conn:
        conn.execute(insert(InboxItem), [
            {"kind": "reply", "summary": "", "state": "handled", "holds": i % 100 == 0,
             "created_at": T0} for i in range(3_000)])
        conn.exec_driver_sql("ANALYZE")
    _assert_reads_index(rt, select(holding(5, 7)), "ix_inbox_items_holding", "inbox_items")


def test_the_unsure_check_reads_the_sender_index(rt: Runtime) -> None:
    """Both send paths ask, per due reminder, whether a text from its number failed to be
    read (received.unsure_of): one look-up in the sender index, even after an outage
    left thousands of texts stored."""
    from sqlalchemy import select

    from service.domain.replies.received import unsure_of
    from service.store.models import InboundText

    with rt.engine.begin() as conn:
        conn.execute(insert(InboundText), [
            {"gateway_sid": f"SM{i:032d}", "from_number": f"+3584012{i:05d}", "to_number": "",
             "via": "", "body": "ok", "received_at": T0, "attempts": i % 2}
            for i in range(3_000)])
        conn.exec_driver_sql("ANALYZE")
    _assert_reads_index(rt, select(unsure_of("+358401200005")),
                        "ix_inbound_texts_from_number", "inbound_texts")


def _assert_reads_index(rt: Runtime, query: Any, index: str, table: str) -> None:
    """The query, its values written in, reads `index` and never scans `table` whole."""
    with rt.engine.connect() as conn:
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        if rt.engine.dialect.name == "postgresql":
            found = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + sql).scalar_one()
            plan = (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]
            assert index in _index_names(plan)
            assert table not in _seq_scanned(plan)
            return
        detail = " | ".join(str(row[-1]) for row in
                            conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql).all())
    assert f"USING INDEX {index}" in detail, detail
