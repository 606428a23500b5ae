"""Kokeile vastausta: a worker types a reply and sees what the service would do and why.

For training and for trust: the reading is exactly the webhook's (reading.read_reply,
which asked.read_answer calls with the question last sent), and nothing is stored or
sent. The text typed here is not logged or audited: it is nobody's message.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as L

from service.domain.replies.reading import LANGUAGES, Intent, Question, Reading, read_reply
from service.web.ui.signed_in import signed_in_only

bp = Blueprint("reply_trial", __name__, url_prefix="/inbox/try")
bp.before_request(signed_in_only)
MAX_TEXT = 1600  # as long as an inbound text can be (ten segments)
NO_QUESTION = "none"
QUESTIONS = {
    Question.APPOINTMENT.value: L("muistutus ajasta"),
    Question.CALL.value: L("muistutuspuhelu"),
    Question.DECISION.value: L("kysymys päätöksestä"),
    Question.DOCUMENTS.value: L("muistutus papereista"),
    NO_QUESTION: L("ei tiedetä"),
}
HELD = L("Vastaus menisi työntekijän saapuneisiin päätettäväksi, eikä palvelu tekisi "
         "mitään itse. Tapahtuman automaattiset muistutukset (soitot ja tekstiviestit, "
         "myös läheisille) odottaisivat, kunnes työntekijä päättää, mitä vastaus tarkoitti.")
WOULD_DO = {
    Intent.CONFIRM: L("Aika merkittäisiin vahvistetuksi (päätöksestä kysyttäessä: päätös "
                      "on tullut), ja vastaus näkyisi työntekijälle."),
    Intent.DECLINE: L("Aika merkittäisiin: asiakas ei pääse (päätöksestä kysyttäessä: "
                      "päätöstä ei ole vielä tullut), ja vastaus näkyisi työntekijälle."),
    Intent.CALLBACK: L("Työntekijä saisi soittopyynnön."),
    Intent.STOP: L("Asiakas kieltäytyisi viesteistä: muistutukset ja soitot loppuisivat "
                   "heti, ja hänelle lähtisi siitä vahvistus."),
    Intent.START: L("Asiakas saisi taas viestejä, ja hänelle lähtisi siitä vahvistus."),
}


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.values.get(name, default)
    return value if value in allowed else default


@bp.route("", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    text = request.form.get("text", "")[:MAX_TEXT] if request.method == "POST" else ""
    language = _choice("language", LANGUAGES, "fi")
    question = _choice("question", tuple(QUESTIONS), Question.APPOINTMENT.value)
    reading: Reading | None = None
    if text.strip():
        reading = read_reply(text, language, None if question == NO_QUESTION else question)
    would = None
    if reading is not None:
        would = WOULD_DO[reading.intent] if reading.certain else HELD
    return render_template("reply_trial/index.html", text=text, language=language,
                           question=question, reading=reading, would=would,
                           questions=QUESTIONS, languages=LANGUAGES)
