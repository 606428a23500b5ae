"""The wheel carries the code, the team's default files and the migrations.

The packages are listed in pyproject.toml (the default files and the migrations are built
in from the top-level folders, so they cannot be found automatically): a package left out
of the list, or a file its globs miss, would be missing only from an installed service.
.ci/wheel-check builds and installs the real wheel; these checks are the quick part.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from service.config import REPO_ROOT, installed, load_config
from service.store.migrate import MIGRATIONS_DIR

SOURCE_FILES_TO_SKIP = ("__pycache__", ".pyc")


def _setuptools() -> dict[str, Any]:
    data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    table: dict[str, Any] = data["tool"]["setuptools"]
    return table


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()
            and not any(part.endswith(SOURCE_FILES_TO_SKIP) for part in p.parts)}


def test_every_package_of_service_is_listed() -> None:
    config = _setuptools()
    code = {".".join(p.parent.relative_to(REPO_ROOT).parts)
            for p in (REPO_ROOT / "service").rglob("__init__.py")}
    mapped = set(config["package-dir"])
    data = {name for name in config["packages"]
            if any(name == m or name.startswith(m + ".") for m in mapped)}
    listed = set(config["packages"]) - data
    assert not code - listed, f"add {sorted(code - listed)} to packages in pyproject.toml"
    assert not listed - code, f"{sorted(listed - code)} in pyproject.toml no longer exist"
    assert mapped <= data


def test_the_shipped_folders_are_built_from_the_top_level_ones() -> None:
    """Every file of message_templates/, schedules/ and migrations/ goes into the wheel."""
    config = _setuptools()
    assert config["package-dir"] == {
        "service.defaults.message_templates": "message_templates",
        "service.defaults.schedules": "schedules",
        "service.store.migrations": "migrations",
    }
    for package, folder_name in config["package-dir"].items():
        folder = REPO_ROOT / folder_name
        shipped: set[Path] = set()
        for pattern in config["package-data"].get(package, []):
            shipped |= set(folder.glob(pattern))
        # Python modules of a listed package (the migrations' env.py and revisions) go in
        # as code.
        for name in config["packages"]:
            if name == package or name.startswith(package + "."):
                sub = folder.joinpath(*name[len(package):].split(".")[1:])
                shipped |= set(sub.glob("*.py"))
        assert _files(folder), folder
        assert _files(folder) <= shipped, sorted(map(str, _files(folder) - shipped))


def test_in_a_checkout_the_defaults_are_the_top_level_folders() -> None:
    assert not installed()
    config = load_config(env={})
    assert config.templates_dir == REPO_ROOT / "message_templates"
    assert config.schedules_dir == REPO_ROOT / "schedules"
    assert MIGRATIONS_DIR == REPO_ROOT / "migrations"


def test_published_under_the_eupl() -> None:
    data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["project"]["license"] == "EUPL-1.2"
    assert data["project"]["license-files"] == ["LICENSE"]
    text = (REPO_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\n")
    assert "15.Applicable Law" in text and "‘Compatible Licences’" in text
