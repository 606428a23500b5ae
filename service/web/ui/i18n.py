"""The UI's language: Finnish by default, Swedish and English selectable.

Message ids are the Finnish texts themselves, so Finnish needs no catalogue and a
missing translation falls back to Finnish, never to a code. Catalogues live in
service/web/translations/<lang>/LC_MESSAGES/messages.po; the compiled .mo files are
committed beside them (translations/update.py writes both, and a test fails when a
.mo is out of date), so start-up only reads them.
"""

from __future__ import annotations

import logging
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, session
from flask_babel import Babel
from flask_login import current_user

UI_LANGUAGES = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"

log = logging.getLogger(__name__)
babel = Babel()


def ui_language() -> str:
    """The signed-in worker's choice, else this browser's choice, else Finnish."""
    if current_user and current_user.is_authenticated:
        lang = current_user.ui_language
        if lang in UI_LANGUAGES:
            return str(lang)
    chosen = session.get("lang")
    return chosen if chosen in UI_LANGUAGES else "fi"


def compile_catalogue(po_path: Path) -> bytes:
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    out = BytesIO()
    write_mo(out, catalogue, use_fuzzy=False)
    return out.getvalue()


def ensure_compiled(directory: Path = TRANSLATIONS_DIR) -> None:
    """Write a .mo beside each .po whose compiled form is missing or out of date."""
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        compiled = compile_catalogue(po_path)
        if mo_path.exists() and mo_path.read_bytes() == compiled:
            continue
        try:
            mo_path.write_bytes(compiled)
        except OSError as exc:  # a read-only install keeps the committed .mo
            log.warning("could not write %s: %s", mo_path.name, exc.strerror)


def init_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel.init_app(app, default_locale="fi", locale_selector=ui_language)
