"""The shape of service/: short functions, and every module named in docs/architecture.md.

Complexity (at most 12 branches a function) is ruff's C901 in pyproject.toml, run by
.ci/run; function length is checked here, because no linter we run counts it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "service"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
MAX_BODY_LINES = 50  # "about 50": the body, without the docstring


def body_lines(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = func.body
    first = body[0]
    has_docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                     and isinstance(first.value.value, str))
    start = body[1].lineno if has_docstring and len(body) > 1 else first.lineno
    end = func.end_lineno or func.lineno
    return end - start + 1


def long_functions(source: str, limit: int = MAX_BODY_LINES) -> list[tuple[str, int]]:
    tree = ast.parse(source)
    return [(node.name, body_lines(node)) for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and body_lines(node) > limit]


def test_no_function_in_service_is_longer_than_fifty_lines() -> None:
    found = [f"{path.relative_to(ROOT)}: {name} has {lines} lines"
             for path in sorted(PACKAGE.rglob("*.py"))
             for name, lines in long_functions(path.read_text(encoding="utf-8"))]
    assert not found, found


def test_the_length_check_counts_what_it_should() -> None:
    short = 'def f():\n    """Doc."""\n' + "    x = 1\n" * 50
    long = "def g():\n" + "    x = 1\n" * 51
    assert long_functions(short) == []
    assert long_functions(long) == [("g", 51)]


def _only_a_docstring(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return all(isinstance(node, ast.Expr) for node in body)


def test_every_module_of_service_is_named_in_the_architecture_doc() -> None:
    doc = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"[\w/]+\.py", doc))
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if path.name == "__init__.py" and _only_a_docstring(path):
            continue
        # a module may be named by its path below service/, by the end of that path, or,
        # inside its folder's paragraph, by its file name alone
        if not any(f"service/{rel}" == n or str(rel).endswith(n) for n in named):
            missing.append(str(rel))
    assert not missing, f"not named in docs/architecture.md: {missing}"
