"""What a client means by a reply: confirm, decline, callback, stop, start or unknown.

Why this exists: clients answer reminders from basic phones in Finnish, plain
Finnish, Swedish or English, in their own words, with typos, emoji and filler.
The worker acts on the result, so the reader is deliberately cautious: a reply
that mixes intents, hedges, asks a question, negates a request or is long free
text is UNKNOWN and a human reads it. Nothing is ever guessed.

How it reads: the text is folded (case, diacritics, punctuation, repeated
letters), split into clauses at punctuation and at words such as "mutta"/"but",
and every word is looked up in the tables below (exactly, then allowing one
typo for words of four or more letters). Negators ("en", "ei", "inte", "not")
turn the next verb of coming into a decline; a negated call, stop or cancel
request is never acted on. Pure functions, standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum, StrEnum, auto

__all__ = ["Intent", "read_digits", "read_intent"]


class Intent(StrEnum):
    """What the worker's inbox and the event state act on."""

    CONFIRM = "confirm"  # I'm coming / yes / ok
    DECLINE = "decline"  # I can't come / cancel / no
    CALLBACK = "callback"  # please call me
    STOP = "stop"  # stop sending me messages
    START = "start"  # start sending again
    UNKNOWN = "unknown"  # unclear, mixed or free text: a human reads it


# A stop or start changes whether the client gets reminders at all, so it is
# only taken from a short command; in longer text a human reads it first.
SHORT_REPLY_WORDS = 4
# Longer replies are free text about something else, whatever words they contain.
MAX_REPLY_WORDS = 12
# Names, places and small talk are fine; more than this and we no longer understand it.
MAX_UNKNOWN_WORDS = 2
# How far after a negator ("en", "not", "inte") the verb it negates may stand.
_NEGATION_REACH = 4


class _Kind(Enum):
    """What one word (or fixed phrase) contributes to the reading."""

    FILLER = auto()  # politeness, pronouns, times: ignored
    OTHER = auto()  # a word we know we cannot act on; counts as not understood
    YES = auto()  # answer particle: joo, ok, yes, 1, thumbs up
    YES_WEAK = auto()  # "ja", "jo": Swedish yes, but Finnish "and", "already"
    NO = auto()  # answer particle: nej, nope, thumbs down
    KEY = auto()  # "1" or "2" as offered in the SMS; not when part of a sentence
    NO_WEAK = auto()  # "no": English no, but a Finnish opener "well" ("no joo")
    COME = auto()  # verb of attending; confirm, or decline when negated
    CANCEL = auto()  # peru, cancel; decline, but "don't cancel" is unclear
    NEG = auto()  # en, ei, älä, inte, not, can't
    WANT = auto()  # halua, want, vill: only understood in "en halua viestejä"
    CALL = auto()  # soita, ring, call: please call me
    CLIENT_CALLS = auto()  # soitan, "I will call": the client will call, not us
    STOP = auto()
    START = auto()
    MSG = auto()  # viestit, messages: neutral unless negated ("ei viestejä")
    SEND = auto()  # lähetä, send: neutral unless negated ("älä lähetä")
    HEDGE = auto()  # ehkä, maybe, myöhässä: a conditional answer needs a human
    QUESTION = auto()  # missä, when: the client needs an answer from a human
    BUT = auto()  # mutta, but: ends a clause and casts doubt on a yes
    BREAK = auto()  # koska, because: just ends a clause
    SUB = auto()  # kun: starts a when-clause ("soita kun sopii")
    SUB_HEDGE = auto()  # jos, if: starts an if-clause and hedges


# Written in natural spelling; keys are folded and squeezed when the tables are built.
_WORDS: dict[_Kind, str] = {
    _Kind.YES: """
        joo juu jep jees jes jup jepjep kyllä kyl kylläkin okei oki okke oukei ookoo okidoki
        ok selvä sovittu tottakai toki tietysti tietenkin nähdään nähään tavataan vahvistan
        vahvistettu japp jajamen javisst visst absolut okej okay okey yes yeah yea yep yup
        sure fine certainly definitely absolutely alright confirmed confirm ses
        noted 👍 👌 ✅ ✔ ☑ ✓ 🆗
    """,
    _Kind.YES_WEAK: "ja",
    _Kind.NO: "nej nope nah este estynyt estyneenä förhindrad 👎 ❌ ✖ ✗",
    _Kind.KEY: "1 2",
    _Kind.NO_WEAK: "no",
    _Kind.COME: """
        tulen tule tulee tulla tulemme tullaan tuun tuu tulossa tulemaan pääsen pääse pääsee
        päästä ehdin ehdi ehtiä kerkeän kerkiän kerkii kerkiä sopii sovi käy käyn onnistuu
        onnistu passaa kommer komma hinner hinna passar funkar funka går
        come coming attend attending going
    """,
    _Kind.CANCEL: """
        peru perun perua peruuta peruutan peruuttaa peruutetaan perutaan peruttu peruutus
        cancel cancelled canceled avboka avbokar avbokning
    """,
    _Kind.NEG: """
        en ei emme ette eivät älä älkää emmä emmie enkä eikä inte ej
        not cant cannot wont dont doesnt didnt isnt never unable inga
    """,
    _Kind.WANT: "halua haluan haluaisin tarvitse tarvii want wanna need vill",
    _Kind.CALL: """
        soita soitatko soitatteko soittakaa soittakaahan soittaisitko soittaisitteko
        soittaisitte soittaisit soittaa soittamaan soitto soittoa soittopyyntö soittele
        soitelkaa soitatte soitapa ring ringa ringer call callback phone ☎ 📞
    """,
    _Kind.CLIENT_CALLS: "soitan soitamme soittelen",
    _Kind.STOP: """
        lopeta lopettakaa lopettaa lopetus lopetan stop stopp stoppa stopall sluta avsluta
        unsubscribe optout
    """,
    _Kind.START: "aloita aloittakaa aloittaa start starta börja restart resume subscribe unstop",
    _Kind.MSG: """
        viesti viestit viestejä viestiä viestien viestistä tekstiviesti tekstiviestit
        tekstiviestejä tekstari tekstarit tekstareita muistutus muistutukset muistutuksia
        muistutuksesta sms smsiä smsit message messages text texts reminder reminders
        meddelande meddelanden påminnelse påminnelser påminnelsen
    """,
    _Kind.SEND: "lähetä lähettäkö lähettäkää lähettää lähettäminen send sending skicka skickar",
    _Kind.HEDGE: """
        ehkä ehkäpä kai varmaan luultavasti todennäköisesti mahdollisesti toivottavasti
        yritän yritetään koitan koetan katsotaan katotaan tiedä tiiä varma tietoa myöhässä
        myöhemmin myöhästyn myöhään siirtää siirretään siirtäkää siirto siirtoa
        maybe perhaps probably possibly hopefully try trying might late later reschedule
        postpone unsure kanske försöker förhoppningsvis senare försenad osäker 🤔
    """,
    _Kind.QUESTION: """
        missä mistä mihin minne milloin mitä mikä mitkä kuka kenen kenelle miksi miks miten
        kuinka paljonko montako monelta onks voiks saaks pitääks tarviiks tuleeks vai
        where when what whats who why how which or var vart när vad vem varför hur vilken
        vilket eller
    """,
    _Kind.BUT: "mutta mut men but paitsi except though",
    _Kind.BREAK: "koska because eftersom joten",
    _Kind.SUB: "kun",
    _Kind.SUB_HEDGE: "jos if",
    # Real words one typo away from a keyword ("tuli" from "tule", "home" from
    # "come"); listing them stops the typo tolerance from misreading them.
    _Kind.OTHER: """
        tuli tulo tulot tulin tulit tulitte soitti soitit soititte soitin
        home into find vet know step shop
    """,
    _Kind.FILLER: """
        kiitos kiitoksia kiitti kitti kiits tiedosta tiedoksi tiedän hei heippa heips moi
        moikka moro terve terveisin terkuin t ystävällisin hyvä hyvää hyvin päivää
        päivänjatkoa huomenta iltaa kiva mukava mahtavaa loistavaa se sitä ne niin siis vain
        vaan myös mukaan mukana sinne tänne siellä täällä paikalla paikalle ajoissa huomenna
        tänään ylihuomenna nyt silloin sitten enää vielä heti kohta pian kello klo aikaan
        aika ajalle ajan mä minä mie mua minua minulle mulle mulla minulla mun minun me
        meille te teille teidän sinä sä sulle sinulle sinun olen oon olla ole on voi voin
        voisin pysty pystyn jaksa jaksan kanssa valitettavasti harmi harmillista ikävä sori
        anteeksi pahoittelen pahoittelut kuitenkaan kuitenkin varmasti tosiaan taas homma
        juttu asia tuon tuo tämä nämä näitä niitä noita tässä takaisin uudelleen uudestaan
        jälleen kaikki paljon todella tosi oikein ihan kans että pyydän vastaan vastaus
        aamulla illalla iltapäivällä aamupäivällä tapaamiseen tapaaminen vastaanotolle
        ehdit ehditte kerkeät noh totta hätää enempää
        i im ill ive id me my you your we us well thanks thank thx ty tnx please pls plz the
        a an to it its is am are be will would can could do does of for at on in there here
        then tomorrow today tonight soon morning afternoon evening appointment meeting time
        see ya sorry unfortunately hi hello hey dear regards best cheers great good nice cool
        perfect all right again so just really bye more any anymore these this that them back
        with and also too oh ah able make it get got x xx xd opt out idea problem fler mer
        jag vi du ni mig oss dig er det den här är kan kunde ska skall ha tack tackar hej
        hejsan hallå hälsningar mvh bra fint gärna tyvärr dit där imorgon idag med och på
        för tiden tid möte mötet igen nu så bara också stund säker kl
        🙂 😊 😀 😃 😄 😁 😉 ☺ 🙏 ❤ ♥ 💕 😍 😘 🤗 👋 ☀ 😅 😢 😞 ☹ 🙁 😔
    """,
}

# Fixed phrases, matched after every word has been recognised; the longest wins.
_PHRASES: dict[str, _Kind] = {
    "ei kiitos": _Kind.NO,
    "ei kiitti": _Kind.NO,
    "nej tack": _Kind.NO,
    "no thanks": _Kind.NO,
    "no thx": _Kind.NO,
    "no thank you": _Kind.NO,
    "tuli este": _Kind.NO,
    "hyvä on": _Kind.YES,
    "totta kai": _Kind.YES,
    "see you": _Kind.YES,
    "see ya": _Kind.YES,
    "all right": _Kind.YES,
    "will do": _Kind.YES,
    "got it": _Kind.YES,
    "no problem": _Kind.YES,
    "be there": _Kind.COME,
    "make it": _Kind.COME,
    "olen paikalla": _Kind.COME,
    "oon paikalla": _Kind.COME,
    "ole paikalla": _Kind.COME,
    "call back": _Kind.CALL,
    "jag ringer": _Kind.CLIENT_CALLS,
    "i call": _Kind.CLIENT_CALLS,
    "i will call": _Kind.CLIENT_CALLS,
    "ill call": _Kind.CLIENT_CALLS,
    "i can call": _Kind.CLIENT_CALLS,
    "i will ring": _Kind.CLIENT_CALLS,
    "ill ring": _Kind.CLIENT_CALLS,
    "i will phone": _Kind.CLIENT_CALLS,
    "ill phone": _Kind.CLIENT_CALLS,
    "opt out": _Kind.STOP,
    "ikävä kyllä": _Kind.FILLER,
    "ei hätää": _Kind.FILLER,
    "no niin": _Kind.FILLER,
    "thank you": _Kind.FILLER,
    "not sure": _Kind.HEDGE,
    "dont know": _Kind.HEDGE,
    "no idea": _Kind.HEDGE,
    "vet inte": _Kind.HEDGE,
    "inte säker": _Kind.HEDGE,
}

# Short English words have too many real neighbours ("want" is one typo from
# "cant", "home" from "come"); these are recognised only when spelled right.
_EXACT_ONLY = "come call fine sure cant dont wont want yeah nope text send late ring phone inte inga"

# Swedish negators follow the verb they negate ("jag kommer inte").
_POST_NEGATORS = frozenset({"inte", "ej"})
# A number straight after these is a clock time, not a key press.
_TIME_WORDS = frozenset({"klo", "kelo", "kl", "at"})
# Emphatic "kyllä" after a negator: "en kyllä pääse" is a firm no, not a yes.
_EMPHATIC_YES = frozenset({"kyla", "kyl"})
# Doubled letters are squeezed away, except where the short spelling means
# something else: Finnish "jo" is "already", "joo" is yes.
_UNSQUEEZED = {"jo": _Kind.YES_WEAK}
# Finnish clitics: "pääsekään", "tulenpa", "soitas".
_CLITICS = ("kan", "kin", "han", "pa", "s")
_NEGATABLE = frozenset({_Kind.COME, _Kind.CANCEL, _Kind.CALL, _Kind.STOP, _Kind.START, _Kind.SEND})
_CLAUSE_ENDERS = frozenset({_Kind.BUT, _Kind.BREAK, _Kind.SUB, _Kind.SUB_HEDGE})

_APOSTROPHES = frozenset("'’‘`´ʼ")
_CLAUSE_BREAK = "\n"  # the token that stands for punctuation between clauses
_SMILEY = re.compile(r"(?<![\d:;=])[:;=]-?[()\[\]dpo3/\\|*]+(?!\w)")
_DIGIT_JOINER = re.compile(r"(?<=\d)[.:,](?=\d)")  # "10.00", "3.6." are one number
_REPEATS = re.compile(r"(.)\1+")


def read_intent(text: str) -> Intent:
    """Read a typed reply; anything not clearly one intent is UNKNOWN.

    "2" is a decline here because the SMS offers "1 = tulen, 2 = en pääse". A
    decline that asks for a call is CALLBACK: the worker calls and hears it.
    """
    words = _split_words(text)
    count = sum(1 for word in words if word != _CLAUSE_BREAK)
    if count == 0:
        return Intent.UNKNOWN
    reading = _Reading(question="?" in unicodedata.normalize("NFKC", text))
    for tokens, subordinate in _clauses(words):
        _read_clause(tokens, subordinate, reading)
    return _decide(reading, count)


def read_digits(digits: str) -> Intent:
    """Read a voice key press: 1 = I'm coming, 2 = I can't come / please call me.

    A spoken "2" offers both, and a human has to call to hear which, so it is a
    CALLBACK. Anything else (9 = hear again, several keys) is UNKNOWN.
    """
    pressed = digits.strip()
    if pressed == "1":
        return Intent.CONFIRM
    if pressed == "2":
        return Intent.CALLBACK
    return Intent.UNKNOWN


# --- normalising --------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without diacritics (ä->a, ö->o, å->a); emoji are kept."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return "".join(
        ch for ch in text if not unicodedata.category(ch).startswith("M") and ch not in _APOSTROPHES
    )


def _squeeze(word: str) -> str:
    """Collapse repeated letters so "jooo", "okkk" and "tuleen" meet their keys."""
    return _REPEATS.sub(r"\1", word)


def _split_words(text: str) -> list[str]:
    """Words, digits and emoji in order, with _CLAUSE_BREAK where punctuation was."""
    text = _fold(text.replace("<3", " ♥ "))
    text = _SMILEY.sub(" 🙂 ", text)
    text = _DIGIT_JOINER.sub("", text)
    words: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            words.append("".join(current))
            current.clear()

    for ch in text:
        category = unicodedata.category(ch)
        if ch.isalnum():
            current.append(ch)
            continue
        flush()
        if category == "So":
            words.append(ch)  # an emoji is a word of its own
        elif ch == "\n" or (category.startswith("P") and category != "Pd" and ch not in "/&#*"):
            words.append(_CLAUSE_BREAK)
    flush()
    return words


# --- recognising words --------------------------------------------------------


def _build_vocabulary() -> dict[str, _Kind]:
    """Folded, squeezed key -> kind; a key listed under two kinds is a table error."""
    vocabulary: dict[str, _Kind] = {}
    for kind, words in _WORDS.items():
        for word in words.split():
            key = _squeeze(_fold(word))
            if vocabulary.setdefault(key, kind) is not kind:
                raise ValueError(f"{word!r} is listed as {vocabulary[key].name} and {kind.name}")
    return vocabulary


def _build_phrases(vocabulary: dict[str, _Kind]) -> dict[tuple[str, ...], _Kind]:
    """Phrase keys; every phrase word must itself be in the vocabulary."""
    phrases: dict[tuple[str, ...], _Kind] = {}
    for phrase, kind in _PHRASES.items():
        keys = tuple(_squeeze(_fold(word)) for word in phrase.split())
        missing = [key for key in keys if key not in vocabulary]
        if missing:
            raise ValueError(f"phrase {phrase!r} uses unlisted words {missing}")
        phrases[keys] = kind
    return phrases


_VOCABULARY = _build_vocabulary()
_PHRASE_KINDS = _build_phrases(_VOCABULARY)
_LONGEST_PHRASE = max(len(keys) for keys in _PHRASE_KINDS)
_EXACT_KEYS = frozenset(_squeeze(_fold(word)) for word in _EXACT_ONLY.split())
_TYPO_KEYS = tuple(
    key for key in _VOCABULARY if len(key) >= 4 and key.isalpha() and key not in _EXACT_KEYS
)


@dataclass(frozen=True)
class _Token:
    kind: _Kind
    key: str | None  # vocabulary key, None when not recognised


def _one_edit_apart(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours turns a into b."""
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _recognise(word: str, previous: _Token | None) -> _Token:
    """The kind of one word: exact, without a clitic, with one typo, or a question form."""
    if word.isdigit():
        if previous is not None and previous.key in _TIME_WORDS:
            return _Token(_Kind.FILLER, None)  # "klo 2" is a time, not a key press
        if word in _VOCABULARY:
            return _Token(_VOCABULARY[word], word)
        # Another single digit looks like a menu choice we did not offer.
        return _Token(_Kind.HEDGE if len(word) == 1 else _Kind.FILLER, None)
    if word in _UNSQUEEZED:
        return _Token(_UNSQUEEZED[word], word)
    key = _squeeze(word)
    if key in _VOCABULARY:
        return _Token(_VOCABULARY[key], key)
    for clitic in _CLITICS:
        stem = key[: -len(clitic)]
        if key.endswith(clitic) and len(stem) >= 4 and stem in _VOCABULARY:
            return _Token(_VOCABULARY[stem], stem)
    if not word.isalpha():
        return _Token(_Kind.OTHER, None)
    if len(key) >= 4:
        matches = {_VOCABULARY[k]: k for k in _TYPO_KEYS if _one_edit_apart(key, k)}
        if len(matches) == 1:
            kind, match = next(iter(matches.items()))
            return _Token(kind, match)
        if matches:
            return _Token(_Kind.OTHER, None)  # near two different meanings: don't pick one
    if len(word) >= 4 and word.endswith(("ko", "kos", "kohan")) and not word.endswith("kko"):
        return _Token(_Kind.QUESTION, None)  # Finnish yes/no question: "onko", "pitääkö"
    return _Token(_Kind.OTHER, None)


def _merge_phrases(tokens: list[_Token]) -> list[_Token]:
    """Replace fixed phrases ("ei kiitos", "see you") by one token; longest first."""
    merged: list[_Token] = []
    i = 0
    while i < len(tokens):
        for length in range(min(_LONGEST_PHRASE, len(tokens) - i), 1, -1):
            keys = tuple(token.key or "" for token in tokens[i : i + length])
            if keys in _PHRASE_KINDS:
                merged.append(_Token(_PHRASE_KINDS[keys], " ".join(keys)))
                i += length
                break
        else:
            merged.append(tokens[i])
            i += 1
    return merged


def _clauses(words: list[str]) -> list[tuple[list[_Token], bool]]:
    """Split into clauses; True marks a when/if clause ("soita kun ehdit")."""
    raw: list[_Token | None] = []  # None is a clause break
    previous: _Token | None = None
    for word in words:
        if word == _CLAUSE_BREAK:
            raw.append(None)
            previous = None
            continue
        previous = _recognise(word, previous)
        raw.append(previous)
    clauses: list[tuple[list[_Token], bool]] = []
    current: list[_Token] = []
    subordinate = False
    for token in raw + [None]:
        if token is None or token.kind in _CLAUSE_ENDERS:
            if current:
                clauses.append((_merge_phrases(current), subordinate))
            current = [token] if token is not None else []
            subordinate = token is not None and token.kind in (_Kind.SUB, _Kind.SUB_HEDGE)
        else:
            current.append(token)
    return clauses


# --- reading clauses and deciding ---------------------------------------------


@dataclass
class _Reading:
    """What the clauses of one reply have said so far."""

    question: bool
    strong: set[Intent] = field(default_factory=set)
    weak: set[Intent] = field(default_factory=set)  # "ja", "jo", a lone "no"
    unknown_words: int = 0
    blocked: bool = False  # a negated request or "I will call": never acted on
    doubtful: bool = False  # a hedge or a question: tolerated only in a call-back request
    caveat: bool = False  # "but", or a negation we did not understand: doubts a yes


def _negation_targets(tokens: list[_Token]) -> dict[int, int]:
    """Negator index -> index of the verb it negates; each verb is negated once."""
    targets: dict[int, int] = {}
    taken: set[int] = set()
    for i, token in enumerate(tokens):
        if token.kind is not _Kind.NEG:
            continue
        before = [i - 1, i - 2] if token.key in _POST_NEGATORS else []
        for j in before + list(range(i + 1, i + 1 + _NEGATION_REACH)):
            if 0 <= j < len(tokens) and j not in taken and tokens[j].kind in _NEGATABLE:
                targets[i] = j
                taken.add(j)
                break
    return targets


_REQUESTS = {
    _Kind.CANCEL: Intent.DECLINE,
    _Kind.CALL: Intent.CALLBACK,
    _Kind.STOP: Intent.STOP,
    _Kind.START: Intent.START,
}


def _read_clause(tokens: list[_Token], subordinate: bool, reading: _Reading) -> None:
    """Add what one clause says to the reading."""
    targets = _negation_targets(tokens)
    negated = set(targets.values())
    first_neg = next((i for i, t in enumerate(tokens) if t.kind is _Kind.NEG), len(tokens))
    unknown = wants = bare_negs = noes = comes = 0
    keys: set[Intent] = set()
    leading_no = False
    has_msg = send_negated = False
    for i, token in enumerate(tokens):
        kind = token.kind
        if subordinate and kind in (_Kind.COME, _Kind.NEG):
            continue  # "soita kun sopii": the when-clause is not the answer
        if kind is _Kind.COME:
            if i in negated:
                reading.strong.add(Intent.DECLINE)
            else:
                comes += 1
        elif kind in (_Kind.CANCEL, _Kind.CALL, _Kind.STOP, _Kind.START):
            if i in negated:
                reading.blocked = True  # "älä soita", "don't cancel", "älä lopeta"
            else:
                reading.strong.add(_REQUESTS[kind])
        elif kind is _Kind.SEND:
            send_negated = send_negated or i in negated
        elif kind is _Kind.YES:
            if i > first_neg and token.key in _EMPHATIC_YES:
                continue
            reading.strong.add(Intent.CONFIRM)
        elif kind is _Kind.YES_WEAK:
            reading.weak.add(Intent.CONFIRM)
        elif kind is _Kind.NO:
            reading.strong.add(Intent.DECLINE)
        elif kind is _Kind.KEY:
            keys.add(Intent.CONFIRM if token.key == "1" else Intent.DECLINE)
        elif kind is _Kind.NO_WEAK:
            noes += 1
            leading_no = leading_no or i == 0
        elif kind is _Kind.NEG:
            if i not in targets:
                bare_negs += 1
        elif kind is _Kind.MSG:
            has_msg = True
        elif kind is _Kind.WANT:
            wants += 1
        elif kind is _Kind.OTHER:
            unknown += 1
        elif kind in (_Kind.HEDGE, _Kind.QUESTION, _Kind.SUB_HEDGE):
            reading.doubtful = True
        elif kind is _Kind.CLIENT_CALLS:
            reading.blocked = True
        elif kind is _Kind.BUT:
            reading.caveat = True
    # "en halua viestejä", "älä lähetä", "no more messages": a stop request.
    if unknown == 0 and (send_negated or (has_msg and (bare_negs or noes))):
        reading.strong.add(Intent.STOP)
        return
    reading.unknown_words += unknown + wants
    if noes and leading_no and noes == 1:
        reading.weak.add(Intent.DECLINE)  # alone it is "no"; Finnish opens with it: "no joo"
    elif noes:
        reading.strong.add(Intent.DECLINE)  # later in a clause it is English "no"
    if bare_negs:
        # "ei", "en voi", "can't" alone say no; "en tarvitse kyytiä" we don't understand.
        if unknown + wants == 0:
            reading.strong.add(Intent.DECLINE)
        else:
            reading.caveat = True
    # "tulen" is a yes, but "tulen autolla X" may hide a negation we missed.
    if comes and unknown + wants == 0:
        reading.strong.add(Intent.CONFIRM)
    # "1 kiitos" is the key offered; "tulen 2 kaverin kanssa" is not a "2".
    if unknown + wants == 0:
        reading.strong.update(keys)


def _decide(reading: _Reading, word_count: int) -> Intent:
    """Combine the clauses: one clear intent, or UNKNOWN."""
    # "ja", "jo", "no" only count in a reply that is otherwise fully understood.
    weak = reading.weak if reading.unknown_words == 0 else set()
    intents = reading.strong or weak
    doubtful = reading.doubtful or reading.question
    if Intent.STOP in intents or Intent.START in intents:
        if (
            {Intent.STOP, Intent.START} <= intents
            or reading.blocked
            or doubtful
            or word_count > SHORT_REPLY_WORDS
        ):
            return Intent.UNKNOWN
        return Intent.STOP if Intent.STOP in intents else Intent.START
    if (
        not intents
        or reading.blocked
        or word_count > MAX_REPLY_WORDS
        or reading.unknown_words > MAX_UNKNOWN_WORDS
    ):
        return Intent.UNKNOWN
    # "En pääse, soita": someone calls anyway and hears the rest, even a question.
    if Intent.CALLBACK in intents and intents <= {Intent.CALLBACK, Intent.DECLINE}:
        return Intent.CALLBACK
    if doubtful or len(intents) != 1:
        return Intent.UNKNOWN
    (intent,) = intents
    if intent is Intent.CONFIRM and reading.caveat:
        return Intent.UNKNOWN
    return intent
