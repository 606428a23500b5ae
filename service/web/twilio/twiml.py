"""The TwiML of a reminder call: what is said, in which voice, and which keys do what.

Pure: texts in, XML out (built with the twilio SDK's TwiML classes). The pace is
calm on purpose: a slightly slower voice (SSML prosody) and a pause after every
sentence, because many who get calls rather than texts hear or read poorly.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import Gather, Say, VoiceResponse

from service.config import TwilioConfig

RATE = "90%"
SENTENCE_PAUSE = "700ms"
GATHER_SECONDS = 6
LANGUAGE_CODES = {"fi": "fi-FI", "selko": "fi-FI", "sv": "sv-SE", "en": "en-GB"}


@dataclass(frozen=True)
class Speaker:
    language: str  # BCP 47, e.g. "fi-FI"
    voice: str  # e.g. "Polly.Suvi-Neural"


def speaker_for(language: str, config: TwilioConfig) -> Speaker:
    """The configured voice for a client's language; plain Finnish uses the Finnish voice."""
    code = LANGUAGE_CODES.get(language, "fi-FI")
    voice = {"sv-SE": config.voice_sv, "en-GB": config.voice_en}.get(code, config.voice_fi)
    return Speaker(language=code, voice=voice)


def _say(parent: VoiceResponse | Gather, speaker: Speaker, text: str) -> None:
    say = parent.nest(Say(language=speaker.language, voice=speaker.voice))
    prosody = say.prosody(rate=RATE)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        if number:
            prosody.break_(time=SENTENCE_PAUSE)
        prosody.s(line)


def reminder_call(speaker: Speaker, reminder: str, *, gather_url: str,
                  no_key_url: str | None, goodbye: str) -> str:
    """The reminder, whose last lines say which key does what; a key may be pressed at any point.

    The key menu is part of each voice template, because what 1 means depends on the
    reminder ("I will come", "the decision has come").
    Without a key press Twilio goes on past <Gather>: to `no_key_url` (the second
    and last round) when given, else to the goodbye.
    """
    response = VoiceResponse()
    gather = response.nest(Gather(input="dtmf", num_digits=1, action=gather_url,
                                  method="POST", timeout=GATHER_SECONDS))
    _say(gather, speaker, reminder)
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
    _say(gather, speaker, reminder)
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
