"""Which service a question is about: the one it names, the selected one, or the one its words find.

Follow-ups, the eligibility check and "apply" all need a service. A citizen may ask "can I get
unemployment benefit?" as a first message, name another service mid-conversation ("and how much
is the dog licence?"), or ask "how much is it?" right after a list of results. This module
decides in that order and, when it cannot, offers candidates as buttons instead of a bare
"which service?".
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .cards import select_button
from .catalogue_client import client
from .language import text_of

__all__ = ["clear_winner", "entity", "mentioned_service", "ordinal", "resolve_service"]

MAX_QUERY = 500
# "the second one", "option 3", "#2", "第二个", "第3项": a pick from the results just shown.
# Bare "first" is not enough ("is this my first application?"), nor 第一次 ("the first time").
ORDINAL = re.compile(
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+(?:one|option|service|result)\b"
    r"|(?:\bnumber|\boption|\bno\.|#)\s*([1-5])\b"
    r"|第\s*([一二三四五1-5])\s*(?:个|项|种|条)",
    re.I,
)
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5}
_ORDINAL_ZH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def ordinal(text: str) -> int | None:
    """Which of the shown results (1-based) the text points at, if it points at one."""
    m = ORDINAL.search(text)
    if not m:
        return None
    word, digit, zh = m.groups()
    if word:
        return _ORDINAL_WORDS[word.lower()]
    if digit:
        return int(digit)
    return _ORDINAL_ZH.get(zh) or int(zh)


def entity(tracker: Tracker, name: str) -> str | None:
    values = [e.get("value") for e in (tracker.latest_message.get("entities") or []) if e.get("entity") == name]
    return str(values[0]) if values else None


def clear_winner(result: dict[str, Any]) -> str | None:
    """The one clearly best hit of a search response: search's ``best``, or a fused score 1.5 times the runner-up's.

    The second rule matters for short texts (a mention, "失业金"), whose confidence stays below
    the bar for ``best`` even when nothing else comes close.
    """
    hits = result["results"] if result.get("confident") else []
    if not hits:
        return None
    if result.get("best") == hits[0]["id"] or len(hits) == 1 or hits[0]["score"] >= 1.5 * hits[1]["score"]:
        return str(hits[0]["id"])
    return None


async def mentioned_service(tracker: Tracker, lang: str, current: str | None) -> str | None:
    """The service a message names when it is not the selected one ("how much is the dog licence?").

    The NLU marks the mention (a ``service`` entity from the catalogue's keywords); search
    resolves it, and only a clear winner switches the conversation to another service.
    """
    mention = entity(tracker, "service")
    if not mention:
        return None
    winner = clear_winner(await client.search(mention[:MAX_QUERY], lang, limit=3))
    return winner if winner and winner != current else None


async def resolve_service(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> tuple[str | None, list[EventType]]:
    """The service this message is about, with the slot events that select it.

    In order: a service the message names; one of the results just shown, picked by its place
    ("the second one", "第二个"); the selected service; the message's own words when
    they find one clear winner. Otherwise the candidates (from the message, else from the last
    search) are offered as buttons, or the citizen is asked to describe the matter, and the
    service is None.

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
    """
    current = tracker.get_slot("service_id")
    named = await mentioned_service(tracker, lang, current)
    if named:
        return named, [SlotSet("service_id", named)]
    text = text_of(tracker).strip()
    last = tracker.get_slot("last_query")
    pick = ordinal(text)
    if pick and isinstance(last, str) and last.strip():
        shown = await client.search(last[:MAX_QUERY], lang, limit=5)
        listed: list[dict[str, Any]] = shown["results"] or shown.get("suggestions") or []
        if pick <= len(listed):
            return str(listed[pick - 1]["id"]), [SlotSet("service_id", listed[pick - 1]["id"])]
    if current:
        return str(current), []
    hits: list[dict[str, Any]] = []
    if text and not text.startswith("/"):
        result = await client.search(text[:MAX_QUERY], lang, limit=5)
        winner = clear_winner(result)
        if winner:
            return winner, [SlotSet("service_id", winner)]
        hits = result["results"] if result.get("confident") else []
    if not hits and isinstance(last, str) and last.strip():
        previous = await client.search(last[:MAX_QUERY], lang, limit=5)
        hits = previous["results"] if previous.get("confident") else []
    if hits:
        dispatcher.utter_message(response="utter_which_of_these", buttons=[select_button(h) for h in hits[:5]])
    else:
        dispatcher.utter_message(response="utter_ask_which_service")
    return None, []
