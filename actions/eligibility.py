"""The eligibility check as a dynamic form: the catalogue service's engine decides what to ask.

``required_slots`` asks the engine whether a question can still change the outcome; the one
slot ``elig_answer`` is then asked again and again (``action_ask_elig_answer`` words the
engine's next question), each answer understood by the catalogue service and kept in the
``answers`` slot, which persists across services in the conversation.

What an utterance does (an answer, "yes"/"no" to "36 months — is that right?", a correction of
an earlier answer, "start over") is decided by the catalogue service's turn endpoint; this
module only keeps what it returns: ``answers``, the person's own words per answer
(``answers_said``, shown back in the verdict's reasons) and a reading waiting for
confirmation (``elig_pending``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .cards import select_button
from .catalogue_client import CatalogueUnavailable, NotFound, client
from .feedback import rateable
from .followup import ActionAnswerFollowup
from .language import lang_of, text_of
from .resolve import entity, resolve_service
from .search import ActionSearchServices

__all__ = [
    "ActionAskEligAnswer",
    "ActionEligibilityResult",
    "ActionExplainQuestion",
    "ActionPickServiceToCheck",
    "ActionStartOver",
    "ValidateEligibilityForm",
    "answers_of",
    "said_of",
]

YES_NO = {"zh": [("是", "是"), ("否", "否")], "en": [("Yes", "yes"), ("No", "no")]}


def answers_of(tracker: Tracker) -> dict[str, Any]:
    value = tracker.get_slot("answers")
    return dict(value) if isinstance(value, dict) else {}


def said_of(tracker: Tracker) -> dict[str, str]:
    """The person's own words per answered question (shown back with how they were read)."""
    value = tracker.get_slot("answers_said")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def turn_state(tracker: Tracker, asked: str | None) -> dict[str, Any]:
    """The check so far, as the catalogue service's turn endpoint takes it."""
    pending = tracker.get_slot("elig_pending")
    return {"answers": answers_of(tracker), "said": said_of(tracker), "asked": asked, "pending": pending if isinstance(pending, dict) else None}


def kept(turn: dict[str, Any]) -> dict[str, Any]:
    """The slots to set from a turn's result."""
    pending = turn.get("pending")
    return {"answers": turn["answers"], "answers_said": turn["said"], "elig_pending": {**pending, "confirm": turn.get("confirm")} if pending else None}


def question_buttons(question: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """Quick replies: yes/no, or the options of a choice question (their labels are understood as answers)."""
    if question["type"] == "boolean":
        return [{"title": title, "payload": payload} for title, payload in YES_NO[lang]]
    if question["type"] == "choice":
        return [{"title": o["label"], "payload": o["label"]} for o in question["options"]]
    return []


class ActionPickServiceToCheck(Action):
    """Before the check: the service it is about ("can I get unemployment benefit?" needs no earlier search).

    With no clear service, candidates are offered as buttons; the form then ends at once and the
    result action stays silent.
    """

    def name(self) -> str:
        return "action_pick_service_to_check"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            _, events = await resolve_service(dispatcher, tracker, lang_of(tracker))
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        return events


class ValidateEligibilityForm(FormValidationAction):
    """Asks only what the engine says can still change the outcome; understands each answer."""

    def name(self) -> str:
        return "validate_eligibility_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[str]:
        service_id = tracker.get_slot("service_id")
        if not service_id:
            return []
        try:
            result = await client.eligibility(service_id, answers_of(tracker), lang_of(tracker))
        except (CatalogueUnavailable, NotFound, ValueError):
            return []
        return ["elig_answer"] if result.get("next_question") else []

    async def validate_elig_answer(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """Keep what the catalogue service says the words do: an answer, a confirmation, a correction, a restart."""
        service_id = tracker.get_slot("service_id")
        text = str(slot_value or text_of(tracker))[:500]
        try:
            turn = await client.eligibility_turn(service_id, text, lang_of(tracker), turn_state(tracker, tracker.get_slot("elig_question")))
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return {"elig_answer": None, "requested_slot": None}
        except (NotFound, ValueError):
            turn = {"kind": "unknown"}
        kind = turn["kind"]
        if kind == "unknown":
            dispatcher.utter_message(response="utter_elig_not_understood")
            return {"elig_answer": None}
        if kind == "start_over":
            dispatcher.utter_message(response="utter_elig_start_over")
        elif kind == "deny":
            dispatcher.utter_message(response="utter_elig_reask")
        elif kind == "correction" and not turn.get("pending"):
            dispatcher.utter_message(response="utter_elig_changed", question=turn.get("question") or "", reading=turn["reading"])
        return {"elig_answer": None, **kept(turn)}


class ActionAskEligAnswer(Action):
    """Asks the engine's next question, with quick replies where the answers are few."""

    def name(self) -> str:
        return "action_ask_elig_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        pending = tracker.get_slot("elig_pending")
        if isinstance(pending, dict) and pending.get("confirm"):  # "36 months — is that right?"
            dispatcher.utter_message(response="utter_elig_question", question=pending["confirm"], buttons=[{"title": t, "payload": p} for t, p in YES_NO[lang]])
            return [SlotSet("elig_question", pending.get("question_id"))]
        try:
            result = await client.eligibility(tracker.get_slot("service_id"), answers_of(tracker), lang)
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return [SlotSet("requested_slot", None)]
        question = result.get("next_question")
        if not question:
            return []
        unit = f"（{question['unit']}）" if question.get("unit") and lang == "zh" else f" ({question['unit']})" if question.get("unit") else ""
        dispatcher.utter_message(response="utter_elig_question", question=question["text"] + unit, buttons=question_buttons(question, lang))
        return [SlotSet("elig_question", question["id"])]


class ActionExplainQuestion(Action):
    """Answers "why do you ask?" from the question's own explanation."""

    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        service_id = tracker.get_slot("service_id")
        if not service_id:
            dispatcher.utter_message(response="utter_explain_general")
            return []
        try:
            result = await client.eligibility(service_id, answers_of(tracker), lang)
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        question = result.get("next_question")
        if question and tracker.active_loop_name == "eligibility_form":
            dispatcher.utter_message(response="utter_elig_why", why=question["why"])
        else:
            dispatcher.utter_message(response="utter_explain_general")
        return []


class ActionEligibilityResult(Action):
    """The verdict with its reasons, what would change it, and what to do next."""

    def name(self) -> str:
        return "action_eligibility_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        service_id = tracker.get_slot("service_id")
        if not service_id:
            return []  # action_pick_service_to_check has already offered candidates or asked
        try:
            result = await client.eligibility(service_id, answers_of(tracker), lang, said_of(tracker))
            service = await client.service(service_id)
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        title = service["title"][lang]
        reasons = "\n".join(f"{'✓' if r['met'] else '✗' if r['met'] is False else '?'} {r['text']}" for r in result["reasons"])
        status = result["status"]
        if status == "eligible":
            apply = [{"title": "申请并带入我的回答" if lang == "zh" else "Apply with my answers", "payload": "/apply"}]
            dispatcher.utter_message(response="utter_elig_eligible", service=title, reasons=reasons or "—", buttons=apply)
        elif status == "ineligible":
            change = "\n".join(result.get("would_qualify_if") or [])
            dispatcher.utter_message(response="utter_elig_ineligible", service=title, reasons=reasons, change=change or "—")
            alternatives = result.get("alternatives") or []
            if alternatives:
                dispatcher.utter_message(response="utter_elig_alternatives", buttons=[select_button(a) for a in alternatives])
        else:
            dispatcher.utter_message(response="utter_elig_unknown", service=title, reasons=reasons)
        return [SlotSet("elig_question", None), rateable(dispatcher, "verdict", lang, service_id=service_id, status=status)]


class ActionHandleInform(Action):
    """A bare answer outside the check: a correction re-checks, a district answers "where", else search."""

    def name(self) -> str:
        return "action_handle_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        text = text_of(tracker)[:500]
        service_id = tracker.get_slot("service_id")
        if service_id and answers_of(tracker):
            try:
                turn = await client.eligibility_turn(service_id, text, lang, turn_state(tracker, None))
            except CatalogueUnavailable:
                dispatcher.utter_message(response="utter_catalogue_down")
                return []
            except (NotFound, ValueError):
                turn = {"kind": "unknown"}
            if turn["kind"] in ("correction", "answer", "start_over"):
                return await _recheck(turn, dispatcher, tracker, domain)
        if service_id and entity(tracker, "district"):
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        return await ActionSearchServices().run(dispatcher, tracker, domain)


async def _recheck(turn: dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """After the verdict: keep a correction (or clear the check) and give the verdict again, or carry on asking."""
    slots = kept({**turn, "pending": None})
    if turn.get("pending"):  # after the verdict the reading is kept and shown in the reasons, not asked back
        pending = turn["pending"]
        slots["answers"] = {**turn["answers"], pending["question_id"]: pending["value"]}
        slots["answers_said"] = {**turn["said"], pending["question_id"]: pending["said"]}
    if turn["kind"] == "start_over":
        dispatcher.utter_message(response="utter_elig_start_over")
    else:
        dispatcher.utter_message(response="utter_elig_changed", question=turn.get("question") or "", reading=turn.get("reading") or "")
    events: list[EventType] = [SlotSet(name, value) for name, value in slots.items()]
    if turn["kind"] == "start_over" or turn.get("open"):  # the change reopened the check: carry on asking
        return [*events, FollowupAction("eligibility_form")]
    updated = tracker.copy()
    updated.slots.update(slots)
    return events + await ActionEligibilityResult().run(dispatcher, updated, domain)


class ActionStartOver(Action):
    """ "Start over" / "重新开始": clears the answers of the current check and asks again; with no check, starts afresh."""

    def name(self) -> str:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        service_id = tracker.get_slot("service_id")
        if not service_id:
            dispatcher.utter_message(response="utter_elig_start_over_nothing")
            return []
        try:
            turn = await client.eligibility_turn(
                service_id, text_of(tracker) or "start over", lang_of(tracker), {**turn_state(tracker, None), "pending": None, "start_over": True}
            )
        except (CatalogueUnavailable, NotFound, ValueError):
            dispatcher.utter_message(response="utter_catalogue_down")
            return []
        dispatcher.utter_message(response="utter_elig_start_over")
        events: list[EventType] = [SlotSet(name, value) for name, value in kept(turn).items()]
        events += [SlotSet("elig_question", None), SlotSet("elig_answer", None)]
        if tracker.active_loop_name == "eligibility_form":
            return events  # the rule runs the form next
        return [*events, FollowupAction("eligibility_form")]
