"""Clauses and verb chains: the shape of a reply before its meaning.

A reply is split into clauses at punctuation and at "mutta", "koska", "jos", "kun",
"että" (and their sv/en peers). In a clause, a verb chain is a run of verbs and
negations with the small words between them: "en (valitettavasti) pääse tulemaan",
"jag kan (tyvärr) inte komma", "älkää (enää) lähettäkö", so a negation reaches
the whole chain, not only the next word. What stands before a chain is its
subject, what follows it its objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from service.domain.replies.lexicon import W
from service.domain.replies.recognise import Token

__all__ = ["Clause", "Group", "classes", "clauses", "groups", "words"]


VERBISH = frozenset({
    W.NEG, W.NEG_IMP, W.COME, W.COME_PROG, W.COME_NEG, W.COME_INF, W.SEE, W.SUITS,
    W.POSSIBLE, W.CAN, W.MUST, W.COP, W.COP3, W.WANT, W.CANCEL, W.CALL, W.CALL_INF,
    W.SUITS_NEG, W.CANCEL_INF,
    W.CALL_NEG, W.CALL_YOU, W.CLIENT_CALLS, W.CALL_PAST, W.STOP, W.STOP_INF, W.STOP_NEG,
    W.STOP_YOU, W.STOP_OTHER, W.START, W.START_INF, W.START_OTHER, W.SEND, W.SEND_INF,
    W.SEND_NEG, W.SEND_YOU, W.REMOVE, W.REQUEST, W.WISH, W.POSSIBLE_Q, W.DECIDED, W.ARRIVE,
    W.ARRIVE_PART, W.HEARD, W.GOT, W.WAIT, W.DOCS, W.CONFIRM_VERB, W.OBSTACLE,
})
# Small words that may stand inside a chain: "en (mä) (kyllä) (tänään) pääse".
CHAIN_SKIP = frozenset({W.PRON1, W.PRON_OBJ, W.PRON_AT, W.TIME, W.FILLER, W.SORRY, W.MORE,
                        W.STILL, W.YES, W.PLACE, W.NOTHING, W.AGAIN})
# Words that never change what a clause means.
NEUTRAL = frozenset({W.FILLER, W.WELL, W.TIME, W.PLACE, W.THANKS, W.SORRY, W.PRON1, W.PRON_OBJ,
                     W.GREET, W.SIGN, W.APPT, W.NUMBER, W.PREP, W.POST, W.YES, W.ACK,
                     W.AND, W.REASON_POST})
CLAUSE_LEADS = frozenset({W.BUT, W.BECAUSE, W.IF, W.WHEN, W.THAT})
SPLITS_SUBJECT = frozenset({W.AND, W.OR})
# Words whose doubt the clause records itself ("tulen ehkä"): not odd objects too.
DOUBTED_ELSEWHERE = frozenset({W.HEDGE, W.LATER, W.QUESTION})
# Finnish illative endings: where something was taken ("Kelaan", "toimistoon").
ILLATIVE = ("aan", "ään", "iin", "hin", "seen", "uun", "yyn", "oon", "öön")
# Languages whose imperative looks like other forms: a request needs the verb first.
VERB_FIRST_TABLES = frozenset({"sv", "en"})

FAMILIES: tuple[tuple[str, frozenset[W]], ...] = (
    ("stop", frozenset({W.STOP, W.STOP_INF, W.STOP_NEG, W.STOP_YOU, W.STOP_OTHER})),
    ("start", frozenset({W.START, W.START_INF, W.START_OTHER})),
    ("cancel", frozenset({W.CANCEL, W.CANCEL_INF})),
    ("call", frozenset({W.CALL, W.CALL_INF, W.CALL_NEG, W.CALL_YOU, W.CLIENT_CALLS,
                        W.CALL_PAST})),
    ("send", frozenset({W.SEND, W.SEND_INF, W.SEND_NEG, W.SEND_YOU})),
    ("remove", frozenset({W.REMOVE})),
    ("docs", frozenset({W.DOCS})),
    ("decided", frozenset({W.DECIDED})),
    ("got", frozenset({W.GOT})),
    ("arrive", frozenset({W.ARRIVE, W.ARRIVE_PART, W.HEARD})),
    ("wait", frozenset({W.WAIT})),
    ("obstacle", frozenset({W.OBSTACLE})),
    ("confirm", frozenset({W.CONFIRM_VERB})),
    ("see", frozenset({W.SEE})),
    ("attend", frozenset({W.COME, W.COME_PROG, W.COME_NEG, W.COME_INF})),
    ("suits", frozenset({W.SUITS, W.SUITS_NEG, W.POSSIBLE})),
    ("want", frozenset({W.WANT})),
    ("modal", frozenset({W.CAN, W.MUST})),
    ("cop", frozenset({W.COP, W.COP3})),
    ("request", frozenset({W.REQUEST, W.WISH})),
    ("neg", frozenset({W.NEG, W.NEG_IMP})),
    ("ask", frozenset({W.POSSIBLE_Q})),  # "voiko ...?": the question is doubted already
)


def words(tokens: Iterable[Token]) -> tuple[str, ...]:
    return tuple(t.text for t in tokens if not t.brk)


def classes(tokens: Iterable[Token]) -> set[W]:
    return {t.cls for t in tokens if t.cls is not None}


@dataclass
class Group:
    """A verb chain with what stands before it (subject) and after it (objects)."""

    pre: list[Token]
    chain: list[Token]
    tail: list[Token]
    first: bool  # the first of its clause, or the first after "ja", "or": starts afresh
    subject: list[Token]  # its own pre, or the earlier group's ("Matti on ... eikä pääse")

    @property
    def negs(self) -> list[Token]:
        return [t for t in self.chain if t.cls in (W.NEG, W.NEG_IMP)]

    @property
    def family(self) -> str:
        present = classes(self.chain)
        return next((name for name, members in FAMILIES if present & members), "")

    def unexplained(self, tokens: Sequence[Token]) -> list[Token]:
        """Unknown words not excused as a time, place or "with X" phrase."""
        found: list[Token] = []
        for i, token in enumerate(tokens):
            if not token.unknown or token.adverbial:
                continue
            after = tokens[i + 1].cls if i + 1 < len(tokens) else None
            before = next((t.cls for t in reversed(tokens[:i])
                           if t.cls not in (W.PRON_OBJ, W.FILLER, W.IT, None)), None)
            if after in (W.POST, W.REASON_POST) or before is W.PREP:
                continue
            found.append(token)
        return found


def groups(tokens: list[Token]) -> list[Group]:
    """Cut a clause into verb chains, each with the words before and after it."""
    groups: list[Group] = []
    pre_start, i = 0, 0
    subject: list[Token] | None = None  # None: the next group starts its own subject
    while i < len(tokens):
        if tokens[i].cls not in VERBISH:
            i += 1
            continue
        last = i
        for k in range(i + 1, len(tokens)):
            if tokens[k].cls in VERBISH:
                last = k
            elif tokens[k].cls not in CHAIN_SKIP:
                break
        end = next((k for k in range(last + 1, len(tokens)) if tokens[k].cls in VERBISH),
                   len(tokens))
        tail = tokens[last + 1: end]
        split = next((k for k in range(len(tail) - 1, -1, -1)
                      if tail[k].cls in SPLITS_SUBJECT), None)
        pre = tokens[pre_start:i]
        subject = pre if subject is None else subject
        groups.append(Group(pre, tokens[i: last + 1], tail if split is None else tail[:split],
                            subject is pre, subject))
        pre_start = end if split is None else last + 1 + split + 1
        subject = subject if split is None else None
        i = end
    if pre_start < len(tokens) or not groups:
        groups.append(Group(tokens[pre_start:], [], [], not groups, tokens[pre_start:]))
    return groups


@dataclass
class Clause:
    tokens: list[Token]
    lead: Token | None  # the conjunction that opened it ("mutta", "jos", "kun")
    asked: bool
    index: int


_END = Token("", None, brk=True)


def clauses(tokens: list[Token]) -> list[Clause]:
    """Split at breaks and at clause-leading conjunctions."""
    result: list[Clause] = []
    current: list[Token] = []
    lead: Token | None = None
    for token in [*tokens, _END]:
        if token.brk or token.cls in CLAUSE_LEADS:
            if current or token.asked:
                result.append(Clause(current, lead, token.asked, len(result)))
            current, lead = [], (None if token.brk else token)
        else:
            current.append(token)
    return result
