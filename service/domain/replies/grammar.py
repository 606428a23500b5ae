"""The grammar's rules: what each verb chain of a clause says, and what doubts it.

Each chain (clauses.py) is read by its verb family: a negated verb of coming is a
decline ("en pääse tulemaan"), a stop verb with messages or nothing as its object
is a stop ("lopettakaa nämä viestit") but with another object is not ("lopettakaa
tämä kiusaaminen"), someone else as the subject is a doubt ("Äiti tulee"). The
result is acts and doubts (acts.py) for decide.py to weigh.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from service.domain.replies.acts import A, Act, D, Doubt, Parse, Question
from service.domain.replies.clauses import (
    DOUBTED_ELSEWHERE,
    ILLATIVE,
    NEUTRAL,
    VERB_FIRST_TABLES,
    VERBISH,
    Clause,
    Group,
    classes,
    clauses,
    groups,
    words,
)
from service.domain.replies.lexicon import W
from service.domain.replies.recognise import Token

__all__ = ["parse"]

KEY_LEADS = frozenset({"numero", "nro", "nr", "vastaus", "vastaan", "number", "nummer",
                       "svar", "answer", "reply", "valitsen", "painan"})
# Negations that are a whole answer alone, in the client's own language.
BARE_NO = frozenset({"en", "ei", "emme", "emmä", "emmää", "emmie", "ee", "cant", "cannot"})
SENDING = frozenset({W.SEND, W.SEND_INF, W.CALL, W.CALL_INF})
PARTICLE_LEADS = frozenset({W.GREET, W.THANKS, W.FILLER, W.WELL, W.SORRY, W.YES, W.ACK, W.NO})


def _verb_first(group: Group) -> bool:
    """Only small words before the verb: how an imperative looks in sv and en."""
    return group.first and all(t.cls in NEUTRAL and t.cls is not W.PRON1 for t in group.pre)


def _imperative(group: Group, verb: Token | None) -> bool:
    """A request form. Finnish imperatives are forms of their own ("soita", "lopettakaa");
    Swedish and English ones look like other forms ("ring", "stop"), so the verb must
    come first: "Stop texting me" is a request, "I stop" is not."""
    return verb is not None and (verb.table not in VERB_FIRST_TABLES or _verb_first(group))


def _first(tokens: Iterable[Token], members: Iterable[W]) -> Token | None:
    wanted = frozenset(members)
    return next((t for t in tokens if t.cls in wanted), None)


class _ClauseReader:
    """Reads the groups of one clause into acts and doubts (added to `out`)."""

    def __init__(self, clause: Clause, question: Question | None, wish: bool,
                 out: Parse) -> None:
        self.clause = clause
        self.question = question
        self.wish = wish  # the clause before was "pyydän" / "haluaisin": a request frame
        self.out = out
        self.acted = False
        # the last stop asked here ended in a verb of sending or calling ("sluta ringa"):
        # a verb after "och" continues it ("... och skicka sms")
        self.stopped_verb = False

    def act(self, kind: A, tokens: Iterable[Token], request: bool = False) -> None:
        said = [t for t in tokens if not t.brk]
        negation = words(t for t in said if t.cls in (W.NEG, W.NEG_IMP, W.NO))
        self.out.acts.append(Act(kind, words(said), self.clause.index, request, negation))
        self.acted = True
        if kind is A.STOP:
            self.stopped_verb = bool(said) and said[-1].cls in SENDING and not any(
                t.cls in (W.MSG, W.THESE, W.SEND_GER) for t in said)

    def doubt(self, kind: D, tokens: Iterable[Token]) -> None:
        self.out.doubts.append(Doubt(kind, words(tokens), self.clause.index))

    def objects_fit(self, group: Group, allowed: Iterable[W]) -> bool:
        """The chain's objects are of the allowed kinds; else a doubt names the word."""
        fits = frozenset(allowed) | NEUTRAL | DOUBTED_ELSEWHERE
        odd = [t for t in group.tail if t.cls is not None and t.cls not in fits]
        odd += group.unexplained(group.tail)
        if odd:
            self.doubt(D.UNKNOWN, odd[:2])
        return not odd

    def subject_fits(self, group: Group, it_allowed: bool = False) -> bool:
        """Nobody else is the subject: "Äiti tulee", "hon kommer", "Sähkölasku tuli"."""
        odd = [t for t in group.subject + group.chain
               if t.cls in (W.PRON3, W.PRON_AT) or (t.cls is W.IT and not it_allowed)]
        odd += group.unexplained(group.subject)
        if odd:
            self.doubt(D.SUBJECT, odd[:2])
        return not odd

    # --- the clause --------------------------------------------------------------
    def read(self) -> bool:
        """Read the clause; True when it is a request frame for the next clause."""
        tokens = self.clause.tokens
        self._doubts_in(tokens)
        chains = groups(tokens)
        self._particles(chains[0])
        loose = 0  # unknown words in groups that said nothing: "Kyllä elämä on raskasta"
        for group in chains:
            before = len(self.out.acts)
            if group.chain:
                self._dispatch(group)
            if len(self.out.acts) == before or not group.chain:
                loose += sum(1 for t in group.pre + group.chain + group.tail if t.unknown)
        self.out.context_words += loose
        for k, token in enumerate(tokens):
            following = tokens[k + 1:]
            if token.cls is W.OR and any(t.unknown or t.cls in VERBISH for t in following):
                self.doubt(D.CHOICE, [token, *following[:1]])  # "lopeta tai siirrä aika"
        if not self.acted and any(t.cls is W.MSG for t in tokens):
            self.doubt(D.CHANNEL, [t for t in tokens if t.cls is W.MSG])
        last = chains[-1]
        return (not self.acted and bool(last.chain) and not last.tail
                and last.chain[-1].cls in (W.WANT, W.REQUEST, W.WISH))

    def _doubts_in(self, tokens: list[Token]) -> None:
        for kind, members in ((D.HEDGE, {W.HEDGE}), (D.LATER, {W.LATER})):
            found = [t for t in tokens if t.cls in members]
            if found:
                self.doubt(kind, found)
        asking = [t for t in tokens if t.cls in (W.QUESTION, W.POSSIBLE_Q) or t.asked]
        if asking or self.clause.asked:
            self.out.questions.add(self.clause.index)
            self.doubt(D.QUESTION, asking or [Token("?", None)])
        late_well = [t for t in tokens[1:] if t.cls is W.WELL]
        if late_well:
            self.doubt(D.UNKNOWN, late_well)  # "yes no": Finnish "well" or English "no"?
        for i, token in enumerate(tokens[:-1]):  # "no money", "ingen mat": not an answer
            if token.cls is W.NO and tokens[i + 1].unknown:
                self.doubt(D.NEG_OTHER, tokens[i: i + 2])

    def _particles(self, group: Group) -> None:
        """Answer words at the start of a clause: "joo", "ok", "nej", "no more texts"."""
        pre = group.pre
        for i, token in enumerate(pre):
            if not all(t.cls in PARTICLE_LEADS for t in pre[:i]):
                return
            if token.cls in (W.YES, W.ACK):
                self.act(A.YES if token.cls is W.YES else A.ACK, [token])
            elif token.cls is W.NO:
                self._no(group, i)
            elif token.cls is W.HELP and not group.chain and all(
                    t.cls in NEUTRAL | {W.HELP} for t in self.clause.tokens):
                self.act(A.HELP, [token], request=True)

    def _no(self, group: Group, i: int) -> None:
        following = group.pre[i + 1:] + group.chain
        after = following[0] if following else None
        if after is not None and after.cls in (W.MORE, W.MSG):
            self._stop_act(Group([], group.pre[i: i + 1], group.pre[i + 1:], True, []))
        elif after is None or not after.unknown:
            self.act(A.NO, [group.pre[i]])

    def _dispatch(self, group: Group) -> None:
        family = group.family
        if family in ("modal", "cop") and any(t.cls is W.THERE for t in group.tail[:2]):
            family = "there"
        getattr(self, f"_{family}")(group)

    # --- requests: stop, start, cancel, call, send, remove ------------------------
    def _negative_request(self, group: Group) -> bool:
        """ "älkää", or a negated sv/en verb first: "don't call", "ring inte"."""
        return any(t.cls is W.NEG_IMP for t in group.chain) or (
            _verb_first(group) and any(t.table in VERB_FIRST_TABLES for t in group.negs))

    def _stop_act(self, group: Group, request: bool = True) -> None:
        """A stop, if what is to stop is messages, calls, "these" or nothing named."""
        fits = frozenset({W.MSG, W.THESE, W.IT, W.MORE, W.AGAIN, W.SEND_GER, W.RM_OBJ, W.OR,
                          W.NOTHING})
        odd = [t for t in group.tail if t.cls is not None and t.cls not in fits | NEUTRAL]
        unknown = group.unexplained(group.tail)
        if odd or (unknown and (W.MSG not in classes(group.tail) or len(unknown) > 2)):
            self.doubt(D.UNKNOWN, (odd + unknown)[:2])
            return
        said = group.chain + [t for t in group.tail if t.cls in (W.MSG, W.SEND_GER, W.THESE)]
        self.act(A.STOP, said, request)

    def _stop(self, group: Group) -> None:
        present = classes(group.chain)
        verb = _first(group.chain, (W.STOP, W.STOP_INF, W.STOP_YOU, W.STOP_NEG))
        if W.STOP_OTHER in present:
            self.doubt(D.PAST, group.chain)
        elif group.negs:
            self.doubt(D.BLOCKED, group.chain)
        elif (verb is not None and verb.cls is W.STOP and _imperative(group, verb)) or (
                W.STOP_INF in present and present & {W.REQUEST, W.WANT}) or (
                verb is not None and verb.cls is W.STOP_YOU and self.wish):
            self._stop_act(group)
        elif verb is not None and verb.cls is W.STOP:
            self.doubt(D.SUBJECT, group.pre or group.chain)

    def _start(self, group: Group) -> None:
        present = classes(group.chain)
        verb = _first(group.chain, (W.START, W.START_INF))
        if W.START_OTHER in present:
            self.doubt(D.PAST, group.chain)
        elif group.negs:
            self.doubt(D.BLOCKED, group.chain)
        elif ((verb is not None and verb.cls is W.START and _imperative(group, verb)) or (
                W.START_INF in present and present & {W.REQUEST, W.WANT})) and self.objects_fit(
                group, (W.MSG, W.AGAIN, W.THESE, W.IT)):
            self.act(A.START, group.chain + group.tail[:1], request=True)

    def _cancel(self, group: Group) -> None:
        present = classes(group.chain)
        if group.negs:
            self.doubt(D.BLOCKED, group.chain)
        elif W.CANCEL not in present and not present & {W.REQUEST, W.WANT, W.MUST, W.CAN}:
            return  # "perua" alone is not "peru"
        elif self.subject_fits(group) and self.objects_fit(group, (W.APPT, W.IT, W.THESE)):
            self.act(A.CANCEL, group.chain, request=True)

    def _call(self, group: Group) -> None:
        present = classes(group.chain)
        verb = _first(group.chain, (W.CALL, W.CALL_INF, W.CALL_NEG, W.CALL_YOU))
        if W.CALL_PAST in present:
            self.doubt(D.PAST, group.chain)
        elif W.CLIENT_CALLS in present:
            self.doubt(D.CLIENT_CALLS, group.chain)
        elif group.negs:
            if self._negative_request(group):
                self._stop_act(group)  # "älkää soittako", "don't call me again"
            else:
                self.doubt(D.BLOCKED, group.chain)  # "en soita", "ei tarvitse soittaa"
        elif self._call_asked(group, verb) and self.objects_fit(
                group, (W.LATER, W.AGAIN, W.RM_OBJ, W.THESE, W.IT)):
            self.act(A.CALL, group.chain, request=True)

    def _call_asked(self, group: Group, verb: Token | None) -> bool:
        """ "soita", "voitteko soittaa", "(pyydän, että) soitatte": a request to call."""
        return (verb is not None and verb.cls is W.CALL and _imperative(group, verb)) or (
            W.REQUEST in classes(group.chain)) or (
            verb is not None and self.wish)  # "pyydän, että soitatte" / "että joku soittaa"

    def _send(self, group: Group) -> None:
        present = classes(group.chain)
        verb = _first(group.chain, (W.SEND, W.SEND_INF, W.SEND_YOU))
        asked_for = (verb is not None and verb.cls is W.SEND and _imperative(group, verb)) or (
            W.REQUEST in present) or (verb is not None and verb.cls is W.SEND_YOU and self.wish)
        if group.negs:
            if self._negative_request(group):
                self._stop_act(group)  # "älkää lähettäkö", "skicka inga fler sms"
            else:
                self.doubt(D.NEG_OTHER, group.chain)
        elif asked_for and W.AGAIN in classes(group.chain + group.tail):
            if self.objects_fit(group, (W.MSG, W.AGAIN, W.THESE, W.IT)):
                self.act(A.START, group.chain + group.tail, request=True)
        elif self.stopped_verb and not group.pre:
            self._stop_act(group)  # "sluta ringa och skicka sms": one request, two verbs
        elif self.question is Question.DOCUMENTS and (
                present & {W.CAN, W.MUST} or classes(group.subject) & {W.PRON1}):
            if self.objects_fit(group, (W.DOCS_OBJ, W.THESE, W.IT)):
                self.act(A.DOCS_DONE, group.chain + group.tail[:1])  # "I'll send them"
        else:
            self.doubt(D.CHANNEL, group.chain + group.tail[:2])  # "... ja lähettää vain viestejä"

    def _remove(self, group: Group) -> None:
        verb = _first(group.chain, (W.REMOVE,))
        target = [t for t in group.tail if t.cls in (W.RM_OBJ, W.PRON_OBJ)]
        if group.negs:
            self.doubt(D.BLOCKED, group.chain)
        elif not (_imperative(group, verb) or W.REQUEST in classes(group.chain)):
            self.doubt(D.SUBJECT, group.pre)
        elif not target:
            self.doubt(D.UNKNOWN, group.tail[:1] or group.chain)
        elif self.objects_fit(group, (W.RM_OBJ, W.FROM, W.IT, W.THESE)):
            self.act(A.STOP, group.chain + target, request=True)  # "poistakaa numeroni"

    def _ask(self, group: Group) -> None:
        """ "voiko nämä lopettaa?" asks whether; the clause's question doubt says so."""

    def _request(self, group: Group) -> None:
        present = classes(group.tail)
        if W.CALL_NOUN in present:
            self.act(A.CALL, group.chain + group.tail[:1], request=True)  # "pyydän soittoa"
        elif W.HELP in present:
            self.act(A.HELP, group.chain + group.tail[:1], request=True)  # "voitko auttaa?"

    # --- the decision and the documents ------------------------------------------
    def _docs(self, group: Group) -> None:
        to_place = [t for t in group.tail if t.unknown and t.text.endswith(ILLATIVE)]
        kept = Group(group.pre, group.chain, [t for t in group.tail if t not in to_place],
                     group.first, group.subject)  # "vein ne Kelaan": where they went
        if group.negs:
            self.doubt(D.NEG_OTHER, group.chain)
        elif self.subject_fits(kept, it_allowed=True) and self.objects_fit(
                kept, (W.DOCS_OBJ, W.THESE, W.IT)):
            self.act(A.DOCS_DONE, group.chain + group.tail[:1])

    def _decided(self, group: Group) -> None:
        if self.subject_fits(group, it_allowed=True) and self.objects_fit(
                group, (W.DECISION, W.IT)):
            self.act(A.CAME, group.chain)

    def _got(self, group: Group) -> None:
        if W.MSG in classes(group.tail) or self.question is not Question.DECISION:
            return  # "olen saanut näitä viestejä", "sain töitä": not about a decision
        if self.objects_fit(group, (W.DECISION, W.IT, W.THESE, W.NOTHING, W.STILL)):
            self.act(A.NOT_YET if group.negs else A.CAME, group.chain + group.tail)

    def _arrive(self, group: Group) -> None:
        present = classes(group.chain)
        if self.question is not Question.DECISION:
            return  # "tuli muuta menoa", "poika tuli kotiin": a story, not an answer
        if not (self.subject_fits(group, it_allowed=True) and self.objects_fit(
                group, (W.DECISION, W.IT, W.NOTHING, W.STILL))):
            return
        if W.HEARD in present and (not group.negs or self.question is not Question.DECISION):
            return  # "en kuullut kunnolla" after a call is not about a decision
        self.act(A.NOT_YET if group.negs else A.CAME, group.chain + group.tail)

    def _wait(self, group: Group) -> None:
        if group.negs:
            self.doubt(D.NEG_OTHER, group.chain)
        elif self.objects_fit(group, (W.STILL, W.DECISION, W.IT)):
            self.act(A.NOT_YET, group.chain + group.tail)  # "odotan vielä"

    # --- coming to the appointment ------------------------------------------------
    def _obstacle(self, group: Group) -> None:
        if group.negs:
            self.doubt(D.NEG_OTHER, group.chain)
        elif self.objects_fit(group, (W.APPT,)):
            self.act(A.NOT_COMING, group.chain)  # "minulle tuli este", "olen estynyt"

    def _confirm(self, group: Group) -> None:
        if group.negs:
            self.doubt(D.NEG_OTHER, group.chain)
        elif self.subject_fits(group) and self.objects_fit(group, (W.APPT, W.IT)):
            self.act(A.COMING, group.chain)  # "vahvistan ajan"

    def _see(self, group: Group) -> None:
        if group.negs:
            self.doubt(D.NEG_OTHER, group.chain)
        elif self.subject_fits(group) and self.objects_fit(group, (W.APPT, W.THERE)):
            self.act(A.COMING, group.chain)  # "nähdään", "vi ses"

    def _attend(self, group: Group) -> None:
        present = classes(group.chain)
        if self.question is Question.DECISION and W.COME_INF in present and not present & {
                W.COME, W.COME_PROG, W.COME_NEG} and not classes(group.subject) & {W.PRON1}:
            self._arrive(group)  # "it hasn't come yet": the decision, not the client
        elif W.WANT in present and not group.negs:
            self.doubt(D.HEDGE, group.chain)  # "haluan tulla", "I want to come"
        elif not self.subject_fits(group):
            return
        elif group.negs:
            if any(t.cls is W.ONTIME for t in group.tail):
                self.doubt(D.HEDGE, group.tail)  # "en ehdi ajoissa": late, not absent
            elif self.objects_fit(group, (W.APPT, W.THERE, W.IT)):
                self.act(A.NOT_COMING, group.chain)
        elif W.COME in present or (W.COME_PROG in present and W.COP3 not in present) or (
                present & {W.CAN, W.MUST} and W.COME_INF in present):
            if any(t.cls is W.FROM for t in group.tail):
                self.doubt(D.UNKNOWN, group.tail[:2])  # "jag kommer från Ukraina"
            elif self.objects_fit(group, (W.APPT, W.THERE, W.ONTIME)):
                self.act(A.COMING, group.chain)

    def _there(self, group: Group) -> None:
        """ "olen siellä", "jag är där", "I'll be there"."""
        if W.COP3 in classes(group.chain) or not self.subject_fits(group):
            return
        if self.objects_fit(group, (W.THERE, W.ONTIME, W.APPT)):
            self.act(A.NOT_COMING if group.negs else A.COMING, group.chain + group.tail[:1])

    def _suits(self, group: Group) -> None:
        present = classes(group.chain)
        if W.POSSIBLE in present and not group.negs:
            self.doubt(D.HEDGE, group.chain)  # "se on mahdollista"
        elif present & {W.SUITS_NEG} and not present & {W.SUITS} and not group.negs and \
                not classes(group.subject) & {W.IT, W.APPT, W.THESE}:
            return  # "sovi", "work" alone; "det går bra", "se sopii" name what suits
        elif self.subject_fits(group, it_allowed=True) and self.objects_fit(
                group, (W.APPT, W.IT, W.THESE)):
            self.act(A.NOT_SUITS if group.negs else A.SUITS, group.chain)

    # --- chains without a verb of their own -----------------------------------------
    def _want(self, group: Group) -> None:
        present = classes(group.tail)
        if group.negs and W.MSG in present:
            self._stop_act(group, request=False)  # "en halua viestejä"
        elif group.negs and present & {W.THESE, W.IT} and self.objects_fit(
                group, (W.THESE, W.IT, W.MORE)):
            self.act(A.STOP_WEAK, group.chain + group.tail)  # "en halua niitä enää"
        elif W.HELP in present and self.objects_fit(group, (W.HELP, W.DOCS_OBJ, W.THESE, W.IT)):
            self.act(A.NO_HELP if group.negs else A.HELP, group.chain + group.tail)
        elif self.question is Question.DOCUMENTS and present <= NEUTRAL and not \
                group.unexplained(group.tail):
            # "Tarvitsetko apua?" - "En tarvitse." / "Tarvitsen."
            self.act(A.NO_HELP if group.negs else A.HELP, group.chain)
        elif group.negs:
            self.doubt(D.NEG_OTHER, group.chain + group.tail[:1])
        elif W.MSG in present and W.AGAIN in present | classes(group.chain):
            if self.objects_fit(group, (W.MSG, W.AGAIN, W.THESE)):
                self.act(A.START, group.chain + group.tail, request=True)
        elif W.CALL_NOUN in present:
            self.act(A.CALL, group.chain + group.tail[:1], request=True)

    def _modal(self, group: Group) -> None:
        present = classes(group.chain)
        if not group.negs:
            return
        plain_tail = all(t.cls in NEUTRAL for t in group.tail)
        if W.CAN in present and W.MUST not in present and plain_tail:
            if self.subject_fits(group):
                self.act(A.NOT_COMING, group.chain)  # "en voi", "jag kan inte", "I can't"
        else:
            self.doubt(D.NEG_OTHER, group.chain + group.tail[:1])  # "en pysty nukkumaan"

    def _cop(self, group: Group) -> None:
        present = classes(group.chain)
        plain_tail = all(t.cls in NEUTRAL | {W.STILL} for t in group.tail)
        if group.negs:
            if plain_tail:
                self.act(A.ECHO_NO, group.chain + group.tail)  # "ei ole", "ei oo vielä"
            else:
                self.doubt(D.NEG_OTHER, group.chain + group.tail[:1])
        elif W.COP3 in present and plain_tail and all(
                t.cls in NEUTRAL | {W.COP3} for t in self.clause.tokens):
            self.act(A.ECHO_YES, group.chain)  # "On." to "onko päätös tullut?"
        elif (self.question is Question.DOCUMENTS and W.DOCS_OBJ in classes(group.subject)
              and not group.unexplained(group.tail)
              and all(t.cls in NEUTRAL | {W.STILL} or t.unknown for t in group.tail)):
            # "paperit on jo Kelassa"
            self.act(A.DOCS_DONE, group.subject + group.chain + group.tail)

    def _neg(self, group: Group) -> None:
        around = classes(group.pre + group.tail)
        first_msg = next((i for i, t in enumerate(group.tail) if t.cls is W.MSG), None)
        if first_msg is not None and not group.unexplained(group.tail[:first_msg]):
            self._stop_act(group, request=bool(self._negative_request(group)))
        elif (group.unexplained(group.tail) or group.unexplained(group.pre)
              or not around <= NEUTRAL | {W.STILL}):
            self.doubt(D.NEG_OTHER, group.chain + group.tail[:1])
        elif W.STILL in around:
            self.act(A.NOT_YET, group.chain + group.tail)  # "ei vielä", "not yet", "inte än"
        elif any(t.key in BARE_NO and t.how != "foreign" for t in group.chain):
            self.act(A.NO, group.chain)  # "ei", "en", "can't"; not "et", "not", "inte"


def _keys(tokens: list[Token], out: Parse) -> list[Token]:
    """Key presses typed as a reply: "1", "2 kiitos", "yksi". Elsewhere a number is a number.

    A digit is a key only as the first word of the reply ("tulen 2 lapsen kanssa" is
    not a 2); a number word only when it is all the reply says ("kaksi kiitos").
    """
    quiet = frozenset({W.GREET, W.FILLER, W.THANKS, W.SORRY, W.SIGN})
    content = [t for t in tokens if not t.brk and t.cls not in quiet
               and t.text not in KEY_LEADS]
    keys = [t for t in tokens if t.cls in (W.KEY1, W.KEY2)]
    numbers = [t for t in content if t.cls in (W.NUM1, W.NUM2)]
    pressed: list[Token] = []
    if len(keys) > 1 or (keys and content and content[0] is keys[0]):
        pressed = keys
    elif len(content) == 1 and numbers:
        pressed = numbers
    for token in pressed:
        kind = A.KEY1 if token.cls in (W.KEY1, W.NUM1) else A.KEY2
        out.acts.append(Act(kind, (token.text,), 0))
    return [replace(t, cls=W.NUMBER) if t.cls in (W.KEY1, W.KEY2, W.NUM1, W.NUM2) else t
            for t in tokens]


def parse(tokens: list[Token], question: Question | None) -> Parse:
    """The acts and doubts of a whole reply."""
    out = Parse()
    tokens = _keys(tokens, out)
    wish = False
    for clause in clauses(tokens):
        before = len(out.acts), len(out.doubts), out.context_words
        wish = _ClauseReader(clause, question, wish, out).read()
        lead = clause.lead.cls if clause.lead else None
        if lead in (W.WHEN, W.IF):
            # "soita kun ehdit": the when-clause is not the answer; "tulen jos ehdin" is none
            del out.acts[before[0]:]
            out.doubts[before[1]:] = [d for d in out.doubts[before[1]:]
                                      if d.kind in (D.BLOCKED, D.CLIENT_CALLS)]
            out.context_words = before[2]
            out.questions.discard(clause.index)
        if lead in (W.IF, W.BUT):
            assert clause.lead is not None
            kind = D.IF if lead is W.IF else D.BUT
            out.doubts.append(Doubt(kind, (clause.lead.text,), clause.index))
        elif lead is W.BECAUSE:
            out.context_words = before[2]  # a reason may say anything
    return out
