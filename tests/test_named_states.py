"""No bare state strings in service/: a state is named by its enum member.

The scan reads every module with `ast` and reports a string literal equal to a state
value (of any enum in service/store/states.py) where it stands for a state:
- compared with, or assigned to, something called state/status/kind/direction
  (`event.state == "planned"`, `item.state = "new"`, `status in ("sent", ...)`);
- given as an argument of that name, by keyword or by position to a function of
  service/ whose parameter has that name (`Message(status="queued")`,
  `notify_about(session, reminder, "failed", ...)`), or as such a key of a dict;
- in the arguments of `.in_()` / `.not_in()` on such a column;
- a tuple, list, set or the keys of a dict made only of values of one state enum
  (`OPEN = ("new", "read")`, `{"planned": ..., "sent": ...}`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest

from service.store import states

SERVICE = Path(__file__).resolve().parent.parent / "service"
DEFINITIONS = "store/states.py"
CONTEXT_NAMES = frozenset({"state", "status", "kind", "direction"})

ENUMS: tuple[type[StrEnum], ...] = (
    states.ReminderState, states.MessageStatus, states.Direction, states.InboxKind,
    states.InboxState, states.EventKind, states.EventState)
STATE_VALUES = frozenset(member.value for enum in ENUMS for member in enum)


def _is_state_word(node: ast.AST | None) -> bool:
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and node.value in STATE_VALUES)


def _words(node: ast.AST | None) -> Iterator[ast.Constant]:
    """State literals in an expression, however nested (tuples, conditionals, calls)."""
    if node is None:
        return
    for sub in ast.walk(node):
        if _is_state_word(sub):
            assert isinstance(sub, ast.Constant)
            yield sub


def _names_state(node: ast.AST) -> bool:
    """`x.state`, `Model.status`, `table.c.kind`, or a variable called `direction`."""
    if isinstance(node, ast.Attribute):
        return node.attr in CONTEXT_NAMES
    return isinstance(node, ast.Name) and node.id in CONTEXT_NAMES


def _one_enums_values(values: list[ast.expr]) -> bool:
    """Two or more string literals, all values of one state enum."""
    if len(values) < 2 or not all(isinstance(v, ast.Constant) and isinstance(v.value, str)
                                  for v in values):
        return False
    words = {v.value for v in values if isinstance(v, ast.Constant)}
    return any(words <= {member.value for member in enum} for enum in ENUMS)


def _parameters(trees: dict[str, ast.Module]) -> dict[str, list[str]]:
    """Positional parameter names of every function defined once in service/ (methods
    without `self`), to see which positional argument is a state."""
    found: dict[str, list[str] | None] = {}
    for tree in trees.values():
        methods = {id(f) for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
                   for f in c.body if isinstance(f, ast.FunctionDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.posonlyargs + node.args.args]
                names = names[1:] if id(node) in methods else names
                found[node.name] = None if node.name in found else names
    return {name: names for name, names in found.items() if names is not None}


class _Scan(ast.NodeVisitor):
    def __init__(self, parameters: dict[str, list[str]]) -> None:
        self.parameters = parameters
        self.found: dict[tuple[int, int], str] = {}

    def _report(self, nodes: Iterator[ast.Constant] | list[ast.Constant], why: str) -> None:
        for n in nodes:  # a literal met in two contexts is one finding, the first
            self.found.setdefault((n.lineno, n.col_offset), f"{n.value!r} {why}")

    def visit_Compare(self, node: ast.Compare) -> None:
        sides = [node.left, *node.comparators]
        if any(_names_state(side) for side in sides):
            for side in sides:
                self._report(_words(side), "compared with a state")
        self.generic_visit(node)

    def _assigned(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                for t, v in zip(target.elts, value.elts, strict=True):
                    self._assigned(t, v)
            return
        if _names_state(target):
            self._report(_words(value), "assigned to a state")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target, node.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg in CONTEXT_NAMES:
                self._report(_words(keyword.value), f"as {keyword.arg}=")
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if isinstance(func, ast.Attribute) and name in ("in_", "not_in") \
                and _names_state(func.value):
            for arg in node.args:
                self._report(_words(arg), f"in {name}() of a state")
        for param, arg in zip(self.parameters.get(name or "", []), node.args, strict=False):
            if param in CONTEXT_NAMES:
                self._report(_words(arg), f"as {name}()'s {param}")
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in CONTEXT_NAMES:
                self._report(_words(value), f"as {key.value!r} of a dict")
        keys = [k for k in node.keys if k is not None]
        if len(keys) == len(node.keys) and _one_enums_values(keys):
            self._report([k for k in keys if isinstance(k, ast.Constant)], "a dict of states")
        self.generic_visit(node)

    def _collection(self, node: ast.Tuple | ast.List | ast.Set) -> None:
        if _one_enums_values(node.elts):
            self._report([e for e in node.elts if isinstance(e, ast.Constant)],
                         "a list of states")
        self.generic_visit(node)

    visit_Tuple = visit_List = visit_Set = _collection


def _modules() -> dict[str, ast.Module]:
    return {path.relative_to(SERVICE).as_posix(): ast.parse(path.read_text(), str(path))
            for path in sorted(SERVICE.rglob("*.py"))}


def scan(source: str, parameters: dict[str, list[str]] | None = None) -> list[tuple[int, str]]:
    """The state literals in one module's source: (line, what)."""
    visitor = _Scan(parameters or {})
    visitor.visit(ast.parse(source))
    return [(line, why) for (line, _), why in sorted(visitor.found.items())]


def test_no_state_literals_in_service() -> None:
    trees = _modules()
    parameters = _parameters(trees)
    findings = []
    for path, tree in trees.items():
        if path == DEFINITIONS:
            continue
        visitor = _Scan(parameters)
        visitor.visit(tree)
        findings += [f"service/{path}:{line}: {why}"
                     for (line, _), why in sorted(visitor.found.items())]
    assert findings == [], "state strings; use the enum member:\n" + "\n".join(findings)


def test_the_definitions_exist() -> None:
    """The one excluded module must be there: a moved one would hide nothing."""
    assert DEFINITIONS in _modules()


@pytest.mark.parametrize("source", [
    "event.state == 'cancelled'",
    "if 'handled' != item.state: pass",
    "r.state in ('skipped', 'cancelled')",
    "status in SENT or status == 'completed'",
    "item.state = 'new'",
    "item.state, item.handled_at = 'handled', now",
    "message: str = 'x'\nmessage.status = 'queued' if ok else 'failed'",
    "Message(direction='out', status='queued')",
    "update(InboxItem).values(state='handled')",
    "InboxItem(kind=KIND_BY_INTENT.get(intent, 'reply'))",
    "select(Event).where(Event.state.in_(['planned', 'documents_in']))",
    "OPEN = ('new', 'read')",
    "LABELS = {'planned': 'odottaa', 'sent': 'lähetetty'}",
    "row = {'id': 1, 'state': 'sent'}",
    "notify_about(session, reminder, 'failed', 'why')",
])
def test_the_scan_finds_a_state_literal(source: str) -> None:
    assert scan(source, {"notify_about": ["session", "reminder", "kind", "summary"]})


@pytest.mark.parametrize("source", [
    "event.state == EventState.CANCELLED",
    "reminder.channel == 'task'",  # a channel, not a state
    "render_text(templates, 'task', name)",
    "result.status == 'ok'",  # not a state value
    "log.info('sent')",
    "WORDS = ('sent', 'sms')",  # not all of one enum
    "reason = 'documents_in'",  # a reason code, which happens to share the word
])
def test_the_scan_leaves_other_strings(source: str) -> None:
    assert scan(source, {"render_text": ["templates", "channel", "name"]}) == []
