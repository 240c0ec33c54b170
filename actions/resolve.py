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

__all__ = ["MAX_QUERY", "clear_winner", "entity", "mentioned_service", "offer", "ordinal", "picked_from_shown", "resolve_service", "trimmed"]

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


def trimmed(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hits worth offering: those within reach of the best (fused score at least 40 % of it).

    A list padded with far weaker hits (adoption for a pregnancy, a food licence for a care home)
    costs the citizen's trust more than a shorter list.
    """
    if not hits:
        return []
    top = float(hits[0]["score"])
    return [h for h in hits[:5] if float(h["score"]) >= 0.4 * top]


def offer(dispatcher: CollectingDispatcher, hits: list[dict[str, Any]], response: str) -> list[EventType]:
    """Offer services as buttons and remember them (the ``shown`` slot) for a pick by number or title."""
    dispatcher.utter_message(response=response, buttons=[select_button(h) for h in hits])
    return [SlotSet("shown", [{"id": h["id"], "title": h["title"]} for h in hits])]


def picked_from_shown(tracker: Tracker) -> str | None:
    """The offered service a message picks: by place ("the second one", "第二个") or by its title, typed
    in full, in part or with a typo ("Register a newborns birth"); None when it picks none."""
    shown = tracker.get_slot("shown")
    if not isinstance(shown, list) or not shown:
        return None
    text = text_of(tracker).strip()
    n = ordinal(text)
    if n is not None:
        return str(shown[n - 1]["id"]) if n <= len(shown) else None
    from rapidfuzz import fuzz

    said = " ".join(text.lower().split())
    scored = [(fuzz.ratio(said, " ".join(str(s["title"]).lower().split())), str(s["id"])) for s in shown]
    score, best = max(scored)
    return best if score >= 85 else None


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

    In order: a service the message names; one of the services just offered, picked by its place
    ("the second one", "第二个") or title; the selected service; the message's own words when
    they find one clear winner. Otherwise the services just offered (else the message's own
    candidates) are offered again as buttons, or the citizen is asked to describe the matter,
    and the service is None.

    Raises:
        CatalogueUnavailable: the catalogue service cannot be reached.
    """
    current = tracker.get_slot("service_id")
    named = await mentioned_service(tracker, lang, current)
    if named:
        return named, [SlotSet("service_id", named)]
    text = text_of(tracker).strip()
    picked = picked_from_shown(tracker)
    if picked:
        return picked, [SlotSet("service_id", picked)]
    if current:
        return str(current), []
    hits: list[dict[str, Any]] = []
    if text and not text.startswith("/"):
        result = await client.search(text[:MAX_QUERY], lang, limit=5)
        winner = clear_winner(result)
        if winner:
            return winner, [SlotSet("service_id", winner)]
        hits = trimmed(result["results"]) if result.get("confident") else []
    shown = tracker.get_slot("shown")
    if isinstance(shown, list) and shown:
        hits = shown  # "what documents do I need?" right after a list is about one of those
    if hits:
        return None, offer(dispatcher, hits, "utter_which_of_these")
    dispatcher.utter_message(response="utter_ask_which_service")
    return None, []
