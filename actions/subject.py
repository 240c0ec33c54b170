"""Who the eligibility check is for: the citizen, or someone they ask for ("what about for my mother?").

The NLU finds the person as the ``subject`` entity (a lookup table with synonyms to one relation
per person: ``mother``, ``son``, ``spouse``...; ``self`` for "me"/"我自己"). Answers belong to
the person they are about, so they are kept per person: the ``answers`` and ``answers_said``
slots always hold the current person's (everything that reads them, the verdict, the application
link, the ticket, keeps working unchanged), and the others wait in ``subject_answers`` until the
conversation comes back to them. "What about for my mother?" parks mine and starts hers empty;
"and for me?" parks hers and brings mine back, so my verdict needs no question asked again.

The wording for the person ("How old is your mother?") comes from the catalogue service, which
is sent the relation (``subject``); nothing here words a question.

A follow-up about someone else while a service is selected ("and my wife? she is a foreigner",
"那我老婆呢") is the same service's check for them, whatever the NLU's intent: it never switches
the service (``follow_up_about``). When a check starts, what the citizen said earlier about the
person ("my dad is 70 and needs a care home") is sent to the catalogue service, which says which
questions those words already answer (``POST /api/services/{id}/eligibility/earlier``); the
answers it keeps are shown back, and an unsure reading is asked back first (``pre_read``).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from .catalogue_client import CatalogueUnavailable, NotFound, client
from .language import lang_of

__all__ = [
    "SELF",
    "conversation_person",
    "earlier_words",
    "follow_up_about",
    "named_subject",
    "pre_read",
    "requested_subject",
    "subject_of",
    "switch_to",
]

SELF = "self"
CHILDREN = frozenset({"child", "son", "daughter", "grandchild"})
MAX_EARLIER = 20


def subject_of(tracker: Tracker) -> str | None:
    """The relation the check is for now (``mother``...); None for the citizen."""
    value = tracker.get_slot("subject")
    return str(value) if isinstance(value, str) and value and value != SELF else None


# Just before a person, these make them the one the question is for: "can I apply for my mother?",
# "我可以给我妈办吗" (without them, "孩子出生了我能领吗" is the citizen asking for themself).
FOR_MARKER = re.compile(r"(?:\bfor|\bbehalf of|给|帮|替|代|为)\s*(?:my|our|the|我|我的|咱|自家|家里)?\s*$", re.I)
# Just after a person, these make the mention a description of something of theirs, not a request to
# check for them: "the flat is in my dad's name", "写的我爸名字", "我妈的房子" ("my mother's situation",
# 我妈的情况, are still about her).
POSSESSIVE = re.compile(
    r"^\s*(?:的\s*)?(?:名字|名下|名义)|^的(?!情况|话|呢|吗|资格|申请)\S|^(?:'s|’s|s')\s+(?!eligib|case|situation|applica|turn)[a-z]",
    re.I,
)
# What may surround a person in a message that only says who ("my father", "是我爸", "it's for my mum").
FILLER = re.compile(
    r"\b(?:it'?s|it|is|this|that|actually|no|sorry|oh|well|the|one|check|for|my|our|about|what|how)\b|[^\w]|[是其实不那呢吧啊哦的给帮替代为我咱]", re.I
)


def named_subject(tracker: Tracker) -> str | None:
    """The person the latest message names, as a relation (``self`` for "me", "can I", "我自己"), or None.

    When the message names the citizen ("can I", "我能") and another person, the other person is the
    one the question is for only when introduced by "for"/"on behalf of"/给/帮/替/代. The lookup
    runs without word boundaries (Chinese has none), so an English match inside a longer word
    ("son" in "person", "mum" in "minimum") is not a person.
    """
    return _named(_mentions(tracker.latest_message))


def _mentions(message: dict[str, Any]) -> list[tuple[str, bool, int]]:
    """The people a message names: (relation, introduced by a "for" word, where), in order; descriptions
    of something of theirs ("写的我爸名字") and matches inside an English word left out."""
    text = str(message.get("text") or "")
    named: list[tuple[str, bool, int]] = []
    for found in message.get("entities") or []:
        if found.get("entity") != "subject" or not found.get("value"):
            continue
        start, end = found.get("start"), found.get("end")
        if isinstance(start, int) and isinstance(end, int) and _inside_a_word(text, start, end):
            continue
        marked = isinstance(start, int) and bool(FOR_MARKER.search(text[max(0, start - 16) : start]))
        if isinstance(end, int) and not marked and POSSESSIVE.search(text[end : end + 12]):
            continue  # "写的我爸名字": something of theirs, not a check for them
        named.append((str(found["value"]).lower(), marked, start if isinstance(start, int) else 0))
    return named


def _named(named: list[tuple[str, bool, int]]) -> str | None:
    others = [(n, marked) for n, marked, _ in named if n != SELF]
    if others and (len(others) == len(named) or any(marked for _, marked in others)):
        return next((n for n, marked in others if marked), others[0][0])
    return SELF if named else None


# Before a person, these make the message a follow-up about them ("and my wife?", "what about my mum,
# she's 80", "ok, how about for my dad"); in Chinese, 呢 after the person or 那/换成 before ("那阿拉老婆呢").
FOLLOW_UP_BEFORE = re.compile(
    r"(?:^|[,.!?;，。！？；]\s*)(?:(?:ok(?:ay)?|oh|so|well|hmm|right|then)[,\s]+)*"
    r"(?:and|and what about|and how about|what about|how about|what if it'?s|same for|same question for|and now|also)\s+(?:for\s+)?(?:my|our)?\s*$"
    r"|(?:那|那么|还有|换成|轮到|再问下?)\s*(?:我|我的|阿拉|俺|咱|伊)?\s*$",
    re.I,
)
FOLLOW_UP_AFTER = re.compile(r"^\s*(?:呢|的话呢|怎么样|咋样|如何)")


def follow_up_about(tracker: Tracker) -> str | None:
    """The person (not the citizen) the latest message asks about as a follow-up ("and my wife? she is a
    foreigner", "那我老婆呢 她是外国人"), or None. With a service selected, such a message is that
    service's check for them: it never opens another service (issue 14: no silent switch)."""
    text = str(tracker.latest_message.get("text") or "")
    for relation, _, start in _mentions(tracker.latest_message):
        if relation == SELF:
            continue
        ends = [f.get("end") for f in tracker.latest_message.get("entities") or [] if f.get("start") == start and f.get("entity") == "subject"]
        end = ends[0] if ends and isinstance(ends[0], int) else start
        if FOLLOW_UP_BEFORE.search(text[max(0, start - 24) : start]) or FOLLOW_UP_AFTER.search(text[end : end + 6]):
            return relation
    return None


def _user_messages(tracker: Tracker) -> list[tuple[dict[str, Any], bool]]:
    """The citizen's typed messages of this session, oldest first, each with whether the check was running."""
    messages: list[tuple[dict[str, Any], bool]] = []
    in_check = False
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            messages, in_check = [], False
        elif kind == "active_loop":
            in_check = event.get("name") == "eligibility_form"
        elif kind == "user":
            text = str(event.get("text") or "")
            if text.strip() and not text.startswith("/"):
                messages.append(({"text": text, "entities": (event.get("parse_data") or {}).get("entities") or []}, in_check))
    return messages


# Before a person, these make them one of the citizen's own ("my dad", 我妈, 阿拉老婆, 家里老人);
# "老人乘公交免费的卡" or "the elderly" name nobody in particular.
OWNED = re.compile(r"(?:\bmy|\bour|我的?|俺|咱|阿拉|家里|自家)\s*$", re.I)
OWN_WORD = re.compile(r"^(?:我|俺|咱|阿拉|家里)")


def _about(message: dict[str, Any], current: str) -> str:
    """Who a message outside the check is about: an adult of the citizen's own it names ("my dad is 70
    and needs a care home", 我妈今年七十三了), a child only when asked for ("for my son"), the citizen
    when they name themself; else whoever the conversation was about (a baby in
    "生完孩子生育津贴怎么领" is not the person asking, nor "老人" in "老人乘公交免费的卡")."""
    named = _mentions(message)
    person = _named(named)
    if person is None:
        return current
    if person == SELF:
        return SELF
    text = str(message.get("text") or "")
    ends = {f.get("start"): f.get("end") for f in message.get("entities") or [] if f.get("entity") == "subject"}
    own = False
    for relation, marked, start in named:
        end = ends.get(start)
        words = text[start:end] if isinstance(end, int) else ""
        if relation == person and (marked or OWNED.search(text[max(0, start - 6) : start]) or OWN_WORD.match(words)):
            own = own or marked or person not in CHILDREN
    return person if own else current


def conversation_person(tracker: Tracker) -> str | None:
    """Who the conversation is about, from the citizen's messages outside the check; None for the citizen."""
    current = SELF
    for message, in_check in _user_messages(tracker):
        if not in_check:
            current = _about(message, current)
    return None if current == SELF else current


def earlier_words(tracker: Tracker, relation: str | None) -> list[str]:
    """What the citizen said about ``relation`` (None: themself) outside the check, oldest first; the
    latest message too when it names them ("and my wife? she is a foreigner")."""
    wanted, current = relation or SELF, SELF
    messages = _user_messages(tracker)
    texts: list[str] = []
    for n, (message, in_check) in enumerate(messages):
        latest = n == len(messages) - 1
        if latest and _named(_mentions(message)) == wanted:
            texts.append(str(message["text"]))
            continue
        if in_check:
            continue
        current = _about(message, current)
        if current == wanted:
            texts.append(str(message["text"]))
    return [t[:500] for t in texts[-MAX_EARLIER:]]


async def pre_read(dispatcher: CollectingDispatcher, tracker: Tracker, service_id: str | None, slots: dict[str, Any]) -> dict[str, Any]:
    """The slot values after the catalogue service read the earlier words about the person the check is
    for (``slots`` as the check starts: ``subject``, ``answers``, ``answers_said`` where they change).

    What it kept is shown back ("How old is your father? You said “my dad is 70 …” — 70 years"), facts
    kept for other checks are said once, and an unsure reading waits as ``elig_pending``, so the form
    asks "is that right?" first. Empty when nothing was said earlier or nothing is read.
    """
    relation = slots["subject"] if "subject" in slots else subject_of(tracker)
    texts = earlier_words(tracker, relation)
    if not service_id or not texts:
        return {}
    answers = slots["answers"] if "answers" in slots else tracker.get_slot("answers")
    said = slots["answers_said"] if "answers_said" in slots else tracker.get_slot("answers_said")
    answers = dict(answers) if isinstance(answers, dict) else {}
    said = dict(said) if isinstance(said, dict) else {}
    try:
        found = await client.eligibility_earlier(service_id, texts, lang_of(tracker), answers, said, relation)
    except (CatalogueUnavailable, NotFound, ValueError):
        return {}  # the check asks as it always did
    if found["taken"]:
        dispatcher.utter_message(response="utter_elig_earlier", lines="\n".join(f"• {t['line']}" for t in found["taken"]))
    if found["noted"]:
        dispatcher.utter_message(response="utter_elig_noted", lines="\n".join(f"• {t['line']}" for t in found["noted"]))
    out: dict[str, Any] = {}
    if found["answers"] != answers or found["said"] != said:
        out.update(answers=found["answers"], answers_said=found["said"])
    if found.get("pending"):
        out["elig_pending"] = dict(found["pending"])
    return out


def _inside_a_word(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha() and after != "s")


def switch_to(tracker: Tracker, relation: str | None) -> dict[str, Any]:
    """The slot values that make ``relation`` (None or ``self``: the citizen) the person being checked.

    The current person's answers and words are parked, the new person's come back (or start
    empty), and a reading waiting for "is that right?" is dropped: it was about the other person.
    Empty when the check is already for that person.
    """
    current = subject_of(tracker) or SELF
    wanted = relation or SELF
    if wanted == current:
        return {}
    parked = dict(tracker.get_slot("subject_answers") or {})
    answers, said = tracker.get_slot("answers"), tracker.get_slot("answers_said")
    parked[current] = {"answers": dict(answers) if isinstance(answers, dict) else {}, "said": dict(said) if isinstance(said, dict) else {}}
    theirs = parked.pop(wanted, None) or {}
    return {
        "subject": None if wanted == SELF else wanted,
        "subject_answers": parked,
        "answers": dict(theirs.get("answers") or {}),
        "answers_said": dict(theirs.get("said") or {}),
        "elig_pending": None,
        "elig_question": None,
    }


def requested_subject(tracker: Tracker) -> str | None:
    """The person the latest message asks the check to be for, when it does more than mention them.

    Inside the check, words that are not an answer switch the check only when they ask for a person:
    "for" before them ("it's for my father", "给我爸问的"), or nothing but the person ("my mum",
    "是我爸"). A description ("宝宝才两个月大", "my son is at school") is not a request to check for
    them: it is about the citizen's own case (the baby in a birth-related check).
    """
    person = named_subject(tracker)
    if person is None:
        return None
    text = str(tracker.latest_message.get("text") or "")
    rest = text
    for found in tracker.latest_message.get("entities") or []:
        start, end = found.get("start"), found.get("end")
        if found.get("entity") != "subject" or not isinstance(start, int) or not isinstance(end, int):
            continue
        if FOR_MARKER.search(text[max(0, start - 16) : start]):
            return person
        rest = rest.replace(text[start:end], " ")
    return person if not FILLER.sub("", rest).strip() else None
