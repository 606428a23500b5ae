"""Refresh the UI's message catalogues after changing texts: run from the repository root,

    .venv/bin/python service/web/translations/update.py

then translate the new (empty) entries in sv/ and en/ messages.po and run it once more to
compile. Message ids are the Finnish texts. Besides the UI's own _() calls, the Finnish
texts the domain shows in forms (field errors, reminder reasons, inbox summaries) are
collected too, so they can be translated where the UI shows them.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
LANGUAGES = ("sv", "en")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "L": None, "lazy_gettext": None,
            "N_": None}
# Domain modules whose error texts reach the forms: ValidationError({...: "text"}),
# ValueError("text"), PhoneError / ImportFileError texts, the missing-name text passed to
# check_name_and_phone, and the tables below.
DOMAIN_MODULES = ("domain/people/clients.py", "domain/events/lifecycle.py",
                  "domain/events/attendance.py",
                  "domain/messages/outbound.py", "domain/calendar/dates.py",
                  "domain/phones.py", "domain/people/client_import.py",
                  "domain/inbox/items.py", "domain/inbox/holds.py",
                  "domain/replies/inbound.py", "domain/replies/unreadable.py",
                  "domain/planning/reminder_states.py", "domain/events/worker_answers.py",
                  "web/ui/form_input.py", "web/ui/event_forms.py",
                  "domain/texts/worker_texts.py", "domain/messages/to_clients.py",
                  "domain/events/applications.py", "domain/people/trusted_persons.py",
                  "domain/teams/absences.py", "domain/people/deactivation.py",
                  "domain/events/recurrence.py", "domain/events/series.py",
                  "domain/people/appointment_import.py", "domain/teams/setup.py",
                  "domain/teams/access.py")
DOMAIN_CALLS = {"ValidationError", "ValueError", "ImportFileError", "check_name_and_phone"}
DOMAIN_TABLES = {"MESSAGES", "REASONS", "SUMMARY", "KEY_SUMMARY", "EXCLUDED"}
# single texts the forms show
DOMAIN_CONSTANTS = {"SHARED_NUMBER", "MISSING_PHONE", "SENDER_HINT", "WINDOW_HINT",
                    "KEY_STOP_REASON", "RESTORED", "STRANGER"}


def _text(node: ast.AST | None) -> list[str]:
    """A plain string literal (not an f-string's pieces) meant for people: it has a space."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value:
        return [node.value]
    return []


def domain_texts() -> list[str]:
    """Literal Finnish texts the domain raises or assigns as field errors, and its tables."""
    import importlib

    found: list[str] = []
    for name in DOMAIN_MODULES:
        path = ROOT / "service" / name
        if not path.exists():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in DOMAIN_CALLS:
                for arg in node.args:
                    found += _text(arg)
                    if isinstance(arg, ast.Dict):
                        found += [t for value in arg.values for t in _text(value)]
            elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
                found += _text(node.value)
        module = importlib.import_module("service." + name.removesuffix(".py").replace("/", "."))
        for table in DOMAIN_TABLES:
            values = getattr(module, table, None)
            if isinstance(values, dict):
                found += [str(v) for v in values.values()]
        found += [str(getattr(module, name)) for name in DOMAIN_CONSTANTS
                  if isinstance(getattr(module, name, None), str)]
    return [text for text in dict.fromkeys(found) if "datetime" not in text]


def template_catalogue() -> Catalog:
    catalogue = Catalog(project="rinnalla", charset="utf-8")
    method_map = [("service/web/**.py", "python"), ("service/web/templates/**.html", "jinja2")]
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map=method_map, keywords=KEYWORDS,
            directory_filter=lambda d: "/." not in d and ".venv" not in d and "tests" not in d):
        if filename.startswith("service/web"):
            catalogue.add(message, None, [(filename, lineno)], auto_comments=comments,
                          context=context)
    for text in domain_texts():
        if text not in catalogue:
            catalogue.add(text, None, [("service/domain", 0)])
    return catalogue


def main() -> int:
    from service.web.ui.i18n import ensure_compiled

    template = template_catalogue()
    for lang in LANGUAGES:
        po_path = HERE / lang / "LC_MESSAGES" / "messages.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalogue = read_po(handle, locale=lang)
        else:
            catalogue = Catalog(locale=lang, project="rinnalla", charset="utf-8")
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.fuzzy = False
        catalogue.header_comment = (f"# Rinnalla worker UI, {lang} translations. Message ids are "
                                    "the Finnish texts.\n# Refreshed by update.py in this "
                                    "folder; edit the msgstr lines by hand.")
        catalogue.project, catalogue.version = "rinnalla", "0.1"
        catalogue.last_translator = catalogue.language_team = "Rinnalla team"
        catalogue.msgid_bugs_address = ""
        with po_path.open("wb") as handle:
            write_po(handle, catalogue, no_location=True, omit_header=False, sort_output=True,
                     ignore_obsolete=True, width=100)
        missing = [m.id for m in catalogue if m.id and not m.string]
        print(f"{lang}: {len(catalogue)} messages, {len(missing)} without translation")
    ensure_compiled(HERE)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
