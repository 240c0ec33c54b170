"""The eligibility check as a dynamic form: the catalogue service's engine decides what to ask.

``required_slots`` asks the engine whether a question can still change the outcome; the one
slot ``elig_answer`` is then asked again and again (``action_ask_elig_answer`` words the
engine's next question), each answer understood by the catalogue service and kept in the
``answers`` slot, which persists across services in the conversation.
"""

from __future__ import annotations

import re
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

__all__ = ["ActionAskEligAnswer", "ActionEligibilityResult", "ActionExplainQuestion", "ActionPickServiceToCheck", "ValidateEligibilityForm", "answers_of"]

CORRECTION = re.compile(r"\b(actually|sorry|correction|i meant|i mean|no wait)\b|其实|不对|更正|纠正|说错|应该是|改成|搞错", re.I)
YES_NO = {"zh": [("是", "是"), ("否", "否")], "en": [("Yes", "yes"), ("No", "no")]}


def answers_of(tracker: Tracker) -> dict[str, Any]:
    value = tracker.get_slot("answers")
    return dict(value) if isinstance(value, dict) else {}


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
        """Understand the answer to the current question, or a correction of an earlier one."""
        lang = lang_of(tracker)
        qid = tracker.get_slot("elig_question")
        text = str(slot_value or text_of(tracker))[:500]
        answers = answers_of(tracker)
        try:
            if CORRECTION.search(text):
                for earlier in reversed(list(answers)):
                    parsed = await client.parse_answer(earlier, text, lang)
                    if parsed["understood"] and earlier != qid:
                        answers[earlier] = parsed["value"]
                        dispatcher.utter_message(response="utter_elig_corrected")
                        return {"elig_answer": None, "answers": answers}
            if qid:
                parsed = await client.parse_answer(qid, text, lang)
                if parsed["understood"]:
                    answers[qid] = parsed["value"]
                    return {"elig_answer": None, "answers": answers}
        except CatalogueUnavailable:
            dispatcher.utter_message(response="utter_catalogue_down")
            return {"elig_answer": None, "requested_slot": None}
        except (NotFound, ValueError):
            pass
        dispatcher.utter_message(response="utter_elig_not_understood")
        return {"elig_answer": None}


class ActionAskEligAnswer(Action):
    """Asks the engine's next question, with quick replies where the answers are few."""

    def name(self) -> str:
        return "action_ask_elig_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
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
            result = await client.eligibility(service_id, answers_of(tracker), lang)
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
        answers = answers_of(tracker)
        if service_id and answers:
            try:
                for earlier in reversed(list(answers)):
                    parsed = await client.parse_answer(earlier, text, lang)
                    if parsed["understood"] and parsed["value"] != answers[earlier]:
                        answers[earlier] = parsed["value"]
                        dispatcher.utter_message(response="utter_elig_corrected")
                        events: list[EventType] = [SlotSet("answers", answers)]
                        result = await client.eligibility(service_id, answers, lang)
                        if result["status"] == "unknown":  # the correction reopened the check: carry on asking
                            return [*events, FollowupAction("eligibility_form")]
                        updated = tracker.copy()
                        updated.slots["answers"] = answers
                        return events + await ActionEligibilityResult().run(dispatcher, updated, domain)
            except CatalogueUnavailable:
                dispatcher.utter_message(response="utter_catalogue_down")
                return []
            except (NotFound, ValueError):
                pass
        if service_id and entity(tracker, "district"):
            return await ActionAnswerFollowup().run(dispatcher, tracker, domain)
        return await ActionSearchServices().run(dispatcher, tracker, domain)
