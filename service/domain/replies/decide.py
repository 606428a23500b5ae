"""The decision: what the acts of a reply mean for the question it answers, and
whether that is certain. Three outcomes only: act when certain, otherwise unknown
(a person decides), never a confident guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from service.domain.replies.acts import A, Act, D, Doubt, Parse, Question

__all__ = ["Intent", "Verdict", "decide"]


class Intent(StrEnum):
    """What the worker's inbox and the event state act on."""

    CONFIRM = "confirm"  # coming / yes; for a decision question: the decision has come
    DECLINE = "decline"  # not coming / cancel / no; for a decision question: not yet
    CALLBACK = "callback"  # please call me
    STOP = "stop"  # stop sending me messages and calls
    START = "start"  # start sending again
    UNKNOWN = "unknown"  # a person reads it


@dataclass(frozen=True)
class Verdict:
    intent: Intent
    certain: bool
    reason: str
    leaning: Intent | None = None  # what the words pointed at when not certain


C, DE, B, S, ST = Intent.CONFIRM, Intent.DECLINE, Intent.CALLBACK, Intent.STOP, Intent.START
PARTICLE = "particle"  # an answer word that only agrees with what the rest says
OFF = "off"  # says something, but not an answer to this question
PARTICLES = frozenset({A.YES, A.ACK, A.NO})
ANSWER_WORDS = PARTICLES | {A.KEY1, A.KEY2}

_COMMON: dict[A, Intent | str] = {A.CALL: B, A.STOP: S, A.STOP_WEAK: S, A.START: ST}
_APPOINTMENT: dict[A, Intent | str] = {
    A.YES: C, A.ACK: C, A.NO: DE, A.KEY1: C, A.KEY2: DE, A.COMING: C, A.NOT_COMING: DE,
    A.SUITS: C, A.NOT_SUITS: DE, A.CANCEL: DE, **_COMMON}
MEANING: Mapping[Question | None, Mapping[A, Intent | str]] = {
    Question.APPOINTMENT: _APPOINTMENT,
    Question.CALL: {**_APPOINTMENT, A.KEY2: B},  # a spoken "2": cannot come / call me
    Question.DECISION: {
        A.YES: C, A.ACK: PARTICLE, A.NO: DE, A.KEY1: C, A.KEY2: DE, A.CAME: C,
        A.NOT_YET: DE, A.ECHO_YES: C, A.ECHO_NO: DE, **_COMMON},
    Question.DOCUMENTS: {
        A.ACK: C, A.YES: PARTICLE, A.NO: PARTICLE, A.DOCS_DONE: C, A.HELP: B,
        A.NO_HELP: C, **_COMMON},
    None: {A.YES: PARTICLE, A.ACK: PARTICLE, A.NO: PARTICLE, **_COMMON},
}

ALWAYS = frozenset({D.IF, D.BLOCKED, D.CLIENT_CALLS, D.PAST, D.UNKNOWN, D.SUBJECT, D.CHOICE})
BLOCKING: Mapping[Intent, frozenset[D]] = {
    C: ALWAYS | {D.QUESTION, D.HEDGE, D.LATER, D.BUT, D.NEG_OTHER},
    DE: ALWAYS | {D.QUESTION, D.HEDGE, D.LATER, D.BUT},
    B: ALWAYS,
    S: ALWAYS | {D.HEDGE, D.CHANNEL, D.BUT},
    ST: ALWAYS | {D.QUESTION, D.HEDGE, D.CHANNEL, D.BUT},
}
# Unknown words elsewhere in the reply: a short aside is fine, a story is for a person.
CONTEXT_LIMIT: Mapping[Intent, int] = {C: 4, DE: 8, B: 99, S: 99, ST: 4}

ACT_TEXT: Mapping[A, str] = {
    A.YES: "myöntävä vastaus", A.ACK: "kuittaus", A.NO: "kieltävä vastaus",
    A.KEY1: "vastausnumero", A.KEY2: "vastausnumero", A.COMING: "tulee",
    A.NOT_COMING: "ei tule:", A.SUITS: "aika sopii", A.NOT_SUITS: "aika ei sovi:",
    A.CANCEL: "peruu ajan", A.CALL: "pyytää soittamaan", A.STOP: "pyytää lopettamaan",
    A.STOP_WEAK: "ei halua", A.START: "pyytää aloittamaan", A.CAME: "päätös on tullut",
    A.NOT_YET: "päätös ei ole tullut:", A.ECHO_YES: "päätös on tullut",
    A.ECHO_NO: "päätös ei ole tullut:", A.DOCS_DONE: "paperit hoidossa",
    A.HELP: "pyytää apua", A.NO_HELP: "ei tarvitse apua",
}
DOUBT_TEXT: Mapping[D, str] = {
    D.QUESTION: "kysymys", D.HEDGE: "epävarma", D.LATER: "myöhemmin", D.IF: "ehto",
    D.BUT: "mutta-lisäys", D.NEG_OTHER: "kielto koskee muuta",
    D.UNKNOWN: "sana, jota ei tunneta", D.SUBJECT: "puhuu jostakusta muusta",
    D.BLOCKED: "kielletty pyyntö", D.CLIENT_CALLS: "asiakas soittaa itse",
    D.PAST: "kertoo tapahtuneesta", D.CHANNEL: "muuta viesteistä", D.CHOICE: "vaihtoehto",
}
QUESTION_TEXT: Mapping[Question | None, str] = {
    Question.APPOINTMENT: "ajan muistutukseen", Question.CALL: "muistutuspuheluun",
    Question.DECISION: "kysymykseen päätöksestä", Question.DOCUMENTS: "paperien muistutukseen",
    None: "mihinkään tunnettuun viestiin (ei tiedetä, mitä kysyttiin)",
}


def _quote(words: Iterable[str]) -> str:
    return " + ".join(f"'{w}'" for w in words)


def describe_act(act: Act) -> str:
    """ "ei tule: kieltosana 'en' + verbi 'pääse' + 'tulemaan'", "kuittaus 'ok'"."""
    rest = [w for w in act.words if w not in act.negation]
    if act.negation and rest and act.kind not in (A.STOP, A.NO):
        return f"{ACT_TEXT[act.kind]} kieltosana {_quote(act.negation)} + verbi {_quote(rest)}"
    return f"{ACT_TEXT[act.kind]} {_quote(act.words)}"


def describe_doubt(doubt: Doubt) -> str:
    return f"{DOUBT_TEXT[doubt.kind]} {_quote(doubt.words)}"


def _intents(acts: list[Act], doubts: list[Doubt], meaning: Mapping[A, Intent | str]) -> tuple[
        dict[Intent, list[Act]], list[Act]]:
    """The intents the acts point at, and the acts that do not answer this question."""
    found: dict[Intent, list[Act]] = {}
    off: list[Act] = []
    for act in acts:
        value = meaning.get(act.kind, OFF)
        if value == OFF:
            off.append(act)
        elif isinstance(value, Intent):
            found.setdefault(value, []).append(act)
    if found.keys() & {S, ST, B} and not any(d.kind is D.BUT for d in doubts):
        # "joo lopeta", "ok stop", "kyllä, soittakaa": the answer word agrees with the request
        for intent in (C, DE):
            kept = [a for a in found.get(intent, []) if a.kind not in PARTICLES]
            if kept:
                found[intent] = kept
            else:
                found.pop(intent, None)
    return found, off


def _single(found: dict[Intent, list[Act]]) -> Intent | None:
    if set(found) == {B, DE}:
        return B  # "en pääse, soita": someone calls and hears the rest
    if set(found) == {S} and all(a.kind is A.STOP_WEAK for a in found[S]):
        return None  # "en halua niitä": not clear enough alone
    return next(iter(found)) if len(found) == 1 else None


def _counts(doubt: Doubt, intent: Intent, parse: Parse, acts: list[Act]) -> bool:
    """Whether a doubt stands against this intent, said by these acts."""
    if doubt.kind not in BLOCKING[intent]:
        return False
    if doubt.kind is D.QUESTION:
        # "Voitteko perua ajan?" is a request; "Tulen?" is not an answer
        in_clause = [a for a in parse.acts if a.clause == doubt.clause]
        return intent not in (S, B) and not (in_clause and all(a.request for a in in_clause))
    if intent is B and doubt.kind in (D.UNKNOWN, D.SUBJECT, D.PAST):
        # someone calls anyway: only a doubt about the call request itself counts
        return any(a.clause == doubt.clause for a in acts)
    if doubt.kind is D.BUT:
        # "tulen, mutta ..." adds a caveat; "kiitos, mutta en pääse" is the answer itself
        return any(a.clause < doubt.clause for a in parse.acts)
    return True


def _blocking(intent: Intent, parse: Parse, acts: list[Act]) -> list[str]:
    reasons = [describe_doubt(d) for d in parse.doubts if _counts(d, intent, parse, acts)]
    if intent in (S, B):  # a question elsewhere is fine; the request itself must not be one
        asked = [a for a in acts if a.clause in parse.questions and not a.request]
        reasons += [f"kysymys {_quote(a.words)}" for a in asked]
    if parse.context_words > CONTEXT_LIMIT[intent]:
        reasons.append(f"paljon muuta tekstiä ({parse.context_words} sanaa)")
    elif parse.context_words and all(a.kind in ANSWER_WORDS for a in acts):
        # "Joo, poika tuli kotiin": a bare "joo" beside a story does not answer the reminder
        reasons.append(f"pelkkä vastaussana ja muuta tekstiä ({parse.context_words} sanaa)")
    return reasons


def decide(parse: Parse, question: Question | None) -> Verdict:
    """One clear intent for this question, or UNKNOWN with the reason why not."""
    meaning = MEANING[question]
    found, off = _intents(parse.acts, parse.doubts, meaning)
    if not found:
        if off:
            return Verdict(Intent.UNKNOWN, False, f"ei vastaa {QUESTION_TEXT[question]}: "
                           + "; ".join(describe_act(a) for a in off))
        particles = [a for a in parse.acts if meaning.get(a.kind) == PARTICLE]
        if particles:
            return Verdict(Intent.UNKNOWN, False, "vastaus ei kerro, kumpaa tarkoittaa: "
                           + "; ".join(describe_act(a) for a in particles))
        doubts = "; ".join(describe_doubt(d) for d in parse.doubts[:2])
        return Verdict(Intent.UNKNOWN, False, "ei vastausta" + (f" ({doubts})" if doubts else ""))
    intent = _single(found)
    if intent is None:
        said = "; ".join(describe_act(a) for acts in found.values() for a in acts)
        return Verdict(Intent.UNKNOWN, False, f"ristiriita: {said}")
    acts = [a for k in ((intent, DE) if intent is B else (intent,)) for a in found.get(k, [])]
    reasons = _blocking(intent, parse, acts)
    if off:
        reasons.append(f"ei vastaa {QUESTION_TEXT[question]}: {describe_act(off[0])}")
    said = "; ".join(describe_act(a) for a in acts)
    if reasons:
        return Verdict(Intent.UNKNOWN, False, f"{reasons[0]} (muuten: {said})", intent)
    return Verdict(intent, True, said)
