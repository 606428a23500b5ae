"""The TwiML of a reminder call: what is said, in which voice, and which keys do what.

Pure: texts in, XML out (built with the twilio SDK's TwiML classes). The pace is
calm on purpose: a slightly slower voice (SSML prosody) and a pause after every
sentence, because many who get calls rather than texts hear or read poorly.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from service import languages
from service.config import TwilioConfig
from service.domain.texts.templates import MENU_LINE

RATE = "90%"
SENTENCE_PAUSE = "700ms"
GATHER_SECONDS = 6


@dataclass(frozen=True)
class Speaker:
    language: str  # BCP 47, e.g. "fi-FI"
    voice: str  # e.g. "Polly.Suvi-Neural"


def speaker_for(language: str, config: TwilioConfig) -> Speaker:
    """The voice of a client's language (its file in service/languages/); the config may
    name another voice for Finnish (plain Finnish too), Swedish and English."""
    found = languages.all_languages().get(language) or languages.get("fi")
    configured = {"fi-FI": config.voice_fi, "sv-SE": config.voice_sv,
                  "en-GB": config.voice_en}.get(found.voice_language)
    return Speaker(language=found.voice_language, voice=configured or found.voice)


def split_menu(text: str) -> tuple[str, str]:
    """A voice template's words and its key menu (the lines after "---")."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.strip() == MENU_LINE:
            return "\n".join(lines[:number]), "\n".join(lines[number + 1:])
    return text, ""


def _say(parent: VoiceResponse | Gather, speaker: Speaker, text: str) -> None:
    say = parent.nest(Say(language=speaker.language, voice=speaker.voice))
    prosody = say.prosody(rate=RATE)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        if number:
            prosody.break_(time=SENTENCE_PAUSE)
        prosody.s(line)


def _say_with_menu(gather: Gather, speaker: Speaker, reminder: str) -> None:
    """The words and the key menu, then after a pause the menu once more."""
    words, menu = split_menu(reminder)
    _say(gather, speaker, words + "\n" + menu)
    if menu.strip():
        gather.pause(length=1)
        _say(gather, speaker, menu)


def reminder_call(speaker: Speaker, reminder: str, *, gather_url: str,
                  no_key_url: str | None, goodbye: str) -> str:
    """The reminder, then its key menu said twice; a key may be pressed at any point.

    The key menu is part of each voice template (after "---"), because what 1 means
    depends on the reminder ("I will come", "the decision has come"); each key comes
    after its condition, and the menu is repeated once because listeners lose it.
    Without a key press Twilio goes on past <Gather>: to `no_key_url` (the second
    and last round) when given, else to the goodbye.
    """
    response = VoiceResponse()
    gather = response.nest(Gather(input="dtmf", num_digits=1, action=gather_url,
                                  method="POST", timeout=GATHER_SECONDS))
    _say_with_menu(gather, speaker, reminder)
    if no_key_url is not None:
        response.redirect(no_key_url, method="POST")
    else:
        _say(response, speaker, goodbye)
        response.hangup()
    return str(response.to_xml(xml_declaration=True))


def menu_again(speaker: Speaker, notice: str, reminder: str, *, gather_url: str,
               goodbye: str) -> str:
    """After a key that means nothing: say so, say the reminder with its keys once more."""
    response = VoiceResponse()
    gather = response.nest(Gather(input="dtmf", num_digits=1, action=gather_url,
                                  method="POST", timeout=GATHER_SECONDS))
    _say(gather, speaker, notice)
    gather.pause(length=1)
    _say_with_menu(gather, speaker, reminder)
    _say(response, speaker, goodbye)
    response.hangup()
    return str(response.to_xml(xml_declaration=True))


def ask_again(speaker: Speaker, question: str, *, gather_url: str, goodbye: str) -> str:
    """A question that one more key answers (stopping the calls must be certain)."""
    response = VoiceResponse()
    gather = response.nest(Gather(input="dtmf", num_digits=1, action=gather_url,
                                  method="POST", timeout=GATHER_SECONDS))
    _say(gather, speaker, question)
    _say(response, speaker, goodbye)
    response.hangup()
    return str(response.to_xml(xml_declaration=True))


def spoken_then_hang_up(speaker: Speaker | None, text: str) -> str:
    """A short acknowledgement (or nothing at all) and the end of the call."""
    response = VoiceResponse()
    if speaker is not None and text.strip():
        _say(response, speaker, text)
    response.hangup()
    return str(response.to_xml(xml_declaration=True))


def connect_to_team(speaker: Speaker, text: str, team_phone: str) -> str:
    """An incoming call to our number: a word of explanation, then the team's own phone."""
    response = VoiceResponse()
    _say(response, speaker, text)
    if team_phone:
        response.dial(team_phone)
    else:
        response.hangup()
    return str(response.to_xml(xml_declaration=True))
