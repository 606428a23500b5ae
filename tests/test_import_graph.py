"""The layers of service/ as the code really imports them (docs/architecture.md).

Every import is read with `ast`, at module level and inside functions alike, so a
function-local import cannot hide a cycle. Fails on:
- a cycle between modules, or between packages (each folder of service/ is a package);
- an import of a private (_underscore) name from another module;
- domain code importing the web, scheduling, the runtime or the configuration;
- a lower layer importing a higher one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "service"

# Top to bottom: a module may import its own layer's modules and any layer below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("service.app", "service.cli", "service.demo", "service.privacy_commands",
     "service.reply_commands"),
    ("service.web",),
    ("service.scheduling",),
    ("service.runtime",),
    ("service.operations",),
    ("service.config",),
    ("service.domain",),
    ("service.gateways",),
    ("service.store",),
    ("service.clock", "service.languages"),
)
DOMAIN_MUST_NOT_IMPORT = ("service.web", "service.scheduling", "service.runtime",
                          "service.config")


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (a name imported from a package counts as its module)
    names: tuple[str, ...]
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(node: ast.ImportFrom, source: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = source.split(".") if is_package else source.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(source: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("service"):
                    yield Import(source, alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, source, path.name == "__init__.py")
            if not target.startswith("service"):
                continue
            plain: list[str] = []
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in modules:  # `from service.domain import audit`
                    yield Import(source, submodule, (), node.lineno)
                else:
                    plain.append(alias.name)
            if plain:
                yield Import(source, target, tuple(plain), node.lineno)


def all_imports() -> list[Import]:
    modules = all_modules()
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def package_of(module: str, modules: dict[str, Path]) -> str:
    path = modules[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles


def layer_of(module: str) -> int:
    for depth, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return depth
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")


def _edges(imports: list[Import], modules: dict[str, Path], by_package: bool
           ) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for imp in imports:
        if imp.target not in modules:
            continue
        a, b = imp.source, imp.target
        if by_package:
            a, b = package_of(a, modules), package_of(b, modules)
            # a package's __init__ and its own modules are one node; so are parent and child
            if a == b or a.startswith(b + ".") or b.startswith(a + "."):
                continue
        if a != b:
            edges.setdefault(a, set()).add(b)
    return edges


def test_every_import_names_a_module_that_exists() -> None:
    modules = all_modules()
    missing = [f"{i.source}:{i.line} imports {i.target}" for i in all_imports()
               if i.target not in modules]
    assert not missing, missing


@pytest.mark.parametrize("by_package", [False, True], ids=["modules", "packages"])
def test_no_import_cycles(by_package: bool) -> None:
    modules = all_modules()
    cycles = find_cycles(_edges(all_imports(), modules, by_package))
    assert not cycles, f"import cycles: {cycles}"


def test_no_private_name_is_imported_from_another_module() -> None:
    found = [f"{i.source}:{i.line} imports {name} from {i.target}"
             for i in all_imports() for name in i.names
             if name.startswith("_") and not name.startswith("__") and i.target != i.source]
    assert not found, found


def test_domain_imports_neither_web_scheduling_runtime_nor_config() -> None:
    found = [f"{i.source}:{i.line} imports {i.target}" for i in all_imports()
             if i.source.startswith("service.domain")
             and any(i.target == p or i.target.startswith(p + ".")
                     for p in DOMAIN_MUST_NOT_IMPORT)]
    assert not found, found


def test_layers_are_imported_downwards_only() -> None:
    modules = all_modules()
    upward = [f"{i.source}:{i.line} imports {i.target}" for i in all_imports()
              if i.target in modules and layer_of(i.target) < layer_of(i.source)]
    assert not upward, upward


def test_the_checks_catch_what_they_look_for() -> None:
    """The graph reading itself: a cycle, a private import and an upward import are seen."""
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    tree = ast.parse("def f():\n    from service.web.context import _x\n")
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom))
    assert _resolve(node, "service.domain.people.clients", False) == "service.web.context"
    assert layer_of("service.web.context") < layer_of("service.domain.people.clients")
