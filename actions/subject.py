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
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

__all__ = ["SELF", "named_subject", "requested_subject", "subject_of", "switch_to"]

SELF = "self"


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
    text = str(tracker.latest_message.get("text") or "")
    named: list[tuple[str, bool]] = []  # (relation, introduced by a "for" word)
    for found in tracker.latest_message.get("entities") or []:
        if found.get("entity") != "subject" or not found.get("value"):
            continue
        start, end = found.get("start"), found.get("end")
        if isinstance(start, int) and isinstance(end, int) and _inside_a_word(text, start, end):
            continue
        marked = isinstance(start, int) and bool(FOR_MARKER.search(text[max(0, start - 16) : start]))
        if isinstance(end, int) and not marked and POSSESSIVE.search(text[end : end + 12]):
            continue  # "写的我爸名字": something of theirs, not a check for them
        named.append((str(found["value"]).lower(), marked))
    others = [(n, marked) for n, marked in named if n != SELF]
    if others and (len(others) == len(named) or any(marked for _, marked in others)):
        return next((n for n, marked in others if marked), others[0][0])
    return SELF if named else None


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
