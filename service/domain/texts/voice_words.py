"""What a voice says, and for how long: a worker's short forms in full, and a call's length.

Why: a speech engine reads "krs" letter by letter and "esim." as a word nobody knows,
and people lose the thread of an automated call after about 30 seconds. The short forms
and the voice's pace are each language's data (service/languages/<code>.toml).
The length is an estimate: syllables at the language's stated pace (prosody 90%), plus
the pause the call makes after every line; no speech engine is needed to check it
(espeak-ng is not used: it is not on the servers, and its pace is not Polly's).
Calibrated on what issue 14 measured with the old Finnish appointment call and long
values, keys 19-25 s in and 30-36 s in all: this estimate gives 21 s and 32 s for it.
"""

from __future__ import annotations

import re
from functools import cache

from service import languages

LINE_PAUSE_SECONDS = 0.7  # web/twilio/twiml.py SENTENCE_PAUSE
COMMA_PAUSE_SECONDS = 0.25
# A digit of a language whose file does not spell its digits out: two or three syllables.
SYLLABLES_PER_DIGIT = 2.5
_VOWEL_GROUP = re.compile(r"[aeiouyäöåæøéèüаеєиіїоуюяыэё]+", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


@cache
def _pattern(language: str) -> re.Pattern[str] | None:
    table = languages.get(language).abbreviations
    if not table:
        return None
    keys = sorted(table, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in keys) + r")(?!\w)",
                      re.IGNORECASE)


def expand_abbreviations(text: str, language: str) -> str:
    """"Keskuskatu 5, 2. krs" -> "Keskuskatu 5, 2. kerros" (the language's table)."""
    pattern = _pattern(language)
    if pattern is None or not text:
        return text
    table = {k.lower(): v for k, v in languages.get(language).abbreviations.items()}
    return pattern.sub(lambda m: table.get(m.group(1).lower(), m.group(1)), text)


def abbreviations_in(text: str, language: str) -> list[str]:
    """The short forms a voice would expand, for a hint beside the form's field."""
    pattern = _pattern(language)
    return [m.group(1) for m in pattern.finditer(text)] if pattern and text else []


def syllables(text: str, language: str) -> float:
    """Vowel groups, and each digit as the language's word for it ("nolla", "zero"):
    close enough for a length, and "10 30" counts about as "kymmenen kolmekymmentä"."""
    words = _DIGITS.sub(" ", text)
    spoken = languages.get(language).digits_spoken
    digits = "".join(_DIGITS.findall(text))
    if spoken:
        said: float = sum(len(_VOWEL_GROUP.findall(spoken[int(d)])) for d in digits)
    else:
        said = len(digits) * SYLLABLES_PER_DIGIT
    return len(_VOWEL_GROUP.findall(words)) + said


def spoken_seconds(text: str, language: str) -> float:
    """How long a call takes to say these lines, at the language's pace."""
    lines = [line for line in text.splitlines() if line.strip()]
    pace = languages.get(language).syllables_per_second
    spoken = sum(syllables(line, language) for line in lines) / pace
    pauses = max(len(lines) - 1, 0) * LINE_PAUSE_SECONDS + text.count(",") * COMMA_PAUSE_SECONDS
    return round(spoken + pauses, 1)
